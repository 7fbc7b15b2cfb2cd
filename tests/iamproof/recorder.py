"""Record which localaws calls each Terraform command made, and the module's CI policies from the state.

A ``Recorder`` wraps a ``TerraformRunner``: ``plan`` windows are checked against the plan policy,
``apply`` and ``destroy`` windows against the apply policy (the deployer runs inside them, as
``data "external"`` and the destroy provisioner, with the job's credentials). Before a destroy it reads
the CI documents of every ``modules/iam`` instance from ``terraform show -json`` (a stack's CI role holds
all of them), and the stack's own root-level ``ci_plan``/``ci_apply`` documents when it has them (an example
whose Terraform reads more than the module does, e.g. async-whisper's SSM parameter, extends the module's
policies there and outputs the result for its CI roles).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

PLAN, APPLY = "plan", "apply"
POLICY_OUTPUTS = {PLAN: "ci_plan", APPLY: "ci_apply"}  # data.aws_iam_policy_document.<name> in modules/iam


class CallSource(Protocol):
    def calls(self) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class Window:
    """The calls one Terraform command made, and which CI policy they run under."""

    command: str  # plan | apply | destroy
    policy: str  # PLAN | APPLY
    calls: tuple[dict[str, Any], ...]


@dataclass
class Recorder:
    """Forwards to the wrapped runner; records each plan/apply/destroy's window of the call log."""

    runner: Any
    localaws: CallSource
    windows: list[Window] = field(default_factory=list)
    policies: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # PLAN/APPLY -> documents

    def __getattr__(self, name: str) -> Any:
        return getattr(self.runner, name)

    def _recorded(self, command: str, policy: str, *args: Any, **kwargs: Any) -> Any:
        start = len(self.localaws.calls())
        try:
            return getattr(self.runner, command)(*args, **kwargs)
        finally:
            self.windows.append(Window(command, policy, tuple(self.localaws.calls()[start:])))

    def plan(self, *args: Any, **kwargs: Any) -> Any:
        return self._recorded("plan", PLAN, *args, **kwargs)

    def apply(self, *args: Any, **kwargs: Any) -> Any:
        result = self._recorded("apply", APPLY, *args, **kwargs)
        self.capture_policies()
        return result

    def destroy(self, *args: Any, **kwargs: Any) -> Any:
        self.capture_policies()
        return self._recorded("destroy", APPLY, *args, **kwargs)

    def capture_policies(self) -> None:
        """The CI documents of every modules/iam instance in the state (the last state that has them)."""
        found = ci_policies(self.runner.show_json())
        if found[PLAN] and found[APPLY]:
            self.policies = found


def _modules(module: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield module
    for child in module.get("child_modules", []):
        yield from _modules(child)


def ci_policies(state: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """PLAN/APPLY -> the ``ci_plan``/``ci_apply`` documents of each ``module.iam`` and of the root module."""
    import json

    found: dict[str, list[dict[str, Any]]] = {PLAN: [], APPLY: []}
    root = state.get("values", {}).get("root_module", {})
    for module in _modules(root):
        if module is not root and not str(module.get("address", "")).endswith("module.iam"):
            continue
        for resource in module.get("resources", []):
            if resource.get("mode") != "data" or resource.get("type") != "aws_iam_policy_document":
                continue
            for phase, name in POLICY_OUTPUTS.items():
                if resource.get("name") == name:
                    found[phase].append(json.loads(resource["values"]["json"]))
    return found
