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

from stationplan.orbit.elements import load_catalog
from stationplan.screening.screen import DEFAULT_STEP_ALL_S, ScreeningVolume, screen

CATALOG = Path(__file__).resolve().parents[1].parent / "shared" / "catalogs" / "satcat-2024-07.3le"
START = datetime(2024, 7, 5, tzinfo=UTC)


def floor_seconds(catalog, days: float, step_s: float) -> float:
    """Bare SatrecArray.sgp4 over the grid, in time chunks of 200 steps (one process)."""
    array, _ = catalog.satrec_array()
    from stationplan.orbit.timescale import datetime_to_jd

    jd0, fr0 = datetime_to_jd(START)
    steps = np.arange(0.0, days * 86400.0 + step_s, step_s)
    start = time.perf_counter()
    for k in range(0, steps.size, 200):
        t = steps[k : k + 200]
        array.sgp4(np.full(t.size, jd0), fr0 + t / 86400.0)
    return time.perf_counter() - start


def run_astroz(catalog, workers: int | None) -> None:
    """astroz (the peer) and ours on the same catalogue, 1 day, 5 km: time ratio, and the
    events each finds that the other misses (pairs matched with TCA within 60 s).

    astroz's misses are checked with python-sgp4 itself: its event's miss distance at its
    TCA, recomputed with ``Satrec.sgp4``, shows whether it departs from Vallado's SGP4.
    """
    try:
        import astroz
    except ImportError:
        print("astroz: skipped (not installed; `pip install '.[bench]'` to compare)")
        return
    days, threshold = 1.0, 5.0
    start = time.perf_counter()
    constellation = astroz.Constellation(str(CATALOG))
    theirs = astroz.screen(constellation, days * 1440.0, threshold=threshold, start_time=START)
    t_theirs = time.perf_counter() - start
    start = time.perf_counter()
    ours = screen(catalog, START, days=days, volume=ScreeningVolume(threshold_km=threshold),
                  workers=workers)  # fmt: skip
    t_ours = time.perf_counter() - start
    satnums = np.asarray(constellation.satnums)
    their_events = [
        (int(min(a, b)), int(max(a, b)), float(t) * 60.0, float(d))
        for a, b, t, d in zip(
            satnums[np.asarray(theirs.i)], satnums[np.asarray(theirs.j)],
            np.asarray(theirs.time), np.asarray(theirs.distance), strict=True,
        )
    ]  # fmt: skip
    t0 = START.timestamp()
    our_events = [
        (min(e.norad_1, e.norad_2), max(e.norad_1, e.norad_2), e.tca_utc.timestamp() - t0)
        for e in ours.events
    ]
    attached = {(min(a.norad_1, a.norad_2), max(a.norad_1, a.norad_2)) for a in ours.attached}
    excluded = {x.norad_id for x in ours.excluded}
    by_pair: dict[tuple[int, int], list[float]] = {}
    for a, b, t in our_events:
        by_pair.setdefault((a, b), []).append(t)
    their_pairs: dict[tuple[int, int], list[float]] = {}
    for a, b, t, _ in their_events:
        their_pairs.setdefault((a, b), []).append(t)

    def matched(pairs: dict, a: int, b: int, t: float) -> bool:
        return any(abs(t - u) <= 60.0 for u in pairs.get((a, b), ()))

    only_theirs = [e for e in their_events if not matched(by_pair, e[0], e[1], e[2])]
    only_ours = [e for e in our_events if not matched(their_pairs, *e)]
    co_orbiting = [e for e in only_theirs if (e[0], e[1]) in attached]
    decaying = [e for e in only_theirs if (e[0], e[1]) not in attached and {e[0], e[1]} & excluded]
    rest = [e for e in only_theirs if e not in co_orbiting and e not in decaying]
    # python-sgp4's own distance at astroz's TCA for the remaining disagreements.
    latest = catalog.latest()
    jd0 = START.timestamp() / 86400.0 + 2440587.5
    beyond = 0
    worst = 0.0
    for a, b, t, d in rest:
        ra = latest[a].satrec.sgp4(jd0, t / 86400.0)
        rb = latest[b].satrec.sgp4(jd0, t / 86400.0)
        sgp4_km = float(np.linalg.norm(np.subtract(ra[1], rb[1])))
        worst = max(worst, abs(sgp4_km - d))
        beyond += sgp4_km > threshold
    print(
        f"astroz {getattr(astroz, '__version__', '?')}, all vs all, {days:g} d, {threshold:g} km: "
        f"{t_theirs:6.1f} s, {len(their_events)} events; ours {t_ours:6.1f} s, "
        f"{len(our_events)} events + {len(ours.attached)} attached pairs; "
        f"time ours / astroz = {t_ours / t_theirs:.2f}"
    )
    print(
        f"  found by astroz only: {len(only_theirs)} — {len(co_orbiting)} of pairs we list as "
        f"attached (co-orbiting), {len(decaying)} involving objects we exclude (implausible "
        f"SGP4 states), {len(rest)} others, of which {beyond} are beyond {threshold:g} km by "
        f"python-sgp4 at astroz's own TCA (largest distance disagreement {worst:.3f} km)"
    )
    print(f"  found by us only: {len(only_ours)}")
    # Miss distances of the events both find: astroz against python-sgp4 (ours).
    ours_miss = {}
    for e in ours.events:
        key = (min(e.norad_1, e.norad_2), max(e.norad_1, e.norad_2))
        ours_miss.setdefault(key, []).append((e.tca_utc.timestamp() - t0, e.miss_km))
    gaps = []
    for a, b, t, d in their_events:
        near = [m for u, m in ours_miss.get((a, b), ()) if abs(t - u) <= 60.0]
        if near:
            gaps.append(abs(d - near[0]))
    if gaps:
        gaps_m = np.asarray(gaps) * 1000.0
        print(
            f"  miss distance, astroz vs python-sgp4 on {gaps_m.size} shared events: median "
            f"{np.median(gaps_m):.1f} m, 99th percentile {np.percentile(gaps_m, 99):.1f} m, "
            f"max {gaps_m.max():.1f} m"
        )


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
    run_astroz(catalog, args.workers)


if __name__ == "__main__":
    main(sys.argv[1:])
