"""Which station a request means: its element-set history from a catalog."""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from pathlib import Path

from stationplan.errors import InputError
from stationplan.orbit.elements import Catalog, ElementSet
from stationplan.orbit.timescale import datetime_to_jd

__all__ = ["KNOWN_STATIONS", "bundled_stations", "julian_date", "station_history"]

#: NORAD ids of the stations a user most likely means when a file holds several objects.
KNOWN_STATIONS = {48274: "CSS (Tianhe)", 25544: "ISS (Zarya)"}


def julian_date(when: datetime) -> float:
    """UTC Julian date (one float) of an aware datetime."""
    whole, fraction = datetime_to_jd(when)
    return whole + fraction


def bundled_stations() -> Path:
    """Path of the bundled CSS and ISS element sets (``data/stations.tle``)."""
    with resources.as_file(resources.files("stationplan") / "data" / "stations.tle") as path:
        return Path(path)


def station_history(catalog: Catalog, norad: int | None, path: str) -> list[ElementSet]:
    """Element sets of the station asked for (or of the only/known station in the file)."""
    if norad is None:
        ids = catalog.norad_ids()
        if len(ids) == 1:
            norad = ids[0]
        else:
            known = [i for i in ids if i in KNOWN_STATIONS]
            if len(known) != 1:
                raise InputError(
                    f"the file holds {len(ids)} objects; choose one with --norad "
                    f"(e.g. {', '.join(str(i) for i in ids[:5])})",
                    path=path,
                )
            norad = known[0]
    return catalog.history(norad)
