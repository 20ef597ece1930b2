"""One Skyfield timescale, built offline from the files Skyfield ships.

``load.timescale(builtin=True)`` uses the leap-second and Delta T tables inside
the skyfield package, so nothing is downloaded at run time.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

import numpy as np
from skyfield.api import Timescale, load


@cache
def timescale() -> Timescale:
    """Return the process-wide Skyfield timescale (builtin data, no network)."""
    return load.timescale(builtin=True)


def datetime_to_jd(when: datetime) -> tuple[float, float]:
    """UTC datetime -> (jd, fr) pair as python-sgp4 wants (jd whole+0.5, fr day fraction)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    when = when.astimezone(UTC)
    # JD of 1970-01-01T00:00 UTC is 2440587.5 (Meeus, Astronomical Algorithms, ch. 7).
    seconds = when.timestamp()
    days, rem = divmod(seconds, 86400.0)
    return 2440587.5 + days, rem / 86400.0


def epoch_jd(satrec: Any) -> float:
    """Epoch of an SGP4 record as one UTC Julian date (days): ``jdsatepoch + jdsatepochF``."""
    return float(satrec.jdsatepoch + satrec.jdsatepochF)


def jd_to_datetime(jd: float, fr: float = 0.0) -> datetime:
    """(jd, fr) UTC pair -> timezone-aware UTC datetime (microsecond resolution)."""
    days = (jd - 2440587.5) + fr
    return datetime.fromtimestamp(round(days * 86400.0, 6), tz=UTC)


def unix_to_jd(unix_s: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Unix seconds (UTC, no leap seconds) -> (jd, fr) arrays split for precision."""
    unix_s = np.asarray(unix_s, dtype=float)
    days = np.floor(unix_s / 86400.0)
    return 2440587.5 + days, (unix_s - days * 86400.0) / 86400.0


def iso_utc_seconds(when: datetime) -> str:
    """ISO 8601 UTC to the whole second with a Z suffix (``2022-11-29T15:08:17Z``), the form
    of plans, reports and request summaries. A naive datetime is taken as UTC."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_utc(when: datetime) -> str:
    """ISO 8601 UTC with milliseconds and a Z suffix (``2022-11-29T15:08:17.000Z``), the
    form every JSON record of the project uses."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
