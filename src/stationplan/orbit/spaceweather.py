"""Solar and geomagnetic indices for NRLMSIS, from a bundled table (no network).

The table ``data/spaceweather.csv`` is derived by ``scripts/make_spaceweather.py`` from
CelesTrak's consolidated ``SW-All.csv``: daily observed F10.7, its 81-day centred mean,
daily Ap and the eight 3-hourly ap from 1998-07-01, NOAA SWPC daily predictions for 45
days after the last observation, then monthly predictions expanded to days to 2041-10-31
(``kind`` = ``PRM``; their Ap is the record's mean daily Ap, 10).

:func:`indices` returns the three inputs of ``pymsis.calculate`` (``f107s``, ``f107as``,
``aps``) following the convention of ``pymsis.utils.get_f107_ap`` (pymsis 0.13, step
sampling, no interpolation), which is the NRLMSIS 2.x input convention:

- ``f107s``: observed F10.7 of the *previous* UTC day, sfu;
- ``f107as``: 81-day mean of observed F10.7 *centred* on the current day, sfu;
- ``aps[:, 0]`` daily Ap of the day; ``aps[:, 1..4]`` the 3-hourly ap of the interval
  holding the time and of the three before it (t, t-3 h, t-6 h, t-9 h);
  ``aps[:, 5]`` mean of the eight 3-hourly ap 12-33 h before, ``aps[:, 6]`` 36-57 h before.

Scenarios (``solar=``):

- ``"nominal"``: the table: observations, then the NOAA SWPC predictions (their 50 %
  level); the span after the last observed day is flagged as predicted.
- ``"low"``: constant F10.7 = 68.9 sfu (both daily and 81-day mean) and Ap = 6.5: the 5th
  percentile of the 81-day mean over 1998-2026 and the mean Ap of those days (deep solar
  minimum, as in 2008-2009 and 2019-2020).
- ``"high"``: constant F10.7 = 188.2 sfu and Ap = 12.5: the 95th percentile and the mean Ap
  of those days (solar maximum, as in 2001-2002 and 2024).
- a :class:`ConstantActivity` of the user's own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from importlib import resources
from typing import Literal

import numpy as np

from stationplan.errors import InputError

SolarName = Literal["low", "nominal", "high"]
#: Kinds of rows that are not observations.
PREDICTED_KINDS = ("PRD", "PRM")
#: History NRLMSIS needs before a time: the 36-57 h ap mean and the previous day's F10.7.
_HISTORY_3H = 19


@dataclass(frozen=True)
class Indices:
    """NRLMSIS inputs for n times (arrays of length n; ``aps`` is n x 7)."""

    f107_sfu: np.ndarray
    f107a_sfu: np.ndarray
    aps: np.ndarray
    #: True where a value comes from a prediction (or a scenario) rather than observation.
    predicted: np.ndarray


@dataclass(frozen=True)
class ConstantActivity:
    """Constant solar flux and geomagnetic activity, e.g. for a what-if scenario.

    ``f107_sfu`` is used both as the previous day's F10.7 and its 81-day mean; ``ap`` for
    the daily Ap and every 3-hourly slot.
    """

    f107_sfu: float
    ap: float
    name: str = "constant"

    def __post_init__(self) -> None:
        if not (0.0 < self.f107_sfu <= 400.0):
            raise InputError(f"F10.7 {self.f107_sfu} sfu is outside 0-400", field="--solar")
        if not (0.0 <= self.ap <= 400.0):
            raise InputError(f"Ap {self.ap} is outside 0-400", field="--solar")

    def describe(self) -> str:
        return f"{self.name}: constant F10.7 {self.f107_sfu:g} sfu, Ap {self.ap:g}"

    def indices(self, dates: Iterable[datetime] | np.ndarray) -> Indices:
        """Constant indices for every time in ``dates``."""
        n = len(as_datetime64(dates))
        return Indices(
            np.full(n, self.f107_sfu),
            np.full(n, self.f107_sfu),
            np.full((n, 7), float(self.ap)),
            np.ones(n, dtype=bool),
        )


#: Scenario levels computed by scripts/make_spaceweather.py from SW-All.csv (1998-07-01 to
#: 2026-04-26; tests/test_spaceweather.py recomputes them from the raw file).
LOW = ConstantActivity(68.9, 6.5, "low")
HIGH = ConstantActivity(188.2, 12.5, "high")


@dataclass(frozen=True)
class IndexTable:
    """Daily indices from ``first_day`` on (UTC days), as bundled in ``data/spaceweather.csv``."""

    first_day: np.datetime64
    kind: np.ndarray  # (n_days,) str: OBS, INT, PRD, PRM
    f107_sfu: np.ndarray  # (n_days,) observed F10.7 of the day
    f107_c81_sfu: np.ndarray  # (n_days,) 81-day centred mean
    ap_daily: np.ndarray  # (n_days,)
    ap_3h: np.ndarray  # (n_days * 8,) 00-03 UT, 03-06 UT, ...
    name: str = "nominal"

    @property
    def last_day(self) -> np.datetime64:
        return self.first_day + np.timedelta64(len(self.f107_sfu) - 1, "D")

    @property
    def first_valid(self) -> np.datetime64:
        """First time with the full history NRLMSIS needs (57 h of ap, yesterday's F10.7)."""
        return (self.first_day + np.timedelta64(3, "D")).astype("datetime64[s]")

    @property
    def last_observed_day(self) -> np.datetime64:
        observed = np.flatnonzero(~np.isin(self.kind, PREDICTED_KINDS))
        return self.first_day + np.timedelta64(int(observed[-1]), "D")

    def describe(self) -> str:
        return (
            f"nominal: observed indices to {self.last_observed_day}, NOAA SWPC predictions "
            f"to {self.last_day}"
        )

    def indices(self, dates: Iterable[datetime] | np.ndarray) -> Indices:
        """NRLMSIS indices at ``dates`` (pymsis ``get_f107_ap`` convention, module docstring).

        Raises InputError for times outside the table (before ``first_valid`` or after the
        last day).
        """
        when = as_datetime64(dates)
        end = (self.last_day + np.timedelta64(1, "D")).astype("datetime64[s]")
        if when.size and (when.min() < self.first_valid or when.max() >= end):
            raise InputError(
                f"the space-weather table covers {self.first_valid.astype('datetime64[D]')} to "
                f"{self.last_day}; choose solar='low' or 'high' for other dates",
                field="--solar",
            )
        offset_s = (when - self.first_day.astype("datetime64[s]")).astype(np.int64)
        day = offset_s // 86400
        slot = offset_s // 10800
        ap = self.ap_3h
        aps = np.empty((when.size, 7))
        aps[:, 0] = self.ap_daily[day]
        for lag in range(4):
            aps[:, 1 + lag] = ap[slot - lag]
        # Means of eight 3-hourly values: slots t-11..t-4 (12-33 h) and t-19..t-12 (36-57 h).
        cumulative = np.concatenate([[0.0], np.cumsum(ap)])
        aps[:, 5] = (cumulative[slot - 3] - cumulative[slot - 11]) / 8.0
        aps[:, 6] = (cumulative[slot - 11] - cumulative[slot - 19]) / 8.0
        predicted = np.isin(self.kind, PREDICTED_KINDS)
        return Indices(
            f107_sfu=self.f107_sfu[day - 1],
            f107a_sfu=self.f107_c81_sfu[day],
            aps=aps,
            predicted=predicted[day] | predicted[day - 1],
        )


def as_datetime64(dates: Iterable[datetime] | np.ndarray | datetime) -> np.ndarray:
    """UTC times as a 1-D ``datetime64[s]`` array (aware datetimes are converted to UTC)."""
    if isinstance(dates, np.ndarray) and np.issubdtype(dates.dtype, np.datetime64):
        return np.atleast_1d(dates.astype("datetime64[s]"))
    if isinstance(dates, datetime | date):
        dates = [dates]
    naive = []
    for value in dates:  # type: ignore[union-attr]
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        naive.append(value)
    return np.array(naive, dtype="datetime64[s]")


@cache
def bundled_table() -> IndexTable:
    """The bundled index table (read once per process)."""
    source = resources.files("stationplan") / "data" / "spaceweather.csv"
    lines = source.read_text(encoding="ascii").splitlines()[1:]
    # NumPy's compiled reader: ~14 ms against ~45 ms for csv rows turned into an array.
    numbers = np.loadtxt(lines, delimiter=",", dtype=float, usecols=range(2, 13))
    return IndexTable(
        first_day=np.datetime64(lines[0].split(",", 1)[0], "D"),
        kind=np.array([line.split(",", 2)[1] for line in lines]),
        f107_sfu=numbers[:, 0],
        f107_c81_sfu=numbers[:, 1],
        ap_daily=numbers[:, 2],
        ap_3h=numbers[:, 3:].reshape(-1),
    )


def solar_activity(solar: str | ConstantActivity = "nominal") -> IndexTable | ConstantActivity:
    """The index source of a scenario name (``low``, ``nominal``, ``high``) or a constant."""
    if isinstance(solar, ConstantActivity):
        return solar
    choices = {"low": LOW, "high": HIGH}
    if solar == "nominal":
        return bundled_table()
    if solar in choices:
        return choices[solar]
    raise InputError(
        f"unknown solar scenario {solar!r}; expected low, nominal or high", field="--solar"
    )


def indices(
    dates: Iterable[datetime] | np.ndarray, solar: str | ConstantActivity = "nominal"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(f107s, f107as, aps)`` exactly as ``pymsis.calculate`` takes them, for ``dates``.

    Units: sfu (1e-22 W m^-2 Hz^-1) for F10.7, Ap in 2 nT units; ``aps`` is n x 7.
    """
    result = solar_activity(solar).indices(dates)
    return result.f107_sfu, result.f107a_sfu, result.aps
