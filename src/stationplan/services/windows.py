"""``windows`` requests: in-plane launch opportunities from a site to a station."""

from __future__ import annotations

from datetime import datetime, timedelta

from stationplan.errors import InputError
from stationplan.launch.rendezvous import feasible_windows
from stationplan.launch.sites import get_site
from stationplan.launch.vehicles import get_vehicle
from stationplan.launch.windows import RendezvousSpec, WindowSearch
from stationplan.orbit.elements import Catalog
from stationplan.services.stations import julian_date, station_history

__all__ = ["find_windows"]


def find_windows(
    catalog: Catalog,
    source: str,
    norad: int | None,
    site_id: str,
    vehicle_id: str,
    profile: str | None,
    rendezvous_hours: float | None,
    start: datetime,
    end: datetime,
) -> WindowSearch:
    """Library call behind ``stationplan windows``."""
    site = get_site(site_id)
    vehicle = get_vehicle(vehicle_id).at_site(site.id)
    if profile is not None and rendezvous_hours is not None:
        raise InputError("give either --profile or --rendezvous-hours, not both")
    rendezvous = RendezvousSpec.for_vehicle(vehicle, profile, rendezvous_hours)
    history = station_history(catalog, norad, source)
    if end - start > timedelta(days=3660):
        raise InputError("the span is longer than 10 years", field="--end")
    satrecs = [e.satrec for e in history]
    return feasible_windows(
        satrecs, site, vehicle, rendezvous, julian_date(start), julian_date(end)
    )
