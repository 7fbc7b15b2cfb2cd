#!/usr/bin/env python3
"""Container entry point: read secrets from Secrets Manager at start, then run the model server.

SageMaker returns a model's container environment in DescribeModel, and Terraform keeps it in state, so the
environment carries only where a secret is: `<NAME>_SECRET_ARN=<secret ARN>`. This script reads each such
secret with the execution role's credentials (secretsmanager:GetSecretValue on that secret, see ../main.tf)
and starts the server with `<NAME>=<value>` in its process environment, which never leaves the container:

    ENTRYPOINT ["python3", "/opt/program/read_secrets.py"]   # then SageMaker's `docker run <image> serve`
    CMD ["serve"]                                            # becomes: read_secrets.py serve

e.g. SENTRY_DSN_SECRET_ARN -> SENTRY_DSN, which sentry_sdk.init() reads. The secret's value is a plain
string (SecretString). IAM changes take a few seconds to apply everywhere (IAM user guide, "Changes that I
make are not always immediately visible"), so AccessDenied is retried for SECRETS_WAIT_SECONDS (60).
Requires boto3 in the image (the SageMaker framework images have it).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from typing import Any

SUFFIX = "_SECRET_ARN"
RETRIED = ("AccessDeniedException", "ThrottlingException", "InternalServiceError")


class SecretError(Exception):
    """A secret could not be read; the container must not start without it."""


def secret_names(environ: Mapping[str, str]) -> dict[str, str]:
    """`<NAME>_SECRET_ARN` -> `<NAME>`: the variables to set, with the secret each comes from."""
    return {name.removesuffix(SUFFIX): arn for name, arn in environ.items() if name.endswith(SUFFIX) and arn}


def read_secret(
    client: Any, secret_id: str, wait_seconds: float, sleep: Callable[[float], None] = time.sleep
) -> str:
    deadline = time.monotonic() + wait_seconds
    delay = 1.0
    while True:
        try:
            value = client.get_secret_value(SecretId=secret_id)
        except client.exceptions.ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in RETRIED and time.monotonic() + delay < deadline:
                sleep(delay)
                delay = min(delay * 2, 10.0)
                continue
            raise SecretError(f"cannot read secret {secret_id}: {code}: {exc}") from None
        if "SecretString" not in value:
            raise SecretError(f"secret {secret_id} has no SecretString (a binary secret)")
        return str(value["SecretString"])


def load_secrets(environ: MutableMapping[str, str], client: Any | None = None) -> list[str]:
    """Put every `<NAME>_SECRET_ARN`'s value into `environ[<NAME>]`; returns the names set."""
    wanted = secret_names(environ)
    if not wanted:
        return []
    if client is None:
        import boto3

        client = boto3.client("secretsmanager")
    wait = float(environ.get("SECRETS_WAIT_SECONDS", "60"))
    for name, secret_id in wanted.items():
        environ[name] = read_secret(client, secret_id, wait)
    return sorted(wanted)


def main(argv: Sequence[str]) -> int:
    command = list(argv) or ["serve"]
    try:
        names = load_secrets(os.environ)
    except SecretError as exc:
        print(f"read_secrets: {exc}", file=sys.stderr, flush=True)
        return 1
    # The names only, never the values: the container's output goes to CloudWatch Logs.
    print(
        f"read_secrets: set {', '.join(names) or 'nothing'}; starting {command[0]}",
        file=sys.stderr,
        flush=True,
    )
    os.execvp(command[0], command)  # replaces this process: the server gets SIGTERM from SageMaker directly


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
