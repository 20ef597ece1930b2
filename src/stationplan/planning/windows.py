"""Window family: each mission chooses one of its candidate launch opportunities.

A candidate is a (launch minute, arrival minute) pair from the scheduler's own window
search (in-plane opportunities for the station, direct-transfer windows for the Moon);
the family does not know how they were found. Minutes count from the campaign start.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from stationplan.planning.families import SharedModel

__all__ = ["Window", "add_window_choice"]


@dataclass(frozen=True)
class Window:
    """The choice of one mission: a Boolean per candidate (exactly one true), and the
    launch and arrival minute of the chosen candidate; ``launch_min``/``arrive_min`` are
    the candidates' minutes, in candidate order."""

    choose: tuple[cp_model.IntVar, ...]
    launch: cp_model.IntVar
    arrive: cp_model.IntVar
    launch_min: tuple[int, ...]
    arrive_min: tuple[int, ...]


def add_window_choice(
    shared: SharedModel,
    name: str,
    launch_min: Sequence[int],
    arrive_min: Sequence[int],
) -> Window:
    """Variables for ``name`` choosing exactly one candidate: ``choose[k]`` true when
    candidate k (launch ``launch_min[k]``, arrival ``arrive_min[k]``, minutes) flies. The
    window itself is hard (no literal): an empty window is reported before a model is
    built, and widening one means new candidates (see :mod:`stationplan.planning.explain`)."""
    model = shared.model
    choose = tuple(model.new_bool_var(f"choose[{name},{k}]") for k in range(len(launch_min)))
    model.add_exactly_one(choose)
    launch = model.new_int_var_from_domain(
        cp_model.Domain.from_values(sorted(set(launch_min))), f"launch[{name}]"
    )
    arrive = model.new_int_var_from_domain(
        cp_model.Domain.from_values(sorted(set(arrive_min))), f"dock[{name}]"
    )
    model.add(launch == sum(t * b for t, b in zip(launch_min, choose, strict=True)))
    model.add(arrive == sum(t * b for t, b in zip(arrive_min, choose, strict=True)))
    return Window(choose, launch, arrive, tuple(launch_min), tuple(arrive_min))
