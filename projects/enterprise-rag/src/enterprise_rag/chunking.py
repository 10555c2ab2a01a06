"""Split documents into content-hashed chunks at their ``## `` headings.

A chunk's id is stable (``doc_id#heading-slug``, plus ``~N`` when a long section is windowed),
and its ``content_hash`` changes only when its text does: that is what makes ingestion
idempotent and lets it skip re-embedding unchanged text.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from pydantic import BaseModel, Field


class Document(BaseModel):
    """A document to ingest: an id, a title and Markdown text with ``## `` sections."""

    doc_id: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9._:-]+$")
    title: str = Field(min_length=1, max_length=500)
    text: str = Field(min_length=1, max_length=1_000_000)


@dataclass(frozen=True)
class Chunk:
    """One retrievable piece of a document."""

    chunk_id: str
    doc_id: str
    section_id: str
    title: str
    heading: str
    text: str
    content_hash: str


def slugify(heading: str) -> str:
    """Return the heading as a URL slug.

    Example:
        >>> slugify("Error codes & fixes")
        'error-codes-fixes'

    """
    return re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")


def content_hash(text: str) -> str:
    """Return the sha256 of the text: the chunk's version key."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def chunk_document(document: Document, *, max_words: int = 180, overlap: int = 30) -> list[Chunk]:
    r"""Split a document at ``## `` headings, then window sections longer than ``max_words``.

    Each chunk's text starts with ``"<title> > <heading>"`` so it keeps its context. Text before
    the first heading (or a document without headings) becomes the section ``overview``.

    Args:
        document: The document to split.
        max_words: The longest chunk, in words.
        overlap: Words shared by two consecutive windows of one long section.

    Raises:
        ValueError: ``overlap`` is not smaller than ``max_words``.

    Example:
        >>> doc = Document(doc_id="d1", title="Hub", text="Intro.\n## Reset\nHold 10 s.")
        >>> [c.chunk_id for c in chunk_document(doc)]
        ['d1#overview', 'd1#reset']

    """
    if not 0 <= overlap < max_words:
        raise ValueError(f"overlap must be in [0, max_words={max_words}), not {overlap}.")
    head, *parts = document.text.split("\n## ")
    sections: list[tuple[str, str]] = []
    if head.startswith("## "):
        parts.insert(0, head[3:])
    elif head.strip():
        sections.append(("Overview", head.strip()))
    for part in parts:
        heading, _, body = part.partition("\n")
        if body.strip():
            sections.append((heading.strip(), body.strip()))
    chunks: list[Chunk] = []
    for heading, body in sections:
        section_id = f"{document.doc_id}#{slugify(heading) or 'section'}"
        words = body.split()
        step = max_words - overlap
        windows = [
            " ".join(words[start : start + max_words])
            for start in range(0, max(len(words) - overlap, 1), step)
        ]
        for index, window in enumerate(windows):
            text = f"{document.title} > {heading}\n{window}"
            chunk_id = section_id if len(windows) == 1 else f"{section_id}~{index}"
            chunks.append(
                Chunk(
                    chunk_id=chunk_id,
                    doc_id=document.doc_id,
                    section_id=section_id,
                    title=document.title,
                    heading=heading,
                    text=text,
                    content_hash=content_hash(text),
                )
            )
    return chunks
