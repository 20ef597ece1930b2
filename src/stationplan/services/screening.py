"""``screen`` requests shared by the CLI and the web: one-vs-catalogue screening as JSON."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from stationplan.errors import InputError
from stationplan.orbit.elements import Catalog
from stationplan.orbit.timescale import iso_utc_seconds
from stationplan.screening.cdm import conjunction_to_cdm
from stationplan.screening.pc import with_probabilities
from stationplan.screening.screen import ScreeningVolume, screen

__all__ = ["screen_report"]


def screen_report(
    catalog: Catalog,
    start: datetime,
    days: float,
    primaries: list[int],
    threshold_km: float = 5.0,
    workers: int = 1,
) -> dict[str, Any]:
    """Conjunctions of ``primaries`` with the catalogue over ``days`` from ``start``, with
    Pc (default covariance, as ``stationplan screen``) and one CCSDS CDM per event."""
    if not primaries:
        raise InputError("give at least one primary NORAD id", field="primary")
    if not 0 < days <= 30:
        raise InputError("the span must lie within 0–30 days", field="days")
    if not 0 < threshold_km <= 100:
        raise InputError("the threshold must lie within 0–100 km", field="threshold_km")
    missing = [p for p in primaries if p not in catalog.norad_ids()]
    if missing:
        raise InputError(f"no element set of {missing[0]} in the catalogue", field="primary")
    start = start if start.tzinfo else start.replace(tzinfo=UTC)
    result = screen(
        catalog,
        start,
        days=days,
        volume=ScreeningVolume(threshold_km=threshold_km, box_rtn_km=None),
        primaries=primaries,
        workers=workers,
    )
    events = with_probabilities(list(result.events))
    return {
        "volume": result.volume.describe(),
        "start_utc": iso_utc_seconds(result.start_utc),
        "end_utc": iso_utc_seconds(result.end_utc),
        "n_objects": result.n_objects,
        "n_screened": result.n_screened,
        "events": [c.as_dict() for c in events],
        "cdms": [conjunction_to_cdm(c) for c in events],
        "attached": [c.as_dict() for c in result.attached],
        "excluded": [f"{e.norad_id} {e.name}: {e.reason}" for e in result.excluded[:100]],
        "warnings": [],
    }
