"""Position uncertainty for conjunction assessment: RTN frames, a TLE default, object sizes.

Conventions (as in the CCSDS CDM, 508.0-B-1 §3.5): an object's RTN frame has R
along its position r, N along r × v, and T = N × R (T is along-track for a
near-circular orbit). A covariance "in RTN" is expressed in the object's *own*
frame at the time it refers to. Covariances are km² (position), km²/s and
km²/s² (velocity) inside the library; files convert at the edges.

Element sets (TLE/OMM) carry no covariance. :func:`default_covariance_rtn` supplies
a documented stand-in that grows with the element set's age; it is a planning
default, not an orbit-determination product (see docs/collision_probability.md).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "DEFAULT_GROWTH_RTN_KM_PER_DAY",
    "DEFAULT_RADIUS_M",
    "DEFAULT_SIGMA0_RTN_KM",
    "STATION_SIZES",
    "StationSize",
    "default_covariance_rtn",
    "default_state_covariance_rtn",
    "object_kind",
    "object_radius_m",
    "rtn_matrix",
    "rtn_to_inertial",
]

_SECONDS_PER_DAY = 86400.0

# --- default TLE covariance -------------------------------------------------------------
#
# One-sigma position errors of an element set at its epoch and their growth per day of
# propagation, radial / transverse (along-track) / normal, km. Estimates chosen inside the
# ranges that published TLE-accuracy studies report for LEO objects:
#   * Flohrer, Krag & Klinkrad (2008), "Assessment and categorization of TLE orbit errors
#     for the US SSN catalogue", AMOS 2008: TLE errors are dominated by the along-track
#     component (a few hundred metres to ~1 km at epoch in LEO) with radial and cross-track
#     errors several times smaller; ESA's CRASS uses such look-up tables as the initial
#     covariance of TLE objects.
#   * Vallado & Cefola (2012), "Two-line element sets - practice and use", IAC-12-C1.6.12,
#     and Kelso (2007), "Validation of SGP4 and IS-GPS-200D against GPS precision
#     ephemerides", AAS 07-127: ~1 km at epoch, errors growing by ~1-3 km per day.
#   * Krag, Klinkrad & Alarcón-Rodríguez (2007), "Assessment of orbit uncertainties for
#     collision risk predictions at ESA", 2nd IAASS: along-track growth dominates.
# The numbers below are configurable defaults (marked *estimate* in the docs), not truth.
DEFAULT_SIGMA0_RTN_KM: tuple[float, float, float] = (0.1, 0.5, 0.2)
DEFAULT_GROWTH_RTN_KM_PER_DAY: tuple[float, float, float] = (0.05, 1.0, 0.05)


def default_sigma_rtn_km(
    element_age_days: ArrayLike,
    *,
    sigma0_rtn_km: Sequence[float] = DEFAULT_SIGMA0_RTN_KM,
    growth_rtn_km_per_day: Sequence[float] = DEFAULT_GROWTH_RTN_KM_PER_DAY,
) -> np.ndarray:
    """One-sigma RTN position errors (km) of TLE-only objects: shape (..., 3) for ages (...).

    σ_i(Δt) = σ0_i + g_i · |Δt| (see :func:`default_covariance_rtn`).
    """
    sigma0 = np.asarray(sigma0_rtn_km, dtype=float)
    growth = np.asarray(growth_rtn_km_per_day, dtype=float)
    if sigma0.shape != (3,) or growth.shape != (3,) or (sigma0 < 0).any() or (growth < 0).any():
        raise ValueError("sigma0_rtn_km and growth_rtn_km_per_day need three values >= 0")
    return sigma0 + growth * np.abs(np.asarray(element_age_days, dtype=float))[..., None]


def default_covariance_rtn(
    element_age_days: float,
    *,
    sigma0_rtn_km: Sequence[float] = DEFAULT_SIGMA0_RTN_KM,
    growth_rtn_km_per_day: Sequence[float] = DEFAULT_GROWTH_RTN_KM_PER_DAY,
) -> np.ndarray:
    """Default 3×3 RTN position covariance (km²) of a TLE-only object.

    Each one-sigma grows linearly with the propagation span::

        σ_i(Δt) = σ0_i + g_i · |Δt|       (i = R, T, N; Δt = element_age_days)

    with σ0 = (0.1, 0.5, 0.2) km and g = (0.05, 1.0, 0.05) km/day by default, so a
    two-day-old LEO element set has σ = (0.2, 2.5, 0.3) km: along-track dominated, as
    found by Flohrer et al. (2008), Vallado & Cefola (2012) and Krag et al. (2007)
    (see the module notes). The matrix is diagonal (no R–T correlation is modelled).
    Back-propagation (negative age) grows the same way. Returns ``diag(σ²)`` in km².
    """
    age = float(element_age_days)
    if not math.isfinite(age):
        raise ValueError(f"element_age_days must be finite, got {element_age_days!r}")
    sigma_km = default_sigma_rtn_km(
        age, sigma0_rtn_km=sigma0_rtn_km, growth_rtn_km_per_day=growth_rtn_km_per_day
    )
    return np.diag(sigma_km**2)


def default_state_covariance_rtn(
    element_age_days: float,
    *,
    sigma0_rtn_km: Sequence[float] = DEFAULT_SIGMA0_RTN_KM,
    growth_rtn_km_per_day: Sequence[float] = DEFAULT_GROWTH_RTN_KM_PER_DAY,
) -> np.ndarray:
    """Default 6×6 RTN state covariance (km², km²/s, km²/s²) for writing a CDM.

    The position block is :func:`default_covariance_rtn`. The velocity block is
    diagonal with one-sigma equal to the position-error growth rate (g_i converted to
    km/s), i.e. the rate at which the model's position error grows; position-velocity
    correlations are zero. Only the position block enters the 2-D Pc.
    """
    cov = np.zeros((6, 6))
    cov[:3, :3] = default_covariance_rtn(
        element_age_days, sigma0_rtn_km=sigma0_rtn_km, growth_rtn_km_per_day=growth_rtn_km_per_day
    )
    sigma_v_km_s = np.asarray(growth_rtn_km_per_day, dtype=float) / _SECONDS_PER_DAY
    cov[3:, 3:] = np.diag(sigma_v_km_s**2)
    return cov


# --- frames ---------------------------------------------------------------------------


def rtn_matrix(r_km: ArrayLike, v_km_s: ArrayLike) -> np.ndarray:
    """Rows R̂, T̂, N̂ of an object's RTN frame in the frame of ``r``, ``v`` (3×3).

    R̂ = r/|r|, N̂ = r×v/|r×v|, T̂ = N̂×R̂ (CCSDS 508.0-B-1 §3.5 RTN; Vallado,
    *Fundamentals of Astrodynamics*, 4th ed., §3.3 "RSW"). ``M @ x_inertial`` gives RTN
    components; ``M.T @ x_rtn`` the inertial ones.
    """
    m = rtn_matrices(np.asarray(r_km, dtype=float), np.asarray(v_km_s, dtype=float))
    if not np.isfinite(m).all():
        raise ValueError("RTN frame undefined: position is zero or parallel to velocity")
    return m


def rtn_matrices(r_km: np.ndarray, v_km_s: np.ndarray) -> np.ndarray:
    """:func:`rtn_matrix` for states (..., 3): (..., 3, 3), NaN where the frame is undefined."""
    with np.errstate(invalid="ignore", divide="ignore"):
        radial = r_km / np.linalg.norm(r_km, axis=-1)[..., None]
        h = np.cross(r_km, v_km_s)
        normal = h / np.linalg.norm(h, axis=-1)[..., None]
        normal = np.where(np.isfinite(normal), normal, np.nan)
    return np.stack([radial, np.cross(normal, radial), normal], axis=-2)


def rtn_to_inertial(cov_rtn: np.ndarray, r_km: ArrayLike, v_km_s: ArrayLike) -> np.ndarray:
    """Rotate an RTN covariance (3×3 position or 6×6 state) into the frame of ``r``, ``v``.

    C_inertial = Mᵀ C_rtn M with M = :func:`rtn_matrix` (block-diagonal for 6×6). The
    rotating-frame velocity term is not added: only the position block is used for Pc,
    and that block is exact.
    """
    cov = np.asarray(cov_rtn, dtype=float)
    m = rtn_matrix(r_km, v_km_s)
    if cov.shape == (3, 3):
        return m.T @ cov @ m
    if cov.shape == (6, 6):
        big = np.zeros((6, 6))
        big[:3, :3] = m
        big[3:, 3:] = m
        return big.T @ cov @ big
    raise ValueError(f"covariance must be 3×3 or 6×6, got {cov.shape}")


# --- object sizes ---------------------------------------------------------------------


@dataclass(frozen=True)
class StationSize:
    """Planform of a crewed station: overall length × width (m) and its source.

    The hard-body radius is half the diagonal of that rectangle: the radius of the
    smallest circle that holds the planform whatever the encounter geometry (a
    conservative choice; Pc grows with the square of the radius).
    """

    name: str
    length_m: float
    width_m: float
    source: str

    @property
    def radius_m(self) -> float:
        """Hard-body radius, m: ½·√(length² + width²)."""
        return 0.5 * math.hypot(self.length_m, self.width_m)


STATION_SIZES: dict[int, StationSize] = {
    # NASA, "International Space Station facts and figures": 109 m (truss) × 73 m (modules).
    25544: StationSize("ISS", 109.0, 73.0, "NASA ISS facts and figures: 109 m × 73 m"),
    # CSS (Tiangong), catalogued as Tianhe (48274). Estimate: ~55 m across the T (Wentian
    # and Mengtian with their arrays), ~36 m along Tianhe's axis with a Tianzhou (10.6 m)
    # aft and a Shenzhou (~9 m) forward of the 16.6 m core.
    48274: StationSize("CSS", 55.0, 36.0, "estimate: 55 m span of the T × 36 m along Tianhe"),
}

# Radii (m) of the other kinds, chosen within the ranges used in conjunction practice;
# see docs/collision_probability.md. "unknown" covers names such as "OBJECT A" or "TBA".
DEFAULT_RADIUS_M: dict[str, float] = {
    "payload": 2.5,
    "rocket body": 3.0,
    "debris": 0.5,
    "unknown": 1.0,
}

_DEBRIS = re.compile(r"\b(DEB|DEBRIS|COOLANT|FRAG|SHROUD|FAIRING|PLATFORM|PLAT)\b")
_ROCKET_BODY = re.compile(r"(R/B|\bAKM\b|\bPKM\b|\bUPPER STAGE\b)")
_UNKNOWN = re.compile(r"^(OBJECT [A-Z]{1,3}|TBA.*|UNKNOWN|)$")


def object_kind(norad_id: int, name: str) -> str:
    """Classify a catalogued object from its number and name.

    Returns "station" (a known crewed station), "rocket body" (``R/B``, ``AKM``, ``PKM``),
    "debris" (``DEB``, ``COOLANT``, ...), "unknown" (``OBJECT A``, ``TBA``, blank) or
    "payload" — the SATCAT naming conventions (CelesTrak SATCAT format notes).
    """
    if int(norad_id) in STATION_SIZES:
        return "station"
    upper = (name or "").strip().upper()
    if upper.startswith("0 "):  # a 3LE title line passed through whole
        upper = upper[2:].strip()
    if _ROCKET_BODY.search(upper):
        return "rocket body"
    if _DEBRIS.search(upper):
        return "debris"
    if _UNKNOWN.match(upper):
        return "unknown"
    return "payload"


def object_radius_m(norad_id: int, name: str) -> float:
    """Default hard-body radius of one object, m.

    Stations from their size (:data:`STATION_SIZES`: ISS 65.6 m from 109 m × 73 m, CSS
    32.9 m from ~55 m × 36 m); otherwise by kind: payload 2.5 m, rocket body 3.0 m,
    debris 0.5 m, unknown 1.0 m. The hard-body radius of a conjunction is the sum of the
    two objects' radii (Foster & Estes 1992: the combined sphere).
    """
    station = STATION_SIZES.get(int(norad_id))
    if station is not None:
        return station.radius_m
    return DEFAULT_RADIUS_M[object_kind(norad_id, name)]
