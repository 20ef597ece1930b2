"""Explanations over a :class:`SharedModel`: conflicts, relaxations, binding requirements.

Every requirement instance sits behind an assumption literal
(``CpModel.add_assumptions``), so three questions are re-solves with some literals left
out, whatever scheduler built the model:

- :func:`explain_infeasibility` — why no schedule exists: CP-SAT's
  ``sufficient_assumptions_for_infeasibility`` gives a set of requirements that cannot
  hold together; it is shrunk to a minimal set by deletion (each removal re-checked), and
  read back as sentences with details from a schedule keeping every other requirement
  (Junker, "QuickXplain", AAAI 2004, for the deletion filter idea).
- :func:`find_relaxation` — the first requirement (in the caller's family order) whose
  removal alone makes the model feasible; a widenable span gets the smallest excursion
  outside its bounds instead.
- :class:`Counterfactual` — does a requirement hold a subject back: re-solve without it,
  with a probe "target strictly better than planned"; binding when that re-solve is
  feasible and the one keeping everything is not. Each re-solve fixes the kept literals
  in a copy of the model (instead of passing them as assumptions) so presolve can
  remove what they decide.
"""

from __future__ import annotations

import time as _time
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from stationplan.planning.families import Requirement, SharedModel, Span

__all__ = [
    "Counterfactual",
    "Effect",
    "Relief",
    "SolveSettings",
    "Verdict",
    "abs_var",
    "explain_infeasibility",
    "find_relaxation",
    "hint_from",
    "new_solver",
    "widen_spans",
]


@dataclass(frozen=True)
class SolveSettings:
    """CP-SAT settings: ``workers`` (≤ 2 on this shared machine), wall-time limit per stage
    (s) and the random seed; the same inputs and settings give the same plan."""

    workers: int = 2
    time_limit_s: float = 10.0
    seed: int = 0


def new_solver(settings: SolveSettings, workers: int | None = None) -> cp_model.CpSolver:
    """A CP-SAT solver with ``settings`` (at most 2 workers)."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = max(1, min(2, workers or settings.workers))
    solver.parameters.max_time_in_seconds = settings.time_limit_s
    solver.parameters.random_seed = settings.seed
    return solver


def hint_from(model: cp_model.CpModel, solver: cp_model.CpSolver) -> None:
    """Hint every variable of ``model`` with its value in ``solver``'s last solution (the
    model or a clone of the one solved: variables match by index)."""
    model.clear_hints()
    proto = model.proto
    for index in range(len(proto.variables)):
        model.add_hint(
            model.get_int_var_from_proto_index(index),
            solver.value(model.get_int_var_from_proto_index(index)),
        )


def abs_var(model: cp_model.CpModel, expr: cp_model.LinearExprT, bound: int) -> cp_model.IntVar:
    """A variable equal to |expr|, within [0, 2·bound]."""
    magnitude = model.new_int_var(0, 2 * bound, "")
    model.add_abs_equality(magnitude, expr)
    return magnitude


def explain_infeasibility(
    shared: SharedModel, settings: SolveSettings, shared_resources: Collection[str] = ()
) -> str:
    """Why no schedule exists: a minimal set of requirements that cannot all hold, one
    sentence each, with the witness detail of a schedule that keeps every other
    requirement and as many of these as possible (giving up the ``shared_resources``
    families, weight 1, before the others, weight 3). A "crew" witness replaces its
    sentence; others are appended to it."""
    model = shared.model
    model.clear_objective()
    known = set(shared.requirements)

    by_index = {lit.index: lit for lit in shared.literals}

    def infeasible(assumed: Sequence[int]) -> tuple[bool, list[int]]:
        model.clear_assumptions()
        model.add_assumptions([by_index[i] for i in assumed])
        solver = new_solver(settings, workers=1)
        status = solver.solve(model)
        core = [i for i in solver.sufficient_assumptions_for_infeasibility() if i in known]
        return status == cp_model.INFEASIBLE, core

    all_literals = [lit.index for lit in shared.literals]
    is_infeasible, core = infeasible(all_literals)
    if not is_infeasible:
        return "no schedule exists (the solver proved it, but not under assumptions)"
    core = core or all_literals
    if infeasible(core)[0] is False:
        core = all_literals
    index = 0
    while index < len(core):
        trial = core[:index] + core[index + 1 :]
        still, smaller = infeasible(trial)
        if still:
            core = [i for i in trial if not smaller or i in smaller] or trial
            if not infeasible(core)[0]:
                core = trial
        else:
            index += 1

    keep = [i for i in all_literals if i not in set(core)]
    model.clear_assumptions()
    model.add_assumptions([by_index[i] for i in keep])
    model.maximize(
        sum(
            (1 if shared.requirements[i].family in shared_resources else 3) * by_index[i]
            for i in core
        )
    )
    solver = new_solver(settings, workers=1)
    witness_ok = solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    model.clear_objective()
    lines = []
    for i in core:
        requirement = shared.requirements[i]
        text = requirement.sentence
        if witness_ok and i in shared.witness_text:
            detail = shared.witness_text[i](solver)
            if detail:
                text = detail if requirement.family == "crew" else f"{text} {detail}"
        lines.append(text)
    return "no schedule satisfies all of these together:\n  - " + "\n  - ".join(lines)


@dataclass(frozen=True)
class Relief:
    """A requirement whose removal alone makes the model feasible (checked by re-solving
    with every other literal). For a widenable span, ``value`` is its expression in the
    schedule found, the smallest excursion outside its bounds (minutes); else None."""

    requirement: Requirement
    value: int | None = None
    span: Span | None = None


def find_relaxation(
    shared: SharedModel, settings: SolveSettings, order: Sequence[str]
) -> Relief | None:
    """The first requirement, families tried in ``order`` (others never), whose removal
    alone makes ``shared`` feasible; None if none does. Assumptions are restored."""
    model = shared.model
    model.clear_objective()
    by_index = {lit.index: lit for lit in shared.literals}
    candidates = sorted(
        (i for i, r in shared.requirements.items() if r.family in order),
        key=lambda i: list(order).index(shared.requirements[i].family),
    )
    found = None
    for i in candidates:
        req = shared.requirements[i]
        model.clear_assumptions()
        model.add_assumptions([lit for j, lit in by_index.items() if j != i])
        span = shared.spans.get(i)
        if span is not None:
            below = model.new_int_var(0, shared.horizon, "")
            above = model.new_int_var(0, shared.horizon, "")
            model.add(below >= span.lo_min - span.expr)
            model.add(above >= span.expr - span.hi_min)
            model.minimize(below + above)
        solver = new_solver(settings, workers=1)
        status = solver.solve(model)
        model.clear_objective()
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            continue
        found = Relief(req, None if span is None else int(solver.value(span.expr)), span)
        break
    model.clear_assumptions()
    model.add_assumptions(shared.literals)
    return found


def widen_spans(
    shared: SharedModel, settings: SolveSettings, indices: Sequence[int]
) -> dict[int, int] | None:
    """Drop the span requirements ``indices`` together (every other literal kept) and
    minimise the sum of their excursions outside their bounds (minutes); the value of each
    span's expression in that schedule, by literal index, or None when even then no
    schedule exists. Several windows with no opportunity are widened at once this way.
    Assumptions are restored."""
    model = shared.model
    model.clear_objective()
    dropped = set(indices)
    model.clear_assumptions()
    model.add_assumptions([lit for lit in shared.literals if lit.index not in dropped])
    excursions = []
    for i in indices:
        span = shared.spans[i]
        below = model.new_int_var(0, shared.horizon, "")
        above = model.new_int_var(0, shared.horizon, "")
        model.add(below >= span.lo_min - span.expr)
        model.add(above >= span.expr - span.hi_min)
        excursions += [below, above]
    model.minimize(sum(excursions))
    solver = new_solver(settings, workers=1)
    status = solver.solve(model)
    model.clear_objective()
    model.clear_assumptions()
    model.add_assumptions(shared.literals)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return {i: int(solver.value(shared.spans[i].expr)) for i in indices}


@dataclass(frozen=True)
class Effect:
    """A requirement holding a subject back: without it the target improves by ``gain``
    (model units, minutes) at least."""

    requirement: Requirement
    gain: int


@dataclass(frozen=True)
class Verdict:
    """What holds a subject back. ``free``: the target can beat the plan with every
    requirement kept (True), cannot (False) or unknown in time (None); ``binding``:
    requirements whose removal alone lets it beat the plan, by gain, largest first;
    ``complete``: every requirement naming the subject was checked in time."""

    free: bool | None
    binding: tuple[Effect, ...] = ()
    complete: bool = True


_WALL_GUARD = 10.0
"""Wall-clock guard of the counterfactual re-solves, as a multiple of their deterministic
budget: reached only when the machine is far slower than CP-SAT's deterministic clock
assumes (then a reason may fall back to its unchecked form)."""


class Counterfactual:
    """Re-solves of ``model`` (a clone of the shared model, before any bound on the first
    objective, hinted by the plan) for binding requirements, within a budget for all of
    them and a per-solve limit, both in CP-SAT *deterministic* seconds
    (``max_deterministic_time``, one worker): the same campaign gives the same reasons
    however loaded the machine is. A wall-clock guard of ``_WALL_GUARD`` × the budget only
    stops a pathological run."""

    def __init__(
        self,
        shared: SharedModel,
        model: cp_model.CpModel,
        solver: cp_model.CpSolver,
        settings: SolveSettings,
        budget_s: float,
        solve_s: float,
    ) -> None:
        hint_from(model, solver)
        model.clear_objective()
        self.shared = shared
        self.model = model
        self.settings = settings
        self.solve_s = solve_s
        self.by_index = {lit.index: lit for lit in shared.literals}
        self.budget_s = min(budget_s, settings.time_limit_s)
        self.spent_s = 0.0  # deterministic seconds used so far
        self.deadline = _time.perf_counter() + _WALL_GUARD * self.budget_s

    def literal(self, var: cp_model.IntVar) -> cp_model.IntVar:
        """``var`` of the shared model as a variable of the re-solved clone."""
        return self.model.get_int_var_from_proto_index(var.index)

    def verdict(
        self,
        subject: str,
        target: cp_model.LinearExprT,
        planned: int,
        fixed: Sequence[cp_model.IntVar],
    ) -> Verdict:
        """Which requirements naming ``subject`` alone keep ``target`` (an expression of
        the clone, lower is better) from going below ``planned``, with the ``fixed``
        literals (e.g. the other missions' chosen candidates) assumed."""
        model = self.model
        all_literals = list(self.by_index)
        probe = model.new_bool_var(f"probe[{subject}]")
        model.add(target <= planned - 1).only_enforce_if(probe)

        def better(assumed: Sequence[int]) -> int | None:
            """The target of a schedule beating the plan under ``assumed`` (and the probe);
            None when proven impossible; -1 when unknown (out of time)."""
            if self.spent_s >= self.budget_s or _time.perf_counter() > self.deadline:
                return -1
            # The assumed literals are fixed true in a copy rather than passed as
            # assumptions: CP-SAT's presolve then removes what they decide (the other
            # missions' choices), so each re-solve is a small problem.
            trial = model.clone()
            trial.clear_assumptions()
            for literal in [self.by_index[j] for j in assumed] + list(fixed) + [probe]:
                domain = trial.proto.variables[literal.index].domain
                domain[0] = 1  # a Boolean's domain [0, 1] becomes [1, 1]
            resolver = new_solver(self.settings, workers=1)
            resolver.parameters.max_deterministic_time = min(
                self.solve_s, self.budget_s - self.spent_s
            )
            resolver.parameters.max_time_in_seconds = _WALL_GUARD * self.solve_s
            status = resolver.solve(trial)
            self.spent_s += resolver.response_proto.deterministic_time
            if status == cp_model.INFEASIBLE:
                return None
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                return -1
            return int(resolver.value(target))

        kept = better(all_literals)
        if kept == -1:
            return Verdict(free=None, complete=False)
        found: list[Effect] = []
        complete = True
        if kept is None:
            for index, req in self.shared.requirements.items():
                if subject not in req.missions:
                    continue
                without = better([j for j in all_literals if j != index])
                if without == -1:
                    complete = False
                elif without is not None:
                    found.append(Effect(req, planned - without))
        found.sort(key=lambda e: -e.gain)
        return Verdict(free=kept is not None, binding=tuple(found), complete=complete)

    def close(self) -> None:
        """Drop the assumptions of the last re-solve."""
        self.model.clear_assumptions()
