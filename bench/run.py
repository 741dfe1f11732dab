"""`make bench`: run every bench/bench_*.py and rewrite docs/benchmarks.md with the results, the command and
the machine they were measured on.

Each benchmark module defines `run()` returning a Section or a list of them, written in file-name order.
`python bench/run.py bench_timetable` runs only the modules named and keeps the other sections of
docs/benchmarks.md as they were, each with its own date and commit.
"""

import datetime as dt
import importlib.util
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import common  # noqa: E402
from common import Section  # noqa: E402


def machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB memory"
    system = f"{platform.system()} {platform.release()}"
    return f"{cpu}, {os.cpu_count()} cores{memory}; {system}; Python {platform.python_version()}"


def commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _earlier_sections(path: Path) -> dict[str, list[str]]:
    """{title: lines} of the sections already in docs/benchmarks.md, in their order."""
    if not path.exists():
        return {}
    sections: dict[str, list[str]] = {}
    title = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            title = line[3:]
            sections[title] = [line]
        elif title is not None:
            sections[title].append(line)
    return sections


def load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    only = set(sys.argv[1:])
    sections: list[Section] = []
    for path in sorted((ROOT / "bench").glob("bench_*.py")):
        if only and path.stem not in only:
            continue
        print(f"running {path.stem} ...", flush=True)
        result = load(path).run()
        sections += result if isinstance(result, list) else [result]

    measured = f"Measured: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')} at commit `{commit()}`"
    out = ROOT / "docs" / "benchmarks.md"
    fresh = {section.title: section.markdown(measured) for section in sections}
    # Sections not measured this time (other modules named, or skipped for want of ../shared/data) stay as
    # they were, each with its own date and commit.
    kept = _earlier_sections(out) if only or common.skipped else {}
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python bench/run.py`); do not edit by hand.",
        "",
        f"- Machine: {machine()}",
        "",
    ]
    for title in [*kept, *[t for t in fresh if t not in kept]]:
        lines += fresh.get(title) or kept[title]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")
    if common.skipped:
        print(f"skipped for want of {common.SHARED_DATA}: {', '.join(common.skipped)}")
    return 0 if all(section.ok for section in sections) else 1


if __name__ == "__main__":
    sys.exit(main())
