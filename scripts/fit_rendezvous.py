"""Fit the mean-phasing-altitude band of the flown profiles, and judge every flight out of sample.

Physics (docs/rendezvous.md §2): a profile is a set of limits (duration, band of mean
phasing altitude); the chaser makes up Φ = (u̇(h) − u̇_s)·D of phase (secular J2 rates,
the same formula for chaser and station). Only the *centre* of the band of profiles
marked ``band_fitted`` is fitted: the midrange of the altitudes that close each training
flight's phase at its flown duration; its width is the published phase range
(``phase_range_deg``). Part 1 prints the bands to put into
``src/stationplan/data/vehicles.toml`` (does not edit it). Part 2 is the leave-one-out
validation: each flight is judged with bands refitted without it, its profile chosen from
the phase angle alone (fastest feasible), and its real docking compared with that
profile's window (± 20 min under 8 h, ± 3 h longer).

Usage: python scripts/fit_rendezvous.py [--validation PATH] [--max-age DAYS]
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

import numpy as np

from stationplan.launch.validation import (
    _with_recent_elements,
    fitted_band_km,
    flown_phase,
    judge_leave_one_out,
    load_validation,
)
from stationplan.launch.vehicles import get_vehicle

DEFAULT = Path(__file__).resolve().parents[2] / "shared/validation/station-launches-2021-2022.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--validation", type=Path, default=DEFAULT)
    parser.add_argument("--max-age", type=float, default=7.0, help="judged flights (days)")
    parser.add_argument("--training-age", type=float, default=10.0, help="training (days)")
    args = parser.parse_args()
    data = load_validation(args.validation)
    training = [
        flown_phase(launch, station)
        for launch, station in _with_recent_elements(data, args.training_age)
        if launch.docking_utc is not None
    ]
    groups = defaultdict(list)
    for f in training:
        groups[f.group].append(f)
    print("1. Bands of the fitted profiles (in sample, all training flights)\n")
    print(f"{'launcher':12s} {'profile':8s} {'n':>2s} {'implied h_ph km (each)':36s} band km")
    for (launcher, name), items in sorted(groups.items()):
        vehicle = get_vehicle(items[0].launch.vehicle_id).at_site(items[0].launch.site_id)
        profile = vehicle.profile(name)
        implied = " ".join(f"{f.implied_altitude_km:.1f}" for f in items)
        band = fitted_band_km(vehicle, profile, items) if profile.band_fitted else None
        shown = (
            "not fitted (limits from sources)" if band is None else f"{band[0]:.1f}–{band[1]:.1f}"
        )
        print(f"{launcher:12s} {name:8s} {len(items):2d} {implied:36s} {shown}")

    judged = judge_leave_one_out(
        data, max_element_age_days=args.max_age, training_age_days=args.training_age
    )
    print("\n2. Leave-one-out: real docking inside the selected profile's window\n")
    print(
        f"{'mission':16s} {'θ°':>6s} {'profile':8s} {'earliest':>17s} {'nominal':>17s} "
        f"{'latest':>17s} {'actual':>17s} {'width h':>7s} ok"
    )
    per_vehicle: dict[str, list] = defaultdict(list)
    for j in judged:
        s = j.selected
        fmt = "%m-%d %H:%M"
        row = (
            f"{j.launch.mission:16s} {j.phase_angle_deg:6.1f} "
            + (
                "none".ljust(8) + " " * 54
                if s is None
                else f"{s.name:8s} {s.docking_earliest_utc:{fmt}} {s.docking_utc:{fmt}} "
                f"{s.docking_latest_utc:{fmt}}"
            )
            + f" {j.launch.docking_utc:{fmt}} "
            + ("" if j.width_h is None else f"{j.width_h:7.2f}")
            + (" yes" if j.inside else " NO")
            + (" (in sample: no other flight of its profile)" if j.in_sample else "")
        )
        print(row)
        per_vehicle[j.launch.vehicle_id].append(j)
    print(f"\n{'vehicle':14s} {'inside':>8s} {'median width h':>15s}")
    for vid, items in sorted(per_vehicle.items()):
        widths = [j.width_h for j in items if j.width_h is not None]
        med = f"{np.median(widths):.2f}" if widths else "-"
        print(f"{vid:14s} {sum(j.inside for j in items):3d} of {len(items):2d} {med:>15s}")
    widths = [j.width_h for j in judged if j.width_h is not None]
    inside = sum(j.inside for j in judged)
    print(
        f"\nall: {inside} of {len(judged)} ({100.0 * inside / max(len(judged), 1):.0f} %) inside; "
        f"median window width {np.median(widths):.2f} h"
    )


if __name__ == "__main__":
    main()
