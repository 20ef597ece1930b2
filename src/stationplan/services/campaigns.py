"""Campaign requests shared by the CLI and the web: solver settings from user options."""

from __future__ import annotations

from stationplan.errors import InputError
from stationplan.station.schedule import SolveSettings

__all__ = ["solve_settings"]


def solve_settings(time_limit_s: float) -> SolveSettings:
    """Solver settings from ``--time-limit`` (seconds per objective stage, 0.1–3600)."""
    if not 0.1 <= time_limit_s <= 3600:
        raise InputError("the time limit must lie within 0.1–3600 s", field="--time-limit")
    return SolveSettings(time_limit_s=time_limit_s)
