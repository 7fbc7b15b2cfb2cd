"""A minimal SageMaker inference container: `GET /ping` and `POST /invocations` on port 8080.

The contract (SageMaker Developer Guide, "Custom Inference Code with Hosting Services",
https://docs.aws.amazon.com/sagemaker/latest/dg/your-algorithms-inference-code.html):
- SageMaker starts the image as `docker run <image> serve` and sends SIGTERM to stop it;
- the model artifact (ModelDataUrl, a tar.gz) is unpacked into /opt/ml/model;
- `GET /ping` answers 200 once the container is ready to serve, `POST /invocations` runs inference;
- both on port 8080 (or the port in SAGEMAKER_BIND_TO_PORT when SageMaker sets it).

Only the standard library: the serverless example needs a small image that starts fast. The model is a
linear model in `model.json` ({"weights": [...], "bias": float}); a request body is JSON, either
`{"instances": [[x1, x2, ...], ...]}` or a single list of features; the answer is `{"predictions": [...]}`.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

DEFAULT_MODEL_DIR = "/opt/ml/model"
DEFAULT_PORT = 8080
MODEL_FILE = "model.json"
JSON_TYPES = ("application/json", "application/jsonlines", "text/json")
MAX_BODY_BYTES = 6 * 1024 * 1024  # SageMaker's real-time payload limit


class ModelError(Exception):
    """The model artifact is missing or malformed."""


class RequestError(Exception):
    """The request body cannot be scored."""


@dataclass(frozen=True)
class LinearModel:
    weights: tuple[float, ...]
    bias: float

    def predict(self, instances: Sequence[Sequence[float]]) -> list[float]:
        predictions = []
        for row in instances:
            if len(row) != len(self.weights):
                raise RequestError(f"each instance needs {len(self.weights)} features, got {len(row)}")
            predictions.append(sum(w * x for w, x in zip(self.weights, row, strict=True)) + self.bias)
        return predictions


def load_model(model_dir: Path) -> LinearModel:
    path = model_dir / MODEL_FILE
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        weights = tuple(float(w) for w in document["weights"])
        bias = float(document.get("bias", 0.0))
    except FileNotFoundError as exc:
        raise ModelError(f"no {MODEL_FILE} in {model_dir}") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"{path} is not a linear model: {exc}") from exc
    if not weights:
        raise ModelError(f"{path} has no weights")
    return LinearModel(weights=weights, bias=bias)


def parse_instances(body: bytes) -> list[list[float]]:
    try:
        document = json.loads(body or b"null")
    except json.JSONDecodeError as exc:
        raise RequestError(f"body is not JSON: {exc.msg}") from exc
    rows = document.get("instances") if isinstance(document, dict) else document
    if isinstance(rows, list) and rows and all(isinstance(x, (int, float)) for x in rows):
        rows = [rows]
    if not isinstance(rows, list) or not rows:
        raise RequestError('expected {"instances": [[...], ...]} or a list of numbers')
    instances = []
    for row in rows:
        if not isinstance(row, list) or not all(
            isinstance(x, (int, float)) and not isinstance(x, bool) for x in row
        ):
            raise RequestError("every instance must be a list of numbers")
        instances.append([float(x) for x in row])
    return instances


class ModelSlot:
    """Holds the model once a background load has finished, so that /ping can answer at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._model: LinearModel | None = None
        self._error: str | None = None

    def load_in_background(self, model_dir: Path) -> threading.Thread:
        thread = threading.Thread(target=self._load, args=(model_dir,), name="model-loader", daemon=True)
        thread.start()
        return thread

    def _load(self, model_dir: Path) -> None:
        try:
            model = load_model(model_dir)
        except ModelError as exc:
            with self._lock:
                self._error = str(exc)
            print(f"model load failed: {exc}", file=sys.stderr, flush=True)
            return
        with self._lock:
            self._model = model

    @property
    def model(self) -> LinearModel | None:
        with self._lock:
            return self._model

    @property
    def error(self) -> str | None:
        with self._lock:
            return self._error


def make_handler(slot: ModelSlot) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "byoc-inference/1.0"
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            if self.path.split("?", 1)[0] != "/ping":
                self._reply(HTTPStatus.NOT_FOUND, {"error": f"no route {self.path}"})
            elif slot.model is None:
                self._reply(HTTPStatus.SERVICE_UNAVAILABLE, {"status": "loading", "error": slot.error})
            else:
                self._reply(HTTPStatus.OK, {"status": "healthy"})

        def do_POST(self) -> None:
            if self.path.split("?", 1)[0] != "/invocations":
                self._reply(HTTPStatus.NOT_FOUND, {"error": f"no route {self.path}"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                self._reply(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": "payload over 6 MB"})
                return
            body = self.rfile.read(length)
            content_type = (self.headers.get("Content-Type") or "application/json").split(";")[0].strip()
            model = slot.model
            if content_type not in JSON_TYPES:
                self._reply(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, {"error": f"unsupported {content_type}"})
            elif model is None:
                self._reply(HTTPStatus.SERVICE_UNAVAILABLE, {"error": "model not loaded"})
            else:
                try:
                    predictions = model.predict(parse_instances(body))
                except RequestError as exc:
                    self._reply(HTTPStatus.BAD_REQUEST, {"error": str(exc)})
                    return
                self._reply(HTTPStatus.OK, {"predictions": predictions})

        def _reply(self, status: HTTPStatus, document: dict[str, object]) -> None:
            payload = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            print(f"{self.address_string()} {format % args}", file=sys.stderr, flush=True)

    return Handler


def make_server(host: str, port: int, model_dir: Path) -> ThreadingHTTPServer:
    """Bind the server (port 0 picks a free port) and start loading the model in the background."""
    slot = ModelSlot()
    server = ThreadingHTTPServer((host, port), make_handler(slot))
    server.daemon_threads = True
    slot.load_in_background(model_dir)
    return server


def serve(environ: dict[str, str]) -> int:
    port = int(environ.get("SAGEMAKER_BIND_TO_PORT", DEFAULT_PORT))
    host = environ.get("BIND_HOST", "0.0.0.0")
    model_dir = Path(environ.get("MODEL_DIR", DEFAULT_MODEL_DIR))
    server = make_server(host, port, model_dir)

    def stop(signum: int, _frame: object) -> None:
        # shutdown() blocks until serve_forever returns: call it from another thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    bound_host, bound_port = server.server_address[:2]
    print(f"listening on {bound_host}:{bound_port}", file=sys.stderr, flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


def main(argv: Sequence[str]) -> int:
    command = argv[0] if argv else "serve"
    if command != "serve":
        print(f"usage: serve (got {command!r})", file=sys.stderr)
        return 2
    return serve(dict(os.environ))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
