"""localaws: `python -m tests.localaws --port PORT` serves until terminated, settings from the environment."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from tests.localaws import control
from tests.localaws import testkit as kit

ROOT = Path(__file__).resolve().parents[2]


def test_module_serves_aws_and_control_calls(tmp_path):
    env = {**os.environ, "LOCALAWS_TIME_SCALE": "0.002", "LOCALAWS_LATENCY_MS": "1", "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.localaws", "--port", "0", "--quiet"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        match = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
        assert match, line + process.stderr.read()
        url = match.group(1)
        assert kit.client(url, "sts").get_caller_identity()["Account"] == kit.ACCOUNT
        config = control(url, "config")
        assert (config["time_scale"], config["latency_ms"]) == (0.002, 1.0)
        assert [c["operation"] for c in control(url, "calls")] == ["GetCallerIdentity"]
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
