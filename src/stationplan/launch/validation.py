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
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sgp4.api import Satrec

from stationplan.errors import InputError
from stationplan.launch.rendezvous import (
    FeasibleProfile,
    LaunchAssessment,
    StationOrbit,
    altitude_for_rate_km,
    assess_launch,
    latitude_rate_rad_s,
    phase_angle_deg,
    profile_windows,
)
from stationplan.launch.sites import get_site
from stationplan.launch.vehicles import Profile, Vehicle, get_vehicle
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
    # The profile the plane is aimed for: chosen from the phase angle at the launch time
    # (fastest feasible, as `stationplan rendezvous` selects it), never from the docking.
    assessment = assess_launch(
        MeanPlaneHistory.from_satrecs(station),
        SiteFrame.from_site(site),
        vehicle,
        launch.launch_jd,
    )
    profile = vehicle.profile(assessment.selected_profile)
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


def calibrated(check: WindowCheck) -> bool:
    """Whether the launcher's ascent was fitted on these flights (scripts/fit_windows.py)."""
    vehicle = get_vehicle(check.launch.vehicle_id).at_site(check.launch.site_id)
    return vehicle.insertion_downrange_km is not None


def leave_one_out_errors(checks: Sequence[WindowCheck]) -> dict[str, float]:
    """Launch-time error (s) of each calibrated flight with its launcher refitted without it.

    scripts/fit_windows.py moves a launcher's plane-lock delay by the mean error of its
    launches, which shifts every prediction of that launcher by the same amount; the
    leave-one-out error is therefore e_i − mean(e_j, j ≠ i) over the launcher's other
    fitted launches (those timed to the second when it has two or more). Uncalibrated
    launchers keep their error (nothing was fitted on them).
    """
    by_launcher: dict[str, list[WindowCheck]] = {}
    for c in checks:
        if calibrated(c) and not is_jiuquan(c):
            launcher = get_vehicle(c.launch.vehicle_id).at_site(c.launch.site_id).launcher
            by_launcher.setdefault(launcher, []).append(c)
    out = {c.launch.mission: c.error_s for c in checks}
    for items in by_launcher.values():
        precise = [c for c in items if c.launch.precision == "second"]
        used = precise if len(precise) >= 2 else items
        for c in items:
            others = [o.error_s for o in used if o is not c]
            out[c.launch.mission] = c.error_s - (float(np.mean(others)) if others else 0.0)
    return out


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


# ---------------------------------------------------------------------------
# Fitting the phasing band of flown profiles, and leave-one-out validation


@dataclass(frozen=True)
class FlownPhase:
    """One real flight as training data: its phase at liftoff and the profile it flew.

    ``profile``: the vehicle's profile whose duration limits hold the flown
    liftoff-to-docking time (nearest nominal when several or none do) — post-flight
    knowledge, used only to *fit*, never to judge. ``implied_altitude_km``: the mean
    phasing altitude that closes θ + 360°·k at the flown duration (k giving the altitude
    nearest the profile's ``phasing_altitude_km``).
    """

    launch: RealLaunch
    group: tuple[str, str]  # (launcher, profile name): vehicles sharing a scheme pool
    profile: str
    phase_angle_deg: float
    implied_altitude_km: float
    station_altitude_km: float


def flown_profile(vehicle: Vehicle, duration_h: float) -> Profile:
    """The profile whose duration limits hold ``duration_h`` (nearest nominal among them)."""
    inside = [
        p
        for p in vehicle.profiles
        if p.duration_limits_h[0] <= duration_h <= p.duration_limits_h[1]
    ]
    return min(inside or vehicle.profiles, key=lambda p: abs(p.duration_h - duration_h))


def flown_phase(launch: RealLaunch, station: Sequence[Satrec]) -> FlownPhase:
    """Training record of ``launch`` (it must have a docking time)."""
    assert launch.docking_duration_h is not None
    vehicle = get_vehicle(launch.vehicle_id).at_site(launch.site_id)
    history = MeanPlaneHistory.from_satrecs(station)
    frame = SiteFrame.from_site(get_site(launch.site_id))
    theta = float(
        phase_angle_deg(history, frame, AscentModel.from_vehicle(vehicle), launch.launch_jd)[0]
    )
    orbit = StationOrbit.at(history, launch.launch_jd)
    profile = flown_profile(vehicle, launch.docking_duration_h)
    window = next(w for w in profile_windows(vehicle, orbit) if w.name == profile.name)
    phasing_s = launch.docking_duration_h * 3600.0 - window.lead_s
    laps = np.arange(0, 8)
    rate = np.radians(theta + 360.0 * laps) / phasing_s + orbit.rate_rad_s
    rate = rate + orbit.ndot_rad_s2 * phasing_s
    altitude = altitude_for_rate_km(rate, orbit.inclination_rad)
    best = float(altitude[np.argmin(np.abs(altitude - profile.phasing_altitude_km))])
    return FlownPhase(
        launch, (vehicle.launcher, profile.name), profile.name, theta, best, orbit.altitude_km
    )


def fitted_band_km(
    vehicle: Vehicle, profile: Profile, training: Sequence[FlownPhase]
) -> tuple[float, float] | None:
    """Mean-phasing-altitude band of a ``band_fitted`` profile from training flights.

    Centre: the midrange of the training flights' implied altitudes (launches go whenever
    the phase is inside the window, so they spread over it; the midrange estimates a
    uniform's centre). Width: the profile's published phase range (``phase_range_deg``)
    converted to altitude at the nominal phasing time, Δh = range / (|du̇/dh|·D)
    (docs/rendezvous.md §2). None without training flights.
    """
    if not training:
        return None
    implied = np.array([f.implied_altitude_km for f in training])
    centre = 0.5 * (float(implied.min()) + float(implied.max()))
    station_km = float(np.mean([f.station_altitude_km for f in training]))
    incl = np.radians(51.6)
    slope = abs(
        float(
            latitude_rate_rad_s(station_km - 0.5, incl)
            - latitude_rate_rad_s(station_km + 0.5, incl)
        )
    )  # rad/s per km
    phasing_s = profile.duration_h * 3600.0 - vehicle.ascent_s - profile.final_approach_h * 3600.0
    width_deg = profile.phase_range_deg if profile.phase_range_deg is not None else 22.0
    half = 0.5 * np.radians(width_deg) / (slope * phasing_s)
    return centre - half, centre + half


def with_band(vehicle: Vehicle, profile_name: str, band_km: tuple[float, float]) -> Vehicle:
    """``vehicle`` with one profile's mean-phasing-altitude band replaced."""
    profiles = tuple(
        replace(p, min_phasing_altitude_km=band_km[0], max_phasing_altitude_km=band_km[1])
        if p.name == profile_name
        else p
        for p in vehicle.profiles
    )
    return replace(vehicle, profiles=profiles)


@dataclass(frozen=True)
class WindowJudgement:
    """One flight judged out of sample.

    ``selected``: the profile chosen from the phase angle alone (the fastest feasible one:
    the vehicle's published fallback order), with its docking window; ``inside``: the real
    docking lies in that window ± ``tolerance_min``; ``in_sample``: a fitted band had no
    other flight to learn from, so the bundled (in-sample) band judged it.
    """

    launch: RealLaunch
    element_age_days: float
    phase_angle_deg: float
    selected: FeasibleProfile | None
    tolerance_min: float
    in_sample: bool

    @property
    def width_h(self) -> float | None:
        return None if self.selected is None else self.selected.window_h

    @property
    def inside(self) -> bool:
        s = self.selected
        if s is None or s.docking_earliest_utc is None or s.docking_latest_utc is None:
            return False
        assert self.launch.docking_utc is not None
        tol = self.tolerance_min * 60.0
        early = (s.docking_earliest_utc - self.launch.docking_utc).total_seconds()
        late = (self.launch.docking_utc - s.docking_latest_utc).total_seconds()
        return early <= tol and late <= tol


def judge_leave_one_out(
    data: ValidationSet,
    *,
    max_element_age_days: float = 7.0,
    training_age_days: float = 10.0,
) -> list[WindowJudgement]:
    """Every flight with a docking time and an element set within ``max_element_age_days``,
    judged with the fitted bands refitted on the *other* flights (training flights: element
    set within ``training_age_days``). The profile is the fastest feasible one at the phase
    angle — never chosen from the real docking time."""
    training = [
        flown_phase(launch, station)
        for launch, station in _with_recent_elements(data, training_age_days)
        if launch.docking_utc is not None
    ]
    out = []
    for launch, station in _with_recent_elements(data, max_element_age_days):
        if launch.docking_utc is None or launch.docking_duration_h is None:
            continue
        vehicle = get_vehicle(launch.vehicle_id).at_site(launch.site_id)
        in_sample = False
        for p in vehicle.profiles:
            if not p.band_fitted:
                continue
            others = [
                f
                for f in training
                if f.group == (vehicle.launcher, p.name) and f.launch.mission != launch.mission
            ]
            band = fitted_band_km(vehicle, p, others)
            if band is None:
                in_sample = in_sample or any(
                    f.group == (vehicle.launcher, p.name) for f in training
                )
                continue
            vehicle = with_band(vehicle, p.name, band)
        history = MeanPlaneHistory.from_satrecs(station)
        assessment = assess_launch(
            history, SiteFrame.from_site(get_site(launch.site_id)), vehicle, launch.launch_jd
        )
        selected = assessment.feasible_profiles[0] if assessment.feasible_profiles else None
        duration = launch.docking_duration_h
        out.append(
            WindowJudgement(
                launch=launch,
                element_age_days=float(history.age_days(np.array([launch.launch_jd]))[0]),
                phase_angle_deg=assessment.phase_angle_deg,
                selected=selected,
                tolerance_min=FAST_DOCKING_TOLERANCE_MIN
                if duration < 8.0
                else SLOW_DOCKING_TOLERANCE_MIN,
                in_sample=in_sample,
            )
        )
    return out
