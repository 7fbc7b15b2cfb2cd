"""One SageMaker call's view of the store: account, region, ARNs and lookups that raise AWS's errors."""

from __future__ import annotations

from typing import Any

from .errors import not_found
from .jobs import Job
from .records import Endpoint, EndpointConfig, Model
from .store import Region, Store

RESOURCE_KINDS = {"model": "model", "endpoint-config": "endpoint configuration", "endpoint": "endpoint"}


class Context:
    """One call: the store, and the account and region it is for."""

    def __init__(self, store: Store, account: str, region: str) -> None:
        self.store = store
        self.account = account
        self.region_name = region
        self.region: Region = store.region(account, region)

    def arn(self, kind: str, name: str) -> str:
        # SageMaker ARNs carry the resource name in lower case.
        return f"arn:aws:sagemaker:{self.region_name}:{self.account}:{kind}/{name.lower()}"

    def model(self, name: str) -> Model:
        model = self.region.models.get(name)
        if model is None:
            raise not_found("model", self.arn("model", name))
        return model

    def endpoint_config(self, name: str) -> EndpointConfig:
        config = self.region.configs.get(name)
        if config is None:
            raise not_found("endpoint configuration", self.arn("endpoint-config", name))
        return config

    def endpoint(self, name: str) -> Endpoint:
        endpoint = self.region.endpoints.get(name)
        if endpoint is None:
            raise not_found("endpoint", self.arn("endpoint", name))
        return endpoint

    def start_job(
        self,
        endpoint: Endpoint,
        body: Any,
        alarms: list[str] | None = None,
        timeout_seconds: float | None = None,
    ) -> None:
        endpoint.job = Job(body, self.store.sim_time(), alarms, timeout_seconds)


def with_token(out: dict[str, Any], token: str | None) -> dict[str, Any]:
    if token:
        out["NextToken"] = token
    return out
