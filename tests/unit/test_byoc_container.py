"""The serverless BYOC example's container: the Flask app, its gunicorn settings, and gunicorn as a process.

The image serves the app with gunicorn behind nginx (examples/serverless-byoc/container/serve); here gunicorn
runs as a real process bound to a free local port, without nginx, with the model directory in a temp dir.
"""

from __future__ import annotations

import http.client
import importlib.machinery
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

CONTAINER_DIR = Path(__file__).resolve().parents[2] / "examples" / "serverless-byoc" / "container"
SAMPLE_MODEL_DIR = CONTAINER_DIR / "model"


def _load(name: str, path: Path) -> ModuleType:
    loader = importlib.machinery.SourceFileLoader(name, str(path))  # `serve` has no .py suffix
    spec = importlib.util.spec_from_loader(name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses resolve annotations through sys.modules
    loader.exec_module(module)
    return module


predictor = _load("byoc_predictor", CONTAINER_DIR / "predictor.py")
serve = _load("byoc_serve", CONTAINER_DIR / "serve")


def _write_model(model_dir: Path, weights: list[float], bias: float) -> Path:
    model_dir.mkdir(parents=True, exist_ok=True)
    (model_dir / "model.json").write_text(json.dumps({"weights": weights, "bias": bias}))
    return model_dir


# --- the Flask app, in process -------------------------------------------------------------------------


@pytest.fixture
def client(tmp_path: Path):
    app = predictor.create_app(_write_model(tmp_path / "model", [1.0, 2.0], 0.5))
    return app.test_client()


def test_ping_and_invocations(client) -> None:
    assert client.get("/ping").status_code == 200
    response = client.post("/invocations", json={"instances": [[1, 1], [0, 2]]})
    assert (response.status_code, response.get_json()) == (200, {"predictions": [3.5, 4.5]})
    # a single list of features is one instance
    response = client.post("/invocations", data=b"[2, 0]", content_type="application/json")
    assert (response.status_code, response.get_json()) == (200, {"predictions": [2.5]})


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (b"{not json", "not JSON"),
        (json.dumps({"instances": [[1, 2, 3]]}).encode(), "needs 2 features"),
        (json.dumps({"instances": [["a", 1]]}).encode(), "list of numbers"),
        (json.dumps({"rows": []}).encode(), "expected"),
    ],
)
def test_bad_requests_get_400_with_the_reason(client, payload: bytes, expected: str) -> None:
    response = client.post("/invocations", data=payload, content_type="application/json")
    assert response.status_code == 400
    assert expected in response.get_json()["error"]


def test_unsupported_content_type_unknown_routes_and_methods(client) -> None:
    assert client.post("/invocations", data=b"1,2", content_type="text/csv").status_code == 415
    assert client.get("/nope").status_code == 404
    assert client.post("/ping", json={}).status_code == 405
    too_big = b"[" + b"1," * (predictor.MAX_BODY_BYTES // 2) + b"1]"
    assert client.post("/invocations", data=too_big, content_type="application/json").status_code == 413


def test_ping_is_503_until_the_model_is_there(tmp_path: Path) -> None:
    model_dir = tmp_path / "model"
    client = predictor.create_app(model_dir).test_client()
    response = client.get("/ping")
    assert response.status_code == 503
    assert "no model.json" in response.get_json()["error"]
    assert client.post("/invocations", json=[1]).status_code == 503
    _write_model(model_dir, [3.0], 0.0)  # the artifact arrives: the next ping loads it
    assert client.get("/ping").status_code == 200
    assert client.post("/invocations", json=[2]).get_json() == {"predictions": [6.0]}


def test_model_loader_rejects_malformed_artifacts(tmp_path: Path) -> None:
    (tmp_path / "model.json").write_text(json.dumps({"weights": []}))
    with pytest.raises(predictor.ModelError, match="no weights"):
        predictor.load_model(tmp_path)
    (tmp_path / "model.json").write_text("[1, 2]")
    with pytest.raises(predictor.ModelError, match="not a linear model"):
        predictor.load_model(tmp_path)


# --- serve: the settings it derives --------------------------------------------------------------------


def test_port_is_8080_unless_sagemaker_sets_one() -> None:
    assert serve.settings_from({}, cpus=1, memory_mb=None).port == 8080
    assert serve.settings_from({"SAGEMAKER_BIND_TO_PORT": "9001"}, cpus=1, memory_mb=None).port == 9001
    with pytest.raises(serve.ConfigError, match="SAGEMAKER_BIND_TO_PORT"):
        serve.settings_from({"SAGEMAKER_BIND_TO_PORT": "http"}, cpus=1, memory_mb=None)


@pytest.mark.parametrize(
    ("environ", "cpus", "memory_mb", "workers"),
    [
        ({}, 4, None, 4),  # one per CPU
        ({}, 4, 1024, 2),  # a 1024 MB serverless endpoint: at most one per 512 MB
        ({}, 8, 6144, 8),  # 6144 MB: the CPUs are the bound
        ({}, 1, 256, 1),  # never zero
        ({"MODEL_SERVER_WORKER_MEMORY_MB": "1024"}, 4, 2048, 2),
        ({"MODEL_SERVER_MEMORY_MB": "3072"}, 8, None, 6),  # the memory size given explicitly
        ({"MODEL_SERVER_WORKERS": "3"}, 8, 1024, 3),  # an explicit count wins
    ],
)
def test_worker_count_from_cpus_and_memory(environ: dict, cpus: int, memory_mb: int | None, workers: int):
    memory = memory_mb if memory_mb is not None else serve.memory_limit_mb(environ, Path("/nonexistent"))
    assert serve.settings_from(environ, cpus=cpus, memory_mb=memory).workers == workers


def test_cpu_quota_and_memory_limit_from_the_cgroup(tmp_path: Path) -> None:
    (tmp_path / "cpu.max").write_text("200000 100000\n")  # 2 CPUs of quota
    assert serve.available_cpus(tmp_path) == min(2, len(os.sched_getaffinity(0)))
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert serve.available_cpus(tmp_path) == len(os.sched_getaffinity(0))
    (tmp_path / "memory.max").write_text(f"{2048 * 1024 * 1024}\n")
    assert serve.memory_limit_mb({}, tmp_path) == 2048
    (tmp_path / "memory.max").write_text("max\n")
    assert serve.memory_limit_mb({}, tmp_path) is None


def test_timeouts_stay_below_sagemakers_60_second_limit() -> None:
    settings = serve.settings_from({}, cpus=1, memory_mb=None)
    assert settings.timeout_s < settings.proxy_timeout_s < 60
    assert serve.settings_from({"MODEL_SERVER_TIMEOUT": "54"}, cpus=1, memory_mb=None).proxy_timeout_s == 59
    for bad in ("55", "60", "0"):
        with pytest.raises(serve.ConfigError, match="MODEL_SERVER_TIMEOUT"):
            serve.settings_from({"MODEL_SERVER_TIMEOUT": bad}, cpus=1, memory_mb=None)
    command = serve.gunicorn_command(settings)
    assert command[command.index("--timeout") + 1] == str(settings.timeout_s)


def test_nginx_conf_listens_on_the_port_and_proxies_to_gunicorns_socket() -> None:
    settings = serve.settings_from({"SAGEMAKER_BIND_TO_PORT": "9001"}, cpus=2, memory_mb=None)
    conf = serve.nginx_conf(settings)
    assert "{{" not in conf
    assert "listen 9001 deferred;" in conf
    assert f"server unix:{serve.SOCKET};" in conf
    assert f"proxy_read_timeout {settings.proxy_timeout_s}s;" in conf
    assert "daemon off;" in conf  # serve supervises nginx: it must stay in the foreground
    command = serve.gunicorn_command(settings)
    assert command[command.index("--bind") + 1] == f"unix:{serve.SOCKET}"


def test_serve_refuses_a_bad_setting_before_starting_anything() -> None:
    env = {**os.environ, "MODEL_SERVER_TIMEOUT": "120"}
    done = subprocess.run(
        [sys.executable, str(CONTAINER_DIR / "serve")], env=env, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 2
    assert "MODEL_SERVER_TIMEOUT" in done.stderr


# --- gunicorn as a process -----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(port: int, method: str, path: str, body: bytes | None = None, content_type="application/json"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers={"Content-Type": content_type} if body else {})
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        conn.close()


@pytest.fixture
def gunicorn(tmp_path: Path) -> Iterator[tuple[subprocess.Popen, int, Path]]:
    """gunicorn with serve's own command line, bound to a free local port instead of nginx's socket."""
    model_dir = _write_model(tmp_path / "model", [0.5, -1.25, 2.0], 0.1)
    port = _free_port()
    settings = serve.settings_from({"MODEL_SERVER_WORKERS": "2"}, cpus=2, memory_mb=None)
    proc = subprocess.Popen(
        serve.gunicorn_command(settings, bind=f"127.0.0.1:{port}"),
        env={**os.environ, "MODEL_DIR": str(model_dir)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, f"gunicorn exited with {proc.returncode}"
            try:
                if _request(port, "GET", "/ping")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn never answered /ping with 200"
            time.sleep(0.1)
        yield proc, port, model_dir
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_gunicorn_serves_ping_and_invocations(gunicorn) -> None:
    _proc, port, _ = gunicorn
    assert _request(port, "GET", "/ping") == (200, {"status": "healthy"})
    status, body = _request(
        port, "POST", "/invocations", json.dumps({"instances": [[1, 2, 3], [0, 0, 0]]}).encode()
    )
    assert status == 200
    assert body["predictions"] == [pytest.approx(0.5 - 2.5 + 6.0 + 0.1), pytest.approx(0.1)]


def test_gunicorn_answers_bad_input_with_a_clear_4xx(gunicorn) -> None:
    _proc, port, _ = gunicorn
    status, body = _request(port, "POST", "/invocations", json.dumps({"instances": [[1, 2]]}).encode())
    assert status == 400
    assert body == {"error": "each instance needs 3 features, got 2"}
    status, body = _request(port, "POST", "/invocations", b"{oops")
    assert status == 400 and "not JSON" in body["error"]
    assert _request(port, "POST", "/invocations", b"1,2,3", content_type="text/csv")[0] == 415


def test_gunicorn_stops_cleanly_on_sigterm(gunicorn) -> None:
    proc, _port, _ = gunicorn
    proc.send_signal(signal.SIGTERM)  # what SageMaker sends (through serve) when it stops the container
    # A graceful stop: gunicorn waits up to its graceful timeout (50 s) for workers, so allow that and more
    # on a loaded machine; the exit status is what is checked.
    assert proc.wait(timeout=90) == 0


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed (the image has it)")
def test_serve_runs_nginx_in_front_of_gunicorn(tmp_path: Path) -> None:
    """The whole stack as the image runs it: `serve` on SAGEMAKER_BIND_TO_PORT, nginx proxying to gunicorn."""
    port = _free_port()
    # nginx's workers run unprivileged: they must reach gunicorn's socket (pytest's tmp_path is 0700)
    runtime = Path(tempfile.mkdtemp(prefix="byoc-serve-"))
    runtime.chmod(0o755)
    env = {
        **os.environ,
        "SAGEMAKER_BIND_TO_PORT": str(port),
        "SERVE_RUNTIME_DIR": str(runtime),
        "MODEL_DIR": str(_write_model(tmp_path / "model", [2.0], 1.0)),
        "MODEL_SERVER_WORKERS": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, str(CONTAINER_DIR / "serve")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, f"serve exited with {proc.returncode}"
            try:
                if _request(port, "GET", "/ping")[0] == 200:
                    break
            except (OSError, json.JSONDecodeError):
                pass
            assert time.monotonic() < deadline, "serve never answered /ping with 200"
            time.sleep(0.1)
        assert _request(port, "POST", "/invocations", b"[3]") == (200, {"predictions": [7.0]})
        assert _request(port, "POST", "/invocations", b"[3, 4]")[0] == 400
        assert _request(port, "GET", "/elsewhere")[0] == 404  # nginx's own answer
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        shutil.rmtree(runtime, ignore_errors=True)


def test_the_sample_model_is_what_the_examples_upload() -> None:
    model = predictor.load_model(SAMPLE_MODEL_DIR)
    assert model.predict([[1, 1, 1]]) == [pytest.approx(sum(model.weights) + model.bias)]
