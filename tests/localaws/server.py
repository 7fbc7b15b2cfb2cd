"""A running localaws: the HTTP server thread, the lifecycle ticker thread, and the handle tests use."""

from __future__ import annotations

import json
import os
import threading
import urllib.request
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

from .app import LocalAWSApp, Settings
from .calllog import CallLog
from .config import Config, from_env
from .faults import FaultInjector, Refusal
from .sagemaker import api as sagemaker_api
from .sagemaker.store import Store


def _moto_app() -> Any:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    return DomainDispatcherApplication(create_backend_app)


class LocalAWS:
    """Handle on an in-process localaws (see ``start``)."""

    def __init__(self, server: BaseWSGIServer, app: LocalAWSApp, host: str) -> None:
        self._server = server
        self._app = app
        self._host = host
        self._stopping = threading.Event()
        self._threads = [
            threading.Thread(target=server.serve_forever, name="localaws-http", daemon=True),
            threading.Thread(target=self._tick_forever, name="localaws-ticker", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def config(self) -> Config:
        return self._app.settings.get()

    def calls(self) -> list[dict[str, Any]]:
        """Every AWS call since the last reset, in order: service, operation, params, write, status."""
        return self._app.calls.entries()

    def transitions(self) -> list[dict[str, Any]]:
        """Every endpoint phase change (status, live and pending configuration) since the last reset, in
        order, with the wall-clock ``time`` and simulated ``sim_time`` it happened at."""
        return self._app.store.transitions()

    def reset(self) -> None:
        """Clear the call log and every AWS state (moto's and ours); restore the start configuration."""
        self._app.reset()

    def configure(self, **changes: Any) -> Config:
        """Change settings at run time, e.g. ``configure(throttle_rate=0.5, seed=1)``."""
        config = self._app.settings.update(**changes)
        if "seed" in changes:
            self._app.faults.reseed(config.seed)
        return config

    def refuse(
        self,
        service: str,
        operation: str,
        *,
        code: str,
        message: str = "",
        status: int = 400,
        times: int = 0,
        match: dict[str, str] | None = None,
    ) -> Refusal:
        """Answer ``operation`` of ``service`` with the AWS error ``code`` for the next ``times`` calls
        (0: until ``clear_refusals`` or reset), e.g. ``refuse("sagemaker", "CreateModel",
        code="AccessDeniedException", message="... iam:PassRole ...", times=1)``. ``match``: parameters
        the request must have (wildcards allowed), e.g. ``{"EndpointConfigName": "ep-*"}``."""
        refusal = Refusal(service, operation, code, message, status, times, dict(match or {}))
        self._app.settings.add_refusal(refusal)
        return refusal

    def clear_refusals(self) -> None:
        self._app.settings.update(refusals=[])

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    def _tick_forever(self) -> None:
        while not self._stopping.wait(self._app.settings.get().tick_seconds):
            sagemaker_api.tick(self._app.store)

    def __enter__(self) -> LocalAWS:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _handler(log_requests: bool) -> type:
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    if log_requests:
        return MotoRequestHandler

    class QuietHandler(MotoRequestHandler):
        def log_request(self, *args: Any, **kwargs: Any) -> None:
            pass

    return QuietHandler


def start(
    port: int = 0,
    host: str = "127.0.0.1",
    environ: dict[str, str] | None = None,
    log_requests: bool = False,
    **config: Any,
) -> LocalAWS:
    """Serve localaws on ``host:port`` (0: a free port) in background threads.

    Settings come from ``LOCALAWS_*`` variables of ``environ`` (default: os.environ), then ``config``.
    moto's state is per process: run one localaws per process.
    """
    settings = Settings(from_env(os.environ if environ is None else environ, **config))
    faults = FaultInjector(settings.get().seed)
    app = LocalAWSApp(settings, CallLog(), faults, Store(settings.get), _moto_app())
    server = make_server(host, port, app, threaded=True, request_handler=_handler(log_requests))
    return LocalAWS(server, app, host)


def control(url: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """Call a control endpoint of the localaws at ``url`` (e.g. ``python -m tests.localaws``)."""
    data = None if body is None and path in ("calls", "transitions") else json.dumps(body or {}).encode()
    request = urllib.request.Request(
        f"{url}/_localaws/{path}",
        data=data,
        method="POST" if data else "GET",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())
