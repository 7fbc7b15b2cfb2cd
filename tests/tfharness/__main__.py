"""``python -m tests.tfharness setup --build-dir DIR`` | ``validate-all [--build-dir DIR]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tests.tfharness.install import DEFAULT_BUILD_DIR, setup
from tests.tfharness.mirror import MirrorNotFound
from tests.tfharness.validate import validate_all


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.tfharness", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("setup", "build the hashicorp/external stand-in and the Terraform CLI configuration"),
        ("validate-all", "offline init + validate of the root module, modules/* and examples/*"),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument("--build-dir", type=Path, default=DEFAULT_BUILD_DIR)
    command.add_argument("--jobs", type=int, default=2, help="directories validated at once")
    args = parser.parse_args(argv)
    try:
        harness = setup(args.build_dir)
    except MirrorNotFound as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.command == "setup":
        print(f"TF_CLI_CONFIG_FILE={harness.cli_config}")
        if harness.which is not None:
            print(harness.which.read_text(), end="")
        return 0
    return 1 if validate_all(harness, jobs=args.jobs) else 0


if __name__ == "__main__":
    sys.exit(main())
