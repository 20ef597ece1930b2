"""Fit each launcher's insertion downrange distance on the real launches.

Physics (docs/windows.md): the vehicle lifts off τ = T − s/v before the pad
crosses the aimed plane; T (ascent time) and v (insertion speed) are public,
the ground distance s is fitted per launcher by least squares on the launches
whose time is known to the second and whose station element set lies within
``--max-age`` days (the plane is well predicted weeks ahead; drag mostly
affects the phase). Launchers with fewer than two such launches also use
minute-precision launches. A launcher is calibrated only when at least three
launches agree (residual spread ≤ 60 s); the others use the default fraction,
the median of the calibrated launchers. Prints a table and the values to put in
``src/stationplan/data/vehicles.toml``; does not edit it.

Usage: python scripts/fit_windows.py [--validation PATH] [--max-age DAYS]
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

import numpy as np

from stationplan.launch.validation import check_all, is_jiuquan, load_validation
from stationplan.launch.vehicles import get_vehicle
from stationplan.launch.windows import AscentModel
from stationplan.orbit.geometry import circular_speed_km_s

#: A launcher is calibrated only on at least this many launches whose residuals (after the fit)
#: scatter by at most MAX_SPREAD_S: otherwise its timing is not explained by one ascent parameter.
MIN_LAUNCHES = 3
MAX_SPREAD_S = 60.0
DEFAULT = Path(__file__).resolve().parents[2] / "shared/validation/station-launches-2021-2022.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--validation", type=Path, default=DEFAULT)
    parser.add_argument("--max-age", type=float, default=30.0)
    args = parser.parse_args()
    checks = [
        c
        for c in check_all(load_validation(args.validation), max_element_age_days=args.max_age)
        if not is_jiuquan(c)
    ]
    groups = defaultdict(list)
    for c in checks:
        vehicle = get_vehicle(c.launch.vehicle_id).at_site(c.launch.site_id)
        groups[vehicle.launcher].append((c, vehicle))
    fractions = []
    for launcher, items in sorted(groups.items()):
        precise = [(c, v) for c, v in items if c.launch.precision == "second"]
        used = precise if len(precise) >= 2 else items
        errors = np.array([c.error_s for c, _ in used])
        print(f"\n{launcher}: {len(used)} launches used ({len(precise)} to the second)")
        for c, v in items:
            mark = "*" if (c, v) in used else " "
            print(
                f"  {mark} {c.launch.mission:16s} {c.launch.precision:6s} age {c.element_age_days:6.1f} d"
                f"  error {c.error_s:8.1f} s"
            )
        shift = float(errors.mean())  # τ_new = τ_old + mean error
        spread = float(np.std(errors - shift)) if errors.size > 1 else float("nan")
        calibrate = errors.size >= MIN_LAUNCHES and spread <= MAX_SPREAD_S
        print(
            f"  residual spread {spread:.0f} s -> "
            + ("CALIBRATE" if calibrate else "keep the default (too few or inconsistent launches)")
        )
        for vid in sorted({v.id for _, v in items}):
            v = next(v for _, v in items if v.id == vid)
            model = AscentModel.from_vehicle(v)
            tau = model.plane_lock_delay_s + shift
            speed = circular_speed_km_s(model.insertion_altitude_km)
            downrange = (v.ascent_s - tau) * speed
            if calibrate:
                fractions.append(downrange / (speed * v.ascent_s))
            print(
                f"  -> {vid}: plane-lock delay {tau:.0f} s, insertion_downrange_km = {downrange:.0f}"
                f"  (fraction {downrange / (speed * v.ascent_s):.3f})"
            )
    print(f"\ndefault downrange fraction (median of calibrated): {np.median(fractions):.3f}")


if __name__ == "__main__":
    main()
