"""The constraint families of planning/ composed without any station: plain minutes and
names, as the lunar base scheduler uses them; answers checked by brute force."""

from __future__ import annotations

import itertools

from ortools.sat.python import cp_model

from stationplan.planning import (
    Counterfactual,
    SharedModel,
    SolveSettings,
    add_loiter_pair,
    add_precedence,
    add_window_choice,
    explain_infeasibility,
    find_relaxation,
    new_solver,
    widen_spans,
)

SETTINGS = SolveSettings(workers=1, time_limit_s=10.0)
LANDER = [0, 600, 2000, 5000]  # candidate arrival minutes
ASCENT = [3000, 4200, 9000]


def _two_arrivals(loiter_max_min: int):
    shared = SharedModel()
    shared.horizon = 20_000
    lander = add_window_choice(shared, "Lander", LANDER, LANDER)
    ascent = add_window_choice(shared, "Ascent", ASCENT, ASCENT)
    add_loiter_pair(
        shared,
        "Lander",
        "Ascent",
        lander.arrive,
        ascent.arrive,
        loiter_max_min,
        f"Lander and Ascent arrive at most {loiter_max_min} min apart",
    )
    shared.model.add_assumptions(shared.literals)
    return shared, lander, ascent


def test_two_arrivals_within_a_loiter_limit_plan_exactly_when_some_pair_is_that_close():
    closest = min(abs(a - b) for a, b in itertools.product(LANDER, ASCENT))  # 800 min
    for limit in (closest - 1, closest, closest + 500):
        shared, lander, ascent = _two_arrivals(limit)
        solver = new_solver(SETTINGS)
        status = solver.solve(shared.model)
        feasible = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        assert feasible == (limit >= closest)
        if feasible:
            gap = abs(solver.value(lander.arrive) - solver.value(ascent.arrive))
            assert gap <= limit


def test_an_impossible_loiter_is_explained_and_widened_to_the_closest_pair():
    closest = min(abs(a - b) for a, b in itertools.product(LANDER, ASCENT))
    shared, *_ = _two_arrivals(100)
    assert new_solver(SETTINGS).solve(shared.model) == cp_model.INFEASIBLE
    message = explain_infeasibility(shared, SETTINGS)
    assert "Lander and Ascent arrive at most 100 min apart" in message
    relief = find_relaxation(shared, SETTINGS, ["loiter"])
    assert relief is not None and relief.requirement.family == "loiter"
    assert relief.value == closest
    (index,) = shared.spans
    assert widen_spans(shared, SETTINGS, [index]) == {index: closest}


def test_a_dependency_that_holds_a_launch_back_is_found_by_counterfactual():
    # B launches at least a day after A, whose earliest opportunity is minute 3000: B's
    # earliest launch is 4440 or later; without the dependency it is minute 0.
    shared = SharedModel()
    shared.horizon = 20_000
    a = add_window_choice(shared, "A", [3000, 6000], [3000, 6000])
    b = add_window_choice(shared, "B", [0, 4000, 4500, 8000], [0, 4000, 4500, 8000])
    add_precedence(shared, "B", "A", b.launch, a.launch, 1440, "B launches a day after A")
    shared.model.add_assumptions(shared.literals)
    shared.model.minimize(b.launch)
    solver = new_solver(SETTINGS)
    assert solver.solve(shared.model) == cp_model.OPTIMAL
    planned = int(solver.value(b.launch))
    assert planned == min(t for t in b.launch_min if t >= 3000 + 1440)
    counterfactual = Counterfactual(shared, shared.model.clone(), solver, SETTINGS, 5.0, 2.0)
    verdict = counterfactual.verdict(
        "B", counterfactual.literal(b.launch), planned, [counterfactual.literal(a.choose[0])]
    )
    assert verdict.free is False and verdict.complete
    assert [e.requirement.family for e in verdict.binding] == ["dependency"]
    # The gain is a lower bound: B's launch in the first schedule found without it.
    assert planned - verdict.binding[0].gain in b.launch_min
    assert 0 < verdict.binding[0].gain <= planned - min(b.launch_min)
