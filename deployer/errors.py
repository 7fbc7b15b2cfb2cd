"""Exception types of the deployer, each mapped to the exit code of SPEC §6.

Every message is one line: the CLI and the Terraform adapter print ``str(error)`` to stderr as is, and
Terraform shows that line to the user. Newlines in a message are folded into spaces here, once, so that
no caller has to remember it.
"""

from __future__ import annotations


class DeployerError(Exception):
    """Base of every error the deployer reports to its caller; ``exit_code`` is the process exit code."""

    exit_code: int = 1

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))

    @property
    def message(self) -> str:
        return str(self)


class InvalidInput(DeployerError):
    """The document, query or command line is invalid; nothing was written to AWS."""

    exit_code = 1


class RolloutFailed(DeployerError):
    """The rollout failed or was rolled back (by SageMaker or by the deployer's own bake watch)."""

    exit_code = 2


class RolloutTimeout(DeployerError):
    """The deadline passed while AWS was still working; nothing was undone."""

    exit_code = 3


class AwsRefused(DeployerError):
    """AWS refused: credentials, permissions, quota, or throttling beyond retries."""

    exit_code = 4


class NotManaged(InvalidInput):
    """``destroy`` of an endpoint the deployer does not manage (no ``managed-by`` tag of ours), without
    ``--force``: refused before any write."""

    exit_code = 1


class LeaseHeld(DeployerError):
    """Another deployer holds the endpoint's lease (owner and expiry in its tags); nothing was written."""

    exit_code = 5


class Interrupted(DeployerError):
    """SIGINT or SIGTERM stopped the run (``deployer.interrupt``): exit 128 + the signal's number (130 for
    SIGINT, 143 for SIGTERM). What was interrupted is recorded on the endpoint; nothing AWS accepted is
    cancelled."""

    exit_code = 130

    def __init__(self, message: str, signum: int = 2) -> None:
        super().__init__(message)
        self.signum = signum
        self.exit_code = 128 + signum
