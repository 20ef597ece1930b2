"""``windows`` requests: in-plane launch opportunities from a site to a station."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from stationplan.errors import InputError
from stationplan.launch.rendezvous import feasible_windows
from stationplan.launch.sites import get_site, load_sites
from stationplan.launch.vehicles import get_vehicle, load_vehicles
from stationplan.launch.windows import RendezvousSpec, WindowSearch
from stationplan.orbit.elements import Catalog
from stationplan.orbit.timescale import iso_utc_seconds
from stationplan.services.stations import julian_date, station_history

__all__ = ["find_windows", "sites_and_vehicles", "utc_within_sgp4_era", "windows_report"]


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


def windows_report(
    catalog: Catalog,
    source: str,
    norad: int | None,
    site_id: str,
    vehicle_id: str,
    profile: str | None,
    rendezvous_hours: float | None,
    start: datetime,
    end: datetime,
) -> dict[str, Any]:
    """``windows --format json`` as one JSON-ready object: the station, the age of its
    newest element set at ``start`` (days; stale beyond 3 d), warnings and opportunities."""
    start, end = utc_within_sgp4_era(start, "start"), utc_within_sgp4_era(end, "end")
    if end <= start:
        raise InputError("the end must come after the start", field="end")
    result = find_windows(
        catalog, source, norad, site_id, vehicle_id, profile, rendezvous_hours, start, end
    )
    history = station_history(catalog, norad, source)
    age_days = (start - history[-1].epoch_utc).total_seconds() / 86400.0
    return {
        "station_norad": history[0].norad_id,
        "site": site_id,
        "vehicle": vehicle_id,
        "start_utc": iso_utc_seconds(start),
        "end_utc": iso_utc_seconds(end),
        "element_age_days": round(age_days, 2),
        "stale": abs(age_days) > 3.0,
        "warnings": list(result.warnings),
        "opportunities": [o.as_dict() for o in result.opportunities],
    }


def utc_within_sgp4_era(when: datetime, field: str) -> datetime:
    """An aware UTC time within the SGP4 era (1957–2100); naive times are taken as UTC."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        when = when.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00+01:00: before year 1 once in UTC
        raise InputError("times must lie within 1957–2100", field=field) from None
    if not 1957 <= when.year <= 2100:
        raise InputError("times must lie within 1957–2100", field=field)
    return when


def sites_and_vehicles() -> dict[str, list[str]]:
    """Ids of the bundled launch sites and visiting vehicles (for forms)."""
    return {"sites": sorted(load_sites()), "vehicles": sorted(load_vehicles())}
