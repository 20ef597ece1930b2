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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sgp4.api import Satrec

from .errors import InputError
from .geometry import SiteFrame
from .sites import get_site
from .timescale import datetime_to_jd
from .vehicles import get_vehicle
from .windows import AscentModel, Opportunity, RendezvousSpec, launch_opportunities


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


def check_all(data: ValidationSet, *, max_element_age_days: float = 14.0) -> list[WindowCheck]:
    """Every launch whose station has an element set within ``max_element_age_days``."""
    checks = []
    for launch in data.launches:
        station = data.station_elements.get(launch.norad_id, ())
        if not station:
            continue
        epochs = np.array([s.jdsatepoch + s.jdsatepochF for s in station])
        if np.min(np.abs(epochs - launch.launch_jd)) > max_element_age_days:
            continue
        checks.append(check_launch(launch, station))
    return checks


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
