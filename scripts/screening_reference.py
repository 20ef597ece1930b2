"""Brute-force reference conjunctions for the screening tests (run once; writes a fixture).

Independent of ``stationplan.screening``: no sieve, no k-d radius from relative
velocities, no radial filter. Only python-sgp4 and two plainly conservative bounds:

1. Object prefilter (one-vs-catalogue): keep an object when its TLE mean perigee–apogee
   band, with the perigee lowered by 150 km (decay during the span) and both ends
   widened by 50 km, overlaps the primary's band widened by 50 km plus the threshold.
2. Windows: sample every 20 s; a pair can be within D during ±10 s of a sample only if
   it is within D + v_max·10 s + a_max·(10 s)²/2 there, with v_max the largest |v₁|+|v₂|
   seen in the whole run and a_max = 0.02 km/s² (twice surface gravity).

Inside every window the pair is sampled at **1 s**; each local minimum of the sampled
range below D + v_rel·0.5 s is refined by ``scipy.optimize.brentq`` on d·w with scalar
``Satrec.sgp4`` calls (xtol 1e-6 s), and kept when the refined miss is below D.

Usage: ``python scripts/screening_reference.py [--out tests/data/screening/reference.json]``
(about 10 minutes on one core).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from scipy.optimize import brentq
from scipy.spatial import cKDTree
from sgp4.api import SatrecArray

from stationplan.orbit.elements import load_catalog
from stationplan.orbit.timescale import datetime_to_jd, jd_to_datetime

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT.parent / "shared" / "catalogs" / "satcat-2024-07.3le"
START = datetime(2024, 7, 5, tzinfo=UTC)
MU = 398600.8
RE = 6378.135
COARSE_S = 20
A_MAX = 0.02


def mean_band_km(satrec) -> tuple[float, float]:
    """TLE mean perigee and apogee radius (km) from the Kozai mean motion."""
    n_rad_s = satrec.no_kozai / 60.0
    a = (MU / n_rad_s**2) ** (1.0 / 3.0)
    return a * (1.0 - satrec.ecco), a * (1.0 + satrec.ecco)


def propagate(array: SatrecArray, jd0: float, fr0: float, t_s: np.ndarray):
    e, r, v = array.sgp4(np.full(t_s.size, jd0), fr0 + t_s / 86400.0)
    return e, r, v


def refine(sat1, sat2, jd0, fr0, t_lo, t_hi):
    """Brentq on g = d·w in [t_lo, t_hi]; returns (tca_s, miss_km) or None."""

    def g(t):
        e1, r1, v1 = sat1.sgp4(jd0, fr0 + t / 86400.0)
        e2, r2, v2 = sat2.sgp4(jd0, fr0 + t / 86400.0)
        if e1 or e2:
            return math.nan
        return float(np.dot(np.subtract(r2, r1), np.subtract(v2, v1)))

    ga, gb = g(t_lo), g(t_hi)
    if not (ga < 0.0 < gb):
        return None
    t = brentq(g, t_lo, t_hi, xtol=1e-6)
    _, r1, _ = sat1.sgp4(jd0, fr0 + t / 86400.0)
    _, r2, _ = sat2.sgp4(jd0, fr0 + t / 86400.0)
    return t, float(np.linalg.norm(np.subtract(r2, r1)))


def dense_pairs(sats, pairs_windows, jd0, fr0, span_s, threshold_km):
    """1 s sampling of each pair over its merged windows; refined local minima < D."""
    events = []
    for (a, b), windows in pairs_windows.items():
        sa, sb = sats[a], sats[b]
        windows.sort()
        merged = []
        for lo, hi in windows:
            if merged and lo <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        pair = SatrecArray([sa, sb])
        for lo, hi in merged:
            t = np.arange(max(lo - 2, -1), min(hi + 2, span_s + 1) + 1, 1.0)
            e, r, v = propagate(pair, jd0, fr0, t)
            ok = (e[0] == 0) & (e[1] == 0)
            d = np.linalg.norm(r[1] - r[0], axis=-1)
            w = np.linalg.norm(v[1] - v[0], axis=-1)
            d[~ok] = np.nan
            for k in range(1, t.size - 1):
                if not (d[k - 1] > d[k] <= d[k + 1]):
                    continue
                if d[k] > threshold_km + 0.5 * w[k] + 0.01:
                    continue
                lo_t, hi_t = max(t[k - 1], 0.0), min(t[k + 1], span_s)
                if hi_t <= lo_t:
                    continue
                found = refine(sa, sb, jd0, fr0, lo_t, hi_t)
                if found and found[1] <= threshold_km:
                    events.append((a, b, found[0], found[1]))
    return events


def windows_one_vs_many(array, primary, others, jd0, fr0, span_s, threshold_km):
    t_all = np.arange(0.0, span_s + COARSE_S, COARSE_S)
    out: dict[tuple[int, int], list[list[float]]] = {}
    other_set = set(others)
    for c0 in range(0, t_all.size, 500):
        t = t_all[c0 : c0 + 500]
        e, r, v = propagate(array, jd0, fr0, t)
        speed = np.linalg.norm(v, axis=-1)
        ok = e == 0
        v_max = float(speed[ok].max()) + float(speed[primary][ok[primary]].max())
        reach = threshold_km + v_max * COARSE_S / 2 + A_MAX * (COARSE_S / 2) ** 2 / 2
        d = np.linalg.norm(r - r[primary], axis=-1)
        near = (d <= reach) & ok & ok[primary]
        for j, k in zip(*np.nonzero(near), strict=True):
            if int(j) not in other_set:
                continue
            a, b = (primary, int(j)) if primary < j else (int(j), primary)
            out.setdefault((a, b), []).append([t[k] - COARSE_S / 2, t[k] + COARSE_S / 2])
    return out


def one_vs_catalog(catalog, primary_id: int, threshold_km: float, days: float) -> dict:
    latest = catalog.latest()
    ids = sorted(latest)
    q_p, big_q_p = mean_band_km(latest[primary_id].satrec)
    keep = []
    for norad in ids:
        q, big_q = mean_band_km(latest[norad].satrec)
        if (
            q - 150.0 - 50.0 <= big_q_p + 50.0 + threshold_km
            and big_q + 50.0 >= q_p - 50.0 - threshold_km
        ):
            keep.append(norad)
    sats = [latest[n].satrec for n in keep]
    primary = keep.index(primary_id)
    jd0, fr0 = datetime_to_jd(START)
    span_s = days * 86400.0
    array = SatrecArray(sats)
    windows = windows_one_vs_many(
        array,
        primary,
        [k for k in range(len(keep)) if k != primary],
        jd0,
        fr0,
        span_s,
        threshold_km,
    )
    events = dense_pairs(sats, windows, jd0, fr0, span_s, threshold_km)
    return {
        "primary": primary_id,
        "threshold_km": threshold_km,
        "days": days,
        "objects_prefiltered": len(keep),
        "events": [_event(keep, ev, jd0, fr0) for ev in events],
    }


def all_vs_all(catalog, norads: list[int], threshold_km: float, days: float) -> dict:
    latest = catalog.latest()
    sats = [latest[n].satrec for n in norads]
    array = SatrecArray(sats)
    jd0, fr0 = datetime_to_jd(START)
    span_s = days * 86400.0
    t = np.arange(0.0, span_s + COARSE_S, COARSE_S)
    e, r, v = propagate(array, jd0, fr0, t)
    ok = e == 0
    speed = np.linalg.norm(v, axis=-1)
    v_max = 2.0 * float(speed[ok].max())
    reach = threshold_km + v_max * COARSE_S / 2 + A_MAX * (COARSE_S / 2) ** 2 / 2
    windows: dict[tuple[int, int], list[list[float]]] = {}
    for k in range(t.size):
        rows = np.flatnonzero(ok[:, k])
        for a, b in cKDTree(r[rows, k]).query_pairs(reach, output_type="ndarray"):
            key = (int(rows[a]), int(rows[b]))
            windows.setdefault(key, []).append([t[k] - COARSE_S / 2, t[k] + COARSE_S / 2])
    events = dense_pairs(sats, windows, jd0, fr0, span_s, threshold_km)
    return {
        "norad_ids": norads,
        "threshold_km": threshold_km,
        "days": days,
        "events": [_event(norads, ev, jd0, fr0) for ev in events],
    }


def _event(ids, ev, jd0, fr0) -> dict:
    a, b, t, miss = ev
    n1, n2 = sorted((ids[a], ids[b]))
    return {
        "norad_1": n1,
        "norad_2": n2,
        "tca_s": t,
        "tca_utc": jd_to_datetime(jd0, fr0 + t / 86400.0).isoformat(),
        "miss_km": miss,
    }


def subset_ids(catalog) -> list[int]:
    """The 2,500 lowest catalogue numbers whose mean band overlaps 500-600 km altitude."""
    latest = catalog.latest()
    out = []
    for norad in sorted(latest):
        q, big_q = mean_band_km(latest[norad].satrec)
        if q <= RE + 600.0 and big_q >= RE + 500.0:
            out.append(norad)
    return out[:2500]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "tests/data/screening/reference.json")
    args = parser.parse_args(argv)
    catalog = load_catalog(CATALOG)
    result: dict[str, object] = {"catalog": CATALOG.name, "start_utc": START.isoformat()}
    one_vs: list[dict] = []
    started = time.perf_counter()
    result["one_vs_catalog"] = one_vs
    for primary in (48274, 25544):
        res = one_vs_catalog(catalog, primary, 10.0, 7.0)
        print(
            primary, res["objects_prefiltered"], len(res["events"]), time.perf_counter() - started
        )
        one_vs.append(res)
    subset = subset_ids(catalog)
    res = all_vs_all(catalog, subset, 5.0, 1.0)
    print("all", len(subset), len(res["events"]), time.perf_counter() - started)
    result["all_vs_all"] = res
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
