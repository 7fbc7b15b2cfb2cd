"""``python -m tests.localaws --port PORT``: serve localaws in the foreground until interrupted."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading

from .server import start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.localaws", description=__doc__)
    parser.add_argument("--port", type=int, default=4566, help="TCP port (0: any free port); default 4566")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind; default 127.0.0.1")
    parser.add_argument("--quiet", action="store_true", help="do not log each request on stderr")
    args = parser.parse_args(argv)
    server = start(port=args.port, host=args.host, log_requests=not args.quiet)
    config = server.config
    print(
        f"localaws listening on {server.url} (time scale {config.time_scale}, "
        f"throttle {config.throttle_rate}, "
        f"errors {config.error_rate}, latency {config.latency_ms} ms)",
        flush=True,
    )
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    with contextlib.suppress(KeyboardInterrupt):
        done.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
