"""``python -m deployer``: the same behaviour as the ``sagemaker-rollout`` console script."""

from __future__ import annotations

import sys

# The one run-time dependency, checked before anything imports it: a Terraform user whose
# `python_executable` lacks it sees this line (the external program's stderr), not a traceback.
MINIMUM_BOTO3 = (1, 28)


def _boto3_problem() -> str | None:
    from importlib import metadata, util

    wanted = ".".join(map(str, MINIMUM_BOTO3))
    install = f"install it with `{sys.executable} -m pip install 'boto3>={wanted}'`"
    if util.find_spec("boto3") is None:
        return f"error: boto3 is not installed for {sys.executable}; {install}"
    try:
        version = metadata.version("boto3")
    except metadata.PackageNotFoundError:
        return None  # importable but unpackaged (vendored): trust it
    parts = tuple(int(p) for p in version.split(".")[:2] if p.isdigit())
    if parts < MINIMUM_BOTO3:
        return f"error: boto3 {version} is too old for {sys.executable} (need >= {wanted}); {install}"
    return None


if sys.version_info < (3, 10):  # noqa: UP036 (a user's python_executable, not ours)
    print(
        f"error: the deployer needs Python >= 3.10; {sys.executable} is {sys.version.split()[0]}",
        file=sys.stderr,
    )
    sys.exit(1)
_problem = _boto3_problem()
if _problem is not None:
    print(_problem, file=sys.stderr)
    sys.exit(1)

if sys.argv[1:] == ["prerequisites"]:
    # data "external" "prerequisites" (rollout.tf): read on every plan, the first one included, so a runner
    # without boto3 fails the first plan with the line above. Protocol: a JSON query on stdin (read, unused),
    # a JSON object of strings on stdout. No interpreter path: the result is kept in the state, which must
    # not hold a path of one runner (another runner plans the next change).
    import json
    from importlib import metadata

    sys.stdin.read()
    try:
        boto3_version = metadata.version("boto3")
    except metadata.PackageNotFoundError:
        boto3_version = ""
    print(json.dumps({"boto3": boto3_version}))
    sys.exit(0)

from deployer.cli import main  # noqa: E402

sys.exit(main())
