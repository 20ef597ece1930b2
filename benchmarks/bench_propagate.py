"""Throughput of batch SGP4: stationplan.orbit.propagate against bare python-sgp4 SatrecArray.

Catalog: ../shared/catalogs/satcat-2024-07.3le (3LE, CRLF), parsed with plain
``Satrec.twoline2rv``; records that fail to parse or initialise are skipped.
Times: one day at 60 s steps (1440 times) from the UTC midnight before the catalog's
median epoch. Every figure is the best of three runs (the machine is shared).

Acceptance: ``propagate`` in TEME within 15 % of bare ``SatrecArray.sgp4`` throughput.

Run: ``.venv/bin/python benchmarks/bench_propagate.py [--objects N] [--repeat R]``.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import numpy as np
from sgp4.api import Satrec, SatrecArray

from stationplan.orbit.propagate import StateBatch, iter_propagate, propagate, teme_to_gcrs

CATALOG = Path(__file__).resolve().parents[1].parent / "shared" / "catalogs" / "satcat-2024-07.3le"
STEP_S = 60.0
TIMES = 1440
ACCEPT_RATIO = 1.15


def load_satrecs(path: Path) -> list[Satrec]:
    """Satrecs of every 3LE record in ``path`` that parses and initialises cleanly."""
    lines = path.read_text(encoding="ascii", errors="replace").splitlines()
    satrecs = []
    for line1, line2 in pairwise(lines):
        if not (line1.startswith("1 ") and line2.startswith("2 ")):
            continue
        try:
            sat = Satrec.twoline2rv(line1, line2)
        except (ValueError, RuntimeError):
            continue
        if sat.error == 0:
            satrecs.append(sat)
    return satrecs


def best_of(repeat: int, run: Callable[[], object]) -> float:
    """Smallest wall time in seconds of ``repeat`` runs; results are dropped at once."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
        del result
    return best


def time_gcrs_conversion(repeat: int, teme: StateBatch) -> float:
    """Best wall time of rotating an existing TEME batch into the GCRS."""
    return best_of(
        repeat, lambda: teme_to_gcrs(teme.position_km, teme.velocity_km_s, teme.jd, teme.fr)
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=None, help="use only the first N objects")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (best is kept)")
    args = parser.parse_args(argv or [])  # run_all.py calls main() with the defaults

    if not CATALOG.exists():
        print(f"bench_propagate: skipped, catalog not found at {CATALOG}")
        return
    start = time.perf_counter()
    satrecs = load_satrecs(CATALOG)[: args.objects]
    print(
        f"catalog: {len(satrecs)} objects from {CATALOG.name} ({time.perf_counter() - start:.2f} s)"
    )

    epochs = np.array([sat.jdsatepoch + sat.jdsatepochF for sat in satrecs])
    jd0 = float(np.floor(np.median(epochs) - 0.5) + 0.5)
    jd = np.full(TIMES, jd0)
    fr = np.arange(TIMES) * (STEP_S / 86400.0)
    states = len(satrecs) * TIMES
    print(f"times: {TIMES} at {STEP_S:.0f} s from JD {jd0} (UTC midnight before median epoch)")
    print(f"states: {states / 1e6:.1f} M, {states * 49 / 2**30:.2f} GiB per full result")

    def rate(seconds: float) -> str:
        return f"{seconds:7.2f} s  {states / seconds / 1e6:5.2f} M propagations/s"

    start = time.perf_counter()
    array = SatrecArray(satrecs)
    print(f"SatrecArray build:             {time.perf_counter() - start:7.3f} s")

    bare = best_of(args.repeat, lambda: array.sgp4(jd, fr))
    print(f"bare SatrecArray.sgp4:         {rate(bare)}")

    ours = best_of(args.repeat, lambda: propagate(array, jd, fr))
    ratio = ours / bare
    verdict = "yes" if ratio <= ACCEPT_RATIO else "no"
    print(f"propagate (teme, 1 worker):    {rate(ours)}")
    print(f"  ratio ours/bare: {ratio:.3f}  within 15 %: {verdict}")

    def consume_chunks() -> int:
        return sum(batch.n_times for batch in iter_propagate(array, jd, fr))

    chunks = max(1, -(-states * 49 // (512 * 2**20)))
    chunked = best_of(args.repeat, consume_chunks)
    print(f"iter_propagate ({chunks} chunks):   {rate(chunked)}  ratio/bare {chunked / bare:.3f}")

    two = best_of(args.repeat, lambda: propagate(satrecs, jd, fr, workers=2))
    print(f"propagate (teme, 2 workers):   {rate(two)}  speed-up vs 1 worker {ours / two:.2f}x")

    convert = time_gcrs_conversion(args.repeat, propagate(array, jd, fr))
    print(f"teme_to_gcrs alone:            {convert:7.2f} s  ({convert / ours:.1%} of propagation)")
    gcrs = best_of(args.repeat, lambda: propagate(array, jd, fr, frame="gcrs"))
    print(f"propagate (gcrs, 1 worker):    {rate(gcrs)}")
    gcrs_two = best_of(args.repeat, lambda: propagate(satrecs, jd, fr, frame="gcrs", workers=2))
    print(f"propagate (gcrs, 2 workers):   {rate(gcrs_two)}")


if __name__ == "__main__":
    main(sys.argv[1:])
