"""Read ``python -X importtime`` output: total import time, module count, the heaviest imports."""

from __future__ import annotations

import re
from dataclasses import dataclass

_LINE = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)\s*$")


@dataclass(frozen=True)
class ImportProfile:
    total_us: int
    modules: tuple[str, ...]
    heaviest: tuple[tuple[str, int], ...]  # top-level imports by cumulative time, slowest first

    def has(self, package: str) -> bool:
        return any(m == package or m.startswith(package + ".") for m in self.modules)


def parse(stderr: str, top: int = 5) -> ImportProfile:
    total = 0
    modules: list[str] = []
    top_level: list[tuple[str, int]] = []
    for line in stderr.splitlines():
        match = _LINE.match(line)
        if not match:
            continue
        self_us, cumulative_us, indent, module = int(match[1]), int(match[2]), match[3], match[4]
        total += self_us
        modules.append(module)
        if len(indent) <= 1:  # a module imported at the top level of the run, not by another import
            top_level.append((module, cumulative_us))
    heaviest = tuple(sorted(top_level, key=lambda item: item[1], reverse=True)[:top])
    return ImportProfile(total_us=total, modules=tuple(modules), heaviest=heaviest)
