"""A 10-year, 30-mission lunar base campaign planned end to end (< 20 s on 2 cores; issue 12):
launch windows, landings in the lighting band, crew stays with relay comms, CP-SAT, and the
hourly power simulation of every element through every night. Not part of ``make test``."""

from __future__ import annotations

import os
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from stationplan.moon.base_schedule import plan_lunar_campaign
from stationplan.moon.campaign import load_lunar_campaign

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
ROBOTIC = [
    "power-station", "research-facility", "isru-plant", "technology-testbed",
    "astronomy-station", "luna-lander",
]  # fmt: skip


def campaign_toml() -> str:
    """24 robotic landers (one every ~5 months, 2027-2036) and 3 crewed Lanyue/Mengzhou pairs."""
    lines = [
        "[campaign]",
        'name = "Benchmark: 10 years, 30 missions"',
        "start = 2027-01-01",
        "end = 2036-12-31",
        "[site]",
        'name = "Shackleton rim (tentative)"',
        "lat_deg = -88.8",
        "lon_deg = 123.4",
        f'horizon_mask = "{EXAMPLES / "shackleton-rim-horizon.csv"}"',
        "[launch_sites.wenchang]",
        "separation_h = 48.0",
    ]
    first = date(2027, 1, 1)
    for i in range(24):
        start = first + timedelta(days=150 * i)
        elements = ['"relay-satellite"', '"power-station"'] if i == 0 else [f'"{ROBOTIC[i % 6]}"']
        lines += [
            "[[missions]]",
            f'name = "Robotic-{i + 1:02d}"',
            'vehicle = "lander"',
            'launcher = "long-march-5"',
            'launch_site = "wenchang"',
            f'partner = "{"CNSA" if i % 2 == 0 else "Roscosmos"}"',
            f"launch = [{start}, {start + timedelta(days=149)}]",
            f"elements = [{', '.join(elements)}]",
            "orbit_h = [24.0, 240.0]",
            "landing_sun_deg = [0.5, 3.0]",
            'requires = ["power"]' if i else "",
        ]
    for k, year in enumerate((2031, 2033, 2035)):
        name = "ABC"[k]
        lines += [
            "[[missions]]",
            f'name = "Lanyue-{name}"',
            'vehicle = "Lanyue"',
            'launcher = "long-march-10"',
            'launch_site = "wenchang"',
            'partner = "CMSA"',
            f"launch = [{year}-09-01, {year}-09-30]",
            'elements = ["lanyue"]',
            'requires = ["power", "comms-relay"]',
            "crew = 2",
            'crew_partners = ["CMSA", "Roscosmos"]',
            "stay_h = [24.0, 144.0]",
            "orbit_h = [6.0, 120.0]",
            "landing_sun_deg = [0.5, 3.0]",
            f'rendezvous_with = "Mengzhou-{name}"',
            "loiter_limit_h = 96.0",
            "[[missions]]",
            f'name = "Mengzhou-{name}"',
            'vehicle = "Mengzhou"',
            'launcher = "long-march-10"',
            'launch_site = "wenchang"',
            'partner = "CMSA"',
            f"launch = [{year}-09-01, {year}-10-15]",
            'elements = ["mengzhou"]',
            "lands = false",
            "crew = 2",
        ]
    lines += ["[[quotas]]", 'partner = "Roscosmos"', "min_missions = 10", "min_crew_seats = 2"]
    return "\n".join(lines) + "\n"


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.toml"
        path.write_text(campaign_toml(), encoding="utf-8")
        t0, cpu0 = time.perf_counter(), time.process_time()
        campaign = load_lunar_campaign(path)
        plan = plan_lunar_campaign(campaign, time_limit_s=60.0)
        elapsed = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
    crewed = [m for m in plan.missions if m.crewed and m.landing_utc is not None]
    print(
        f"lunar campaign: {len(plan.missions)} missions over 10 years, "
        f"{len(plan.power.keys)} surface elements, {len(plan.power.times_utc)} hourly steps, "
        f"{len(crewed)} crewed landings, planned in {elapsed:.1f} s wall (target < 20 s; "
        f"{cpu:.1f} s CPU; CP-SAT {plan.solve_s:.1f} s; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )


if __name__ == "__main__":
    main()
