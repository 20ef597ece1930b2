"""SGP4 backends on the 2024 full catalogue: python-sgp4 (SatrecArray) against heyoka.

Figures (one run each; the machine is shared, so they are noisy):

* Propagation of the whole catalogue on the all-vs-all grid (60 s steps, 1 day), in the
  time chunks the screening uses, ms per grid step: bare ``SatrecArray.sgp4`` (the floor
  of the python-sgp4 backend), ``stationplan.orbit.sgp4_backends.HeyokaSGP4.propagate`` (heyoka for
  near-earth objects + python-sgp4 for deep space, scattered into the same (N, T, 3)
  arrays, fresh ones and the screening's reused ``StateBuffers``), and its two parts
  alone: bare heyoka on the near-earth objects, bare SatrecArray on the deep-space ones;
  wall and CPU (all threads) per step.
* All vs all, 1 day, 5 km sphere, default workers: ``backend="sgp4"`` and
  ``backend="heyoka"``, and whether both find exactly the same events.

Run: ``.venv/bin/python benchmarks/bench_backends.py [--days D] [--workers N]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sgp4.api import SatrecArray

from stationplan.orbit.elements import load_catalog
from stationplan.orbit.sgp4_backends import HeyokaSGP4, StateBuffers, heyoka_available
from stationplan.orbit.timescale import datetime_to_jd
from stationplan.screening.screen import DEFAULT_STEP_ALL_S, ScreeningVolume, screen

CATALOG = Path(__file__).resolve().parents[1].parent / "shared" / "catalogs" / "satcat-2024-07.3le"
START = datetime(2024, 7, 5, tzinfo=UTC)
CHUNK_STEPS = 154  # what screen() uses for 26k objects (4 M states per chunk)


def _grid(days: float) -> list[tuple[np.ndarray, np.ndarray]]:
    jd0, fr0 = datetime_to_jd(START)
    t_s = np.arange(0.0, days * 86400.0 + DEFAULT_STEP_ALL_S, DEFAULT_STEP_ALL_S)
    return [
        (np.full(t_s[k : k + CHUNK_STEPS].size, jd0), fr0 + t_s[k : k + CHUNK_STEPS] / 86400.0)
        for k in range(0, t_s.size, CHUNK_STEPS)
    ]


def _ms_per_step(run, chunks: list[tuple[np.ndarray, np.ndarray]]) -> tuple[float, float]:
    """Wall and CPU (all threads of this process) ms per grid step, after one warm-up."""
    run(*chunks[0])  # warm-up (heyoka's first call, page faults, buffers grown)
    start, cpu = time.perf_counter(), time.process_time()
    for jd, fr in chunks:
        run(jd, fr)
    steps = sum(jd.size for jd, _ in chunks)
    return (time.perf_counter() - start) * 1e3 / steps, (time.process_time() - cpu) * 1e3 / steps


def propagation(satrecs: list, days: float) -> None:
    """Per-step propagation cost of each backend on the screening grid."""
    import heyoka

    chunks = _grid(days)
    array = SatrecArray(satrecs)
    start = time.perf_counter()
    fast = HeyokaSGP4.from_satrecs(satrecs)
    build_s = time.perf_counter() - start
    near = [satrecs[i] for i in fast.near_rows]
    bare_heyoka = heyoka.model.sgp4_propagator(near)
    deep = SatrecArray([satrecs[i] for i in fast.deep_rows])
    buffers = StateBuffers()

    def heyoka_near(jd: np.ndarray, fr: np.ndarray) -> None:
        tsince = (jd[:, None] - fast.epoch_jd) * 1440.0 + (fr[:, None] - fast.epoch_fr) * 1440.0
        bare_heyoka(np.ascontiguousarray(tsince))

    def screening(jd: np.ndarray, fr: np.ndarray) -> None:
        fast.propagate(jd, fr, buffers=buffers)

    floor = _ms_per_step(array.sgp4, chunks)
    ours = _ms_per_step(fast.propagate, chunks)
    reused = _ms_per_step(screening, chunks)
    near_ms = _ms_per_step(heyoka_near, chunks)
    deep_ms = _ms_per_step(deep.sgp4, chunks)
    threads = heyoka.get_nthreads() if hasattr(heyoka, "get_nthreads") else "?"
    print(
        f"propagation, {len(satrecs)} objects, {DEFAULT_STEP_ALL_S:.0f} s grid over {days:g} d, "
        f"ms per grid step, wall / CPU (heyoka {heyoka.__version__}, {threads} threads):"
    )
    print(
        f"  bare SatrecArray.sgp4 (floor of the sgp4 backend)    {floor[0]:6.2f} / {floor[1]:6.2f}"
    )
    print(
        f"  HeyokaSGP4.propagate, fresh arrays                  {ours[0]:6.2f} / {ours[1]:6.2f}  "
        f"(CPU {floor[1] / ours[1]:.2f}x less; built in {build_s:.2f} s)"
    )
    print(
        f"  same, into reused StateBuffers (the screening)      {reused[0]:6.2f} / {reused[1]:6.2f}  "
        f"(CPU {floor[1] / reused[1]:.2f}x less)"
    )
    print(
        f"    bare heyoka, {fast.near_rows.size} near-earth objects        {near_ms[0]:6.2f} / {near_ms[1]:6.2f}"
    )
    print(
        f"    bare SatrecArray, {fast.deep_rows.size} deep-space objects     {deep_ms[0]:6.2f} / {deep_ms[1]:6.2f}"
    )


def all_vs_all(catalog, days: float, workers: int | None) -> None:
    """The all-vs-all screening with both backends, and whether the events agree."""
    results = {}
    for backend in ("sgp4", "heyoka"):
        start = time.perf_counter()
        results[backend] = screen(catalog, START, days=days, workers=workers, backend=backend,
                                  volume=ScreeningVolume(threshold_km=5.0))  # fmt: skip
        seconds = time.perf_counter() - start
        r = results[backend]
        print(
            f"all vs all, {days:g} d, 5 km, backend={backend:6s}: {seconds:6.1f} s  "
            f"{len(r.events)} events, {len(r.attached)} attached pairs"
        )
    a, b = results["sgp4"], results["heyoka"]
    same = [e.as_dict() for e in a.events] == [e.as_dict() for e in b.events]
    # Attached pairs by pair and closest separation: objects sharing one element set are 0 km
    # apart at every sample, and which tied sample is reported depends on chunk order.
    pairs_a = [(c.norad_1, c.norad_2, round(c.miss_km, 6)) for c in a.attached]
    pairs_b = [(c.norad_1, c.norad_2, round(c.miss_km, 6)) for c in b.attached]
    print(f"  identical events: {same}; same attached pairs: {pairs_a == pairs_b}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=1.0, help="span, days")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: all)")
    args = parser.parse_args(argv or [])
    if not CATALOG.exists():
        print(f"bench_backends: skipped, catalog not found at {CATALOG}")
        return
    if not heyoka_available():
        print("bench_backends: skipped, heyoka not installed (`pip install '.[fast]'`)")
        return
    catalog = load_catalog(CATALOG)
    latest = catalog.latest()
    satrecs = [latest[k].satrec for k in sorted(latest)]
    print(f"catalog: {len(satrecs)} objects, {os.cpu_count()} cores (shared machine)")
    propagation(satrecs, args.days)
    all_vs_all(catalog, args.days, args.workers)


if __name__ == "__main__":
    main(sys.argv[1:])
