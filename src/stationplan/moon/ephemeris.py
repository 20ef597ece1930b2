"""Sun, Earth and Moon from JPL DE421 through Skyfield, offline.

The kernel ``de421.bsp`` (Folkner, Williams & Boggs 2008, JPL IOM 343R-08-003; covers
1899-07-29 to 2053-10-09) is read from the ``skyfield-data`` PyPI package, so nothing is
downloaded at run time. Positions are in km, ICRF axes, Moon-centred, corrected for
light time (Skyfield ``observe``); aberration (< 0.006°) is neglected.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from skyfield.api import load_file

from stationplan.errors import InputError
from stationplan.orbit.timescale import timescale

__all__ = [
    "DE421_FIRST",
    "DE421_LAST",
    "check_in_span",
    "de421",
    "moon_centred_km",
    "skyfield_times",
]

#: Span of DE421 kept with a margin of a day inside the kernel's own limits.
DE421_FIRST = datetime(1900, 1, 1, tzinfo=UTC)
DE421_LAST = datetime(2053, 10, 1, tzinfo=UTC)


def _kernel_path() -> Path:
    import warnings

    with warnings.catch_warnings():
        # skyfield-data warns that its bundled finals2000A.all (Earth orientation) expired;
        # only de421.bsp is used here, which does not expire.
        warnings.simplefilter("ignore", RuntimeWarning)
        from skyfield_data import get_skyfield_data_path

        return Path(get_skyfield_data_path()) / "de421.bsp"


@cache
def de421() -> Any:
    """The DE421 kernel shipped in ``skyfield-data`` (Skyfield SpiceKernel)."""
    return load_file(str(_kernel_path()))


def check_in_span(when: datetime, option: str) -> None:
    """Raise :class:`InputError` naming ``option`` if ``when`` is outside DE421 (1900–2053)."""
    if not DE421_FIRST <= when <= DE421_LAST:
        raise InputError(
            f"{when.isoformat()} is outside the DE421 ephemeris span "
            f"({DE421_FIRST.date()} to {DE421_LAST.date()})",
            field=option,
        )


def skyfield_times(times_utc: Sequence[datetime]) -> Any:
    """Skyfield Time array for aware UTC datetimes."""
    return timescale().from_datetimes([t.astimezone(UTC) for t in times_utc])


def moon_centred_km(times: Any) -> tuple[np.ndarray, np.ndarray]:
    """(Sun, Earth) positions seen from the Moon's centre, km, ICRF, shape (3, n).

    Light-time corrected (Skyfield ``observe``) as seen from the Moon's centre.
    """
    eph = de421()
    moon = eph["moon"]
    at = moon.at(times)
    sun_km = at.observe(eph["sun"]).position.km
    earth_km = at.observe(eph["earth"]).position.km
    return np.asarray(sun_km, dtype=float), np.asarray(earth_km, dtype=float)
