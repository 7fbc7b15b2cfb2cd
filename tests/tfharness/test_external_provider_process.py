"""The built stand-in as Terraform starts it: go-plugin handshake on stdout, gRPC over a unix socket.

Terraform asks a provider to stop (StopProvider) when the run is cancelled; the real provider runs the
program with ``exec.CommandContext`` and so kills it (AWS-FACTS.md, Terraform ``external`` data source).
"""

from __future__ import annotations

import base64
import contextlib
import os
import subprocess
import sys
import threading
import time

import grpc
import msgpack
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from tf.gen import tfplugin_pb2 as pb
from tf.gen import tfplugin_pb2_grpc as rpc


@pytest.fixture
def provider(tf_harness):
    process = subprocess.Popen([str(tf_harness.external_launcher)], stdout=subprocess.PIPE, text=True)
    try:
        handshake = process.stdout.readline().strip().split("|")
        core_version, protocol, network, address, kind, cert = handshake
        assert (core_version, protocol, network, kind) == ("1", "6", "unix", "grpc")
        der = base64.b64decode(cert + "=" * (-len(cert) % 4))
        pem = x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM)
        channel = grpc.secure_channel(
            f"unix:{address}",
            grpc.ssl_channel_credentials(root_certificates=pem),
            options=[("grpc.ssl_target_name_override", "localhost")],
        )
        yield process, rpc.ProviderStub(channel)
        channel.close()
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


def _config(program: list[str]) -> pb.DynamicValue:
    value = {"program": program, "working_dir": None, "query": {"k": "v"}, "result": None, "id": None}
    return pb.DynamicValue(msgpack=msgpack.packb(value))


def _children(pid: int) -> list[int]:
    listed = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
    return [int(child) for child in listed.stdout.split()]


def test_read_returns_the_result(provider):
    _process, stub = provider
    program = [
        sys.executable,
        "-c",
        "import json,sys; q=json.load(sys.stdin); print(json.dumps({'got': q['k']}))",
    ]
    response = stub.ReadDataSource(pb.ReadDataSource.Request(type_name="external", config=_config(program)))
    assert list(response.diagnostics) == []
    state = msgpack.unpackb(response.state.msgpack)
    assert state["result"] == {"got": "v"}
    assert state["id"] == "-"


def test_stop_provider_kills_the_running_program(provider):
    process, stub = provider
    program = [sys.executable, "-c", "import time; time.sleep(120)"]
    outcome: list[object] = []

    def read() -> None:
        request = pb.ReadDataSource.Request(type_name="external", config=_config(program))
        try:
            outcome.append(stub.ReadDataSource(request))
        except grpc.RpcError as error:
            outcome.append(error)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + 10
    while not _children(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    (child,) = _children(process.pid)
    # The server stops right after the call, so its answer may be lost; Terraform ignores it too.
    with contextlib.suppress(grpc.RpcError):
        stub.StopProvider(pb.StopProvider.Request())
    assert process.wait(timeout=10) == 0
    deadline = time.monotonic() + 5
    while os.path.exists(f"/proc/{child}") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not os.path.exists(f"/proc/{child}")
    reader.join(timeout=5)
    # The read ends either cut off with the server or, when the killed program's answer wins the race
    # with the shutdown, with an error diagnostic (Go's exec.CommandContext: "signal: killed"); never a
    # result. Terraform ignores both once it has asked the provider to stop.
    assert len(outcome) == 1
    (answer,) = outcome
    if not isinstance(answer, grpc.RpcError):
        assert answer.diagnostics and not answer.HasField("state"), answer
