"""Brute-force check of the one-vs-catalogue pre-filter's bound on a whole catalogue.

For every object of the catalogue (default: the 2024 one, 7 days from 2024-07-05, the
120 s sieve grid and the pre-filter's factor) this propagates the coarse grid and the
sieve grid with python-sgp4/heyoka as the screening does, and checks the two claims of
``stationplan.screening.prefilter`` that the output depends on:

1. for every object whose coarse states are all plausible and whose bound is finite (and
   not in an SDP4 resonance, ``prefilter.resonant``: those are never dropped), the
   cubic Hermite interpolant of the coarse samples is within the bound of SGP4 at every
   grid point (prints the largest ratio error / bound, and its object);
2. every such object is plausible at every grid point (no grid exclusion is lost).

Run: ``.venv/bin/python benchmarks/check_prefilter.py [--days D] [--objects N]``; exit
status 1 when a claim fails. Takes ~1–2 min for the whole 2024 catalogue, 7 days.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from stationplan.orbit.elements import load_catalog
from stationplan.orbit.sgp4_backends import grid_propagator, propagate_on
from stationplan.orbit.timescale import datetime_to_jd
from stationplan.screening.prefilter import hermite_error_bound_km, hermite_points, resonant
from stationplan.screening.screen import _PREFILTER_FACTOR, DEFAULT_STEP_PRIMARY_S
from stationplan.screening.sieve import plausible_states

CATALOG = Path(__file__).resolve().parents[1].parent / "shared" / "catalogs" / "satcat-2024-07.3le"
START = datetime(2024, 7, 5, tzinfo=UTC)


def check(satrecs: list, days: float, step_s: float, factor: int) -> tuple[float, int, int, int]:
    """(largest error/bound, its row, rows checked, sane rows with a grid exclusion)."""
    jd0, fr0 = datetime_to_jd(START)
    n_steps = int(np.ceil(days * 86400.0 / step_s))
    n_coarse = -(-n_steps // factor)
    c = np.arange(-1, n_coarse + 2)
    k = np.arange(-1, n_steps + 2)
    grid = grid_propagator(satrecs, "auto")
    coarse = propagate_on(grid, np.full(c.size, jd0), fr0 + c * factor * step_s / 86400.0)
    fine = propagate_on(grid, np.full(k.size, jd0), fr0 + k * step_s / 86400.0)
    h_s = factor * step_s
    reason = plausible_states(coarse.position_km, coarse.velocity_km_s, coarse.error_code, h_s)
    interpolable = np.array([not resonant(s) for s in satrecs], dtype=bool)
    sane = np.flatnonzero(np.all(reason == 0, axis=1) & interpolable)
    bound = hermite_error_bound_km(coarse.position_km[sane], coarse.velocity_km_s[sane], h_s)
    sane = sane[np.isfinite(bound)]
    bound = bound[np.isfinite(bound)]
    p, v = coarse.position_km[sane, 1:], coarse.velocity_km_s[sane, 1:]
    q = hermite_points(p[:, :-1], v[:, :-1], p[:, 1:], v[:, 1:], h_s, factor)
    m = min(q.shape[1], n_steps + 1)
    error = np.linalg.norm(q[:, :m] - fine.position_km[sane, 1 : m + 1], axis=-1).max(axis=1)
    ratio = error / bound
    fine_reason = plausible_states(fine.position_km, fine.velocity_km_s, fine.error_code, step_s)
    lost = int(np.any(fine_reason[sane, 1:-1] != 0, axis=1).sum())
    worst = int(np.nanargmax(ratio)) if ratio.size else 0
    return float(np.nanmax(ratio, initial=0.0)), int(sane[worst]), sane.size, lost


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=7.0)
    parser.add_argument("--objects", type=int, default=0, help="first N objects (0: all)")
    parser.add_argument("--block", type=int, default=1000)
    args = parser.parse_args()
    latest = load_catalog(CATALOG).latest()
    elements = [latest[k] for k in sorted(latest)]
    if args.objects:
        elements = elements[: args.objects]
    began = time.perf_counter()
    worst, worst_id, checked, lost = 0.0, 0, 0, 0
    for b0 in range(0, len(elements), args.block):
        block = elements[b0 : b0 + args.block]
        ratio, row, n, n_lost = check(
            [e.satrec for e in block], args.days, DEFAULT_STEP_PRIMARY_S, _PREFILTER_FACTOR
        )
        checked += n
        lost += n_lost
        if ratio > worst:
            worst, worst_id = ratio, block[row].norad_id
    print(
        f"{checked} of {len(elements)} objects with a bound, {args.days:g} d, "
        f"{DEFAULT_STEP_PRIMARY_S:g} s grid, factor {_PREFILTER_FACTOR}: largest Hermite error "
        f"/ bound {worst:.3f} (NORAD {worst_id}); objects with a bound but a grid exclusion: "
        f"{lost}  [{time.perf_counter() - began:.0f} s]"
    )
    return 0 if worst <= 1.0 and lost == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
