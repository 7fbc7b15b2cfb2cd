"""Recognise an AWS request (service, operation, identifying parameters) and build errors in its protocol.

Service: the SigV4 credential scope of the Authorization header. Operation: ``X-Amz-Target`` (JSON
protocols), ``Action`` (query protocol), the Smithy RPCv2 path, or else the method and path matched against
the service's botocore model (REST protocols such as S3).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote

import botocore.session

# Signing names whose boto3 client name differs.
SIGNING_TO_CLIENT = {
    "monitoring": "cloudwatch",
    "email": "ses",
    "states": "stepfunctions",
    "execute-api": "apigateway",
    "events": "events",
}
READ_PREFIXES = ("Describe", "List", "Get", "Head", "BatchGet", "Search", "Query", "Scan")
IDENTIFYING_SUFFIXES = ("name", "names", "arn", "arns", "id", "ids", "bucket", "key")
CREDENTIAL_RE = re.compile(r"Credential=([^,\s]+)")
QUERY_TAG_RE = re.compile(r"^Tags\.member\.(\d+)\.(Key|Value)$")
RPCV2_PATH_RE = re.compile(r"^/service/[^/]+/operation/([^/?]+)")


@dataclass(frozen=True)
class RequestInfo:
    """What one HTTP request to localaws is, in AWS terms."""

    service: str
    operation: str
    protocol: str  # json | query | rest-xml | rest-json | rpcv2
    region: str
    access_key: str
    params: dict[str, Any] = field(default_factory=dict)
    target: str = ""
    body: bytes = b""
    user_agent: str = ""  # the caller (Terraform, the deployer, a test), for the IAM replay proof
    tags: dict[str, str] = field(default_factory=dict)  # the request's tags (aws:RequestTag in the replay)

    @property
    def write(self) -> bool:
        return is_write(self.operation)

    def log_entry(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "operation": self.operation,
            "params": self.params,
            "write": self.write,
            "user_agent": self.user_agent,
            "tags": self.tags,
        }


def is_write(operation: str) -> bool:
    """Read: Describe*/List*/Get*/Head*/BatchGet*/Search*/Query*/Scan*, else write."""
    return not operation.startswith(READ_PREFIXES)


def credential_scope(environ: dict[str, Any]) -> tuple[str, str, str]:
    """(access key, region, signing name) from a SigV4 Authorization header (or presigned query)."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    match = CREDENTIAL_RE.search(auth)
    credential = match.group(1) if match else ""
    if not credential:
        query = parse_qs(environ.get("QUERY_STRING", ""))
        credential = (query.get("X-Amz-Credential") or [""])[0]
    parts = credential.split("/")
    if len(parts) >= 5:
        return parts[0], parts[2], parts[3].lower()
    return "", "us-east-1", ""


def classify(environ: dict[str, Any], body: bytes) -> RequestInfo:
    """The request in AWS terms, with the caller's User-Agent."""
    info = _classify(environ, body)
    return dataclasses.replace(info, user_agent=environ.get("HTTP_USER_AGENT", ""), tags=request_tags(info))


def request_tags(info: RequestInfo) -> dict[str, str]:
    """The tags a JSON or query request carries (``Tags``/``tags`` as a list of Key/Value or a map)."""
    if info.protocol == "query":
        form = parse_qs(info.body.decode("utf-8", "replace"), keep_blank_values=True) if info.body else {}
        pairs: dict[str, dict[str, str]] = {}
        for key, values in form.items():
            matched = QUERY_TAG_RE.match(key)
            if matched:
                pairs.setdefault(matched.group(1), {})[matched.group(2)] = values[0]
        return {p["Key"]: p.get("Value", "") for p in pairs.values() if "Key" in p}
    if info.protocol != "json":
        return {}
    try:
        document = json.loads(info.body or b"{}")
    except ValueError:
        return {}
    raw = document.get("Tags", document.get("tags")) if isinstance(document, dict) else None
    if isinstance(raw, dict):
        return {str(k): str(v) for k, v in raw.items()}
    if isinstance(raw, list):
        found = {}
        for item in raw:
            if isinstance(item, dict):
                key = item.get("Key", item.get("TagKey"))
                if key is not None:
                    found[str(key)] = str(item.get("Value", item.get("TagValue", "")))
        return found
    return {}


def _classify(environ: dict[str, Any], body: bytes) -> RequestInfo:
    access_key, region, signing = credential_scope(environ)
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    method = environ.get("REQUEST_METHOD", "GET").upper()
    path = environ.get("PATH_INFO", "/") or "/"
    query_string = environ.get("QUERY_STRING", "")
    content_type = environ.get("CONTENT_TYPE", "")
    form: dict[str, list[str]] = {}
    if content_type.startswith("application/x-www-form-urlencoded") and body:
        form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    query = parse_qs(query_string, keep_blank_values=True)
    action = (form.get("Action") or query.get("Action") or [""])[0]
    service = SIGNING_TO_CLIENT.get(signing, signing)
    if not service and action in ("AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"):
        service = "sts"

    if target:
        operation = target.rsplit(".", 1)[-1]
        return RequestInfo(
            service or "unknown", operation, "json", region, access_key, _json_params(body), target, body
        )
    if action:
        merged = {**query, **form}
        return RequestInfo(
            service or "unknown", action, "query", region, access_key, _query_params(merged), target, body
        )
    rpc = RPCV2_PATH_RE.match(path)
    if rpc and environ.get("HTTP_SMITHY_PROTOCOL", ""):
        return RequestInfo(service or "unknown", rpc.group(1), "rpcv2", region, access_key, {}, target, body)
    protocol = "rest-xml" if service in ("s3", "s3control", "route53", "cloudfront") else "rest-json"
    operation, labels = match_rest_operation(service, method, path, query, environ)
    return RequestInfo(service or "unknown", operation, protocol, region, access_key, labels, target, body)


def _identifying(key: str) -> bool:
    return key.lower().endswith(IDENTIFYING_SUFFIXES)


# Request fields behind IAM condition keys, kept whole in the call log for the replay proof (tests/iamproof):
# CreateModel's VpcConfig and EnableNetworkIsolation are sagemaker:VpcSubnets, sagemaker:VpcSecurityGroupIds
# and sagemaker:NetworkIsolation (SageMaker service authorization reference).
CONDITION_PARAMS = frozenset({"VpcConfig", "EnableNetworkIsolation"})


def _json_params(body: bytes) -> dict[str, Any]:
    try:
        document = json.loads(body or b"{}")
    except ValueError:
        return {}
    if not isinstance(document, dict):
        return {}
    params: dict[str, Any] = {}
    for key, value in document.items():
        if key in CONDITION_PARAMS:
            params[key] = value
            continue
        if not _identifying(key):
            continue
        if isinstance(value, (str, int, float)) or (
            isinstance(value, list) and all(isinstance(item, (str, int, float)) for item in value)
        ):
            params[key] = value
    return params


def _query_params(form: dict[str, list[str]]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for key, values in form.items():
        if key in ("Action", "Version"):
            continue
        base = key.split(".", 1)[0]
        if not _identifying(base):
            continue
        if "." in key:
            params.setdefault(base, []).extend(values)
        else:
            params[base] = values[0]
    return params


@dataclass(frozen=True)
class _RestRoute:
    operation: str
    method: str
    pattern: re.Pattern[str]
    labels: tuple[str, ...]
    literals: tuple[tuple[str, str | None], ...]  # query-string literals of the requestUri
    headers: tuple[str, ...]  # required members sent as headers (WSGI environ keys)
    query_members: tuple[str, ...] = ()  # required members sent in the query string
    deprecated: bool = False  # botocore marks superseded operations (GetBucketLifecycle, ...)


_models_lock = threading.Lock()
LABEL_RE = re.compile(r"\{([^}]+)\}")


def _path_regex(path: str) -> tuple[str, list[str]]:
    regex, labels, position = "", [], 0
    for match in LABEL_RE.finditer(path):
        regex += re.escape(path[position : match.start()])
        name = match.group(1)
        labels.append(name.rstrip("+"))
        regex += "(.+)" if name.endswith("+") else "([^/]+)"
        position = match.end()
    regex += re.escape(path[position:])
    return regex, labels


def _required_headers(operation: Any) -> tuple[str, ...]:
    shape = operation.input_shape
    if shape is None:
        return ()
    required = set(shape.required_members)
    return tuple(
        "HTTP_" + member.serialization["name"].upper().replace("-", "_")
        for name, member in shape.members.items()
        if name in required and member.serialization.get("location") == "header"
    )


def _required_query_members(operation: Any) -> tuple[str, ...]:
    shape = operation.input_shape
    if shape is None:
        return ()
    required = set(shape.required_members)
    return tuple(
        member.serialization["name"]
        for name, member in shape.members.items()
        if name in required and member.serialization.get("location") == "querystring"
    )


@functools.lru_cache(maxsize=64)
def _rest_routes(service: str) -> tuple[_RestRoute, ...]:
    with _models_lock:
        try:
            model = botocore.session.get_session().get_service_model(service)
        except Exception:  # unknown service: no routes
            return ()
    routes = []
    for name in model.operation_names:
        operation = model.operation_model(name)
        http = operation.http
        path_part, _, query_part = http.get("requestUri", "/").partition("?")
        regex, labels = _path_regex(path_part.rstrip("/"))
        literals = []
        for item in filter(None, query_part.split("&")):
            key, sep, value = item.partition("=")
            literals.append((key, value if sep else None))
        routes.append(
            _RestRoute(
                name,
                http.get("method", "GET").upper(),
                re.compile(f"^{regex}/?$"),
                tuple(labels),
                tuple(literals),
                _required_headers(operation),
                _required_query_members(operation),
                bool(operation.deprecated),
            )
        )
    return tuple(routes)


def match_rest_operation(
    service: str, method: str, path: str, query: dict[str, list[str]], environ: dict[str, Any] | None = None
) -> tuple[str, dict]:
    """The botocore operation a REST request is for (most specific match wins), and its path labels."""
    environ = environ or {}
    best: tuple[int, _RestRoute, re.Match[str]] | None = None
    for route in _rest_routes(service) if service else ():
        if route.method != method:
            continue
        matched = route.pattern.match(path)
        if not matched:
            continue
        if not all(key in query and (value is None or value in query[key]) for key, value in route.literals):
            continue
        if not all(header in environ for header in route.headers):
            continue
        if not all(member in query for member in route.query_members):
            continue
        # The most specific route wins; between equals, the current operation over a deprecated one
        # (PUT /bucket?lifecycle is PutBucketLifecycleConfiguration, not PutBucketLifecycle).
        specific = len(route.literals) + len(route.headers) + len(route.query_members)
        score = specific * 10 - len(route.labels) - (5 if route.deprecated else 0)
        if best is None or score > best[0]:
            best = (score, route, matched)
    if best is None:
        return f"{method} {path}", {}
    _, route, matched = best
    labels = {name: unquote(value) for name, value in zip(route.labels, matched.groups(), strict=False)}
    return route.operation, labels


# ---------------------------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class ErrorResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def error_response(
    info: RequestInfo, status: int, code: str, message: str, content_type: str = ""
) -> ErrorResponse:
    """An error in the request's own protocol, so that botocore (and the Go SDK) parse its code."""
    request_id = str(uuid.uuid4())
    if info.protocol == "json":
        body = json.dumps({"__type": code, "message": message}).encode()
        headers = [
            ("Content-Type", content_type or "application/x-amz-json-1.1"),
            ("x-amzn-RequestId", request_id),
        ]
        if info.service == "cloudwatch":  # awsQueryCompatible: the query-protocol code travels in a header
            headers.append(("x-amzn-query-error", f"{code};{'Sender' if status < 500 else 'Receiver'}"))
        return ErrorResponse(status, headers, body)
    if info.protocol == "query":
        kind = "Sender" if status < 500 else "Receiver"
        body = (
            f"<ErrorResponse><Error><Type>{kind}</Type><Code>{code}</Code><Message>{_xml(message)}</Message>"
            f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        ).encode()
        return ErrorResponse(status, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], body)
    if info.protocol == "rest-xml":
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{_xml(message)}'
            f"</Message><RequestId>{request_id}</RequestId></Error>"
        ).encode()
        return ErrorResponse(
            status, [("Content-Type", "application/xml"), ("x-amz-request-id", request_id)], body
        )
    body = json.dumps({"message": message}).encode()
    return ErrorResponse(
        status,
        [("Content-Type", "application/json"), ("x-amzn-ErrorType", code), ("x-amzn-RequestId", request_id)],
        body,
    )


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
