"""Decode a program's stdout the way Go's ``json.Unmarshal`` into ``map[string]string`` does.

The real hashicorp/external provider (v2.4.0, internal/provider/data_source.go) unmarshals the
program's stdout into ``map[string]string`` and puts ``err.Error()`` into its diagnostic. This module
reproduces that decision and the wording of Go's encoding/json (v1) errors, so the stand-in fails
exactly where the real provider fails:

- invalid JSON: a ``SyntaxError`` such as ``invalid character 'h' looking for beginning of value`` or
  ``unexpected end of JSON input``;
- a top-level value that is not an object: ``json: cannot unmarshal array into Go value of type
  map[string]string``;
- an object member that is a number, bool, array or object: ``json: cannot unmarshal number into Go
  value of type string`` (the first such member, in document order);
- a ``null`` member becomes ``""`` (Go leaves the string's zero value), a top-level ``null`` an empty map.

Syntax errors are located with Python's decoder and worded like Go's scanner; for a few malformed
literals (``tru``, ``01``) Go names a different character than we do. The summary, the detail text
and the error class are the same.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

_WHITESPACE = " \t\r\n"


@dataclass(frozen=True)
class GoJSONError(Exception):
    """A decoding failure carrying the text Go's ``err.Error()`` would give."""

    message: str

    def __str__(self) -> str:
        return self.message


def _quote_char(char: str) -> str:
    """Go's ``quoteChar``: how the scanner names an offending character."""
    if char == "'":
        return "'\\''"
    if char == '"':
        return "'\"'"
    quoted = json.dumps(char)[1:-1]
    if char == "\\":
        quoted = "\\\\"
    return f"'{quoted}'"


def _go_type_name(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _reject_constant(name: str) -> object:
    raise ValueError(f"constant {name}")


def _syntax_error(text: str, exc: json.JSONDecodeError) -> GoJSONError:
    pos = exc.pos
    if pos >= len(text) or text[pos:].strip(_WHITESPACE) == "" or exc.msg.startswith("Unterminated"):
        return GoJSONError("unexpected end of JSON input")
    char = text[pos]
    context = "looking for beginning of value"
    if exc.msg.startswith("Expecting property name"):
        context = "looking for beginning of object key string"
    elif exc.msg.startswith("Expecting ':'"):
        context = "after object key"
    elif exc.msg.startswith("Expecting ','"):
        context = "after object key:value pair" if _innermost_is_object(text, pos) else "after array element"
    elif exc.msg.startswith("Extra data"):
        context = "after top-level value"
    elif exc.msg.startswith("Invalid control character") or exc.msg.startswith("Invalid \\escape"):
        context = "in string literal" if exc.msg.startswith("Invalid control") else "in string escape code"
    return GoJSONError(f"invalid character {_quote_char(char)} {context}")


def _innermost_is_object(text: str, pos: int) -> bool:
    """Whether the innermost open bracket before ``pos`` is ``{`` (strings skipped)."""
    stack: list[str] = []
    for match in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', text[:pos]):
        token = match.group(0)
        if token in "[{":
            stack.append(token)
        elif token in "]}" and stack:
            stack.pop()
    return bool(stack) and stack[-1] == "{"


def decode_string_map(data: bytes) -> dict[str, str]:
    """Decode ``data`` like ``json.Unmarshal(data, &map[string]string{})``; raise GoJSONError."""
    text = data.decode("utf-8", errors="replace")
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise _syntax_error(text, exc) from None
    except ValueError:
        match = re.search(r"-?(NaN|Infinity)", text)
        char = text[match.start()] if match else "?"
        raise GoJSONError(f"invalid character {_quote_char(char)} looking for beginning of value") from None
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise GoJSONError(
            f"json: cannot unmarshal {_go_type_name(value)} into Go value of type map[string]string"
        )
    result: dict[str, str] = {}
    for key, item in value.items():
        if item is None:
            result[key] = ""
        elif isinstance(item, str):
            result[key] = item
        else:
            raise GoJSONError(f"json: cannot unmarshal {_go_type_name(item)} into Go value of type string")
    return result
