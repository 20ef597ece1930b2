"""Impulsive maneuver plans from orbit insertion to a hold point near the station.

The chaser is inserted behind the station by the phase angle θ (see
``stationplan.launch.rendezvous``), into the insertion orbit of its vehicle, in a plane
whose node leads the station's by the J2 differential regression it will
undergo (as ``stationplan.launch.windows`` aims it). A phasing + Hohmann scheme follows
(Vallado 4th ed. §6.3, §6.6):

1. **Phasing** early on the first revolution: raises the apogee to the phasing radius.
2. **Circularise** there half an ellipse later; the chaser phases at that radius.
3. **Plane**: the plane correction as its own normal burn at the relative node (where the
   chaser passes the line of nodes between its mean plane and the station's mean plane at
   arrival pulled back by the chaser's J2 drift, :class:`MeanPlanes`), with a **plane
   trim** a quarter revolution later (≈ 0 when the node is found well).
4. **Transfer**: a Hohmann half-ellipse to the station's radius, its time an unknown.
5. **Arrival** at the hold point (``hold_offset_km`` in the station's RTN frame, default
   2 km behind on V-bar): the chaser takes the velocity of a point fixed in the station's
   LVLH frame, v_s + ω × ρ with ω = (r_s × v_s)/|r_s|², so it *stays* there.

The phasing radius and the revolutions waited in the insertion orbit before burn 1 come
from the two-body catch-up with the J2 secular rates of ``rendezvous.latitude_rate_rad_s``
(the one catch-up model); each scheme that closes the phase is tried in the order of its
two-body Δv. Newton iteration (finite-difference Jacobian; of the linearised solutions the
one nearest the two-body guess; backtracking on the largest miss; to 1 m and 1 mm/s) then
corrects the five burns and the transfer time so that the chaser, propagated numerically
(SciPy ``solve_ivp``, DOP853) under two-body gravity, J2 (Vallado eq. 8-30) and drag
(NRLMSIS 2.1 via ``pymsis`` with the space weather of the epoch, the path of
``stationplan.orbit.decay``), reaches the hold point with its radial and cross-track
velocity. The station is propagated from its SGP4 state with the same force model (it
follows SGP4 to < 10 km along-track over a day, tests/test_maneuvers.py).
tests/test_maneuvers.py verifies the hold with a separately written propagator (RK4, zonal
gravity to J4, exponential atmosphere), and judges the total Δv against 1.3 × (Hohmann +
:func:`required_plane_change`, the plane change the geometry needs, computed apart from the
plan). Over days the two-body guess is re-aimed from its own propagated along-track miss,
and a stalled phasing scheme is retried with the transfer time free (docs/rendezvous.md §3).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

import numpy as np
from sgp4.api import Satrec

from stationplan.errors import InfeasibleError, InputError
from stationplan.launch.rendezvous import (
    LaunchAssessment,
    StationOrbit,
    assess_launch,
    latitude_rate_rad_s,
)
from stationplan.launch.vehicles import Vehicle
from stationplan.launch.windows import AscentModel
from stationplan.orbit.decay import geodetic_from_ecef
from stationplan.orbit.geometry import (
    EARTH_RADIUS_KM,
    EARTH_ROTATION_RAD_S,
    J2,
    MU_KM3_S2,
    MeanPlaneHistory,
    SiteFrame,
    nodal_rate_scale,
)
from stationplan.orbit.spaceweather import ConstantActivity, as_datetime64
from stationplan.orbit.spaceweather import indices as spaceweather_indices
from stationplan.orbit.timescale import iso_utc, jd_to_datetime

#: Space weather for drag outside the bundled table: F10.7 = 150 sfu, Ap = 15 (a mean solar
#: cycle, as Vallado 4th ed. Table 8-4's mean activity; assumption).
OUTSIDE_TABLE_ACTIVITY = ConstantActivity(150.0, 15.0, "mean activity (outside the table)")
#: Time from reaching the hold point to docking (final approach, fly-around), hours.
HOLD_BEFORE_DOCKING_H = 0.5
#: Default ballistic coefficients Cd·A/m (m²/kg). Chaser: Soyuz/Shenzhou class, ~7.5 t,
#: ~12 m² mean cross-section, Cd 2.2 (estimate). Stations: FACTS.md (CSS Cd·A 2.2 × 500 m²,
#: 100 t); ISS ~420 t with ~1,500 m² mean area, Cd 2.2 (estimate).
CHASER_BALLISTIC_M2_KG = 2.2 * 12.0 / 7500.0
STATION_BALLISTIC_M2_KG = {48274: 2.2 * 500.0 / 100_000.0, 25544: 2.2 * 1500.0 / 420_000.0}
DEFAULT_STATION_BALLISTIC_M2_KG = 0.01


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
    ``plane_change_dv_m_s``: the plane burns the plan flies (sum of their magnitudes).
    ``required_plane_change_dv_m_s``: the plane change the geometry needs, computed apart
    from the plan (:func:`required_plane_change`): the bound a plan is judged by is
    1.3 × (``hohmann_dv_m_s`` + ``required_plane_change_dv_m_s``).
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
    plane_change_dv_m_s: float = 0.0
    required_plane_change_dv_m_s: float = 0.0
    relative_inclination_deg: float = 0.0
    #: TEME states [km, km/s] at arrival: the chaser after the arrival burn, the station.
    chaser_arrival_state: tuple[float, ...] = ()
    station_arrival_state: tuple[float, ...] = ()
    hold_offset_km: tuple[float, ...] = (0.0, -2.0, 0.0)

    @property
    def total_dv_m_s(self) -> float:
        return float(sum(b.dv_m_s for b in self.burns))


# ---------------------------------------------------------------------------
# Force model


def density_table(
    when: datetime,
    solar: str | ConstantActivity = "nominal",
    *,
    span_h: float = 0.0,
    inclination_deg: float = 51.6,
) -> tuple[np.ndarray, np.ndarray]:
    """(geocentric altitude r − R_eq in km, log mean density in kg/m³) for the planner's drag.

    The atmosphere path of :mod:`stationplan.orbit.decay`: NRLMSIS 2.1 (``pymsis``) at
    WGS84 geodetic coordinates (:func:`~stationplan.orbit.decay.geodetic_from_ecef`), with
    the indices of :func:`~stationplan.orbit.spaceweather.solar_activity` (default: the
    bundled table: the previous day's F10.7, its 81-day mean and the daily and 3-hourly ap
    history of each time, so the drag of an epoch uses that epoch's weather). The density
    at a geocentric radius is averaged over latitudes up to the orbit's inclination, over
    longitudes (so local times) and over four times spread through ``[when, when +
    span_h]``.
    """
    import pymsis

    altitudes = np.arange(100.0, 1001.0, 20.0)  # log-linear between: scale height ≥ 20 km
    lons = np.radians(np.arange(0.0, 360.0, 45.0))
    lats = np.radians(np.linspace(-1.0, 1.0, 5) * min(abs(inclination_deg), 89.0))
    start = as_datetime64(when)[0]
    times = start + np.round(np.linspace(0.0, span_h * 3600.0, 4)).astype("timedelta64[s]")
    t, la, lo, h = np.meshgrid(times, lats, lons, altitudes, indexing="ij")
    r = EARTH_RADIUS_KM + h
    ecef = np.stack([r * np.cos(la) * np.cos(lo), r * np.cos(la) * np.sin(lo), r * np.sin(la)], -1)
    lon_deg, lat_deg, height_km = geodetic_from_ecef(ecef.reshape(-1, 3))
    flat_t = t.reshape(-1)
    f107, f107a, aps = spaceweather_indices(flat_t, solar)
    out = pymsis.calculate(flat_t, lon_deg, lat_deg, height_km, f107, f107a, aps, version=2.1)
    rho = out[:, pymsis.Variable.MASS_DENSITY].reshape(h.shape)
    return altitudes, np.log(np.mean(rho, axis=(0, 1, 2)))


#: DOP853 relative tolerance of a plan's propagations (absolute: 1e-9 km, km/s) and the
#: looser one of Newton's iterations before the check at PLAN_RTOL (over a 6 h arc from
#: insertion the two differ by ~3 cm, far below Newton's 1 m acceptance).
PLAN_RTOL = 1e-10
NEWTON_RTOL = 1e-9
#: Along-track miss (km) of a phasing scheme's two-body guess above which its phasing radius
#: is re-aimed before Newton starts (below it Newton converges from the guess as it is).
CALIBRATE_ALONG_KM = 300.0
#: Weight of the transfer time in Newton's minimum-norm step when a phasing scheme is retried
#: after stalling (30: a shift of 30,000 s counts as 1 km/s; the transfer time then moves
#: freely instead of the phasing orbit being made eccentric).
T2_FREE_WEIGHT = 30.0
#: Up to this many stacked states (a plan propagates 1, 2 or 7) the force model runs in
#: scalar arithmetic state by state: ~4 µs a state against ~75 µs for NumPy on a (7, 6)
#: array, whose cost is the per-call overhead of its ~50 ufunc calls.
SCALAR_MAX_STATES = 16
#: −(3/2) J2 μ R_eq² (km⁵/s²), the J2 term's constant (Vallado 4th ed. eq. 8-30).
_J2_FACTOR = -1.5 * J2 * MU_KM3_S2 * EARTH_RADIUS_KM**2


def _accelerations(
    state: np.ndarray, ballistic_m2_kg: np.ndarray, table: tuple[np.ndarray, np.ndarray]
) -> np.ndarray:
    """d/dt of stacked states (k, 6) [km, km/s]: two-body + J2 + drag.

    Written out component by component (ω × r = (−ω y, ω x, 0)): this runs tens of thousands
    of times per plan, where ``np.cross``/``np.hstack`` on (k, 3) arrays dominate."""
    x, y, z = state[:, 0], state[:, 1], state[:, 2]
    vx, vy, vz = state[:, 3], state[:, 4], state[:, 5]
    r2 = x * x + y * y + z * z
    rn = np.sqrt(r2)
    z2 = z * z / r2
    mu_r3 = MU_KM3_S2 / (r2 * rn)
    factor = _J2_FACTOR / (r2 * r2 * rn)
    equatorial = factor * (1.0 - 5.0 * z2)
    wx = vx + EARTH_ROTATION_RAD_S * y
    wy = vy - EARTH_ROTATION_RAD_S * x
    rho = np.exp(np.interp(rn - EARTH_RADIUS_KM, table[0], table[1]))
    drag = -0.5e3 * ballistic_m2_kg * rho * np.sqrt(wx * wx + wy * wy + vz * vz)
    out = np.empty_like(state)
    out[:, 0], out[:, 1], out[:, 2] = vx, vy, vz
    out[:, 3] = -mu_r3 * x + equatorial * x + drag * wx
    out[:, 4] = -mu_r3 * y + equatorial * y + drag * wy
    out[:, 5] = -mu_r3 * z + factor * (3.0 - 5.0 * z2) * z + drag * vz
    return out


def _acceleration_one(
    state: Sequence[float], ballistic_m2_kg: float, altitudes_km: list[float], log_rho: list[float]
) -> list[float]:
    """d/dt of one state [km, km/s]: the force model of :func:`_accelerations` in scalar
    arithmetic (for the few states a plan propagates, where NumPy's per-call overhead on
    short arrays would dominate). The density table is
    interpolated log-linearly and clamped at its ends, as ``np.interp`` does there."""
    x, y, z, vx, vy, vz = state
    r2 = x * x + y * y + z * z
    rn = math.sqrt(r2)
    z2 = z * z / r2
    mu_r3 = MU_KM3_S2 / (r2 * rn)
    factor = _J2_FACTOR / (r2 * r2 * rn)
    equatorial = factor * (1.0 - 5.0 * z2)
    wx = vx + EARTH_ROTATION_RAD_S * y
    wy = vy - EARTH_ROTATION_RAD_S * x
    h = rn - EARTH_RADIUS_KM
    j = bisect_right(altitudes_km, h) - 1
    if j < 0:
        log_density = log_rho[0]
    elif j >= len(altitudes_km) - 1:
        log_density = log_rho[-1]
    else:
        h0 = altitudes_km[j]
        slope = (log_rho[j + 1] - log_rho[j]) / (altitudes_km[j + 1] - h0)
        log_density = log_rho[j] + slope * (h - h0)
    drag = -0.5e3 * ballistic_m2_kg * math.exp(log_density) * math.sqrt(wx * wx + wy * wy + vz * vz)
    return [
        vx,
        vy,
        vz,
        -mu_r3 * x + equatorial * x + drag * wx,
        -mu_r3 * y + equatorial * y + drag * wy,
        -mu_r3 * z + factor * (3.0 - 5.0 * z2) * z + drag * vz,
    ]


def propagate_states(
    states: np.ndarray,
    duration_s: float,
    ballistic_m2_kg: np.ndarray,
    table: tuple[np.ndarray, np.ndarray],
    rtol: float = 1e-10,
    *,
    samples: int = 0,
) -> np.ndarray:
    """Propagate stacked states (k, 6) [km, km/s] by ``duration_s`` (J2 + drag, DOP853).

    ``samples`` > 0: the states at that many times spread evenly over [0, duration_s)
    instead, shape (samples, k, 6), from the same single integration (dense output)."""
    # Imported here: scipy.integrate's package import (scipy.special, scipy.optimize,
    # scipy.sparse.linalg) takes ~0.3 s, which a report that plans nothing (no feasible
    # profile) or a server that has not planned yet need not pay.
    from scipy.integrate import solve_ivp

    states = np.atleast_2d(np.asarray(states, dtype=float))
    if duration_s <= 0.0:
        return states.copy()
    k = states.shape[0]
    rhs: Callable[[float, np.ndarray], np.ndarray | list[float]]
    if k <= SCALAR_MAX_STATES:
        altitudes_km, log_rho = table[0].tolist(), table[1].tolist()
        ballistic = np.broadcast_to(np.asarray(ballistic_m2_kg, dtype=float), (k,)).tolist()

        def rhs(_t: float, y: np.ndarray) -> list[float]:
            values = y.tolist()
            out: list[float] = []
            for i in range(k):
                out += _acceleration_one(
                    values[6 * i : 6 * i + 6], ballistic[i], altitudes_km, log_rho
                )
            return out

    else:

        def rhs(_t: float, y: np.ndarray) -> np.ndarray:
            return _accelerations(y.reshape(k, 6), ballistic_m2_kg, table).ravel()

    t_eval = np.arange(samples) * (duration_s / samples) if samples > 0 else None
    solution = solve_ivp(
        rhs, (0.0, duration_s), states.ravel(), method="DOP853", rtol=rtol, atol=1e-9,
        t_eval=t_eval,
    )  # fmt: skip
    if not solution.success:  # pragma: no cover - DOP853 on a smooth field
        raise RuntimeError(f"propagation failed: {solution.message}")
    if samples > 0:
        return solution.y.T.reshape(samples, k, 6)
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


@dataclass(frozen=True)
class _Attempt:
    """One scheme solved by Newton: its unknowns, legs, burn times (s from insertion)."""

    x: np.ndarray
    t_c: float
    t_a: float
    t_b: float
    t2_s: float
    t1_s: float
    chaser_1: np.ndarray
    iterations: int
    converged: bool
    total: float
    #: ``legs(x[None])``: the chaser before each burn and at arrival for the solution.
    final: dict[str, np.ndarray]


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


def _nodal_rate_rad_s(a_km: float, inclination_rad: float) -> float:
    """Secular J2 node rate Ω̇ = −(3/2) n J2 (R/a)² cos i (rad/s; Vallado 4th ed. eq. 9-41,
    e = 0)."""
    n = math.sqrt(MU_KM3_S2 / a_km**3)
    return -1.5 * n * J2 * (EARTH_RADIUS_KM / a_km) ** 2 * math.cos(inclination_rad)


@dataclass(frozen=True)
class MeanPlanes:
    """Mean orbit planes of chaser and station (unit normals, TEME) at ``epoch_s`` after
    insertion and their secular J2 node rates (rad/s)."""

    chaser_normal: np.ndarray
    station_normal: np.ndarray
    epoch_s: float
    chaser_node_rate_rad_s: float
    station_node_rate_rad_s: float

    def chaser_at(self, t_s: float) -> np.ndarray:
        return _rotate_z(self.chaser_normal, self.chaser_node_rate_rad_s * (t_s - self.epoch_s))

    def station_at(self, t_s: float) -> np.ndarray:
        return _rotate_z(self.station_normal, self.station_node_rate_rad_s * (t_s - self.epoch_s))


def required_plane_change(
    planes: MeanPlanes, span_s: float, station_altitude_km: float
) -> tuple[float, float]:
    """(relative inclination in degrees, Δv in m/s) the plane change needs, apart from any plan.

    The relative inclination Δi is the angle between the mean planes of :func:`mean_planes`
    at the end of the flight (``span_s`` after insertion), each regressed there at its own
    secular J2 rate; the plane change costs Δv = 2 v sin(Δi/2) (Vallado 4th ed. eq. 6-22) at
    the station's circular speed v, the lowest speed of the orbits the chaser flies below it
    (so the least it can cost).
    """
    end_s = max(span_s, planes.epoch_s)
    cos_di = float(planes.chaser_at(end_s) @ planes.station_at(end_s))
    relative = math.acos(min(1.0, cos_di))
    speed_km_s = math.sqrt(MU_KM3_S2 / (EARTH_RADIUS_KM + station_altitude_km))
    return math.degrees(relative), 2.0e3 * speed_km_s * math.sin(0.5 * relative)


def mean_planes(
    chaser_ins: np.ndarray,
    station_ins: np.ndarray,
    chaser_rate_rad_s: float,
    station_altitude_km: float,
    inclination_rad: float,
) -> MeanPlanes:
    """Mean planes of chaser and station from their TEME states [km, km/s] at insertion.

    The angular-momentum directions averaged over one revolution of the insertion orbit, both
    propagated together ballistically under two-body + J2 (so the short-period wobble of each
    osculating plane, which depends on where on its orbit each body is, averages out); each
    regresses at its secular J2 rate (:func:`_nodal_rate_rad_s`): the station at its mean
    altitude, the chaser at the mean altitude whose argument-of-latitude rate
    (:func:`~stationplan.launch.rendezvous.latitude_rate_rad_s`) is ``chaser_rate_rad_s``, the
    mean rate that closes the phase in the flight's time (fixed by the phase angle and the
    docking time, not by the burns).
    """
    a_ins = -MU_KM3_S2 / (
        2.0
        * (
            0.5 * float(chaser_ins[3:] @ chaser_ins[3:])
            - MU_KM3_S2 / float(np.linalg.norm(chaser_ins[:3]))
        )
    )
    period_s = 2.0 * math.pi * math.sqrt(a_ins**3 / MU_KM3_S2)
    vacuum = (np.array([0.0, 2000.0]), np.array([-200.0, -200.0]))
    pair = np.stack([np.asarray(chaser_ins, float), np.asarray(station_ins, float)])
    sampled = propagate_states(pair, period_s, np.zeros(2), vacuum, 1e-9, samples=24)
    h = np.cross(sampled[:, :, :3], sampled[:, :, 3:])
    normals = np.sum(h / np.linalg.norm(h, axis=2)[:, :, None], axis=0)
    normals /= np.linalg.norm(normals, axis=1)[:, None]
    low, high = 100.0, 2000.0
    for _ in range(60):  # latitude_rate falls as the altitude rises
        mid = 0.5 * (low + high)
        if float(latitude_rate_rad_s(mid, inclination_rad)) > chaser_rate_rad_s:
            low = mid
        else:
            high = mid
    a_chaser = EARTH_RADIUS_KM + 0.5 * (low + high)
    a_station = EARTH_RADIUS_KM + station_altitude_km
    return MeanPlanes(
        normals[0],
        normals[1],
        0.5 * period_s,  # the averages describe the mean planes half a revolution in
        _nodal_rate_rad_s(a_chaser, inclination_rad),
        _nodal_rate_rad_s(a_station, inclination_rad),
    )


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
    solar: str | ConstantActivity = "nominal",
    max_iterations: int = 30,
    assessment: LaunchAssessment | None = None,
    duration_h: float | None = None,
) -> ManeuverPlan:
    """Burn plan from insertion to the hold point for ``profile`` (default: fastest feasible).

    ``vehicle`` is resolved for its site. A named profile is planned even when the
    phase is outside its window (the catch-up is then the nearest whole-lap one and
    Δv shows the cost); with no profile named and none feasible, ``InfeasibleError``.
    ``assessment``: :func:`~stationplan.launch.rendezvous.assess_launch` of this launch when the
    caller already has it (computed here otherwise). ``duration_h``: liftoff-to-docking time
    to plan for (default: the profile's nominal docking at this launch); any time inside
    the docking window works (earliest, nominal, latest). ``solar``: space weather for drag
    (:func:`~stationplan.orbit.spaceweather.solar_activity`; default the bundled table at the
    plan's epoch, mean activity outside it).
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
    orbit = StationOrbit.at(history, launch_jd)
    n_station = orbit.rate_rad_s  # one catch-up model (rendezvous.latitude_rate_rad_s)

    def rate(a_km: float) -> float:
        return float(latitude_rate_rad_s(a_km - EARTH_RADIUS_KM, orbit.inclination_rad))

    window = next(w for w in assessment.windows if w.name == name)
    catch_up_rad = np.radians(float(window.catch_up_deg(assessment.phase_angle_deg)))
    theta = np.radians(assessment.phase_angle_deg)

    ascent = AscentModel.from_vehicle(vehicle)
    t_ins = launch_jd + ascent.ascent_s / 86400.0
    flown = next((p for p in assessment.feasible_profiles if p.name == name), None)
    if duration_h is None:
        duration_h = window.duration_h if flown is None else flown.duration_h  # nominal
    if flown is not None:  # the catch-up (θ + 360°·k) that closes the phase in the window
        catch_up_rad = np.radians(float(flown.catch_up_deg))
    t_dock = launch_jd + duration_h / 24.0
    t_end = t_dock - HOLD_BEFORE_DOCKING_H / 24.0
    span_s = (t_end - t_ins) * 86400.0
    if span_s < 1800.0:
        raise InfeasibleError(f"profile {name} leaves less than 30 min from insertion to hold")

    b_station = station_ballistic_m2_kg
    if b_station is None:
        b_station = STATION_BALLISTIC_M2_KG.get(norad_id or 0, DEFAULT_STATION_BALLISTIC_M2_KG)
    try:
        table = density_table(
            jd_to_datetime(t_ins), solar, span_h=span_s / 3600.0,
            inclination_deg=float(np.degrees(orbit.inclination_rad)),
        )  # fmt: skip
    except InputError:  # outside the bundled space-weather table (1998-2041): mean activity
        table = density_table(
            jd_to_datetime(t_ins), OUTSIDE_TABLE_ACTIVITY, span_h=span_s / 3600.0,
            inclination_deg=float(np.degrees(orbit.inclination_rad)),
        )  # fmt: skip

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
    planes = mean_planes(
        chaser_ins, station_ins, n_chaser, orbit.altitude_km, orbit.inclination_rad
    )
    relative_inclination_deg, required_plane_dv_m_s = required_plane_change(
        planes, span_s, orbit.altitude_km
    )

    # Scheme (phasing + Hohmann, Vallado 4th ed. §6.3 and §6.6): burn 1 raises (or lowers)
    # the apogee to the phasing radius r_ph, a circularising burn there half an ellipse
    # later; the chaser phases at r_ph; the transfer burn starts a Hohmann half-ellipse to
    # the station's radius that ends at the hold point. The phase is closed by the two-body
    # catch-up (J2 secular rates, the one model of rendezvous.py) with the Δv-minimal choice
    # first: all burns prograde (r_ph between the insertion apogee and the station, so each
    # burn raises the opposite apsis toward the station and the total stays the Hohmann
    # value to first order) and, when that catches up too little, whole revolutions of
    # waiting in the (lower, faster) insertion orbit before burn 1; the plane correction is
    # its own normal burn at the relative node.
    period_ins = 2 * np.pi * np.sqrt(a_ins**3 / MU_KM3_S2)
    t1_min_s = min(0.5 * period_ins, 0.05 * span_s)
    r_s = float(np.linalg.norm(station_end[:3]))
    ballistic1 = np.array([chaser_ballistic_m2_kg])

    def schedule(r_ph: float, t1: float, r_1: float) -> tuple[float, float, float]:
        """(catch-up rad, circularising time s, transfer time s) for phasing radius r_ph
        and burn 1 at t1 (s from insertion) at radius r_1."""
        a_el = 0.5 * (r_1 + r_ph)
        t_c = t1 + np.pi * np.sqrt(a_el**3 / MU_KM3_S2)
        a_tr = 0.5 * (r_ph + r_s)
        t_2 = span_s - np.pi * np.sqrt(a_tr**3 / MU_KM3_S2)
        t_2 = max(t_2, t_c + 1.0)
        made = (
            (rate(a_ins) - n_station) * t1
            + (rate(a_el) - n_station) * (t_c - t1)
            + (rate(r_ph) - n_station) * (t_2 - t_c)
            + (rate(a_tr) - n_station) * (span_s - t_2)
        )
        return float(made), float(t_c), float(t_2)

    def fits(r_ph: float, t1: float, r_1: float) -> bool:
        """The schedule's burns come in order with room for the transfer."""
        _, t_c, t_2 = schedule(r_ph, t1, r_1)
        half_transfer = np.pi * np.sqrt((0.5 * (r_ph + r_s)) ** 3 / MU_KM3_S2)
        return t_c + 60.0 < span_s - half_transfer and t_c < t_2

    def bisect(low: float, high: float, t1: float, r_1: float) -> float:
        for _ in range(50):  # catch-up falls as r_ph rises
            mid = 0.5 * (low + high)
            if schedule(mid, t1, r_1)[0] > catch_up_rad:
                low = mid
            else:
                high = mid
        return 0.5 * (low + high)

    # Burn 1 at an apsis of the insertion orbit: just after separation (near the insertion
    # perigee) or after k half revolutions of waiting there (waiting in the lower, faster
    # insertion orbit adds catch-up). Every start and phasing band (prograde only, then any
    # radius) whose two-body catch-up brackets the phase gives a candidate scheme; they are
    # tried in the order of their two-body Δv until one converges near that Δv.
    starts = [(t1_min_s, r_p)] + [
        (k * 0.5 * period_ins, r_a if k % 2 else r_p) for k in range(1, 128)
    ]
    high = r_s - 2.0
    prograde_low = min(r_a, high)  # lowest r_ph reached with prograde burns only

    def two_body_dv(r_start: float, r_ph: float) -> float:
        a_el = 0.5 * (r_start + r_ph)
        a_tr = 0.5 * (r_ph + r_s)
        v_c = np.sqrt(MU_KM3_S2 / r_ph)
        return float(
            abs(_vis_viva(r_start, a_el) - _vis_viva(r_start, a_ins))
            + abs(v_c - _vis_viva(r_ph, a_el))
            + abs(_vis_viva(r_ph, a_tr) - v_c)
            + abs(np.sqrt(MU_KM3_S2 / r_s) - _vis_viva(r_s, a_tr))
        )

    # Phasing bands (lowest, highest r_ph): prograde only; any radius below the station; and
    # above it, with a descending transfer, for the slowest catch-ups a window admits (its
    # latest docking): the window's band is a *mean* phasing altitude over the whole flight,
    # but the chaser spends its first revolution in the lower, faster insertion orbit and
    # the transfer below the phasing orbit, so near the station the catch-up left to phase
    # can be less than even a circular orbit just below the station makes (Tianzhou 8 h at
    # its latest docking: 11.5° at 2 km below against 8.3° to close). Above the station
    # each km costs about v/r ≈ 1.1 m/s more than Hohmann (two burns of v·Δr/2r); the
    # bracket's 50 km covers more than the 1.3 × Hohmann acceptance allows.
    bands = (
        (prograde_low, high),
        (max(EARTH_RADIUS_KM + 160.0, r_p), high),
        (r_s + 2.0, r_s + 50.0),
    )
    candidates: list[tuple[float, float, float | None]] = []  # (two-body Δv, t1, r_ph)
    for low, top in bands:
        for t1, r_start in starts:
            if not fits(low, t1, r_start):
                break
            if schedule(low, t1, r_start)[0] >= catch_up_rad >= schedule(top, t1, r_start)[0]:
                r_ph = bisect(low, top, t1, r_start)
                if all(abs(c[1] - t1) > 1.0 for c in candidates):
                    candidates.append((two_body_dv(r_start, r_ph), t1, r_ph))
    # Between two apsis starts the catch-up at the lowest prograde radius jumps by a
    # fraction of a revolution's catch-up; burn 1 at the time in between that closes the
    # phase exactly (off the apsis, so a little dearer) covers the gap.
    for (t_lo, _), (t_hi, _) in pairwise(starts):
        if not fits(prograde_low, t_hi, a_ins):
            break
        if (
            schedule(prograde_low, t_lo, a_ins)[0]
            < catch_up_rad
            <= schedule(prograde_low, t_hi, a_ins)[0]
        ):
            for _ in range(40):
                t_mid = 0.5 * (t_lo + t_hi)
                if schedule(prograde_low, t_mid, a_ins)[0] < catch_up_rad:
                    t_lo = t_mid
                else:
                    t_hi = t_mid
            candidates.append((two_body_dv(a_ins, prograde_low), 0.5 * (t_lo + t_hi), prograde_low))
            break
    candidates.sort(key=lambda c: round(c[0] * 1e4))  # 0.1 m/s; ties: the earlier burn 1

    # The short scheme (no circular phasing orbit; e.g. Tianzhou 2 h): burn 1 just after
    # separation sets the apogee r_x (between the insertion apogee and the station), the
    # chaser phases on that ellipse, the transfer burn at its apogee raises the perigee to
    # the station, and the chaser arrives at that perigee half an orbit later.
    def short(r_x: float) -> tuple[float, float]:
        a_ph, a_end = 0.5 * (r_p + r_x), 0.5 * (r_s + r_x)
        t_2 = span_s - np.pi * np.sqrt(a_end**3 / MU_KM3_S2)
        made = (rate(a_ph) - n_station) * t_2 + (rate(a_end) - n_station) * (span_s - t_2)
        dv = (
            abs(_vis_viva(r_p, a_ph) - _vis_viva(r_p, a_ins))
            + abs(_vis_viva(r_x, a_end) - _vis_viva(r_x, a_ph))
            + abs(np.sqrt(MU_KM3_S2 / r_s) - _vis_viva(r_s, a_end))
        )
        return float(made), float(dv)

    x_low, x_high = sorted((r_s, r_a))
    r_x = r_s
    if short(x_high)[0] <= catch_up_rad <= short(x_low)[0]:
        for _ in range(50):  # a lower apogee catches up faster
            mid = 0.5 * (x_low + x_high)
            if short(mid)[0] > catch_up_rad:
                x_low = mid
            else:
                x_high = mid
        r_x = 0.5 * (x_low + x_high)
        candidates.append((short(r_x)[1], t1_min_s, None))
        candidates.sort(key=lambda c: round(c[0] * 1e4))
    candidates = candidates[:3]
    if all(c[2] is not None for c in candidates):
        candidates.append((np.inf, t1_min_s, None))  # the short scheme, last resort

    # The hold point, fixed in the station's LVLH frame, moves with v_s + ω × ρ,
    # ω = (r_s × v_s)/|r_s|² the frame's rotation.
    rho = target - station_end[:3]
    omega = np.cross(station_end[:3], station_end[3:]) / float(station_end[:3] @ station_end[:3])
    hold_velocity = station_end[3:] + np.cross(omega, rho)
    normal_end = basis_end[2]

    def misses(s3: np.ndarray) -> np.ndarray:
        """Miss at arrival in near-linear local coordinates (km; velocities 1 m/s ≙ 1 km):
        along-track arc, radius and cross-track distance from the hold point; radial and
        cross-track velocity relative to it. All vanish exactly at the hold point."""
        r, v = s3[:, :3], s3[:, 3:]
        in_plane = r - (r @ normal_end)[:, None] * normal_end
        r_t = float(np.linalg.norm(target))
        cos_u = in_plane @ target
        sin_u = np.cross(target, in_plane) @ normal_end
        along = np.arctan2(sin_u, cos_u) * r_t
        radius = np.linalg.norm(r, axis=1) - r_t
        cross = r @ normal_end
        v_r = np.sum(r * v, axis=1) / np.linalg.norm(r, axis=1) - hold_velocity @ target / r_t
        v_n = (v - hold_velocity) @ normal_end
        return np.stack([along, radius, cross, 1.0e3 * v_n, 1.0e3 * v_r], axis=1)

    t2_scale_s = 1000.0
    labels = ("circularise", "plane", "plane trim", "transfer")

    def attempt(
        t1_s: float,
        r_ph: float | None,
        max_iterations: int,
        *,
        last_resort: bool,
        calibrations: int = 3,
        catch_up_offset_rad: float = 0.0,
        t2_weight: float = 1.0,
    ) -> _Attempt:
        """Newton from the two-body guess of one scheme (burn 1 at t1_s, phasing radius
        r_ph; None: the short scheme). ``calibrations``: how many times the phasing radius
        may still be re-aimed from the guess's along-track miss before Newton starts.
        ``t2_weight``: weight of the transfer time in Newton's minimum-norm step (1: a shift
        of 1,000 s counts as much as 1 km/s of Δv)."""
        chaser_1 = propagate_states(chaser_ins, t1_s, ballistic1, table)[0]
        r_1 = float(np.linalg.norm(chaser_1[:3]))
        v1 = float(np.linalg.norm(chaser_1[3:]))
        if r_ph is None:
            # Too short to phase on a circular orbit (e.g. Tianzhou 2 h): phase in the
            # insertion orbit; burn 1 sets the apogee, the transfer burn (its time an unknown)
            # the rest (the circularising burn stays 0).
            a_ph, a_end = 0.5 * (r_1 + r_x), 0.5 * (r_s + r_x)
            half_transfer_s = np.pi * np.sqrt(a_end**3 / MU_KM3_S2)
            t_c = t1_s + 1.0
            t2_s = max(span_s - half_transfer_s, t1_s + 120.0)
            x = np.array(
                [
                    _vis_viva(r_1, a_ph) - v1,
                    0.0,
                    _vis_viva(r_x, a_end) - _vis_viva(r_x, a_ph),
                    0.0,
                    0.0,
                    0.0,
                ]
            )
            active = np.array([True, False, True, True, True, True])
        else:
            active = np.ones(6, dtype=bool)
            _, t_c, t2_s = schedule(r_ph, t1_s, r_1)
            a_el = 0.5 * (r_1 + r_ph)
            a_tr = 0.5 * (r_ph + r_s)
            # Unknowns x = [T1, Tc, T2, Na, Nb, Δt2/1000 s]; first guess: the two-body values.
            x = np.array(
                [
                    _vis_viva(r_1, a_el) - v1,
                    np.sqrt(MU_KM3_S2 / r_ph) - _vis_viva(r_ph, a_el),
                    _vis_viva(r_ph, a_tr) - np.sqrt(MU_KM3_S2 / r_ph),
                    0.0,
                    0.0,
                    0.0,
                ]
            )

        def push(state: np.ndarray, dv_t: float, dv_n: float = 0.0) -> np.ndarray:
            out = state.copy()
            basis_ = rtn_basis(state[:3], state[3:])
            out[3:] += basis_[1] * dv_t + basis_[2] * dv_n
            return out

        def relative_node_s(after_1: np.ndarray) -> float:
            """First time after burn 1 (s from insertion) the chaser passes the line of nodes
            between its mean plane and the plane it must end in: the station's mean plane at
            arrival, pulled back by the chaser's own J2 node drift until then
            (:class:`MeanPlanes`). Measured in the chaser's plane (its position against the
            in-plane normal to the line of nodes), so J2's short-period out-of-plane wobble
            of the position does not move it; in-plane burns do not move it either."""
            target_end = planes.station_at(span_s)

            def z(state: np.ndarray, t: float) -> float:
                own = planes.chaser_at(t)
                target = _rotate_z(target_end, -planes.chaser_node_rate_rad_s * (span_s - t))
                line = np.cross(own, target)
                if float(np.linalg.norm(line)) < 1e-12:
                    return 0.0
                return float(state[:3] @ np.cross(own, line / np.linalg.norm(line)))

            state = after_1[None]
            step_s = 120.0
            t = t1_s
            z0 = z(state[0], t)
            nearest = (abs(z0), t1_s + 60.0)
            limit = min(t2_s - 60.0, t1_s + 1.2 * period_ins)
            while t + step_s < limit:
                nxt = propagate_states(state, step_s, ballistic1, table, 1e-9)
                z1 = z(nxt[0], t + step_s)
                if np.sign(z1) != np.sign(z0):
                    return t + step_s * z0 / (z0 - z1)
                state, z0, t = nxt, z1, t + step_s
                nearest = min(nearest, (abs(z1), t))
            return nearest[1]  # no node before the transfer: the nearest approach to one

        def station_plane_node_s(after_1: np.ndarray) -> float:
            """First time after burn 1 the chaser crosses the station's instantaneous plane
            (both propagated together, so J2's short-period wobble of the osculating planes,
            common to both, cancels): for flights too short to reach the node above."""
            station_1 = propagate_states(station_ins, t1_s, np.array([b_station]), table)[0]
            pair = np.stack([after_1, station_1])
            ballistic2 = np.array([chaser_ballistic_m2_kg, b_station])
            step_s = 120.0
            t = t1_s

            def z(p: np.ndarray) -> float:
                h = np.cross(p[1, :3], p[1, 3:])
                return float(p[0, :3] @ h / np.linalg.norm(h))

            z0 = z(pair)
            limit = min(t2_s - 60.0, t1_s + 1.2 * period_ins)
            while t + step_s < limit:
                nxt = propagate_states(pair, step_s, ballistic2, table, 1e-9)
                z1 = z(nxt)
                if np.sign(z1) != np.sign(z0):
                    return t + step_s * z0 / (z0 - z1)
                pair, z0, t = nxt, z1, t + step_s
            return t1_s + 60.0

        t_a = relative_node_s(push(chaser_1, x[0]))
        if t_a + 0.25 * period_ins > t2_s - 60.0:  # no room for the trim a quarter turn on
            t_a = station_plane_node_s(push(chaser_1, x[0]))
        t_b = min(t_a + 0.25 * period_ins, 0.5 * (t_a + t2_s))

        def legs(xs: np.ndarray, rtol: float = PLAN_RTOL) -> dict[str, np.ndarray]:
            """Chaser states (k, 6) just before each burn and at arrival, for each row of xs.

            All rows are propagated stacked in one integration through the union of their
            burn times (rows whose transfer time differs, as in the Jacobian's Δt2 column,
            coast through the other rows' transfer time unburned)."""
            k = xs.shape[0]
            out = {name: np.empty((k, 6)) for name in (*labels, "arrival")}
            t2_rows = np.clip(t2_s + t2_scale_s * xs[:, 5], max(t_c, t_b) + 30.0, span_s - 300.0)
            events: list[tuple[float, str, np.ndarray]] = [
                (t_c, "circularise", np.arange(k)),
                (t_a, "plane", np.arange(k)),
                (t_b, "plane trim", np.arange(k)),
            ]
            for t2_value in np.unique(t2_rows):
                events.append((float(t2_value), "transfer", np.flatnonzero(t2_rows == t2_value)))
            events.sort(key=lambda e: e[0])
            states = np.stack([push(chaser_1, xs[i, 0]) for i in range(k)])
            ballistic = np.full(k, chaser_ballistic_m2_kg)
            now = t1_s
            for when, name, rows in events:
                states = propagate_states(states, when - now, ballistic, table, rtol)
                now = max(now, when)
                out[name][rows] = states[rows]
                for i in rows:
                    if name == "circularise":
                        states[i] = push(states[i], xs[i, 1])
                    elif name == "plane":
                        states[i] = push(states[i], 0.0, xs[i, 3])
                    elif name == "plane trim":
                        states[i] = push(states[i], 0.0, xs[i, 4])
                    else:
                        states[i] = push(states[i], xs[i, 2])
            out["arrival"] = propagate_states(states, span_s - now, ballistic, table, rtol)
            return out

        def recalibrated(along_km: float) -> _Attempt | None:
            """The two-body catch-up is a mean-element model, but the guess starts from the
            osculating state at burn 1 (J2 moves the osculating radius by several km around
            the mean), so over days the guess drifts along-track (HTV-X at 100 h: thousands
            of km, beyond Newton's reach). Re-aim the phasing radius once the propagated guess
            shows the miss: the catch-up wanted falls by the along-track arc it overshoots (a
            mean-element correction measured, not modelled). None: no re-aiming."""
            if r_ph is None or calibrations <= 0 or abs(along_km) <= CALIBRATE_ALONG_KM:
                return None
            wanted = catch_up_rad + catch_up_offset_rad - along_km / float(np.linalg.norm(target))
            below = r_ph < r_s
            low = max(r_ph - 80.0, EARTH_RADIUS_KM + 160.0) if below else r_s + 2.0
            top = r_s - 2.0 if below else r_ph + 80.0
            if not schedule(low, t1_s, r_1)[0] >= wanted >= schedule(top, t1_s, r_1)[0]:
                return None
            for _ in range(50):
                mid = 0.5 * (low + top)
                if schedule(mid, t1_s, r_1)[0] > wanted:
                    low = mid
                else:
                    top = mid
            return attempt(
                t1_s,
                0.5 * (low + top),
                max_iterations,
                last_resort=last_resort,
                calibrations=calibrations - 1,
                catch_up_offset_rad=wanted - catch_up_rad,
                t2_weight=t2_weight,
            )

        # Newton on the square system (unknowns: four burns and the transfer time; targets: the
        # hold point's position, and its radial and cross-track velocity so the transfer ends
        # at its apsis like a Hohmann transfer), finite-difference Jacobian, until the misses are
        # below 1 m and 1 mm/s. The iterations propagate at NEWTON_RTOL; a solution is accepted
        # only when the misses also stay below 1 m and 1 mm/s at PLAN_RTOL (else Newton goes
        # on at PLAN_RTOL), and the plan's states are those of the PLAN_RTOL propagation.
        step = 1e-5  # km/s (1 cm/s)
        rtol = NEWTON_RTOL
        final_legs: dict[str, np.ndarray] | None = None
        x_guess = x.copy()
        t2_bounds = ((t_b + 60.0 - t2_s) / t2_scale_s, (span_s - 600.0 - t2_s) / t2_scale_s)
        iterations = 0
        f0: np.ndarray | None = None
        history: list[float] = []
        anchored = True
        for iterations in range(1, max_iterations + 1):
            trial = np.vstack([x, x + step * np.eye(6)])
            f = misses(legs(trial, rtol)["arrival"])
            f0 = f[0]
            if iterations == 1 and (again := recalibrated(float(f0[0]))) is not None:
                return again  # the guess's own propagation (row 0) showed the miss
            history.append(float(np.max(np.abs(f0))))
            if history[-1] < 1e-3:
                if rtol == PLAN_RTOL:
                    break
                final_legs = legs(x[None])  # the check at the plan's tolerance
                tight = misses(final_legs["arrival"])[0]
                if float(np.max(np.abs(tight))) < 1e-3:
                    f0 = tight
                    break
                final_legs, rtol = None, PLAN_RTOL
                f = misses(legs(trial, rtol)["arrival"])
                f0 = f[0]
                history[-1] = float(np.max(np.abs(f0)))
            if len(history) > 3 and history[-1] > 0.5 * history[-3]:
                # Stalled (miss not halved in two iterations): drop the anchor to the guess
                # (plain minimum-norm steps) once, then give way to the next scheme.
                if anchored:
                    anchored, history = False, history[-1:]
                elif not last_resort:
                    break
            jacobian = np.column_stack([(f[j + 1] - f0) / step for j in range(6)])
            jacobian[:, ~active] = 0.0  # burns the scheme does not use stay at zero
            # Six unknowns, five targets: of the linearised solutions, the one nearest the
            # two-body guess (so the iterates do not drift along the free direction toward a
            # costlier plan): x + δ = x_g + J⁺(−f − J(x_g − x)).
            back = x_guess - x if anchored else np.zeros(6)
            back[~active] = 0.0
            weight = np.ones(6)
            weight[5] = t2_weight
            correction = (
                back
                + weight * np.linalg.lstsq(jacobian * weight, -f0 - jacobian @ back, rcond=None)[0]
            )
            limits = np.array([0.05, 0.05, 0.05, 0.05, 0.05, 0.6])  # 50 m/s per burn, 600 s
            scale = min(1.0, float(np.min(limits / np.maximum(np.abs(correction), 1e-12))))
            # Backtracking: halve the step until the largest miss falls (Armijo-like).
            norm0 = float(np.max(np.abs(f0)))
            for _ in range(6):
                candidate = x + scale * correction
                candidate[5] = float(np.clip(candidate[5], *t2_bounds))
                miss = float(np.max(np.abs(misses(legs(candidate[None], rtol)["arrival"])[0])))
                if miss < norm0:
                    break
                scale *= 0.5
            x = candidate
        converged = bool(f0 is not None and np.max(np.abs(f0)) < 5e-3)
        if final_legs is None:
            final_legs = legs(x[None])
        arrival = final_legs["arrival"][0]
        total = float(np.sum(np.abs(x[:5])) + np.linalg.norm(hold_velocity - arrival[3:]))
        return _Attempt(
            x, t_c, t_a, t_b, t2_s, t1_s, chaser_1, iterations, converged, total, final_legs
        )

    # Each scheme as it comes (transfer time weighted like 1 km/s per 1,000 s); then, if none
    # converged near its two-body Δv, the phasing schemes again with the transfer time free:
    # over days J2 leaves the "circular" phasing orbit with a small eccentricity (an osculating
    # circle is not a mean one), so the Hohmann transfer ends at an apsis only if it starts at
    # the right place, and Newton should move the transfer time rather than make the phasing
    # orbit eccentric with opposed burns (HTV-X at 100 h: without this its steps stall at a
    # 10 m/s radial-velocity miss); the short scheme with no two-body guess comes last.
    trials = (
        [(c, 1.0) for c in candidates if np.isfinite(c[0])]
        + [(c, T2_FREE_WEIGHT) for c in candidates if c[2] is not None]
        + [(c, 1.0) for c in candidates if not np.isfinite(c[0])]
    )
    best: _Attempt | None = None
    for number, ((guess_dv, t1_try, r_ph_try), weight) in enumerate(trials):
        last = number == len(trials) - 1
        result = attempt(t1_try, r_ph_try, max_iterations, last_resort=last, t2_weight=weight)
        if best is None or (result.converged, -result.total) > (best.converged, -best.total):
            best = result
        if result.converged and result.total <= 1.2 * guess_dv + 0.005:
            break
    assert best is not None
    x, t_c, t_a, t_b = best.x, best.t_c, best.t_a, best.t_b
    t2_s, t1_s, chaser_1, iterations = best.t2_s, best.t1_s, best.chaser_1, best.iterations
    final = {name: states[0] for name, states in best.final.items()}
    s3 = final["arrival"]
    final_distance = float(np.linalg.norm(s3[:3] - station_end[:3]))
    hold_error = float(np.linalg.norm(s3[:3] - target))
    dv3 = hold_velocity - s3[3:]
    t2_final = float(np.clip(t2_s + t2_scale_s * x[5], max(t_c, t_b) + 30.0, span_s - 300.0))

    def burn(label: str, t_s: float, before: np.ndarray, dv_km_s: np.ndarray) -> Burn:
        b = rtn_basis(before[:3], before[3:])
        after_v = before[3:] + dv_km_s
        perigee, apogee = apsides_km(before[:3], after_v)
        r, t, n = (float(c) for c in (b @ dv_km_s) * 1000.0)
        rtn = (r, t, n)
        return Burn(label, jd_to_datetime(t_ins + t_s / 86400.0), rtn, perigee, apogee)

    def basis_at(name: str) -> np.ndarray:
        return rtn_basis(final[name][:3], final[name][3:])

    b1 = rtn_basis(chaser_1[:3], chaser_1[3:])
    planned = [
        burn("phasing", t1_s, chaser_1, b1[1] * x[0]),
        burn("circularise", t_c, final["circularise"], basis_at("circularise")[1] * x[1]),
        burn("plane", t_a, final["plane"], basis_at("plane")[2] * x[3]),
        burn("plane trim", t_b, final["plane trim"], basis_at("plane trim")[2] * x[4]),
        burn("transfer", t2_final, final["transfer"], basis_at("transfer")[1] * x[2]),
        burn("arrival", span_s, s3, dv3),
    ]
    burns = tuple(sorted(planned, key=lambda b: b.time_utc))
    arrival_state = np.concatenate([s3[:3], hold_velocity])
    # Hohmann from the insertion apogee to the station's mean radius (J2 makes the
    # instantaneous radius oscillate by several km around it).
    r_mean_s = EARTH_RADIUS_KM + assessment.station_altitude_km
    a_h = 0.5 * (r_a + r_mean_s)
    hohmann = abs(_vis_viva(r_a, a_h) - _vis_viva(r_a, a_ins)) + abs(
        np.sqrt(MU_KM3_S2 / r_mean_s) - _vis_viva(r_mean_s, a_h)
    )  # both impulses counted, also when the insertion apogee lies above the station
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
        plane_change_dv_m_s=float((abs(x[3]) + abs(x[4])) * 1000.0),
        required_plane_change_dv_m_s=required_plane_dv_m_s,
        relative_inclination_deg=relative_inclination_deg,
        chaser_arrival_state=tuple(float(c) for c in arrival_state),
        station_arrival_state=tuple(float(c) for c in station_end),
        hold_offset_km=tuple(float(c) for c in hold_offset_km),
    )
