"""The CoSPLib library's own checker as the judge of the solution workbooks we write (tests and benchmarks).

The checker (`check.py`, the library's instance reader, solution reader and objective, unchanged) lives in
the shared data folder beside the repository and is run from there, in a subprocess with this Python: it
needs pandas, numpy, openpyxl and pytz, which the test requirements carry.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import TypedDict

# The benchmark libraries live beside the repository, not in it, as bench/common.py finds them.
SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
COSPLIB = SHARED_DATA / "cosplib"
CHECKER = COSPLIB / "checker" / "check.py"


class Verdict(TypedDict):
    """What the checker prints: whether every submission is scheduled and the timetable valid, and the
    library's objective."""

    feasible: bool
    objective: float


class CheckerError(RuntimeError):
    """The checker could not load the instance or the solution workbook (its error is in the message)."""


def judge(instance: str | Path, solution: str | Path, *, timeout: float = 600) -> Verdict:
    """Run the library's checker on an instance workbook and a solution workbook and return its verdict.

    Raises CheckerError with the checker's standard error when it exits non-zero, as it does for a workbook
    it cannot load (for example a track or reference it does not know, spelled differently).
    """
    if not CHECKER.is_file():
        raise CheckerError(f"the CoSPLib checker is not at {CHECKER}")
    done = subprocess.run(
        [sys.executable, str(CHECKER), str(instance), str(solution)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise CheckerError(
            f"the CoSPLib checker exited with status {done.returncode} on {solution} "
            f"(instance {instance}):\n{done.stderr.strip()}"
        )
    lines = done.stdout.strip().splitlines()
    try:
        verdict = json.loads(lines[-1])
        return Verdict(feasible=bool(verdict["feasible"]), objective=float(verdict["objective"]))
    except (IndexError, ValueError, KeyError, TypeError) as exc:
        raise CheckerError(
            f"the CoSPLib checker printed no verdict: {done.stdout!r} {done.stderr!r}"
        ) from exc
