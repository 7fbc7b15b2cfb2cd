"""List* semantics shared by ListModels / ListEndpointConfigs / ListEndpoints: filters, sort, pages."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from .errors import constraint, validation

T = TypeVar("T")

SORT_FIELDS = {"Name": "name", "CreationTime": "created", "Status": "status"}


def filter_and_page(
    items: Sequence[T],
    request: dict[str, Any],
    fields: Callable[[T], dict[str, Any]],
    sort_by_allowed: tuple[str, ...],
    default_max: int = 10,
) -> tuple[list[T], str | None]:
    """Apply NameContains, Creation/LastModifiedTime Before/After, StatusEquals, SortBy/SortOrder (default
    CreationTime Descending) and MaxResults/NextToken to ``items``."""
    sort_by = request.get("SortBy", "CreationTime")
    if sort_by not in sort_by_allowed:
        raise constraint(
            sort_by, "sortBy", f"Member must satisfy enum value set: [{', '.join(sort_by_allowed)}]"
        )
    sort_order = request.get("SortOrder", "Descending")
    if sort_order not in ("Ascending", "Descending"):
        raise constraint(
            sort_order, "sortOrder", "Member must satisfy enum value set: [Ascending, Descending]"
        )
    max_results = int(request.get("MaxResults", default_max))
    if not 1 <= max_results <= 100:
        raise constraint(max_results, "maxResults", "Member must have value less than or equal to 100")
    selected = [item for item in items if _matches(fields(item), request)]
    key = SORT_FIELDS[sort_by]
    selected.sort(
        key=lambda item: (fields(item)[key], fields(item)["name"]), reverse=sort_order == "Descending"
    )
    start = _decode_token(request.get("NextToken"))
    page = selected[start : start + max_results]
    next_start = start + max_results
    token = _encode_token(next_start) if next_start < len(selected) else None
    return page, token


def _matches(item: dict[str, Any], request: dict[str, Any]) -> bool:
    contains = request.get("NameContains")
    if contains and contains.lower() not in item["name"].lower():
        return False
    checks = (
        ("CreationTimeBefore", "created", lambda value, bound: value < bound),
        ("CreationTimeAfter", "created", lambda value, bound: value > bound),
        ("LastModifiedTimeBefore", "modified", lambda value, bound: value < bound),
        ("LastModifiedTimeAfter", "modified", lambda value, bound: value > bound),
    )
    for param, field, check in checks:
        if param in request and field in item and not check(item[field], float(request[param])):
            return False
    status = request.get("StatusEquals")
    return not (status and item.get("status") != status)


def _encode_token(start: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"start": start}).encode()).decode()


def _decode_token(token: str | None) -> int:
    if not token:
        return 0
    try:
        return int(json.loads(base64.urlsafe_b64decode(token.encode()))["start"])
    except (ValueError, KeyError, TypeError) as error:
        raise validation("Invalid pagination token: the NextToken is not valid.") from error
