"""Command line: ``serve``, ``eval`` (with thresholds), ``dashboard`` and ``bench``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from enterprise_rag.chunking import Document

if TYPE_CHECKING:
    from labkit.datasets import RagQuestion

STATE = Path(os.environ.get("ENTERPRISE_RAG_STATE", ".enterprise-rag"))


def corpus_documents() -> list[Document]:
    """The Northbeam enterprise corpus (``labkit.datasets``), drafts and duplicates left out."""
    from labkit import datasets

    sections = datasets.load_enterprise_sections()
    by_doc: dict[str, list[str]] = {}
    titles: dict[str, str] = {}
    for s in sections:
        by_doc.setdefault(s["doc_id"], []).append(
            f"## {s['heading']}\n{s['text'].split(chr(10), 1)[1]}"
        )
        titles[s["doc_id"]] = s["title"]
    return [
        Document(doc_id=d, title=titles[d], text="\n".join(parts)) for d, parts in by_doc.items()
    ]


def corpus_questions(split: str | None = None) -> list[RagQuestion]:
    """The labelled questions about the text corpus (PDF questions belong to the PDF agent)."""
    from labkit import datasets

    questions = datasets.load_rag_eval(split=split)
    return [q for q in questions if not any(d.startswith("pdf-") for d in q["relevant_doc_ids"])]


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the exit status (1 when the evaluation misses a threshold)."""
    parser = argparse.ArgumentParser(prog="enterprise-rag")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the API with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    evaluate_cmd = commands.add_parser("eval", help="ingest the corpus, evaluate, append history")
    evaluate_cmd.add_argument("--split", default="test", choices=["train", "test"])
    dashboard = commands.add_parser("dashboard", help="history -> static HTML")
    dashboard.add_argument("--out", type=Path, default=STATE / "dashboard.html")
    bench = commands.add_parser("bench", help="ingestion throughput and latency percentiles")
    bench.add_argument("--full", action="store_true", help="10k distinct chunks (slow on CPU)")
    args = parser.parse_args(argv)

    from enterprise_rag.service import build_service

    def service() -> object:
        return build_service(
            qdrant_path=STATE / "qdrant",
            cache_path=STATE / "embeddings.sqlite",
            reranker_path=STATE / "reranker",
        )

    if args.command == "serve":
        import uvicorn

        from enterprise_rag.app import create_app

        uvicorn.run(create_app(service), host=args.host, port=args.port)  # type: ignore[arg-type]
        return 0
    if args.command == "eval":
        from enterprise_rag.evaluation import append_run, evaluate

        rag = build_service(
            cache_path=STATE / "embeddings.sqlite", reranker_path=STATE / "reranker"
        )
        rag.store.ingest(corpus_documents())
        run = evaluate(rag, corpus_questions(args.split), notes=f"split={args.split}")
        append_run(STATE / "history.jsonl", run)
        print(run.metrics, run.latency_ms)
        for line in run.below():
            print("below threshold:", line, file=sys.stderr)
        return 0 if run.passed() else 1
    if args.command == "dashboard":
        from enterprise_rag.dashboard import render_dashboard
        from enterprise_rag.evaluation import load_history

        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(
            render_dashboard(load_history(STATE / "history.jsonl")), encoding="utf-8"
        )
        print(args.out)
        return 0
    from enterprise_rag.bench import run_benchmark

    rag = build_service(reranker_path=STATE / "reranker")
    questions = [q["question"] for q in corpus_questions()][: 200 if args.full else 40]
    result = run_benchmark(
        rag, corpus_documents(), questions, chunks=10_000 if args.full else 1_000, cold=args.full
    )
    print(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
