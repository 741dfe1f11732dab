"""`gathering optimise timetable|grouping FILE... --time-limit S [--json] [--write-solution DIR] [--seed N]`.

Runs without Django: the solvers are plain Python. One JSON object per instance, one per line, with --json;
otherwise a readable line per instance. A file that cannot be read is reported with its reason and the
command exits 2 after trying the rest.
"""

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gathering optimise", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="problem", required=True)
    for name, helptext in (
        ("timetable", "schedule sessions into rooms and slots (native JSON or CoSPLib .xlsx)"),
        ("grouping", "form diverse groups (MDGPLIB text files)"),
    ):
        command = sub.add_parser(name, help=helptext)
        command.add_argument("files", nargs="+", metavar="FILE")
        command.add_argument(
            "--time-limit", type=float, default=60.0, help="seconds per instance (default 60)"
        )
        command.add_argument("--json", action="store_true", help="print one JSON object per instance")
        command.add_argument("--write-solution", metavar="DIR", help="write each solution into DIR")
        command.add_argument("--seed", type=int, default=0)
    return parser


def _timetable(path: Path, args: argparse.Namespace) -> dict[str, object]:
    from .instances import solve_file, write_solution

    solved = solve_file(path, time_limit=args.time_limit, seed=args.seed)
    if args.write_solution:
        write_solution(solved, args.write_solution)
    return solved.as_json()


def _grouping(path: Path, args: argparse.Namespace) -> dict[str, object]:
    from .grouping import solve_grouping
    from .mdgp import read_mdgp, write_solution

    instance = read_mdgp(path)
    result = solve_grouping(instance, time_limit=args.time_limit, seed=args.seed)
    if args.write_solution:
        write_solution(result, args.write_solution, path.stem)
    return {
        "instance": path.stem,
        "objective": round(result.objective, 6),
        "seconds": round(result.seconds, 3),
        "feasible": result.feasible,
        "bound": None if result.bound is None else round(result.bound, 6),
        "optimal": result.optimal,
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.time_limit <= 0:
        print("error: --time-limit must be more than 0 seconds", file=sys.stderr)
        return 2
    solve = _timetable if args.problem == "timetable" else _grouping
    failed = False
    for name in args.files:
        path = Path(name)
        try:
            line = solve(path, args)
        except (OSError, ValueError) as error:
            failed = True
            print(f"error: {path}: {error}", file=sys.stderr)
            continue
        if args.json:
            print(json.dumps(line), flush=True)
        else:
            bound = "" if line.get("bound") is None else f", bound {line['bound']}"
            if line.get("gap") is not None:
                bound += f", gap {line['gap']}"
            state = "feasible" if line["feasible"] else "NOT feasible"
            print(
                f"{line['instance']}: objective {line['objective']}{bound}, {state}, {line['seconds']} s",
                flush=True,
            )
    return 2 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
