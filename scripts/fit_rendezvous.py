"""Fit each flown rendezvous profile's phasing altitude on the real launches.

Physics (docs/rendezvous.md): a profile of liftoff-to-docking time T makes up
the phase Φ = (n(h_ph) − n_s)·(T − T_ascent), with n_s the station's mean
motion and n(h_ph) the chaser's mean motion at its mean phasing altitude h_ph.
For every real launch whose station element set lies within ``--max-age`` days
(phase errors grow fast with element age through drag), the phase angle at
insertion at the *actual* launch time is computed; the flown profile is the
vehicle's profile nearest in duration. Per profile, h_ph is solved from the midrange
of the catch-ups (θ + 360°·k around their circular mean; launches go whenever the
phase is inside the window, so the midrange estimates its centre) and the spread of the
observed catch-ups is printed next to the profile's admissible range. Prints the
values to put into ``src/stationplan/data/vehicles.toml``; does not edit it.

Usage: python scripts/fit_rendezvous.py [--validation PATH] [--max-age DAYS]
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

import numpy as np

from stationplan.launch.rendezvous import (
    altitude_from_mean_motion_km,
    assess_launch,
    station_mean_motion_rad_s,
)
from stationplan.launch.sites import get_site
from stationplan.launch.validation import load_validation
from stationplan.launch.vehicles import get_vehicle
from stationplan.orbit.geometry import MeanPlaneHistory, SiteFrame

DEFAULT = Path(__file__).resolve().parents[2] / "shared/validation/station-launches-2021-2022.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--validation", type=Path, default=DEFAULT)
    parser.add_argument("--max-age", type=float, default=10.0)
    args = parser.parse_args()
    data = load_validation(args.validation)
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for launch in data.launches:
        station = data.station_elements.get(launch.norad_id, ())
        if not station or launch.docking_duration_h is None:
            continue
        history = MeanPlaneHistory.from_satrecs(station)
        age = float(np.abs(history.age_days(np.array([launch.launch_jd]))[0]))
        if age > args.max_age:
            continue
        vehicle = get_vehicle(launch.vehicle_id).at_site(launch.site_id)
        flown = min(vehicle.profiles, key=lambda p: abs(p.duration_h - launch.docking_duration_h))
        result = assess_launch(
            history, SiteFrame.from_site(get_site(launch.site_id)), vehicle, launch.launch_jd
        )
        window = next(w for w in result.windows if w.name == flown.name)
        n_s = station_mean_motion_rad_s(history, launch.launch_jd)
        phasing_s = flown.duration_h * 3600.0 - vehicle.ascent_s  # the profile's nominal
        groups[(vehicle.id, flown.name)].append(
            (launch, result.phase_angle_deg, n_s, phasing_s, window)
        )
    rows = {}
    for key, items in groups.items():
        # Unwrap the group around its circular mean, placed at the whole lap nearest the
        # profile's current centre; then solve each launch's phasing altitude.
        theta = np.radians([t for _, t, *_ in items])
        mean = np.degrees(np.arctan2(np.sin(theta).mean(), np.cos(theta).mean())) % 360.0
        centre_now = items[0][4].centre_deg
        mean += 360.0 * max(round((centre_now - mean) / 360.0), 0)
        catch_ups = mean + (np.degrees(theta) - mean + 180.0) % 360.0 - 180.0
        # Launches go whenever the phase lies in the window, so the flown catch-ups spread
        # uniformly over it, and the midrange is the best estimate of a uniform's centre.
        # n_ph = mean(n_s) + Φ_mid / D (D: the profile's nominal phasing time).
        n_station = float(np.mean([n_s for _, _, n_s, _, _ in items]))
        midrange = 0.5 * (float(np.min(catch_ups)) + float(np.max(catch_ups)))
        n_phasing = n_station + np.radians(midrange) / items[0][3]
        rows[key] = (items, catch_ups, altitude_from_mean_motion_km(n_phasing))
    print(
        f"{'vehicle':14s} {'profile':8s} {'n':>2s} {'catch-up° (each)':40s} "
        f"{'spread°':>7s} {'range°':>6s} {'h_ph now':>8s} {'h_ph fit':>8s}"
    )
    loo_total = loo_inside = 0
    for (vehicle_id, name), (items, catch_ups, fitted) in sorted(rows.items()):
        vehicle = get_vehicle(vehicle_id)
        profile = vehicle.profile(name)
        spread = float(np.ptp(catch_ups))
        print(
            f"{vehicle_id:14s} {name:8s} {len(items):2d} "
            f"{' '.join(f'{c:.1f}' for c in catch_ups):40s} {spread:7.1f} "
            f"{items[0][4].range_deg:6.1f} {profile.phasing_altitude_km:8.1f} {fitted:8.1f}"
        )
        if len(items) >= 3:
            loo_total += len(items)
            loo_inside += leave_one_out(np.asarray(catch_ups), items[0][4].range_deg)
    print(
        f"\nleave-one-out (profiles flown ≥ 3 times): {loo_inside} of {loo_total} launches fall "
        "inside the window fitted on the others"
    )


def leave_one_out(catch_ups: np.ndarray, range_deg: float) -> int:
    """How many launches fall inside the window centred on the midrange of the others."""
    inside = 0
    for i in range(len(catch_ups)):
        others = np.delete(catch_ups, i)
        centre = 0.5 * (others.min() + others.max())
        inside += int(abs(catch_ups[i] - centre) <= 0.5 * range_deg)
    return inside


if __name__ == "__main__":
    main()
