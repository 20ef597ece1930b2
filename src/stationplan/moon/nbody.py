"""n-body refinement of a patched-conic Earth–Moon transfer, and the free-return check.

Dynamics: Earth-centred (GCRS axes, quasi-inertial), Earth point mass plus the Moon's and the
Sun's third-body accelerations μ_k ((r_k − r)/|r_k − r|³ − r_k/|r_k|³) (Battin 1999 eq. 8.60
form), Moon and Sun geometric positions from JPL DE421 (Skyfield; hourly samples,
cubic-spline interpolated), integrated with scipy ``solve_ivp`` (DOP853, rtol 1e-10). No Earth
oblateness, no solar pressure (both far below the targeting accuracy asked for here).

Targeting: the patched conic aims at the Moon's centre, so in the n-body problem the
trajectory must be moved off it to pass at the target perilune altitude. The B-vector of the
Moon-relative approach hyperbola (B = b Ŝ × ĥ, b = h / v∞; Kizner 1961; Vallado 2013 §12.6)
is taken in the (T, R) frame with T̂ ∥ Ŝ × n̂ (n̂ the transfer plane's normal); the perilune
radius r_p fixes |B| = r_p sqrt(1 + 2μ/(r_p v∞²)). The one unknown is an along-track velocity
correction at TLI (m/s); it moves B along a nearly straight line in the B-plane, and secant
iterations find where that line meets |B| = b on the chosen side; first on the osculating hyperbola at the sphere-of-influence entry (66,000
km, no close passage), then on the state at the real perilune of the full integration. An
out-of-plane correction at TLI is not used: for a ~180° transfer a plane rotation about the
TLI radius barely moves the arrival point (found numerically: ~4 km per m/s), so B·R is left
as the n-body dynamics make it (a few hundred km).

Free return: a free return need not pass in the transfer plane (Apollo 8's day needs a pass
~5,000 km out of it), so the check uses two TLI controls — the along-track correction and a
shift of the TLI point along the circular parking orbit (±50 min at most) — to put B anywhere
on the perilune circle (:func:`_target_b_point`, 2-D Newton). For perilune altitudes 111,
1,000, 3,000, 8,000, 15,000 and 25,000 km (lowest first; Chang'e-5-T1 flew by at ~13,000 km,
Seradata 2014) the B-point is walked around the circle in 30° steps, each trajectory continued
without any burn for 7 days after perilune; the transfer is a free return when one comes back
to an Earth vacuum perigee altitude ≤ 200 km (a return below the surface counts too: the
return perigee is continuous on the circle, and other angles pass far from the Earth, so the
corridor lies between). Without one, a golden-section search refines the angle around the
closest return. Apollo's entry corridor targets were a vacuum perigee of ~40–70 km; 200 km is
a band for the coarse steps. The flag is a capability of the window's transfer, not a
statement of what a mission flew: with perilunes up to 25,000 km most direct transfers allow
one, so the perilune altitude of the free return found is reported with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from scipy.integrate import solve_ivp
from scipy.interpolate import CubicSpline

from stationplan.moon.ephemeris import de421
from stationplan.moon.frames import MOON_RADIUS_KM
from stationplan.moon.relay import MU_EARTH_KM3_S2, MU_MOON_KM3_S2, MU_SUN_KM3_S2
from stationplan.moon.transfer import EARTH_RADIUS_KM, LunarWindow
from stationplan.orbit.timescale import timescale

__all__ = ["RefinedTransfer", "cheapest_refinement", "free_return", "refine_transfer"]

#: Radius of the Moon's sphere of influence, km (Laplace, (μ_M/μ_E)^(2/5) × 384,400 km).
SOI_KM = 66_000.0
#: Earth vacuum perigee altitude (km) at or below which a return counts as a free return.
FREE_RETURN_PERIGEE_ALT_KM = 200.0


@dataclass(frozen=True)
class RefinedTransfer:
    """A transfer refined in the n-body model (times UTC)."""

    tli_utc: datetime
    tli_dv_km_s: float  # impulsive TLI Δv from the circular parking orbit, after the correction
    correction_m_s: float  # |velocity correction| added to the patched-conic TLI
    perilune_utc: datetime
    perilune_alt_km: float
    arrival_shift_h: float  # perilune time minus the patched-conic arrival, hours
    side: int  # +1 / −1: which of the two perilune solutions (see ``refine_transfer``)
    return_perigee_alt_km: float | None  # None when not continued


class _Ephemeris:
    """Geocentric Moon and Sun positions (km, GCRS) as cubic splines in seconds from t0."""

    def __init__(self, t0: datetime, days: float) -> None:
        ts = timescale()
        eph = de421()
        grid_s = np.arange(-3600.0, days * 86400.0 + 7200.0, 3600.0)
        t = ts.from_datetime(t0)
        times = ts.tt_jd(t.tt + grid_s / 86400.0)
        earth = eph["earth"].at(times).position.km
        moon = eph["moon"].at(times).position.km - earth
        sun = eph["sun"].at(times).position.km - earth
        self.moon = CubicSpline(grid_s, moon.T)
        self.sun = CubicSpline(grid_s, sun.T)


def _rhs(eph: _Ephemeris):  # type: ignore[no-untyped-def]
    def f(t: float, y: np.ndarray) -> np.ndarray:
        r = y[:3]
        rm, rs = eph.moon(t), eph.sun(t)
        dm, ds = rm - r, rs - r
        acc = -MU_EARTH_KM3_S2 * r / np.dot(r, r) ** 1.5
        acc += MU_MOON_KM3_S2 * (dm / np.dot(dm, dm) ** 1.5 - rm / np.dot(rm, rm) ** 1.5)
        acc += MU_SUN_KM3_S2 * (ds / np.dot(ds, ds) ** 1.5 - rs / np.dot(rs, rs) ** 1.5)
        return np.concatenate([y[3:], acc])

    return f


def _propagate(eph: _Ephemeris, y0: np.ndarray, t_end_s: float, events=None, t0_s: float = 0.0):  # type: ignore[no-untyped-def]
    return solve_ivp(
        _rhs(eph), (t0_s, t_end_s), y0, method="DOP853", rtol=1e-10, atol=1e-6,
        events=events, dense_output=False,
    )  # fmt: skip


def _b_vector(
    eph: _Ephemeris, t_s: float, y: np.ndarray, plane_normal: np.ndarray
) -> tuple[np.ndarray, float, float]:
    """(B·T, B·R) km, v∞ km/s and the time (s) to perilune of the osculating Moon-relative
    hyperbola at state ``y`` (GCRS, Earth-centred) at ``t_s``; T̂ = Ŝ × ``plane_normal``
    (the transfer plane's normal), so θ = 0°/180° keep the flyby in the transfer plane."""
    rm = eph.moon(t_s)
    vm = eph.moon(t_s, 1)
    r, v = y[:3] - rm, y[3:] - vm
    mu = MU_MOON_KM3_S2
    h = np.cross(r, v)
    energy = np.dot(v, v) / 2 - mu / np.linalg.norm(r)
    v_inf = float(np.sqrt(max(2.0 * float(energy), 1e-8)))
    e_vec = np.cross(v, h) / mu - r / np.linalg.norm(r)
    e = float(np.linalg.norm(e_vec))
    e_hat, h_hat = e_vec / e, h / np.linalg.norm(h)
    s_hat = (e_hat + np.sqrt(max(e**2 - 1.0, 0.0)) * np.cross(h_hat, e_hat)) / e
    b = np.linalg.norm(h) / v_inf
    b_vec = b * np.cross(s_hat, h_hat)
    t_hat = np.cross(s_hat, plane_normal)
    t_hat /= np.linalg.norm(t_hat)
    r_hat = np.cross(s_hat, t_hat)
    # Time to perilune on the hyperbola (Vallado 2013 §2.2, hyperbolic Kepler equation).
    a = -mu / (2 * energy) if energy > 0 else -1e9
    cosh_f = (1 - np.linalg.norm(r) / a) / e
    big_f = np.arccosh(max(cosh_f, 1.0)) * (-1.0 if np.dot(r, v) < 0 else 1.0)
    to_peri = -(e * np.sinh(big_f) - big_f) * np.sqrt((-a) ** 3 / mu)
    return np.array([np.dot(b_vec, t_hat), np.dot(b_vec, r_hat)]), float(v_inf), float(to_peri)


def _leg(eph: _Ephemeris, y0: np.ndarray, horizon_s: float, at_perilune: bool, t0_s: float = 0.0):  # type: ignore[no-untyped-def]
    """Integrate from ``t0_s`` to the SOI entry (or to perilune); return (t_s, state) or None."""

    def soi(t: float, y: np.ndarray) -> float:
        return float(np.linalg.norm(y[:3] - eph.moon(t)) - SOI_KM)

    def peri(t: float, y: np.ndarray) -> float:
        d = y[:3] - eph.moon(t)
        return float(np.dot(d, y[3:] - eph.moon(t, 1)))

    soi.terminal, soi.direction = True, -1  # type: ignore[attr-defined]
    sol = _propagate(eph, y0, horizon_s, events=[soi], t0_s=t0_s)
    if sol.t_events[0].size == 0:
        return None
    t1, y1 = float(sol.t_events[0][0]), sol.y_events[0][0]
    if not at_perilune:
        return t1, y1
    peri.terminal, peri.direction = True, 1  # type: ignore[attr-defined]
    sol2 = solve_ivp(
        _rhs(eph), (t1, horizon_s), y1, method="DOP853", rtol=1e-10, atol=1e-6, events=[peri]
    )
    if sol2.t_events[0].size == 0:
        return None
    return float(sol2.t_events[0][0]), sol2.y_events[0][0]


def refine_transfer(
    window: LunarWindow,
    perilune_alt_km: float = 111.0,
    side: int = 1,
    continue_days: float = 0.0,
    _eph: _Ephemeris | None = None,
) -> RefinedTransfer | None:
    """Refine the window's patched-conic TLI so the n-body trajectory passes the Moon at
    ``perilune_alt_km`` on the ``side`` (+1 / −1: the two crossings of |B| = b along the line
    the along-track correction moves B on, see the module text); ``continue_days`` > 0 continues past perilune and reports the lowest
    Earth perigee altitude reached. None when the trajectory misses the Moon's sphere of
    influence or the search fails."""
    if window.tli_position_km is None or window.tli_velocity_km_s is None:
        raise ValueError("the window carries no TLI state")
    horizon_s = (window.transfer_days + 2.0) * 86400.0
    eph = _eph or _Ephemeris(window.tli_utc, window.transfer_days + 2.0 + continue_days)
    r0 = np.array(window.tli_position_km)
    v0 = np.array(window.tli_velocity_km_s)
    t_dir = v0 / np.linalg.norm(v0)
    n_dir = np.cross(r0, v0)
    n_dir /= np.linalg.norm(n_dir)
    rp = MOON_RADIUS_KM + perilune_alt_km

    def b_plane(
        x_m_s: float, at_perilune: bool
    ) -> tuple[np.ndarray, float, float, np.ndarray] | None:
        y0 = np.concatenate([r0, v0 + x_m_s * t_dir / 1000.0])
        leg = _leg(eph, y0, horizon_s, at_perilune)
        if leg is None:
            return None
        t1, y1 = leg
        b, v_inf, _ = _b_vector(eph, t1, y1, n_dir)
        b_target = rp * np.sqrt(1 + 2 * MU_MOON_KM3_S2 / (rp * v_inf**2))
        return b, float(b_target), t1, y1

    # The along-track correction moves B along a nearly straight line in the B-plane (its
    # direction d from a finite difference); the perilune is reached where |B| = b on that
    # line, on the ``side`` of sign(B·d). Secant iterations on sign(B·d)|B| − side·b (m/s,
    # km), first on the osculating hyperbola at the sphere-of-influence entry, then on the
    # state at the real perilune of the full integration.
    x = 0.0
    direction = None
    for at_perilune in (False, True):
        first = b_plane(x, at_perilune)
        if first is None:
            return None
        if direction is None:
            probe = b_plane(x + 0.5, at_perilune)
            if probe is None:
                return None
            direction = probe[0] - first[0]
            direction = direction / np.linalg.norm(direction)

        def g(item: tuple[np.ndarray, float, float, np.ndarray], d: np.ndarray) -> float:
            b, b_target = item[0], item[1]
            return float(np.sign(np.dot(b, d)) * np.linalg.norm(b) - side * b_target)

        x_prev, f_prev = x, g(first, direction)
        x = x + 0.5 * side
        for _ in range(15):
            item = b_plane(x, at_perilune)
            if item is None:
                return None
            f = g(item, direction)
            if abs(f) < 0.5:  # km in the B-plane
                break
            if f == f_prev:
                return None
            x, x_prev, f_prev = x - f * (x - x_prev) / (f - f_prev), x, f
        else:
            return None

    def residual(x_m_s: float, at_perilune: bool) -> tuple[float, float, np.ndarray] | None:
        item = b_plane(x_m_s, at_perilune)
        return None if item is None else (0.0, item[2], item[3])

    final = residual(x, True)
    if final is None:
        return None
    _, t_peri, y_peri = final
    alt = float(np.linalg.norm(y_peri[:3] - eph.moon(t_peri)) - MOON_RADIUS_KM)
    v_tli = v0 + x * t_dir / 1000.0
    v_circ = np.sqrt(MU_EARTH_KM3_S2 / np.linalg.norm(r0))
    perilune = window.tli_utc + timedelta(seconds=t_peri)
    return_alt = None
    if continue_days > 0:
        sol = solve_ivp(
            _rhs(eph), (t_peri, t_peri + continue_days * 86400.0), y_peri, method="DOP853",
            rtol=1e-10, atol=1e-6, max_step=3600.0,
        )  # fmt: skip
        return_alt = float(np.min(np.linalg.norm(sol.y[:3], axis=0)) - EARTH_RADIUS_KM)
    return RefinedTransfer(
        tli_utc=window.tli_utc,
        tli_dv_km_s=float(np.linalg.norm(v_tli) - v_circ),
        correction_m_s=abs(x),
        perilune_utc=perilune,
        perilune_alt_km=alt,
        arrival_shift_h=(perilune - window.arrival_utc).total_seconds() / 3600.0,
        side=side,
        return_perigee_alt_km=return_alt,
    )


def cheapest_refinement(
    window: LunarWindow, perilune_alt_km: float = 111.0
) -> RefinedTransfer | None:
    """The refinement to ``perilune_alt_km`` on whichever side needs the smaller TLI
    correction (None when neither converges)."""
    eph = _Ephemeris(window.tli_utc, window.transfer_days + 2.0)
    found = [refine_transfer(window, perilune_alt_km, side, _eph=eph) for side in (1, -1)]
    fits = [r for r in found if r is not None]
    return min(fits, key=lambda r: r.correction_m_s) if fits else None


#: Perilune altitudes (km) stepped through by the free-return check.
FREE_RETURN_PERILUNES_KM = (111.0, 1000.0, 3000.0, 8000.0, 15000.0, 25000.0)
#: Angles (deg) of the B-plane point on the perilune circle stepped through by the check,
#: from the transfer plane's T axis (0° and 180° are the two in-plane passes).
FREE_RETURN_B_ANGLES_DEG = tuple(float(a) for a in range(0, 360, 30))
#: Bounds of the free-return search's TLI controls: along-track correction (m/s) and shift
#: of the TLI point along the circular parking orbit (s; the Apollo TLI could come on the
#: first or second revolution, ~88 min apart).
MAX_FREE_RETURN_CORRECTION_M_S = 200.0
MAX_TLI_SHIFT_S = 3000.0


def _rotate(v: np.ndarray, axis: np.ndarray, angle_rad: float) -> np.ndarray:
    """``v`` rotated by ``angle_rad`` about the unit ``axis`` (Rodrigues' formula)."""
    return (
        v * np.cos(angle_rad)
        + np.cross(axis, v) * np.sin(angle_rad)
        + axis * np.dot(axis, v) * (1.0 - np.cos(angle_rad))
    )


@dataclass(frozen=True)
class _Targeted:
    controls: np.ndarray  # (along-track correction m/s, TLI shift s)
    tli_s: float  # TLI epoch, s after the window's TLI
    tli_velocity_km_s: np.ndarray
    perilune_s: float
    perilune_state: np.ndarray


def _target_b_point(
    window: LunarWindow,
    eph: _Ephemeris,
    perilune_alt_km: float,
    theta_rad: float,
    start: np.ndarray,
) -> _Targeted | None:
    """Two TLI controls — an along-track velocity correction x (m/s) and a shift τ (s) of the
    TLI point along the circular parking orbit (position and velocity rotated by the orbit's
    mean motion × τ about its normal) — put the Moon-relative B-vector on the perilune circle
    at angle θ: (B·T, B·R) = b (cos θ, sin θ), b from ``perilune_alt_km`` as in
    :func:`refine_transfer`. Newton iterations with a forward-difference Jacobian (steps
    0.5 m/s, 5 s), first on the osculating hyperbola at the SOI entry, then at the real
    perilune. None when an iterate misses the Moon or leaves the control bounds."""
    r0 = np.array(window.tli_position_km)
    v0 = np.array(window.tli_velocity_km_s)
    normal = np.cross(r0, v0)
    normal /= np.linalg.norm(normal)
    mean_motion = np.sqrt(MU_EARTH_KM3_S2 / np.linalg.norm(r0) ** 3)
    rp = MOON_RADIUS_KM + perilune_alt_km
    horizon_s = (window.transfer_days + 2.0) * 86400.0
    target_dir = np.array([np.cos(theta_rad), np.sin(theta_rad)])

    def start_state(u: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        angle = mean_motion * u[1]
        r, v = _rotate(r0, normal, angle), _rotate(v0, normal, angle)
        v = v + u[0] * v / np.linalg.norm(v) / 1000.0
        return float(u[1]), r, v

    def residual(u: np.ndarray, at_perilune: bool):  # type: ignore[no-untyped-def]
        t0, r, v = start_state(u)
        leg = _leg(eph, np.concatenate([r, v]), horizon_s, at_perilune, t0_s=t0)
        if leg is None:
            return None
        t1, y1 = leg
        b, v_inf, _ = _b_vector(eph, t1, y1, normal)
        b_target = rp * np.sqrt(1 + 2 * MU_MOON_KM3_S2 / (rp * v_inf**2))
        return b - b_target * target_dir, t1, y1

    u = np.array(start, dtype=float)
    steps = (0.5, 5.0)
    limits = np.array([MAX_FREE_RETURN_CORRECTION_M_S, MAX_TLI_SHIFT_S])
    found = None
    for at_perilune in (False, True):
        for _ in range(25):
            found = residual(u, at_perilune)
            if found is None:
                return None
            if np.hypot(*found[0]) < 0.5:  # km in the B-plane
                break
            jac = np.empty((2, 2))
            for k, h in enumerate(steps):
                du = np.zeros(2)
                du[k] = h
                probe = residual(u + du, at_perilune)
                if probe is None:
                    return None
                jac[:, k] = (probe[0] - found[0]) / h
            try:
                step = np.linalg.solve(jac, -found[0])
            except np.linalg.LinAlgError:
                return None
            scale = np.max(np.abs(step) / np.array([50.0, 900.0]))  # damping
            u = u + (step / scale if scale > 1.0 else step)
            if np.any(np.abs(u) > limits):
                return None
        else:
            return None
    assert found is not None
    _, t_peri, y_peri = found
    t0, _, v = start_state(u)
    return _Targeted(u, t0, v, float(t_peri), np.asarray(y_peri))


def _return_perigee_alt_km(eph: _Ephemeris, t_s: float, y: np.ndarray, days: float) -> float:
    """Lowest Earth altitude (km) over ``days`` of burn-free flight from state ``y``."""
    sol = solve_ivp(
        _rhs(eph), (t_s, t_s + days * 86400.0), y, method="DOP853", rtol=1e-10, atol=1e-6,
        max_step=3600.0,
    )  # fmt: skip
    return float(np.min(np.linalg.norm(sol.y[:3], axis=0)) - EARTH_RADIUS_KM)


def free_return(window: LunarWindow) -> tuple[bool, RefinedTransfer | None]:
    """Whether the window's transfer can be flown as a free return (module text): (flag, the
    first searched transfer whose burn-free return reaches a perigee altitude ≤ 200 km — it
    may be below the surface, then a neighbouring B-point meets the corridor since the return
    perigee is continuous — or, when none does, the transfer whose return came closest)."""
    eph = _Ephemeris(window.tli_utc, window.transfer_days + 10.0)
    r0 = np.array(window.tli_position_km)
    v_circ = np.sqrt(MU_EARTH_KM3_S2 / np.linalg.norm(r0))
    closest: RefinedTransfer | None = None

    def visit(
        alt_km: float, theta_deg: float, start: np.ndarray
    ) -> tuple[np.ndarray, RefinedTransfer] | None:
        """Target the B-point, fly the return; (controls, transfer) or None."""
        nonlocal closest
        hit = _target_b_point(window, eph, alt_km, np.radians(theta_deg), start)
        if hit is None and np.any(start != 0.0):
            hit = _target_b_point(window, eph, alt_km, np.radians(theta_deg), np.zeros(2))
        if hit is None:
            return None
        perigee = _return_perigee_alt_km(eph, hit.perilune_s, hit.perilune_state, 7.0)
        moon_alt = float(
            np.linalg.norm(hit.perilune_state[:3] - eph.moon(hit.perilune_s)) - MOON_RADIUS_KM
        )
        perilune = window.tli_utc + timedelta(seconds=hit.perilune_s)
        refined = RefinedTransfer(
            tli_utc=window.tli_utc + timedelta(seconds=hit.tli_s),
            tli_dv_km_s=float(np.linalg.norm(hit.tli_velocity_km_s) - v_circ),
            correction_m_s=abs(float(hit.controls[0])),
            perilune_utc=perilune,
            perilune_alt_km=moon_alt,
            arrival_shift_h=(perilune - window.arrival_utc).total_seconds() / 3600.0,
            side=1 if np.cos(np.radians(theta_deg)) >= 0 else -1,
            return_perigee_alt_km=perigee,
        )
        if closest is None or abs(perigee - 100.0) < abs(
            (closest.return_perigee_alt_km or np.inf) - 100.0
        ):
            closest = refined
        return hit.controls, refined

    def returns(found: RefinedTransfer) -> bool:
        perigee = found.return_perigee_alt_km
        return perigee is not None and perigee <= FREE_RETURN_PERIGEE_ALT_KM

    # Coarse grid, lowest perilune first: at each altitude the B-point is walked around the
    # circle from the in-plane pass (each solve starts from the previous angle's controls).
    coarse: dict[tuple[float, float], float] = {}
    for alt_km in FREE_RETURN_PERILUNES_KM:
        start = np.zeros(2)
        for theta_deg in FREE_RETURN_B_ANGLES_DEG:
            got = visit(alt_km, theta_deg, start)
            if got is None:
                start = np.zeros(2)
                continue
            start, found = got
            if returns(found):
                return True, found
            coarse[(alt_km, theta_deg)] = float(found.return_perigee_alt_km or np.inf)
    if not coarse:
        return False, None
    # The return perigee is continuous in (altitude, angle): refine the angle around the
    # coarse minimum (golden-section search over ± one grid step).
    alt_km, centre_deg = min(coarse, key=lambda k: coarse[k])
    step = FREE_RETURN_B_ANGLES_DEG[1] - FREE_RETURN_B_ANGLES_DEG[0]
    low, high = centre_deg - step, centre_deg + step
    ratio = (np.sqrt(5.0) - 1.0) / 2.0
    for _ in range(8):
        a, b = high - ratio * (high - low), low + ratio * (high - low)
        values = []
        for theta_deg in (a, b):
            got = visit(alt_km, theta_deg, np.zeros(2))
            if got is not None and returns(got[1]):
                return True, got[1]
            values.append(np.inf if got is None else float(got[1].return_perigee_alt_km or np.inf))
        if values[0] < values[1]:
            high = b
        else:
            low = a
    return False, closest
