"""SageMaker API errors as the service returns them (JSON 1.1 ``__type`` + ``message``)."""

from __future__ import annotations


class SageMakerError(Exception):
    """An error answered to the caller; ``code`` is the ``__type`` botocore reads."""

    def __init__(self, message: str, code: str = "ValidationException", status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


def validation(message: str) -> SageMakerError:
    return SageMakerError(message)


def not_found(kind: str, arn: str) -> SageMakerError:
    """``Could not find endpoint "arn:..."`` (kind: model, endpoint configuration, endpoint)."""
    return SageMakerError(f'Could not find {kind} "{arn}".')


def already_exists(kind: str, arn: str) -> SageMakerError:
    return SageMakerError(f'Cannot create already existing {kind} "{arn}".')


def in_progress(arn: str) -> SageMakerError:
    return SageMakerError(f'Cannot update in-progress endpoint "{arn}".')


def constraint(value: object, path: str, rule: str) -> SageMakerError:
    """The service-side constraint message style: ``1 validation error detected: Value ...``."""
    return SageMakerError(
        f"1 validation error detected: Value '{value}' at '{path}' failed to satisfy constraint: {rule}"
    )
