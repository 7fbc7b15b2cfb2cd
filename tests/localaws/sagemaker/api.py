"""The SageMaker hosting operations localaws implements itself (all other SageMaker calls go to moto)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import endpoints, moto_bridge, resources
from .context import Context
from .store import Store, phase

scalable_target_registered = endpoints.scalable_target_registered

Handler = Callable[[Context, dict[str, Any]], dict[str, Any]]

OPERATIONS: dict[str, Handler] = {
    "CreateModel": resources.create_model,
    "DescribeModel": resources.describe_model,
    "DeleteModel": resources.delete_model,
    "ListModels": resources.list_models,
    "CreateEndpointConfig": resources.create_endpoint_config,
    "DescribeEndpointConfig": resources.describe_endpoint_config,
    "DeleteEndpointConfig": resources.delete_endpoint_config,
    "ListEndpointConfigs": resources.list_endpoint_configs,
    "CreateEndpoint": endpoints.create_endpoint,
    "DescribeEndpoint": endpoints.describe_endpoint,
    "UpdateEndpoint": endpoints.update_endpoint,
    "DeleteEndpoint": endpoints.delete_endpoint,
    "ListEndpoints": endpoints.list_endpoints,
    "UpdateEndpointWeightsAndCapacities": endpoints.update_endpoint_weights_and_capacities,
    "AddTags": resources.add_tags,
    "ListTags": resources.list_tags,
    "DeleteTags": resources.delete_tags,
}
TAG_OPERATIONS = ("AddTags", "ListTags", "DeleteTags")


def handles(operation: str, request: dict[str, Any]) -> bool:
    if operation in TAG_OPERATIONS:
        return resources.owns_arn(str(request.get("ResourceArn", "")))
    return operation in OPERATIONS


def call(store: Store, account: str, region: str, operation: str, request: dict[str, Any]) -> dict[str, Any]:
    with store.lock:
        ctx = Context(store, account, region)
        name = request.get("EndpointName") if "Endpoint" in operation else None
        before = phase(ctx.region.endpoints.get(name)) if isinstance(name, str) else None
        result = OPERATIONS[operation](ctx, request)
        if before is not None:
            store.observe(account, region, str(name), before, ctx.region.endpoints.get(str(name)))
        return result


def tick(store: Store) -> None:
    """Advance every running job once (called by the ticker thread)."""
    with store.lock:
        now = store.sim_time()
        for (account, region), state in store.regions():
            for endpoint in list(state.endpoints.values()):
                job = endpoint.job
                if job is None:
                    continue
                before = phase(endpoint)
                job.step(now, lambda names, a=account, r=region: moto_bridge.alarm_states(a, r, names))
                store.observe(account, region, endpoint.name, before, endpoint)
                if job.finished and endpoint.job is job:
                    endpoint.job = None
