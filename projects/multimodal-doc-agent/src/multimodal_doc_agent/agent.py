"""Answer questions over parsed PDFs with citations a reader (or a test) can verify.

Retrieval is BM25 (bm25s) over blocks with their page heading; the answer is the best block,
quoted, with its document, page and bounding box. ``verify`` re-reads the cited region from
the PDF itself (text layer, or OCR of the pixels for a scanned region) and checks the quote.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import bm25s
import pdfplumber

from multimodal_doc_agent.parsing import BBox, Block, ocr_region, parse_pdf


@dataclass(frozen=True)
class Citation:
    """Where the answer comes from: a PDF, a page and a box on it, and the quoted text."""

    path: Path
    page: int
    bbox: BBox
    quote: str
    kind: str


@dataclass(frozen=True)
class Answer:
    """An extractive answer: the quoted block and where it is."""

    question: str
    text: str
    citation: Citation | None
    score: float


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def region_text(citation: Citation, *, pad: float = 1.5) -> str:
    """Read the text inside the citation's box again, from the PDF (OCR for pixels)."""
    x0, top, x1, bottom = citation.bbox
    box = (x0 - pad, top - pad, x1 + pad, bottom + pad)
    if citation.kind == "ocr":  # tesseract needs a margin of background around the text
        margin = (x0 - 8, top - 8, x1 + 8, bottom + 8)
        return " ".join(text for text, _ in ocr_region(citation.path, citation.page, margin))
    with pdfplumber.open(citation.path) as pdf:
        page = pdf.pages[citation.page - 1]
        return page.crop(box, strict=False).extract_text() or ""


def verify(citation: Citation) -> bool:
    """True when every value of the quote appears inside the cited box of the cited page.

    A table row's quote is ``header: value; …``; its values must all be in the box.
    """
    found = _normalise(region_text(citation))
    values = [part.split(": ", 1)[-1] for part in citation.quote.split("; ")]
    return all(_normalise(v) in found for v in values if v)


class DocAgent:
    """Index some PDFs and answer questions with page + box citations.

    Args:
        paths: The PDFs to index.

    Raises:
        ValueError: No PDF, or nothing readable in them.

    """

    def __init__(self, paths: Sequence[Path]) -> None:
        if not paths:
            raise ValueError("DocAgent needs at least one PDF.")
        self.paths = {f"pdf-{p.stem}": p for p in paths}
        self.blocks: list[Block] = [b for p in paths for b in parse_pdf(p)]
        if not self.blocks:
            raise ValueError(f"No text found in {[p.name for p in paths]}.")
        self.index = bm25s.BM25()
        corpus = [f"{b.context} {b.text}" for b in self.blocks]
        self.index.index(
            bm25s.tokenize(corpus, stopwords="en", show_progress=False), show_progress=False
        )

    def search(self, question: str, k: int = 3) -> list[tuple[Block, float]]:
        """Return the ``k`` best blocks with their BM25 scores.

        Raises:
            ValueError: Empty question.

        """
        if not question.strip():
            raise ValueError("question must not be empty.")
        tokens = bm25s.tokenize([question], stopwords="en", show_progress=False)
        k = min(k, len(self.blocks))
        ids, scores = self.index.retrieve(tokens, k=k, show_progress=False)
        return [(self.blocks[int(i)], float(s)) for i, s in zip(ids[0], scores[0], strict=True)]

    def answer(self, question: str) -> Answer:
        """Quote the best block, or say "I don't know" when no block shares a word."""
        [(block, score)] = self.search(question, k=1)
        if score <= 0:
            return Answer(question, "I don't know: no passage matches the question.", None, 0.0)
        citation = Citation(
            self.paths[block.doc_id], block.page, block.bbox, block.text, block.kind
        )
        return Answer(question, block.text, citation, score)
