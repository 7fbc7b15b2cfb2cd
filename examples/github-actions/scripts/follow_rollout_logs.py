"""Print the deployer's rollout log lines as they are written, while ``terraform apply`` runs.

Terraform shows only "Still reading..." while the deployer rolls an endpoint out (an external program's
stderr is shown only when it fails), so the apply step starts this in the background: every line the
deployer adds to a log file in DIR (the module input ``deployer_log_dir``) appears in the job log, prefixed
with its endpoint. Files that were already there when it started are skipped. On SIGTERM (or SIGINT) it
prints what is left and exits 0.

    python follow_rollout_logs.py DIR [INTERVAL_SECONDS]

Standard library only (it runs before anything is installed).
"""

from __future__ import annotations

import re
import signal
import sys
import time
from pathlib import Path

# <endpoint>-<UTC start>-<rollout id>.log (deployer/progress.py log_file)
_NAME = re.compile(r"^(?P<endpoint>.+)-\d{8}T\d{6}Z-.+$")


def endpoint_of(path: Path) -> str:
    match = _NAME.match(path.stem)
    return match.group("endpoint") if match else path.stem


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 1
    directory = Path(argv[1])
    interval = float(argv[2]) if len(argv) > 2 else 2.0
    skipped = set(directory.glob("*.log")) if directory.is_dir() else set()
    offsets: dict[Path, int] = {}
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        final = stopping
        for path in sorted(directory.glob("*.log")) if directory.is_dir() else []:
            if path in skipped:
                continue
            with path.open("rb") as handle:
                handle.seek(offsets.get(path, 0))
                chunk = handle.read()
            complete = chunk[: chunk.rfind(b"\n") + 1] if not final else chunk
            offsets[path] = offsets.get(path, 0) + len(complete)
            for line in complete.decode("utf-8", errors="replace").splitlines():
                print(f"[{endpoint_of(path)}] {line}", flush=True)
        if final:
            return 0
        time.sleep(interval)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
