"""Orbit decay by atmospheric drag (NRLMSIS 2.1 via pymsis), and reboost arithmetic.

Model (near-circular orbit, mean elements):

- State: the mean semi-major axis ``a`` (SGP4's Brouwer mean ``Satrec.a`` when started
  from an element set). ``altitude_km`` is ``a`` minus the equatorial radius (WGS-72,
  6378.135 km): the usual "mean altitude" of a station.
- Decay: for a circular orbit the drag acceleration ``-1/2 rho (Cd A/m) |v_r| v_r``
  (``v_r`` the velocity relative to an atmosphere co-rotating with the Earth) changes the
  semi-major axis by Gauss's equation ``da/dt = 2 a^2 (v . f) / mu``, which gives

      da/dt = -(Cd A / m) sqrt(mu a) <rho F>,   F = |v_r| (v . v_r) / v^3

  (Vallado, *Fundamentals of Astrodynamics and Applications*, 4th ed., sec. 9.6, eq. 9-57
  with the change per revolution ``-2 pi (Cd A/m) rho a^2``; King-Hele, *Satellite Orbits
  in an Atmosphere*, 1987, ch. 3: ``F ~ (1 - r w cos i / v)^2 ~ 0.91`` for the stations).
  ``<rho F>`` is averaged over points spread around the orbit and through each UTC day
  (:class:`DensityGrid`); NRLMSIS needs geodetic position, time and the indices of
  :mod:`stationplan.orbit.spaceweather`, always passed explicitly (pymsis downloads otherwise).
- The orbit plane turns with the J2 secular node rate (Vallado eq. 9-41), which sets the
  local solar time the orbit samples (the diurnal bulge).
- Integration: classical RK4 with daily steps over a density held constant through each
  UTC day and log-linear in altitude between table levels (10 km apart). The altitude
  changes by at most ~1 km a day against a density scale height of ~50 km, so the daily
  step agrees with hourly steps to < 1e-4 of the decay (tested).

Reboost: a Hohmann transfer between circular orbits (Vallado Algorithm 36), propellant by
the rocket equation ``m_p = m0 (1 - exp(-dv / (Isp g0)))`` (Tsiolkovsky).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import numpy as np
import pymsis
from sgp4.api import Satrec
from skyfield.sgp4lib import theta_GMST1982

from stationplan.errors import InfeasibleError, InputError
from stationplan.orbit.geometry import EARTH_RADIUS_KM, EARTH_ROTATION_RAD_S, J2, MU_KM3_S2
from stationplan.orbit.spaceweather import ConstantActivity, IndexTable, as_datetime64
from stationplan.orbit.timescale import epoch_jd, jd_to_datetime

#: Standard gravity for the rocket equation, m/s^2 (CGPM 1901).
G0_M_S2 = 9.80665
#: WGS84 ellipsoid (NRLMSIS takes geodetic coordinates): equatorial radius km, flattening.
WGS84_A_KM = 6378.137
WGS84_F = 1.0 / 298.257223563
#: Points sampled per day for the orbit-and-day average of density (see DensityGrid).
SAMPLES_PER_DAY = 16
#: Altitude spacing of the density table, km.
LEVEL_STEP_KM = 10.0


def raan_rate_deg_per_day(altitude_km: float, inclination_deg: float) -> float:
    """Secular J2 node rate of a circular orbit, deg/day (Vallado 4th ed. eq. 9-41).

    ``dOmega/dt = -3/2 n J2 (R/p)^2 cos i`` with ``p = a`` for a circular orbit.
    """
    a_km = EARTH_RADIUS_KM + altitude_km
    n_rad_s = math.sqrt(MU_KM3_S2 / a_km**3)
    rate = (
        -1.5
        * n_rad_s
        * J2
        * (EARTH_RADIUS_KM / a_km) ** 2
        * math.cos(math.radians(inclination_deg))
    )
    return math.degrees(rate) * 86400.0


def circular_orbit_points(
    radius_km: np.ndarray, inclination_deg: float, raan_deg: np.ndarray, u_rad: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Inertial (TEME) position km and velocity km/s on circular orbits, shape (n, 3).

    ``u_rad`` is the argument of latitude; Vallado 4th ed. eq. 2-? (perifocal to
    geocentric rotation with ``omega = 0``, ``nu = u``).
    """
    inc = math.radians(inclination_deg)
    node = np.radians(raan_deg)
    cu, su, cn, sn = np.cos(u_rad), np.sin(u_rad), np.cos(node), np.sin(node)
    ci, si = math.cos(inc), math.sin(inc)
    unit_r = np.stack([cn * cu - sn * su * ci, sn * cu + cn * su * ci, su * si], axis=-1)
    unit_t = np.stack([-cn * su - sn * cu * ci, -sn * su + cn * cu * ci, cu * si], axis=-1)
    speed = np.sqrt(MU_KM3_S2 / radius_km)
    return unit_r * radius_km[..., None], unit_t * speed[..., None]


def geodetic_from_ecef(r_ecef_km: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """WGS84 geodetic (longitude deg, latitude deg, height km) from Earth-fixed km.

    Bowring's (1976) one-step formula; error below 1 m at LEO heights.
    """
    x, y, z = r_ecef_km[..., 0], r_ecef_km[..., 1], r_ecef_km[..., 2]
    a = WGS84_A_KM
    b = a * (1.0 - WGS84_F)
    e2 = WGS84_F * (2.0 - WGS84_F)
    ep2 = e2 / (1.0 - e2)
    p = np.hypot(x, y)
    theta = np.arctan2(z * a, p * b)
    lat = np.arctan2(z + ep2 * b * np.sin(theta) ** 3, p - e2 * a * np.cos(theta) ** 3)
    n = a / np.sqrt(1.0 - e2 * np.sin(lat) ** 2)
    height = p / np.cos(lat) - n
    return np.degrees(np.arctan2(y, x)), np.degrees(lat), height


def _gmst_rad(when: np.ndarray) -> np.ndarray:
    """GMST 1982 at UTC times (datetime64[s]); UT1-UTC (< 0.9 s) is neglected."""
    unix_s = when.astype(np.int64).astype(float)
    days = np.floor(unix_s / 86400.0)
    theta, _ = theta_GMST1982(2440587.5 + days, (unix_s - days * 86400.0) / 86400.0)
    return theta


def drag_samples(
    times: np.ndarray,
    radius_km: np.ndarray,
    inclination_deg: float,
    raan_deg: np.ndarray,
    u_rad: np.ndarray,
    activity: IndexTable | ConstantActivity,
) -> np.ndarray:
    """``rho F`` (kg/m^3) at points of circular orbits: NRLMSIS 2.1 density times F.

    ``F = |v_r| (v . v_r) / v^3`` with ``v_r = v - w x r`` (atmosphere co-rotating with the
    Earth, winds neglected); see the module docstring. All inputs broadcast to shape (n,).
    """
    r_eci, v_eci = circular_orbit_points(radius_km, inclination_deg, raan_deg, u_rad)
    omega = np.array([0.0, 0.0, EARTH_ROTATION_RAD_S])
    v_rel = v_eci - np.cross(omega, r_eci)
    speed = np.linalg.norm(v_eci, axis=-1)
    factor = np.linalg.norm(v_rel, axis=-1) * np.einsum("ij,ij->i", v_eci, v_rel) / speed**3
    theta = _gmst_rad(times)
    c, s = np.cos(theta), np.sin(theta)
    r_ecef = np.stack(
        [c * r_eci[:, 0] + s * r_eci[:, 1], -s * r_eci[:, 0] + c * r_eci[:, 1], r_eci[:, 2]],
        axis=-1,
    )
    lon, lat, height = geodetic_from_ecef(r_ecef)
    ind = activity.indices(times)
    out = pymsis.calculate(
        times, lon, lat, height, ind.f107_sfu, ind.f107a_sfu, ind.aps, version=2.1
    )
    return out[:, pymsis.Variable.MASS_DENSITY].astype(float) * factor


class DensityGrid:
    """Orbit-and-day mean ``<rho F>`` (kg/m^3) per UTC day, at altitude levels 10 km apart.

    ``rho_f_at(d, h)`` is the mean over ``samples_per_day`` points of day
    ``first_day + d`` on circular orbits at the levels around ``h``, log-linear between
    them. Levels are computed on first use, each with one vectorised NRLMSIS call over all
    days (a station kept in its band touches only a few), and cached.

    Sampling of day ``d``: point ``j`` (``0 <= j < K``) is at argument of latitude
    ``2 pi (j + 1/2) / K`` and at time ``d + ((7 j) mod K + 1/2) / K`` days, so both the
    orbit and the UTC day are covered evenly and independently (``K`` coprime with 7). The
    node moves with the J2 rate of ``reference_altitude_km`` from ``raan_deg`` at
    ``raan_epoch`` (default: start of ``first_day``); a station 30 km away from that
    altitude has a node rate 1.6 % different, which shifts the local solar time its orbit
    samples by ~0.1 deg/day.
    """

    def __init__(
        self,
        first_day: date,
        n_days: int,
        inclination_deg: float,
        raan_deg: float,
        activity: IndexTable | ConstantActivity,
        *,
        reference_altitude_km: float = 400.0,
        raan_epoch: datetime | None = None,
        samples_per_day: int = SAMPLES_PER_DAY,
    ) -> None:
        if n_days <= 0:
            raise InputError("the span holds no day", field="--end")
        if samples_per_day % 7 == 0:
            raise ValueError("samples_per_day must be coprime with 7")
        self.first_day = first_day
        self.n_days = n_days
        self.inclination_deg = inclination_deg
        self.activity = activity
        k = samples_per_day
        j = np.arange(k)
        offset_s = np.round(((7 * j) % k + 0.5) / k * 86400.0).astype(np.int64)
        day0 = np.datetime64(first_day, "D").astype("datetime64[s]")
        starts = day0 + (np.arange(n_days) * 86400).astype("timedelta64[s]")
        self._times = (starts[:, None] + offset_s[None, :].astype("timedelta64[s]")).reshape(-1)
        self._u = np.tile(2.0 * np.pi * (j + 0.5) / k, n_days)
        epoch = day0 if raan_epoch is None else as_datetime64(raan_epoch)[0]
        elapsed_days = (self._times - epoch).astype(np.int64) / 86400.0
        rate = raan_rate_deg_per_day(reference_altitude_km, inclination_deg)
        self._raan = raan_deg + rate * elapsed_days
        self._samples = k
        self._columns: dict[float, np.ndarray] = {}
        self._levels = np.empty(0)
        self._log_table = np.empty((n_days, 0))
        self.msis_points = 0

    @property
    def altitude_km(self) -> np.ndarray:
        """Altitude levels computed so far, km (sorted)."""
        return self._levels

    def day_index(self, when: date) -> int:
        return (when - self.first_day).days

    def ensure(self, altitude_min_km: float, altitude_max_km: float) -> None:
        """Compute every missing level from below ``altitude_min_km`` to above the max."""
        low = math.floor(altitude_min_km / LEVEL_STEP_KM) * LEVEL_STEP_KM
        high = max(math.ceil(altitude_max_km / LEVEL_STEP_KM) * LEVEL_STEP_KM, low + LEVEL_STEP_KM)
        wanted = np.arange(low, high + LEVEL_STEP_KM / 2, LEVEL_STEP_KM)
        missing = [float(h) for h in wanted if float(h) not in self._columns]
        if not missing:
            return
        if missing[0] < 100.0:
            raise InfeasibleError(
                f"the station sinks below {missing[0] + LEVEL_STEP_KM:.0f} km: it re-enters"
            )
        levels = np.array(missing)
        n = self._times.size
        m = len(levels)
        # Fly-through mode of pymsis: every array has the same length (samples x levels).
        values = drag_samples(
            np.repeat(self._times, m),
            np.tile(EARTH_RADIUS_KM + levels, n),
            self.inclination_deg,
            np.repeat(self._raan, m),
            np.repeat(self._u, m),
            self.activity,
        )
        self.msis_points += values.size
        means = values.reshape(self.n_days, self._samples, m).mean(axis=1)
        for i, level in enumerate(missing):
            self._columns[level] = means[:, i]
        self._levels = np.array(sorted(self._columns))
        self._log_table = np.log(np.stack([self._columns[h] for h in self._levels], axis=1))

    def rho_f_at(self, day: int, altitude_km: float) -> float:
        """``<rho F>`` (kg/m^3) of day index ``day`` at ``altitude_km``."""
        levels = self._levels
        if not levels.size or not (levels[0] <= altitude_km <= levels[-1]):
            self.ensure(altitude_km - LEVEL_STEP_KM, altitude_km + LEVEL_STEP_KM)
            levels = self._levels
        return float(np.exp(np.interp(altitude_km, levels, self._log_table[day])))


def decay_rate_km_per_day(
    altitude_km: float, rho_f_kg_m3: float, cda_per_mass_m2_kg: float
) -> float:
    """da/dt in km/day (negative) for ``<rho F>`` and ``Cd A / m`` (module docstring)."""
    a_m = (EARTH_RADIUS_KM + altitude_km) * 1e3
    return -cda_per_mass_m2_kg * math.sqrt(MU_KM3_S2 * 1e9 * a_m) * rho_f_kg_m3 * 86.4


def step_altitude(
    table: DensityGrid,
    day: int,
    altitude_km: float,
    cda_per_mass_m2_kg: float,
    fraction: float = 1.0,
    substeps: int = 1,
) -> float:
    """Altitude after ``fraction`` of day index ``day`` (RK4, ``substeps`` steps)."""

    def rate(h: float) -> float:
        return decay_rate_km_per_day(h, table.rho_f_at(day, h), cda_per_mass_m2_kg)

    dt = fraction / substeps
    h = altitude_km
    for _ in range(substeps):
        k1 = rate(h)
        k2 = rate(h + 0.5 * dt * k1)
        k3 = rate(h + 0.5 * dt * k2)
        k4 = rate(h + dt * k3)
        h += dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
    return h


def coast(
    table: DensityGrid,
    start: datetime,
    end: datetime,
    altitude_km: float,
    cda_per_mass_m2_kg: float,
) -> float:
    """Altitude at ``end`` from ``altitude_km`` at ``start``, drag only (no burns), km.

    Steps at UTC day boundaries (partial first and last days).
    """
    t = start
    h = altitude_km
    while t < end:
        day_start = datetime(t.year, t.month, t.day, tzinfo=UTC)
        step_end = min(end, day_start + timedelta(days=1))
        fraction = (step_end - t).total_seconds() / 86400.0
        h = step_altitude(table, table.day_index(day_start.date()), h, cda_per_mass_m2_kg, fraction)
        t = step_end
    return h


def hohmann_dv_m_s(altitude_from_km: float, altitude_to_km: float) -> float:
    """Total delta-v of a Hohmann transfer between circular orbits, m/s.

    Vallado 4th ed. Algorithm 36 (eqs. 6-2 to 6-4); for a small change ``da`` it tends to
    ``n da / 2`` (i.e. ``v da / (2 a)``), the usual reboost rule of thumb. Lowering costs
    the same as raising.
    """
    r1 = EARTH_RADIUS_KM + altitude_from_km
    r2 = EARTH_RADIUS_KM + altitude_to_km
    a_t = 0.5 * (r1 + r2)
    v1 = math.sqrt(MU_KM3_S2 / r1)
    v2 = math.sqrt(MU_KM3_S2 / r2)
    dv1 = abs(math.sqrt(2 * MU_KM3_S2 / r1 - MU_KM3_S2 / a_t) - v1)
    dv2 = abs(v2 - math.sqrt(2 * MU_KM3_S2 / r2 - MU_KM3_S2 / a_t))
    return (dv1 + dv2) * 1e3


def propellant_kg(mass_kg: float, dv_m_s: float, isp_s: float) -> float:
    """Propellant for ``dv_m_s`` from a vehicle of initial mass ``mass_kg`` (Tsiolkovsky)."""
    return mass_kg * (1.0 - math.exp(-dv_m_s / (isp_s * G0_M_S2)))


@dataclass(frozen=True)
class OrbitBand:
    """Altitude limits, km: hard band (design) and the operational band kept by reboosts.

    A reboost raises the station to ``target_max_km`` when it would otherwise sink below
    ``target_min_km`` before the next day a burn is allowed.
    """

    min_km: float
    max_km: float
    target_min_km: float
    target_max_km: float

    def __post_init__(self) -> None:
        if not (self.min_km <= self.target_min_km < self.target_max_km <= self.max_km):
            raise InputError(
                "altitude band must satisfy min <= target_min < target_max <= max "
                f"(got {self.min_km}, {self.target_min_km}, {self.target_max_km}, {self.max_km})"
            )


@dataclass(frozen=True)
class Burn:
    """One reboost (or lowering) on a UTC day: altitude before/after, delta-v, propellant."""

    day: date
    altitude_before_km: float
    altitude_after_km: float
    dv_m_s: float
    propellant_kg: float
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {
            "date": self.day.isoformat(),
            "altitude_before_km": round(self.altitude_before_km, 3),
            "altitude_after_km": round(self.altitude_after_km, 3),
            "dv_m_s": round(self.dv_m_s, 3),
            "propellant_kg": round(self.propellant_kg, 3),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class AltitudeTarget:
    """An altitude requested at a time, e.g. for a visiting vehicle's rendezvous."""

    when: datetime
    altitude_km: float
    name: str
    tolerance_km: float = 1.0


@dataclass(frozen=True)
class OrbitHistory:
    """Daily altitude (start of each UTC day, after that day's burn) and the burns made."""

    days: list[date]
    altitude_km: np.ndarray
    burns: list[Burn]
    #: Days on which the station was below the hard band minimum with no burn allowed.
    below_band: list[date] = field(default_factory=list)


def plan_orbit(
    table: DensityGrid,
    altitude0_km: float,
    cda_per_mass_m2_kg: Sequence[float] | np.ndarray,
    mass_kg: Sequence[float] | np.ndarray,
    band: OrbitBand,
    isp_s: float,
    blocked: Sequence[bool] | np.ndarray,
    targets: Sequence[AltitudeTarget] = (),
) -> OrbitHistory:
    """Daily altitude with reboosts over every day of ``table``.

    ``cda_per_mass_m2_kg``, ``mass_kg`` and ``blocked`` hold one value per table day (the
    configuration of that day; ``blocked`` marks days with docking operations, when no burn
    is made). Each allowed day, in the morning:

    1. if an altitude target falls before the next allowed day, burn to the target altitude
       plus the decay expected until it (a lowering if needed);
    2. otherwise, if the station would sink below ``band.target_min_km`` before the next
       allowed day (at today's decay rate), raise it to ``band.target_max_km`` —
       unless a target is pending and the station stays above ``band.min_km`` until it.

    Burns are Hohmann transfers (:func:`hohmann_dv_m_s`) with propellant from
    :func:`propellant_kg` at that day's mass.
    """
    n = table.n_days
    cda = np.asarray(cda_per_mass_m2_kg, dtype=float)
    mass = np.asarray(mass_kg, dtype=float)
    blocked_arr = np.asarray(blocked, dtype=bool)
    if not (len(cda) == len(mass) == len(blocked_arr) == n):
        raise ValueError("per-day inputs must have one value per table day")
    allowed = np.flatnonzero(~blocked_arr)
    days = [table.first_day + timedelta(days=d) for d in range(n)]
    pending = sorted(targets, key=lambda t: t.when)
    altitude = np.empty(n)
    burns: list[Burn] = []
    below: list[date] = []
    h = altitude0_km
    for d in range(n):
        if not blocked_arr[d]:
            later = allowed[allowed > d]
            next_allowed = int(later[0]) if len(later) else n
            day_start = datetime(days[d].year, days[d].month, days[d].day, tzinfo=UTC)
            while pending and pending[0].when < day_start:
                pending.pop(0)
            target = pending[0] if pending else None
            target_day = None if target is None else (target.when.date() - table.first_day).days
            rate = -decay_rate_km_per_day(h, table.rho_f_at(d, h), cda[d])
            new_h = None
            reason = ""
            if target is not None and target_day is not None and target_day < next_allowed:
                lead_days = (target.when - day_start).total_seconds() / 86400.0
                wanted = target.altitude_km + rate * lead_days
                if abs(wanted - h) > target.tolerance_km:
                    new_h, reason = wanted, f"set up {target.altitude_km:.1f} km for {target.name}"
                pending.pop(0)
            elif h - rate * (next_allowed - d) < band.target_min_km:
                protected = (
                    target is not None
                    and target_day is not None
                    and h - rate * (target_day - d) >= band.min_km
                )
                if not protected:
                    new_h, reason = band.target_max_km, "keep the altitude band"
            if new_h is not None:
                dv = hohmann_dv_m_s(h, new_h)
                burns.append(
                    Burn(days[d], h, new_h, dv, propellant_kg(float(mass[d]), dv, isp_s), reason)
                )
                h = new_h
        if h < band.min_km:
            below.append(days[d])
        altitude[d] = h
        h = step_altitude(table, d, h, float(cda[d]))
    return OrbitHistory(days, altitude, burns, below)


# --- Observed decay from real element sets -------------------------------------------------


def mean_altitude_km(satrec: Satrec) -> float:
    """SGP4's Brouwer mean semi-major axis of an element set minus the equatorial radius, km."""
    return float(satrec.a * satrec.radiusearthkm - EARTH_RADIUS_KM)


def _epoch_utc(satrec: Satrec) -> datetime:
    return jd_to_datetime(satrec.jdsatepoch, satrec.jdsatepochF)


@dataclass(frozen=True)
class DecayObservation:
    """A decay rate seen in real element sets over ``start_utc``-``end_utc``.

    ``method`` ``"pair"``: change of the mean semi-major axis between two element sets with
    no reboost between them. ``"ndot"``: the element set's own mean-motion derivative
    (``ndot/2`` field, SGP4 ignores it; Space-Track fits it with B*), converted by
    ``da/dt = -(2/3) a (dn/dt) / n`` (Kepler's third law), over the days before the epoch
    the fit covers (``NDOT_SPAN_DAYS``).
    """

    norad_id: int
    method: str
    start_utc: datetime
    end_utc: datetime
    altitude_km: float
    rate_km_per_day: float
    inclination_deg: float
    raan_deg: float
    source: str

    @property
    def span_days(self) -> float:
        return (self.end_utc - self.start_utc).total_seconds() / 86400.0


#: Days before an element set's epoch that its fitted ndot is compared over.
NDOT_SPAN_DAYS = 3.0


def observed_from_pair(first: Satrec, second: Satrec, source: str = "") -> DecayObservation | None:
    """Mean decay rate between two element sets, or None if the orbit rose (a reboost)."""
    if epoch_jd(second) <= epoch_jd(first):
        raise ValueError("element sets must be in epoch order")
    start, end = _epoch_utc(first), _epoch_utc(second)
    h1, h2 = mean_altitude_km(first), mean_altitude_km(second)
    if h2 >= h1:
        return None
    days = (end - start).total_seconds() / 86400.0
    return DecayObservation(
        int(first.satnum),
        "pair",
        start,
        end,
        h1,
        (h2 - h1) / days,
        math.degrees(first.inclo),
        math.degrees(first.nodeo),
        source,
    )


def observed_from_ndot(satrec: Satrec, source: str = "") -> DecayObservation | None:
    """Decay rate implied by an element set's ``ndot`` field, or None if it is not positive.

    A negative ``ndot`` means a manoeuvre fell in the fit span; such sets are skipped.
    """
    field_rev_day2 = satrec.ndot * 1440.0**2 / (2.0 * math.pi)
    if field_rev_day2 <= 0:
        return None
    n_rev_day = satrec.no_kozai * 1440.0 / (2.0 * math.pi)
    a_km = satrec.a * satrec.radiusearthkm
    rate = -(2.0 / 3.0) * a_km * (2.0 * field_rev_day2) / n_rev_day
    end = _epoch_utc(satrec)
    start = end - timedelta(days=NDOT_SPAN_DAYS)
    # The epoch's mean altitude plus the decay of the span gives the altitude at its start.
    h_end = mean_altitude_km(satrec)
    return DecayObservation(
        int(satrec.satnum),
        "ndot",
        start,
        end,
        h_end - rate * NDOT_SPAN_DAYS,
        rate,
        math.degrees(satrec.inclo),
        math.degrees(satrec.nodeo)
        - raan_rate_deg_per_day(h_end, math.degrees(satrec.inclo)) * NDOT_SPAN_DAYS,
        source,
    )


def predicted_rate_km_per_day(
    observation: DecayObservation,
    cda_per_mass_m2_kg: float,
    activity: IndexTable | ConstantActivity,
) -> float:
    """Model decay rate over an observation's span from its start altitude, km/day."""
    start, end = observation.start_utc, observation.end_utc
    grid = DensityGrid(
        start.date(),
        (end.date() - start.date()).days + 1,
        observation.inclination_deg,
        observation.raan_deg,
        activity,
        reference_altitude_km=observation.altitude_km,
        raan_epoch=start,
    )
    h_end = coast(grid, start, end, observation.altitude_km, cda_per_mass_m2_kg)
    return (h_end - observation.altitude_km) / observation.span_days


def fit_cda_per_mass(
    observations: Sequence[DecayObservation], activity: IndexTable | ConstantActivity, guess: float
) -> float:
    """``Cd A / m`` (m^2/kg) making the geometric mean of observed/predicted rates 1.

    The decay rate is proportional to ``Cd A / m`` to first order, so two passes converge.
    """
    value = guess
    for _ in range(2):
        logs = [
            math.log(o.rate_km_per_day / predicted_rate_km_per_day(o, value, activity))
            for o in observations
        ]
        value *= math.exp(sum(logs) / len(logs))
    return value


#: Longest span between two element sets taken as free of reboosts: ISS reboosts and
#: avoidance burns came every 2-6 weeks in 2021-2023; longer pairs are not used.
MAX_PAIR_DAYS = 7.0
#: Shortest span: consecutive ISS element sets scatter by ~30 m in mean semi-major axis
#: (2023 history), as much as a day of decay at moderate activity.
MIN_PAIR_DAYS = 3.0


def _by_epoch(satrecs: Sequence[Satrec]) -> list[Satrec]:
    """The element sets in epoch order, one per epoch (to the microday)."""
    unique = {round(epoch_jd(s), 6): s for s in satrecs}
    return [unique[k] for k in sorted(unique)]


def observations_from_history(
    satrecs: Sequence[Satrec],
    source: str = "",
    min_pair_days: float = MIN_PAIR_DAYS,
    max_pair_days: float = MAX_PAIR_DAYS,
) -> list[DecayObservation]:
    """Decay observations of one object: its ``ndot`` per element set, and each pair of
    consecutive element sets ``min_pair_days`` to ``max_pair_days`` apart whose orbit did
    not rise.

    Duplicate epochs are dropped.
    """
    ordered = _by_epoch(satrecs)
    found = [o for s in ordered if (o := observed_from_ndot(s, source)) is not None]
    for first, second in pairwise(ordered):
        days = epoch_jd(second) - epoch_jd(first)
        if not min_pair_days <= days <= max_pair_days:
            continue
        if (o := observed_from_pair(first, second, source)) is not None:
            found.append(o)
    return found


#: Longest step between consecutive element sets of one reboost-free arc: a longer gap
#: may hide a reboost followed by enough decay to bring the mean motion back up.
MAX_ARC_STEP_DAYS = 30.0


def reboost_free_arcs(
    satrecs: Sequence[Satrec],
    source: str = "",
    min_span_days: float = MIN_PAIR_DAYS,
    max_step_days: float = MAX_ARC_STEP_DAYS,
) -> list[DecayObservation]:
    """One pair observation (first and last element set) per reboost-free arc of a history.

    The epoch-ordered history is cut wherever the mean altitude rises (a burn: the mean
    motion steps down) or consecutive sets are more than ``max_step_days`` apart; each
    piece spanning at least ``min_span_days`` is an arc. Intermediate sets only confirm
    that no burn fell inside. Duplicate epochs are dropped.
    """
    ordered = _by_epoch(satrecs)
    runs: list[list[Satrec]] = []
    for satrec in ordered:
        if runs:
            last = runs[-1][-1]
            days = epoch_jd(satrec) - epoch_jd(last)
            if days <= max_step_days and mean_altitude_km(satrec) < mean_altitude_km(last):
                runs[-1].append(satrec)
                continue
        runs.append([satrec])
    arcs = []
    for run in runs:
        first, last = run[0], run[-1]
        days = epoch_jd(last) - epoch_jd(first)
        if len(run) > 1 and days >= min_span_days:
            arcs.append(observed_from_pair(first, last, source))
    return [a for a in arcs if a is not None]


@dataclass(frozen=True)
class DecayCheck:
    """Observed against predicted decay for one observation; ``role`` is fit/test/report."""

    station: str
    observation: DecayObservation
    predicted_km_per_day: float
    role: str

    @property
    def ratio(self) -> float:
        """Observed / predicted decay rate."""
        return self.observation.rate_km_per_day / self.predicted_km_per_day

    @property
    def within_30_percent(self) -> bool:
        return abs(self.ratio - 1.0) <= 0.30


def check_decay(
    station: str,
    observations: Sequence[DecayObservation],
    cda_per_mass_m2_kg: float,
    activity: IndexTable | ConstantActivity,
    role: str,
) -> list[DecayCheck]:
    """Predicted decay (the model with ``cda_per_mass_m2_kg``) for each observation."""
    return [
        DecayCheck(station, o, predicted_rate_km_per_day(o, cda_per_mass_m2_kg, activity), role)
        for o in observations
    ]
