"""Rendezvous: phase angle at insertion, profile feasibility, maneuver plans, station phasing.

Phase angle θ: how far the station is ahead of the chaser, in the station's
orbit plane, at the chaser's orbit insertion (degrees in [0, 360)). The chaser's
in-plane position at insertion is the pad's argument of latitude at liftoff
plus the ascent arc (ground distance to insertion over the Earth's radius), as
in ``stationplan.launch.windows``; the station's is its full SGP4 position.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np
from sgp4.api import Satrec

from stationplan.errors import InputError
from stationplan.launch.sites import Site
from stationplan.launch.vehicles import Vehicle
from stationplan.launch.windows import (
    AscentModel,
    Opportunity,
    RendezvousSpec,
    WindowSearch,
    launch_opportunities,
)
from stationplan.orbit.geometry import (
    EARTH_RADIUS_KM,
    MU_KM3_S2,
    MeanPlaneHistory,
    SiteFrame,
    argument_of_latitude,
    dut1_seconds,
    mean_motion_rad_s,
    station_argument_of_latitude,
)
from stationplan.orbit.timescale import iso_utc, jd_to_datetime

TWO_PI = 2.0 * np.pi


def phase_angle_deg(
    station: Sequence[Satrec] | MeanPlaneHistory,
    site: SiteFrame,
    ascent: AscentModel,
    launch_jd: np.ndarray | float,
) -> np.ndarray:
    """Phase angle θ (deg, [0, 360)) of the station ahead of the chaser at insertion.

    ``launch_jd``: liftoff times (UTC JD), any shape. θ = u_station(t_ins) −
    u_pad(t_launch) − s/R, with u the argument of latitude in the station's mean
    plane (nearest element set), t_ins = t_launch + ascent time and s the ground
    distance to insertion (``AscentModel.insertion_arc_rad``).
    """
    history = MeanPlaneHistory.of(station)
    launch = np.atleast_1d(np.asarray(launch_jd, dtype=float))
    shape = launch.shape
    launch = launch.ravel()
    insertion = launch + ascent.ascent_s / 86400.0
    node, incl = history.node_and_inclination(insertion)
    pad_u = argument_of_latitude(site.teme_unit(launch, dut1_seconds(launch)), node, incl)
    index = history.nearest_index(insertion)
    station_u = station_argument_of_latitude(history.satrecs, index, insertion, node, incl)
    theta = np.mod(station_u - pad_u - ascent.insertion_arc_rad, TWO_PI)
    return np.degrees(theta).reshape(shape)


# ---------------------------------------------------------------------------
# Profiles: admissible phase-angle ranges at insertion

#: Width of a profile's admissible phase range as a fraction of the chaser's maximum catch-up
#: (staying in the insertion orbit until docking), for profiles that give no
#: ``phase_range_deg``: the median of the published Soyuz/Progress ranges (6°, 22°, 150°,
#: FACTS.md) over their maximum catch-ups (34°, 62°, 525°: 0.18, 0.35, 0.29).
DEFAULT_RANGE_FRACTION = 0.29

#: Profiles at most this long are "fast": docking predicted to within minutes.
FAST_PROFILE_MAX_H = 8.0


@dataclass(frozen=True)
class ProfileWindow:
    """Admissible catch-up of one rendezvous profile for one station orbit.

    ``centre_deg``: phase the chaser makes up during the profile, (n_ph − n_s)·D,
    with n_ph the mean motion at the profile's phasing altitude, n_s the
    station's, and D the phasing time (liftoff-to-docking minus ascent); may
    exceed 360° for multi-day profiles. ``range_deg``: width of the admissible
    window centred there. A phase angle θ is admissible when θ + 360°·k lies in
    the window for some whole k ≥ 0 (the chaser makes up whole extra laps).
    """

    name: str
    duration_h: float
    centre_deg: float
    range_deg: float
    max_catch_up_deg: float

    @property
    def fast(self) -> bool:
        return self.duration_h <= FAST_PROFILE_MAX_H

    def catch_up_deg(self, theta_deg: np.ndarray | float) -> np.ndarray:
        """θ + 360°·k nearest the centre (k ≥ 0): the phase the chaser makes up (deg)."""
        theta = np.asarray(theta_deg, dtype=float)
        k = np.maximum(np.round((self.centre_deg - theta) / 360.0), 0.0)
        return theta + 360.0 * k

    def admits(self, theta_deg: np.ndarray | float) -> np.ndarray:
        """True where phase angle ``theta_deg`` (deg) is inside the admissible window."""
        return np.abs(self.catch_up_deg(theta_deg) - self.centre_deg) <= 0.5 * self.range_deg


def profile_windows(
    vehicle: Vehicle, station_mean_motion_rad_s: float
) -> tuple[ProfileWindow, ...]:
    """The admissible phase window of each of ``vehicle``'s profiles (its own order).

    Centre: catch-up (n(h_ph) − n_s)·(T_dock − T_ascent) (two-body mean motions of
    circular orbits, n = √(μ/a³)). Width: the profile's ``phase_range_deg`` or
    ``DEFAULT_RANGE_FRACTION`` of the maximum catch-up (n(h_ins) − n_s)·D, with h_ins
    the insertion orbit's mean altitude.
    """
    insertion_km = 0.5 * (vehicle.insertion_perigee_km + vehicle.insertion_apogee_km)
    windows = []
    for p in vehicle.profiles:
        phasing_s = p.duration_h * 3600.0 - vehicle.ascent_s
        centre = np.degrees(mean_motion_rad_s(p.phasing_altitude_km) - station_mean_motion_rad_s)
        maximum = np.degrees(mean_motion_rad_s(insertion_km) - station_mean_motion_rad_s)
        centre_deg = float(centre * phasing_s)
        max_deg = float(maximum * phasing_s)
        width = p.phase_range_deg
        if width is None:
            width = min(360.0, DEFAULT_RANGE_FRACTION * max_deg)
        windows.append(ProfileWindow(p.name, p.duration_h, centre_deg, float(width), max_deg))
    return tuple(windows)


# ---------------------------------------------------------------------------
# Feasibility at a launch time


@dataclass(frozen=True)
class FeasibleProfile:
    """A profile the chaser can fly from a given launch: its docking time and catch-up."""

    name: str
    duration_h: float
    docking_utc: datetime
    catch_up_deg: float

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "duration_h": round(self.duration_h, 4),
            "docking_utc": iso_utc(self.docking_utc),
            "catch_up_deg": round(self.catch_up_deg, 3),
        }


@dataclass(frozen=True)
class LaunchAssessment:
    """Which rendezvous profiles a launch at ``launch_utc`` allows.

    ``feasible_profiles`` is sorted fastest first; it is also the fallback chain
    (if the fastest cannot be flown, the next is). ``selected_profile`` is the
    requested profile when feasible, else the fastest feasible one, else None
    ("no feasible profile"). ``windows`` holds every profile's admissible window.
    """

    launch_utc: datetime
    phase_angle_deg: float
    station_altitude_km: float
    feasible_profiles: tuple[FeasibleProfile, ...]
    selected_profile: str | None
    docking_utc: datetime | None
    requested_profile: str | None
    windows: tuple[ProfileWindow, ...]

    @property
    def fallback_chain(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.feasible_profiles)

    def as_dict(self) -> dict[str, object]:
        return {
            "launch_utc": iso_utc(self.launch_utc),
            "phase_angle_deg": round(self.phase_angle_deg, 4),
            "station_altitude_km": round(self.station_altitude_km, 3),
            "feasible_profiles": [p.as_dict() for p in self.feasible_profiles],
            "fallback_chain": list(self.fallback_chain),
            "requested_profile": self.requested_profile,
            "selected_profile": self.selected_profile,
            "docking_utc": None if self.docking_utc is None else iso_utc(self.docking_utc),
            "profile_windows": [
                {
                    "name": w.name,
                    "duration_h": w.duration_h,
                    "centre_deg": round(w.centre_deg, 3),
                    "range_deg": round(w.range_deg, 3),
                }
                for w in self.windows
            ],
        }


def station_mean_motion_rad_s(history: MeanPlaneHistory, jd: float) -> float:
    """SGP4 mean motion (rad/s) of the element set nearest ``jd``."""
    index = int(history.nearest_index(np.array([jd]))[0])
    return float(history.mean_motion_rad_min[index]) / 60.0


def altitude_from_mean_motion_km(mean_motion_rad_s_: float) -> float:
    """Circular altitude (km above the equatorial radius) with two-body mean motion n."""
    return float(np.cbrt(MU_KM3_S2 / mean_motion_rad_s_**2) - EARTH_RADIUS_KM)


def feasible_mask(windows: Sequence[ProfileWindow], theta_deg: np.ndarray) -> np.ndarray:
    """(len(windows), *theta.shape) bool: which profile admits each phase angle."""
    theta = np.asarray(theta_deg, dtype=float)
    return (
        np.stack([w.admits(theta) for w in windows])
        if windows
        else np.zeros((0, *theta.shape), bool)
    )


def assess_launch(
    station: Sequence[Satrec] | MeanPlaneHistory,
    site: SiteFrame,
    vehicle: Vehicle,
    launch_jd: float,
    *,
    profile: str | None = None,
) -> LaunchAssessment:
    """Phase angle at insertion and the feasible rendezvous profiles for a launch at ``launch_jd``.

    ``vehicle`` must already be resolved for its site (``Vehicle.at_site``). A
    requested ``profile`` that is unknown raises ``InputError``; one that is known
    but infeasible is reported (``selected_profile`` falls back to the fastest
    feasible profile, the requested name is kept in ``requested_profile``).
    """
    if profile is not None:
        vehicle.profile(profile)  # unknown names: InputError listing the known ones
    history = MeanPlaneHistory.of(station)
    ascent = AscentModel.from_vehicle(vehicle)
    theta = float(phase_angle_deg(history, site, ascent, launch_jd)[0])
    n_station = station_mean_motion_rad_s(history, launch_jd)
    windows = profile_windows(vehicle, n_station)
    feasible = []
    for w in windows:
        if bool(w.admits(theta)):
            feasible.append(
                FeasibleProfile(
                    w.name,
                    w.duration_h,
                    jd_to_datetime(launch_jd + w.duration_h / 24.0),
                    float(w.catch_up_deg(theta)),
                )
            )
    feasible.sort(key=lambda p: p.duration_h)
    names = [p.name for p in feasible]
    selected: FeasibleProfile | None
    if profile is not None and profile in names:
        selected = feasible[names.index(profile)]
    else:
        selected = feasible[0] if feasible else None
    return LaunchAssessment(
        launch_utc=jd_to_datetime(launch_jd),
        phase_angle_deg=theta,
        station_altitude_km=altitude_from_mean_motion_km(n_station),
        feasible_profiles=tuple(feasible),
        selected_profile=None if selected is None else selected.name,
        docking_utc=None if selected is None else selected.docking_utc,
        requested_profile=profile,
        windows=windows,
    )


# ---------------------------------------------------------------------------
# Station phasing ("ballistic conditions")


@dataclass(frozen=True)
class StationPhasing:
    """Altitude change of the station ``lead_days`` before a launch that centres the phase
    angle in a profile's window.

    ``phase_shift_deg``: change of the phase angle needed (station ahead of chaser: a
    lower, faster station increases it). ``altitude_change_km``: mean altitude change
    (negative = lower); ``dv_m_s``: two-burn Hohmann cost, ≈ n·|Δa|/2 for small changes
    (Vallado 4th ed. §6.3, linearised).
    """

    profile: str
    phase_angle_deg: float
    target_phase_deg: float
    phase_shift_deg: float
    lead_days: float
    altitude_change_km: float
    dv_m_s: float

    def as_dict(self) -> dict[str, object]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


def station_phasing(
    assessment: LaunchAssessment, profile: str, lead_days: float, station_altitude_km: float
) -> StationPhasing:
    """Station altitude change ``lead_days`` before the launch so that ``profile`` is centred.

    Lowering the orbit by Δa raises the mean motion by Δn = −(3/2)(n/a)Δa (Kepler's third law
    linearised), so the station gains Δθ = Δn·T over the T = ``lead_days`` before launch.
    """
    if lead_days <= 0:
        raise InputError("the phasing lead time must be positive", field="--lead-days")
    window = next((w for w in assessment.windows if w.name == profile), None)
    if window is None:
        known = ", ".join(w.name for w in assessment.windows)
        raise InputError(f"unknown profile {profile!r}; known: {known}", field="--profile")
    theta = assessment.phase_angle_deg
    target = window.centre_deg % 360.0
    shift = (target - theta + 180.0) % 360.0 - 180.0  # smallest signed change (deg)
    a = EARTH_RADIUS_KM + station_altitude_km
    n = np.sqrt(MU_KM3_S2 / a**3)
    delta_n = np.radians(shift) / (lead_days * 86400.0)
    delta_a = -delta_n * a / (1.5 * n)
    return StationPhasing(
        profile=profile,
        phase_angle_deg=theta,
        target_phase_deg=target,
        phase_shift_deg=float(shift),
        lead_days=float(lead_days),
        altitude_change_km=float(delta_a),
        dv_m_s=float(0.5 * n * abs(delta_a) * 1000.0),
    )


def feasible_windows(
    station: Sequence[Satrec],
    site: Site,
    vehicle: Vehicle,
    rendezvous: RendezvousSpec,
    start_jd: float,
    end_jd: float,
) -> WindowSearch:
    """In-plane opportunities of ``vehicle`` (resolved for ``site``) in [start_jd, end_jd],
    aimed for ``rendezvous``, each with the profiles feasible at its phase angle."""
    frame = SiteFrame.from_site(site)
    search = launch_opportunities(
        station,
        frame,
        AscentModel.from_vehicle(vehicle),
        rendezvous,
        start_jd,
        end_jd,
        site_id=site.id,
        vehicle_id=vehicle.id,
    )
    annotated = annotate_feasibility(search.opportunities, station, frame, vehicle)
    return WindowSearch(annotated, search.warnings)


def annotate_feasibility(
    opportunities: Sequence[Opportunity],
    station: Sequence[Satrec] | MeanPlaneHistory,
    site: SiteFrame,
    vehicle: Vehicle,
) -> tuple[Opportunity, ...]:
    """Copies of ``opportunities`` with ``feasible_profiles`` filled (fastest first).

    The phase angle is recomputed at each launch time in the station's own plane
    (``phase_angle_deg``) so that every profile is judged on the same angle.
    """
    if not opportunities:
        return ()
    history = MeanPlaneHistory.of(station)
    launch = np.array([o.launch_jd for o in opportunities])
    theta = phase_angle_deg(history, site, AscentModel.from_vehicle(vehicle), launch)
    n_station = station_mean_motion_rad_s(history, float(np.median(launch)))
    windows = sorted(profile_windows(vehicle, n_station), key=lambda w: w.duration_h)
    mask = feasible_mask(windows, theta)
    return tuple(
        replace(
            o,
            feasible_profiles=tuple(
                w.name for w, ok in zip(windows, mask[:, k], strict=True) if ok
            ),
        )
        for k, o in enumerate(opportunities)
    )


# ---------------------------------------------------------------------------
# Opportunities with a profile, for campaign planning

#: The phase angle is predicted from element sets only this close to their epoch (days):
#: beyond, drag makes the along-track position uncertain by tens of degrees within weeks,
#: and the station sets up the phase with its own orbit changes ("ballistic conditions").
PHASE_PREDICTABLE_DAYS = 7.0


@dataclass(frozen=True)
class ProfiledOpportunity:
    """An in-plane opportunity with the rendezvous profile it would fly.

    ``phase_known``: the launch lies within ``PHASE_PREDICTABLE_DAYS`` of an element
    set, so feasibility is judged on the predicted phase angle. Otherwise the station
    is assumed to phase itself for the launch (``needs_station_phasing``), and the
    requested (or default) profile is used.
    """

    opportunity: Opportunity
    profile: str
    docking_jd: float
    feasible_profiles: tuple[str, ...]
    phase_known: bool
    needs_station_phasing: bool


def profiled_opportunities(
    opportunities: Sequence[Opportunity],
    station: Sequence[Satrec] | MeanPlaneHistory,
    vehicle: Vehicle,
    *,
    profile: str | None = None,
    predictable_days: float = PHASE_PREDICTABLE_DAYS,
) -> list[ProfiledOpportunity]:
    """Opportunities a mission can fly, each with its profile and docking time.

    ``opportunities`` carry their ``feasible_profiles`` (:func:`feasible_windows`). Near
    an element set: only opportunities where the requested profile (or, with none
    requested, any profile) is feasible, docking per that profile (fastest feasible when
    none is requested). Far from every element set: every opportunity, with the requested
    or default profile and ``needs_station_phasing`` set.
    """
    history = MeanPlaneHistory.of(station)
    default = vehicle.profile(profile)
    durations = {p.name: p.duration_h for p in vehicle.profiles}
    out = []
    for o in opportunities:
        known = abs(float(history.age_days(np.array([o.launch_jd]))[0])) <= predictable_days
        if known:
            if profile is not None:
                if profile not in o.feasible_profiles:
                    continue
                chosen = profile
            elif o.feasible_profiles:
                chosen = o.feasible_profiles[0]
            else:
                continue
        else:
            chosen = default.name
        out.append(
            ProfiledOpportunity(
                opportunity=o,
                profile=chosen,
                docking_jd=o.launch_jd + durations[chosen] / 24.0,
                feasible_profiles=o.feasible_profiles,
                phase_known=known,
                needs_station_phasing=not known,
            )
        )
    return out
