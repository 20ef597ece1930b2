"""Crew and capacity family: what is aboard when something arrives stays within a limit.

The crew aboard a station (nominal capacity, or the handover cap during a handover), the
vehicles at a node (weighted by stay), the seats of a lander or the beds of a lunar
habitat are one shape: at every arrival of j, j's weight plus the weights of every i
already there (arrived no later, not yet gone) is at most a capacity. :class:`Aboard`
builds and caches the "i is there when j arrives" literals.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ortools.sat.python import cp_model

from stationplan.planning.families import SharedModel
from stationplan.planning.stays import Visit

__all__ = ["Aboard", "add_capacity_at_arrival"]


class Aboard:
    """Literals "visit i is there when visit j arrives": ``dock_i ≤ dock_j < depart_i``."""

    def __init__(self, shared: SharedModel) -> None:
        self.model = shared.model
        self._arrived: dict[tuple[str, str], cp_model.IntVar] = {}
        self._still: dict[tuple[str, str], cp_model.IntVar] = {}

    def when(self, i: Visit, j: Visit) -> cp_model.IntVar | None:
        """A literal forced true when i is there at the moment j arrives (None: never,
        from their ranges; i never leaving counts as never, as modules do not count)."""
        model = self.model
        if i.depart is None:
            return None
        if i.dock_range[0] > j.dock_range[1] or i.depart_range[1] <= j.dock_range[0]:
            return None
        key = (i.name, j.name)
        if key not in self._arrived:
            self._arrived[key] = model.new_bool_var(f"arrived[{i.name}<={j.name}]")
            model.add(i.dock <= j.dock).only_enforce_if(self._arrived[key])
            model.add(i.dock > j.dock).only_enforce_if(self._arrived[key].Not())
            self._still[key] = model.new_bool_var(f"still[{i.name}@{j.name}]")
            model.add(i.depart > j.dock).only_enforce_if(self._still[key])
            model.add(i.depart <= j.dock).only_enforce_if(self._still[key].Not())
        both = model.new_bool_var(f"aboard[{i.name}@{j.name}]")
        model.add_bool_or([self._arrived[key].Not(), self._still[key].Not(), both])
        return both


def add_capacity_at_arrival(
    shared: SharedModel,
    family: str,
    arriving: str,
    own_weight: int,
    others: Sequence[tuple[str, int, cp_model.IntVar]],
    capacity: int,
    sentence: str,
    witness: Callable[[cp_model.CpSolver], str] | None = None,
    enforce_if: Sequence[cp_model.IntVar] = (),
) -> cp_model.IntVar:
    """When ``arriving`` arrives, ``own_weight`` plus the weight of every other
    (name, weight, there-literal) whose literal holds is at most ``capacity``; one
    requirement literal (returned), also conditioned on ``enforce_if`` (e.g. "j docks at
    the node")."""
    lit = shared.requirement(
        family, [arriving, *(name for name, _, _ in others)], sentence, witness
    )
    shared.model.add(
        own_weight + sum(w * flag for _, w, flag in others) <= capacity
    ).only_enforce_if([lit, *enforce_if])
    return lit
