"""Parse a PDF into citable blocks: text lines, table rows and OCR lines, each with a box.

Coordinates are PDF points in pdfplumber's convention: ``(x0, top, x1, bottom)`` from the
page's top-left corner, so a citation can be checked by cropping the page at its box.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import cv2
import numpy as np
import pdfplumber
import pypdfium2
import pytesseract

BBox = tuple[float, float, float, float]
Kind = Literal["text", "table-row", "ocr"]


@dataclass(frozen=True)
class Block:
    """One citable piece of a page.

    Attributes:
        doc_id: ``pdf-<file stem>``, as the eval set names PDFs.
        page: 1-based page number.
        bbox: ``(x0, top, x1, bottom)`` in PDF points.
        text: What the block says (a table row is ``header: value; …``).
        kind: ``text`` (a line of the text layer), ``table-row`` or ``ocr`` (from pixels).
        context: The page's heading, to help retrieval; not part of the quote.

    """

    doc_id: str
    page: int
    bbox: BBox
    text: str
    kind: Kind
    context: str = ""


def _union(boxes: list[BBox]) -> BBox:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _inside(box: BBox, outer: BBox) -> bool:
    x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return outer[0] <= x <= outer[2] and outer[1] <= y <= outer[3]


def _lines(words: list[dict[str, Any]], tolerance: float = 3.0) -> list[tuple[str, BBox]]:
    """Group pdfplumber words into lines by their ``top``, left to right."""
    lines: list[list[dict[str, Any]]] = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if lines and abs(lines[-1][0]["top"] - word["top"]) <= tolerance:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [
        (
            " ".join(w["text"] for w in sorted(line, key=lambda w: w["x0"])),
            _union([(w["x0"], w["top"], w["x1"], w["bottom"]) for w in line]),
        )
        for line in lines
    ]


def ocr_region(
    pdf_path: Path, page: int, bbox: BBox, *, scale: float = 3.0
) -> list[tuple[str, BBox]]:
    """Render a page region with pypdfium2 and read its lines with tesseract.

    Args:
        pdf_path: The PDF.
        page: 1-based page number.
        bbox: The region in PDF points (an embedded image's box, say).
        scale: Pixels per point; 3 is 216 dpi, plenty for tesseract.

    Returns:
        ``(text, bbox)`` per OCR line, boxes in PDF points.

    """
    document = pypdfium2.PdfDocument(str(pdf_path))
    try:
        image = document[page - 1].render(scale=scale).to_numpy()
    finally:
        document.close()
    x0, top, x1, bottom = (max(0, round(v * scale)) for v in bbox)
    crop = cv2.cvtColor(np.ascontiguousarray(image[top:bottom, x0:x1]), cv2.COLOR_BGR2GRAY)
    data = pytesseract.image_to_data(crop, output_type=pytesseract.Output.DICT)
    lines: dict[tuple[int, int, int], list[tuple[str, BBox]]] = {}
    for i, word in enumerate(data["text"]):
        if not word.strip() or float(data["conf"][i]) < 0:
            continue
        left, up = data["left"][i] + x0, data["top"][i] + top
        box = (
            left / scale,
            up / scale,
            (left + data["width"][i]) / scale,
            (up + data["height"][i]) / scale,
        )
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        lines.setdefault(key, []).append((word, box))
    return [
        (" ".join(w for w, _ in words), _union([b for _, b in words])) for words in lines.values()
    ]


def _paragraphs(lines: list[tuple[str, BBox]]) -> list[tuple[str, BBox]]:
    """Join consecutive lines that start at the same x and sit close below each other."""
    merged: list[tuple[str, BBox]] = []
    for text, box in lines:
        if merged:
            last_text, last = merged[-1]
            height = last[3] - last[1]
            same_column = abs(box[0] - last[0]) < 2
            if same_column and 0 <= box[1] - last[3] < 0.5 * max(height, 1) + 4:
                merged[-1] = (f"{last_text} {text}", _union([last, box]))
                continue
        merged.append((text, box))
    return merged


def parse_pdf(path: Path, *, min_image_area: float = 0.05) -> list[Block]:
    """Parse every page: text lines, table rows, and OCR of large embedded images.

    Args:
        path: The PDF file.
        min_image_area: OCR an embedded image only if it covers this share of the page
            (small logos and icons are skipped).

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ValueError: ``path`` is not a readable PDF.

    """
    if not path.exists():
        raise FileNotFoundError(f"No PDF at {path}.")
    doc_id = f"pdf-{path.stem}"
    blocks: list[Block] = []
    try:
        pdf = pdfplumber.open(path)
    except Exception as error:
        raise ValueError(f"{path} is not a readable PDF: {error}") from error
    with pdf:
        heading = ""
        for number, page in enumerate(pdf.pages, start=1):
            lines = _paragraphs(_lines(page.extract_words()))
            heading = lines[0][0] if number == 1 and lines else heading
            context = heading
            tables = page.find_tables()
            for table in tables:
                rows = table.extract()
                header = [str(h or "") for h in rows[0]]
                for row, cells in zip(table.rows[1:], rows[1:], strict=True):
                    text = "; ".join(f"{h}: {c}" for h, c in zip(header, cells, strict=True))
                    blocks.append(
                        Block(doc_id, number, tuple(row.bbox), text, "table-row", context)
                    )
            for text, box in lines:
                if any(_inside(box, table.bbox) for table in tables):
                    continue  # the table's rows already cite this text, with their header
                blocks.append(Block(doc_id, number, box, text, "text", context))
            page_area = float(page.width * page.height)
            for image in page.images:
                box = (image["x0"], image["top"], image["x1"], image["bottom"])
                if (box[2] - box[0]) * (box[3] - box[1]) / page_area < min_image_area:
                    continue
                for text, ocr_box in ocr_region(path, number, box):
                    blocks.append(Block(doc_id, number, ocr_box, text, "ocr", context))
    return blocks
