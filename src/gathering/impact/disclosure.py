"""Disclosure control: which figures may be shown, so that no count below five can be seen or worked out.

The figures of one table (measures.py) form a grid: rows are the nodes of a hierarchy (the network, its
years, their quarters, and the activities in each quarter), columns are the table's categories and its
total. Every cell is a count of people (or of things people did), and two kinds of sums tie the cells:

- across a row, a node's categories add up to its total;
- down the hierarchy, a node's cell is the sum of its children's cells in the same column.

A figure is *shown* or *hidden*. The rules, in the order they are applied:

1. **Primary suppression.** A count below ``THRESHOLD`` (five), zero included, is hidden.
2. **Secondary suppression.** In every sum whose whole is shown, the hidden parts must be at least two and
   hold at least ``THRESHOLD`` between them, so that the whole minus the shown parts neither gives a hidden
   cell nor a group of people smaller than five; otherwise the smallest shown part is hidden as well (the
   whole, when no part is left). A hidden whole needs at least one hidden part, or the parts would give it.
3. **Audit.** An intruder who knows every shown figure, every sum above and that counts are whole numbers
   of at least zero is modelled exactly (an integer programme per group of linked hidden cells, solved with
   OR-Tools CP-SAT): a hidden cell that takes the same value in every solution could be worked out, so one
   more cell of one of its sums is hidden and the rules run again. The audit also asks the same of every
   sum people can ask for beyond single nodes, a run of neighbouring quarters (a custom period) or a
   course's cohorts: such a sum below ``THRESHOLD`` must not be fixed by what is shown.

Anything else shown is derived from these cells: a custom period or a course is a sum of nodes, and it is
shown only when what is already shown fixes its value (``Protection.sum_of``), so asking for overlapping
periods one after another gives nothing that the shown cells did not. Percentages are computed from shown
figures only. Amounts of money follow the counts of the same table: a sum of money is hidden when its count
is, and audited the same way.

This module is pure: it knows nodes, categories and numbers, not Django.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

THRESHOLD = 5
TOTAL = "total"
SOLVE_SECONDS = 2.0  # deterministic time units of CP-SAT (about seconds of one core)
MOVE_SECONDS = 0.2  # for a solution that moves many hidden cells at once

Cell = tuple[str, str]  # (node, category or TOTAL)


@dataclass(frozen=True)
class Sum:
    """One tie between cells: ``whole`` is the sum of ``parts``."""

    whole: Cell
    parts: tuple[Cell, ...]


@dataclass(frozen=True)
class Grid:
    """The shape of one table: the hierarchy's nodes (each with its parent) and the table's categories."""

    parents: Mapping[str, str | None]  # node -> parent, None for the root
    categories: tuple[str, ...]
    order: Mapping[str, int] = field(default_factory=dict)  # siblings' order (periods by date)
    periods: tuple[str, ...] = ()  # the nodes people choose periods from (quarters), in date order
    groups: tuple[tuple[str, ...], ...] = ()  # other sums people can ask for (a course's cohorts)

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.categories, TOTAL)

    def children(self) -> dict[str, list[str]]:
        children: dict[str, list[str]] = {node: [] for node in self.parents}
        for node, parent in self.parents.items():
            if parent is not None:
                children[parent].append(node)
        for siblings in children.values():
            siblings.sort(key=lambda node: (self.order.get(node, 0), node))
        return children

    def cells(self) -> list[Cell]:
        return [(node, column) for node in self.parents for column in self.columns]

    def sums(self) -> list[Sum]:
        sums = []
        if self.categories:
            for node in self.parents:
                sums.append(Sum((node, TOTAL), tuple((node, category) for category in self.categories)))
        for node, kids in self.children().items():
            if kids:
                for column in self.columns:
                    sums.append(Sum((node, column), tuple((kid, column) for kid in kids)))
        return sums

    def runs(self) -> list[tuple[Cell, ...]]:
        """The sums a person can ask for beyond single nodes, per column: every run of two or more
        neighbouring periods (a custom period, a year seen as its quarters), and every extra group (a course
        as its cohorts)."""
        sets = [
            self.periods[start:stop]
            for start in range(len(self.periods))
            for stop in range(start + 2, len(self.periods) + 1)
        ]
        sets += [tuple(group) for group in self.groups if len(group) >= 2]
        return [tuple((node, column) for node in nodes) for nodes in sets for column in self.columns]


@dataclass
class Protection:
    """The outcome for one table: its true values and which cells are hidden."""

    grid: Grid
    values: dict[Cell, int]
    hidden: set[Cell]
    _model: _Intruder | None = None

    def __getstate__(self) -> dict:
        # The intruder's model is rebuilt when first needed, rather than kept in the shared cache.
        return {**self.__dict__, "_model": None}

    def shown(self, node: str, column: str) -> int | None:
        cell = (node, column)
        if cell not in self.values or cell in self.hidden:
            return None
        return self.values[cell]

    def sum_of(self, nodes: Iterable[str], column: str) -> int | None:
        """The sum of a column over several nodes (a custom period, a course's cohorts), shown only when
        the shown cells already fix it and it is at least ``THRESHOLD``."""
        cells = [(node, column) for node in dict.fromkeys(nodes) if (node, column) in self.values]
        if not cells:
            return None
        total = sum(self.values[cell] for cell in cells)
        if total < THRESHOLD:
            return None
        if any(cell in self.hidden for cell in cells):
            if self._model is None:
                self._model = _Intruder(self.grid, self.values, self.hidden)
            if not self._model.fixed(cells):
                return None
        return total


def protect(
    grid: Grid,
    values: Mapping[Cell, int],
    *,
    hidden: Iterable[Cell] = (),
    primary: bool = True,
) -> Protection:
    """Decide which cells of a table are hidden. ``values`` has every cell of the grid. With ``primary``
    false (amounts of money), only the cells given in ``hidden`` start hidden, and the other rules run."""
    values = dict(values)
    missing = [cell for cell in grid.cells() if cell not in values]
    if missing:
        raise ValueError(f"no value for {missing[0]!r}")
    negative = [cell for cell, value in values.items() if value < 0]
    if negative:
        raise ValueError(f"a count below zero at {negative[0]!r}")
    suppressed = set(hidden)
    if primary:
        suppressed |= {cell for cell, value in values.items() if value < THRESHOLD}
    sums = grid.sums()
    runs = grid.runs()
    while True:
        _secondary(sums, values, suppressed)
        intruder = _Intruder(grid, values, suppressed, sums=sums)
        exposed = intruder.exposed()
        if not exposed:
            exposed_runs = [run for run in runs if _small_and_fixed(run, values, suppressed, intruder)]
            if not exposed_runs:
                return Protection(grid, values, suppressed, intruder)
            # A period people can ask for would give a small group: hide one more of its members.
            exposed = [next(cell for cell in exposed_runs[0] if cell in suppressed)]
        # One cell at a time, then the rules and the audit again: hiding one more cell often frees others
        # too, and hiding for all at once would hide far more than needed.
        if not _widen(exposed[0], sums, values, suppressed):  # pragma: no cover - nothing linked is shown
            raise RuntimeError(f"nothing left to hide around {exposed[0]!r}")


def _small_and_fixed(run: Sequence[Cell], values: Mapping[Cell, int], hidden: set[Cell], intruder: _Intruder):
    if not any(cell in hidden for cell in run):
        return False  # a sum of shown figures tells nothing new
    if sum(values[cell] for cell in run) >= THRESHOLD:
        return False
    return intruder.fixed(list(run))


def _secondary(sums: Sequence[Sum], values: Mapping[Cell, int], hidden: set[Cell]) -> None:
    """Apply rule 2 until nothing changes."""
    changed = True
    while changed:
        changed = False
        for tie in sums:
            while not _safe(tie, values, hidden):
                _hide_one_more(tie, values, hidden)
                changed = True


def _safe(tie: Sum, values: Mapping[Cell, int], hidden: set[Cell]) -> bool:
    parts_hidden = [cell for cell in tie.parts if cell in hidden]
    if tie.whole in hidden:
        return bool(parts_hidden)
    if not parts_hidden:
        return True
    return len(parts_hidden) >= 2 and sum(values[cell] for cell in parts_hidden) >= THRESHOLD


def _hide_one_more(tie: Sum, values: Mapping[Cell, int], hidden: set[Cell]) -> None:
    shown = [cell for cell in tie.parts if cell not in hidden]
    if shown:
        # The smallest shown part, so that as little as possible is lost.
        hidden.add(min(shown, key=lambda cell: (values[cell], cell)))
    else:
        hidden.add(tie.whole)


def _widen(cell: Cell, sums: Sequence[Sum], values: Mapping[Cell, int], hidden: set[Cell]) -> bool:
    """A hidden cell (or sum) the intruder can work out: hide one more shown cell near it. First a shown
    part of a sum it is a part of, then a shown whole of such a sum, then a shown part of a sum it is the
    whole of; failing those, the nearest shown cell linked to it through the sums. False when every cell
    linked to it is hidden already."""
    as_part = [tie for tie in sums if cell in tie.parts]
    as_whole = [tie for tie in sums if tie.whole == cell]
    tiers = (
        [part for tie in as_part if tie.whole not in hidden for part in tie.parts],
        [tie.whole for tie in as_part],
        [part for tie in as_whole for part in tie.parts],
    )
    for tier in tiers:
        shown = [candidate for candidate in tier if candidate not in hidden]
        if shown:
            hidden.add(min(shown, key=lambda candidate: (values[candidate], candidate)))
            return True
    seen, frontier = {cell}, [cell]
    while frontier:
        nearest = []
        for current in frontier:
            for tie in sums:
                members = (tie.whole, *tie.parts)
                if current in members:
                    nearest += [member for member in members if member not in seen]
        shown = [candidate for candidate in nearest if candidate not in hidden]
        if shown:
            hidden.add(min(shown, key=lambda candidate: (values[candidate], candidate)))
            return True
        seen.update(nearest)
        frontier = list(dict.fromkeys(nearest))
    return False


class _Intruder:
    """What someone who sees every shown figure can work out: the hidden cells as unknown whole numbers of
    at least zero, tied by the table's sums. Linked hidden cells are solved together, group by group."""

    def __init__(
        self,
        grid: Grid,
        values: Mapping[Cell, int],
        hidden: set[Cell],
        *,
        sums: Sequence[Sum] | None = None,
    ) -> None:
        self.values = values
        self.hidden = hidden
        self.sums = [
            tie
            for tie in (grid.sums() if sums is None else sums)
            if tie.whole in hidden or any(part in hidden for part in tie.parts)
        ]
        # Groups of hidden cells linked by a sum (union-find).
        parent: dict[Cell, Cell] = {cell: cell for cell in hidden}

        def find(cell: Cell) -> Cell:
            while parent[cell] != cell:
                parent[cell] = parent[parent[cell]]
                cell = parent[cell]
            return cell

        for tie in self.sums:
            members = [cell for cell in (tie.whole, *tie.parts) if cell in hidden]
            for other in members[1:]:
                parent[find(other)] = find(members[0])
        self.group = {cell: find(cell) for cell in hidden}
        # Solutions found while auditing: a sum that differs from the truth in one of them is not fixed.
        self.solutions: list[dict[Cell, int]] = []
        self.ceiling = 2 * max(values.values(), default=0) + THRESHOLD

    def _model(self, roots: set[Cell]) -> tuple[cp_model.CpModel, dict[Cell, cp_model.IntVar]]:
        model = cp_model.CpModel()
        unknown = {
            cell: model.new_int_var(0, self.ceiling, f"x{index}")
            for index, cell in enumerate(cell for cell, group in self.group.items() if group in roots)
        }
        for tie in self.sums:
            if not any(cell in unknown for cell in (tie.whole, *tie.parts)):
                continue
            whole = unknown.get(tie.whole, self.values[tie.whole])
            parts = [unknown.get(part, self.values[part]) for part in tie.parts]
            model.add(sum(parts) == whole)
        return model, unknown

    @staticmethod
    def _solve(model: cp_model.CpModel, seconds: float = SOLVE_SECONDS) -> tuple[int, cp_model.CpSolver]:
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        # A limit in the solver's own deterministic time, not the clock's: the same figures get the same
        # hidden cells however busy the machine is (one worker, so the search itself is deterministic).
        solver.parameters.max_deterministic_time = seconds
        return solver.solve(model), solver

    def exposed(self) -> list[Cell]:
        """The hidden cells that take the same value in every solution.

        Each solve asks for a solution in which at least one cell not yet seen to move takes another value;
        every cell that moves in it is safe. When no such solution exists, the cells left can be worked
        out. When the solver cannot tell in time, each cell left is settled on its own: by the linear
        relaxation (a cell that cannot move even in fractions cannot move in whole numbers), else by one
        more search; one that still cannot be settled counts as worked out, so that more is hidden."""
        exposed = []
        for root in sorted(set(self.group.values())):
            unmoved = {cell for cell, group in self.group.items() if group == root}
            while unmoved:
                model, unknown = self._model({root})
                flags = []
                for cell in sorted(unmoved):
                    flag = model.new_bool_var("")
                    model.add(unknown[cell] != self.values[cell]).only_enforce_if(flag)
                    flags.append(flag)
                model.add_bool_or(flags)
                # As many as possible at once; a good solution soon is worth more than the best one.
                model.maximize(sum(flags))
                status, solver = self._solve(model, seconds=MOVE_SECONDS)
                if status == cp_model.INFEASIBLE:
                    exposed += sorted(unmoved)
                    break
                if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                    exposed += [cell for cell in sorted(unmoved) if not self._moves(root, cell)]
                    break
                solution = {cell: solver.value(var) for cell, var in unknown.items()}
                self.solutions.append(solution)
                unmoved = {cell for cell in unmoved if solution[cell] == self.values[cell]}
        return exposed

    def _moves(self, root: Cell, cell: Cell) -> bool:
        low, high = self._relaxed_range(root, cell)
        if high - low < 1e-6:
            return False
        model, unknown = self._model({root})
        model.add(unknown[cell] != self.values[cell])
        return self._solve(model)[0] in (cp_model.OPTIMAL, cp_model.FEASIBLE)

    def _relaxed_range(self, root: Cell, cell: Cell) -> tuple[float, float]:
        """The least and greatest value of a cell when the hidden cells may take fractions."""
        solver = pywraplp.Solver.CreateSolver("GLOP")
        members = [member for member, group in self.group.items() if group == root]
        unknown = {member: solver.NumVar(0, self.ceiling, "") for member in members}
        for tie in self.sums:
            if not any(member in unknown for member in (tie.whole, *tie.parts)):
                continue
            whole = unknown.get(tie.whole, self.values[tie.whole])
            solver.Add(sum(unknown.get(part, self.values[part]) for part in tie.parts) == whole)
        bounds = []
        for sense in (solver.Minimize, solver.Maximize):
            sense(unknown[cell])
            if solver.Solve() != pywraplp.Solver.OPTIMAL:
                return (self.values[cell], self.values[cell])  # unsettled: counted as worked out
            bounds.append(unknown[cell].solution_value())
        return bounds[0], bounds[1]

    def fixed(self, cells: Sequence[Cell]) -> bool:
        """Whether the shown figures fix the sum of these cells."""
        hidden = [cell for cell in cells if cell in self.hidden]
        truth = sum(self.values[cell] for cell in hidden)
        for solution in self.solutions:
            if all(cell in solution for cell in hidden) and sum(solution[cell] for cell in hidden) != truth:
                return False
        model, unknown = self._model({self.group[cell] for cell in cells if cell in self.hidden})
        terms = [unknown[cell] for cell in cells if cell in unknown]
        truth = sum(self.values[cell] for cell in cells if cell in unknown)
        model.add(sum(terms) != truth)
        # Only a proof that no other value fits counts as fixed; a solve out of time leaves the sum hidden.
        return self._solve(model)[0] == cp_model.INFEASIBLE
