"""Lunar site conditions and Earth–Moon launch windows as plain records, for the CLI
(`stationplan lunar site`, `stationplan lunar windows`) and the HTTP API alike.

Both answer with the same list of dicts (the ``--format json`` output); the CLI adds the
table, the CSV and the report. Errors name the CLI option (``--start``); the API maps
them to its query parameters.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from stationplan.errors import InputError
from stationplan.moon.conditions import (
    DEFAULT_RELAY,
    SiteConditions,
    SunEvents,
    load_horizon_mask,
    site_conditions,
    sun_events,
)
from stationplan.moon.ephemeris import check_in_span
from stationplan.moon.frames import LunarSite
from stationplan.orbit.timescale import iso_utc_seconds

__all__ = [
    "MAX_INSTANTS",
    "MAX_WINDOW_DAYS",
    "LunarWindowsReport",
    "SiteReport",
    "azimuth_band",
    "lunar_launcher_sites",
    "lunar_windows_report",
    "site_report",
]

#: Most instants one run computes (a year of 10-minute steps).
MAX_INSTANTS = 60_000
#: Longest span of daily windows one run searches, days.
MAX_WINDOW_DAYS = 400


@dataclass(frozen=True)
class SiteReport:
    """Conditions at a lunar site: the records (one per instant), the model behind them and,
    over a span, the Sun's rises and sets."""

    place: LunarSite
    conditions: SiteConditions
    records: list[dict[str, Any]]
    events: SunEvents | None


def site_report(
    lat_deg: float,
    lon_deg: float,
    *,
    at: Sequence[datetime] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    step_hours: float = 1.0,
    height_km: float = 0.0,
    horizon_mask: Path | None = None,
    relay: bool = True,
) -> SiteReport:
    """Sun/Earth altitude and azimuth, lighting, direct-to-Earth and relay visibility at a
    selenographic site (deg, east-positive longitude), at the instants ``at`` or every
    ``step_hours`` from ``start`` to ``end`` (aware UTC datetimes)."""
    place = LunarSite(lat_deg, lon_deg, height_km)
    mask = load_horizon_mask(horizon_mask) if horizon_mask is not None else None
    events: SunEvents | None = None
    if at:
        if start is not None or end is not None:
            raise InputError("give either --at or --start/--end, not both", field="--at")
        times = list(at)
        for when in times:
            check_in_span(when, "--at")
    else:
        if start is None or end is None:
            raise InputError("give --at ISO ... or both --start and --end", field="--start")
        check_in_span(start, "--start")
        check_in_span(end, "--end")
        if not (math.isfinite(step_hours) and 0 < step_hours <= 24 * 366):
            raise InputError(
                f"{step_hours} is not a number of hours in (0, 8784]", field="--step-hours"
            )
        if end <= start:
            raise InputError("the span is empty: --end must be after --start", field="--end")
        n = int((end - start) / timedelta(hours=step_hours)) + 1
        if n > MAX_INSTANTS:
            raise InputError(
                f"{n} instants exceed the limit of {MAX_INSTANTS}; raise --step-hours",
                field="--step-hours",
            )
        times = [start + timedelta(hours=step_hours * i) for i in range(n)]
        events = sun_events(place, start, end, mask=mask)
    conditions = site_conditions(place, times, mask=mask, relay=DEFAULT_RELAY if relay else None)
    return SiteReport(place, conditions, conditions.records(), events)


def azimuth_band(low_deg: float | None, high_deg: float | None) -> tuple[float, float] | None:
    """A mission's own launch-heading band (deg) from ``--azimuth-min/--azimuth-max``, or
    None when neither is given; an InputError for one alone or a band outside [0, 360]."""
    if low_deg is None and high_deg is None:
        return None
    if low_deg is None or high_deg is None:
        missing = "--azimuth-min" if low_deg is None else "--azimuth-max"
        raise InputError("give both --azimuth-min and --azimuth-max", field=missing)
    for value, name in ((low_deg, "--azimuth-min"), (high_deg, "--azimuth-max")):
        if not (math.isfinite(value) and 0.0 <= value <= 360.0):
            raise InputError(f"{value} is not a heading in [0, 360] deg", field=name)
    if high_deg <= low_deg:
        raise InputError(
            f"--azimuth-max {high_deg:g} must exceed --azimuth-min {low_deg:g}",
            field="--azimuth-max",
        )
    return (low_deg, high_deg)


@dataclass(frozen=True)
class LunarWindowsReport:
    """Daily direct-transfer windows as records, with the vehicle, the site and the azimuth
    limits (deg) that bounded them and where those came from."""

    records: list[dict[str, Any]]
    launcher_name: str
    site_name: str
    limits_deg: tuple[float, float]
    limits_from: str


def _refined_fields(item: tuple[object, bool] | None) -> dict[str, object]:
    """Output fields of an n-body refinement (all None without ``refine``)."""
    from stationplan.moon.nbody import RefinedTransfer

    r = item[0] if item else None
    if not isinstance(r, RefinedTransfer):
        return {
            "nbody_perilune_utc": None,
            "nbody_arrival_shift_h": None,
            "nbody_tli_dv_km_s": None,
            "free_return": item[1] if item else None,
        }
    return {
        "nbody_perilune_utc": iso_utc_seconds(r.perilune_utc),
        "nbody_arrival_shift_h": round(r.arrival_shift_h, 3),
        "nbody_tli_dv_km_s": round(r.tli_dv_km_s, 4),
        "free_return": item[1] if item else None,
    }


def lunar_windows_report(
    site_id: str,
    launcher_id: str,
    start: datetime,
    end: datetime,
    *,
    transfer_days: float | None = None,
    mission_kind: str | None = None,
    refine: bool = False,
    band_deg: tuple[float, float] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> LunarWindowsReport:
    """Daily Earth–Moon direct-transfer launch windows from ``start`` to ``end`` (aware UTC):
    parking plane through the arrival Moon, one TLI, bounded by the azimuth limits
    (``band_deg``, else the launcher's at the site, else the site's, else none); with
    ``refine`` each transfer is refined in the n-body model (~10 s per window)."""
    from stationplan.launch.sites import get_site
    from stationplan.moon.insertion import circular_polar, insertion_dv_km_s, queqiao2_frozen
    from stationplan.moon.launchers import get_lunar_launcher
    from stationplan.moon.transfer import daily_windows, loi_dv_km_s

    polar_200, frozen = circular_polar(200.0), queqiao2_frozen()
    pad = get_site(site_id)
    vehicle = get_lunar_launcher(launcher_id)
    if pad.id not in vehicle.sites:
        raise InputError(
            f"launcher {vehicle.id} does not fly from {pad.id} "
            f"(its sites: {', '.join(vehicle.sites)})",
            field="--site",
        )
    if end <= start:
        raise InputError("the span is empty: --end must be after --start", field="--end")
    if (end - start).days > MAX_WINDOW_DAYS:
        raise InputError(f"at most {MAX_WINDOW_DAYS} days per run", field="--end")
    days = transfer_days if transfer_days is not None else vehicle.transfer_days_for(mission_kind)
    if not math.isfinite(days):
        raise InputError(f"{days} is not a number of days", field="--transfer-days")
    if band_deg is not None:
        limits, limits_from = band_deg, "option"
    else:
        limits, limits_from = vehicle.azimuth_limits(pad)
    found = daily_windows(
        pad.latitude_deg,
        pad.longitude_deg,
        limits,
        start,
        end,
        days,
        vehicle.parking_alt_km,
        max_liftoff_to_tli_min=vehicle.max_liftoff_to_tli_min,
    )
    refined: dict[int, tuple[object, bool]] = {}
    if refine:
        from stationplan.moon.nbody import cheapest_refinement, free_return

        for k, w in enumerate(found):
            if progress is not None:
                progress(k, len(found))
            refined[k] = (cheapest_refinement(w, 111.0), free_return(w)[0])
        if progress is not None:
            progress(len(found), len(found))
    records = [
        {
            "open_utc": iso_utc_seconds(w.open_utc),
            "close_utc": iso_utc_seconds(w.close_utc),
            "tli_utc": iso_utc_seconds(w.tli_utc),
            "arrival_utc": iso_utc_seconds(w.arrival_utc),
            "tli_dv_km_s": round(w.tli_dv_km_s, 4),
            "moon_dec_deg": round(w.moon_dec_deg, 3),
            "v_inf_km_s": round(w.v_inf_km_s, 4),
            "loi_dv_100km_polar_km_s": round(loi_dv_km_s(w.v_inf_km_s, 100.0, 100.0), 4),
            "loi_dv_200km_polar_km_s": round(insertion_dv_km_s(w.v_inf_km_s, polar_200), 4),
            "loi_dv_queqiao2_frozen_km_s": round(insertion_dv_km_s(w.v_inf_km_s, frozen), 4),
            "azimuth_open_deg": round(w.azimuth_open_deg, 2),
            "azimuth_close_deg": round(w.azimuth_close_deg, 2),
            "transfer_days": round(w.transfer_days, 3),
            "azimuth_limits_from": limits_from,
            **_refined_fields(refined.get(k)),
        }
        for k, w in enumerate(found)
    ]
    return LunarWindowsReport(records, vehicle.name, pad.name, limits, limits_from)


def lunar_launcher_sites() -> dict[str, list[str]]:
    """Bundled lunar launcher ids, each with the launch-site ids it flies from (for forms)."""
    from stationplan.moon.launchers import lunar_launchers

    return {key: list(value.sites) for key, value in sorted(lunar_launchers().items())}
