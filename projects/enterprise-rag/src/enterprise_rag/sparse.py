"""BM25 as sparse vectors: term frequencies here, inverse document frequency in Qdrant.

Qdrant computes the IDF half of BM25 itself when the sparse vector is declared with
``Modifier.IDF``; the client sends the saturated term-frequency half. Terms are hashed to
32-bit indices, so no vocabulary has to be stored or kept in sync.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter

from qdrant_client import models
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

TOKEN = re.compile(r"[a-z0-9]+(?:[.-][a-z0-9]+)*")


def tokenize(text: str) -> list[str]:
    """Lowercase words and codes (``e-104``, ``3.2.1``), English stop words removed.

    Example:
        >>> tokenize("What does error E-104 mean on the Beacon Hub?")
        ['does', 'error', 'e-104', 'mean', 'beacon', 'hub']

    """
    return [t for t in TOKEN.findall(text.lower()) if t not in ENGLISH_STOP_WORDS]


def _index(term: str) -> int:
    return zlib.crc32(term.encode("utf-8"))


class BM25Encoder:
    """Encode documents and queries as sparse vectors whose dot product is BM25 (with IDF).

    Args:
        k1: Term-frequency saturation.
        b: Length normalisation strength.
        average_length: Typical document length in tokens; a fixed value keeps encodings
            independent of what else is indexed (so re-ingesting one document is idempotent).

    """

    def __init__(self, *, k1: float = 1.2, b: float = 0.75, average_length: float = 60.0) -> None:
        self.k1, self.b, self.average_length = k1, b, average_length

    def encode_document(self, text: str) -> models.SparseVector:
        """Return the document's saturated term frequencies, one entry per distinct term."""
        counts = Counter(_index(t) for t in tokenize(text))
        length = sum(counts.values())
        norm = self.k1 * (1 - self.b + self.b * length / self.average_length)
        indices = sorted(counts)
        values = [counts[i] * (self.k1 + 1) / (counts[i] + norm) for i in indices]
        return models.SparseVector(indices=indices, values=values)

    def encode_query(self, text: str) -> models.SparseVector:
        """Return weight 1 for each distinct query term (Qdrant multiplies in the IDF)."""
        indices = sorted({_index(t) for t in tokenize(text)})
        return models.SparseVector(indices=indices, values=[1.0] * len(indices))
