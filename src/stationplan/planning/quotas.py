"""Quota family: a partner's seats (or any count) on launches within a period.

Each mission flying the partner contributes its seat count when its chosen candidate
launches in [start, end) minutes; the sum is at most the quota. Decided on the window
choices directly (a linear sum of Booleans), so no extra variables are needed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ortools.sat.python import cp_model

from stationplan.planning.families import SharedModel
from stationplan.planning.windows import Window

__all__ = ["add_quota"]


def add_quota(
    shared: SharedModel,
    seats: Sequence[tuple[str, int, Window]],
    start_min: int,
    end_min: int,
    max_seats: int,
    sentence: Callable[[Sequence[str]], str],
    witness: Callable[[cp_model.CpSolver], str] | None = None,
    key: str = "",
) -> cp_model.IntVar | None:
    """At most ``max_seats`` of the (mission, seats, window) ``seats`` launched within
    [``start_min``, ``end_min``); family "quota", one literal (None when no candidate of
    any mission falls in the period). ``sentence`` gets the missions that could fly in
    it; ``key`` names the quota for relaxations."""
    seat_terms: list[cp_model.LinearExprT] = []
    flyers: list[str] = []
    for name, count, window in seats:
        if not count:
            continue
        inside = [
            b
            for t, b in zip(window.launch_min, window.choose, strict=True)
            if start_min <= t < end_min
        ]
        if inside:
            seat_terms.append(count * sum(inside))
            flyers.append(name)
    if not seat_terms:
        return None
    lit = shared.requirement("quota", flyers, sentence(flyers), witness, key=key)
    shared.model.add(sum(seat_terms) <= max_seats).only_enforce_if(lit)
    return lit
