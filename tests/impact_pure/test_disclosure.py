"""The disclosure rules (gathering/impact/disclosure.py) against the attacks they defend against.

The intruder here is written independently of the module: it knows only what is published (the shown
cells of every node and the answers to period queries) and that every activity's figures are whole numbers
of at least zero, and it solves for the activities' figures with its own integer model. A hidden figure is
"worked out" when every solution gives it the same value.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from gathering.impact.disclosure import THRESHOLD, TOTAL, Grid, protect


class Network:
    """Activities in quarters in years, with one table's figures per activity."""

    def __init__(self, layout: list[list[int]], categories: tuple[str, ...], figures: list[list[int]]):
        # layout[year][quarter] = number of activities; figures[activity] = its count per category.
        self.categories = categories
        self.parents: dict[str, str | None] = {"network": None}
        self.order: dict[str, int] = {}
        self.quarters: list[str] = []  # in date order
        self.leaves: dict[str, list[str]] = {}  # node -> the activities under it
        self.activity_values: dict[str, tuple[int, ...]] = {}
        index = 0
        for year_number, quarters in enumerate(layout):
            year = f"y{year_number}"
            self.parents[year] = "network"
            self.order[year] = year_number
            for quarter_number, count in enumerate(quarters):
                quarter = f"{year}q{quarter_number}"
                self.parents[quarter] = year
                self.order[quarter] = quarter_number
                self.quarters.append(quarter)
                for _ in range(count):
                    activity = f"a{index}"
                    self.parents[activity] = quarter
                    self.order[activity] = index
                    self.activity_values[activity] = tuple(figures[index])
                    index += 1
        for activity in self.activity_values:
            node: str | None = activity
            while node is not None:
                self.leaves.setdefault(node, []).append(activity)
                node = self.parents[node]

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.categories, TOTAL) if self.categories else (TOTAL,)

    def value(self, activities: list[str], column: str) -> int:
        if column == TOTAL:
            return sum(sum(self.activity_values[a]) for a in activities)
        position = self.categories.index(column)
        return sum(self.activity_values[a][position] for a in activities)

    def grid_and_values(self):
        grid = Grid(self.parents, self.categories, self.order, periods=tuple(self.quarters))
        values = {
            (node, column): self.value(self.leaves[node], column)
            for node in self.parents
            for column in self.columns
        }
        return grid, values

    def period(self, start: int, stop: int) -> list[str]:
        return self.quarters[start:stop]

    def activities_of(self, nodes: list[str]) -> list[str]:
        return [activity for node in nodes for activity in self.leaves[node]]


class Intruder:
    """Solves for every activity's figures from the published numbers alone."""

    def __init__(self, network: Network):
        self.network = network
        self.published: list[tuple[list[str], str, int]] = []  # (activities, column, value)

    def sees(self, activities: list[str], column: str, value: int) -> None:
        self.published.append((activities, column, value))

    def _model(self):
        model = cp_model.CpModel()
        ceiling = 10_000
        cells = {
            (activity, category): model.new_int_var(0, ceiling, f"{activity}-{category}")
            for activity in self.network.activity_values
            for category in (self.network.categories or (TOTAL,))
        }

        def expression(activities: list[str], column: str):
            if column == TOTAL and self.network.categories:
                return sum(cells[(a, c)] for a in activities for c in self.network.categories)
            return sum(cells[(a, column)] for a in activities)

        for activities, column, value in self.published:
            model.add(expression(activities, column) == value)
        return model, expression

    def can_work_out(self, activities: list[str], column: str) -> bool:
        model, expression = self._model()
        model.add(expression(activities, column) != self.network.value(activities, column))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        return solver.solve(model) == cp_model.INFEASIBLE


def publish(network: Network, periods: list[tuple[int, int]]):
    """What the pages would show: every node's cells, then the periods asked for one after another."""
    grid, values = network.grid_and_values()
    protection = protect(grid, values)
    intruder = Intruder(network)
    shown, hidden = [], []
    for node in network.parents:
        for column in network.columns:
            figure = protection.shown(node, column)
            target = (network.leaves[node], column)
            if figure is None:
                hidden.append(target)
            else:
                shown.append((target, figure))
                intruder.sees(*target, figure)
    for start, stop in periods:
        nodes = network.period(start, stop)
        for column in network.columns:
            figure = protection.sum_of(nodes, column)
            target = (network.activities_of(nodes), column)
            if figure is None:
                hidden.append(target)
            else:
                shown.append((target, figure))
                intruder.sees(*target, figure)
    return protection, intruder, shown, hidden


def layouts():
    quarters = st.lists(st.integers(1, 3), min_size=1, max_size=4)
    return st.lists(quarters, min_size=1, max_size=2)


@st.composite
def networks(draw):
    layout = draw(layouts())
    categories = draw(st.sampled_from([(), ("yes", "no"), ("came", "did_not", "waiting")]))
    count = sum(sum(year) for year in layout)
    small = st.integers(0, 6)
    big = st.integers(0, 40)
    figures = draw(
        st.lists(
            st.lists(
                st.one_of(small, big), min_size=max(1, len(categories)), max_size=max(1, len(categories))
            ),
            min_size=count,
            max_size=count,
        )
    )
    network = Network(layout, categories, figures)
    spans = len(network.quarters)
    periods = draw(
        st.lists(
            st.tuples(st.integers(0, spans - 1), st.integers(1, spans)).filter(lambda p: p[0] < p[1]),
            max_size=6,
        )
    )
    return network, periods


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_no_small_figure_is_shown_and_no_hidden_figure_can_be_worked_out(case):
    network, periods = case
    _protection, intruder, shown, hidden = publish(network, periods)
    # Nothing below the threshold is shown, by any route.
    assert all(figure >= THRESHOLD for _target, figure in shown)
    # Every shown figure is the truth.
    for (activities, column), figure in shown:
        assert figure == network.value(activities, column)
    # No hidden figure, of a node or of a period asked for, follows from everything shown together
    # (the table's totals and other cells, every other node, and every period query).
    for activities, column in hidden:
        assert not intruder.can_work_out(activities, column), (activities, column)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_two_period_queries_never_differ_by_a_hidden_figure(case):
    network, _periods = case
    grid, values = network.grid_and_values()
    protection = protect(grid, values)
    spans = len(network.quarters)
    ranges = [(start, stop) for start in range(spans) for stop in range(start + 1, spans + 1)]
    for column in network.columns:
        answers = {span: protection.sum_of(network.period(*span), column) for span in ranges}
        for (a_start, a_stop), outer in answers.items():
            for (b_start, b_stop), inner in answers.items():
                if outer is None or inner is None or (a_start, a_stop) == (b_start, b_stop):
                    continue
                if not (a_start <= b_start and b_stop <= a_stop):
                    continue
                # The difference is the rest of the outer period: one or two runs of quarters.
                rest = [(a_start, b_start), (b_stop, a_stop)]
                pieces = [span for span in rest if span[0] < span[1]]
                if len(pieces) == 1:
                    # The rest is itself a period someone can ask for: it must not be hidden, or its
                    # hidden figure would be the difference.
                    assert answers[pieces[0]] == outer - inner


# The attacks, one by one, on tables small enough to count by hand.


def single_year(activities_per_quarter: list[int], figures: list[list[int]], categories=("yes", "no")):
    return Network([activities_per_quarter], categories, figures)


def test_attack_total_minus_the_other_cells():
    """One activity: 3 said yes, 20 said no. Showing the total (23) and "no" (20) would give "yes" (3)."""
    network = single_year([2], [[3, 20], [9, 9]])
    protection, intruder, _shown, hidden = publish(network, [])
    assert protection.shown("a0", "yes") is None
    assert protection.shown("a0", "no") is None  # hidden to protect the 3
    assert protection.shown("a0", TOTAL) == 23
    for target in hidden:
        assert not intruder.can_work_out(*target)


def test_attack_two_hidden_zeros():
    """0 and 0 hidden beside a total of 30: the hidden cells would add up to 0, so both would be known."""
    network = single_year([2], [[0, 0, 30], [12, 8, 10]], categories=("a", "b", "c"))
    protection, intruder, _shown, hidden = publish(network, [])
    assert protection.shown("a0", "a") is None and protection.shown("a0", "b") is None
    assert protection.shown("a0", "c") is None  # the hidden cells must hold at least five between them
    for target in hidden:
        assert not intruder.can_work_out(*target)


def test_attack_a_gathering_alone_in_its_quarter():
    """A quarter with one Gathering is that Gathering: its small cell must be hidden in the quarter too."""
    network = single_year([1, 2], [[2, 30], [10, 10], [20, 20]])
    protection, intruder, _shown, hidden = publish(network, [])
    assert protection.shown("y0q0", "yes") is None
    for target in hidden:
        assert not intruder.can_work_out(*target)


def test_attack_year_minus_the_other_quarters():
    """Year 2 with quarters of 3, 12, 15 and 20 people saying yes: the year (50) minus three shown quarters
    (47) would give the hidden 3."""
    network = single_year([1, 1, 1, 1], [[3, 10], [12, 10], [15, 10], [20, 10]])
    protection, intruder, _shown, hidden = publish(network, [(0, 4), (1, 4), (0, 3)])
    assert protection.shown("y0", "yes") == 50
    assert protection.shown("y0q0", "yes") is None
    assert protection.shown("y0q1", "yes") is None  # the smallest other quarter, hidden with it
    for target in hidden:
        assert not intruder.can_work_out(*target)


def test_attack_difference_of_two_overlapping_periods():
    """Asking for January to December, then April to December: the difference is January to March (4)."""
    network = single_year([1, 1, 1, 1], [[4, 10], [30, 10], [25, 10], [40, 10]])
    grid, values = network.grid_and_values()
    protection = protect(grid, values)
    whole = protection.sum_of(network.period(0, 4), "yes")
    later = protection.sum_of(network.period(1, 4), "yes")
    first = protection.sum_of(network.period(0, 1), "yes")
    assert first is None
    assert whole is None or later is None or whole - later != 4
    # The same with the difference at the other end and in the middle.
    assert (
        protection.sum_of(network.period(0, 2), "yes") is None
        or protection.sum_of(network.period(1, 2), "yes") is None
    )


def test_attack_a_course_made_of_cohorts():
    """A course is the sum of its cohorts, which lie in different quarters: with one cohort's small figure
    hidden, the course's figure is hidden unless the shown figures already give it."""
    network = single_year([1, 1, 1], [[2, 12], [14, 12], [20, 5]])
    grid, values = network.grid_and_values()
    protection = protect(grid, values)
    assert protection.sum_of(["a0", "a1"], "yes") is None
    assert protection.sum_of(["a1", "a2"], "yes") in (None, 34)


def test_shown_figures_and_percentages_come_from_the_truth():
    network = single_year([2], [[40, 60], [10, 15]])
    protection, _intruder, shown, _hidden = publish(network, [])
    assert protection.shown("network", "yes") == 50
    assert protection.shown("network", TOTAL) == 125
    for (activities, column), figure in shown:
        assert figure == network.value(activities, column)


def test_money_follows_its_counts():
    """Amounts are hidden wherever their counts are, and audited as their own table."""
    network = single_year([2], [[3, 20], [9, 9]])
    grid, values = network.grid_and_values()
    counts = protect(grid, values)
    money = {cell: value * 1500 for cell, value in values.items()}
    amounts = protect(grid, money, hidden=counts.hidden, primary=False)
    assert counts.hidden <= amounts.hidden
    assert amounts.shown("a0", TOTAL) == 23 * 1500


def test_bad_input_is_refused():
    grid = Grid({"network": None, "a": "network"}, ("yes",))
    with pytest.raises(ValueError, match="no value"):
        protect(grid, {("network", "yes"): 5})
    values = {("network", "yes"): -1, ("network", TOTAL): -1, ("a", "yes"): -1, ("a", TOTAL): -1}
    with pytest.raises(ValueError, match="below zero"):
        protect(grid, values)


def test_runs_are_the_periods_and_groups_people_can_ask_for():
    grid = Grid(
        {"n": None, "q1": "n", "q2": "n", "q3": "n"},
        (),
        {"q1": 1, "q2": 2, "q3": 3},
        periods=("q1", "q2", "q3"),
        groups=(("q1", "q3"),),
    )
    runs = {tuple(node for node, _column in run) for run in grid.runs()}
    assert runs == {("q1", "q2"), ("q2", "q3"), ("q1", "q2", "q3"), ("q1", "q3")}
