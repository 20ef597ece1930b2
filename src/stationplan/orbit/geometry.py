"""Orbit-plane geometry: mean planes, site vectors, out-of-plane and phase angles.

Frames: everything here is in TEME (True Equator, Mean Equinox of date), the
frame of SGP4. A site fixed on the Earth is carried into TEME by the
Greenwich Mean Sidereal Time of 1982 (``skyfield.sgp4lib.theta_GMST1982``,
AIAA 2006-6753 Appendix C), which is exactly how SGP4 relates TEME to the
pseudo-Earth-fixed frame; polar motion (< 15 m) is neglected.

Angles are radians inside the numeric core; public helpers that say ``_deg``
return degrees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from sgp4.api import Satrec, SatrecArray
from skyfield.api import wgs84
from skyfield.sgp4lib import theta_GMST1982

from stationplan.orbit.timescale import epoch_jd, timescale

#: Earth equatorial radius, km (WGS-72, the constants SGP4 element sets are fitted with).
EARTH_RADIUS_KM = 6378.135
#: Earth gravitational parameter, km^3/s^2 (WGS-72).
MU_KM3_S2 = 398600.8
#: Second zonal harmonic (WGS-72), Vallado 4th ed. Table D-1 / Spacetrack Report #3.
J2 = 0.001082616
#: Earth rotation rate, rad/s (IERS).
EARTH_ROTATION_RAD_S = 7.292115e-5


class GeodeticPoint(Protocol):
    """Anything with a WGS84 position, such as a :class:`stationplan.launch.sites.Site`.

    The orbit core names the shape it needs instead of importing the launch layer.
    """

    @property
    def latitude_deg(self) -> float: ...
    @property
    def longitude_deg(self) -> float: ...
    @property
    def altitude_m(self) -> float: ...


@dataclass(frozen=True)
class MeanPlaneHistory:
    """Secular (mean) orbit planes from a station's element sets, per SGP4's own theory.

    Each element set contributes SGP4's initialised mean elements: node at epoch
    ``nodeo`` and its secular rate ``nodedot`` (J2 + J4 terms, Hoots & Roehrich,
    Spacetrack Report #3 (1980), eqs. for the secular node), inclination ``inclo``
    and the mean motion ``no_kozai``. At a given time the element set with the
    nearest epoch is used, as an analyst would.

    Arrays have one entry per element set, sorted by epoch.
    """

    epoch_jd: np.ndarray
    node0_rad: np.ndarray
    node_rate_rad_min: np.ndarray
    inclination_rad: np.ndarray
    mean_motion_rad_min: np.ndarray
    satrecs: tuple[Satrec, ...]

    @classmethod
    def from_satrecs(cls, satrecs: Sequence[Satrec]) -> MeanPlaneHistory:
        """Build from python-sgp4 ``Satrec`` objects (any order)."""
        if not satrecs:
            raise ValueError("at least one element set is needed")
        ordered = sorted(satrecs, key=epoch_jd)
        return cls(
            epoch_jd=np.array([epoch_jd(s) for s in ordered]),
            node0_rad=np.array([s.nodeo for s in ordered]),
            node_rate_rad_min=np.array([s.nodedot for s in ordered]),
            inclination_rad=np.array([s.inclo for s in ordered]),
            mean_motion_rad_min=np.array([s.no_kozai for s in ordered]),
            satrecs=tuple(ordered),
        )

    @classmethod
    def of(cls, station: Sequence[Satrec] | MeanPlaneHistory) -> MeanPlaneHistory:
        """``station`` itself when it is already a history, else built from its records."""
        return station if isinstance(station, MeanPlaneHistory) else cls.from_satrecs(station)

    def nearest_index(self, jd: np.ndarray) -> np.ndarray:
        """Index of the element set whose epoch is nearest each time ``jd`` (UTC JD)."""
        jd = np.asarray(jd, dtype=float)
        if len(self.epoch_jd) == 1:
            return np.zeros(jd.shape, dtype=int)
        midpoints = 0.5 * (self.epoch_jd[1:] + self.epoch_jd[:-1])
        return np.searchsorted(midpoints, jd)

    def node_and_inclination(
        self, jd: np.ndarray, index: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Mean right ascension of the ascending node and inclination (rad, TEME) at ``jd``."""
        jd = np.asarray(jd, dtype=float)
        k = self.nearest_index(jd) if index is None else index
        tsince_min = (jd - self.epoch_jd[k]) * 1440.0
        return self.node0_rad[k] + self.node_rate_rad_min[k] * tsince_min, self.inclination_rad[k]

    def age_days(self, jd: np.ndarray) -> np.ndarray:
        """Signed days from the nearest element set's epoch to ``jd``."""
        jd = np.asarray(jd, dtype=float)
        return jd - self.epoch_jd[self.nearest_index(jd)]


def plane_normal(node_rad: np.ndarray, inclination_rad: np.ndarray) -> np.ndarray:
    """Unit normal (…, 3) of the orbit plane with node Ω and inclination i.

    h/|h| = (sin i sin Ω, −sin i cos Ω, cos i), Vallado, *Fundamentals of
    Astrodynamics and Applications*, 4th ed., eq. 2-82 inverted.
    """
    node_rad = np.asarray(node_rad, dtype=float)
    inclination_rad = np.broadcast_to(inclination_rad, node_rad.shape)
    sin_i = np.sin(inclination_rad)
    return np.stack(
        [sin_i * np.sin(node_rad), -sin_i * np.cos(node_rad), np.cos(inclination_rad)], axis=-1
    )


def node_vector(node_rad: np.ndarray) -> np.ndarray:
    """Unit vector (…, 3) toward the ascending node."""
    node_rad = np.asarray(node_rad, dtype=float)
    return np.stack([np.cos(node_rad), np.sin(node_rad), np.zeros_like(node_rad)], axis=-1)


def argument_of_latitude(
    vector: np.ndarray, node_rad: np.ndarray, inclination_rad: np.ndarray
) -> np.ndarray:
    """Angle (rad, in (−π, π]) from the ascending node to the projection of ``vector`` in the plane."""
    normal = plane_normal(node_rad, inclination_rad)
    nodes = node_vector(node_rad)
    along = np.cross(normal, nodes)  # 90° ahead of the node in the direction of motion
    return np.arctan2(np.sum(vector * along, axis=-1), np.sum(vector * nodes, axis=-1))


@dataclass(frozen=True)
class SiteFrame:
    """A launch site's Earth-fixed position, ready to be rotated into TEME.

    The position comes from Skyfield's WGS84 model (geodetic latitude, so the
    geocentric direction is used for plane geometry, which matters at Jiuquan).
    """

    itrs_km: np.ndarray  # (3,)
    latitude_deg: float
    longitude_deg: float

    @classmethod
    def from_geodetic(
        cls, latitude_deg: float, longitude_deg: float, altitude_m: float = 0.0
    ) -> SiteFrame:
        position = wgs84.latlon(latitude_deg, longitude_deg, elevation_m=altitude_m)
        return cls(np.asarray(position.itrs_xyz.km, dtype=float), latitude_deg, longitude_deg)

    @classmethod
    def from_site(cls, site: GeodeticPoint) -> SiteFrame:
        """The frame of a bundled or user ``Site`` (any ``GeodeticPoint``)."""
        return cls.from_geodetic(site.latitude_deg, site.longitude_deg, site.altitude_m)

    @property
    def geocentric_latitude_rad(self) -> float:
        x, y, z = self.itrs_km
        return float(np.arctan2(z, np.hypot(x, y)))

    def teme_unit(self, jd_utc: np.ndarray, dut1_s: np.ndarray | float = 0.0) -> np.ndarray:
        """Unit vector (…, 3) of the site in TEME at UTC JD ``jd_utc`` (UT1 = UTC + dut1)."""
        jd_utc = np.asarray(jd_utc, dtype=float)
        whole = np.floor(jd_utc)
        fraction = jd_utc - whole + np.asarray(dut1_s) / 86400.0
        theta, _ = theta_GMST1982(whole, fraction)
        x, y, z = self.itrs_km / np.linalg.norm(self.itrs_km)
        c, s = np.cos(theta), np.sin(theta)
        return np.stack([c * x - s * y, s * x + c * y, np.broadcast_to(z, theta.shape)], axis=-1)


def dut1_seconds(jd_utc: np.ndarray) -> np.ndarray:
    """UT1 − UTC (s) at UTC JDs from Skyfield's bundled IERS table (no network)."""
    jd_utc = np.atleast_1d(np.asarray(jd_utc, dtype=float))
    t = timescale().utc(1970, 1, 1, 0, 0, (jd_utc - 2440587.5) * 86400.0)
    return np.asarray(t.dut1, dtype=float)


def station_argument_of_latitude(
    satrecs: Sequence[Satrec],
    index: np.ndarray,
    jd_utc: np.ndarray,
    node_rad: np.ndarray,
    inclination_rad: np.ndarray,
) -> np.ndarray:
    """Station argument of latitude (rad) at ``jd_utc`` from full SGP4 positions.

    Each time is propagated with the element set given by ``index``; the
    position is projected into the mean plane (``node_rad``, ``inclination_rad``).
    """
    jd_utc = np.atleast_1d(np.asarray(jd_utc, dtype=float))
    index = np.atleast_1d(index)
    position = np.empty((jd_utc.size, 3))
    whole = np.floor(jd_utc)
    fraction = jd_utc - whole
    for k in np.unique(index):
        mask = index == k
        array = SatrecArray([satrecs[int(k)]])
        _, r, _ = array.sgp4(whole[mask], fraction[mask])
        position[mask] = r[0]
    return argument_of_latitude(position, node_rad, inclination_rad)


def nodal_rate_scale(mean_motion_ratio: np.ndarray | float) -> np.ndarray:
    """Ratio of J2 nodal regression rates for circular orbits with mean-motion ratio n₂/n₁.

    Ω̇ = −(3/2) n J2 (R/a)² cos i (Vallado 4th ed. eq. 9-41, e = 0) and a ∝ n^(−2/3),
    so Ω̇ ∝ n^(7/3) at equal inclination.
    """
    return np.asarray(mean_motion_ratio, dtype=float) ** (7.0 / 3.0)


def circular_speed_km_s(altitude_km: float) -> float:
    """Circular orbital speed (km/s) at ``altitude_km`` above the equatorial radius."""
    return float(np.sqrt(MU_KM3_S2 / (EARTH_RADIUS_KM + altitude_km)))


def mean_motion_rad_s(altitude_km: np.ndarray | float) -> np.ndarray:
    """Circular two-body mean motion (rad/s) at ``altitude_km``."""
    a = EARTH_RADIUS_KM + np.asarray(altitude_km, dtype=float)
    return np.sqrt(MU_KM3_S2 / a**3)


def inertial_azimuth_rad(inclination_rad: float, latitude_rad: float) -> float:
    """North-east inertial launch azimuth: sin Az = cos i / cos φ (Vallado eq. 6-19).

    Raises ``ValueError`` when |φ| > i (no in-plane launch exists).
    """
    ratio = np.cos(inclination_rad) / np.cos(latitude_rad)
    if ratio > 1.0 + 1e-12:
        raise ValueError("site latitude exceeds the orbit inclination")
    return float(np.arcsin(min(ratio, 1.0)))


def rotating_azimuth_deg(
    inertial_azimuth_rad: np.ndarray, latitude_rad: float, speed_km_s: float
) -> np.ndarray:
    """Earth-relative launch azimuth (deg) that yields the inertial azimuth at ``speed_km_s``.

    tan β_rot = (v sin β − ω R cos φ) / (v cos β) (Vallado 4th ed. §6.4, eq. 6-20).
    """
    v_earth = EARTH_ROTATION_RAD_S * EARTH_RADIUS_KM * np.cos(latitude_rad)
    beta = np.asarray(inertial_azimuth_rad, dtype=float)
    east = speed_km_s * np.sin(beta) - v_earth
    north = speed_km_s * np.cos(beta)
    return np.degrees(np.arctan2(east, north)) % 360.0
