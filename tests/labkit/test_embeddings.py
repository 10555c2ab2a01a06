"""Does encode_cached embed a corpus once per machine, and survive a cache it may not write?"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from labkit import embeddings
from labkit.settings import Settings


class CountingEncoder:
    """A test double of the sentence encoder: one fixed vector per text, calls counted."""

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts: list[str], **options: Any) -> np.ndarray:
        self.calls += 1
        assert options["normalize_embeddings"] is True
        return np.array([[len(text), 1.0] for text in texts], dtype=np.float32)


@pytest.fixture
def encoder(monkeypatch: pytest.MonkeyPatch) -> CountingEncoder:
    fake = CountingEncoder()
    monkeypatch.setattr(embeddings, "embedding_model", lambda settings: fake)
    return fake


def test_is_a_corpus_embedded_once_then_read_from_the_cache(
    encoder: CountingEncoder, tmp_path: Path
) -> None:
    """Does a second call with the same texts read the file instead of encoding again?"""
    settings = Settings(cache_dir=tmp_path)
    first = embeddings.encode_cached(["a", "bb"], settings)
    second = embeddings.encode_cached(["a", "bb"], settings)
    assert encoder.calls == 1
    np.testing.assert_array_equal(first, second)
    assert embeddings.cache_path(["a", "bb"], settings).exists()


def test_does_changing_one_text_miss_the_cache(encoder: CountingEncoder, tmp_path: Path) -> None:
    """Is the cache keyed by every text, so a stale matrix can never be read?"""
    settings = Settings(cache_dir=tmp_path)
    embeddings.encode_cached(["a", "bb"], settings)
    changed = embeddings.encode_cached(["a", "bc"], settings)
    assert encoder.calls == 2
    assert changed.shape == (2, 2)


def test_does_a_read_only_cache_still_return_vectors(
    encoder: CountingEncoder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under the grading sandbox the cache cannot be written: are the vectors still returned?"""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise PermissionError("graded code may write only inside its working directory")

    monkeypatch.setattr(Path, "mkdir", refuse)
    vectors = embeddings.encode_cached(["a"], Settings(cache_dir=tmp_path / "ro"))
    assert vectors.tolist() == [[1.0, 1.0]]


def test_is_a_single_string_refused_with_a_clear_message(tmp_path: Path) -> None:
    """Would passing one string (a list of characters) be caught before any work?"""
    with pytest.raises(ValueError, match="non-empty list of texts"):
        embeddings.encode_cached("one text", Settings(cache_dir=tmp_path))
