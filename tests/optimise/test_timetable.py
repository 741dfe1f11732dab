"""Tests for the native timetable model: reader errors, hard rules, objective, explanations and the solver."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gathering.optimise.instances import (
    SolvedFile,
    parse_timetable,
    read_instance,
    read_native_solution,
    read_timetable,
    solve_file,
    timetable_to_json,
    write_solution,
)
from gathering.optimise.timetable import (
    InstanceError,
    Interest,
    MoveReason,
    Room,
    Session,
    Slot,
    TimetableInstance,
    check,
    explain,
    generate_instance,
    move_reasons,
    objective,
    objective_terms,
    solve_timetable,
    timetable_diff,
)


def two_by_two(**session_overrides: Any) -> TimetableInstance:
    """Two slots on day 1, one on day 2; a big step-free room and a small one; three sessions."""
    sessions = [
        Session("s1", facilitators=("f1",)),
        Session("s2", facilitators=("f1",)),
        Session("s3"),
    ]
    for index, changes in session_overrides.items():
        n = int(index[1:]) - 1
        sessions[n] = Session(**{**sessions[n].__dict__, **changes})
    return TimetableInstance(
        name="tiny",
        slots=[Slot("t1", 1, 1), Slot("t2", 1, 2), Slot("t3", 2, 1)],
        rooms=[Room("big", 3, frozenset({"step_free"})), Room("small", 1)],
        sessions=sessions,
        interests=[
            Interest("p1", "s1", 3),
            Interest("p1", "s2", 1),
            Interest("p1", "s3", 1),
            Interest("p2", "s1", 1),
            Interest("p2", "s3", 3),
            Interest("p3", "s3", 1),
        ],
    )


def native_doc() -> dict[str, Any]:
    return timetable_to_json(two_by_two())


# ------------------------------------------------------------------------------------------ reader


def test_read_timetable_round_trips_the_native_document(tmp_path: Path) -> None:
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(native_doc()))

    instance = read_timetable(path)

    assert instance == two_by_two()


@pytest.mark.parametrize(
    ("mutate", "where", "message"),
    [
        (lambda d: d["sessions"][2].update(length=0), "sessions[2].length", "must be at least 1, found 0"),
        (
            lambda d: d["sessions"][1].update(length="2"),
            "sessions[1].length",
            "expected an integer, found '2'",
        ),
        (lambda d: d.update(format="other/1"), "format", "expected 'gathering-timetable/1'"),
        (lambda d: d["rooms"][1].pop("capacity"), "rooms[1].capacity", "expected an integer, found None"),
        (lambda d: d["slots"].append({"id": "t1", "day": 3, "order": 1}), "slots[3].id", "duplicate id 't1'"),
        (
            lambda d: d["interests"][4].update(session="nope"),
            "interests[4].session",
            "unknown session 'nope'",
        ),
        (
            lambda d: d["sessions"][0].update(pinned={"slot": "t9", "room": "big"}),
            "sessions[0].pinned.slot",
            "unknown slot 't9'",
        ),
        (
            lambda d: d["sessions"][0].update(unavailable_slots=["t1", "x"]),
            "sessions[0].unavailable_slots[1]",
            "unknown slot 'x'",
        ),
        (
            lambda d: d["sessions"][1].update(needs="step_free"),
            "sessions[1].needs",
            "expected an array of non-empty strings",
        ),
        (lambda d: d.pop("rooms"), "rooms", "expected an array"),
    ],
)
def test_read_timetable_names_file_and_json_path(
    tmp_path: Path, mutate: Any, where: str, message: str
) -> None:
    doc = native_doc()
    mutate(doc)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))

    with pytest.raises(InstanceError) as caught:
        read_timetable(path)

    assert caught.value.path == str(path)
    assert caught.value.where == where
    assert message in caught.value.message
    assert str(caught.value).startswith(f"{path}: {where}: ")


def test_read_timetable_reports_json_syntax_position(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"format": "gathering-timetable/1",\n "slots": [}')

    with pytest.raises(InstanceError) as caught:
        read_timetable(path)

    assert caught.value.where == "line 2, column 12"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 5) | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    key=st.sampled_from(["slots", "rooms", "sessions", "interests"]),
    index=st.integers(0, 2),
    field=st.sampled_from(
        [
            "id",
            "day",
            "order",
            "capacity",
            "features",
            "length",
            "facilitators",
            "needs",
            "pinned",
            "unavailable_slots",
            "person",
            "session",
            "weight",
        ]
    ),
    value=json_values,
)
def test_parse_timetable_accepts_or_raises_instance_error(
    key: str, index: int, field: str, value: Any
) -> None:
    doc = native_doc()
    items = doc[key]
    if index < len(items):
        items[index][field] = value

    try:
        instance = parse_timetable(doc, source="fuzz.json")
    except InstanceError as error:
        assert error.path == "fuzz.json"
        assert error.where.startswith(("slots", "rooms", "sessions", "interests"))
    else:
        assert len(instance.sessions) == 3


# -------------------------------------------------------------------------------- rules and objective

VALID = {"s1": ("t1", "big"), "s2": ("t2", "big"), "s3": ("t1", "small")}


def test_check_accepts_a_valid_timetable() -> None:
    assert check(two_by_two(), VALID) == []


def test_check_reports_an_unscheduled_session() -> None:
    assert check(two_by_two(), {"s1": ("t1", "big"), "s2": ("t2", "big")}) == [
        "session 's3' is not scheduled"
    ]


def test_check_reports_two_sessions_in_one_room_and_slot() -> None:
    problems = check(two_by_two(), {**VALID, "s3": ("t1", "big")})

    assert problems == ["room 'big' has 2 sessions in slot 't1': s1, s3"]


def test_check_reports_a_facilitator_in_two_places() -> None:
    problems = check(two_by_two(), {**VALID, "s2": ("t1", "small"), "s3": ("t2", "big")})

    assert problems == ["facilitator 'f1' runs 2 sessions in slot 't1': s1, s2"]


def test_check_reports_a_missing_room_feature() -> None:
    instance = two_by_two(s3={"needs": frozenset({"step_free", "hearing_loop"})})

    problems = check(instance, VALID)

    assert problems == ["session 's3' needs hearing_loop, step_free, which room 'small' lacks"]


def test_check_reports_an_unavailable_slot() -> None:
    instance = two_by_two(s3={"unavailable_slots": frozenset({"t1"})})

    assert check(instance, VALID) == ["session 's3' occupies slot 't1', where it is unavailable"]


def test_check_reports_a_session_in_a_room_while_the_room_is_unavailable() -> None:
    instance = two_by_two()
    instance.rooms[1] = Room("small", 1, unavailable_slots=frozenset({"t1"}))

    assert check(instance, VALID) == [
        "session 's3' is in room 'small' in slot 't1', when the room is unavailable"
    ]


def test_solver_keeps_sessions_out_of_a_room_while_it_is_unavailable() -> None:
    instance = two_by_two()
    instance.rooms[0] = Room("big", 3, frozenset({"step_free"}), unavailable_slots=frozenset({"t1", "t2"}))

    result = solve_timetable(instance, time_limit=5, workers=1)

    assert result.feasible is True
    assert check(instance, result.assignments) == []
    assert all(slot == "t3" for slot, room in result.assignments.values() if room == "big")


def test_check_reports_a_broken_pin() -> None:
    instance = two_by_two(s3={"pinned": ("t3", "small")})

    assert check(instance, VALID) == ["session 's3' is pinned to slot 't3' in room 'small'"]


def test_check_reports_a_session_running_past_the_end_of_the_day() -> None:
    instance = two_by_two(s2={"length": 2})

    problems = check(instance, VALID)

    assert problems == [
        "session 's2' (2 slots) cannot start at 't2': unknown slot or it would run past the end of the day"
    ]


def test_objective_counts_sum_minus_max_per_person_and_slot_plus_overflow() -> None:
    # t1 holds s1 and s3: p1 wants them 3 and 1 (clash 1), p2 wants 1 and 3 (clash 1).
    # s3 has three interested people in the one-seat room: overflow 2.
    terms = objective_terms(two_by_two(), VALID)

    assert terms == {"clash": 2, "overflow": 2, "objective": 4}


def test_objective_counts_each_slot_of_a_long_session() -> None:
    instance = two_by_two(s1={"length": 2})
    timetable = {"s1": ("t1", "big"), "s2": ("t2", "small"), "s3": ("t3", "big")}

    # p1: s1 (3) meets s2 (1) in t2 -> 1; overflow: s1 2 people in 3 seats, s2 1 in 1, s3 3 in 3.
    assert objective(instance, timetable) == 1


def test_explain_lists_clashing_people_and_sessions() -> None:
    explanations = {e.session: e for e in explain(two_by_two(), VALID)}

    assert explanations["s3"].interested == 3
    assert explanations["s3"].clashing_people == 2
    assert explanations["s3"].clashes_with == {"s1": 2}
    assert explanations["s3"].overflow == 2
    assert explanations["s2"].clashing_people == 0
    assert explanations["s2"].clashes_with == {}


def test_timetable_diff_lists_moved_added_and_removed_sessions() -> None:
    before = {"a": ("t1", "r1"), "b": ("t2", "r1"), "c": ("t1", "r2")}
    after = {"a": ("t1", "r1"), "b": ("t3", "r1"), "d": ("t2", "r2")}

    assert timetable_diff(before, after) == [
        ("b", ("t2", "r1"), ("t3", "r1")),
        ("c", ("t1", "r2"), None),
        ("d", None, ("t2", "r2")),
    ]


# ------------------------------------------------------------------------------------------- solver


def test_solver_proves_the_known_optimum_of_a_tiny_instance() -> None:
    # Each session in its own slot of the three-seat room clashes with nothing and overflows nothing.
    result = solve_timetable(two_by_two(), time_limit=10, workers=1)

    assert result.objective == 0
    assert result.bound == 0
    assert result.optimal is True
    assert result.feasible is True
    assert check(two_by_two(), result.assignments) == []


def test_solver_proves_a_positive_optimum() -> None:
    # One slot, two rooms: p1 and p2 clash once each whatever happens; s1 (2 people) in the one-seat room
    # overflows by 1, s3 (3 people) there by 2, so the optimum is 2 + 1 = 3.
    instance = TimetableInstance(
        name="one-slot",
        slots=[Slot("t1", 1, 1)],
        rooms=[Room("big", 3), Room("small", 1)],
        sessions=[Session("s1"), Session("s3")],
        interests=[i for i in two_by_two().interests if i.session != "s2"],
    )

    result = solve_timetable(instance, time_limit=10, workers=1)

    assert result.objective == 3
    assert result.bound == 3
    assert result.optimal is True
    assert result.assignments == {"s1": ("t1", "small"), "s3": ("t1", "big")}


def test_solver_respects_pins_needs_unavailability_and_facilitators() -> None:
    instance = two_by_two(
        s1={"pinned": ("t3", "small")},
        s2={"unavailable_slots": frozenset({"t1"})},
        s3={"needs": frozenset({"step_free"})},
    )

    result = solve_timetable(instance, time_limit=5, workers=1)

    assert result.feasible is True
    assert check(instance, result.assignments) == []
    assert result.assignments["s1"] == ("t3", "small")
    assert result.assignments["s3"][1] == "big"


def test_solver_reports_an_impossible_instance_as_infeasible() -> None:
    instance = two_by_two(s1={"unavailable_slots": frozenset({"t1", "t2", "t3"})})

    result = solve_timetable(instance, time_limit=5, workers=1)

    assert result.feasible is False
    assert result.optimal is False


def test_move_cost_keeps_a_published_timetable_in_place() -> None:
    instance = two_by_two()
    published = dict(VALID)  # objective 4; the optimum 0 moves s3 (and maybe others)

    stay = solve_timetable(instance, time_limit=5, workers=1, previous=published, move_cost=10)
    move = solve_timetable(instance, time_limit=5, workers=1, previous=published, move_cost=1)

    assert stay.assignments == published
    assert stay.objective == 4
    assert stay.terms["moves"] == 0
    assert move.objective == 1
    assert [d[0] for d in timetable_diff(published, move.assignments)] == ["s3"]


def full_room_instance() -> TimetableInstance:
    """Two slots, a projector room and a plain one, three published sessions and a new one that needs the
    projector: one published session must leave the projector room, and only one."""
    return TimetableInstance(
        name="one-more",
        slots=[Slot("t1", 1, 1), Slot("t2", 1, 2)],
        rooms=[Room("hall", 40, frozenset({"projector"})), Room("side", 40)],
        sessions=[Session("a"), Session("b"), Session("c"), Session("new", needs=frozenset({"projector"}))],
        interests=[Interest("p1", "a", 1), Interest("p1", "new", 3)],
    )


def test_a_new_session_moves_only_the_one_published_session_it_must() -> None:
    instance = full_room_instance()
    published = {"a": ("t1", "hall"), "b": ("t2", "hall"), "c": ("t1", "side")}

    result = solve_timetable(instance, time_limit=5, workers=1, previous=published, move_cost=50)

    assert check(instance, result.assignments) == []
    assert result.assignments["new"] == ("t2", "hall")  # away from a, which p1 also wants
    moved = [d[0] for d in timetable_diff(published, result.assignments) if d[1] and d[2]]
    assert moved == ["b"]
    assert result.assignments["b"] == ("t2", "side")
    assert result.terms["moves"] == 50
    assert move_reasons(instance, published, result.assignments) == [MoveReason("b", blocked_by=("new",))]


def test_a_move_that_spares_no_more_than_its_cost_is_put_back() -> None:
    # Moving s3 from t1 to t3 would spare p2's and p1's clashes (4 in all); at a cost of 4 a move is not
    # worth it, at 3 it is, and the diff says what it spares.
    instance = two_by_two()
    published = dict(VALID)

    kept = solve_timetable(instance, time_limit=5, workers=1, previous=published, move_cost=4)
    paid = solve_timetable(instance, time_limit=5, workers=1, previous=published, move_cost=3)

    assert kept.assignments == published
    moved = [d[0] for d in timetable_diff(published, paid.assignments)]
    assert moved == ["s3"]
    assert move_reasons(instance, published, paid.assignments) == [MoveReason("s3", spared=4)]


def test_move_reasons_say_when_the_earlier_place_is_no_longer_possible() -> None:
    instance = two_by_two(s3={"needs": frozenset({"step_free"})})
    before = {"s1": ("t1", "big"), "s2": ("t2", "big"), "s3": ("t3", "small")}
    after = {**before, "s3": ("t3", "big")}

    assert move_reasons(instance, before, after) == [MoveReason("s3", possible=False)]


def test_solver_handles_long_sessions_within_a_day() -> None:
    instance = two_by_two(s1={"length": 2}, s2={"length": 2})

    result = solve_timetable(instance, time_limit=5, workers=1)

    # f1 runs s1 and s2, each needing both slots of day 1: impossible, so the solver must say so.
    assert result.feasible is False


def test_generated_instance_is_solved_feasibly() -> None:
    instance = generate_instance(3, sessions=80, people=400, interests_per_person=6, slots=8, rooms=10)

    result = solve_timetable(instance, time_limit=3, workers=1)

    assert result.feasible is True
    assert check(instance, result.assignments) == []
    assert result.objective == objective(instance, result.assignments)
    assert result.bound is not None and result.bound <= result.objective
    assert result.first_feasible is not None and 0 < result.first_feasible <= result.seconds


def test_solve_file_and_write_solution_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(native_doc()))

    solved = solve_file(path, time_limit=5, seed=1, workers=1)
    written = write_solution(solved, tmp_path / "out")

    assert isinstance(solved, SolvedFile)
    assert isinstance(read_instance(path), TimetableInstance)
    assert written == tmp_path / "out" / "tiny.solution.json"
    assert read_native_solution(written) == solved.result.assignments
    assert solved.as_json() == {
        "instance": "tiny",
        "objective": 0,
        "bound": 0,
        "gap": 0,
        "optimal": True,
        "seconds": solved.as_json()["seconds"],
        "feasible": True,
    }
