"""Command line: ``llm-serving serve`` runs the server, ``llm-serving bench`` measures it."""

from __future__ import annotations

import argparse

from llm_serving.settings import ServerSettings


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and run ``serve`` or ``bench`` with SmolLM2."""
    parser = argparse.ArgumentParser(prog="llm-serving", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="serve SmolLM2 on LLM_SERVING_HOST:LLM_SERVING_PORT")
    bench = commands.add_parser("bench", help="batch 1 against dynamic batching, as a table")
    bench.add_argument("--requests", type=int, default=16)
    bench.add_argument("--max-tokens", type=int, default=16)
    bench.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    args = parser.parse_args(argv)

    from llm_serving.generator import SmolLM2Generator

    if args.command == "serve":
        import uvicorn

        from llm_serving.app import create_app

        settings = ServerSettings()
        generator = SmolLM2Generator.load(threads=settings.torch_threads)
        uvicorn.run(create_app(generator, settings), host=settings.host, port=settings.port)
        return
    from llm_serving.bench import markdown_table, run_bench

    generator = SmolLM2Generator.load(threads=args.threads)
    print(markdown_table(run_bench(generator, requests=args.requests, max_tokens=args.max_tokens)))


if __name__ == "__main__":
    main()
