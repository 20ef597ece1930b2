"""A relay satellite in lunar orbit: Queqiao-2-like 24 h frozen elliptical orbit.

Default elements (an assumption where marked): periapsis × apoapsis altitude 200 × 16,000 km
and period 24 h (SpaceNews via gagadget.com/en/424558; China Daily 2024-03-26), inclination
62.4° to the lunar equator (Wikipedia-derived summary, low confidence), argument of periapsis
90° so the apoapsis dwells over the south (assumption: the relay serves far-side and
south-polar landers), RAAN 0° and periapsis passage at the epoch (assumptions). The semi-major
axis is taken from the 24 h period (Kepler's third law, μ_Moon = 4902.800066 km³/s²,
DE421), which puts the apoapsis at ~15,830 km altitude.

Frame: Moon-centred, axes of the lunar mean-Earth frame (see frames.py) frozen at the epoch;
the epoch is the first instant asked for (the orbit's phase on a given day is not public).
Propagation: Moon point mass plus Earth and Sun third-body perturbations (DE421, Battin 1999
eq. 8.60 form), scipy ``solve_ivp`` DOP853 (rtol 1e-10).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp
from scipy.interpolate import CubicSpline

from stationplan.moon.frames import MOON_RADIUS_KM

__all__ = ["MU_EARTH_KM3_S2", "MU_MOON_KM3_S2", "MU_SUN_KM3_S2", "RelayOrbit", "propagate_relay"]

#: Gravitational parameters, km³/s² (DE421 / IAU 2009 values).
MU_MOON_KM3_S2 = 4902.800066
MU_EARTH_KM3_S2 = 398600.435436
MU_SUN_KM3_S2 = 132712440041.9394


@dataclass(frozen=True)
class RelayOrbit:
    """Keplerian elements of a relay orbit (km, deg) in the Moon-centred frame above."""

    name: str = "Queqiao-2-like 24 h frozen orbit"
    periapsis_alt_km: float = 200.0
    period_h: float = 24.0
    inclination_deg: float = 62.4
    raan_deg: float = 0.0
    arg_periapsis_deg: float = 90.0
    true_anomaly_deg: float = 0.0

    def semi_major_axis_km(self) -> float:
        n = 2.0 * np.pi / (self.period_h * 3600.0)
        return float((MU_MOON_KM3_S2 / n**2) ** (1.0 / 3.0))

    def state_km(self) -> np.ndarray:
        """Position (km) and velocity (km/s) at the epoch (Vallado 2013, alg. 10)."""
        a = self.semi_major_axis_km()
        rp = MOON_RADIUS_KM + self.periapsis_alt_km
        e = 1.0 - rp / a
        p = a * (1.0 - e**2)
        nu = np.radians(self.true_anomaly_deg)
        r_pf = p / (1 + e * np.cos(nu)) * np.array([np.cos(nu), np.sin(nu), 0.0])
        v_pf = np.sqrt(MU_MOON_KM3_S2 / p) * np.array([-np.sin(nu), e + np.cos(nu), 0.0])
        o, i, w = np.radians([self.raan_deg, self.inclination_deg, self.arg_periapsis_deg])

        def r3(x: float) -> np.ndarray:
            return np.array([[np.cos(x), -np.sin(x), 0], [np.sin(x), np.cos(x), 0], [0, 0, 1]])

        def r1(x: float) -> np.ndarray:
            return np.array([[1, 0, 0], [0, np.cos(x), -np.sin(x)], [0, np.sin(x), np.cos(x)]])

        q = r3(o) @ r1(i) @ r3(w)
        return np.concatenate([q @ r_pf, q @ v_pf])


def _third_body(r: np.ndarray, body: np.ndarray, mu: float) -> np.ndarray:
    d = body - r
    return mu * (d / np.linalg.norm(d) ** 3 - body / np.linalg.norm(body) ** 3)


def propagate_relay(
    orbit: RelayOrbit,
    t_s: np.ndarray,
    grid_s: np.ndarray,
    earth_km: np.ndarray,
    sun_km: np.ndarray,
) -> np.ndarray:
    """Relay positions (km, shape (n, 3)) at ``t_s`` (s after the epoch 0, sorted, ≥ 0).

    ``earth_km``, ``sun_km``: (m, 3) Earth and Sun from the Moon at ``grid_s`` (s, m ≥ 4,
    spanning ``t_s``) in the same frame as the elements; cubic splines inside the integrator.
    """
    t_s = np.asarray(t_s, dtype=float)
    y0 = orbit.state_km()
    if t_s[-1] <= 0.0:
        return np.tile(y0[:3], (t_s.size, 1))
    earth = CubicSpline(grid_s, earth_km)
    sun = CubicSpline(grid_s, sun_km)

    def rhs(t: float, y: np.ndarray) -> np.ndarray:
        r = y[:3]
        e = earth(t)
        s = sun(t)
        acc = -MU_MOON_KM3_S2 * r / np.linalg.norm(r) ** 3
        acc = acc + _third_body(r, e, MU_EARTH_KM3_S2) + _third_body(r, s, MU_SUN_KM3_S2)
        return np.concatenate([y[3:], acc])

    sol = solve_ivp(rhs, (0.0, t_s[-1]), y0, method="DOP853", t_eval=t_s, rtol=1e-10, atol=1e-6)
    if not sol.success:  # pragma: no cover - the integrator does not fail on this problem
        raise RuntimeError(f"relay propagation failed: {sol.message}")
    return np.asarray(sol.y[:3].T)
