"""The serverless BYOC example's container, run locally: the SageMaker contract on /ping and /invocations."""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

CONTAINER_DIR = Path(__file__).resolve().parents[2] / "examples" / "serverless-byoc" / "container"
SAMPLE_MODEL_DIR = CONTAINER_DIR / "model"


def _load_server_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "byoc_inference_server", CONTAINER_DIR / "inference_server.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


server_module = _load_server_module()


def _request(
    port: int, method: str, path: str, body: bytes | None = None, content_type: str = "application/json"
):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"Content-Type": content_type} if body is not None else {}
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        conn.close()


def _wait_ready(port: int, deadline_s: float = 10.0) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        status, _ = _request(port, "GET", "/ping")
        if status == 200:
            return
        time.sleep(0.05)
    raise AssertionError("container never became healthy")


@pytest.fixture
def running_server(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    (model_dir / "model.json").write_text(json.dumps({"weights": [1.0, 2.0], "bias": 0.5}))
    server = server_module.make_server("127.0.0.1", 0, model_dir)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], model_dir
    finally:
        server.shutdown()
        server.server_close()


def test_ping_and_invocations_in_process(running_server: tuple[int, Path]) -> None:
    port, _ = running_server
    _wait_ready(port)
    status, body = _request(
        port, "POST", "/invocations", json.dumps({"instances": [[1, 1], [0, 2]]}).encode()
    )
    assert status == 200
    assert body == {"predictions": [3.5, 4.5]}
    # a single list of features is one instance
    status, body = _request(port, "POST", "/invocations", b"[2, 0]")
    assert (status, body) == (200, {"predictions": [2.5]})


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (b"{not json", "not JSON"),
        (json.dumps({"instances": [[1, 2, 3]]}).encode(), "needs 2 features"),
        (json.dumps({"instances": [["a", 1]]}).encode(), "list of numbers"),
        (json.dumps({"rows": []}).encode(), "expected"),
    ],
)
def test_bad_requests_get_400_with_the_reason(
    running_server: tuple[int, Path], payload: bytes, expected: str
) -> None:
    port, _ = running_server
    _wait_ready(port)
    status, body = _request(port, "POST", "/invocations", payload)
    assert status == 400
    assert expected in body["error"]


def test_unsupported_content_type_and_unknown_routes(running_server: tuple[int, Path]) -> None:
    port, _ = running_server
    _wait_ready(port)
    assert _request(port, "POST", "/invocations", b"1,2", content_type="text/csv")[0] == 415
    assert _request(port, "GET", "/nope")[0] == 404
    assert _request(port, "POST", "/ping", b"{}")[0] == 404


def test_ping_is_503_while_the_model_is_missing(tmp_path: Path) -> None:
    server = server_module.make_server("127.0.0.1", 0, tmp_path / "empty")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        time.sleep(0.2)
        status, body = _request(port, "GET", "/ping")
        assert status == 503
        assert "no model.json" in body["error"]
        assert _request(port, "POST", "/invocations", b"[1]")[0] == 503
    finally:
        server.shutdown()
        server.server_close()


def test_model_loader_rejects_malformed_artifacts(tmp_path: Path) -> None:
    (tmp_path / "model.json").write_text(json.dumps({"weights": []}))
    with pytest.raises(server_module.ModelError, match="no weights"):
        server_module.load_model(tmp_path)
    (tmp_path / "model.json").write_text("[1, 2]")
    with pytest.raises(server_module.ModelError, match="not a linear model"):
        server_module.load_model(tmp_path)


def test_serve_entry_point_as_sagemaker_starts_it() -> None:
    """`serve` (what `docker run <image> serve` executes) serves the sample model and stops on SIGTERM."""
    env = {
        **os.environ,
        "SAGEMAKER_BIND_TO_PORT": "0",  # a free port; the server prints the one it bound
        "BIND_HOST": "127.0.0.1",
        "MODEL_DIR": str(SAMPLE_MODEL_DIR),
    }
    proc = subprocess.Popen(
        [sys.executable, str(CONTAINER_DIR / "serve")],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        match = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
        assert match, line
        port = int(match.group(1))
        _wait_ready(port)
        weights = json.loads((SAMPLE_MODEL_DIR / "model.json").read_text())
        status, body = _request(port, "POST", "/invocations", json.dumps({"instances": [[1, 1, 1]]}).encode())
        assert status == 200
        assert body["predictions"] == [pytest.approx(sum(weights["weights"]) + weights["bias"])]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
