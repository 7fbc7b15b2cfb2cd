"""Command line (SPEC §6): argument parsing and dispatch only.

Every command maps to one function of ``deployer.operations`` (``external`` to ``deployer.protocol``);
errors become one line on stderr and the exit code of ``deployer.errors``, ending with ``; next: ...``
(what to do about it; ``default_next_step`` when the raise site did not say). Results go to stdout: human
tables by default, JSON with ``--json`` (status, history); times in UTC to the second, marked as UTC.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from deployer.errors import (
    AwsRefused,
    DeployerError,
    InvalidInput,
    LeaseHeld,
    RolloutFailed,
    RolloutTimeout,
    with_next_step,
)


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on a usage error; here 2 means "rollout failed", so usage errors are exit 1."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise InvalidInput(f"{self.prog}: {message}", f"`{self.prog} --help` shows the usage and an example")


EXIT_CODES = (
    "exit codes:\n"
    "  0 success\n"
    "  1 invalid input, or refused before any write (destroy of an endpoint not ours without --force)\n"
    "  2 the rollout failed or was rolled back\n"
    "  3 the deadline passed while AWS was still working (follow with watch)\n"
    "  4 AWS refused (credentials, permissions, quota, throttling)\n"
    "  5 another deployer holds the endpoint's lease (nothing written; retry when it is done)\n"
    "  130, 143 stopped by SIGINT (Ctrl-C) or SIGTERM: the interruption is recorded on the endpoint and the\n"
    "    lease released; an update SageMaker accepted carries on with its guardrails (see status)"
)

# Commands that write or wait: SIGINT/SIGTERM stop them cleanly (deployer.interrupt); status and history
# are short reads and keep Python's default handling.
INTERRUPTIBLE = frozenset({"external", "deploy", "rollback", "watch", "prune", "destroy"})


# `COMMAND --help` ends with an example (docs/operations.md has what each prints).
EXAMPLES = {
    "external": 'echo \'{"spec": "...", "rollout_id": "r1"}\' | sagemaker-rollout external',
    "deploy": "sagemaker-rollout deploy --spec whisper.json\n"
    "  sagemaker-rollout deploy whisper \\\n"
    "    --image 123456789012.dkr.ecr.eu-north-1.amazonaws.com/whisper@sha256:...",
    "status": "sagemaker-rollout status whisper --region eu-north-1",
    "history": "sagemaker-rollout history whisper --json",
    "rollback": "sagemaker-rollout rollback whisper\n"
    "  sagemaker-rollout rollback whisper --to whisper-3f2a0c1d9e8b",
    "watch": "sagemaker-rollout watch whisper",
    "prune": "sagemaker-rollout prune whisper --keep 2",
    "destroy": "sagemaker-rollout destroy whisper",
}


LOG_HINT = "log: SAGEMAKER_ROLLOUT_LOG_DIR=DIR keeps a log file per endpoint and command"


def _example(name: str) -> dict[str, Any]:
    return {
        "epilog": f"example:\n  {EXAMPLES[name]}\n\n{LOG_HINT}",
        "formatter_class": argparse.RawDescriptionHelpFormatter,
    }


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="sagemaker-rollout",
        description="Roll SageMaker endpoints forward and back as versioned releases.",
        epilog="example:\n  sagemaker-rollout status whisper\n\nCOMMAND --help shows an example of each.\n\n"
        + EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common = _Parser(add_help=False)
    common.add_argument("--region", help="AWS region (default: the spec's, else the standard chain's)")
    common.add_argument("--assume-role-arn", help="assume this IAM role (standard credential chain first)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser(
        "external", **_example("external"), help="the Terraform protocol: query on stdin, result on stdout"
    )

    deploy = sub.add_parser(
        "deploy", parents=[common], **_example("deploy"), help="roll out a spec, or hotfix an image"
    )
    deploy.add_argument("endpoint", nargs="?", help="endpoint to hotfix (with --image)")
    deploy.add_argument("--spec", help="spec document (JSON file, '-' for stdin)")
    deploy.add_argument("--image", help="hotfix: the new image URI")
    deploy.add_argument("--variant", help="hotfix: the variant (when there are several)")
    deploy.add_argument("--container", help="hotfix: the container hostname (when there are several)")

    for name, text in (
        ("status", "what is live, pending, capacity, drift"),
        ("history", "retained releases"),
    ):
        command = sub.add_parser(name, parents=[common], help=text, **_example(name))
        command.add_argument("endpoint")
        command.add_argument("--json", action="store_true", help="JSON on stdout")

    rollback = sub.add_parser(
        "rollback", parents=[common], **_example("rollback"), help="back to the previous (or a named) release"
    )
    rollback.add_argument("endpoint")
    rollback.add_argument("--to", metavar="CONFIG", help="a retained endpoint configuration name")

    watch = sub.add_parser(
        "watch", parents=[common], **_example("watch"), help="follow an in-progress rollout until it settles"
    )
    watch.add_argument("endpoint")

    prune = sub.add_parser(
        "prune", parents=[common], **_example("prune"), help="delete releases beyond retention"
    )
    prune.add_argument("endpoint")
    prune.add_argument("--keep", type=int, help="releases to keep (default: the endpoint's keep_releases)")

    destroy = sub.add_parser(
        "destroy",
        parents=[common],
        **_example("destroy"),
        help="delete the endpoint and its releases (exit 1 for one sagemaker-rollout does not manage)",
    )
    destroy.add_argument("endpoint")
    destroy.add_argument(
        "--force",
        action="store_true",
        help="also delete an endpoint without sagemaker-rollout's managed-by tag (says what it deletes)",
    )
    return parser


def main(
    argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except InvalidInput as error:
        err.write(f"{error}\n")
        return error.exit_code
    if args.command is None:
        parser.print_help(err)
        return 0
    if args.command in INTERRUPTIBLE:
        from deployer import interrupt

        with interrupt.handled():  # the caller's handlers come back when the command returns
            return _run(args, out, err)
    return _run(args, out, err)


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """The parsed command, with its errors reported as one line and their exit code."""
    if args.command == "external":
        from deployer import protocol

        return protocol.main(sys.stdin, out, err)
    try:
        return _dispatch(args, out, err)
    except DeployerError as error:
        err.write(f"{with_next_step(error, default_next_step(error, args))}\n")
        return error.exit_code
    except Exception as error:
        from deployer.aws import as_refusal

        refusal = as_refusal(error)
        if not isinstance(refusal, DeployerError):
            raise
        err.write(f"{with_next_step(refusal, default_next_step(refusal, args))}\n")
        return refusal.exit_code


def default_next_step(error: DeployerError, args: argparse.Namespace) -> str:
    """What to do next about an error whose raise site did not say (a spec field's, a rollout's)."""
    command = args.command
    name = getattr(args, "endpoint", None) or "ENDPOINT"
    if isinstance(error, InvalidInput):
        return f"`sagemaker-rollout {command} --help` shows the usage and an example"
    if isinstance(error, RolloutTimeout):
        return f"`sagemaker-rollout watch {name}` follows it until it settles (nothing was undone)"
    if isinstance(error, RolloutFailed):
        return (
            f"`sagemaker-rollout status {name}` shows what the endpoint serves, "
            f"`sagemaker-rollout history {name}` its releases; fix the release and run again"
        )
    if isinstance(error, LeaseHeld):
        return f"`sagemaker-rollout status {name}` shows the endpoint; retry when the other one has finished"
    if isinstance(error, AwsRefused):
        return "fix what AWS refused, then run the command again"
    return f"`sagemaker-rollout status {name}` shows the endpoint"


def _dispatch(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from deployer import operations

    if args.command == "deploy":
        if args.spec and (args.image or args.endpoint):
            raise InvalidInput(
                "deploy: either --spec FILE, or ENDPOINT --image URI (not both)",
                "`sagemaker-rollout deploy --help` has an example of each",
            )
        if args.spec:
            from deployer.spec import parse_spec

            text = sys.stdin.read() if args.spec == "-" else _read(args.spec)
            try:
                spec = parse_spec(text)
            except InvalidInput as error:
                source = "the spec on stdin" if args.spec == "-" else args.spec
                raise with_next_step(
                    error,
                    f"fix that field in {source}, "
                    f"then run `sagemaker-rollout deploy --spec {args.spec}` again",
                ) from None
            args.endpoint = spec.endpoint_name
            if args.region and args.region != spec.region:
                raise InvalidInput(
                    f"region: --region {args.region} differs from the spec's {spec.region}",
                    "drop --region (the spec's region is used) or change the spec's region",
                )
            rt = operations.make_runtime(spec.endpoint_name, spec.region, args.assume_role_arn, run="deploy")
            _print_result(operations.deploy(spec, rt), out)
            return 0
        if not (args.endpoint and args.image):
            raise InvalidInput(
                "deploy: needs --spec FILE, or ENDPOINT --image URI",
                "`sagemaker-rollout deploy --help` has an example of each",
            )
        rt = operations.make_runtime(args.endpoint, args.region, args.assume_role_arn, run=args.command)
        _print_result(operations.hotfix(args.endpoint, args.image, args.variant, args.container, rt), out)
        return 0
    rt = operations.make_runtime(args.endpoint, args.region, args.assume_role_arn, run=args.command)
    if args.command == "status":
        status = operations.status(args.endpoint, rt)
        out.write(json.dumps(status, indent=2, default=str) + "\n" if args.json else _status_text(status))
    elif args.command == "history":
        rows = operations.history(args.endpoint, rt)
        out.write(json.dumps(rows, indent=2) + "\n" if args.json else _history_text(rows))
    elif args.command == "rollback":
        result = operations.rollback(args.endpoint, args.to, rt)
        out.write(
            f"{result['endpoint_name']}: serves {result['endpoint_config_name']} ({result['action']})\n"
        )
    elif args.command == "watch":
        status = operations.watch(args.endpoint, rt)
        out.write(_status_text(status))
    elif args.command == "prune":
        deleted = operations.prune(args.endpoint, args.keep, rt)
        out.write("".join(f"deleted {name}\n" for name in deleted) or "nothing to prune\n")
    elif args.command == "destroy":
        gone = operations.destroy(args.endpoint, rt, force=args.force)
        out.write(
            f"{args.endpoint}: endpoint {'deleted' if gone['endpoint'] else 'absent'}, "
            f"{len(gone['configs'])} configurations and {len(gone['models'])} models deleted, "
            f"{len(gone['deregistered'])} scalable targets deregistered\n"
        )
    return 0


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError as error:
        raise InvalidInput(
            f"spec: cannot read {path}: {error.strerror}",
            "check the path (or pass --spec - to read the spec from stdin)",
        ) from None


def _aligned(pairs: Sequence[tuple[str, Any]]) -> str:
    """``key  value`` lines with the values in one column."""
    width = max(len(key) for key, _ in pairs)
    return "".join(f"{key.ljust(width)}  {value}\n" for key, value in pairs)


def _print_result(result: dict[str, str], out: TextIO) -> None:
    out.write(_aligned(list(result.items())))


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[str(c) for c in headers], *[[("" if c is None else str(c)) for c in r] for r in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    return "".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n" for row in cells
    )


def _status_text(status: dict[str, Any]) -> str:
    if not status.get("exists"):
        return f"{status['endpoint_name']}: does not exist\n"
    lines = [
        ("endpoint", status["endpoint_name"]),
        ("status", status["status"]),
        ("live", status["endpoint_config_name"]),
        ("pending", status["pending_endpoint_config_name"] or "-"),
        ("previous", status["previous_endpoint_config_name"] or "-"),
        ("drift", "yes" if status["drift"] else "no"),
        (
            "last rollout",
            status["last_rollout"]
            + (f" ({status['last_rollout_reason']})" * bool(status["last_rollout_reason"])),
        ),
    ]
    for key, label in (("creation_time", "created"), ("last_modified_time", "last modified")):
        if status.get(key):
            shown = _utc(status[key])
            lines.append((label, f"{shown} UTC" if shown != status[key] else shown))
    if status.get("hotfix_release"):
        lines.append(("hotfix", status["hotfix_release"]))
    if status.get("failure_reason"):
        lines.append(("failure reason", status["failure_reason"]))
    capture = status.get("data_capture")
    if capture:
        shown = f"{capture['status']}, {capture['sampling_percentage']}% to {capture['destination_s3_uri']}"
        lines.append(("data capture", shown))
    text = _aligned(lines)
    rows = [
        (
            v["name"],
            v["current_instance_count"],
            v["desired_instance_count"],
            v["current_weight"],
            " ".join(v["images"]),
            _network_text(v.get("network") or {}),
        )
        for v in status["variants"]
    ]
    return text + "\n" + _table(("variant", "current", "desired", "weight", "images", "network"), rows)


def _network_text(network: dict[str, Any]) -> str:
    """``vpc subnet-a,subnet-b sg-c`` and/or ``isolated``; ``-`` without either."""
    parts = []
    vpc = network.get("vpc_config")
    if vpc:
        parts.append(f"vpc {','.join(vpc['subnets'])} {','.join(vpc['security_group_ids'])}")
    if network.get("enable_network_isolation"):
        parts.append("isolated")
    return "; ".join(parts) or "-"


def _history_text(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "no releases\n"
    return _table(
        ("configuration", "release", "created (UTC)", "marks"),
        [(r["endpoint_config_name"], r["release"], _utc(r["created"]), ",".join(r["marks"])) for r in rows],
    )


def _utc(iso: str) -> str:
    """An ISO 8601 time as ``YYYY-MM-DD HH:MM:SS`` in UTC (second precision); as given when unparseable."""
    from datetime import datetime, timezone

    try:
        moment = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return iso
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
