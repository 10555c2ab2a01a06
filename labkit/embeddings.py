"""The course's encoder over many texts, cached on disk by content, as the RAG chapters need it.

Embedding a corpus is the slow step of every retrieval notebook, and the same corpus is
embedded by many of them; :func:`encode_cached` does it once per machine.

Example:
    >>> vectors = encode_cached(["reset the router", "refund policy"])  # doctest: +SKIP
    >>> vectors.shape
    (2, 384)

"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from labkit.models import embedding_model
from labkit.settings import Settings, get_settings


def cache_path(texts: Sequence[str], settings: Settings) -> Path:
    """Return where the vectors of ``texts`` are cached: named by the model and every text."""
    digest = hashlib.sha256(settings.embedding_model.encode())
    for text in texts:
        digest.update(b"\x00" + text.encode())
    return settings.cache_dir / "embeddings" / f"{digest.hexdigest()[:24]}.npy"


def encode_cached(
    texts: Sequence[str], settings: Settings | None = None, *, batch_size: int = 64
) -> np.ndarray:
    """Embed ``texts`` with the course's encoder, L2-normalised; reuse the cache when it exists.

    A cache that cannot be written (the grading sandbox reads the course's cache but may not
    write to it) is skipped: the vectors are computed and returned all the same.

    Args:
        texts: The texts, in order; row ``i`` of the result is ``texts[i]``.
        settings: Which encoder and cache folder; defaults to :func:`get_settings`.
        batch_size: Texts per forward pass.

    Raises:
        ValueError: ``texts`` is a single string or empty.

    """
    if isinstance(texts, str) or not texts:
        raise ValueError("encode_cached needs a non-empty list of texts, not one string")
    settings = settings or get_settings()
    path = cache_path(texts, settings)
    if path.exists():
        cached: np.ndarray = np.load(path)
        return cached
    vectors = np.asarray(
        embedding_model(settings).encode(
            list(texts), batch_size=batch_size, normalize_embeddings=True
        )
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".npy", delete=False) as file:
            np.save(file, vectors)
        os.replace(file.name, path)  # atomic: a parallel reader never sees half a file
    except PermissionError:
        pass  # a read-only cache: return the vectors without keeping them
    return vectors
