"""Evaluate every recorded call of Terraform and the deployer against the CI policies (principalmapper).

Each window's calls are authorized as a CI role holding that phase's policy documents (the plan role for
``plan``, the apply role for ``apply`` and ``destroy``), with principalmapper's local policy simulation
(explicit deny, then allow, with wildcards and conditions). Calls of other callers (the test's own boto3
set-up and checks) are not the CI role's and are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tests.iamproof.actions import Account, Request, requests_for, tagged_resources
from tests.iamproof.recorder import Window

# User-Agent marks of the callers that run with the CI role's credentials.
CALLERS = {"Terraform/": "terraform", "sagemaker-rollout": "deployer"}


@dataclass(frozen=True)
class Denial:
    policy: str
    command: str
    caller: str
    operation: str
    action: str
    resource: str

    def __str__(self) -> str:
        return (
            f"{self.action} on {self.resource} denied by the CI {self.policy} policy "
            f"({self.caller} {self.operation} during terraform {self.command})"
        )


@dataclass(frozen=True)
class Proof:
    proven: Mapping[str, frozenset[tuple[str, str]]]  # policy -> distinct (action, resource) pairs allowed
    denials: tuple[Denial, ...]

    def count(self) -> int:
        return len({pair for pairs in self.proven.values() for pair in pairs})


def caller_of(user_agent: str) -> str | None:
    for mark, caller in CALLERS.items():
        if mark in user_agent:
            return caller
    return None


def _principalmapper_compat() -> None:
    """principalmapper 1.1.5 (its last release) imports Mapping from collections, gone since Python 3.10."""
    import collections
    import collections.abc

    for name in ("Mapping", "MutableMapping"):
        if not hasattr(collections, name):
            setattr(collections, name, getattr(collections.abc, name))


def _principal(policy: str, documents: Sequence[Mapping[str, Any]], account: Account) -> Any:
    _principalmapper_compat()
    from principalmapper.common import Node, Policy

    prefix = f"arn:{account.partition}:iam::{account.account_id}"
    attached = [
        Policy(f"{prefix}:policy/ci-{policy}-{index}", f"ci-{policy}-{index}", dict(document))
        for index, document in enumerate(documents)
    ]
    return Node(
        f"{prefix}:role/ci-{policy}",
        f"AROA{policy.upper()}",
        attached,
        None,
        {"Version": "2012-10-17", "Statement": []},
        None,
        0,
        False,
        False,
        None,
        False,
        {},
    )


def allowed(principal: Any, request: Request) -> bool:
    from principalmapper.querying.query_interface import local_check_authorization_full

    return bool(
        local_check_authorization_full(
            principal,
            request.action,
            request.resource,
            # Multivalued keys are tuples in a Request (hashable), lists for the simulation.
            {k: list(v) if isinstance(v, tuple) else v for k, v in request.context},
        )
    )


def prove(
    windows: Iterable[Window], policies: Mapping[str, Sequence[Mapping[str, Any]]], account: Account
) -> Proof:
    """Every authorization of every CI call in ``windows``, against ``policies`` (PLAN/APPLY -> documents)."""
    principals = {name: _principal(name, documents, account) for name, documents in policies.items()}
    proven: dict[str, set[tuple[str, str]]] = {name: set() for name in policies}
    denials: dict[Denial, None] = {}
    decided: dict[tuple[str, Request], bool] = {}
    aliases: dict[str, str] = {}
    resource_tags: dict[str, dict[str, str]] = {}
    for window in windows:
        for call in window.calls:
            caller = caller_of(str(call.get("user_agent", "")))
            if caller is None:
                continue
            params = call.get("params") or {}
            for request in requests_for(call, account, aliases, resource_tags):
                key = (window.policy, request)
                if key not in decided:
                    decided[key] = allowed(principals[window.policy], request)
                if decided[key]:
                    proven[window.policy].add((request.action, request.resource))
                else:
                    denial = Denial(
                        window.policy,
                        window.command,
                        caller,
                        call["operation"],
                        request.action,
                        request.resource,
                    )
                    denials.setdefault(denial)
            for arn in tagged_resources(call, account):
                resource_tags.setdefault(arn, {}).update(call.get("tags") or {})
            if call["service"] == "kms" and call["operation"] == "CreateAlias" and params.get("TargetKeyId"):
                aliases[str(params["AliasName"])] = str(params["TargetKeyId"])
    return Proof({k: frozenset(v) for k, v in proven.items()}, tuple(denials))
