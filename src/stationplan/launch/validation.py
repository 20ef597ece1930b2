"""Check predicted launch opportunities against real launches.

The input is the project's validation file (``shared/validation/
station-launches-2021-2022.json``): real launches with their vehicle, site,
launch time and the station's element sets near each launch. For every launch
with an element set within ``max_element_age_days``, the opportunity nearest
the actual launch time is predicted for the profile the mission flew (the
vehicle's profile nearest in duration to the actual launch-to-docking time,
as an analyst knows it in advance) and the error in seconds is reported.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sgp4.api import Satrec

from stationplan.errors import InputError
from stationplan.launch.rendezvous import LaunchAssessment, assess_launch
from stationplan.launch.sites import get_site
from stationplan.launch.vehicles import get_vehicle
from stationplan.launch.windows import (
    AscentModel,
    Opportunity,
    RendezvousSpec,
    launch_opportunities,
)
from stationplan.orbit.geometry import MeanPlaneHistory, SiteFrame
from stationplan.orbit.timescale import datetime_to_jd, epoch_jd


@dataclass(frozen=True)
class RealLaunch:
    """One real launch from the validation file."""

    mission: str
    station: str
    norad_id: int
    vehicle_id: str
    site_id: str
    launch_utc: datetime
    precision: str  # "second" or "minute"
    docking_utc: datetime | None

    @property
    def launch_jd(self) -> float:
        jd, fr = datetime_to_jd(self.launch_utc)
        return jd + fr

    @property
    def docking_duration_h(self) -> float | None:
        if self.docking_utc is None:
            return None
        return (self.docking_utc - self.launch_utc).total_seconds() / 3600.0


@dataclass(frozen=True)
class ValidationSet:
    launches: tuple[RealLaunch, ...]
    station_elements: dict[int, tuple[Satrec, ...]]


@dataclass(frozen=True)
class WindowCheck:
    """Prediction vs history for one launch; ``error_s`` = predicted − actual."""

    launch: RealLaunch
    profile: str
    predicted: Opportunity
    error_s: float
    element_age_days: float


def _utc(text: str, path: Path, field: str) -> datetime:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
    except (ValueError, AttributeError):
        raise InputError(f"bad time {text!r}", path=path, field=field) from None


def load_validation(path: str | Path) -> ValidationSet:
    """Read the validation JSON; raises ``InputError`` naming the record and field."""
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("file not found", path=path) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", path=path, line=exc.lineno) from None
    launches = []
    for i, record in enumerate(document.get("launches", [])):
        where = f"launches[{i}]"
        try:
            docking = record.get("docking_utc")
            launches.append(
                RealLaunch(
                    mission=record["mission"],
                    station=record["station"],
                    norad_id=int(record["norad"]),
                    vehicle_id=record["vehicle_id"],
                    site_id=record["site"],
                    launch_utc=_utc(record["launch_utc"], path, f"{where}.launch_utc"),
                    precision=record.get("launch_time_precision", "second"),
                    docking_utc=_utc(docking, path, f"{where}.docking_utc") if docking else None,
                )
            )
        except KeyError as exc:
            raise InputError(f"missing field {exc.args[0]!r}", path=path, field=where) from None
    elements: dict[int, list[Satrec]] = {}
    for i, record in enumerate(document.get("tles", [])):
        satrec = Satrec.twoline2rv(record["line1"], record["line2"])
        if satrec.error:
            raise InputError(
                f"element set fails SGP4 (error {satrec.error})", path=path, field=f"tles[{i}]"
            )
        elements.setdefault(int(record["norad"]), []).append(satrec)
    return ValidationSet(tuple(launches), {k: tuple(v) for k, v in elements.items()})


def check_launch(
    launch: RealLaunch, station: Sequence[Satrec], *, search_hours: float = 6.0
) -> WindowCheck:
    """Predict the opportunity nearest ``launch`` and compare."""
    vehicle = get_vehicle(launch.vehicle_id).at_site(launch.site_id)
    site = get_site(launch.site_id)
    duration = launch.docking_duration_h
    profile = (
        vehicle.profile(None)
        if duration is None
        else min(vehicle.profiles, key=lambda p: abs(p.duration_h - duration))
    )
    rendezvous = RendezvousSpec(profile.name, profile.duration_h, profile.phasing_altitude_km)
    jd = launch.launch_jd
    result = launch_opportunities(
        station,
        SiteFrame.from_site(site),
        AscentModel.from_vehicle(vehicle),
        rendezvous,
        jd - search_hours / 24.0,
        jd + search_hours / 24.0,
        site_id=site.id,
        vehicle_id=vehicle.id,
    )
    if not result.opportunities:
        raise RuntimeError(f"no opportunity found within {search_hours} h of {launch.mission}")
    nearest = min(result.opportunities, key=lambda o: abs(o.launch_jd - jd))
    return WindowCheck(
        launch=launch,
        profile=profile.name,
        predicted=nearest,
        error_s=(nearest.launch_jd - jd) * 86400.0,
        element_age_days=nearest.element_age_days,
    )


def _with_recent_elements(
    data: ValidationSet, max_element_age_days: float
) -> Iterator[tuple[RealLaunch, tuple[Satrec, ...]]]:
    """Launches whose station has an element set within ``max_element_age_days``."""
    for launch in data.launches:
        station = data.station_elements.get(launch.norad_id, ())
        if not station:
            continue
        epochs = np.array([epoch_jd(s) for s in station])
        if np.min(np.abs(epochs - launch.launch_jd)) <= max_element_age_days:
            yield launch, station


def check_all(data: ValidationSet, *, max_element_age_days: float = 14.0) -> list[WindowCheck]:
    """Every launch whose station has an element set within ``max_element_age_days``."""
    return [
        check_launch(launch, station)
        for launch, station in _with_recent_elements(data, max_element_age_days)
    ]


@dataclass(frozen=True)
class ErrorSummary:
    """Absolute-error statistics of a group of checks (seconds)."""

    count: int
    median_abs_s: float
    p90_abs_s: float
    max_abs_s: float
    mean_s: float

    @classmethod
    def of(cls, errors: Sequence[float]) -> ErrorSummary:
        e = np.asarray(errors, dtype=float)
        if e.size == 0:
            return cls(0, float("nan"), float("nan"), float("nan"), float("nan"))
        a = np.abs(e)
        return cls(
            int(e.size),
            float(np.median(a)),
            float(np.percentile(a, 90)),
            float(a.max()),
            float(e.mean()),
        )


def is_jiuquan(check: WindowCheck) -> bool:
    """Jiuquan → CSS is near-tangent geometry; it is reported separately."""
    return check.launch.site_id == "jiuquan"


# ---------------------------------------------------------------------------
# Rendezvous profiles against history

#: Docking-time tolerance: fast profiles (≤ 8 h flown) and multi-day ones (minutes).
FAST_DOCKING_TOLERANCE_MIN = 20.0
SLOW_DOCKING_TOLERANCE_MIN = 180.0


@dataclass(frozen=True)
class RendezvousCheck:
    """Feasible profiles at the actual launch time vs the flight as flown.

    ``flown_profile``: the vehicle's profile nearest the actual launch-to-docking
    time. ``docking_error_min``: predicted − actual docking for the feasible
    profile nearest the actual docking (None when none is feasible). ``passed``:
    the flown profile is judged feasible and some feasible profile docks within
    the tolerance (20 min for flights of ≤ 8 h, 3 h for longer ones).
    """

    launch: RealLaunch
    flown_profile: str
    assessment: LaunchAssessment
    element_age_days: float
    flown_feasible: bool
    nearest_profile: str | None
    docking_error_min: float | None
    tolerance_min: float

    @property
    def passed(self) -> bool:
        return (
            self.flown_feasible
            and self.docking_error_min is not None
            and abs(self.docking_error_min) <= self.tolerance_min
        )


def check_rendezvous(launch: RealLaunch, station: Sequence[Satrec]) -> RendezvousCheck:
    """Assess the rendezvous profiles at ``launch``'s actual time and compare with history."""
    if launch.docking_utc is None or launch.docking_duration_h is None:
        raise ValueError(f"{launch.mission} has no docking time")
    vehicle = get_vehicle(launch.vehicle_id).at_site(launch.site_id)
    history = MeanPlaneHistory.from_satrecs(station)
    assessment = assess_launch(
        history, SiteFrame.from_site(get_site(launch.site_id)), vehicle, launch.launch_jd
    )
    duration = launch.docking_duration_h
    flown = min(vehicle.profiles, key=lambda p: abs(p.duration_h - duration))
    errors = {
        p.name: (p.docking_utc - launch.docking_utc).total_seconds() / 60.0
        for p in assessment.feasible_profiles
    }
    nearest = min(errors, key=lambda name: abs(errors[name])) if errors else None
    tolerance = FAST_DOCKING_TOLERANCE_MIN if duration <= 8.0 else SLOW_DOCKING_TOLERANCE_MIN
    return RendezvousCheck(
        launch=launch,
        flown_profile=flown.name,
        assessment=assessment,
        element_age_days=float(history.age_days(np.array([launch.launch_jd]))[0]),
        flown_feasible=flown.name in errors,
        nearest_profile=nearest,
        docking_error_min=None if nearest is None else errors[nearest],
        tolerance_min=tolerance,
    )


def check_all_rendezvous(
    data: ValidationSet, *, max_element_age_days: float = 7.0
) -> list[RendezvousCheck]:
    """Every launch with a docking time whose station has an element set within the age."""
    return [
        check_rendezvous(launch, station)
        for launch, station in _with_recent_elements(data, max_element_age_days)
        if launch.docking_utc is not None
    ]
