"""Stay family: durations that must lie within bounds, and the visits that hold resources.

A stay (departure minus arrival), a departure window, a transposition delay, a handover
overlap, a loiter between two arrivals are all one shape: a minute expression within
[lo, hi], behind one assumption literal. Those registered as spans can be widened by
:func:`stationplan.planning.explain.find_relaxation` (the smallest excursion outside the
bounds, found by minimising it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

from ortools.sat.python import cp_model

from stationplan.planning.families import SharedModel, Span

__all__ = ["Minute", "Visit", "add_loiter_pair", "add_within"]

#: A minute from the campaign start in the model: a variable, or a constant (0, the horizon).
Minute: TypeAlias = cp_model.IntVar | int


@dataclass
class Visit:
    """Anything that arrives and holds a resource (a docking port, a landing slot): its
    ``crew`` count, whether it was there at the start (``initial``), arrival and departure
    minutes (``depart`` None: stays for good, as a module does), the ranges those can take
    (minutes), and per port or slot a presence literal (True: fixed there)."""

    name: str
    kind: str
    crew: int
    initial: bool
    dock: Minute
    depart: cp_model.IntVar | None
    dock_range: tuple[int, int]
    depart_range: tuple[int, int]
    ports: dict[str, cp_model.IntVar | bool] = field(default_factory=dict)


def add_within(
    shared: SharedModel,
    family: str,
    missions: Sequence[str],
    expr: cp_model.LinearExprT,
    lo_min: int,
    hi_min: int,
    sentence: str,
    witness: Callable[[cp_model.CpSolver], str] | None = None,
    widenable: bool = False,
) -> cp_model.IntVar:
    """``lo_min ≤ expr ≤ hi_min`` (minutes) behind one requirement literal, returned.
    ``widenable``: the relaxation search may widen the bounds instead of dropping them."""
    lit = shared.requirement(family, missions, sentence, witness)
    shared.model.add(expr >= lo_min).only_enforce_if(lit)
    shared.model.add(expr <= hi_min).only_enforce_if(lit)
    if widenable:
        shared.spans[lit.index] = Span(expr, lo_min, hi_min)
    return lit


def add_loiter_pair(
    shared: SharedModel,
    first: str,
    second: str,
    arrive_first: Minute,
    arrive_second: Minute,
    loiter_max_min: int,
    sentence: str,
    family: str = "loiter",
) -> cp_model.IntVar:
    """Two arrivals at most ``loiter_max_min`` minutes apart, in either order (a crew
    lander waiting in orbit for its ascent vehicle, a tanker for its client): one literal,
    widenable (the relaxation search reports the loiter the campaign would need)."""
    gap = shared.model.new_int_var(0, 10**9, f"loiter[{first},{second}]")
    shared.model.add_abs_equality(gap, arrive_second - arrive_first)
    return add_within(
        shared, family, [first, second], gap, 0, loiter_max_min, sentence, widenable=True
    )
