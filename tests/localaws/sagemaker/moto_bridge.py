"""Read moto's in-process state that the SageMaker simulation depends on (alarms, scalable targets)."""

from __future__ import annotations

SAGEMAKER_NAMESPACE = "sagemaker"


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
