"""Read moto's in-process state that the SageMaker simulation depends on (alarms, scalable targets)."""

from __future__ import annotations

import re

SAGEMAKER_NAMESPACE = "sagemaker"
ECR_IMAGE = re.compile(r"^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com/([^:@]+):([^:@/]+)$")


def ecr_digest(image: str) -> str | None:
    """The digest of ``<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>`` in moto's ECR, if pushed."""
    match = ECR_IMAGE.match(image)
    if not match:
        return None
    from moto.ecr.models import ecr_backends

    account, region, name, tag = match.groups()
    try:
        repository = ecr_backends[account][region].repositories.get(name)
    except (KeyError, ValueError):
        return None
    for pushed in list(repository.images) if repository else []:
        if tag in pushed.image_tags:
            return str(pushed.image_digest)
    return None


def alarm_states(account: str, region: str, names: list[str]) -> dict[str, str]:
    """State (OK / ALARM / INSUFFICIENT_DATA) of each named CloudWatch alarm; missing alarms are left out."""
    from moto.cloudwatch.models import cloudwatch_backends

    alarms = cloudwatch_backends[account][region].alarms
    return {name: alarms[name].state_value for name in names if name in alarms}


def scalable_variants(account: str, region: str, endpoint_name: str) -> set[str]:
    """Variant names of ``endpoint_name`` registered as scalable targets in Application Auto Scaling."""
    from moto.applicationautoscaling.models import applicationautoscaling_backends

    backend = applicationautoscaling_backends[account][region]
    prefix = f"endpoint/{endpoint_name}/variant/"
    variants = set()
    for targets in list(backend.targets.values()):
        for resource_id, target in list(targets.items()):
            if target.service_namespace == SAGEMAKER_NAMESPACE and resource_id.startswith(prefix):
                variants.add(resource_id[len(prefix) :])
    return variants


def deregister_endpoint_targets(account: str, region: str, endpoint_name: str) -> None:
    """What Application Auto Scaling does when an endpoint is deleted: drop its targets and policies."""
    from moto.applicationautoscaling.models import applicationautoscaling_backends

    backend = applicationautoscaling_backends[account][region]
    prefix = f"endpoint/{endpoint_name}/variant/"
    for targets in list(backend.targets.values()):
        for resource_id in [r for r, t in targets.items() if t.service_namespace == SAGEMAKER_NAMESPACE]:
            if resource_id.startswith(prefix):
                del targets[resource_id]
    for key in [k for k, p in backend.policies.items() if p.resource_id.startswith(prefix)]:
        del backend.policies[key]


def role_in_iam(role_arn: str) -> tuple[float, bool] | None:
    """``(created, trusts_sagemaker)`` of the IAM role ``role_arn`` in moto's IAM (``created`` as a Unix time;
    ``trusts_sagemaker``: an Allow statement lets the service principal ``sagemaker.amazonaws.com`` call
    ``sts:AssumeRole``, conditions not evaluated), or None when moto holds no such role (tests that name
    roles they never create keep working)."""
    import datetime
    import json

    from moto.iam.exceptions import NotFoundException
    from moto.iam.models import iam_backends

    match = re.match(r"^arn:aws[a-z-]*:iam::(\d{12}):role/", role_arn)
    if not match:
        return None
    try:
        role = iam_backends[match.group(1)]["global"].get_role_by_arn(role_arn)
    except (KeyError, ValueError, NotFoundException):
        return None
    try:
        document = json.loads(role.assume_role_policy_document or "{}")
    except ValueError:
        document = {}
    statements = document.get("Statement", [])
    statements = statements if isinstance(statements, list) else [statements]

    def as_list(value: object) -> list[object]:
        return value if isinstance(value, list) else [value]

    trusted = any(
        s.get("Effect") == "Allow"
        and any(a in ("sts:AssumeRole", "sts:*", "*") for a in as_list(s.get("Action", [])))
        and "sagemaker.amazonaws.com" in as_list((s.get("Principal") or {}).get("Service", []))
        for s in statements
        if isinstance(s, dict) and isinstance(s.get("Principal"), dict)
    )
    created = role.create_date  # moto keeps a naive UTC datetime
    if created.tzinfo is None:
        created = created.replace(tzinfo=datetime.timezone.utc)
    return created.timestamp(), trusted
