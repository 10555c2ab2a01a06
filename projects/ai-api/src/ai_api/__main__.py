"""Command line: ``ai-api migrate | create-tenant | relay | serve``.

Settings come from ``AI_API_*`` variables. Exit codes: 0 done, 1 the command failed (a
database it cannot reach, a name already taken), 2 bad arguments or settings (with a message
that says which).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Sequence

import redis
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError

from ai_api.auth import SCOPES
from ai_api.plans import PLANS
from ai_api.settings import Settings

EXIT_FAILED = 1


def _positive_seconds(value: str) -> float:
    """Parse ``--every``: a finite number of seconds above zero."""
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {value!r}") from None
    if not (seconds > 0 and math.isfinite(seconds)):
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, got {value!r}")
    return seconds


def build_parser() -> argparse.ArgumentParser:
    """The ``ai-api`` argument parser, with one sub-command per operation."""
    parser = argparse.ArgumentParser(
        prog="ai-api", description="Operate the AI API; settings come from AI_API_* variables."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")
    commands.add_parser("migrate", help="apply Alembic migrations up to head")
    tenant = commands.add_parser("create-tenant", help="create a tenant and its first user")
    tenant.add_argument("--name", required=True, help="the tenant's unique name")
    tenant.add_argument("--plan", default="free", choices=sorted(PLANS))
    tenant.add_argument("--username", required=True, help="the first user (all scopes)")
    tenant.add_argument("--password", required=True)
    relay = commands.add_parser("relay", help="publish outbox events to the Redis stream")
    relay.add_argument(
        "--every", type=_positive_seconds, default=1.0, help="seconds to wait when idle"
    )
    commands.add_parser("serve", help="run the API with uvicorn")
    return parser


def _settings(parser: argparse.ArgumentParser) -> Settings:
    """Read the settings, or exit with code 2 naming each variable that is wrong."""
    try:
        return Settings()  # jwt_secret has no default: it must come from the environment
    except ValidationError as error:
        problems = "; ".join(
            f"AI_API_{'_'.join(map(str, problem['loc'])).upper()}: {problem['msg']}"
            for problem in error.errors()
        )
        parser.error(f"bad settings in the environment: {problems}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    settings = _settings(parser)
    try:
        return _run(args, settings)
    except OperationalError as error:
        print(f"ai-api {args.command}: cannot reach the database: {error.orig}", file=sys.stderr)
    except redis.ConnectionError as error:
        print(f"ai-api {args.command}: cannot reach Redis: {error}", file=sys.stderr)
    return EXIT_FAILED


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "migrate":
        from ai_api.migrate import upgrade

        upgrade(settings.database_url)
        print("database migrated to head")
    elif args.command == "create-tenant":
        return _create_tenant(args, settings)
    elif args.command == "relay":
        _relay(args.every, settings)
    else:
        import uvicorn

        from ai_api.app import create_app

        uvicorn.run(create_app(settings), host=settings.host, port=settings.port)
    return 0


def _create_tenant(args: argparse.Namespace, settings: Settings) -> int:
    from ai_api.app import create_app
    from ai_api.service import AIService, AlreadyExists

    app = create_app(settings)
    service: AIService = app.state.service
    try:
        tenant_id, _ = service.onboard(
            args.name, args.plan, args.username, args.password, sorted(SCOPES)
        )
    except AlreadyExists as error:
        print(f"ai-api create-tenant: {error}; nothing was created", file=sys.stderr)
        return EXIT_FAILED
    finally:
        app.state.engine.dispose()
        app.state.redis.close()
    print(f"tenant {args.name} ({tenant_id}) on {args.plan}, user {args.username}")
    return 0


def _relay(every_s: float, settings: Settings) -> None:
    """Publish outbox batches until interrupted, waiting ``every_s`` when there are none."""
    from sqlalchemy import create_engine

    from ai_api.outbox import relay_outbox
    from ai_api.uow import session_factory

    engine = create_engine(settings.database_url)
    client = redis.Redis.from_url(settings.redis_url)
    published = 0
    try:
        while True:
            batch = relay_outbox(session_factory(engine), client, settings.events_stream)
            published += batch
            if batch == 0:
                time.sleep(every_s)
    except KeyboardInterrupt:
        print(f"relay stopped after publishing {published} events")
    finally:
        client.close()
        engine.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
