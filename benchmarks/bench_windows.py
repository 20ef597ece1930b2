"""Benchmark: a year of launch opportunities for one station × one site × one vehicle.

Target (issue 2): < 0.5 s. Prints the best of 5 runs.
"""

from __future__ import annotations

import time
from importlib import resources

from stationplan.launch.sites import get_site
from stationplan.launch.vehicles import get_vehicle
from stationplan.launch.windows import AscentModel, RendezvousSpec, launch_opportunities
from stationplan.orbit.elements import load_catalog
from stationplan.orbit.geometry import SiteFrame


def main() -> None:
    with resources.as_file(resources.files("stationplan") / "data" / "stations.tle") as path:
        catalog = load_catalog(path)
    for norad, site_id, vehicle_id in (
        (48274, "wenchang", "tianzhou"),
        (25544, "baikonur", "soyuz-ms"),
    ):
        station = [e.satrec for e in catalog.history(norad)]
        site = get_site(site_id)
        vehicle = get_vehicle(vehicle_id).at_site(site_id)
        frame = SiteFrame.from_site(site)
        start = station[0].jdsatepoch + station[0].jdsatepochF
        best = float("inf")
        count = 0
        for _ in range(5):
            t0 = time.perf_counter()
            result = launch_opportunities(
                station,
                frame,
                AscentModel.from_vehicle(vehicle),
                RendezvousSpec.for_vehicle(vehicle),
                start,
                start + 365.25,
            )
            best = min(best, time.perf_counter() - t0)
            count = len(result.opportunities)
        verdict = "yes" if best < 0.5 else "NO"
        print(
            f"windows: one year, {vehicle_id} from {site_id} to {norad}: {best:.3f} s "
            f"({count} opportunities; target < 0.5 s: {verdict})"
        )


if __name__ == "__main__":
    main()
