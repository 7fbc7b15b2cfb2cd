"""The inference application: a Flask app with SageMaker's `GET /ping` and `POST /invocations`.

gunicorn serves it (see `serve` and `wsgi.py`) behind nginx, as in AWS's bring-your-own-container sample
"scikit_bring_your_own" (https://github.com/aws/amazon-sagemaker-examples, advanced_functionality/
scikit_bring_your_own/container/decision_trees). The contract (SageMaker Developer Guide, "Custom
Inference Code with Hosting Services",
https://docs.aws.amazon.com/sagemaker/latest/dg/your-algorithms-inference-code.html):
- the model artifact (ModelDataUrl, a tar.gz) is unpacked by SageMaker into /opt/ml/model;
- `GET /ping` answers 200 once the container is ready to serve, `POST /invocations` runs inference.

The model is a linear model in `model.json` ({"weights": [...], "bias": float}). A request body is JSON,
either `{"instances": [[x1, x2, ...], ...]}` or a single list of features; the answer is
`{"predictions": [...]}`. A body that cannot be scored gets 400 with the reason, another content type 415.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, request

DEFAULT_MODEL_DIR = "/opt/ml/model"
MODEL_FILE = "model.json"
JSON_TYPES = ("application/json", "application/jsonlines", "text/json")
# SageMaker's payload limits: 6 MB real time, 4 MB serverless (nginx enforces the same limit in front).
MAX_BODY_BYTES = 6 * 1024 * 1024

log = logging.getLogger("predictor")


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
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
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


class ScoringService:
    """The model of this worker process: loaded once, at the worker's start (gunicorn imports the app)."""

    def __init__(self, model_dir: Path) -> None:
        self.model_dir = model_dir
        self.model: LinearModel | None = None
        self.error: str | None = None
        self.load()

    def load(self) -> None:
        try:
            self.model = load_model(self.model_dir)
            self.error = None
        except ModelError as exc:
            self.model, self.error = None, str(exc)
            log.error("model load failed: %s", exc)


def _json(document: dict[str, object], status: int) -> Response:
    return Response(json.dumps(document), status=status, mimetype="application/json")


def create_app(model_dir: Path | None = None) -> Flask:
    model_dir = model_dir or Path(os.environ.get("MODEL_DIR", DEFAULT_MODEL_DIR))
    service = ScoringService(model_dir)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.extensions["scoring_service"] = service

    @app.get("/ping")
    def ping() -> Response:
        if service.model is None:
            service.load()  # the artifact may not have been there yet when the worker started
        if service.model is None:
            return _json({"status": "unhealthy", "error": service.error}, 503)
        return _json({"status": "healthy"}, 200)

    @app.post("/invocations")
    def invocations() -> Response:
        content_type = (request.content_type or "application/json").split(";")[0].strip().lower()
        if content_type not in JSON_TYPES:
            return _json({"error": f"unsupported content type {content_type}; send application/json"}, 415)
        if service.model is None:
            return _json({"error": f"model not loaded: {service.error}"}, 503)
        try:
            predictions = service.model.predict(parse_instances(request.get_data()))
        except RequestError as exc:
            return _json({"error": str(exc)}, 400)
        return _json({"predictions": predictions}, 200)

    @app.errorhandler(404)
    def not_found(_exc: Exception) -> Response:
        return _json({"error": f"no route {request.path}"}, 404)

    @app.errorhandler(405)
    def not_allowed(_exc: Exception) -> Response:
        return _json({"error": f"{request.method} not allowed on {request.path}"}, 405)

    @app.errorhandler(413)
    def too_large(_exc: Exception) -> Response:
        return _json({"error": f"payload over {MAX_BODY_BYTES // (1024 * 1024)} MB"}, 413)

    return app
