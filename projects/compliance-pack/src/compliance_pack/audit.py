"""A tamper-evident audit log: each entry holds the hash of the one before it (a hash chain)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

GENESIS = "0" * 64


def entry_hash(entry: dict[str, Any]) -> str:
    """Return the SHA-256 of an entry's canonical JSON, its own ``hash`` field left out."""
    body = {key: value for key, value in entry.items() if key != "hash"}
    return hashlib.sha256(
        json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


def verify_chain(entries: Iterable[dict[str, Any]]) -> int | None:
    """Return the index of the first entry that breaks the chain, or None when it is intact.

    An edited entry no longer matches its hash; a deleted, inserted or reordered entry no longer
    points at its predecessor's hash.
    """
    previous = GENESIS
    for index, entry in enumerate(entries):
        if entry.get("prev") != previous or entry.get("hash") != entry_hash(entry):
            return index
        previous = entry["hash"]
    return None


@dataclass
class AuditLog:
    """An append-only JSON-lines audit log; ``path=None`` keeps it in memory."""

    path: Path | None = None
    entries: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.path is not None and self.path.exists():
            self.entries = [json.loads(line) for line in self.path.read_text().splitlines()]
            broken = verify_chain(self.entries)
            if broken is not None:
                raise ValueError(f"{self.path}: audit chain broken at entry {broken}")

    def append(self, actor: str, action: str, resource: str, **details: Any) -> dict[str, Any]:
        """Record who did what to which resource, now, chained to the previous entry."""
        entry: dict[str, Any] = {
            "seq": len(self.entries),
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "actor": actor,
            "action": action,
            "resource": resource,
            "details": details,
            "prev": self.entries[-1]["hash"] if self.entries else GENESIS,
        }
        entry["hash"] = entry_hash(entry)
        self.entries.append(entry)
        if self.path is not None:
            with self.path.open("a") as file:
                file.write(json.dumps(entry, sort_keys=True) + "\n")
        return entry

    def head(self) -> str:
        """Return the latest hash: publish it elsewhere (a digest) to detect truncation."""
        return str(self.entries[-1]["hash"]) if self.entries else GENESIS
