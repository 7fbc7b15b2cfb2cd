"""The SageMaker hosting resources localaws keeps (mutable entities, changed under the store lock)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .jobs import Job

IN_PROGRESS = ("Creating", "Updating", "SystemUpdating", "RollingBack", "Deleting")


@dataclass
class Model:
    name: str
    arn: str
    created: float
    document: dict[str, Any]  # the CreateModel request minus Tags


@dataclass
class EndpointConfig:
    name: str
    arn: str
    created: float
    document: dict[str, Any]  # the CreateEndpointConfig request minus Tags

    def variant(self, name: str) -> dict[str, Any] | None:
        return next((v for v in self.document["ProductionVariants"] if v["VariantName"] == name), None)


@dataclass
class Fleet:
    """One production variant as it runs (blue) or is being deployed (green)."""

    name: str
    instance_type: str | None
    serverless: dict[str, Any] | None
    images: list[dict[str, Any]]  # DeployedImages
    desired_count: int
    current_count: int
    desired_weight: float
    current_weight: float
    desired_serverless: dict[str, Any] | None = None
    status: list[dict[str, Any]] = field(default_factory=list)  # VariantStatus entries
    failing: bool = False


@dataclass
class Pending:
    """PendingDeploymentSummary: the configuration being rolled out and its fleets."""

    config_name: str
    fleets: list[Fleet]
    started: float
    async_config: dict[str, Any] | None = None
    data_capture: dict[str, Any] | None = None  # DataCaptureConfigSummary the endpoint will have
    shadow_fleets: list[Fleet] = field(default_factory=list)  # ShadowProductionVariants


@dataclass
class Endpoint:
    name: str
    arn: str
    account: str
    region: str
    created: float
    modified: float
    status: str
    config_name: str
    fleets: list[Fleet]
    async_config: dict[str, Any] | None
    failure_reason: str = ""
    last_deployment_config: dict[str, Any] | None = None
    retained_deployment_config: dict[str, Any] | None = None
    pending: Pending | None = None
    job: Job | None = None
    data_capture: dict[str, Any] | None = None  # DataCaptureConfigSummary
    shadow_fleets: list[Fleet] = field(default_factory=list)  # ShadowProductionVariants
    deleted: bool = False

    @property
    def in_progress(self) -> bool:
        return self.status in IN_PROGRESS
