"""A tiny HTTP service that shuts down gracefully on SIGTERM, as Kubernetes expects.

On SIGTERM it (1) reports not-ready on ``/ready`` so no new traffic is routed to it, (2) lets
in-flight requests finish, (3) exits 0 before ``terminationGracePeriodSeconds`` runs out.
Run: ``python graceful_worker.py PORT``; ``GET /slow?seconds=2`` simulates a long model call.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType
from urllib.parse import parse_qs, urlparse

draining = threading.Event()
in_flight = 0
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    """Serves /ready and /slow; logs go to stdout (12-factor), one line per event."""

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        """Answer /ready (503 while draining) and /slow (sleeps, then 200)."""
        global in_flight
        url = urlparse(self.path)
        if url.path == "/ready":
            self._reply(503 if draining.is_set() else 200, b"draining" if draining.is_set() else b"ok")
            return
        with lock:
            in_flight += 1
        try:
            time.sleep(float(parse_qs(url.query).get("seconds", ["1"])[0]))
            self._reply(200, b"done")
        finally:
            with lock:
                in_flight -= 1

    def _reply(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - base signature
        """Silence the default per-request stderr log."""


def main() -> None:
    """Serve until SIGTERM, then drain and exit 0."""
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)

    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        print("SIGTERM: draining", flush=True)
        draining.set()

    signal.signal(signal.SIGTERM, on_sigterm)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print("ready", flush=True)
    draining.wait()
    deadline = time.monotonic() + 25  # stay under terminationGracePeriodSeconds
    while in_flight and time.monotonic() < deadline:
        time.sleep(0.05)
    server.shutdown()
    print(f"stopped with {in_flight} request(s) in flight", flush=True)
    sys.exit(0 if in_flight == 0 else 1)


if __name__ == "__main__":
    main()
