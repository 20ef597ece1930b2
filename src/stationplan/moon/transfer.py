"""Earth–Moon direct transfer windows: parking orbit, one TLI, a transfer of given duration.

Model (patched conics, two-body Earth, Moon as a target point; a first cut — no n-body
refinement yet):

1. The transfer conic leaves perigee (the TLI point, on the parking orbit of radius r_p) and
   reaches the Moon's distance at arrival after the nominal transfer duration T. The perigee
   speed is the root of the time-of-flight equation (Kepler's equation from perigee,
   Vallado 2013 §2.2) — no Lambert singularity at the ~180° transfer angle.
2. The parking plane contains the Earth's centre, the launch site at launch and the Moon at
   arrival (the departure asymptote points at the arrival Moon); its normal fixes the launch
   azimuth. Motion is prograde (eastward at the site).
3. The TLI point lies in that plane ν (the conic's true anomaly at arrival) behind the Moon's
   arrival direction; the coast is the parking-orbit arc from orbit insertion to that point.
4. A launch instant is in the window when its launch azimuth is inside the azimuth limits;
   windows are the maximal runs of such instants on a one-minute grid. Published limits (Apollo
   72–108°, range-safety corridors) are launch azimuths, headings over the rotating ground, so
   the plane's inertial azimuth A_i is converted to the heading A_g of the same orbit seen from
   the ground: the site moves east at u = ω_E r cos φ, the vehicle reaches the circular parking
   speed v, and A_g = atan2(v sin A_i − u, v cos A_i) (velocity composition in the local
   horizon; Vallado 2013 §6.4, Curtis 2020 §4.7). At Kennedy the 72–108° headings are 72.9–107.1°
   inertial: the window is ~5 % narrower than with the limits taken as inertial.

TLI Δv = perigee speed − circular parking speed (impulsive). μ_Earth = 398600.4418 km³/s².
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from scipy.interpolate import CubicSpline
from scipy.optimize import brentq
from skyfield.api import wgs84

from stationplan.errors import InputError
from stationplan.moon.ephemeris import check_in_span, de421
from stationplan.orbit.timescale import timescale

__all__ = ["LunarWindow", "daily_windows", "loi_dv_km_s", "transfer_conic"]

MU_MOON_KM3_S2 = 4902.800066
MOON_RADIUS_KM = 1737.4


def loi_dv_km_s(v_inf_km_s: float, periapsis_alt_km: float, apoapsis_alt_km: float) -> float:
    """Impulsive lunar orbit insertion Δv (km/s) at the periapsis of the approach hyperbola
    into an orbit of the given altitudes (km): sqrt(v∞² + 2μ/r_p) − sqrt(μ (2/r_p − 1/a))
    (vis-viva; Curtis 2020 §8.9). The approach can be aimed into any plane through the Moon,
    so a polar target costs no plane change in this patched-conic model."""
    rp = MOON_RADIUS_KM + periapsis_alt_km
    a = (2 * MOON_RADIUS_KM + periapsis_alt_km + apoapsis_alt_km) / 2
    return float(
        np.sqrt(v_inf_km_s**2 + 2 * MU_MOON_KM3_S2 / rp)
        - np.sqrt(MU_MOON_KM3_S2 * (2 / rp - 1 / a))
    )


MU_EARTH_KM3_S2 = 398600.4418
EARTH_RADIUS_KM = 6378.137
#: Ascent from liftoff to parking-orbit insertion (assumption, ~10 min for most launchers).
ASCENT_MIN = 10.0
#: Sampling step of launch instants, s (window edges to this step).
STEP_S = 60.0
#: Angle travelled downrange during the ascent (assumption, ~15°).
ASCENT_ARC_DEG = 15.0
#: Most passes of the coast ↔ arrival-Moon fixed point, and its convergence test (s): the
#: largest change of any instant's coast between two passes.
MAX_COAST_ITERATIONS = 12
COAST_TOLERANCE_S = 1.0


@dataclass(frozen=True)
class LunarWindow:
    """One launch window and the transfer from its middle (times UTC)."""

    open_utc: datetime
    close_utc: datetime
    tli_utc: datetime
    arrival_utc: datetime
    tli_dv_km_s: float
    moon_dec_deg: float
    azimuth_open_deg: float
    azimuth_close_deg: float
    transfer_days: float
    v_inf_km_s: float
    #: Patched-conic state just after TLI (GCRS, km and km/s) at ``tli_utc``: the start of the
    #: n-body refinement (``moon.nbody``).
    tli_position_km: tuple[float, float, float] | None = None
    tli_velocity_km_s: tuple[float, float, float] | None = None


def transfer_conic(
    parking_radius_km: float, target_radius_km: float, tof_s: float
) -> tuple[float, float]:
    """(perigee speed km/s, true anomaly at the target radius, rad) of the Earth-centred ellipse
    from perigee at ``parking_radius_km`` reaching ``target_radius_km`` after ``tof_s``."""
    rp, r = parking_radius_km, target_radius_km

    def tof(vp: float) -> float:
        a = 1.0 / (2.0 / rp - vp**2 / MU_EARTH_KM3_S2)
        e = rp * vp**2 / MU_EARTH_KM3_S2 - 1.0
        cos_e = (1.0 - r / a) / e
        big_e = np.arccos(np.clip(cos_e, -1.0, 1.0))
        return float(np.sqrt(a**3 / MU_EARTH_KM3_S2) * (big_e - e * np.sin(big_e))) - tof_s

    v_reach = np.sqrt(2 * MU_EARTH_KM3_S2 * r / (rp * (rp + r)))  # apogee just at r
    v_esc = np.sqrt(2 * MU_EARTH_KM3_S2 / rp)
    lo, hi = v_reach * (1 + 1e-9), v_esc * (1 - 1e-4)
    if not tof(lo) > 0 > tof(hi):
        raise InputError(
            f"no direct ellipse reaches {r:.0f} km in {tof_s / 86400:.2f} days",
            field="--transfer-days",
        )
    vp = brentq(tof, lo, hi, xtol=1e-9)
    a = 1.0 / (2.0 / rp - vp**2 / MU_EARTH_KM3_S2)
    e = rp * vp**2 / MU_EARTH_KM3_S2 - 1.0
    p = a * (1 - e**2)
    nu = float(np.arccos(np.clip((p / r - 1.0) / e, -1.0, 1.0)))
    return float(vp), nu


#: Earth rotation rate, rad/s (IERS Conventions 2010).
EARTH_ROTATION_RAD_S = 7.292115146706979e-5


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cross products of (3, n) column vectors (faster than ``np.cross`` on transposes)."""
    return np.array(
        [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
    )


def _site_directions(lat_deg: float, lon_deg: float, tt0: float, offs_s: np.ndarray) -> np.ndarray:
    """GCRS unit vectors of the site at ``offs_s`` s after TT Julian date ``tt0``: Skyfield's
    exact position on an hourly grid, rotated about the true pole of date by the Earth's
    rotation for the minutes in between (error < 1e-6 rad)."""
    ts = timescale()
    hours = np.floor(offs_s / 3600.0)
    grid = np.unique(hours)
    t_grid = ts.tt_jd(tt0 + grid * 3600.0 / 86400)
    pos = wgs84.latlon(lat_deg, lon_deg).at(t_grid).position.km
    pos = pos / np.linalg.norm(pos, axis=0)
    pole = np.asarray(t_grid.M)[2]  # (3, m): true celestial pole of date in GCRS
    idx = np.searchsorted(grid, hours)
    k, v = pole[:, idx], pos[:, idx]
    angle = EARTH_ROTATION_RAD_S * (offs_s - hours * 3600.0)
    c, s = np.cos(angle), np.sin(angle)
    # Rodrigues' rotation formula.
    return v * c + _cross(k, v) * s + k * np.sum(k * v, axis=0) * (1 - c)


def daily_windows(
    lat_deg: float,
    lon_deg: float,
    azimuth_limits_deg: tuple[float, float],
    start: datetime,
    end: datetime,
    transfer_days: float,
    parking_alt_km: float = 200.0,
    limits_over_ground: bool = True,
    max_liftoff_to_tli_min: float | None = None,
) -> list[LunarWindow]:
    """Launch windows in [start, end) for a site and azimuth limits (deg; see the module text).

    ``limits_over_ground``: the limits are launch headings over the rotating Earth (published
    launch azimuths; the default); False takes them as inertial azimuths of the parking plane.
    The reported ``azimuth_open_deg``/``azimuth_close_deg`` are in the same convention.
    ``max_liftoff_to_tli_min``: direct injection — the upper stage injects towards the Moon at
    most this many minutes after liftoff (ascent + coast), so only launch instants whose TLI
    point lies that close downrange are in the window (None: up to one parking orbit)."""
    check_in_span(start, "--start")
    check_in_span(end, "--end")
    if end <= start:
        raise InputError("the span is empty: --end must be after --start", field="--end")
    if not 0.5 <= transfer_days <= 10.0:
        raise InputError(
            f"{transfer_days} days is not a direct transfer (0.5..10)", field="--transfer-days"
        )
    # The arrival (end + transfer) must lie inside DE421 too.
    check_in_span(end + timedelta(days=transfer_days + 2.0), "--end")
    ts = timescale()
    eph = de421()
    earth, moon = eph["earth"], eph["moon"]
    rp = EARTH_RADIUS_KM + parking_alt_km
    n_park = np.sqrt(MU_EARTH_KM3_S2 / rp**3)  # rad/s
    tt0 = ts.from_datetime(start).tt
    offs_s = np.arange(0.0, (end - start).total_seconds(), STEP_S)

    def launch(i: int) -> datetime:
        return start + timedelta(seconds=float(offs_s[i]))

    s_hat = _site_directions(lat_deg, lon_deg, tt0, offs_s)  # GCRS unit vectors, (3, n)
    # The Moon on an hourly grid, cubic-spline interpolated (error << 1 km).
    grid_s = np.arange(-3600.0, offs_s[-1] + (transfer_days + 2.0) * 86400, 3600.0)
    moon_grid = earth.at(ts.tt_jd(tt0 + grid_s / 86400)).observe(moon).position.km
    moon_at = CubicSpline(grid_s, moon_grid.T)
    # Moon at arrival ≈ launch + ascent + half a parking orbit + transfer (refined below).
    coast_s = np.full(offs_s.size, np.pi / n_park)
    used_days = transfer_days
    z = np.array([0.0, 0.0, 1.0])
    east = _cross(np.broadcast_to(z[:, None], s_hat.shape), s_hat)
    east /= np.linalg.norm(east, axis=0)
    north = _cross(s_hat, east)
    # Fixed point: the coast fixes the arrival time, the arrival Moon the plane and the coast.
    # Iterated to convergence (< 1 s everywhere); a fixed three passes left instants near a
    # window's close unconverged, which split one window into two with a gap of a minute.
    for _ in range(MAX_COAST_ITERATIONS):
        previous_coast_s = coast_s
        m_vec = moon_at(offs_s + ASCENT_MIN * 60 + coast_s + used_days * 86400).T
        m_dist = np.linalg.norm(m_vec, axis=0)
        m_hat = m_vec / m_dist
        normal = _cross(s_hat, m_hat)
        normal /= np.linalg.norm(normal, axis=0)
        # Prograde (eastward) motion in the plane: the Moon may then lie more than 180° ahead.
        normal[:, np.sum(_cross(normal, s_hat) * east, axis=0) < 0] *= -1
        r_moon = float(np.median(m_dist))
        # A two-body ellipse cannot take longer than the Hohmann half-period to reach the Moon's
        # distance; longer nominal durations (Chang'e ~4.7 d, whose apogee lies beyond the Moon
        # and are slowed by its gravity) are capped at 99 % of it and reported.
        hohmann_days = np.pi * np.sqrt(((rp + r_moon) / 2) ** 3 / MU_EARTH_KM3_S2) / 86400
        used_days = min(transfer_days, 0.99 * hohmann_days)
        vp, nu = transfer_conic(rp, r_moon, used_days * 86400.0)
        # Angle from the site to the Moon measured in the direction of motion.
        along = _cross(normal, s_hat)
        angle_moon = np.arctan2(np.sum(along * m_hat, axis=0), np.sum(s_hat * m_hat, axis=0)) % (
            2 * np.pi
        )
        coast_angle = (angle_moon - nu - np.radians(ASCENT_ARC_DEG)) % (2 * np.pi)
        coast_s = coast_angle / n_park
        if np.max(np.abs(coast_s - previous_coast_s)) < COAST_TOLERANCE_S:
            break
    # Launch azimuth of the in-plane (prograde) direction of motion (east/north at the site).
    azimuth = (
        np.degrees(np.arctan2(np.sum(along * east, axis=0), np.sum(along * north, axis=0))) % 360
    )
    if limits_over_ground:
        v_park = np.sqrt(MU_EARTH_KM3_S2 / rp)
        # Eastward ground speed of the site, ω_E R_E cos φ (|z × ŝ| = cos φ, geocentric).
        u = EARTH_ROTATION_RAD_S * EARTH_RADIUS_KM * np.hypot(s_hat[0], s_hat[1])
        a_i = np.radians(azimuth)
        azimuth = np.degrees(np.arctan2(v_park * np.sin(a_i) - u, v_park * np.cos(a_i))) % 360
    lo, hi = azimuth_limits_deg
    inside = (azimuth >= lo) & (azimuth <= hi)
    if max_liftoff_to_tli_min is not None:
        inside &= ASCENT_MIN + coast_s / 60.0 <= max_liftoff_to_tli_min
    windows: list[LunarWindow] = []
    idx = np.flatnonzero(inside)
    if idx.size == 0:
        return windows
    breaks = np.flatnonzero(np.diff(idx) > 1)
    for run in np.split(idx, breaks + 1):
        mid = int(run[len(run) // 2])
        tli = launch(mid) + timedelta(seconds=ASCENT_MIN * 60 + float(coast_s[mid]))
        arrival = tli + timedelta(days=used_days)
        dec = float(np.degrees(np.arcsin(m_hat[2, mid])))
        # Arrival velocity of the conic (radial, transverse) minus the Moon's velocity.
        a_c = 1.0 / (2.0 / rp - vp**2 / MU_EARTH_KM3_S2)
        e_c = rp * vp**2 / MU_EARTH_KM3_S2 - 1.0
        h_p = np.sqrt(MU_EARTH_KM3_S2 / (a_c * (1 - e_c**2)))
        radial = m_hat[:, mid]
        transverse = np.cross(normal[:, mid], radial)
        if np.dot(transverse, along[:, mid]) < 0:
            transverse = -transverse
        v_sc = h_p * (e_c * np.sin(nu) * radial + (1 + e_c * np.cos(nu)) * transverse)
        # TLI point: the conic's true anomaly ν behind the arrival Moon, in the plane.
        tli_angle = float(angle_moon[mid]) - nu
        p_hat = np.cos(tli_angle) * s_hat[:, mid] + np.sin(tli_angle) * along[:, mid]
        q_hat = -np.sin(tli_angle) * s_hat[:, mid] + np.cos(tli_angle) * along[:, mid]
        t_arr = offs_s[mid] + ASCENT_MIN * 60 + coast_s[mid] + used_days * 86400
        v_inf = float(np.linalg.norm(v_sc - moon_at(t_arr, 1)))
        windows.append(
            LunarWindow(
                open_utc=launch(int(run[0])),
                close_utc=launch(int(run[-1])) + timedelta(seconds=STEP_S),
                tli_utc=tli,
                arrival_utc=arrival,
                tli_dv_km_s=float(vp - np.sqrt(MU_EARTH_KM3_S2 / rp)),
                moon_dec_deg=dec,
                azimuth_open_deg=float(azimuth[run[0]]),
                azimuth_close_deg=float(azimuth[run[-1]]),
                transfer_days=float(used_days),
                v_inf_km_s=v_inf,
                tli_position_km=tuple(float(x) for x in rp * p_hat),  # type: ignore[arg-type]
                tli_velocity_km_s=tuple(float(x) for x in vp * q_hat),  # type: ignore[arg-type]
            )
        )
    return windows
