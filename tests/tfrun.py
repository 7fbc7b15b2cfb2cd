"""``python -m tests.tfrun DIR TERRAFORM_ARGS...``: one Terraform command on DIR, against localaws.

Runs in place: DIR keeps its ``.terraform`` and state. The harness is built if needed (``make
harness``), the AWS provider is pointed at ``AWS_ENDPOINT_URL`` through a git-ignored override file,
and Terraform runs with the harness' CLI configuration (provider mirrors, no network). Commands that
never configure providers (init, validate, fmt, version, providers, ...) run without
``AWS_ENDPOINT_URL``. Exit code: Terraform's.

    make localaws &                       # in another terminal
    export AWS_ENDPOINT_URL=http://127.0.0.1:4566
    python -m tests.tfrun examples/realtime-canary init
    python -m tests.tfrun examples/realtime-canary apply -auto-approve
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.tfharness.install import DEFAULT_BUILD_DIR, setup
from tests.tfharness.mirror import MirrorNotFound
from tests.tfharness.override import EndpointNotSet, localaws_env_defaults, write_localaws_override

# Commands that do not configure providers, so they need no localaws endpoint.
OFFLINE_COMMANDS = {"init", "validate", "fmt", "version", "providers", "get", "graph", "-help", "-version"}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 2 or args[0] in ("-h", "--help"):
        print(__doc__, file=sys.stderr)
        return 2
    directory, terraform_args = Path(args[0]), args[1:]
    if not directory.is_dir():
        print(f"error: {directory} is not a directory", file=sys.stderr)
        return 2
    try:
        harness = setup(Path(os.environ.get("TF_HARNESS_BUILD_DIR", DEFAULT_BUILD_DIR)))
    except MirrorNotFound as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    env = localaws_env_defaults(harness.env())
    endpoint = env.get("AWS_ENDPOINT_URL", "")
    if endpoint or terraform_args[0] not in OFFLINE_COMMANDS:
        try:
            write_localaws_override(directory, endpoint)
        except EndpointNotSet as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    return subprocess.run(["terraform", *terraform_args], cwd=directory, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
