"""Reader and solution writer for MDGPLIB grouping benchmark files (Maximally Diverse Grouping Problem)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from gathering.optimise.grouping import GroupingInstance, GroupingResult


class InstanceError(ValueError):
    """A benchmark file that cannot be read, with the file, line number and field at fault."""

    def __init__(self, path: str | Path, line: int, field: str, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.field = field
        self.message = message
        super().__init__(f"{self.path}, line {line}, field {field}: {message}")


def _int_field(path: Path, line: int, field: str, text: str, *, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise InstanceError(path, line, field, f"expected an integer, got {text!r}") from None
    if value < minimum:
        raise InstanceError(path, line, field, f"must be at least {minimum}, got {value}")
    return value


def _parse_header(path: Path, text: str) -> tuple[int, list[tuple[int, int]], str]:
    parts = text.split()
    if len(parts) < 3:
        raise InstanceError(path, 1, "header", "expected 'n g type a1 b1 ... ag bg'")
    n = _int_field(path, 1, "n", parts[0], minimum=1)
    g = _int_field(path, 1, "g", parts[1], minimum=1)
    kind = parts[2]
    if kind not in ("ss", "ds"):
        raise InstanceError(path, 1, "type", f"expected 'ss' or 'ds', got {kind!r}")
    bounds = parts[3:]
    if len(bounds) != 2 * g:
        raise InstanceError(
            path, 1, "group sizes", f"expected {2 * g} size bounds for {g} groups, got {len(bounds)}"
        )
    sizes: list[tuple[int, int]] = []
    for k in range(g):
        lo = _int_field(path, 1, f"a{k + 1}", bounds[2 * k], minimum=0)
        hi = _int_field(path, 1, f"b{k + 1}", bounds[2 * k + 1], minimum=0)
        if lo > hi:
            raise InstanceError(path, 1, f"b{k + 1}", f"upper size {hi} is below lower size {lo}")
        sizes.append((lo, hi))
    return n, sizes, kind


def read_mdgp(path: str | Path) -> GroupingInstance:
    """Read an MDGPLIB file (`n g type a1 b1 ...` then `i j d` lines) into a grouping instance."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InstanceError(path, 1, "file", f"not UTF-8 text ({exc.reason})") from None
    lines = text.splitlines()
    header_at = next((k for k, line in enumerate(lines) if line.strip()), None)
    if header_at is None:
        raise InstanceError(path, 1, "header", "the file is empty")
    n, sizes, _kind = _parse_header(path, lines[header_at])
    # Count the pair lines before allocating n x n, so a header with a huge n fails fast and cheaply.
    need = n * (n - 1) // 2
    found = sum(1 for line in lines[header_at + 1 :] if line.strip())
    if found < need:
        raise InstanceError(
            path, len(lines), "pair", f"expected {need} distance lines for n={n}, found {found}"
        )
    distance = np.zeros((n, n), dtype=np.float64)
    seen = np.zeros((n, n), dtype=bool)
    np.fill_diagonal(seen, True)
    for index in range(header_at + 1, len(lines)):
        parts = lines[index].split()
        if not parts:
            continue
        number = index + 1
        if len(parts) != 3:
            raise InstanceError(path, number, "pair", f"expected 'i j d', got {len(parts)} fields")
        i = _int_field(path, number, "i", parts[0], minimum=0)
        j = _int_field(path, number, "j", parts[1], minimum=0)
        for name, value in (("i", i), ("j", j)):
            if value >= n:
                raise InstanceError(path, number, name, f"element {value} is not below n={n}")
        if i == j:
            raise InstanceError(path, number, "j", f"a distance from element {i} to itself")
        try:
            d = float(parts[2])
        except ValueError:
            raise InstanceError(path, number, "d", f"expected a number, got {parts[2]!r}") from None
        if not math.isfinite(d):
            raise InstanceError(path, number, "d", f"distance must be finite, got {parts[2]!r}")
        if seen[i, j] and distance[i, j] != d:
            raise InstanceError(path, number, "d", f"pair ({i}, {j}) given twice with different distances")
        distance[i, j] = distance[j, i] = d
        seen[i, j] = seen[j, i] = True
    if not seen.all():
        i, j = (int(v) for v in np.argwhere(~seen)[0])
        raise InstanceError(path, len(lines), "pair", f"no distance given for pair ({i}, {j})")
    return GroupingInstance(n=n, sizes=sizes, distance=distance, name=path.stem)


def write_solution(result: GroupingResult, directory: str | Path, stem: str) -> Path:
    """Write `DIR/<stem>.solution.json` as `{"groups": [[...], ...]}` and return its path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{stem}.solution.json"
    groups = [sorted(int(i) for i in group) for group in result.groups]
    target.write_text(json.dumps({"groups": groups}) + "\n", encoding="utf-8")
    return target
