"""``make demo``: the main job end to end against localaws, with real Terraform and the real AWS provider.

The `realtime-canary` example (a real-time endpoint with canary blue/green, autoscaling and rollback
alarms) is applied from a scratch copy:

1. ``terraform apply`` creates the endpoint (release 1);
2. ``terraform plan`` right after: no changes, and localaws' call log shows no write;
3. ``terraform apply`` with a new image: a canary blue/green rollout, verified on the new configuration;
4. ``terraform apply`` with another image while a rollback alarm is in ALARM: SageMaker rolls back, the
   apply fails with the reason, the endpoint still serves release 2, and the next plan warns;
5. ``sagemaker-rollout history`` and ``status``: what the command line shows at 2 a.m.;
6. ``terraform destroy``: no endpoint, configuration or model left.

Every claim printed is read back from AWS state (localaws) with boto3, not from log text.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import boto3

from tests import localaws as localaws_package
from tests.e2e.example_support import push_image, upload_model
from tests.tfharness.install import setup
from tests.tfharness.runner import TerraformError, TerraformRunner
from tests.tfharness.tree import stage_configuration

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "realtime-canary"
ENDPOINT = "fraud-scoring"
REGION = "us-east-1"
# Simulated time runs 50x faster: a 60 s canary wait takes 1.2 s.
TIME_SCALE = float(os.environ.get("DEMO_TIME_SCALE", "0.02"))


def say(text: str) -> None:
    print(f"\n\033[1m== {text}\033[0m" if sys.stdout.isatty() else f"\n== {text}", flush=True)


def fact(text: str) -> None:
    print(f"   {text}", flush=True)


def endpoint_state(sagemaker: Any) -> tuple[str, str, list[str]]:
    described = sagemaker.describe_endpoint(EndpointName=ENDPOINT)
    images = [
        image["SpecifiedImage"]
        for variant in described["ProductionVariants"]
        for image in variant.get("DeployedImages", [])
    ]
    return described["EndpointStatus"], described["EndpointConfigName"], images


def cli(*args: str) -> None:
    """The deployer's own command line, as an operator would run it."""
    print(f"   $ sagemaker-rollout {' '.join(args)}", flush=True)
    subprocess.run([sys.executable, "-m", "deployer", *args, "--region", REGION], check=False)


def variables(image: str, model: str) -> dict[str, Any]:
    return {
        "region": REGION,
        "name": ENDPOINT,
        "image": image,
        "model_data_url": model,
        "instance_type": "ml.m5.xlarge",
        "min_instances": 4,
        "max_instances": 12,
        "canary_percent": 25,
        "canary_wait_seconds": 60,
        "termination_wait_seconds": 60,
        "python_executable": sys.executable,
    }


def run_demo(server: Any, scratch: Path) -> None:
    os.environ.update(
        AWS_ENDPOINT_URL=server.url,
        AWS_DEFAULT_REGION=REGION,
        AWS_ACCESS_KEY_ID="localaws",
        AWS_SECRET_ACCESS_KEY="localaws",
        DEPLOYER_TIME_SCALE=str(TIME_SCALE),
    )
    sagemaker = boto3.client("sagemaker", region_name=REGION)
    cloudwatch = boto3.client("cloudwatch", region_name=REGION)
    ecr = boto3.client("ecr", region_name=REGION)
    s3 = boto3.client("s3", region_name=REGION)

    say(f"localaws on {server.url} (simulated time x{1 / TIME_SCALE:g}); staging {EXAMPLE.relative_to(REPO)}")
    tf = TerraformRunner(stage_configuration(EXAMPLE, scratch), setup())
    model = upload_model(s3, "fraud-scoring/model.tar.gz", {"model.joblib": b"weights"})
    images = [push_image(ecr, "fraud-scoring", f"2024.06.{n}")[0] for n in (1, 2, 3)]
    tf.init()

    say("1. terraform apply: create the endpoint (release 1)")
    started = time.monotonic()
    tf.apply(variables(images[0], model))
    status, config_1, deployed = endpoint_state(sagemaker)
    elapsed = time.monotonic() - started
    fact(f"endpoint {ENDPOINT}: {status} on {config_1} serving {deployed} ({elapsed:.0f} s)")

    say("2. terraform plan right after: nothing to do, nothing written")
    mark = len(server.calls())
    plan = tf.plan(variables(images[0], model))
    writes = [c for c in server.calls()[mark:] if c["write"]]
    fact(f"plan exit code {plan.returncode} (0 = no changes); write calls during plan: {len(writes)}")
    if plan.returncode != 0 or writes:
        raise SystemExit("demo: the plan right after apply was not quiet")

    say("3. terraform apply with a new image: canary blue/green, verified on the new configuration")
    tf.apply(variables(images[1], model))
    status, config_2, deployed = endpoint_state(sagemaker)
    last = sagemaker.describe_endpoint(EndpointName=ENDPOINT)["LastDeploymentConfig"]
    routing = last["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"]
    alarms = [a["AlarmName"] for a in last["AutoRollbackConfiguration"]["Alarms"]]
    fact(f"endpoint {status} on {config_2} (was {config_1}) serving {deployed}")
    fact(f"traffic {routing['Type']} {routing.get('CanarySize')}; rollback alarms {alarms}")
    if config_2 == config_1:
        raise SystemExit("demo: the rollout did not reach the new configuration")
    logs = sorted((tf.workdir / ".terraform" / "sagemaker-rollout").glob(f"{ENDPOINT}-*.log"))
    if not logs:
        raise SystemExit("demo: the rollout wrote no log under .terraform/sagemaker-rollout")
    fact(f"the rollout's log {logs[-1].relative_to(tf.workdir)} (a CI job follows it while Terraform waits):")
    for line in logs[-1].read_text().splitlines():
        fact(f"  | {line}")

    say(f"4. terraform apply with another image while {alarms[0]} is in ALARM: rolled back")
    cloudwatch.set_alarm_state(AlarmName=alarms[0], StateValue="ALARM", StateReason="demo: 5xx errors")
    try:
        tf.apply(variables(images[2], model))
        raise SystemExit("demo: the apply should have failed")
    except TerraformError as failed:
        lines = [line.strip("│╷╵ ") for line in failed.completed.stderr.splitlines()]
        # The error's first lines: the verdict (wrapped by Terraform), the log file, the timeline's start.
        start = next(i for i, line in enumerate(lines) if line.startswith("Error Message:"))
        shown = [*(line for line in lines if line.startswith("Error:")), *lines[start : start + 12], "..."]
        fact("terraform apply failed, as it must:")
        for line in shown:
            fact(f"  | {line}")
    status, config_now, deployed = endpoint_state(sagemaker)
    fact(f"endpoint {status} on {config_now} serving {deployed}")
    fact(f"release 2 still live: {config_now == config_2}")
    mark = len(server.calls())
    plan = tf.plan(variables(images[2], model))
    warned = "rolled back" in plan.stdout + plan.stderr
    writes = [c for c in server.calls()[mark:] if c["write"]]
    fact(f"next plan: write calls {len(writes)}, warns about the rolled-back rollout: {warned}")

    say("5. what the command line shows")
    cli("status", ENDPOINT)
    cli("history", ENDPOINT)
    cloudwatch.set_alarm_state(AlarmName=alarms[0], StateValue="OK", StateReason="demo: recovered")

    say("6. terraform destroy: the endpoint and every release it had")
    tf.destroy()
    left = [e["EndpointName"] for e in sagemaker.list_endpoints()["Endpoints"]]
    configs = [c["EndpointConfigName"] for c in sagemaker.list_endpoint_configs()["EndpointConfigs"]]
    models = [m["ModelName"] for m in sagemaker.list_models()["Models"]]
    fact(f"endpoints {left}, endpoint configurations {configs}, models {models}")
    if left or configs or models:
        raise SystemExit("demo: destroy left SageMaker resources behind")
    say("done: created, rolled forward (verified), rolled back by an alarm (verified), destroyed")


def main() -> int:
    with localaws_package.start(time_scale=TIME_SCALE) as server, tempfile.TemporaryDirectory() as tmp:
        run_demo(server, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
