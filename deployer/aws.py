"""boto3 session and clients: the standard credential chain, optional assume role, standard retries.

boto3 is imported lazily (the Terraform adapter must not pay for it before the spec is valid), and
clients are created on first use, so a plan-time read builds only the SageMaker client.
Credentials never come from the Terraform query: the standard chain (environment, profile, OIDC web
identity, instance role) or an ``assume_role_arn`` assumed through STS.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

MAX_ATTEMPTS = 10
SESSION_NAME = "sagemaker-rollout"


def max_attempts(environ: Mapping[str, str] | None = None) -> int:
    """``AWS_MAX_ATTEMPTS`` when the user set it (the standard variable), else ``MAX_ATTEMPTS``."""
    env = os.environ if environ is None else environ
    value = env.get("AWS_MAX_ATTEMPTS", "")
    return int(value) if value.isdigit() and int(value) > 0 else MAX_ATTEMPTS


def client_config() -> Any:
    """botocore ``standard`` retry mode (retries throttling and 5xx with backoff), ~10 attempts."""
    from botocore.config import Config

    retries = {"mode": "standard", "max_attempts": max_attempts()}
    return Config(retries=retries, user_agent_extra=SESSION_NAME)


def make_session(region: str, assume_role_arn: str | None = None) -> Any:
    """A boto3 session for ``region`` from the standard chain, or from an assumed role when given (its
    credentials refresh themselves through STS: a rollout may outlast one role session)."""
    import boto3

    session = boto3.Session(region_name=region)
    if not assume_role_arn:
        return session
    credentials = assumed_role_credentials(session.client("sts", config=client_config()), assume_role_arn)
    core = session._session  # botocore has no public setter for a session's credentials
    core._credentials = credentials
    return boto3.Session(botocore_session=core, region_name=region)


def assumed_role_credentials(sts: Any, role_arn: str) -> Any:
    """botocore ``RefreshableCredentials`` of ``role_arn``: AssumeRole now, and again whenever botocore
    finds them near their expiry (15 minutes before, blocking at 10; the role session lasts the role's
    default duration, one hour unless configured)."""
    from botocore.credentials import RefreshableCredentials

    def refresh() -> dict[str, str]:
        creds = sts.assume_role(RoleArn=role_arn, RoleSessionName=SESSION_NAME)["Credentials"]
        return {
            "access_key": creds["AccessKeyId"],
            "secret_key": creds["SecretAccessKey"],
            "token": creds["SessionToken"],
            "expiry_time": creds["Expiration"].isoformat(),
        }

    return RefreshableCredentials.create_from_metadata(
        metadata=refresh(), refresh_using=refresh, method="assume-role"
    )


class Clients:
    """The AWS clients the deployer uses, created on first use by ``factory(service_name)``."""

    SERVICES = ("sagemaker", "application-autoscaling", "cloudwatch")

    def __init__(self, factory: Callable[[str], Any], region: str) -> None:
        self._factory = factory
        self._cache: dict[str, Any] = {}
        self.region = region

    @classmethod
    def from_session(cls, session: Any) -> Clients:
        config = client_config()
        return cls(lambda name: session.client(name, config=config), session.region_name)

    @classmethod
    def for_region(cls, region: str, assume_role_arn: str | None = None) -> Clients:
        """Clients whose session (and role assumption) is made only when the first client is needed."""
        holder: dict[str, Any] = {}

        def factory(name: str) -> Any:
            if "session" not in holder:
                holder["session"] = make_session(region, assume_role_arn)
            return holder["session"].client(name, config=client_config())

        return cls(factory, region)

    @classmethod
    def from_mapping(cls, clients: Mapping[str, Any], region: str = "us-east-1") -> Clients:
        """Ready-made clients (tests with botocore Stubber)."""
        return cls(lambda name: clients[name], region)

    def get(self, name: str) -> Any:
        if name not in self._cache:
            self._cache[name] = self._factory(name)
        return self._cache[name]

    @property
    def sagemaker(self) -> Any:
        return self.get("sagemaker")

    @property
    def autoscaling(self) -> Any:
        return self.get("application-autoscaling")

    @property
    def cloudwatch(self) -> Any:
        return self.get("cloudwatch")


def error_code(error: BaseException) -> str:
    """The AWS error code of a botocore ClientError, else ""."""
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


def error_message(error: BaseException) -> str:
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Message", ""))
    return str(error)


def is_not_found(error: BaseException) -> bool:
    """SageMaker answers a missing endpoint/config/model with ValidationException "Could not find ..."."""
    code = error_code(error)
    if code in {"ResourceNotFound", "ResourceNotFoundException", "NotFoundException"}:
        return True
    validation = code in {"ValidationException", "ValidationError"}
    return validation and "could not find" in error_message(error).lower()


def is_already_exists(error: BaseException) -> bool:
    """SageMaker answers a duplicate name with ValidationException "Cannot create already existing ..."."""
    message = error_message(error).lower()
    return error_code(error) in {"ValidationException", "ValidationError", "ResourceInUse"} and (
        "already exist" in message or error_code(error) == "ResourceInUse"
    )


def is_role_not_assumable(error: BaseException) -> bool:
    """SageMaker could not assume the execution role (ValidationException "Could not assume role ..."): the
    role does not trust ``sagemaker.amazonaws.com``, does not exist, or is too new for IAM, which is
    eventually consistent (a role Terraform created a moment ago)."""
    message = error_message(error).lower()
    return error_code(error) == "ValidationException" and "could not assume role" in message


REFUSED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "ExpiredToken",
        "ExpiredTokenException",
        "SignatureDoesNotMatch",
        "ResourceLimitExceeded",
        "LimitExceededException",
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "ServiceUnavailable",
        "InternalFailure",
        "InternalServerError",
    }
)


_THROTTLING_CODES = frozenset(
    {"ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded"}
)


def is_throttling(error: BaseException) -> bool:
    return error_code(error) in _THROTTLING_CODES


def is_retryable(error: BaseException) -> bool:
    """Throttling or a server-side error (after botocore's own retries gave up)."""
    if is_throttling(error):
        return True
    status = getattr(error, "response", {}).get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return isinstance(status, int) and status >= 500


_CREDENTIAL_CODES = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "ExpiredToken",
        "ExpiredTokenException",
        "SignatureDoesNotMatch",
    }
)
_PERMISSION_CODES = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})
_QUOTA_CODES = frozenset({"ResourceLimitExceeded", "LimitExceededException"})


def refusal_next_step(code: str, operation: str = "") -> str:
    """What to do about an AWS error code (the ``next:`` of ``as_refusal``)."""
    if code in _CREDENTIAL_CODES:
        return "refresh the credentials (`aws sts get-caller-identity` shows whose they are), then run again"
    if code in _PERMISSION_CODES:
        return (
            f"grant the deployer's role the permission for {operation or 'the call'} that AWS names above "
            "(docs/security.md lists what the deployer needs), then run again"
        )
    if code in _QUOTA_CODES:
        return (
            "ask for a higher quota (Service Quotas, Amazon SageMaker) or use fewer or smaller instances, "
            "then run again"
        )
    if code in _THROTTLING_CODES or code in {"ServiceUnavailable", "InternalFailure", "InternalServerError"}:
        return "run again in a few minutes (AWS is throttling or unavailable; nothing was undone)"
    return "fix what AWS names above (the spec, or the account's resources), then run again"


def as_refusal(error: BaseException) -> Exception | None:
    """A botocore error as ``AwsRefused`` (exit 4) with one line that says who refused (AWS, or botocore's
    parameter validation: a deployer bug), else None (not an AWS error)."""
    from deployer.errors import AwsRefused

    module = type(error).__module__.split(".")[0]
    if module not in {"botocore", "boto3"}:
        return None
    code = error_code(error)
    operation = getattr(error, "operation_name", "")
    if code:
        where = f" {operation}" if operation else ""
        return AwsRefused(
            f"AWS refused{where}: {code}: {error_message(error)}", refusal_next_step(code, operation)
        )
    if type(error).__name__ == "ParamValidationError":
        # botocore checked the request against the API model and never sent it: the deployer built it.
        return AwsRefused(
            f"deployer bug: botocore refused a request the deployer built, before sending it to AWS "
            f"({error}); nothing was sent",
            "please report it, with this line and the log",
        )
    return AwsRefused(
        f"AWS unreachable or no credentials: {type(error).__name__}: {error}",
        "configure credentials (AWS_PROFILE, `aws configure`, or the CI's OIDC role) and check the network "
        "and region, then run again",
    )
