"""Dense embeddings with a content-addressed cache: unchanged text is never embedded twice."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray


class CachedEmbedder:
    """Normalised sentence vectors, cached in SQLite by sha256 of (model name, text).

    Args:
        encoder: A sentence-transformers model, MiniLM by default (``labkit.models``).
        model_name: Part of the cache key, so two models never share vectors.
        cache_path: The SQLite file; ``None`` keeps the cache in memory only.

    """

    def __init__(self, encoder: Any, model_name: str, cache_path: Path | None = None) -> None:
        self.encoder = encoder
        self.model_name = model_name
        if cache_path is not None:
            cache_path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            str(cache_path) if cache_path else ":memory:", check_same_thread=False
        )
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB)")
        self._lock = threading.Lock()
        self.encoded = 0  # texts actually sent to the model, for tests and benchmarks

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.model_name}\x00{text}".encode()).hexdigest()

    def embed(self, texts: Sequence[str], *, use_cache: bool = True) -> NDArray[np.float32]:
        """Return an ``(n, dim)`` float32 array of unit vectors, one row per text."""
        keys = [self._key(t) for t in texts]
        found: dict[str, NDArray[np.float32]] = {}
        if use_cache and keys:
            with self._lock:
                for start in range(0, len(keys), 500):
                    batch = keys[start : start + 500]
                    marks = ",".join("?" * len(batch))
                    rows = self._db.execute(
                        f"SELECT key, vec FROM vectors WHERE key IN ({marks})",  # noqa: S608
                        batch,
                    ).fetchall()
                    found.update({k: np.frombuffer(v, dtype=np.float32) for k, v in rows})
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in found}.items())
        if missing:
            vectors = np.asarray(
                self.encoder.encode(
                    [t for _, t in missing], batch_size=64, normalize_embeddings=True
                ),
                dtype=np.float32,
            )
            self.encoded += len(missing)
            with self._lock, self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                    [(k, v.tobytes()) for (k, _), v in zip(missing, vectors, strict=True)],
                )
            found.update({k: v for (k, _), v in zip(missing, vectors, strict=True)})
        if not keys:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([found[k] for k in keys])
