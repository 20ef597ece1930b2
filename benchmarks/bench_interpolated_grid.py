"""Can an interpolated sieve grid pay? (issue 17, fourth pass) — measurement only.

For the 2024 full catalogue over 1 day, per class (near-earth, deep-space non-resonant,
deep-space resonant): how many objects have a cubic-Hermite error bound
(:func:`stationplan.screening.prefilter.hermite_error_bound_km`) ≤ 1 km at a coarse step
f·h (h = the all-vs-all grid step), and what grid propagation costs exactly (every h)
against coarse SGP4 plus the vectorised Hermite fill
(:func:`~stationplan.screening.prefilter.hermite_points`), and the true interpolation
error against exact SGP4 on the first ``--steps`` grid points (brute force), and how
many objects a bound with their own measured velocity mismatch (instead of the
catalogue-wide ``MAX_VELOCITY_MISMATCH_KM_S``) would put at ≤ 1 km. Then the sieve's side: the
compiled sieve on the exact grid of ``--steps`` points with its distance widened by
2·``--pad-km`` (an upper bound on the per-object pad of step 2 of the plan), the
candidate count and time. CPU seconds (``time.process_time``) of this one process; the
load average is printed because the machine is shared.

Run: ``.venv/bin/python benchmarks/bench_interpolated_grid.py [--steps 240] [--pad-km 1]``
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sgp4.api import SatrecArray

from stationplan.orbit.elements import load_catalog
from stationplan.orbit.propagate import propagate
from stationplan.orbit.timescale import datetime_to_jd
from stationplan.screening.prefilter import hermite_error_bound_km, hermite_points, resonant
from stationplan.screening.screen import DEFAULT_STEP_ALL_S
from stationplan.screening.sieve import (
    MAX_VELOCITY_MISMATCH_KM_S,
    SieveSettings,
    plausible_states,
    sieve_all,
)

CATALOG = Path(__file__).resolve().parents[1].parent / "shared" / "catalogs" / "satcat-2024-07.3le"
START = datetime(2024, 7, 5, tzinfo=UTC)
FACTORS = (2, 4, 10, 30)


def _states(array: SatrecArray, jd0: float, fr0: float, t_s: np.ndarray):
    batch = propagate(array, np.full(t_s.size, jd0), fr0 + t_s / 86400.0)
    return batch.position_km, batch.velocity_km_s, batch.error_code


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=240)
    parser.add_argument("--pad-km", type=float, default=1.0)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    catalog = load_catalog(CATALOG)
    latest = catalog.latest()
    satrecs = [latest[k].satrec for k in sorted(latest)]
    h = DEFAULT_STEP_ALL_S
    jd0, fr0 = datetime_to_jd(START)
    classes = {
        "near-earth": [s.method != "d" for s in satrecs],
        "deep, not resonant": [s.method == "d" and not resonant(s) for s in satrecs],
        "deep, resonant": [resonant(s) for s in satrecs],
    }
    print(f"{len(satrecs)} objects, grid step {h:g} s, 1 day")
    for name, mask in classes.items():
        rows = [s for s, m in zip(satrecs, mask, strict=True) if m]
        array = SatrecArray(rows)
        line = [f"{name:20s} {len(rows):6d} objects"]
        # exact grid cost: --steps points
        t_s = np.arange(args.steps + 1) * h
        c0 = time.process_time()
        p, v, e = _states(array, jd0, fr0, t_s)
        exact_cpu = time.process_time() - c0
        line.append(f"exact {exact_cpu / args.steps * 1440:6.2f} s CPU/day")
        print("  ".join(line))
        for f in FACTORS:
            t_c = np.arange(0, 86400.0 + f * h, f * h)
            pc, vc, ec = _states(array, jd0, fr0, t_c)
            ok = (ec == 0).all(axis=1)
            bound = np.full(len(rows), np.inf)
            bound[ok] = hermite_error_bound_km(pc[ok], vc[ok], f * h)
            small = np.isfinite(bound) & (bound <= 1.0)
            # cost of coarse SGP4 + Hermite fill for --steps fine points
            n_coarse = args.steps // f + 1
            c0 = time.process_time()
            pcs, vcs, _ = _states(array, jd0, fr0, np.arange(n_coarse + 1) * f * h)
            fill = hermite_points(pcs[:, :-1], vcs[:, :-1], pcs[:, 1:], vcs[:, 1:], f * h, f)
            cpu = time.process_time() - c0
            # brute-force check of the bound on these points (interpolated vs exact)
            m = min(fill.shape[1], p.shape[1])
            err = np.linalg.norm(fill[:, :m] - p[:, :m], axis=2).max(axis=1)
            viol = int((small & (e[:, :m] == 0).all(axis=1) & (err > bound)).sum())
            sane = ok & (e[:, :m] == 0).all(axis=1) & np.isfinite(err)
            # The bound with each object's own velocity mismatch (twice the largest
            # central-difference mismatch on the exact sample) instead of the catalogue's.
            fd = (p[:, 2:] - p[:, :-2]) / (2 * h)
            dv = 2.0 * np.linalg.norm(fd - v[:, 1:-1], axis=2).max(axis=1)
            own = bound - f * h * MAX_VELOCITY_MISMATCH_KM_S / 4 + f * h * dv / 4
            own_small = int((sane & (own <= 1.0)).sum())
            q50, q99, qmax = np.percentile(err[sane], [50, 99, 100]) if sane.any() else (0, 0, 0)
            print(
                f"    f={f:3d} ({f * h / 60:5.1f} min): bound ≤ 1 km for {int(small.sum()):6d}, "
                f"median bound {np.median(bound[np.isfinite(bound)]) if np.isfinite(bound).any() else np.inf:9.3g} km, "
                f"coarse+fill {cpu / args.steps * 1440:6.2f} s CPU/day, "
                f"bound violated {viol}; true error median {q50:.3g}, 99 % {q99:.3g}, "
                f"max {qmax:.3g} km, true ≤ 1 km for {int((sane & (err <= 1.0)).sum())}, "
                f"own-δv bound ≤ 1 km for {own_small}"
            )  # fmt: skip
    # the sieve side: widening the distance by 2·pad (both objects' bounds)
    array = SatrecArray(satrecs)
    t_s = np.arange(-1, args.steps + 2) * h
    p, v, e = _states(array, jd0, fr0, t_s)
    reason = plausible_states(p, v, e, h)
    usable = np.zeros(e.shape, dtype=bool)
    usable[:, 1:-1] = reason[:, 1:-1] == 0
    for pad in (0.0, args.pad_km, 2 * args.pad_km):
        settings = SieveSettings(step_s=h, distance_km=5.0 + 2 * pad)
        c0 = time.process_time()
        cand = sieve_all(p, v, usable, -1, settings)
        cpu = time.process_time() - c0
        print(
            f"sieve, distance 5 + 2·{pad:g} km: {cand.i.size} candidate intervals, "
            f"{cand.n_pairs_tested} pairs tested, {cpu / args.steps * 1440:6.2f} s CPU/day"
        )
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
