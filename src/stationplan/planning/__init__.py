"""Constraint families of campaign schedulers, as parts (layer 4: imports no scheduler).

A scheduler (the station's in :mod:`stationplan.station.schedule`, the lunar base's)
turns its campaign into plain data — minutes from the campaign start as ints, names as
strings, small dataclasses of this package — and composes the families it needs on one
:class:`SharedModel`. Every requirement instance sits behind its own assumption literal
(:meth:`SharedModel.requirement`, with a family name, the missions it names, a sentence
and an optional witness), so the same machinery explains any of them.

Composing a scheduler::

    shared = SharedModel(start_utc=start)             # minute 0; shared.horizon = last minute
    w = add_window_choice(shared, "Lander-1", launch_min, arrive_min)   # windows.py
    add_not_before(shared, "Lander-1", w.choose, w.launch_min, ready_min, "...")
    add_precedence(shared, "Lander-1", "Cargo-1", w.launch, cargo.arrive, gap_min, "...")
    add_launch_separation(shared, "site", names, launches, launch_mins, gap_min, ...)
    add_quota(shared, [(name, seats, window), ...], start_min, end_min, max_seats, ...)
    add_capacity_at_arrival(shared, "crew", name, crew, [(other, crew, there), ...], cap, ...)
    add_within(shared, "stay", [name], depart - arrive, lo_min, hi_min, "...", widenable=True)
    add_loiter_pair(shared, "Lander-1", "Ascent-1", a.arrive, b.arrive, loiter_min, "...")
    add_port_exclusion(shared, "pad-1", holders)      # one holder per port or slot at a time
    shared.model.add_assumptions(shared.literals)
    ... solve; if INFEASIBLE: explain_infeasibility(shared, settings),
        find_relaxation(shared, settings, family_order), widen_spans(shared, settings, ids)
    ... if feasible: Counterfactual(shared, clone, solver, settings, budget_s, solve_s)
        .verdict(subject, target, planned, fixed) for the requirements that bind.

Modules:

- ``families.py`` — :class:`SharedModel` (model, requirement registry, witnesses, spans,
  minute clock), :class:`Requirement`, :class:`Span`; launch separation (pad turnaround,
  site separation), precedence (dependencies), not-before (readiness).
- ``windows.py`` — :class:`Window`, :func:`add_window_choice`: one candidate launch per
  mission.
- ``stays.py`` — :class:`Visit`, :func:`add_within` (stays, departure windows,
  transposition delays, handover overlaps), :func:`add_loiter_pair` (two arrivals within
  a loiter limit).
- ``ports.py`` — :data:`Holder`, :func:`add_port_exclusion`: one holder per port at a time.
- ``crew.py`` — :class:`Aboard` ("i is there when j arrives"),
  :func:`add_capacity_at_arrival` (crew capacity, handover cap, node limit, seats).
- ``quotas.py`` — :func:`add_quota`: a partner's seats on launches within a period.
- ``explain.py`` — :class:`SolveSettings`, infeasible core → sentences
  (:func:`explain_infeasibility`), relaxation search (:func:`find_relaxation`; several
  widenable spans at once: :func:`widen_spans`),
  counterfactual binding requirements (:class:`Counterfactual`).
"""

from stationplan.planning.crew import Aboard, add_capacity_at_arrival
from stationplan.planning.explain import (
    Counterfactual,
    Effect,
    Relief,
    SolveSettings,
    Verdict,
    abs_var,
    explain_infeasibility,
    find_relaxation,
    hint_from,
    new_solver,
    widen_spans,
)
from stationplan.planning.families import (
    Requirement,
    SharedModel,
    Span,
    add_launch_separation,
    add_not_before,
    add_precedence,
)
from stationplan.planning.ports import Holder, add_port_exclusion
from stationplan.planning.quotas import add_quota
from stationplan.planning.stays import Minute, Visit, add_loiter_pair, add_within
from stationplan.planning.windows import Window, add_window_choice

__all__ = [
    "Aboard",
    "Counterfactual",
    "Effect",
    "Holder",
    "Minute",
    "Relief",
    "Requirement",
    "SharedModel",
    "SolveSettings",
    "Span",
    "Verdict",
    "Visit",
    "Window",
    "abs_var",
    "add_capacity_at_arrival",
    "add_launch_separation",
    "add_loiter_pair",
    "add_not_before",
    "add_port_exclusion",
    "add_precedence",
    "add_quota",
    "add_window_choice",
    "add_within",
    "explain_infeasibility",
    "find_relaxation",
    "hint_from",
    "new_solver",
    "widen_spans",
]
