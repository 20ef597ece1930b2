"""Impulsive maneuver plans from orbit insertion to a hold point near the station.

The chaser is inserted behind the station by the phase angle θ (see
``stationplan.launch.rendezvous``), into the insertion orbit of its vehicle, in a plane
whose node leads the station's by the J2 differential regression it will
undergo (as ``stationplan.launch.windows`` aims it). Three burns follow:

1. **Phasing** (first apogee, or a quarter of the way for short profiles): sets
   the phasing orbit's semi-major axis so the chaser makes up the profile's
   catch-up; its normal part trims the plane.
2. **Transfer** (half a transfer orbit before arrival): raises the apogee to the
   station's radius; its normal part trims the plane again.
3. **Arrival** at the hold point (``hold_offset_km`` in the station's RTN frame,
   default 2 km behind on the velocity vector): matches the station's velocity.

The first two burns start from the two-body estimates (Vallado 4th ed. §6.3,
Hohmann transfer; vis-viva) and are then corrected by Newton iteration
(finite-difference Jacobian, minimum-norm steps) so that the chaser, numerically
propagated with SciPy's ``solve_ivp`` (DOP853) under two-body gravity, J2
(Vallado eq. 8-30) and drag (NRLMSIS 2.1 density via ``pymsis``, with explicit
space-weather indices), reaches the hold point at the arrival time. The
station is propagated from its SGP4 state with the same force model. The plan
is then verified by an independent tighter-tolerance propagation of both, and
the final distance is reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from scipy.integrate import solve_ivp
from sgp4.api import Satrec

from stationplan.errors import InfeasibleError
from stationplan.launch.rendezvous import LaunchAssessment, assess_launch, station_mean_motion_rad_s
from stationplan.launch.vehicles import Vehicle
from stationplan.launch.windows import AscentModel
from stationplan.orbit.geometry import (
    EARTH_RADIUS_KM,
    EARTH_ROTATION_RAD_S,
    J2,
    MU_KM3_S2,
    MeanPlaneHistory,
    SiteFrame,
    nodal_rate_scale,
)
from stationplan.orbit.timescale import iso_utc, jd_to_datetime

#: Time from reaching the hold point to docking (final approach, fly-around), hours.
HOLD_BEFORE_DOCKING_H = 0.5
#: Default ballistic coefficients Cd·A/m (m²/kg). Chaser: Soyuz/Shenzhou class, ~7.5 t,
#: ~12 m² mean cross-section, Cd 2.2 (estimate). Stations: FACTS.md (CSS Cd·A 2.2 × 500 m²,
#: 100 t); ISS ~420 t with ~1,500 m² mean area, Cd 2.2 (estimate).
CHASER_BALLISTIC_M2_KG = 2.2 * 12.0 / 7500.0
STATION_BALLISTIC_M2_KG = {48274: 2.2 * 500.0 / 100_000.0, 25544: 2.2 * 1500.0 / 420_000.0}
DEFAULT_STATION_BALLISTIC_M2_KG = 0.01
#: Nominal space weather for drag when none is given: F10.7 = 150 sfu, Ap = 15.
NOMINAL_F107 = 150.0
NOMINAL_AP = 15.0


@dataclass(frozen=True)
class Burn:
    """One impulsive burn: time, Δv in the chaser's RTN frame (m/s) and the orbit after it."""

    label: str
    time_utc: datetime
    dv_rtn_m_s: tuple[float, float, float]
    perigee_km: float
    apogee_km: float

    @property
    def dv_m_s(self) -> float:
        return float(np.linalg.norm(self.dv_rtn_m_s))

    def as_dict(self) -> dict[str, object]:
        return {
            "label": self.label,
            "time_utc": iso_utc(self.time_utc),
            "dv_r_m_s": round(self.dv_rtn_m_s[0], 3),
            "dv_t_m_s": round(self.dv_rtn_m_s[1], 3),
            "dv_n_m_s": round(self.dv_rtn_m_s[2], 3),
            "dv_m_s": round(self.dv_m_s, 3),
            "perigee_km": round(self.perigee_km, 2),
            "apogee_km": round(self.apogee_km, 2),
        }


@dataclass(frozen=True)
class ManeuverPlan:
    """Burns from insertion to the hold point, with the numerical verification.

    ``final_distance_km``: chaser to station at ``arrival_utc`` in the verification
    propagation; ``hold_error_km``: chaser to the hold point then.
    ``hohmann_dv_m_s``: two-impulse Hohmann Δv from the insertion orbit's apogee to
    the station's radius (the coplanar two-impulse minimum, without drag or phasing).
    """

    profile: str
    launch_utc: datetime
    insertion_utc: datetime
    arrival_utc: datetime
    docking_utc: datetime
    phase_angle_deg: float
    catch_up_deg: float
    burns: tuple[Burn, ...]
    final_distance_km: float
    hold_error_km: float
    iterations: int
    hohmann_dv_m_s: float

    @property
    def total_dv_m_s(self) -> float:
        return float(sum(b.dv_m_s for b in self.burns))


# ---------------------------------------------------------------------------
# Force model


def density_table(
    when: datetime, f107: float = NOMINAL_F107, ap: float = NOMINAL_AP
) -> tuple[np.ndarray, np.ndarray]:
    """(altitude_km, log density kg/m³) averaged over latitudes ±50° and longitudes, from
    NRLMSIS 2.1 (``pymsis``) with explicit indices (F10.7, its 81-day mean, daily Ap)."""
    import pymsis

    altitudes = np.arange(100.0, 1001.0, 10.0)
    lons = np.arange(0.0, 360.0, 45.0)
    lats = np.array([-50.0, -25.0, 0.0, 25.0, 50.0])
    date = np.array([np.datetime64(when.replace(tzinfo=None), "s")])
    out = pymsis.calculate(date, lons, lats, altitudes, [f107], [f107], [[ap] * 7], version=2.1)
    rho = out[..., pymsis.Variable.MASS_DENSITY].reshape(len(lons), len(lats), len(altitudes))
    return altitudes, np.log(np.mean(rho, axis=(0, 1)))


def _accelerations(
    state: np.ndarray, ballistic_m2_kg: np.ndarray, table: tuple[np.ndarray, np.ndarray]
) -> np.ndarray:
    """d/dt of stacked states (k, 6) [km, km/s]: two-body + J2 + drag."""
    r = state[:, :3]
    v = state[:, 3:]
    rn = np.linalg.norm(r, axis=1, keepdims=True)
    z2 = (r[:, 2:3] / rn) ** 2
    factor = -1.5 * J2 * MU_KM3_S2 * EARTH_RADIUS_KM**2 / rn**5
    j2 = factor * r * np.hstack([1 - 5 * z2, 1 - 5 * z2, 3 - 5 * z2])
    gravity = -MU_KM3_S2 * r / rn**3
    v_rel = v - np.cross(np.array([0.0, 0.0, EARTH_ROTATION_RAD_S]), r)
    rho = np.exp(np.interp(rn[:, 0] - EARTH_RADIUS_KM, table[0], table[1]))
    speed = np.linalg.norm(v_rel, axis=1, keepdims=True)
    drag = -0.5e3 * (ballistic_m2_kg * rho)[:, None] * speed * v_rel
    return np.hstack([v, gravity + j2 + drag])


def propagate_states(
    states: np.ndarray,
    duration_s: float,
    ballistic_m2_kg: np.ndarray,
    table: tuple[np.ndarray, np.ndarray],
    rtol: float = 1e-10,
) -> np.ndarray:
    """Propagate stacked states (k, 6) [km, km/s] by ``duration_s`` (J2 + drag, DOP853)."""
    states = np.atleast_2d(np.asarray(states, dtype=float))
    if duration_s <= 0.0:
        return states.copy()
    k = states.shape[0]

    def rhs(_t: float, y: np.ndarray) -> np.ndarray:
        return _accelerations(y.reshape(k, 6), ballistic_m2_kg, table).ravel()

    solution = solve_ivp(
        rhs, (0.0, duration_s), states.ravel(), method="DOP853", rtol=rtol, atol=1e-9
    )
    if not solution.success:  # pragma: no cover - DOP853 on a smooth field
        raise RuntimeError(f"propagation failed: {solution.message}")
    return solution.y[:, -1].reshape(k, 6)


def rtn_basis(r: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Rows: radial, transverse, normal unit vectors of the state (r, v)."""
    radial = r / np.linalg.norm(r)
    normal = np.cross(r, v)
    normal /= np.linalg.norm(normal)
    return np.vstack([radial, np.cross(normal, radial), normal])


def apsides_km(r: np.ndarray, v: np.ndarray) -> tuple[float, float]:
    """Osculating perigee and apogee altitudes (km above the equatorial radius)."""
    rn = np.linalg.norm(r)
    energy = 0.5 * v @ v - MU_KM3_S2 / rn
    a = -MU_KM3_S2 / (2 * energy)
    h = np.linalg.norm(np.cross(r, v))
    e = np.sqrt(max(0.0, 1 - h**2 / (MU_KM3_S2 * a)))
    return a * (1 - e) - EARTH_RADIUS_KM, a * (1 + e) - EARTH_RADIUS_KM


# ---------------------------------------------------------------------------
# Plan


def _station_state(history: MeanPlaneHistory, jd: float) -> np.ndarray:
    satrec = history.satrecs[int(history.nearest_index(np.array([jd]))[0])]
    whole = np.floor(jd)
    error, r, v = satrec.sgp4(whole, jd - whole)
    if error:
        raise InfeasibleError(f"SGP4 cannot propagate the station to {jd_to_datetime(jd)}")
    return np.array([*r, *v])


def _rotate_z(vectors: np.ndarray, angle_rad: float) -> np.ndarray:
    c, s = np.cos(angle_rad), np.sin(angle_rad)
    rotation = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
    return vectors @ rotation.T


def _vis_viva(r_km: float, a_km: float) -> float:
    return float(np.sqrt(MU_KM3_S2 * (2.0 / r_km - 1.0 / a_km)))


def plan_rendezvous(
    station: Sequence[Satrec] | MeanPlaneHistory,
    site: SiteFrame,
    vehicle: Vehicle,
    launch_jd: float,
    *,
    profile: str | None = None,
    norad_id: int | None = None,
    hold_offset_km: tuple[float, float, float] = (0.0, -2.0, 0.0),
    chaser_ballistic_m2_kg: float = CHASER_BALLISTIC_M2_KG,
    station_ballistic_m2_kg: float | None = None,
    f107: float = NOMINAL_F107,
    ap: float = NOMINAL_AP,
    max_iterations: int = 8,
    assessment: LaunchAssessment | None = None,
) -> ManeuverPlan:
    """Burn plan from insertion to the hold point for ``profile`` (default: fastest feasible).

    ``vehicle`` is resolved for its site. A named profile is planned even when the
    phase is outside its window (the catch-up is then the nearest whole-lap one and
    Δv shows the cost); with no profile named and none feasible, ``InfeasibleError``.
    ``assessment``: :func:`~stationplan.launch.rendezvous.assess_launch` of this launch when the
    caller already has it (computed here otherwise).
    """
    history = MeanPlaneHistory.of(station)
    if assessment is None:
        assessment = assess_launch(history, site, vehicle, launch_jd, profile=profile)
    name = profile or assessment.selected_profile
    if name is None:
        raise InfeasibleError(
            f"no rendezvous profile of {vehicle.id} is feasible at phase angle "
            f"{assessment.phase_angle_deg:.1f}° (launch {assessment.launch_utc:%Y-%m-%d %H:%M:%S}Z)"
        )
    n_station = station_mean_motion_rad_s(history, launch_jd)
    window = next(w for w in assessment.windows if w.name == name)
    catch_up_rad = np.radians(float(window.catch_up_deg(assessment.phase_angle_deg)))
    theta = np.radians(assessment.phase_angle_deg)

    ascent = AscentModel.from_vehicle(vehicle)
    t_ins = launch_jd + ascent.ascent_s / 86400.0
    flown = next((p for p in assessment.feasible_profiles if p.name == name), None)
    duration_h = window.duration_h if flown is None else flown.duration_h  # nominal docking
    t_dock = launch_jd + duration_h / 24.0
    t_end = t_dock - HOLD_BEFORE_DOCKING_H / 24.0
    span_s = (t_end - t_ins) * 86400.0
    if span_s < 1800.0:
        raise InfeasibleError(f"profile {name} leaves less than 30 min from insertion to hold")

    b_station = station_ballistic_m2_kg
    if b_station is None:
        b_station = STATION_BALLISTIC_M2_KG.get(norad_id or 0, DEFAULT_STATION_BALLISTIC_M2_KG)
    table = density_table(jd_to_datetime(launch_jd), f107, ap)

    # Station at insertion (SGP4, TEME) and at arrival (numerical, same force model).
    station_ins = _station_state(history, t_ins)
    station_end = propagate_states(station_ins, span_s, np.array([b_station]), table)[0]
    basis_end = rtn_basis(station_end[:3], station_end[3:])
    target = station_end[:3] + basis_end.T @ np.asarray(hold_offset_km, dtype=float)

    # Chaser at insertion: perigee of the insertion orbit, θ behind the station in its plane,
    # the plane's node ahead by the J2 differential regression over the phasing time.
    r_p = EARTH_RADIUS_KM + vehicle.insertion_perigee_km
    r_a = EARTH_RADIUS_KM + vehicle.insertion_apogee_km
    a_ins = 0.5 * (r_p + r_a)
    basis = rtn_basis(station_ins[:3], station_ins[3:])
    direction = np.cos(theta) * basis[0] - np.sin(theta) * basis[1]
    along = np.cross(basis[2], direction)
    chaser_r = r_p * direction
    chaser_v = _vis_viva(r_p, a_ins) * along
    satrec = history.satrecs[int(history.nearest_index(np.array([t_ins]))[0])]
    node_rate = satrec.nodedot / 60.0
    n_chaser = n_station + catch_up_rad / span_s
    offset = (node_rate - node_rate * nodal_rate_scale(n_chaser / n_station)) * span_s
    chaser_ins = np.concatenate(_rotate_z(np.vstack([chaser_r, chaser_v]), offset))

    # Burn times: first apogee (or a quarter of the way), transfer half an orbit before arrival.
    period_ins = 2 * np.pi * np.sqrt(a_ins**3 / MU_KM3_S2)
    t1_s = min(0.5 * period_ins, 0.25 * span_s)
    r_s = float(np.linalg.norm(station_end[:3]))
    chaser_1 = propagate_states(chaser_ins, t1_s, np.array([chaser_ballistic_m2_kg]), table)[0]
    r_1 = float(np.linalg.norm(chaser_1[:3]))

    # Two-body first guess: phasing semi-major axis that makes up the catch-up.
    n_ins = np.sqrt(MU_KM3_S2 / a_ins**3)
    a_ph = r_1
    t2_s = span_s
    for _ in range(4):
        a_tr = 0.5 * (a_ph + r_s)
        half_transfer = np.pi * np.sqrt(a_tr**3 / MU_KM3_S2)
        t2_s = span_s - min(half_transfer, 0.4 * (span_s - t1_s))
        n_tr = np.sqrt(MU_KM3_S2 / a_tr**3)
        made_up = (n_ins - n_station) * t1_s + (n_tr - n_station) * (span_s - t2_s)
        n_ph = n_station + (catch_up_rad - made_up) / max(t2_s - t1_s, 1.0)
        a_ph = float(np.cbrt(MU_KM3_S2 / n_ph**2))
    a_ph = float(np.clip(a_ph, EARTH_RADIUS_KM + 160.0, r_s + 200.0))
    v1 = np.linalg.norm(chaser_1[3:])
    x = np.array([_vis_viva(r_1, max(a_ph, 0.5 * (r_1 + EARTH_RADIUS_KM + 150.0))) - v1, 0.0])
    # Unknowns: [R1, T1, N1, R2, T2, N2] (km/s) in the chaser's RTN frame at each burn.
    x = np.array([0.0, x[0], 0.0, 0.0, 0.0, 0.0])
    n_trials = 7
    ballistic = np.full(n_trials, chaser_ballistic_m2_kg)

    def apply(states: np.ndarray, dv_rtn: np.ndarray) -> np.ndarray:
        out = states.copy()
        for i in range(states.shape[0]):
            out[i, 3:] += rtn_basis(states[i, :3], states[i, 3:]).T @ dv_rtn[i]
        return out

    def arrive(xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Chaser states at arrival for each row of xs (k, 6); also those before burn 2."""
        k = xs.shape[0]
        s1 = apply(np.repeat(chaser_1[None], k, 0), xs[:, :3])
        s2 = propagate_states(s1, t2_s - t1_s, ballistic[:k], table, rtol=1e-8)
        s3 = propagate_states(apply(s2, xs[:, 3:]), span_s - t2_s, ballistic[:k], table, 1e-8)
        return s3, s2

    # Transfer burn first guess from the state reached at t2.
    _, s2 = arrive(x[None])
    r_2 = float(np.linalg.norm(s2[0, :3]))
    x[4] = _vis_viva(r_2, 0.5 * (r_2 + r_s)) - np.linalg.norm(s2[0, 3:])

    # Gauss-Newton on: hit the hold point (weighted 1 km ≙ 1 km/s, so metres dominate) and
    # keep the three burns small (arrival Δv = station velocity − chaser velocity).
    weight = 1.0e3
    step = 1e-4  # km/s finite-difference step (0.1 m/s)

    def residual(s3: np.ndarray, xs: np.ndarray) -> np.ndarray:
        return np.concatenate([weight * (s3[:3] - target), station_end[3:] - s3[3:], xs])

    iterations = 0
    previous = np.inf
    for iterations in range(1, max_iterations + 1):  # noqa: B007
        trial = np.vstack([x, x + step * np.eye(6)])
        s3, _ = arrive(trial)
        f0 = residual(s3[0], x)
        objective = float(f0 @ f0)
        if np.linalg.norm(s3[0, :3] - target) < 0.05 and previous - objective < 1e-2 * objective:
            break  # on the hold point (< 50 m) and the Δv no longer improves by 1 %
        previous = objective
        jacobian = np.column_stack(
            [(residual(s3[j + 1], trial[j + 1]) - f0) / step for j in range(6)]
        )
        correction, *_ = np.linalg.lstsq(jacobian, -f0, rcond=None)
        limit = 0.05  # km/s: damp the first, far-from-linear steps
        scale = min(1.0, limit / max(np.max(np.abs(correction)), 1e-12))
        x = x + scale * correction

    # Verification: independent, tighter propagation of chaser and station with the burns.
    s1 = apply(chaser_1[None], x[None, :3])
    s2 = propagate_states(s1, t2_s - t1_s, ballistic[:1], table, rtol=1e-11)
    s3 = propagate_states(apply(s2, x[None, 3:]), span_s - t2_s, ballistic[:1], table, 1e-11)[0]
    station_check = propagate_states(station_ins, span_s, np.array([b_station]), table, 1e-11)[0]
    final_distance = float(np.linalg.norm(s3[:3] - station_check[:3]))
    hold_error = float(np.linalg.norm(s3[:3] - target))
    dv3 = station_check[3:] - s3[3:]

    def burn(label: str, t_s: float, before: np.ndarray, dv_km_s: np.ndarray) -> Burn:
        b = rtn_basis(before[:3], before[3:])
        after_v = before[3:] + dv_km_s
        perigee, apogee = apsides_km(before[:3], after_v)
        r, t, n = (float(c) for c in (b @ dv_km_s) * 1000.0)
        rtn = (r, t, n)
        return Burn(label, jd_to_datetime(t_ins + t_s / 86400.0), rtn, perigee, apogee)

    b1 = rtn_basis(chaser_1[:3], chaser_1[3:])
    b2 = rtn_basis(s2[0, :3], s2[0, 3:])
    burns = (
        burn("phasing", t1_s, chaser_1, b1.T @ x[:3]),
        burn("transfer", t2_s, s2[0], b2.T @ x[3:]),
        burn("arrival", span_s, s3, dv3),
    )
    # Hohmann from the insertion apogee to the station's mean radius (J2 makes the
    # instantaneous radius oscillate by several km around it).
    r_mean_s = EARTH_RADIUS_KM + assessment.station_altitude_km
    a_h = 0.5 * (r_a + r_mean_s)
    hohmann = (_vis_viva(r_a, a_h) - _vis_viva(r_a, a_ins)) + (
        np.sqrt(MU_KM3_S2 / r_mean_s) - _vis_viva(r_mean_s, a_h)
    )
    return ManeuverPlan(
        profile=name,
        launch_utc=jd_to_datetime(launch_jd),
        insertion_utc=jd_to_datetime(t_ins),
        arrival_utc=jd_to_datetime(t_end),
        docking_utc=jd_to_datetime(t_dock),
        phase_angle_deg=assessment.phase_angle_deg,
        catch_up_deg=float(np.degrees(catch_up_rad)),
        burns=burns,
        final_distance_km=final_distance,
        hold_error_km=hold_error,
        iterations=iterations,
        hohmann_dv_m_s=float(hohmann * 1000.0),
    )
