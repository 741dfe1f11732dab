"""What a benchmark returns: a titled table, the command that reproduces it, and whether its budget held."""

from dataclasses import dataclass, field


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
