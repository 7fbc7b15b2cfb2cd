"""The Terraform ``external`` protocol: a query object on stdin, one flat JSON map of strings on stdout.

Terraform's ``data "external"`` sends the query as a JSON object whose values are all strings, shows
stderr only when the program exits non-zero, and fails the read when stdout is not one JSON object of
strings (AWS-FACTS.md, terraform-provider-external v2.4.0). So: the query is checked before anything
else, the result is checked and converted before it is printed, stdout receives nothing but that one
object (anything the engine prints by mistake goes to stderr), and every error is one line on stderr
with the exit code of SPEC §6.

This module is on the plan-time path: it imports the standard library, ``deployer.spec``,
``deployer.errors`` and ``deployer.progress`` only; the engine (``deployer.operations``, and boto3
through it) is imported after the query and the spec are valid.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TextIO

from deployer.errors import NEXT, DeployerError, InvalidInput, with_next_step
from deployer.progress import Progress, log_file
from deployer.spec import Spec, json_kind, load_json, parse_spec

QUERY_KEYS = (
    "spec",
    "rollout_id",
    "assume_role_arn",
    "deployer_hash",
    "plan_assume_role_arn",
    "rollout_planned_at",
    "plan_time",
    "log_dir",
)
REQUIRED_KEYS = ("spec", "rollout_id")
# Keys that would carry credentials (compared after lower-casing and turning "-" into "_").
CREDENTIAL_KEYS = frozenset(
    {
        "aws_access_key_id",
        "aws_secret_access_key",
        "aws_session_token",
        "aws_security_token",
        "access_key",
        "access_key_id",
        "secret_key",
        "secret_access_key",
        "secret",
        "session_token",
        "security_token",
        "token",
        "password",
        "passwd",
        "credentials",
        "aws_profile",
        "profile",
    }
)
_CREDENTIAL_WORDS = ("secret", "password", "token", "access_key", "credential")
_ROLE_ARN = re.compile(r"arn:aws[a-z\-]*:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+")
# The rollout id becomes a tag value on the endpoint (SageMaker Tag: at most 256 characters of this set).
_ROLLOUT_ID = re.compile(r"[A-Za-z0-9_.:/=+@\-]{1,256}")
_MAX_DEPLOYER_HASH = 256
# Terraform's plantimestamp() (RFC 3339, UTC): when the rollout id was planned and when this read's plan was.
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)")
# A bug (an exception that is neither a DeployerError nor an AWS error): not "nothing written" (1),
# and the rollout may be in any state, so it is reported like a failed rollout.
INTERNAL_ERROR_EXIT = 2

# The next step of an error whose raise site did not say one (a spec field's, the query's), under Terraform.
NEXT_INVALID_INPUT = (
    "fix the module input named above (query.* keys are the module's own), then run terraform plan again"
)
NEXT_DEFAULT = "`sagemaker-rollout status ENDPOINT` shows the endpoint; then run terraform apply again"
NEXT_INTERNAL = "this is a deployer bug: please report it with this line and the log"

CREDENTIALS_REFUSED = (
    "credentials do not belong in the query: Terraform stores the query in its state and plan files"
)
CREDENTIALS_NEXT = (
    "give the deployer credentials through the standard AWS chain (environment variables, a profile, "
    "OIDC web identity, an instance or task role) or pass assume_role_arn"
)

Engine = Callable[..., Mapping[str, Any]]


@dataclass(frozen=True)
class Query:
    spec: Spec
    rollout_id: str
    assume_role_arn: str | None = None
    deployer_hash: str | None = None
    plan_assume_role_arn: str | None = None
    rollout_planned_at: str | None = None
    plan_time: str | None = None
    log_dir: str | None = None


def parse_query(text: str) -> Query:
    """Check the query (shape, keys, credentials, string values) and parse the spec it carries."""
    if not text.strip():
        raise InvalidInput("query: empty input; Terraform sends a JSON object on stdin")
    raw = load_json(text, "query")
    if not isinstance(raw, dict):
        raise InvalidInput(f"query: must be a JSON object (got {json_kind(raw)})")
    # Credentials first: that refusal explains itself better than "unknown key".
    for key in raw:
        if _is_credential_key(key):
            raise InvalidInput(f"query.{key}: {CREDENTIALS_REFUSED}", CREDENTIALS_NEXT)
    for key in raw:
        if key not in QUERY_KEYS:
            raise InvalidInput(f"query.{key}: unknown key (allowed: {', '.join(QUERY_KEYS)})")
    for key, value in raw.items():
        if not isinstance(value, str):
            raise InvalidInput(
                f"query.{key}: must be a string (got {json_kind(value)}); pass the spec with jsonencode()"
            )
    for key in REQUIRED_KEYS:
        if not raw.get(key):
            raise InvalidInput(f"query.{key}: required")

    rollout_id = raw["rollout_id"]
    if not _ROLLOUT_ID.fullmatch(rollout_id):
        raise InvalidInput(
            "query.rollout_id: 1 to 256 letters, digits or _.:/=+@- (it is recorded as a tag on the endpoint)"
        )
    assume_role_arn = _role_arn(raw, "assume_role_arn")
    plan_assume_role_arn = _role_arn(raw, "plan_assume_role_arn")
    deployer_hash = raw.get("deployer_hash") or None
    if deployer_hash is not None and len(deployer_hash) > _MAX_DEPLOYER_HASH:
        raise InvalidInput(f"query.deployer_hash: at most {_MAX_DEPLOYER_HASH} characters")
    rollout_planned_at = _timestamp(raw, "rollout_planned_at")
    plan_time = _timestamp(raw, "plan_time")

    return Query(
        spec=parse_spec(raw["spec"]),
        rollout_id=rollout_id,
        assume_role_arn=assume_role_arn,
        deployer_hash=deployer_hash,
        plan_assume_role_arn=plan_assume_role_arn,
        rollout_planned_at=rollout_planned_at,
        plan_time=plan_time,
        log_dir=_log_dir(raw),
    )


def _timestamp(raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key) or None
    if value is not None and not _TIMESTAMP.fullmatch(value):
        raise InvalidInput(f"query.{key}: must be an RFC 3339 timestamp like plantimestamp() gives")
    return value


def _log_dir(raw: Mapping[str, Any]) -> str | None:
    log_dir = raw.get("log_dir") or None
    if log_dir is not None and not os.path.isabs(log_dir):
        raise InvalidInput(
            f"query.log_dir: must be an absolute path (got {log_dir!r}); the program runs in the module's "
            "directory, so the module passes abspath()"
        )
    return log_dir


def _role_arn(raw: Mapping[str, Any], key: str) -> str | None:
    arn = raw.get(key) or None
    if arn is not None and not (20 <= len(arn) <= 2048 and _ROLE_ARN.fullmatch(arn)):
        raise InvalidInput(
            f"query.{key}: must be an IAM role ARN arn:aws:iam::<12-digit account>:role/<name>"
        )
    return arn


def render_result(result: Mapping[str, Any]) -> str:
    """One JSON object of strings: strings as they are, booleans as "true"/"false", numbers in decimal,
    null as "", arrays and objects as compact JSON text. Keys must be strings."""
    if not isinstance(result, Mapping):
        raise TypeError(f"the engine returned {type(result).__name__}, not a mapping")
    flat: dict[str, str] = {}
    for key, value in result.items():
        if not isinstance(key, str):
            raise TypeError(f"result key {key!r} is not a string")
        flat[key] = _as_string(key, value)
    return json.dumps(flat, sort_keys=True, ensure_ascii=False)


def run_external(
    stdin_text: str,
    stdout: TextIO,
    stderr: TextIO,
    engine: Engine | None = None,
) -> int:
    """Run one ``external`` read: returns the exit code; writes the result, or the error line first (the
    verdict, which Terraform shows as the first line of its error), then the rollout's timeline.

    Terraform shows the program's stderr only when it fails, and only once it has exited, so progress is
    kept (``Progress.timeline``) and written after the verdict rather than streamed before it; the log
    file under the query's ``log_dir`` is where a running rollout can be followed."""
    progress: Progress | None = None
    try:
        query = parse_query(stdin_text)
        progress = Progress(
            stream=io.StringIO(),
            log_path=log_file(query.log_dir, query.spec.endpoint_name, query.rollout_id)
            if query.log_dir
            else None,
            tty=False,
        )
        apply = engine if engine is not None else _default_engine()
        # Whatever the engine prints by mistake must not reach Terraform's stdout.
        with contextlib.redirect_stdout(stderr):
            # The read-only role only when given, so engines without the keyword keep working.
            read_role = (
                {"plan_assume_role_arn": query.plan_assume_role_arn} if query.plan_assume_role_arn else {}
            )
            # Plan or apply: only when both timestamps are given (older engines and callers keep working).
            timing = (
                {"rollout_planned_at": query.rollout_planned_at, "plan_time": query.plan_time}
                if query.rollout_planned_at and query.plan_time
                else {}
            )
            result = apply(
                query.spec,
                query.rollout_id,
                assume_role_arn=query.assume_role_arn,
                progress=progress,
                **read_role,
                **timing,
            )
        text = render_result(result)
    except DeployerError as error:
        error = with_next_step(error, NEXT_INVALID_INPUT if isinstance(error, InvalidInput) else NEXT_DEFAULT)
        _outcome(progress, str(error))
        _error_line(stderr, str(error))
        _timeline(stderr, progress)
        return error.exit_code
    except Exception as error:  # an AWS error the engine did not map, or a bug: one line, never a traceback
        refusal = _as_refusal(error)
        if refusal is not None:
            _error_line(stderr, str(refusal))
            _timeline(stderr, progress)
            return refusal.exit_code
        _error_line(stderr, f"deployer internal error: {type(error).__name__}: {error}{NEXT}{NEXT_INTERNAL}")
        _timeline(stderr, progress)
        return INTERNAL_ERROR_EXIT
    _outcome(progress, _success_line(result))
    _timeline(stderr, progress)
    stdout.write(text + "\n")
    stdout.flush()
    return 0


def _success_line(result: Mapping[str, Any]) -> str:
    outcome = str(result.get("last_rollout") or "succeeded").replace("_", " ")
    return (
        f"{outcome}: {result.get('endpoint_name', '')}: serves {result.get('endpoint_config_name', '')} "
        f"(release {result.get('release', '')}, {result.get('action', 'read')})"
    )


def _outcome(progress: Progress | None, verdict: str) -> None:
    """The run's last log line, ``outcome: <verdict>``, when it did something (a plan-time read that had
    nothing to say still writes no file); CI summaries read it (examples/github-actions)."""
    if progress is not None and progress.timeline:
        progress.info(f"outcome: {' '.join(verdict.split())}")


# The timeline after a verdict is capped: a two-hour rollout polls many times; the log file has it all.
TIMELINE_LINES = 200


def _timeline(stderr: TextIO, progress: Progress | None) -> None:
    if progress is None or not progress.timeline:
        return
    lines = progress.timeline
    if progress.log_path is not None:
        stderr.write(f"log: {progress.log_path}\n")
    stderr.write("timeline (UTC):\n")
    if len(lines) > TIMELINE_LINES:
        stderr.write(f"  ... {len(lines) - TIMELINE_LINES} earlier lines (see the log)\n")
    stderr.write("".join(f"  {line}\n" for line in lines[-TIMELINE_LINES:]))
    stderr.flush()


def main(stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    """``python -m deployer external``: the CLI hands its standard streams here."""
    return run_external(stdin.read(), stdout, stderr)


def _default_engine() -> Engine:
    from deployer.operations import terraform_apply  # the engine (and boto3) only once the input is valid

    return terraform_apply


def _as_refusal(error: Exception) -> DeployerError | None:
    """A botocore/boto3 error as ``AwsRefused`` (exit 4), through the engine's own mapping."""
    if type(error).__module__.split(".")[0] not in {"botocore", "boto3"}:
        return None
    from deployer.aws import as_refusal

    refusal = as_refusal(error)
    return refusal if isinstance(refusal, DeployerError) else None


def _is_credential_key(key: str) -> bool:
    normalized = key.strip().lower().replace("-", "_")
    if normalized in QUERY_KEYS:
        return False
    return normalized in CREDENTIAL_KEYS or any(word in normalized for word in _CREDENTIAL_WORDS)


def _as_string(key: str, value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (list, tuple, Mapping)):
        return json.dumps(value, sort_keys=True, separators=(",", ":"), default=_refuse)
    raise TypeError(f"result value of {key!r} is a {type(value).__name__}, not JSON")


def _refuse(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not JSON")


def _error_line(stderr: TextIO, message: str) -> None:
    stderr.write(" ".join(message.split()) + "\n")
    stderr.flush()
