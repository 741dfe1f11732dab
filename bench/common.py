"""What a benchmark returns: a titled table, the command that reproduces it, and whether its budget held."""

import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path

# The full benchmark libraries live beside the repository, not in it (tests carry their own few instances in
# tests/data/); a clone without ../shared/data runs the benchmarks that need nothing else.
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
skipped: list[str] = []


def shared_data(folder: str, benchmark: str) -> Path | None:
    """../shared/data/<folder>, or None after saying clearly that the benchmark needing it is skipped."""
    path = SHARED_DATA / folder
    if path.is_dir():
        return path
    print(
        f"{benchmark}: skipped, its instances are read from {path}, which is not there. The benchmark "
        "libraries are not part of the repository; put the shared data folder beside this clone (see "
        "tests/data/README.md for their sources) to run it.",
        file=sys.stderr,
        flush=True,
    )
    skipped.append(benchmark)
    return None


@dataclass
class Section:
    title: str
    command: str
    headers: list[str]
    rows: list[list[object]]
    notes: list[str] = field(default_factory=list)
    ok: bool = True

    def markdown(self, measured: str) -> list[str]:
        lines = [f"## {self.title}", "", f"- {measured}", f"- Command: `{self.command}`", ""]
        lines.append("| " + " | ".join(self.headers) + " |")
        lines.append("|" + "---|" * len(self.headers))
        lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in self.rows]
        lines.append("")
        lines += [f"{note}" for note in self.notes]
        if self.notes:
            lines.append("")
        return lines


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


# --- what the benchmarks that run a server share ---------------------------------------------------------


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_ready(url: str) -> bool:
    """Whether the PostgreSQL server of `url` answers (its `postgres` database)."""
    import psycopg

    try:
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def recreate_database(url: str) -> None:
    """Drop the database `url` names, closing its connections, and create it empty."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    """Drop the database `url` names, closing its connections."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def rss_mb(pid: int) -> float:
    """The resident memory of process `pid` in MiB (0 when it has gone)."""
    status = Path(f"/proc/{pid}/status")
    if not status.exists():
        return 0.0
    for line in status.read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children(pid: int) -> list[int]:
    """The process ids of `pid`'s children."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []
