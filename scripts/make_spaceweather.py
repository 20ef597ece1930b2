"""Derive the bundled space-weather table ``src/stationplan/data/spaceweather.csv``.

Source: ``../shared/spaceweather/SW-All.csv`` (CelesTrak's consolidated file: observed
daily indices from 1998-07-01, then 45 days of daily NOAA SWPC predictions, ``PRD``, then
monthly predictions, ``PRM``, to 2041-10). Output, one row per UTC day from 1998-07-01 to
2041-10-31::

    date,kind,f107_sfu,f107_c81_sfu,ap_daily,ap1,ap2,ap3,ap4,ap5,ap6,ap7,ap8

- ``f107_sfu``: observed F10.7 of that day (``F10.7_OBS``, at the Earth-Sun distance, as
  NRLMSIS wants; not the 1-AU adjusted flux). Values <= 0 or > 400 sfu (solar radio
  bursts) are replaced by the day's 81-day centred mean and flagged ``INT``, the rule of
  ``pymsis.utils`` 0.13.
- ``f107_c81_sfu``: 81-day *centred* mean of observed F10.7 (``F10.7_OBS_CENTER81``);
  NRLMSIS 2.x takes the centred mean (``f107as``, pymsis docs: "F10.7 running 81-day
  average centered on the given date(s)").
- ``ap_daily``, ``ap1``…``ap8``: daily Ap and the eight 3-hourly ap (00–03 UT, …).
- ``kind``: ``OBS``/``INT`` (observed/interpolated by CelesTrak), ``PRD`` (daily
  prediction), ``PRM`` (monthly prediction expanded to days: F10.7 and its mean linearly
  interpolated between the monthly values dated on the 1st, and between the last daily
  prediction and the first monthly one; held after the last month). Monthly predictions
  carry no Ap, so every ``PRM`` day gets the mean observed daily Ap of the whole record,
  rounded (printed below), in all eight 3-hourly slots.

It also prints the solar-activity scenario levels that ``stationplan.orbit.spaceweather`` keeps
as constants (the test recomputes them from the raw file).

Usage: python scripts/make_spaceweather.py [--source PATH] [--out PATH]
"""

from __future__ import annotations

import argparse
import csv
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "spaceweather" / "SW-All.csv"
DEFAULT_OUT = ROOT / "src" / "stationplan" / "data" / "spaceweather.csv"
LAST_DAY = date(2041, 10, 31)
BURST_SFU = 400.0  # pymsis.utils: F10.7 > 400 sfu is a solar radio burst, not the EUV proxy
HEADER = ["date", "kind", "f107_sfu", "f107_c81_sfu", "ap_daily"] + [f"ap{i}" for i in range(1, 9)]


def scenario_levels(rows: list[dict[str, str]]) -> dict[str, tuple[float, float]]:
    """Low/high scenario (F10.7 sfu, Ap) from the observed record.

    Low: 5th percentile of the 81-day centred mean F10.7 over every observed day, with the
    mean daily Ap of the days at or below it; high: the 95th percentile and the mean Ap of
    the days at or above it.
    """
    observed = [r for r in rows if r["F10.7_DATA_TYPE"] in ("OBS", "INT")]
    mean81 = np.array([float(r["F10.7_OBS_CENTER81"]) for r in observed])
    ap = np.array([float(r["AP_AVG"]) for r in observed])
    low, high = np.percentile(mean81, [5, 95])
    return {
        "low": (round(float(low), 1), round(float(ap[mean81 <= low].mean()), 1)),
        "high": (round(float(high), 1), round(float(ap[mean81 >= high].mean()), 1)),
    }


def mean_observed_ap(rows: list[dict[str, str]]) -> int:
    """Mean daily Ap over every observed day, rounded to an integer (fill for PRM days)."""
    observed = [float(r["AP_AVG"]) for r in rows if r["F10.7_DATA_TYPE"] in ("OBS", "INT")]
    return round(sum(observed) / len(observed))


def build(rows: list[dict[str, str]]) -> list[list[str]]:
    """Rows of the compact table (see module docstring)."""
    fill_ap = mean_observed_ap(rows)
    daily: dict[date, list[str]] = {}
    monthly: list[tuple[date, float, float]] = []
    for r in rows:
        day = date.fromisoformat(r["DATE"])
        kind = r["F10.7_DATA_TYPE"]
        f107 = float(r["F10.7_OBS"])
        c81 = float(r["F10.7_OBS_CENTER81"])
        if kind == "PRM":
            monthly.append((day, f107, c81))
            continue
        if f107 <= 0 or f107 > BURST_SFU:
            f107, kind = c81, "INT"
        aps = [r[f"AP{i}"] for i in range(1, 9)]
        daily[day] = [day.isoformat(), kind, f"{f107:.1f}", f"{c81:.1f}", r["AP_AVG"], *aps]

    last_daily = max(daily)
    anchors = [(last_daily, float(daily[last_daily][2]), float(daily[last_daily][3])), *monthly]
    x = np.array([(d - anchors[0][0]).days for d, _, _ in anchors], dtype=float)
    f107_at = np.array([a[1] for a in anchors])
    c81_at = np.array([a[2] for a in anchors])
    day = last_daily + timedelta(days=1)
    while day <= LAST_DAY:
        t = float((day - anchors[0][0]).days)
        f107 = float(np.interp(t, x, f107_at))
        c81 = float(np.interp(t, x, c81_at))
        ap = str(fill_ap)
        daily[day] = [day.isoformat(), "PRM", f"{f107:.1f}", f"{c81:.1f}", ap, *[ap] * 8]
        day += timedelta(days=1)

    out = [daily[d] for d in sorted(daily)]
    for previous, current in pairwise(out):
        gap = date.fromisoformat(current[0]) - date.fromisoformat(previous[0])
        if gap != timedelta(days=1):
            raise SystemExit(f"gap in the source before {current[0]}")
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    with args.source.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    table = build(rows)
    with args.out.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(table)
    kinds: dict[str, int] = {}
    for row in table:
        kinds[row[1]] = kinds.get(row[1], 0) + 1
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e3:.0f} kB): {len(table)} days {kinds}")
    print(f"{table[0][0]} .. {table[-1][0]}; PRM Ap fill = {mean_observed_ap(rows)}")
    for name, (f107, ap) in scenario_levels(rows).items():
        print(f"scenario {name}: F10.7 = {f107} sfu, Ap = {ap}")


if __name__ == "__main__":
    main()
