"""Command line: ``multimodal-doc-agent "question" [PDF ...]`` prints a cited answer."""

from __future__ import annotations

import argparse
from pathlib import Path

from multimodal_doc_agent.agent import DocAgent, verify


def main(argv: list[str] | None = None) -> int:
    """Answer one question over the PDFs (the course's three PDFs by default)."""
    parser = argparse.ArgumentParser(prog="multimodal-doc-agent")
    parser.add_argument("question")
    parser.add_argument("pdfs", nargs="*", type=Path)
    args = parser.parse_args(argv)
    if args.pdfs:
        paths = list(args.pdfs)
    else:
        from labkit.datasets import enterprise_pdf_paths

        paths = enterprise_pdf_paths()
    answer = DocAgent(paths).answer(args.question)
    print(answer.text)
    if answer.citation is not None:
        c = answer.citation
        box = ", ".join(f"{v:.0f}" for v in c.bbox)
        print(f"[{c.path.name}, page {c.page}, box ({box}), {c.kind}] verified={verify(c)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
