"""The all-vs-all sieve per grid point: compiled kernel, NumPy/k-d path and the SGP4 floor.

Figures (ms per 60 s grid point, one process, 2024 full catalogue, 5 km; noisy machine):

* bare ``SatrecArray.sgp4`` of the catalogue (the floor: every engine needs these states),
* ``plausible_states`` and ``sieve_all`` with ``engine="compiled"`` and ``"numpy"``, with
  the candidate intervals each returns (the NumPy path widens its tests by its float32
  allowance, so it may return a few more, never fewer),
* the compiled sieve with 2 and 3 sub-windows (fewer pairs tested, more sorting).

Run: ``.venv/bin/python benchmarks/bench_sieve.py [--steps T]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from stationplan.orbit.elements import load_catalog
from stationplan.orbit.timescale import datetime_to_jd
from stationplan.screening import sieve

CATALOG = Path(__file__).resolve().parents[1].parent / "shared" / "catalogs" / "satcat-2024-07.3le"
START = datetime(2024, 7, 5, tzinfo=UTC)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=120, help="grid points (60 s apart)")
    args = parser.parse_args(argv or [])
    if not CATALOG.exists():
        print(f"bench_sieve: skipped, catalog not found at {CATALOG}")
        return
    catalog = load_catalog(CATALOG)
    array, _ = catalog.satrec_array()
    jd0, fr0 = datetime_to_jd(START)
    h, steps = 60.0, args.steps
    t = np.arange(steps) * h
    start = time.perf_counter()
    error, position, velocity = array.sgp4(np.full(steps, jd0), fr0 + t / 86400.0)
    floor_ms = (time.perf_counter() - start) / steps * 1e3
    settings = sieve.SieveSettings(step_s=h, distance_km=5.0)
    print(f"catalog: {position.shape[0]} objects, {steps} grid points of {h:g} s, one process")
    print(f"  SGP4 floor (bare SatrecArray.sgp4):      {floor_ms:6.2f} ms per grid point")
    compiled = sieve._sievec is not None
    for engine in ("compiled", "numpy") if compiled else ("numpy",):
        start = time.perf_counter()
        reason = sieve.plausible_states(position, velocity, error, h, engine=engine)
        plausible_ms = (time.perf_counter() - start) / steps * 1e3
        usable = reason == 0
        start = time.perf_counter()
        cand = sieve.sieve_all(position, velocity, usable, 0, settings, engine=engine)
        sieve_ms = (time.perf_counter() - start) / steps * 1e3
        print(
            f"  {engine:8s} plausibility {plausible_ms:6.2f} ms, sieve {sieve_ms:6.2f} ms per grid "
            f"point ({sieve_ms / floor_ms:4.2f}× the floor), {cand.i.size} candidate intervals, "
            f"{cand.n_pairs_tested} pair tests"
        )
    if not compiled:
        print(f"  compiled: skipped ({sieve.NOT_BUILT})")
        return
    for m in (2, 3):
        start = time.perf_counter()
        cand = sieve.sieve_all(position, velocity, usable, 0, settings, sub_windows=m)
        sieve_ms = (time.perf_counter() - start) / steps * 1e3
        print(
            f"  compiled, {m} sub-windows: sieve {sieve_ms:6.2f} ms per grid point, "
            f"{cand.i.size} candidate intervals, {cand.n_pairs_tested} pair tests"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
