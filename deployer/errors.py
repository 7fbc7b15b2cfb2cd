"""Exception types of the deployer, each mapped to the exit code of SPEC §6.

Every message is one line: the CLI and the Terraform adapter print ``str(error)`` to stderr as is, and
Terraform shows that line to the user. Newlines in a message are folded into spaces here, once, so that
no caller has to remember it.

Every message names the field or the cause first and ends with what to do next, in one convention:
``<field or endpoint>: <what is wrong>; next: <a command or a fix>`` (the same ``; next:`` that
``operations.verdict_message`` ends a rollout's verdict with). A raise site that knows the next step passes
it as ``next_step``; the CLI and the Terraform adapter add a default one (``with_next_step``) to an error
that has none, such as a spec field's.
"""

from __future__ import annotations

import copy

NEXT = "; next: "


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class DeployerError(Exception):
    """Base of every error the deployer reports to its caller; ``exit_code`` is the process exit code."""

    exit_code: int = 1

    def __init__(self, message: str, next_step: str = "") -> None:
        text = _one_line(message)
        step = _one_line(next_step)
        if step and NEXT not in text:
            text = f"{text}{NEXT}{step}"
        super().__init__(text)

    @property
    def message(self) -> str:
        return str(self)

    @property
    def next_step(self) -> str:
        """What the message says to do next ("" when it does not say)."""
        return str(self).partition(NEXT)[2]

    @property
    def cause(self) -> str:
        """The message without its next step."""
        return str(self).partition(NEXT)[0]


def with_next_step(error: DeployerError, step: str) -> DeployerError:
    """``error`` when it says what to do next, else the same error (type, exit code and the rest of its
    state) with ``step`` as its next step."""
    if error.next_step or not step:
        return error
    stepped = copy.copy(error)
    Exception.__init__(stepped, f"{error}{NEXT}{_one_line(step)}")
    return stepped


def without_next_step(text: str) -> str:
    """A message (or a recorded reason) without its ``; next: ...`` part."""
    return str(text).partition(NEXT)[0]


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

    def __init__(self, message: str, signum: int = 2, next_step: str = "") -> None:
        super().__init__(message, next_step)
        self.signum = signum
        self.exit_code = 128 + signum
