"""Conjunction screening speed on the 2024 full catalogue, with the propagation floor.

Figures (best of one run each; the machine is shared, so they are noisy):

* CSS (48274) against the catalogue, 7 days, 10 km sphere (target ≤ 3 s on 2 cores, CLI
  wall with JSON output: `css_table`, also in `--phases-only`).
* All vs all, 7 days, 5 km sphere (target ≤ 60 s on 2 cores).
* The floor: bare ``SatrecArray.sgp4`` of the same catalogue on the same 60 s grid,
  one process (divide by the cores for the parallel floor).
* astroz (the peer, PyPI ``astroz``, ``bench`` extra) on the same catalogue, 1 day, 5 km
  when importable: ratio and the events each finds that the other misses.
* The phase table (first): all vs all, 1 day, 5 km, in one run — our CLI's wall and CPU
  time (``stationplan screen --all --format json``, interpreter start to last byte) and
  astroz's (its own process, load included) interleaved ABAB with the load average at
  each start (the least loaded pair is quoted), the bare-SGP4 floor, then where our time
  goes (start-up, radial filter, propagation, sieve, TCA, assembly, Pc, output) and the
  peak memory of the largest process. Ratios within the run are the figures to quote: the
  machine is shared, so absolute times move with the load.

Run: ``.venv/bin/python benchmarks/bench_screening.py [--days-all D] [--workers N]
[--phases-only]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
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


ASTROZ_CHILD = """
import sys, astroz
from datetime import UTC, datetime
c = astroz.Constellation(sys.argv[1])
astroz.screen(c, float(sys.argv[2]) * 1440.0, threshold=float(sys.argv[3]),
              start_time=datetime(2024, 7, 5, tzinfo=UTC))
"""


def _timed_child(command: list[str]) -> tuple[float, float, float, float]:
    """(wall s, CPU s of its process tree, peak RSS MiB of the largest process of its tree,
    1-minute load average at its start) of one child process."""
    load = os.getloadavg()[0]
    began = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - began
    if status != 0:
        raise RuntimeError(f"{command[:3]} failed with status {status}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0, load


def phases_child(days: float, threshold_km: float, primary: float = 0.0) -> None:
    """The CLI's steps, timed one by one (run in a fresh process; prints JSON); all vs all,
    or ``primary`` (NORAD) against the catalogue."""
    from stationplan.cli.screen import SortKey, _sorted, _with_pc
    from stationplan.screening.conjunction import write_conjunctions_json
    from stationplan.screening.screen import prefer_small_pages, usable_cores

    prefer_small_pages()  # as the CLI does
    clock = [time.perf_counter()] * 2
    catalog = load_catalog(CATALOG)
    clock.append(time.perf_counter())
    result = screen(catalog, START, days=days, volume=ScreeningVolume(threshold_km=threshold_km),
                    primaries=[int(primary)] if primary else None, pc=True)  # fmt: skip
    clock.append(time.perf_counter())
    events, _ = _with_pc(list(result.events))
    events = _sorted(events, SortKey.pc)
    clock.append(time.perf_counter())
    with open(os.devnull, "w") as sink:  # as the CLI writes it (two processes, two cores)
        write_conjunctions_json(events + list(result.attached), sink.write,
                                processes=min(2, usable_cores()))  # fmt: skip
        sink.write("\n")
    clock.append(time.perf_counter())
    print(json.dumps({
        "timed": clock[5] - clock[0], "load": clock[2] - clock[1],
        "screen": clock[3] - clock[2], "pc": clock[4] - clock[3], "output": clock[5] - clock[4],
        "phases": result.phase_s, "workers": result.stats["workers"],
        "events": len(result.events), "attached": len(result.attached),
        "main_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "worker_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0,
    }))  # fmt: skip


def phase_table(days: float = 1.0, threshold_km: float = 5.0, rounds: int = 2) -> None:
    """Ours (CLI) and astroz interleaved (ABAB, ``rounds`` pairs, wall and CPU seconds with
    the load average at each start), the bare-SGP4 floor, then our phases."""
    here = Path(__file__).resolve()
    cli = Path(sys.executable).with_name("stationplan")
    ours_cmd = [
        str(cli), "screen", "--elements", str(CATALOG), "--start", "2024-07-05",
        "--days", f"{days:g}", "--all", "--threshold-km", f"{threshold_km:g}", "--format", "json",
    ]  # fmt: skip
    astroz_cmd = [
        sys.executable,
        "-c",
        ASTROZ_CHILD,
        str(CATALOG),
        f"{days:g}",
        f"{threshold_km:g}",
    ]
    try:
        import astroz  # noqa: F401
    except ImportError:
        astroz_cmd = []
    nan = (float("nan"),) * 4
    pairs = []
    for k in range(rounds):
        ours = _timed_child(ours_cmd)
        theirs = _timed_child(astroz_cmd) if astroz_cmd else nan
        pairs.append((ours, theirs))
        print(
            f"  round {k + 1}: ours {ours[0]:6.2f} s wall, {ours[1]:6.2f} s CPU (load {ours[3]:.1f}); "
            f"astroz {theirs[0]:6.2f} s wall, {theirs[1]:6.2f} s CPU (load {theirs[3]:.1f}); "
            f"ours / astroz: wall {ours[0] / theirs[0]:.2f}, CPU {ours[1] / theirs[1]:.2f}",
            flush=True,
        )
    # The pair with the lowest load average is the one quoted below.
    ours, theirs = min(pairs, key=lambda pair: pair[0][3] + pair[1][3])
    ours_s, ours_cpu, ours_mib, ours_load = ours
    astroz_s, astroz_cpu, astroz_mib, astroz_load = theirs
    catalog = load_catalog(CATALOG)
    cores = len(os.sched_getaffinity(0))
    floor_s = floor_seconds(catalog, days, DEFAULT_STEP_ALL_S) / cores
    began = time.perf_counter()
    out = subprocess.run(
        [sys.executable, str(here), "--phases-child", f"{days:g}", f"{threshold_km:g}"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    child_s = time.perf_counter() - began
    ph = json.loads(out.strip().splitlines()[-1])
    # Interpreter start and imports: the child's wall time less what it timed itself.
    startup_s = child_s - ph["timed"]
    p = ph["phases"]
    load = os.getloadavg()[0]
    print(
        f"phase table: all vs all, {len(catalog.latest())} objects, {days:g} d, "
        f"{threshold_km:g} km, {cores} cores, load average {load:.1f} (shared machine)"
    )
    rows = [
        ("CLI wall, interpreter start to last byte (ours)", f"{ours_s:7.2f} s",
         f"CPU {ours_cpu:.2f} s, load {ours_load:.1f}"),
        ("astroz (own process, load included)", f"{astroz_s:7.2f} s",
         f"CPU {astroz_cpu:.2f} s, load {astroz_load:.1f}; ours / astroz = "
         f"{ours_s / astroz_s:.2f} wall, {ours_cpu / astroz_cpu:.2f} CPU"),
        (f"floor: bare SatrecArray.sgp4, 60 s grid, / {cores} cores", f"{floor_s:7.2f} s",
         f"ours / floor = {ours_s / floor_s:.2f}"),
        ("-- our phases (a second run, same steps as the CLI) --", "", ""),
        ("start-up: interpreter and imports", f"{startup_s:7.2f} s", ""),
        ("start-up: catalogue load", f"{ph['load']:7.2f} s", ""),
        ("radial filter", f"{p['filter']:7.2f} s", "one-vs-catalogue only"),
        ("coarse pre-filter", f"{p.get('prefilter', 0.0):7.2f} s", "one-vs-catalogue only"),
        (f"chunks, wall ({ph['workers']} processes incl. this one)", f"{p['chunks']:7.2f} s", ""),
        ("  propagation (summed over processes)", f"{p['propagation']:7.2f} s", ""),
        ("  sieve (summed over processes)", f"{p['sieve']:7.2f} s", ""),
        ("  TCA (summed over processes)", f"{p['tca']:7.2f} s", ""),
        ("assembly (events, attached, exclusions, default Pc)", f"{p['assembly']:7.2f} s", ""),
        ("Pc of events without an encounter plane, and sort", f"{ph['pc']:7.2f} s", ""),
        ("output (JSON)", f"{ph['output']:7.2f} s", ""),
        ("peak memory, largest process: ours (CLI run) / astroz", f"{ours_mib:5.0f} MiB",
         f"{astroz_mib:.0f} MiB; phase run: main {ph['main_mib']:.0f}, "
         f"worker {ph['worker_mib']:.0f} MiB"),
    ]  # fmt: skip
    for name, value, note in rows:
        print(f"  {name:<56} {value:>10}  {note}")
    print(f"  ({ph['events']} events, {ph['attached']} attached pairs)")


def css_table(rounds: int = 3) -> None:
    """CSS (48274) against the catalogue, 7 d, 10 km: the CLI's wall and CPU time with
    JSON output (interpreter start to last byte), ``rounds`` times with the load average
    at each start, then where the time goes (a second process, the CLI's steps)."""
    here = Path(__file__).resolve()
    cli = Path(sys.executable).with_name("stationplan")
    command = [
        str(cli), "screen", "--elements", str(CATALOG), "--start", "2024-07-05", "--days", "7",
        "--primary", "48274", "--threshold-km", "10", "--format", "json",
    ]  # fmt: skip
    print("CSS (48274) vs catalogue, 7 d, 10 km, CLI with JSON output (target ≤ 3 s wall):")
    runs = []
    for k in range(rounds):
        wall, cpu, mib, load = _timed_child(command)
        runs.append((wall, cpu, mib, load))
        print(
            f"  run {k + 1}: {wall:5.2f} s wall, {cpu:5.2f} s CPU, {mib:4.0f} MiB (load {load:.1f})"
        )
    out = subprocess.run(
        [sys.executable, str(here), "--phases-child", "7", "10", "48274"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    ph = json.loads(out.strip().splitlines()[-1])
    p = ph["phases"]
    print(
        f"  phases: catalogue load {ph['load']:.2f} s, radial filter {p['filter']:.2f} s, "
        f"coarse pre-filter {p.get('prefilter', 0.0):.2f} s, chunks {p['chunks']:.2f} s "
        f"(propagation {p['propagation']:.2f}, sieve {p['sieve']:.2f}, TCA {p['tca']:.2f}), "
        f"Pc {ph['pc']:.2f} s, output {ph['output']:.2f} s; {ph['events']} events, "
        f"{ph['attached']} attached"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days-all", type=float, default=7.0, help="all-vs-all span, days")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: all)")
    parser.add_argument("--skip-floor", action="store_true", help="do not time bare SGP4")
    parser.add_argument("--phases-only", action="store_true", help="only the phase table")
    parser.add_argument("--phases-child", nargs="+", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv or [])
    if not CATALOG.exists():
        print(f"bench_screening: skipped, catalog not found at {CATALOG}")
        return
    if args.phases_child:
        phases_child(*args.phases_child)
        return
    phase_table()
    css_table()
    if args.phases_only:
        return
    cores = os.cpu_count()
    catalog = load_catalog(CATALOG)
    print(f"catalog: {len(catalog.latest())} objects, {cores} cores (shared machine)")

    start = time.perf_counter()
    css = screen(catalog, START, days=7.0, volume=ScreeningVolume(threshold_km=10.0),
                 primaries=[48274], workers=args.workers)  # fmt: skip
    seconds = time.perf_counter() - start
    print(
        f"CSS vs catalogue, 7 d, 10 km (library call): {seconds:6.1f} s  (target ≤ 3 s CLI)  "
        f"{css.n_screened} objects after the radial filter, {len(css.events)} events, "
        f"{len(css.attached)} attached"
    )

    days = args.days_all
    start = time.perf_counter()
    every = screen(catalog, START, days=days, volume=ScreeningVolume(threshold_km=5.0),
                   workers=args.workers)  # fmt: skip
    seconds = time.perf_counter() - start
    print(
        f"all vs all, {days:g} d, 5 km:    {seconds:6.1f} s  (target ≤ 60 s for 7 d on 2 cores)  "
        f"{len(every.events)} events, {len(every.attached)} attached pairs, "
        f"{len(every.excluded)} objects excluded at some times; {every.stats}; load average "
        f"{os.getloadavg()[0]:.1f}; peak memory so far: this process "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB, largest child process "
        f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MiB (target ≤ 2 GB)"
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
