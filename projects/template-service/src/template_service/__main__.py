"""Run the service: ``python -m template_service`` (host and port come from settings)."""

from __future__ import annotations

import uvicorn

from template_service.settings import get_settings


def main() -> None:
    """Serve the app with uvicorn; our middleware writes the access log, as JSON."""
    settings = get_settings()
    uvicorn.run(
        "template_service.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        access_log=False,
        log_level=settings.log_level.lower(),
    )


if __name__ == "__main__":
    main()
