"""``rendezvous`` requests: phase angle, feasible profiles and the burn plan of one launch."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np

from stationplan.errors import InfeasibleError, check_range
from stationplan.launch.maneuvers import plan_rendezvous
from stationplan.launch.rendezvous import assess_launch, station_phasing
from stationplan.launch.sites import get_site
from stationplan.launch.vehicles import get_vehicle
from stationplan.orbit.elements import Catalog
from stationplan.orbit.geometry import MeanPlaneHistory, SiteFrame
from stationplan.orbit.timescale import iso_utc_seconds
from stationplan.services.stations import julian_date, station_history

__all__ = ["rendezvous_report"]


def rendezvous_report(
    catalog: Catalog,
    source: str,
    norad: int | None,
    site_id: str,
    vehicle_id: str,
    launch: datetime,
    profile: str | None,
    lead_days: float,
) -> dict[str, Any]:
    """Library calls behind ``stationplan rendezvous``: a JSON-ready report.

    ``lead_days``: days before launch of the station-phasing estimate, within (0, 365].
    """
    check_range(
        lead_days,
        0.0,
        365.0,
        "--lead-days",
        low_open=True,
        unit="days",
        why="a phasing burn more than a year ahead would be undone by drag and reboosts",
    )
    site = get_site(site_id)
    vehicle = get_vehicle(vehicle_id).at_site(site.id)
    history = station_history(catalog, norad, source)
    station_id = history[0].norad_id
    satrecs = [e.satrec for e in history]
    frame = SiteFrame.from_site(site)
    latitude = abs(site.latitude_deg)
    inclination = float(np.median([e.inclination_deg for e in history]))
    if latitude > inclination:
        raise InfeasibleError(
            f"site {site.id} at latitude {latitude:.2f}° lies above the station's inclination "
            f"{inclination:.2f}°: no in-plane launch, hence no rendezvous, exists"
        )
    launch_jd = julian_date(launch)
    station = MeanPlaneHistory.of(satrecs)
    assessment = assess_launch(station, frame, vehicle, launch_jd, profile=profile)
    report: dict[str, Any] = {
        "station_norad": station_id,
        "site": site.id,
        "vehicle": vehicle.id,
        **assessment.as_dict(),
        "burns": [],
        "total_dv_m_s": None,
    }
    age = min(abs(launch_jd - e.epoch_jd) for e in history)
    report["element_age_days"] = round(age, 3)
    chosen = profile or assessment.selected_profile
    if chosen is not None:
        plan = plan_rendezvous(
            station, frame, vehicle, launch_jd, profile=chosen, norad_id=station_id,
            assessment=assessment,
        )  # fmt: skip
        report.update(
            selected_profile=plan.profile,
            docking_utc=iso_utc_seconds(plan.docking_utc),
            hold_point_utc=iso_utc_seconds(plan.arrival_utc),
            burns=[b.as_dict() for b in plan.burns],
            total_dv_m_s=round(plan.total_dv_m_s, 3),
            hohmann_dv_m_s=round(plan.hohmann_dv_m_s, 3),
            required_plane_change_dv_m_s=round(plan.required_plane_change_dv_m_s, 3),
            final_distance_km=round(plan.final_distance_km, 4),
        )
    fastest = min(assessment.windows, key=lambda w: w.duration_h)
    target = chosen or fastest.name
    report["station_phasing"] = station_phasing(
        assessment, target, lead_days, assessment.station_altitude_km
    ).as_dict()
    return report
