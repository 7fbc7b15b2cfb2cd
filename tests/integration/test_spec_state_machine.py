"""The net of issue 7: a stateful property-based test of spec changes against localaws over HTTP.

A hypothesis ``RuleBasedStateMachine`` changes the spec, fires or clears the rollback alarm, runs a hotfix,
a rollback and a prune through the CLI entry point (``deployer.cli.main``, exit codes and all), and makes
AWS refuse an operation (localaws refusals). After every rule ``invariants`` reads AWS and checks what
docs/aws-behaviour.md ("The state machine's invariants") lists. Bounded: a few examples of ~8 steps.

Replay a failure: pytest prints ``--hypothesis-seed``; or set ``SPEC_MACHINE_SEED=<n>`` (the seed in use is
printed at the start).
"""

from __future__ import annotations

import copy
import io
import json
import os
import random
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from deployer import cli
from deployer.release import TAG_MANAGED_BY, config_name, release_id
from deployer.spec import parse_spec
from tests.integration.test_deployer_support import clients, document, image, put_alarm

NAME = "whisper"
ALARM = f"{NAME}-5xx"
SEED = int(os.environ.get("SPEC_MACHINE_SEED") or random.SystemRandom().randrange(2**32))
TAGS = st.sampled_from(["v1", "v2", "v3", "v4"])


class SpecMachine(RuleBasedStateMachine):
    """The model: ``doc`` (the spec last deployed successfully), ``serving`` (the configuration the
    endpoint must serve), ``images`` (what its model must run), ``previous`` (for rollback)."""

    server: Any = None
    workdir: Path = Path(".")

    def __init__(self) -> None:
        super().__init__()
        self.server.reset()
        self.sm = clients().sagemaker
        self.cloudwatch = clients().cloudwatch
        put_alarm(self.cloudwatch, ALARM)
        self.cloudwatch.set_alarm_state(AlarmName=ALARM, StateValue="OK", StateReason="start")
        self.doc: dict[str, Any] = {}
        self.serving = ""
        self.image = ""
        self.last: tuple[int, str, str] = (0, "", "")
        self.alarm_firing = False

    # --------------------------------------------------------------------------------------- driving

    def cli(self, *args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = cli.main(list(args), stdout=out, stderr=err)
        self.last = (code, out.getvalue(), err.getvalue())
        return self.last

    def deploy(self, doc: dict[str, Any]) -> int:
        path = self.workdir / "spec.json"
        path.write_text(json.dumps(doc))
        before = self.live_config()
        code, _, err = self.cli("deploy", "--spec", str(path))
        if code == 0:
            self.doc = doc
            self.serving = config_name(NAME, release_id(parse_spec(doc)))
            self.image = doc["variants"][0]["containers"][0]["image"]
        else:
            # Refused, failed or rolled back: what served before still serves.
            assert self.live_config() == before, f"exit {code} but the endpoint moved: {err}"
        return code

    def live_config(self) -> str:
        found = self.sm.list_endpoints(NameContains=NAME)["Endpoints"]
        if not any(e["EndpointName"] == NAME for e in found):
            return ""
        return self.sm.describe_endpoint(EndpointName=NAME)["EndpointConfigName"]

    # ----------------------------------------------------------------------------------------- rules

    @initialize(tag=TAGS)
    def create(self, tag: str) -> None:
        code = self.deploy(document(NAME, tag))
        assert code == 0, self.last

    @rule(tag=TAGS)
    def change_image(self, tag: str) -> None:
        doc = copy.deepcopy(self.doc)
        doc["variants"][0]["containers"][0]["image"] = image(tag)
        code = self.deploy(doc)
        if self.alarm_firing and image(tag) != self.image:
            assert code != 0, f"a rollout went through with {ALARM} in ALARM: {self.last}"
        elif code != 0:
            raise AssertionError(f"an image change failed: {self.last}")

    @rule(stage=st.sampled_from(["prod", "canary", "shadow"]))
    def change_environment(self, stage: str) -> None:
        doc = copy.deepcopy(self.doc)
        doc["variants"][0]["containers"][0]["environment"] = {"STAGE": stage}
        code = self.deploy(doc)
        assert code == 0 or self.alarm_firing, self.last

    @rule(instance_type=st.sampled_from(["ml.m5.large", "ml.m5.xlarge", "ml.c5.large"]))
    def change_instance_type(self, instance_type: str) -> None:
        doc = copy.deepcopy(self.doc)
        doc["variants"][0]["instance_type"] = instance_type
        code = self.deploy(doc)
        assert code == 0 or self.alarm_firing, self.last

    @rule(traffic=st.sampled_from(["all_at_once", "canary", "linear"]))
    def change_traffic(self, traffic: str) -> None:
        doc = copy.deepcopy(self.doc)
        deployment = doc["deployment"]
        deployment["traffic"] = traffic
        deployment.pop("canary_percent", None)
        deployment.pop("linear_step_percent", None)
        if traffic == "canary":
            deployment["canary_percent"] = 50
        code = self.deploy(doc)
        assert code == 0 or self.alarm_firing, self.last

    @rule(team=st.sampled_from(["speech", "ml", "platform"]))
    def change_tag_value(self, team: str) -> None:
        # Removing a user tag is issue 7 item 9 (removed tags stay), being fixed: only values change here.
        doc = copy.deepcopy(self.doc)
        doc["tags"] = {**doc.get("tags", {}), "team": team}
        code = self.deploy(doc)
        assert code == 0 or self.alarm_firing, self.last

    # Left out until the fixes land on main (issue 7): instance counts of variants without autoscaling
    # (item 2: the live count is carried over), weight changes and added/removed variants (item 1:
    # ExcludeRetainedVariantProperties is malformed), autoscaling registered/deregistered around a failed
    # instance-type change (item 7).

    @rule(operation=st.sampled_from(["CreateModel", "CreateEndpointConfig", "UpdateEndpoint"]), tag=TAGS)
    def refused(self, operation: str, tag: str) -> None:
        doc = copy.deepcopy(self.doc)
        doc["variants"][0]["containers"][0]["image"] = image(tag)
        code_name = "AccessDeniedException" if operation == "CreateModel" else "ResourceLimitExceeded"
        self.server.refuse(
            "sagemaker", operation, code=code_name, message=f"refused by the test: {operation}"
        )
        try:
            code = self.deploy(doc)
        finally:
            self.server.clear_refusals()
        if parse_spec(doc) != parse_spec(self.doc) and not self.alarm_firing:
            assert code == 4, f"AWS refused {operation}; expected exit 4: {self.last}"
            assert code_name in self.last[2], self.last

    @rule(firing=st.booleans())
    def alarm(self, firing: bool) -> None:
        state = "ALARM" if firing else "OK"
        self.cloudwatch.set_alarm_state(AlarmName=ALARM, StateValue=state, StateReason="test")
        self.alarm_firing = firing

    @rule(tag=st.sampled_from(["hotfix-1", "hotfix-2"]))
    def hotfix(self, tag: str) -> None:
        before = self.live_config()
        code, _, _ = self.cli("deploy", NAME, "--image", image(tag))
        if code == 0:
            self.serving = self.live_config()
            self.image = image(tag)
        else:
            assert self.alarm_firing, self.last
            assert self.live_config() == before

    @rule()
    def rollback(self) -> None:
        before = self.live_config()
        code, _, _ = self.cli("rollback", NAME)
        if code == 0:
            self.serving = self.live_config()
            models = self.models_of(self.serving)
            self.image = self.sm.describe_model(ModelName=models[0])["PrimaryContainer"]["Image"]
        else:
            assert code in (1, 2), self.last  # nothing to roll back to, or refused by the alarm
            assert self.live_config() == before

    @rule()
    def prune(self) -> None:
        code, _, _ = self.cli("prune", NAME)
        assert code == 0, self.last

    # ------------------------------------------------------------------------------------ invariants

    def our_configs(self) -> list[str]:
        names = [
            c["EndpointConfigName"]
            for c in self.sm.list_endpoint_configs(MaxResults=100)["EndpointConfigs"]
            if c["EndpointConfigName"].startswith(f"{NAME}-")
        ]
        return names

    def models_of(self, config: str) -> list[str]:
        described = self.sm.describe_endpoint_config(EndpointConfigName=config)
        return [v["ModelName"] for v in described["ProductionVariants"]]

    @invariant()
    def endpoint_serves_the_model(self) -> None:
        if not self.serving:
            return
        live = self.sm.describe_endpoint(EndpointName=NAME)
        assert live["EndpointStatus"] == "InService", live
        assert live["EndpointConfigName"] == self.serving, (
            live["EndpointConfigName"],
            self.serving,
            self.last,
        )
        config = self.sm.describe_endpoint_config(EndpointConfigName=self.serving)
        (variant,) = config["ProductionVariants"]
        (live_variant,) = live["ProductionVariants"]
        model = self.sm.describe_model(ModelName=variant["ModelName"])
        assert model["PrimaryContainer"]["Image"] == self.image
        deployed = [d["SpecifiedImage"] for d in live_variant["DeployedImages"]]
        assert deployed == [self.image], deployed
        spec_variant = self.doc["variants"][0]
        if self.serving == config_name(NAME, release_id(parse_spec(self.doc))):
            assert variant["InstanceType"] == spec_variant["instance_type"]
            assert live_variant["DesiredInstanceCount"] == spec_variant["initial_instance_count"]
            env = model["PrimaryContainer"].get("Environment", {})
            assert env.get("STAGE") == spec_variant["containers"][0]["environment"]["STAGE"]

    @invariant()
    def nothing_outside_retention(self) -> None:
        if not self.serving:
            return
        configs = self.our_configs()
        keep = self.doc["keep_releases"]
        # keep_releases newest plus the recorded previous one (protected for rollback).
        assert len(configs) <= keep + 1, configs
        assert self.serving in configs
        wanted = {m for c in configs for m in self.models_of(c)}
        ours = {
            m["ModelName"]
            for m in self.sm.list_models(MaxResults=100)["Models"]
            if m["ModelName"].startswith(f"{NAME}-")
        }
        assert ours <= wanted, f"models without a retained configuration: {sorted(ours - wanted)}"
        for name in configs:
            arn = self.sm.describe_endpoint_config(EndpointConfigName=name)["EndpointConfigArn"]
            tags = {t["Key"] for t in self.sm.list_tags(ResourceArn=arn)["Tags"]}
            assert TAG_MANAGED_BY in tags

    @invariant()
    def status_tells_the_truth(self) -> None:
        if not self.serving:
            return
        code, out, _ = self.cli("status", NAME, "--json")
        assert code == 0
        status = json.loads(out)
        assert status["status"] == "InService"
        assert status["endpoint_config_name"] == self.serving
        live = self.sm.describe_endpoint(EndpointName=NAME)["ProductionVariants"][0]
        assert status["variants"][0]["images"] == [d["ResolvedImage"] for d in live["DeployedImages"]]
        assert status["variants"][0]["desired_instance_count"] == live["DesiredInstanceCount"]
        assert status["last_rollout"] in ("succeeded", "rolled_back", "failed", "refused"), status


def test_every_spec_change_converges_or_is_refused(localaws, tmp_path, monkeypatch):
    print(f"spec state machine seed: {SEED} (replay: SPEC_MACHINE_SEED={SEED})")
    SpecMachine.server = localaws
    SpecMachine.workdir = tmp_path
    monkeypatch.chdir(tmp_path)
    run_state_machine_as_test(
        seed(SEED)(SpecMachine),
        settings=settings(
            max_examples=int(os.environ.get("SPEC_MACHINE_EXAMPLES", "4")),
            stateful_step_count=8,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
            print_blob=True,
        ),
    )
