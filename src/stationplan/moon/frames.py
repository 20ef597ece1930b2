"""Lunar body-fixed mean-Earth/polar-axis (ME) frame and selenographic sites.

Model: the IAU WGCCRE rotation model of the Moon (Archinal et al. 2011, Celest. Mech. Dyn.
Astr. 109:101, Table 2; the same series as Seidelmann et al. 2007), which gives the ME frame
to about 0.01° (~150 m on the surface) — ample for lighting and visibility. Why not DE421's
own librations: ``skyfield`` and ``skyfield-data`` ship neither the lunar PCK
(``moon_pa_de421_1900-2050.bpc``) nor the frame kernel that rotates principal axes (PA) to
ME, and there must be no download at run time; the WGCCRE series needs no file.

Sites: selenographic latitude (deg), longitude (deg, east-positive), height (km) above a
sphere of radius 1737.4 km (mean lunar radius, Archinal et al. 2011) or a given radius.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stationplan.errors import InputError

__all__ = ["MOON_RADIUS_KM", "LunarSite", "icrf_to_moon_me", "topocentric_alt_az_deg"]

#: Mean lunar radius, km (Archinal et al. 2011).
MOON_RADIUS_KM = 1737.4
_J2000_TDB_JD = 2451545.0


@dataclass(frozen=True)
class LunarSite:
    """A point on the Moon: latitude, east longitude (deg), height above the sphere (km)."""

    lat_deg: float
    lon_deg: float
    height_km: float = 0.0
    radius_km: float = MOON_RADIUS_KM

    def __post_init__(self) -> None:
        if not np.isfinite(self.lat_deg) or not -90.0 <= self.lat_deg <= 90.0:
            raise InputError(f"latitude {self.lat_deg} is outside -90..90 deg", field="--lat")
        if not np.isfinite(self.lon_deg) or not -360.0 <= self.lon_deg <= 360.0:
            raise InputError(f"longitude {self.lon_deg} is outside -360..360 deg", field="--lon")
        if not np.isfinite(self.radius_km + self.height_km) or self.radius_km + self.height_km <= 0:
            raise InputError("site radius plus height must be positive", field="--height-km")

    def position_km(self) -> np.ndarray:
        """Body-fixed (ME) position, km, shape (3,)."""
        lat, lon = np.radians(self.lat_deg), np.radians(self.lon_deg)
        r = self.radius_km + self.height_km
        return r * np.array([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])

    def enu_axes(self) -> np.ndarray:
        """Rows: local east, north, up unit vectors in the body-fixed frame."""
        lat, lon = np.radians(self.lat_deg), np.radians(self.lon_deg)
        east = np.array([-np.sin(lon), np.cos(lon), 0.0])
        north = np.array([-np.sin(lat) * np.cos(lon), -np.sin(lat) * np.sin(lon), np.cos(lat)])
        up = np.array([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
        return np.vstack([east, north, up])


def _rotation_angles_deg(tdb_jd: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pole right ascension α0, declination δ0 and prime meridian W (deg), IAU 2009 Moon.

    Archinal et al. (2011), Table 2; d = TDB days from J2000, T = Julian centuries.
    """
    d = np.asarray(tdb_jd, dtype=float) - _J2000_TDB_JD
    t = d / 36525.0
    e = np.radians(
        np.array(
            [
                125.045 - 0.0529921 * d,
                250.089 - 0.1059842 * d,
                260.008 + 13.0120009 * d,
                176.625 + 13.3407154 * d,
                357.529 + 0.9856003 * d,
                311.589 + 26.4057084 * d,
                134.963 + 13.0649930 * d,
                276.617 + 0.3287146 * d,
                34.226 + 1.7484877 * d,
                15.134 - 0.1589763 * d,
                119.743 + 0.0036096 * d,
                239.961 + 0.1643573 * d,
                25.053 + 12.9590088 * d,
            ]
        )
    )
    s, c = np.sin(e), np.cos(e)
    alpha = (
        269.9949
        + 0.0031 * t
        - 3.8787 * s[0]
        - 0.1204 * s[1]
        + 0.0700 * s[2]
        - 0.0172 * s[3]
        + 0.0072 * s[5]
        - 0.0052 * s[9]
        + 0.0043 * s[12]
    )
    delta = (
        66.5392
        + 0.0130 * t
        + 1.5419 * c[0]
        + 0.0239 * c[1]
        - 0.0278 * c[2]
        + 0.0068 * c[3]
        - 0.0029 * c[5]
        + 0.0009 * c[6]
        + 0.0008 * c[9]
        - 0.0009 * c[12]
    )
    w = (
        38.3213
        + 13.17635815 * d
        - 1.4e-12 * d**2
        + 3.5610 * s[0]
        + 0.1208 * s[1]
        - 0.0642 * s[2]
        + 0.0158 * s[3]
        + 0.0252 * s[4]
        - 0.0066 * s[5]
        - 0.0047 * s[6]
        - 0.0046 * s[7]
        + 0.0028 * s[8]
        + 0.0052 * s[9]
        + 0.0040 * s[10]
        + 0.0019 * s[11]
        - 0.0044 * s[12]
    )
    return alpha, delta, w


def icrf_to_moon_me(tdb_jd: np.ndarray) -> np.ndarray:
    """Rotation matrices ICRF -> lunar ME body-fixed, shape (n, 3, 3).

    R = R3(W) · R1(90° − δ0) · R3(90° + α0) (Archinal et al. 2011, eq. 1 convention).
    """
    alpha, delta, w = (np.radians(a) for a in _rotation_angles_deg(np.atleast_1d(tdb_jd)))

    def r3(a: np.ndarray) -> np.ndarray:
        c, s = np.cos(a), np.sin(a)
        z, o = np.zeros_like(a), np.ones_like(a)
        return np.stack(
            [np.stack([c, s, z], -1), np.stack([-s, c, z], -1), np.stack([z, z, o], -1)], -2
        )

    def r1(a: np.ndarray) -> np.ndarray:
        c, s = np.cos(a), np.sin(a)
        z, o = np.zeros_like(a), np.ones_like(a)
        return np.stack(
            [np.stack([o, z, z], -1), np.stack([z, c, s], -1), np.stack([z, -s, c], -1)], -2
        )

    return r3(w) @ r1(np.pi / 2 - delta) @ r3(np.pi / 2 + alpha)


def topocentric_alt_az_deg(
    site: LunarSite, body_fixed_km: np.ndarray, *, from_centre: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Altitude, azimuth (east of north) in deg and range in km of targets at ``body_fixed_km``
    (shape (n, 3), Moon-centred ME). ``from_centre``: direction from the Moon's centre (no
    topocentric parallax), the convention of the Apollo Lunar Surface Journal table."""
    rel = body_fixed_km if from_centre else body_fixed_km - site.position_km()
    enu = rel @ site.enu_axes().T
    rng = np.linalg.norm(rel, axis=-1)
    alt = np.degrees(np.arcsin(np.clip(enu[..., 2] / rng, -1.0, 1.0)))
    az = np.degrees(np.arctan2(enu[..., 0], enu[..., 1])) % 360.0
    return alt, az, rng
