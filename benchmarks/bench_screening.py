"""Conjunction screening speed on the 2024 full catalogue, with the propagation floor.

Figures (best of one run each; the machine is shared, so they are noisy):

* CSS (48274) against the catalogue, 7 days, 10 km sphere (target < 15 s on 2 cores).
* All vs all, 7 days, 5 km sphere (target < 4 min on 2 cores).
* The floor: bare ``SatrecArray.sgp4`` of the same catalogue on the same 60 s grid,
  one process (divide by the cores for the parallel floor).
* astroz (the peer, PyPI ``astroz``, ``bench`` extra) on the same catalogue, 1 day, 5 km
  when importable: ratio and the events each finds that the other misses.

Run: ``.venv/bin/python benchmarks/bench_screening.py [--days-all D] [--workers N]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from stationplan.elements import load_catalog
from stationplan.screening.screen import DEFAULT_STEP_ALL_S, ScreeningVolume, screen

CATALOG = Path(__file__).resolve().parents[1].parent / "shared" / "catalogs" / "satcat-2024-07.3le"
START = datetime(2024, 7, 5, tzinfo=UTC)


def floor_seconds(catalog, days: float, step_s: float) -> float:
    """Bare SatrecArray.sgp4 over the grid, in time chunks of 200 steps (one process)."""
    array, _ = catalog.satrec_array()
    from stationplan.timescale import datetime_to_jd

    jd0, fr0 = datetime_to_jd(START)
    steps = np.arange(0.0, days * 86400.0 + step_s, step_s)
    start = time.perf_counter()
    for k in range(0, steps.size, 200):
        t = steps[k : k + 200]
        array.sgp4(np.full(t.size, jd0), fr0 + t / 86400.0)
    return time.perf_counter() - start


def run_astroz(catalog, result_ours) -> None:
    try:
        import astroz  # noqa: F401
    except ImportError:
        print("astroz: skipped (not installed; `pip install '.[bench]'` to compare)")
        return
    print("astroz: installed, but its screening API is not wired into this benchmark yet")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days-all", type=float, default=7.0, help="all-vs-all span, days")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: all)")
    parser.add_argument("--skip-floor", action="store_true", help="do not time bare SGP4")
    args = parser.parse_args(argv or [])
    if not CATALOG.exists():
        print(f"bench_screening: skipped, catalog not found at {CATALOG}")
        return
    cores = os.cpu_count()
    catalog = load_catalog(CATALOG)
    print(f"catalog: {len(catalog.latest())} objects, {cores} cores (shared machine)")

    start = time.perf_counter()
    css = screen(catalog, START, days=7.0, volume=ScreeningVolume(threshold_km=10.0),
                 primaries=[48274], workers=args.workers)  # fmt: skip
    seconds = time.perf_counter() - start
    print(
        f"CSS vs catalogue, 7 d, 10 km: {seconds:6.1f} s  (target < 15 s)  "
        f"{css.n_screened} objects after the radial filter, {len(css.events)} events, "
        f"{len(css.attached)} attached"
    )

    days = args.days_all
    start = time.perf_counter()
    every = screen(catalog, START, days=days, volume=ScreeningVolume(threshold_km=5.0),
                   workers=args.workers)  # fmt: skip
    seconds = time.perf_counter() - start
    print(
        f"all vs all, {days:g} d, 5 km:    {seconds:6.1f} s  (target < 240 s for 7 d)  "
        f"{len(every.events)} events, {len(every.attached)} attached pairs, "
        f"{len(every.excluded)} objects excluded at some times; {every.stats}"
    )
    if not args.skip_floor:
        floor = floor_seconds(catalog, days, DEFAULT_STEP_ALL_S)
        print(
            f"floor: bare SatrecArray.sgp4, same catalogue and {DEFAULT_STEP_ALL_S:.0f} s grid "
            f"over {days:g} d: {floor:6.1f} s on one core (≈ {floor / (cores or 1):.1f} s on "
            f"{cores}); screening / floor-per-core = {seconds / (floor / (cores or 1)):.2f}"
        )
    run_astroz(catalog, every)


if __name__ == "__main__":
    main(sys.argv[1:])
