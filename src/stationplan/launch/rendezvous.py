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
    DockingTimes,
    Opportunity,
    RendezvousSpec,
    WindowSearch,
    launch_opportunities,
)
from stationplan.orbit.geometry import (
    EARTH_RADIUS_KM,
    EARTH_ROTATION_RAD_S,
    MU_KM3_S2,
    MeanPlaneHistory,
    SiteFrame,
    argument_of_latitude,
    dut1_seconds,
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
# One catch-up model: secular J2 rates of the argument of latitude

#: Earth's J2 (WGS-72, as SGP4 uses; Vallado 4th ed. Table D-1).
J2 = 1.082616e-3

#: Profiles at most this long are "fast": docking predicted to within minutes.
FAST_PROFILE_MAX_H = 8.0


def latitude_rate_rad_s(
    altitude_km: np.ndarray | float, inclination_rad: np.ndarray | float
) -> np.ndarray:
    """Secular rate du/dt (rad/s) of the argument of latitude of a circular orbit.

    u̇ = Ṁ + ω̇ = n [1 + (3/4) J2 (R/a)² (6 − 8 sin² i)], n = √(μ/a³), a = R + h: the
    first-order secular J2 rates of mean anomaly and perigee (Vallado 4th ed. eqs. 9-41
    and 9-42, e = 0). The *same* formula is used for the chaser and for the station (whose
    mean semi-major axis comes from its SGP4 mean elements); for the station it matches
    SGP4's own ``mdot + argpdot`` to ~1e-6 (tests/test_rendezvous.py).
    """
    a = EARTH_RADIUS_KM + np.asarray(altitude_km, dtype=float)
    n = np.sqrt(MU_KM3_S2 / a**3)
    s2 = np.sin(np.asarray(inclination_rad, dtype=float)) ** 2
    return n * (1.0 + 0.75 * J2 * (EARTH_RADIUS_KM / a) ** 2 * (6.0 - 8.0 * s2))


@dataclass(frozen=True)
class StationOrbit:
    """The station's mean orbit at one time, for the catch-up model.

    ``altitude_km``: mean semi-major axis (SGP4 Brouwer mean elements) minus the
    equatorial radius; ``inclination_rad``; ``rate_rad_s``: :func:`latitude_rate_rad_s`
    there; ``ndot_rad_s2``: the element set's ṅ/2 (drag: the station gains ṅ/2·t² of
    phase over t).
    """

    altitude_km: float
    inclination_rad: float
    rate_rad_s: float
    ndot_rad_s2: float = 0.0

    @classmethod
    def at(cls, history: MeanPlaneHistory, jd: float) -> StationOrbit:
        index = int(history.nearest_index(np.array([jd]))[0])
        satrec = history.satrecs[index]
        altitude = float(satrec.a * satrec.radiusearthkm - EARTH_RADIUS_KM)
        incl = float(satrec.inclo)
        rate = float(latitude_rate_rad_s(altitude, incl))
        return cls(altitude, incl, rate, float(satrec.ndot) / 3600.0)


# ---------------------------------------------------------------------------
# Profiles: physical limits → docking windows


@dataclass(frozen=True)
class DockingWindow:
    """Feasibility of one profile at phase angles θ (arrays of θ's shape).

    ``earliest_h``/``nominal_h``/``latest_h``: liftoff-to-docking hours (NaN where
    infeasible); ``catch_up_deg``: θ + 360°·k flown at the nominal docking;
    ``phasing_altitude_km``: the mean phasing altitude that closes it then.
    """

    feasible: np.ndarray
    earliest_h: np.ndarray
    nominal_h: np.ndarray
    latest_h: np.ndarray
    catch_up_deg: np.ndarray
    phasing_altitude_km: np.ndarray


@dataclass(frozen=True)
class ProfileWindow:
    """One rendezvous profile's limits for one station orbit (docs/rendezvous.md §2).

    Phasing lasts D = T − ascent − final approach (T liftoff-to-docking, inside
    [``min_duration_h``, ``max_duration_h``]); the chaser's mean altitude h lies in
    [``min_altitude_km``, ``max_altitude_km``], so it makes up
    Φ = (u̇(h) − u̇_s)·D − (ṅ_s/2)·D² of phase (:func:`latitude_rate_rad_s`). θ is feasible
    when θ + 360°·k = Φ for some whole k ≥ 0, h and T inside the limits. Nominal docking: the
    feasible T nearest the published nominal ``duration_h`` (the operator flies the plan
    when the phase allows it).
    """

    name: str
    duration_h: float
    min_duration_h: float
    max_duration_h: float
    min_altitude_km: float
    max_altitude_km: float
    lead_s: float
    station: StationOrbit

    @property
    def fast(self) -> bool:
        return self.duration_h <= FAST_PROFILE_MAX_H

    def _rates(self) -> tuple[float, float]:
        """Slowest and fastest catch-up rate (rad/s) inside the altitude band."""
        s = self.station
        slow = float(latitude_rate_rad_s(self.max_altitude_km, s.inclination_rad)) - s.rate_rad_s
        fast = float(latitude_rate_rad_s(self.min_altitude_km, s.inclination_rad)) - s.rate_rad_s
        return slow, fast

    @property
    def centre_deg(self) -> float:
        """Catch-up at the nominal duration and mid-band altitude (deg)."""
        slow, fast = self._rates()
        d = self.duration_h * 3600.0 - self.lead_s
        return float(np.degrees(0.5 * (slow + fast) * d))

    @property
    def range_deg(self) -> float:
        """Span of catch-ups the limits allow (deg): fastest at the longest phasing minus
        slowest at the shortest; ≥ 360° means every phase angle is feasible."""
        slow, fast = self._rates()
        d_min = self.min_duration_h * 3600.0 - self.lead_s
        d_max = self.max_duration_h * 3600.0 - self.lead_s
        return float(np.degrees(fast * d_max - min(slow * d_min, slow * d_max)))

    def docking(self, theta_deg: np.ndarray | float) -> DockingWindow:
        """Earliest, nominal and latest docking (h after liftoff) at phase angles θ (deg)."""
        theta = np.radians(np.asarray(theta_deg, dtype=float))
        slow, fast = self._rates()
        d_min = max(self.min_duration_h * 3600.0 - self.lead_s, 1.0)
        d_max = max(self.max_duration_h * 3600.0 - self.lead_s, d_min)
        d_nom = min(max(self.duration_h * 3600.0 - self.lead_s, d_min), d_max)
        ndot = self.station.ndot_rad_s2
        laps = int(np.ceil(max(fast, 0.0) * d_max / TWO_PI)) + 1
        k = np.arange(laps + 1, dtype=float).reshape((-1,) + (1,) * theta.ndim)
        phi = theta[None, ...] + TWO_PI * k  # (laps, *θ)

        # Φ = r·D − ṅ D²: for the station's tiny ṅ, D ≈ Φ / (r − ṅ D) solved once by substitution.
        def duration(rate: float) -> np.ndarray:
            if rate <= 0.0:
                return np.full(phi.shape, np.inf)
            d = phi / rate
            return phi / np.maximum(rate - ndot * d, 1e-12)

        low = np.maximum(duration(fast), d_min)
        high = np.minimum(duration(slow), d_max)
        ok = low <= high
        nominal_k = np.clip(d_nom, low, high)
        gap = np.where(ok, np.abs(nominal_k - d_nom), np.inf)
        best = np.argmin(gap, axis=0)
        feasible = np.any(ok, axis=0)
        pick = np.take_along_axis(nominal_k, best[None, ...], axis=0)[0]
        phi_pick = np.take_along_axis(phi, best[None, ...], axis=0)[0]
        earliest = np.min(np.where(ok, low, np.inf), axis=0)
        latest = np.max(np.where(ok, high, -np.inf), axis=0)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            rate = phi_pick / pick + ndot * pick + self.station.rate_rad_s
            altitude = altitude_for_rate_km(rate, self.station.inclination_rad)
        to_h = 1.0 / 3600.0
        nan = np.nan
        return DockingWindow(
            feasible=feasible,
            earliest_h=np.where(feasible, (earliest + self.lead_s) * to_h, nan),
            nominal_h=np.where(feasible, (pick + self.lead_s) * to_h, nan),
            latest_h=np.where(feasible, (latest + self.lead_s) * to_h, nan),
            catch_up_deg=np.where(feasible, np.degrees(phi_pick), nan),
            phasing_altitude_km=np.where(feasible, altitude, nan),
        )

    def admits(self, theta_deg: np.ndarray | float) -> np.ndarray:
        """True where phase angle ``theta_deg`` (deg) can be closed inside the limits."""
        return self.docking(theta_deg).feasible

    def catch_up_deg(self, theta_deg: np.ndarray | float) -> np.ndarray:
        """Catch-up (deg) flown at the nominal docking; where infeasible, θ + 360°·k nearest
        the centre (a forced plan)."""
        window = self.docking(theta_deg)
        theta = np.asarray(theta_deg, dtype=float)
        k = np.maximum(np.round((self.centre_deg - theta) / 360.0), 0.0)
        return np.where(window.feasible, window.catch_up_deg, theta + 360.0 * k)


def altitude_for_rate_km(rate_rad_s: np.ndarray, inclination_rad: float) -> np.ndarray:
    """Inverse of :func:`latitude_rate_rad_s` (km), by two Newton-like fixed-point passes."""
    rate = np.asarray(rate_rad_s, dtype=float)
    a = np.cbrt(MU_KM3_S2 / np.maximum(rate, 1e-9) ** 2)
    for _ in range(3):
        factor = 1.0 + 0.75 * J2 * (EARTH_RADIUS_KM / a) ** 2 * (
            6.0 - 8.0 * np.sin(inclination_rad) ** 2
        )
        a = np.cbrt(MU_KM3_S2 * factor**2 / np.maximum(rate, 1e-9) ** 2)
    return a - EARTH_RADIUS_KM


def profile_windows(vehicle: Vehicle, station: StationOrbit | float) -> tuple[ProfileWindow, ...]:
    """The limits of each of ``vehicle``'s profiles against ``station`` (its own order).

    ``station``: a :class:`StationOrbit`, or (legacy) the station's mean motion in rad/s,
    taken as a circular orbit at 51.6° with no drag.
    """
    if not isinstance(station, StationOrbit):
        altitude = altitude_from_mean_motion_km(float(station))
        incl = np.radians(51.64)
        station = StationOrbit(altitude, incl, float(latitude_rate_rad_s(altitude, incl)))
    windows = []
    for p in vehicle.profiles:
        d_low, d_high = p.duration_limits_h
        h_low, h_high = p.phasing_altitude_limits_km
        windows.append(
            ProfileWindow(
                name=p.name,
                duration_h=p.duration_h,
                min_duration_h=d_low,
                max_duration_h=d_high,
                min_altitude_km=h_low,
                max_altitude_km=h_high,
                lead_s=vehicle.ascent_s + p.final_approach_h * 3600.0,
                station=station,
            )
        )
    return tuple(windows)


# ---------------------------------------------------------------------------
# Feasibility at a launch time


@dataclass(frozen=True)
class FeasibleProfile:
    """A profile the chaser can fly from a given launch: its docking window and catch-up.

    ``duration_h``/``docking_utc``: the nominal docking (the feasible one nearest the
    profile's published nominal duration); ``docking_earliest_utc``/``docking_latest_utc``:
    the earliest and latest docking the profile's limits allow; ``phasing_altitude_km``:
    the mean phasing altitude that closes the phase at the nominal docking.
    """

    name: str
    duration_h: float
    docking_utc: datetime
    catch_up_deg: float
    docking_earliest_utc: datetime | None = None
    docking_latest_utc: datetime | None = None
    phasing_altitude_km: float | None = None

    @property
    def window_h(self) -> float:
        """Width of the docking window (h)."""
        if self.docking_earliest_utc is None or self.docking_latest_utc is None:
            return 0.0
        return (self.docking_latest_utc - self.docking_earliest_utc).total_seconds() / 3600.0

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "duration_h": round(self.duration_h, 4),
            "docking_utc": iso_utc(self.docking_utc),
            "docking_earliest_utc": iso_utc(self.docking_earliest_utc or self.docking_utc),
            "docking_latest_utc": iso_utc(self.docking_latest_utc or self.docking_utc),
            "catch_up_deg": round(self.catch_up_deg, 3),
            "phasing_altitude_km": None
            if self.phasing_altitude_km is None
            else round(self.phasing_altitude_km, 2),
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
                    "min_duration_h": w.min_duration_h,
                    "max_duration_h": w.max_duration_h,
                    "min_phasing_altitude_km": w.min_altitude_km,
                    "max_phasing_altitude_km": w.max_altitude_km,
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
    orbit = StationOrbit.at(history, launch_jd)
    windows = profile_windows(vehicle, orbit)
    feasible = []
    today = jd_to_datetime(launch_jd).date()
    offered = {p.name for p in vehicle.profiles if p.available(today)}
    for w in windows:
        d = w.docking(theta)
        if bool(d.feasible) and w.name in offered:
            feasible.append(
                FeasibleProfile(
                    w.name,
                    float(d.nominal_h),
                    jd_to_datetime(launch_jd + float(d.nominal_h) / 24.0),
                    float(d.catch_up_deg),
                    jd_to_datetime(launch_jd + float(d.earliest_h) / 24.0),
                    jd_to_datetime(launch_jd + float(d.latest_h) / 24.0),
                    float(d.phasing_altitude_km),
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
        station_altitude_km=orbit.altitude_km,
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
    (Vallado 4th ed. §6.3, linearised). ``launch_shift_s``: how much later the in-plane launch
    comes because the altitude change also moves the station's node (s; negative = earlier).
    """

    profile: str
    phase_angle_deg: float
    target_phase_deg: float
    phase_shift_deg: float
    lead_days: float
    altitude_change_km: float
    dv_m_s: float
    launch_shift_s: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


def station_phasing(
    assessment: LaunchAssessment, profile: str, lead_days: float, station_altitude_km: float
) -> StationPhasing:
    """Station altitude change ``lead_days`` before the launch so that ``profile`` is centred.

    Lowering the orbit by Δa raises the mean motion by Δn = −(3/2)(n/a)Δa (Kepler's third law
    linearised), so the station gains Δn·T over the T = ``lead_days`` before launch. It also
    changes the J2 node regression Ω̇ = −(3/2) n J2 (R/a)² cos i (Vallado eq. 9-41) by
    ΔΩ̇ = −(7/2)(Ω̇/a)Δa, so the plane passes over the site ΔΩ̇·T/(ω_E − Ω̇) later and the
    in-plane launch moves by that much, during which the station advances u̇ times it: the
    phase gain is Δθ = T·Δa·[−(3/2) n/a − (7/2) Ω̇ u̇ / (a (ω_E − Ω̇))]. The second term is
    −3 % of the first for the stations (a 160° shift would miss by 5°, checked by brute
    force in tests/test_maneuvers.py); ``launch_shift_s`` is that launch-time change.
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
    node_rate = -1.5 * n * J2 * (EARTH_RADIUS_KM / a) ** 2 * np.cos(window.station.inclination_rad)
    u_rate = window.station.rate_rad_s
    lead_s = lead_days * 86400.0
    gain_per_km = lead_s * (
        -1.5 * n / a - 3.5 * node_rate * u_rate / (a * (EARTH_ROTATION_RAD_S - node_rate))
    )
    delta_a = np.radians(shift) / gain_per_km
    node_shift = -3.5 * node_rate / a * delta_a * lead_s
    return StationPhasing(
        profile=profile,
        phase_angle_deg=theta,
        target_phase_deg=target,
        phase_shift_deg=float(shift),
        lead_days=float(lead_days),
        altitude_change_km=float(delta_a),
        dv_m_s=float(0.5 * n * abs(delta_a) * 1000.0),
        launch_shift_s=float(node_shift / (EARTH_ROTATION_RAD_S - node_rate)),
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
    index = history.nearest_index(launch)
    out = list(opportunities)
    # One station orbit per element set in use (the windows change slowly with it).
    for i in np.unique(index):
        members = np.nonzero(index == i)[0]
        orbit = StationOrbit.at(history, float(history.epoch_jd[i]))
        docks = [(w, w.docking(theta[members])) for w in profile_windows(vehicle, orbit)]
        for j, m in enumerate(members):
            today = jd_to_datetime(float(launch[m])).date()
            offered = {p.name for p in vehicle.profiles if p.available(today)}
            rows = sorted(
                (
                    (w.name, float(d.earliest_h[j]), float(d.nominal_h[j]), float(d.latest_h[j]))
                    for w, d in docks
                    if d.feasible[j] and w.name in offered
                ),
                key=lambda r: r[2],
            )
            out[m] = replace(
                out[m],
                feasible_profiles=tuple(r[0] for r in rows),
                docking_windows=tuple(
                    DockingTimes(name, *(launch[m] + h / 24.0 for h in (early, nominal, late)))
                    for name, early, nominal, late in rows
                ),
            )
    return tuple(out)


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
    docking_earliest_jd: float | None = None
    docking_latest_jd: float | None = None


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
        window = None
        if known:
            if profile is not None:
                if profile not in o.feasible_profiles:
                    continue
                chosen = profile
            elif o.feasible_profiles:
                chosen = o.feasible_profiles[0]
            else:
                continue
            window = next((w for w in o.docking_windows if w.name == chosen), None)
        else:
            chosen = default.name
        out.append(
            ProfiledOpportunity(
                opportunity=o,
                profile=chosen,
                docking_jd=o.launch_jd + durations[chosen] / 24.0
                if window is None
                else window.nominal_jd,
                feasible_profiles=o.feasible_profiles,
                phase_known=known,
                needs_station_phasing=not known,
                docking_earliest_jd=None if window is None else window.earliest_jd,
                docking_latest_jd=None if window is None else window.latest_jd,
            )
        )
    return out
