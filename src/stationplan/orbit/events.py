"""Event finding: the sign changes of a continuous function g(t), found by a root finder.

The pattern is Orekit's ``EventDetector``: a continuous function, search
settings as a value object (maximum check interval, convergence threshold,
maximum iterations), and the reaction kept separate. ``g`` is sampled every
``max_check`` to bracket sign changes, then every bracket is refined at once
with SciPy's vectorised Chandrupatla solver
(``scipy.optimize.elementwise.find_root``). ``max_check`` must be shorter than
the shortest interval between two events, as in Orekit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import elementwise

#: g(t, *args) -> array of the same shape as t; must be elementwise.
EventFunction = Callable[..., np.ndarray]


@dataclass(frozen=True)
class SearchSettings:
    """How events are searched: like Orekit's ``EventDetectionSettings``.

    ``max_check_days``: sampling interval that brackets sign changes (days).
    ``threshold_days``: convergence threshold on the event time (days).
    ``max_iterations``: root-finder iterations per event.
    """

    max_check_days: float = 10.0 / 1440.0
    threshold_days: float = 1e-3 / 86400.0
    max_iterations: int = 100


@dataclass(frozen=True)
class Events:
    """Event times and the direction of the sign change (+1 rising, −1 falling)."""

    t: np.ndarray
    direction: np.ndarray


def bracket_sign_changes(
    g: EventFunction, start: float, end: float, max_check: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sample ``g`` on [start, end] every ``max_check``; return bracket lows, highs and directions."""
    n = max(2, int(np.ceil((end - start) / max_check)) + 1)
    t = np.linspace(start, end, n)
    values = g(t)
    sign = np.sign(values)
    change = np.nonzero(sign[:-1] * sign[1:] < 0)[0]
    return t[change], t[change + 1], np.where(values[change + 1] > values[change], 1, -1)


def refine_roots(
    g: EventFunction,
    low: np.ndarray,
    high: np.ndarray,
    settings: SearchSettings,
    args: tuple[np.ndarray, ...] = (),
) -> np.ndarray:
    """Refine bracketed roots of ``g`` all at once; raises ``RuntimeError`` if one fails."""
    if low.size == 0:
        return low.copy()
    result = elementwise.find_root(
        g,
        (low, high),
        args=args,
        tolerances={"xatol": settings.threshold_days, "xrtol": 0.0, "fatol": 0.0, "frtol": 0.0},
        maxiter=settings.max_iterations,
    )
    if not np.all(result.success):
        bad = int(np.count_nonzero(~result.success))
        raise RuntimeError(f"root finder failed to converge on {bad} bracket(s)")
    return np.asarray(result.x, dtype=float)


def find_events(
    g: EventFunction, start: float, end: float, settings: SearchSettings = SearchSettings()
) -> Events:
    """Every time in [start, end] where ``g`` changes sign, with its direction."""
    low, high, direction = bracket_sign_changes(g, start, end, settings.max_check_days)
    return Events(refine_roots(g, low, high, settings), direction)
