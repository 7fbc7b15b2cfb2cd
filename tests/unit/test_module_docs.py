"""The inputs and outputs tables of the README files match variables.tf and outputs.tf.

For the root module and every submodule under modules/, the section between ``<!-- BEGIN_TF_INPUTS -->``
and ``<!-- END_TF_INPUTS -->`` (and the outputs markers) must be exactly the table rendered from the
Terraform files, parsed with python-hcl2. Regenerate the tables after changing a variable or an output:

    .venv/bin/python tests/unit/test_module_docs.py --write
"""

from __future__ import annotations

import json
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hcl2
import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULE_DIRS = [ROOT, *sorted(p for p in (ROOT / "modules").iterdir() if (p / "variables.tf").is_file())]

INPUTS = ("<!-- BEGIN_TF_INPUTS -->", "<!-- END_TF_INPUTS -->")
OUTPUTS = ("<!-- BEGIN_TF_OUTPUTS -->", "<!-- END_TF_OUTPUTS -->")


@dataclass(frozen=True)
class Input:
    name: str
    description: str
    type: str
    default: str | None  # rendered default; None when the input is required


@dataclass(frozen=True)
class Output:
    name: str
    description: str


def _unquote(value: str) -> str:
    """python-hcl2 keeps string quotes and heredoc markers: give the text itself."""
    text = value.strip()
    heredoc = re.fullmatch(r'"?<<(-?)(\w+)\n(.*)\n\s*\2"?', text, flags=re.DOTALL)
    if heredoc:
        body = heredoc.group(3)
        return textwrap.dedent(body) if heredoc.group(1) else body
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return json.loads(text)
    return text


def _one_line(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _short_type(expression: str) -> str:
    """`${list(object({a = string, ...}))}` -> `list(object)`: the shape, not every attribute."""
    text = expression.strip()
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1]
    out = []
    i = 0
    while i < len(text):
        if text.startswith("object(", i):
            # Skip to the parenthesis that closes `object(`, whatever nests inside.
            depth = 0
            j = i + len("object")
            while j < len(text):
                depth += {"(": 1, ")": -1}.get(text[j], 0)
                j += 1
                if depth == 0:
                    break
            out.append("object")
            i = j
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _strip_interpolation(value: Any) -> Any:
    if isinstance(value, str):
        inner = value[2:-1] if value.startswith("${") and value.endswith("}") else value
        return _unquote(inner) if inner.startswith('"') else inner
    if isinstance(value, list):
        return [_strip_interpolation(v) for v in value]
    if isinstance(value, dict):
        return {_unquote(k): _strip_interpolation(v) for k, v in value.items() if k != "__is_block__"}
    return value


def _blocks(path: Path, kind: str) -> list[tuple[str, dict[str, Any]]]:
    with path.open(encoding="utf-8") as handle:
        document = hcl2.load(handle)
    found = []
    for entry in document.get(kind, []):
        for raw_name, body in entry.items():
            found.append((_unquote(raw_name), body))
    return found


def read_inputs(module_dir: Path) -> list[Input]:
    inputs = []
    for name, body in _blocks(module_dir / "variables.tf", "variable"):
        default = None
        if "default" in body:
            default = json.dumps(_strip_interpolation(body["default"]), sort_keys=True)
        inputs.append(
            Input(
                name=name,
                description=_one_line(_unquote(body.get("description", '""'))),
                type=_short_type(str(body.get("type", "any"))),
                default=default,
            )
        )
    return inputs


def read_outputs(module_dir: Path) -> list[Output]:
    return [
        Output(name=name, description=_one_line(_unquote(body.get("description", '""'))))
        for name, body in _blocks(module_dir / "outputs.tf", "output")
    ]


def render_inputs(inputs: list[Input]) -> str:
    lines = ["| Name | Description | Type | Default | Required |", "| --- | --- | --- | --- | :---: |"]
    for item in sorted(inputs, key=lambda i: (i.default is not None, i.name)):
        default = "n/a" if item.default is None else f"`{item.default}`"
        required = "yes" if item.default is None else "no"
        lines.append(f"| `{item.name}` | {item.description} | `{item.type}` | {default} | {required} |")
    return "\n".join(lines)


def render_outputs(outputs: list[Output]) -> str:
    lines = ["| Name | Description |", "| --- | --- |"]
    lines += [f"| `{o.name}` | {o.description} |" for o in sorted(outputs, key=lambda o: o.name)]
    return "\n".join(lines)


def section(text: str, markers: tuple[str, str]) -> str | None:
    begin, end = markers
    match = re.search(re.escape(begin) + r"\n?(.*?)\n?" + re.escape(end), text, flags=re.DOTALL)
    return None if match is None else match.group(1).strip()


def with_section(text: str, markers: tuple[str, str], body: str) -> str:
    begin, end = markers
    return re.sub(
        re.escape(begin) + r".*?" + re.escape(end),
        lambda _: f"{begin}\n{body}\n{end}",
        text,
        flags=re.DOTALL,
    )


def expected_sections(module_dir: Path) -> dict[tuple[str, str], str]:
    return {
        INPUTS: render_inputs(read_inputs(module_dir)),
        OUTPUTS: render_outputs(read_outputs(module_dir)),
    }


def _label(module_dir: Path) -> str:
    return "root" if module_dir == ROOT else module_dir.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("module_dir", MODULE_DIRS, ids=_label)
def test_readme_tables_match_terraform(module_dir: Path) -> None:
    readme = (module_dir / "README.md").read_text(encoding="utf-8")
    for markers, expected in expected_sections(module_dir).items():
        found = section(readme, markers)
        assert found is not None, f"{_label(module_dir)}/README.md lacks {markers[0]} ... {markers[1]}"
        assert found == expected, (
            f"{_label(module_dir)}/README.md {markers[0]} table is out of date: "
            "run `.venv/bin/python tests/unit/test_module_docs.py --write`"
        )


@pytest.mark.parametrize("module_dir", MODULE_DIRS, ids=_label)
def test_every_input_and_output_is_described(module_dir: Path) -> None:
    undocumented = [i.name for i in read_inputs(module_dir) if not i.description]
    undocumented += [o.name for o in read_outputs(module_dir) if not o.description]
    assert undocumented == []


def test_the_renderer_sees_a_change() -> None:
    """The check can fail: a renamed input, a new default or an edited description changes the table."""
    base = [Input("name", "The name.", "string", None), Input("tags", "Tags.", "map(string)", "{}")]
    table = render_inputs(base)
    assert render_inputs([Input("endpoint", "The name.", "string", None), base[1]]) != table
    assert render_inputs([base[0], Input("tags", "Tags.", "map(string)", '{"a": "b"}')]) != table
    assert render_inputs([Input("name", "Another name.", "string", None), base[1]]) != table


def test_types_are_summarised() -> None:
    assert _short_type("${list(object({a = string, b = optional(object({c = number}))}))}") == "list(object)"
    assert _short_type('${object({e = optional(map(string), {}), n = optional(string, "x")})}') == "object"
    assert _short_type("${map(string)}") == "map(string)"
    assert _short_type("bool") == "bool"


def main(argv: list[str]) -> int:
    if argv != ["--write"]:
        print(__doc__, file=sys.stderr)
        return 1
    for module_dir in MODULE_DIRS:
        path = module_dir / "README.md"
        text = path.read_text(encoding="utf-8")
        for markers, body in expected_sections(module_dir).items():
            if section(text, markers) is None:
                raise SystemExit(f"{path}: add the markers {markers[0]} and {markers[1]} first")
            text = with_section(text, markers, body)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
