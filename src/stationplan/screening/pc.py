"""Probability of collision (Pc) of a short-term encounter, in the 2-D encounter plane.

Model (Foster & Estes 1992, NASA JSC-25898; Chan 2008, *Spacecraft Collision
Probability*, ch. 2-5): at the time of closest approach the relative motion is a
straight line, the position errors of both objects are Gaussian and independent,
and the objects are spheres whose radii add up to the hard-body radius R. The
combined position covariance C = C₁ + C₂ is projected onto the encounter plane
(normal to the relative velocity); Pc is the integral of that 2-D Gaussian,
centred on the miss vector, over the disc of radius R.

* :func:`pc_foster` integrates the disc numerically (one adaptive quadrature over
  the major axis, the minor axis done in closed form with erf), relative accuracy
  ~1e-10 — NASA CARA's ``Pc2D_Foster`` reference.
* :func:`pc_chan` uses Chan's series (Chan 1997, AAS 97-173; Chan 2008 eq. 5.33):
  the ellipse is replaced by a circle of equal area, which gives a Rician integral
  summed as a series. Accurate when the ellipse is not too elongated relative to R.
* :func:`pc_max_alfano` is Alfano's maximum probability over the covariance size
  (Alfano 2005, "Relating position uncertainty to maximum conjunction probability",
  J. Astronaut. Sci. 53(2)), the MAX_PROB of CelesTrak SOCRATES.

Units: positions km, velocities km/s, covariances km², hard-body radius m.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike
from scipy import integrate, optimize, special

from stationplan.screening.conjunction import Conjunction
from stationplan.screening.covariance import (
    STATION_SIZES,
    default_covariance_rtn,
    default_sigma_rtn_km,
    object_radius_m,
    rtn_matrices,
    rtn_to_inertial,
)

if TYPE_CHECKING:
    from stationplan.screening.cdm import CdmMessage

__all__ = [
    "METHODS",
    "EncounterPlane",
    "default_pc_arrays",
    "default_radii_m",
    "encounter_plane",
    "pc_chan",
    "pc_chan_2d",
    "pc_foster",
    "pc_foster_2d",
    "pc_foster_2d_many",
    "pc_from_cdm",
    "pc_max_alfano",
    "with_probabilities",
    "with_probability",
]

METHODS = ("FOSTER-1992", "CHAN-1997")
# Earth rotation rate (IERS conventions 2010, rad/s), for CDM states given in ITRF.
_EARTH_ROTATION_RAD_S = 7.292115e-5
# SOCRATES sets the shape of the projected ellipse from RTN sigmas of 100 m, 300 m,
# 100 m for each object (CelesTrak SOCRATES notes, "Max Probability").
SOCRATES_SIGMA_RTN_KM = (0.1, 0.3, 0.1)


@dataclasses.dataclass(frozen=True)
class EncounterPlane:
    """A conjunction projected onto its encounter plane, in the covariance's principal axes.

    ``miss_km`` (2,): miss vector components along the major and minor axes;
    ``sigma_km`` (2,): one-sigma along those axes (major first), km. ``axes`` (2, 3): the
    major and minor axis unit vectors in the inertial frame of the input.
    """

    miss_km: np.ndarray
    sigma_km: np.ndarray
    axes: np.ndarray


def encounter_plane(
    r1_km: ArrayLike,
    v1_km_s: ArrayLike,
    cov1_km2: np.ndarray,
    r2_km: ArrayLike,
    v2_km_s: ArrayLike,
    cov2_km2: np.ndarray,
    *,
    floor_km: float = 0.0,
) -> EncounterPlane:
    """Project the relative position and combined covariance onto the encounter plane.

    The plane is normal to v_rel = v₂ − v₁ (Foster & Estes 1992; Chan 2008 §2.3). The
    combined covariance C₁ + C₂ (position blocks, km²; 6×6 inputs are cut to 3×3) is
    projected and diagonalised; eigenvalues below ``floor_km``² are raised to it (a
    non-positive-definite projection, as NASA CARA's ``RemediateCovariance2x2`` does by
    clipping eigenvalues). Raises ValueError when v_rel is zero (no encounter plane).
    """
    r1, v1, r2, v2 = (
        np.asarray(x, dtype=float).reshape(3) for x in (r1_km, v1_km_s, r2_km, v2_km_s)
    )
    cov = _position_block(cov1_km2) + _position_block(cov2_km2)
    dr = r2 - r1
    dv = v2 - v1
    speed = np.linalg.norm(dv)
    if not speed > 0.0:
        raise ValueError("relative velocity is zero: the 2-D encounter model does not apply")
    y_hat = dv / speed
    # x along the in-plane part of the miss vector; any normal to v_rel if the miss is zero.
    x_vec = dr - np.dot(dr, y_hat) * y_hat
    if float(np.linalg.norm(x_vec)) < 1e-12 * max(1.0, float(np.linalg.norm(dr))):
        trial = np.eye(3)[int(np.argmin(np.abs(y_hat)))]
        x_vec = trial - np.dot(trial, y_hat) * y_hat
    x_hat = x_vec / np.linalg.norm(x_vec)
    z_hat = np.cross(x_hat, y_hat)
    plane = np.vstack([x_hat, z_hat])  # (2, 3)
    cov_2d = plane @ cov @ plane.T
    cov_2d = 0.5 * (cov_2d + cov_2d.T)
    eigval, eigvec = np.linalg.eigh(cov_2d)  # ascending
    eigval = np.maximum(eigval, floor_km**2)
    order = [1, 0]  # major first
    axes_2d = eigvec[:, order].T  # rows: principal directions in (x, z) coordinates
    miss_2d = axes_2d @ (plane @ dr)
    return EncounterPlane(miss_km=miss_2d, sigma_km=np.sqrt(eigval[order]), axes=axes_2d @ plane)


def pc_foster_2d(
    miss_major_m: float,
    miss_minor_m: float,
    sigma_major_m: float,
    sigma_minor_m: float,
    radius_m: float,
) -> float:
    """Pc of a disc of radius R for a 2-D Gaussian with principal sigmas and an offset.

    Pc = ∬_{x²+y²≤R²} N(x; xₘ, σₓ) N(y; yₘ, σᵧ) dx dy, with x along the major axis.
    The y integral is closed form (Alfano 2005, eq. 8; Chan 2008 eq. 5.3):
    ½[erf((yₘ+h)/√2σᵧ) − erf((yₘ−h)/√2σᵧ)] with h = √(R²−x²), written with erfc where
    both arguments share a sign so that tiny probabilities keep full precision; the x
    integral is adaptive Gauss-Kronrod (QUADPACK) to 1e-10 relative. Any consistent
    length unit works (the suffix says metres).
    """
    x_m, y_m, sx, sy, radius = (
        float(miss_major_m),
        float(miss_minor_m),
        float(sigma_major_m),
        float(sigma_minor_m),
        float(radius_m),
    )
    if radius <= 0.0:
        return 0.0
    if not (sx > 0.0 and sy > 0.0):
        raise ValueError("sigmas must be positive")
    root2_sy = math.sqrt(2.0) * sy

    def strip(x: float) -> float:
        h = math.sqrt(max(radius * radius - x * x, 0.0))
        a = (y_m + h) / root2_sy
        b = (y_m - h) / root2_sy
        if b >= 0.0:
            inner = 0.5 * (math.erfc(b) - math.erfc(a))
        elif a <= 0.0:
            inner = 0.5 * (math.erfc(-a) - math.erfc(-b))
        else:
            inner = 0.5 * (math.erf(a) - math.erf(b))
        u = (x - x_m) / sx
        return inner * math.exp(-0.5 * u * u)

    # Break points where the integrand changes fast: the Gaussian peak and its ±5σ
    # shoulders, and where the chord edge crosses the minor-axis offset (h = |yₘ|).
    points = [x_m - 5 * sx, x_m, x_m + 5 * sx]
    if abs(y_m) < radius:
        edge = math.sqrt(radius * radius - y_m * y_m)
        points += [-edge, edge]
    inside = sorted({p for p in points if -radius < p < radius})
    value, _ = integrate.quad(
        strip,
        -radius,
        radius,
        points=inside or None,
        epsabs=0.0,
        epsrel=1e-10,
        limit=400,
    )
    return min(1.0, max(0.0, value / (math.sqrt(2.0 * math.pi) * sx)))


#: Gauss-Legendre orders of :func:`pc_foster_2d_many` (the lower one checks the higher).
_GL_ORDERS = (48, 96)
#: Relative agreement of the two orders below which their result is accepted.
_GL_AGREEMENT = 1e-11


#: Encounters per block of :func:`pc_foster_2d_many`'s quadrature (one thread per block).
_ROWS_PER_BLOCK = 4096


def _foster_integrand(
    theta: np.ndarray,
    x_m: np.ndarray,
    y_m: np.ndarray,
    sx: np.ndarray,
    sy: np.ndarray,
    radius: np.ndarray,
) -> np.ndarray:
    """Integrand of :func:`pc_foster_2d_many` at the nodes θ (n,) for each encounter (E, n);
    every element depends on its own encounter only."""
    x = radius[:, None] * np.sin(theta)  # (E, n)
    h = radius[:, None] * np.cos(theta)
    a = (y_m[:, None] + h) / (math.sqrt(2.0) * sy[:, None])
    b = (y_m[:, None] - h) / (math.sqrt(2.0) * sy[:, None])
    # Each branch evaluated only where it applies (the same values as np.where of all
    # three, at a third of the special-function calls).
    inner = np.empty_like(a)
    upper = b >= 0.0
    lower = ~upper & (a <= 0.0)
    middle = ~upper & ~lower
    inner[upper] = special.erfc(b[upper]) - special.erfc(a[upper])
    inner[lower] = special.erfc(-a[lower]) - special.erfc(-b[lower])
    inner[middle] = special.erf(a[middle]) - special.erf(b[middle])
    u = (x - x_m[:, None]) / sx[:, None]
    return 0.5 * inner * np.exp(-0.5 * u * u) * h  # dx = R cos θ dθ = h dθ


def _in_row_blocks(function, theta: np.ndarray, *per_event: np.ndarray) -> np.ndarray:
    """``function(theta, *per_event)`` (E, n) computed on blocks of at most
    ``_ROWS_PER_BLOCK`` encounters, in threads (NumPy and SciPy ufuncs release the GIL),
    into one array: the same elements, bit for bit, since each depends on its own
    encounter only, and the temporaries stay a few MB however many events there are
    (187k events of a 7-day run would need ~150 MB per temporary array at once)."""
    n = per_event[0].shape[0]
    if n <= _ROWS_PER_BLOCK:
        return function(theta, *per_event)
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    out = np.empty((n, theta.size))
    blocks = [slice(k, min(k + _ROWS_PER_BLOCK, n)) for k in range(0, n, _ROWS_PER_BLOCK)]

    def fill(rows: slice) -> None:
        out[rows] = function(theta, *(x[rows] for x in per_event))

    with ThreadPoolExecutor(max_workers=min(cores, len(blocks))) as pool:
        for _ in pool.map(fill, blocks):
            pass
    return out


def pc_foster_2d_many(
    miss_major_m: ArrayLike,
    miss_minor_m: ArrayLike,
    sigma_major_m: ArrayLike,
    sigma_minor_m: ArrayLike,
    radius_m: ArrayLike,
) -> np.ndarray:
    """:func:`pc_foster_2d` for arrays of encounters, vectorised, to the same accuracy.

    The disc integral over x ∈ [−R, R] is taken with x = R sin θ (which removes the
    square-root end points of the chord half-length h = R cos θ) by Gauss-Legendre
    quadrature of orders 48 and 96 on θ ∈ [−π/2, π/2]; where the two agree to 1e-11
    relative the order-96 value is kept, elsewhere (a covariance small against R, a
    Gaussian too narrow for fixed nodes, an underflowing result) the adaptive scalar
    :func:`pc_foster_2d` is called. The same erf/erfc forms keep tiny probabilities.
    """
    arrays = np.broadcast_arrays(
        *(np.asarray(a, dtype=float) for a in (miss_major_m, miss_minor_m, sigma_major_m,
                                               sigma_minor_m, radius_m))
    )  # fmt: skip
    x_m, y_m, sx, sy, radius = (a.ravel() for a in arrays)
    if ((radius > 0.0) & ~((sx > 0.0) & (sy > 0.0))).any():
        raise ValueError("sigmas must be positive")
    estimates = []
    for order in _GL_ORDERS:
        nodes, weights = np.polynomial.legendre.leggauss(order)
        theta = 0.5 * np.pi * nodes  # (n,)
        integrand = _in_row_blocks(_foster_integrand, theta, x_m, y_m, sx, sy, radius)
        estimates.append(0.5 * np.pi * (integrand @ weights) / (math.sqrt(2.0 * math.pi) * sx))
    low, high = estimates
    with np.errstate(invalid="ignore"):
        agree = (high > 0.0) & (np.abs(high - low) <= _GL_AGREEMENT * high)
    pc = np.where(radius > 0.0, np.clip(high, 0.0, 1.0), 0.0)
    for k in np.flatnonzero((radius > 0.0) & ~agree):
        pc[k] = pc_foster_2d(x_m[k], y_m[k], sx[k], sy[k], radius[k])
    return pc.reshape(arrays[0].shape)


def pc_chan_2d(
    miss_major_m: float,
    miss_minor_m: float,
    sigma_major_m: float,
    sigma_minor_m: float,
    radius_m: float,
) -> float:
    """Chan's series Pc (Chan 1997, AAS 97-173; Chan 2008 eq. 5.33), equivalent area.

    With u = R²/(σₓσᵧ) and v = xₘ²/σₓ² + yₘ²/σᵧ²::

        Pc = e^(−v/2) Σₘ (v/2)ᵐ/m! · [1 − e^(−u/2) Σ_{k≤m} (u/2)ᵏ/k!]

    Each bracket is a regularised incomplete gamma P(m+1, u/2) and each weight a Poisson
    probability, summed in log space so that probabilities down to ~1e-300 survive. The
    series is exact for a circular ellipse; elongation and a large R/σ make it an
    approximation (Chan 2008 §5.5).
    """
    sx, sy, radius = float(sigma_major_m), float(sigma_minor_m), float(radius_m)
    if radius <= 0.0:
        return 0.0
    if not (sx > 0.0 and sy > 0.0):
        raise ValueError("sigmas must be positive")
    u = radius * radius / (sx * sy)
    v = (float(miss_major_m) / sx) ** 2 + (float(miss_minor_m) / sy) ** 2
    half_v = 0.5 * v
    n_terms = int(half_v + 40.0 * math.sqrt(half_v + 1.0) + 60.0)
    m = np.arange(n_terms, dtype=float)
    if half_v > 0.0:
        log_weight = m * math.log(half_v) - half_v - special.gammaln(m + 1.0)
    else:
        log_weight = np.where(m == 0, 0.0, -np.inf)
    with np.errstate(divide="ignore"):
        log_bracket = np.log(special.gammainc(m + 1.0, 0.5 * u))
    total = float(np.sum(np.exp(log_weight + log_bracket)))
    return min(1.0, max(0.0, total))


def pc_foster(
    r1_km: ArrayLike,
    v1_km_s: ArrayLike,
    cov1_km2: np.ndarray,
    r2_km: ArrayLike,
    v2_km_s: ArrayLike,
    cov2_km2: np.ndarray,
    hard_body_radius_m: float,
) -> float:
    """2-D Pc by Foster & Estes (1992): the encounter-plane Gaussian over the hard-body disc.

    ``r``/``v`` of both objects at TCA in one inertial frame (km, km/s); ``cov1_km2``,
    ``cov2_km2`` their position covariances in that frame (3×3 km², or 6×6 state
    covariances whose position block is used); ``hard_body_radius_m`` the combined radius.
    Checked against NASA CARA's Pc2D_Foster on the Alfano (2009) test cases.
    """
    return _pc(pc_foster_2d, r1_km, v1_km_s, cov1_km2, r2_km, v2_km_s, cov2_km2, hard_body_radius_m)


def pc_chan(
    r1_km: ArrayLike,
    v1_km_s: ArrayLike,
    cov1_km2: np.ndarray,
    r2_km: ArrayLike,
    v2_km_s: ArrayLike,
    cov2_km2: np.ndarray,
    hard_body_radius_m: float,
) -> float:
    """2-D Pc by Chan's equivalent-area series (Chan 1997/2008); same inputs as :func:`pc_foster`."""
    return _pc(pc_chan_2d, r1_km, v1_km_s, cov1_km2, r2_km, v2_km_s, cov2_km2, hard_body_radius_m)


def pc_max_alfano(
    r1_km: ArrayLike,
    v1_km_s: ArrayLike,
    r2_km: ArrayLike,
    v2_km_s: ArrayLike,
    hard_body_radius_m: float,
    *,
    sigma_rtn_km: ArrayLike = SOCRATES_SIGMA_RTN_KM,
) -> tuple[float, float]:
    """Alfano's maximum Pc over the covariance size, and the dilution threshold (km).

    The *shape* of each object's covariance is fixed (RTN one-sigmas ``sigma_rtn_km``,
    100/300/100 m as CelesTrak SOCRATES uses) and the combined covariance is scaled by
    k²; Pc(k) rises then falls ("dilution"), and its maximum over k is returned with
    the major-axis one-sigma at that k (the dilution threshold, km). For R much smaller
    than the miss distance the maximum sits where the squared Mahalanobis miss equals 2
    (Alfano 2005, eq. 12): Pc_max ≈ R²/(2 e σₓσᵧ). Returns (1.0, 0.0) when R exceeds the
    miss distance (SOCRATES reports those as 1).
    """
    r1, v1, r2, v2 = (
        np.asarray(x, dtype=float).reshape(3) for x in (r1_km, v1_km_s, r2_km, v2_km_s)
    )
    radius_km = float(hard_body_radius_m) / 1000.0
    if np.linalg.norm(r2 - r1) <= radius_km:
        return 1.0, 0.0
    shape = np.diag(np.asarray(sigma_rtn_km, dtype=float) ** 2)
    plane = encounter_plane(
        r1, v1, rtn_to_inertial(shape, r1, v1), r2, v2, rtn_to_inertial(shape, r2, v2)
    )
    xm, ym = plane.miss_km
    sx, sy = plane.sigma_km
    if math.hypot(xm, ym) <= radius_km:
        return 1.0, 0.0
    mahalanobis2 = (xm / sx) ** 2 + (ym / sy) ** 2
    k0 = math.sqrt(mahalanobis2 / 2.0)  # small-R optimum (Alfano 2005)

    def negative_log_pc(log_k: float) -> float:
        k = math.exp(log_k)
        pc = pc_foster_2d(xm, ym, k * sx, k * sy, radius_km)
        return -math.log(pc) if pc > 0.0 else 1e300

    # Pc(k) is unimodal in k (Alfano 2005); search a wide log bracket around k0.
    best = optimize.minimize_scalar(
        negative_log_pc,
        bounds=(math.log(k0) - 6.0, math.log(k0) + 6.0),
        method="bounded",
        options={"xatol": 1e-9},
    )
    k = math.exp(best.x)
    return math.exp(-best.fun), float(k * sx)


def with_probability(
    conj: Conjunction,
    *,
    cov1_rtn_km2: np.ndarray | None = None,
    cov2_rtn_km2: np.ndarray | None = None,
    hard_body_radius_m: float | None = None,
    method: str = "FOSTER-1992",
) -> Conjunction:
    """Copy of ``conj`` with ``pc``, ``pc_method`` and ``hard_body_radius_m`` filled.

    Covariances are given in each object's own RTN frame (as in a CDM; 3×3 km² or
    6×6) and rotated to TEME with that object's state at TCA; an absent one comes from
    :func:`~stationplan.screening.covariance.default_covariance_rtn` at the element
    set's age (``conj.age_days_1/2``). The hard-body radius defaults to the sum of
    :func:`~stationplan.screening.covariance.object_radius_m` of both objects. ``method``
    is "FOSTER-1992" or "CHAN-1997" (CDM COLLISION_PROBABILITY_METHOD values). When the
    relative velocity is zero (no encounter plane) ``pc`` stays None and
    ``extras["pc_note"]`` says why. ``extras["covariance_1/2"]`` records "given" or
    "default".
    """
    method = method.upper()
    if method not in METHODS:
        raise ValueError(f"unknown Pc method {method!r}; expected one of {', '.join(METHODS)}")
    if hard_body_radius_m is None:
        hard_body_radius_m = object_radius_m(conj.norad_1, conj.name_1) + object_radius_m(
            conj.norad_2, conj.name_2
        )
    c1 = default_covariance_rtn(conj.age_days_1) if cov1_rtn_km2 is None else cov1_rtn_km2
    c2 = default_covariance_rtn(conj.age_days_2) if cov2_rtn_km2 is None else cov2_rtn_km2
    extras = dict(conj.extras)
    extras["covariance_1"] = "default" if cov1_rtn_km2 is None else "given"
    extras["covariance_2"] = "default" if cov2_rtn_km2 is None else "given"
    func = pc_foster if method == "FOSTER-1992" else pc_chan
    try:
        pc: float | None = func(
            conj.r1_km,
            conj.v1_km_s,
            rtn_to_inertial(_position_block(c1), conj.r1_km, conj.v1_km_s),
            conj.r2_km,
            conj.v2_km_s,
            rtn_to_inertial(_position_block(c2), conj.r2_km, conj.v2_km_s),
            hard_body_radius_m,
        )
    except ValueError as exc:
        pc = None
        extras["pc_note"] = str(exc)
    return dataclasses.replace(
        conj,
        pc=pc,
        pc_method=method if pc is not None else None,
        hard_body_radius_m=float(hard_body_radius_m),
        extras=extras,
    )


def default_pc_arrays(
    r1_km: np.ndarray,
    v1_km_s: np.ndarray,
    r2_km: np.ndarray,
    v2_km_s: np.ndarray,
    age_days_1: np.ndarray,
    age_days_2: np.ndarray,
    hard_body_radius_m: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Foster Pc of E encounters with the default covariances (:func:`default_sigma_rtn_km`
    of each element set's age) from their TEME states at TCA ((E, 3) arrays, km, km/s),
    ages (days) and hard-body radii (m): the array core of :func:`with_probabilities`, every
    encounter computed on its own (the same bits in any batch). Returns ``(pc, ok)``:
    ``ok`` is False (and ``pc`` NaN) where the encounter plane is undefined (zero relative
    velocity or in-plane miss, or no RTN frame): those take :func:`with_probability`'s
    one-event path."""
    r1, v1, r2, v2 = (np.asarray(x, dtype=float) for x in (r1_km, v1_km_s, r2_km, v2_km_s))
    age_1, age_2 = age_days_1, age_days_2
    hbr_m = np.asarray(hard_body_radius_m, dtype=float)
    sigma1 = default_sigma_rtn_km(np.asarray(age_1, dtype=float))
    sigma2 = default_sigma_rtn_km(np.asarray(age_2, dtype=float))
    # Combined inertial covariance: Σ_k Mₖᵀ diag(σₖ²) Mₖ for both objects (rtn_to_inertial).
    cov = np.zeros((r1.shape[0], 3, 3))
    for r, v, sigma in ((r1, v1, sigma1), (r2, v2, sigma2)):
        m = rtn_matrices(r, v)  # (E, 3, 3), rows R, T, N; NaN where undefined
        cov += np.einsum("eki,ek,ekj->eij", m, sigma**2, m)
    dr = r2 - r1
    dv = v2 - v1
    speed = np.linalg.norm(dv, axis=1)
    degenerate = ~(speed > 0.0) | ~np.isfinite(cov).all(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        y_hat = dv / speed[:, None]
        x_vec = dr - np.einsum("ek,ek->e", dr, y_hat)[:, None] * y_hat
        x_norm = np.linalg.norm(x_vec, axis=1)
    # A zero in-plane miss leaves the x axis free: the one-event path picks a trial axis.
    degenerate |= ~(x_norm >= 1e-12 * np.maximum(1.0, np.linalg.norm(dr, axis=1)))
    ok = ~degenerate
    radius_km = hbr_m / 1000.0
    pc = np.full(r1.shape[0], np.nan)
    if ok.any():
        x_hat = x_vec[ok] / x_norm[ok, None]
        z_hat = np.cross(x_hat, y_hat[ok])
        plane = np.stack([x_hat, z_hat], axis=1)  # (E, 2, 3)
        cov_2d = plane @ cov[ok] @ plane.transpose(0, 2, 1)
        cov_2d = 0.5 * (cov_2d + cov_2d.transpose(0, 2, 1))
        eigval, eigvec = np.linalg.eigh(cov_2d)  # ascending
        floor_km = np.maximum(radius_km[ok], 1e-9) * 1e-4
        eigval = np.maximum(eigval, (floor_km**2)[:, None])
        miss_plane = np.einsum("eik,ek->ei", plane, dr[ok])
        miss_2d = np.einsum("eij,ei->ej", eigvec, miss_plane)  # components on the eigenvectors
        pc[ok] = pc_foster_2d_many(
            miss_2d[:, 1], miss_2d[:, 0], np.sqrt(eigval[:, 1]), np.sqrt(eigval[:, 0]),
            radius_km[ok],
        )  # fmt: skip
    return pc, ok


def default_radii_m(norad_ids: Sequence[int], names: Sequence[str]) -> np.ndarray:
    """Default hard-body radius (m) of each object (:func:`object_radius_m`): a
    conjunction's hard-body radius is the sum of its two objects'. Apart from the stations
    (by number), an object's radius depends on its name only, so names are looked up once."""
    radius_of: dict[str, float] = {}

    def radius(norad: int, name: str) -> float:
        if int(norad) in STATION_SIZES:
            return object_radius_m(norad, name)
        value = radius_of.get(name)
        if value is None:
            value = radius_of[name] = object_radius_m(norad, name)
        return value

    return np.array([radius(k, name) for k, name in zip(norad_ids, names, strict=True)],
                    dtype=float)  # fmt: skip


def with_probabilities(events: list[Conjunction]) -> list[Conjunction]:
    """:func:`with_probability` (default covariances, default hard-body radii, Foster) for
    many events at once: the RTN rotations, encounter planes and Pc are vectorised over
    the events. The results equal the one-event path to quadrature accuracy (tested);
    events without an encounter plane (zero relative velocity) go through that path.
    """
    if not events:
        return []
    r1 = np.array([e.r1_km for e in events], dtype=float)
    v1 = np.array([e.v1_km_s for e in events], dtype=float)
    r2 = np.array([e.r2_km for e in events], dtype=float)
    v2 = np.array([e.v2_km_s for e in events], dtype=float)
    # Objects recur across events: both ends' radii from one lookup per object and name.
    ids = [e.norad_1 for e in events] + [e.norad_2 for e in events]
    names = [e.name_1 for e in events] + [e.name_2 for e in events]
    radii = default_radii_m(ids, names)
    n = len(events)
    hbr_m = radii[:n] + radii[n:]
    age_1 = np.array([e.age_days_1 for e in events], dtype=float)
    age_2 = np.array([e.age_days_2 for e in events], dtype=float)
    pc, ok = default_pc_arrays(r1, v1, r2, v2, age_1, age_2, hbr_m)
    out = []
    new, setattr_ = object.__new__, object.__setattr__
    for conj, good, pc_k, hbr_k in zip(
        events, ok.tolist(), pc.tolist(), hbr_m.tolist(), strict=True
    ):
        if not good:
            out.append(with_probability(conj))
            continue
        # dataclasses.replace without its per-call field walk (a frozen dataclass with no
        # __post_init__: a copy of the fields with four of them changed is the same record;
        # the unpacked dict keeps the fields' order).
        copy = new(Conjunction)
        setattr_(copy, "__dict__", {
            **conj.__dict__, "pc": pc_k, "pc_method": "FOSTER-1992", "hard_body_radius_m": hbr_k,
            "extras": {**conj.extras, "covariance_1": "default", "covariance_2": "default"},
        })  # fmt: skip
        out.append(copy)
    return out


def pc_from_cdm(
    message: CdmMessage, *, hard_body_radius_m: float, method: str = "FOSTER-1992"
) -> float:
    """Pc from a parsed CDM (:func:`stationplan.screening.cdm.read_cdm`).

    Each object's RTN covariance is rotated with its own state. States in ITRF are
    Earth-fixed: the RTN frame and the relative velocity use the inertial velocity
    v + ω⊕ × r (ω⊕ = 7.292115e-5 rad/s about z), which reproduces Orekit's Pc on a real
    CSpOC CDM; EME2000 and GCRF states are used as given.
    """
    method = method.upper()
    if method not in METHODS:
        raise ValueError(f"unknown Pc method {method!r}; expected one of {', '.join(METHODS)}")
    states = []
    for obj in message.objects:
        r = np.asarray(obj.r_km, dtype=float)
        v = np.asarray(obj.v_km_s, dtype=float)
        if obj.ref_frame.upper() in ("ITRF", "ITRF-93", "ITRF-97", "ITRF2000", "ITRFXX"):
            v = v + np.cross([0.0, 0.0, _EARTH_ROTATION_RAD_S], r)
        if obj.cov_rtn is None:
            raise ValueError(f"{obj.designator}: the CDM gives no covariance")
        states.append((r, v, rtn_to_inertial(_position_block(obj.cov_rtn), r, v)))
    func = pc_foster if method == "FOSTER-1992" else pc_chan
    (r1, v1, c1), (r2, v2, c2) = states
    return func(r1, v1, c1, r2, v2, c2, hard_body_radius_m)


# ---------------------------------------------------------------------------------------


def _position_block(cov: np.ndarray) -> np.ndarray:
    cov = np.asarray(cov, dtype=float)
    if cov.shape == (6, 6):
        return cov[:3, :3]
    if cov.shape == (3, 3):
        return cov
    raise ValueError(f"covariance must be 3×3 or 6×6, got {cov.shape}")


def _pc(
    pc_2d,  # (miss_x, miss_y, sigma_x, sigma_y, radius) -> float, lengths in km here
    r1_km: ArrayLike,
    v1_km_s: ArrayLike,
    cov1_km2: np.ndarray,
    r2_km: ArrayLike,
    v2_km_s: ArrayLike,
    cov2_km2: np.ndarray,
    hard_body_radius_m: float,
) -> float:
    radius_km = float(hard_body_radius_m) / 1000.0
    if not radius_km >= 0.0:
        raise ValueError(f"hard_body_radius_m must be >= 0, got {hard_body_radius_m!r}")
    # Floor tiny eigenvalues at 1e-4·R (a point mass at metre scale), like CARA's
    # eigenvalue clipping of non-positive-definite projections.
    plane = encounter_plane(
        r1_km, v1_km_s, cov1_km2, r2_km, v2_km_s, cov2_km2, floor_km=max(radius_km, 1e-9) * 1e-4
    )
    (xm, ym), (sx, sy) = plane.miss_km, plane.sigma_km
    return pc_2d(xm, ym, sx, sy, radius_km)
