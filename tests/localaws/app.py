"""The WSGI application in front of moto: control API, call log, fault injection, SageMaker hosting."""

from __future__ import annotations

import io
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from .autoscaling import (
    TAG_OPERATIONS,
    AutoscalingError,
    AutoscalingTags,
    deregistered,
    extend_moto_dimensions,
)
from .calllog import CallLog
from .cloudwatch import extend_moto_cloudwatch
from .config import Config
from .faults import FaultInjector, Refusal
from .protocol import RequestInfo, classify, error_response
from .s3 import LifecycleSettings, default_encryption
from .sagemaker import api as sagemaker_api
from .sagemaker.errors import SageMakerError
from .sagemaker.store import Store

CONTROL_PREFIX = "/_localaws/"
StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class Settings:
    """The current Config (replaced as a whole, read without a lock) and the one to restore on reset."""

    def __init__(self, initial: Config) -> None:
        self.initial = initial
        self.current = initial
        self._lock = threading.Lock()

    def get(self) -> Config:
        return self.current

    def update(self, **changes: Any) -> Config:
        with self._lock:
            self.current = self.current.replace(**changes)
            return self.current

    def restore(self) -> None:
        with self._lock:
            self.current = self.initial

    def add_refusal(self, refusal: Refusal) -> Config:
        with self._lock:
            self.current = self.current.replace(refusals=(*self.current.refusals, refusal))
            return self.current

    def take_refusal(self, service: str, operation: str, params: dict[str, Any]) -> Refusal | None:
        """The first refusal matching the call, counted as used (so the next N calls are refused)."""
        with self._lock:
            refusals = self.current.refusals
            for index, refusal in enumerate(refusals):
                if refusal.matches(service, operation, params):
                    left = refusal.spent()
                    rest = (*refusals[:index], *([left] if left else []), *refusals[index + 1 :])
                    self.current = self.current.replace(refusals=rest)
                    return refusal
        return None


def reset_moto() -> None:
    from moto.moto_api._internal import moto_api_backend

    moto_api_backend.reset()


def account_for(access_key: str) -> str:
    """The account moto assigns to an access key (STS-assumed keys map to their role's account)."""
    from moto.iam.models import get_account_id_from

    return get_account_id_from(access_key)


class LocalAWSApp:
    def __init__(
        self, settings: Settings, calls: CallLog, faults: FaultInjector, store: Store, moto_app: WSGIApp
    ) -> None:
        self.settings = settings
        self.calls = calls
        self.faults = faults
        self.store = store
        self.moto_app = moto_app
        self.autoscaling_tags = AutoscalingTags()
        self.s3_lifecycle = LifecycleSettings()
        extend_moto_dimensions()
        extend_moto_cloudwatch()

    def reset(self) -> None:
        with self.store.lock:
            self.store.reset()
            reset_moto()
            self.autoscaling_tags.reset()
            self.s3_lifecycle.reset()
        self.settings.restore()
        self.faults.reseed(self.settings.get().seed)
        self.calls.clear()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith(CONTROL_PREFIX):
            return self._control(environ, start_response)
        body = _read_body(environ)
        info = classify(environ, body)
        entry = self.calls.append(info.log_entry())
        config = self.settings.get()
        if config.latency_ms > 0:
            time.sleep(config.latency_ms / 1000.0)
        refusal = (
            self.settings.take_refusal(info.service, info.operation, _match_params(info))
            if config.refusals
            else None
        )
        if refusal is not None:
            self.calls.set_status(entry, refusal.status)
            return _send_error(info, refusal.status, refusal.code, refusal.message, environ, start_response)
        fault = self.faults.decide(config.throttle_rate, config.error_rate)
        if fault.kind:
            self.calls.set_status(entry, fault.status)
            return _send_error(info, fault.status, fault.code, fault.message, environ, start_response)
        if info.service == "sagemaker" and info.protocol == "json":
            answered = self._sagemaker(info, environ, start_response, entry)
            if answered is not None:
                return answered
        if info.service == "application-autoscaling" and info.operation in TAG_OPERATIONS:
            return self._autoscaling_tags(info, environ, start_response, entry)
        if info.service == "s3" and info.operation == "GetBucketEncryption":
            return self._bucket_encryption(environ, start_response, entry)

        def recording_start_response(status: str, headers: list, exc_info: Any = None) -> Any:
            code = int(status.split(" ", 1)[0])
            self.calls.set_status(entry, code)
            if info.service == "s3":
                bucket = str(info.params.get("Bucket", ""))
                extra = self.s3_lifecycle.response_headers(info.operation, bucket, environ, code)
                if extra:  # ours replace moto's (it answers a fixed default on Get)
                    names = {name.lower() for name, _ in extra}
                    headers = [(k, v) for k, v in headers if k.lower() not in names] + extra
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        answer = self.moto_app(environ, recording_start_response)
        if entry.get("status") == 200:
            self._after_moto(info)
        return answer

    def _bucket_encryption(
        self, environ: dict[str, Any], start_response: StartResponse, entry: dict[str, Any]
    ) -> Iterable[bytes]:
        """GetBucketEncryption through moto; a bucket without a configuration answers S3's default."""
        answered: dict[str, Any] = {}

        def capture(status: str, headers: list, exc_info: Any = None) -> Callable[[bytes], None]:
            answered.update(status=status, headers=headers)
            return lambda _data: None

        body = b"".join(self.moto_app(environ, capture))
        status, headers = answered["status"], answered["headers"]
        default = default_encryption(status, body)
        if default is not None:
            status, headers, body = default
        self.calls.set_status(entry, int(status.split(" ", 1)[0]))
        start_response(status, headers)
        return [body]

    def _after_moto(self, info: RequestInfo) -> None:
        """Side effects of calls moto answered that moto itself lacks (Application Auto Scaling)."""
        if info.service != "application-autoscaling" or info.operation not in (
            "RegisterScalableTarget",
            "DeregisterScalableTarget",
        ):
            return
        try:
            request = json.loads(info.body or b"{}")
        except ValueError:
            return
        account = account_for(info.access_key)
        if info.operation == "RegisterScalableTarget":
            sagemaker_api.scalable_target_registered(self.store, account, info.region, request)
            self.autoscaling_tags.registered(account, info.region, request)
        else:
            deregistered(account, info.region, request)

    def _autoscaling_tags(
        self, info: RequestInfo, environ: dict[str, Any], start_response: StartResponse, entry: dict[str, Any]
    ) -> Iterable[bytes]:
        try:
            request = json.loads(info.body or b"{}")
            result = self.autoscaling_tags.call(
                account_for(info.access_key), info.region, info.operation, request
            )
        except AutoscalingError as error:
            self.calls.set_status(entry, error.status)
            return _send_error(info, error.status, error.code, error.message, environ, start_response)
        self.calls.set_status(entry, 200)
        return _json_answer(start_response, result)

    def _sagemaker(
        self, info: RequestInfo, environ: dict[str, Any], start_response: StartResponse, entry: dict[str, Any]
    ) -> Iterable[bytes] | None:
        try:
            request = json.loads(info.body or b"{}")
        except ValueError:
            request = {}
        if not isinstance(request, dict) or not sagemaker_api.handles(info.operation, request):
            return None
        try:
            result = sagemaker_api.call(
                self.store, account_for(info.access_key), info.region, info.operation, request
            )
        except SageMakerError as error:
            self.calls.set_status(entry, error.status)
            return _send_error(info, error.status, error.code, error.message, environ, start_response)
        except (KeyError, TypeError, ValueError) as error:
            self.calls.set_status(entry, 400)
            return _send_error(
                info, 400, "ValidationException", f"Invalid request: {error!r}", environ, start_response
            )
        self.calls.set_status(entry, 200)
        return _json_answer(start_response, result)

    def _control(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ["PATH_INFO"][len(CONTROL_PREFIX) :].strip("/")
        method = environ.get("REQUEST_METHOD", "GET").upper()
        try:
            if path == "calls" and method == "GET":
                return _json(start_response, 200, self.calls.entries())
            if path == "transitions" and method == "GET":
                return _json(start_response, 200, self.store.transitions())
            if path == "reset" and method == "POST":
                self.reset()
                return _json(start_response, 200, {"reset": True})
            if path == "config" and method == "GET":
                return _json(start_response, 200, self.settings.get().as_dict())
            if path == "config" and method == "POST":
                changes = json.loads(_read_body(environ) or b"{}")
                if not isinstance(changes, dict):
                    raise ValueError("the body must be a JSON object of settings")
                config = self.settings.update(**changes)
                if "seed" in changes:
                    self.faults.reseed(config.seed)
                return _json(start_response, 200, config.as_dict())
            if path == "health":
                return _json(start_response, 200, {"status": "ok"})
        except ValueError as error:
            return _json(start_response, 400, {"error": str(error)})
        return _json(start_response, 404, {"error": f"unknown control call {method} /_localaws/{path}"})


def _match_params(info: RequestInfo) -> dict[str, Any]:
    """What a refusal's ``match`` is compared with: the logged ids, plus JSON bodies' top-level scalars."""
    params = dict(info.params)
    if info.protocol == "json":
        try:
            document = json.loads(info.body or b"{}")
        except ValueError:
            document = {}
        if isinstance(document, dict):
            params.update({k: v for k, v in document.items() if isinstance(v, (str, int, float, bool))})
    return params


def _read_body(environ: dict[str, Any]) -> bytes:
    """Read the whole request body and put it back for moto."""
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    length = environ.get("CONTENT_LENGTH")
    if length:
        body = stream.read(int(length))
    elif environ.get("wsgi.input_terminated"):
        body = stream.read()
    else:
        body = b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _send_error(
    info: RequestInfo,
    status: int,
    code: str,
    message: str,
    environ: dict[str, Any],
    start_response: StartResponse,
) -> Iterable[bytes]:
    response = error_response(info, status, code, message, environ.get("CONTENT_TYPE", ""))
    reason = {
        400: "Bad Request",
        403: "Forbidden",
        404: "Not Found",
        409: "Conflict",
        429: "Too Many Requests",
        500: "Internal Server Error",
        503: "Service Unavailable",
    }.get(status, "Error")
    body = b"" if environ.get("REQUEST_METHOD") == "HEAD" else response.body
    start_response(f"{status} {reason}", [*response.headers, ("Content-Length", str(len(body)))])
    return [body]


def _json_answer(start_response: StartResponse, result: Any) -> Iterable[bytes]:
    """A successful answer in the JSON 1.1 protocol (SageMaker, Application Auto Scaling)."""
    payload = json.dumps(result).encode()
    start_response(
        "200 OK",
        [
            ("Content-Type", "application/x-amz-json-1.1"),
            ("Content-Length", str(len(payload))),
            ("x-amzn-RequestId", str(uuid.uuid4())),
        ],
    )
    return [payload]


def _json(start_response: StartResponse, status: int, value: Any) -> Iterable[bytes]:
    payload = json.dumps(value).encode()
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found"}.get(status, "OK")
    start_response(
        f"{status} {reason}", [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
    )
    return [payload]
