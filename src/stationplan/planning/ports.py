"""Port family: one holder per port (docking port, berth, landing slot) at a time.

A holder occupies a port from its start to its end minute if its presence literal holds
(True: fixed there). Every pair whose possible stays meet gets one requirement literal
and an order literal, as in the disjunctive scheduling examples of OR-Tools.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeAlias

from ortools.sat.python import cp_model

from stationplan.planning.families import SharedModel
from stationplan.planning.stays import Minute

__all__ = ["Holder", "add_port_exclusion"]

#: A holder of a port: name, start, end, presence (True: fixed there),
#: (earliest start, latest end) in minutes.
Holder: TypeAlias = tuple[str, Minute, Minute, cp_model.IntVar | bool, tuple[int, int]]


def add_port_exclusion(
    shared: SharedModel,
    port: str,
    holders: Sequence[Holder],
    sentence: Callable[[str, str], str] | None = None,
) -> None:
    """At most one of ``holders`` on ``port`` at a time; family "port". The sentence of a
    pair defaults to "A and B both need the P port"; the witness names the minute both
    would be there in a schedule that breaks it."""
    model = shared.model
    value = shared.value
    for index, (a, start_a, end_a, present_a, span_a) in enumerate(holders):
        for b, start_b, end_b, present_b, span_b in holders[index + 1 :]:
            if span_a[1] <= span_b[0] or span_b[1] <= span_a[0]:
                continue  # their possible stays never meet

            def witness(
                s: cp_model.CpSolver,
                sa: Minute = start_a,
                sb: Minute = start_b,
                ea: Minute = end_a,
                eb: Minute = end_b,
            ) -> str:
                overlap_from = max(value(s, sa), value(s, sb))
                if overlap_from >= min(value(s, ea), value(s, eb)):
                    return ""
                return f"(both there from {shared.clock(overlap_from)})"

            text = sentence(a, b) if sentence else f"{a} and {b} both need the {port} port"
            lit = shared.requirement("port", [a, b], text, witness)
            first = model.new_bool_var(f"first[{port},{a},{b}]")
            both: list[cp_model.BoolVarT] = [lit, first]
            # A holder fixed on the port (present is True) needs no literal.
            both += [p for p in (present_a, present_b) if isinstance(p, cp_model.IntVar)]
            model.add(end_a <= start_b).only_enforce_if(both)
            both[1] = first.Not()
            model.add(end_b <= start_a).only_enforce_if(both)
