"""Coarse pre-filter of the one-vs-catalogue sieve: objects that provably pass no test.

The sieve (:mod:`stationplan.screening.sieve`) needs SGP4 states of every object on the
grid ``t_k = k·h``; for a primary such as a station most objects never come near it, and
their grid states only prove that. Here each object is propagated on a grid f times
coarser (step ``H = f·h``) with positions *and* velocities, and its path between two
coarse samples is replaced by the cubic Hermite interpolant ``q`` of those samples. The
interpolation error is bounded per object (:func:`hermite_error_bound_km`):

    |q(t) − r(t)| ≤ H⁴/384 · max|r⁗| + H·δv/4

(the Hermite remainder, e.g. Burden & Faires, *Numerical Analysis*, 9th ed., Thm. 3.9;
the second term is SGP4's velocity mismatch δv entering through the Hermite basis
functions ``s(1−s)²`` and ``s²(1−s)``, whose sum is at most 1/4). ``max|r⁗|`` of a
Kepler orbit follows from differentiating ``r̈ = −μ r/r³`` twice (module note in
``docs/screening.md``):

    |r⁗| ≤ μ²/r_p⁵ · [1 + 6e + 12e²/(1+e) + 3e(1+e)/(1−e)]

with r_p the perigee radius and e the eccentricity (each term bounded at perigee with
``v² ≤ μ(1+e)/r_p``, ``|ṙ| ≤ e·√(μ/p)``, ``r̈ = μ(p − r)/r³``); for a circular orbit it
is exact (ω⁴ r). SGP4's J2, drag and short-period terms are covered by a factor 1.2 and
the perigee lowered by the radial filter's margin; ``tests/test_screening_prefilter.py``
checks the bound against SGP4 states on the grid, and ``benchmarks/check_prefilter.py``
on the whole catalogue.

With ``E`` the sum of both objects' bounds, the relative position ``d_k`` at every grid
point lies within ``E`` of the interpolated ``q_k``, so the sieve's chord between
``d_k`` and ``d_{k+1}`` lies within ``E`` of the chord between ``q_k`` and ``q_{k+1}``
and its larger end is at most ``E`` farther. Interval k is therefore provably rejected
by the sieve (chord miss > D + A h²/8) and holds no co-orbiting sample (separation <
``attach_km``) when

    miss(q_k, q_{k+1}) − E > max(D, attach_km) + margin(max(|q_k|, |q_{k+1}|) + E).

An object none of whose intervals fails this for any primary is dropped from the grid
propagation: it has no candidate and no attached sample, so the events are those of
the full run. Objects whose coarse states are not all plausible (SGP4 error codes,
unbound or jumping states, :func:`~stationplan.screening.sieve.plausible_states` at
step H) are never dropped: their grid exclusions must be counted as before.
"""

from __future__ import annotations

import numpy as np
from sgp4.api import Satrec

from stationplan.screening.sieve import (
    MAX_VELOCITY_MISMATCH_KM_S,
    MU_KM3_S2,
    SieveSettings,
    plausible_states,
    segment_miss_km,
)

__all__ = [
    "PERTURBATION_FACTOR",
    "hermite_error_bound_km",
    "hermite_points",
    "near_objects",
    "resonant",
]

#: Factor on the Kepler bound of |r⁗| for SGP4's J2, drag and short-period terms.
PERTURBATION_FACTOR = 1.2
#: Perigee lowered by this (km) before the bound: osculating perigees of SGP4 states
#: move by ≲ 10 km between samples (J2 short-period terms), as in the radial filter.
PERIGEE_MARGIN_KM = 10.0
#: Eccentricity added to the largest osculating one for the same reason.
ECCENTRICITY_MARGIN = 0.01
#: Objects handled at once by :func:`near_objects`.
_ROWS = 64
#: Osculating elements of the bound from every this-many coarse samples.
_ELEMENT_STRIDE = 4
#: Objects whose bound exceeds this (km) are not worth pre-filtering: kept.
MAX_BOUND_KM = 100.0
#: Rounding allowance (km) added to the distance of the test.
_ROUNDING_KM = 1e-3


def resonant(satrec: Satrec) -> bool:
    """True for a deep-space record SDP4 integrates through a resonance (period 1200–1800
    min, or 680–760 min with e ≥ 0.5; ``dsinit`` of Vallado et al., *Revisiting Spacetrack
    Report #3*, AIAA 2006-6753), with 5 % of margin on the mean motion. Its positions
    step where the resonance integrator restarts (seen on GORIZONT 1, 11158: 14 km
    against a 12 km bound), so it is never pre-filtered."""
    if satrec.method != "d":
        return False
    n = satrec.no_kozai  # rad/min (the un-Kozai difference, ~1e-3, is within the margin)
    synchronous = 0.0034906585 / 1.05 < n < 0.0052359877 * 1.05
    half_day = 8.26e-3 / 1.05 <= n <= 9.24e-3 * 1.05 and satrec.ecco >= 0.5 - 0.05
    return bool(synchronous or half_day)


def hermite_error_bound_km(
    position_km: np.ndarray, velocity_km_s: np.ndarray, coarse_step_s: float
) -> np.ndarray:
    """Bound (km) on |cubic Hermite interpolant − SGP4 position| per object.

    ``position_km``, ``velocity_km_s``: (N, T, 3) coarse samples (step ``coarse_step_s``,
    s) spanning the interval of use, all finite. The perigee and eccentricity of the bound
    are the lowest and highest osculating values (RV2COE) over every ``_ELEMENT_STRIDE``-th
    sample, widened by fixed margins (J2 short-period terms) plus the largest change
    between two such samples (drag). Returns (N,) km; ``inf`` where e ≥ 1 or r_p ≤ 0.
    """
    perigee, ecc = _perigee_eccentricity(
        position_km[:, ::_ELEMENT_STRIDE], velocity_km_s[:, ::_ELEMENT_STRIDE]
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        drift_km = np.max(np.abs(np.diff(perigee, axis=1)), axis=1, initial=0.0)
        drift_e = np.max(np.abs(np.diff(ecc, axis=1)), axis=1, initial=0.0)
        r_p = np.min(perigee, axis=1) - PERIGEE_MARGIN_KM - drift_km
        e = np.max(ecc, axis=1) + ECCENTRICITY_MARGIN + drift_e
        shape = 1.0 + 6.0 * e + 12.0 * e * e / (1.0 + e) + 3.0 * e * (1.0 + e) / (1.0 - e)
        fourth = PERTURBATION_FACTOR * MU_KM3_S2**2 / r_p**5 * shape
        bound = coarse_step_s**4 / 384.0 * fourth + coarse_step_s * MAX_VELOCITY_MISMATCH_KM_S / 4
    ok = np.isfinite(bound) & (e < 1.0) & (r_p > 0.0)
    return np.where(ok, bound, np.inf)


def _perigee_eccentricity(
    position_km: np.ndarray, velocity_km_s: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Osculating perigee radius (km) and eccentricity of each (N, T, 3) state: RV2COE
    (Vallado, *Fundamentals of Astrodynamics and Applications*, 4th ed., algorithm 9), as
    :func:`~stationplan.screening.sieve.osculating_apsides_km`, in component arrays."""
    x, y, z = (position_km[..., i] for i in range(3))
    u, v, w = (velocity_km_s[..., i] for i in range(3))
    r = np.sqrt(x * x + y * y + z * z)
    v2 = u * u + v * v + w * w
    rv = x * u + y * v + z * w
    with np.errstate(invalid="ignore", divide="ignore"):
        a = -MU_KM3_S2 / (v2 - 2.0 * MU_KM3_S2 / r)
        c = v2 - MU_KM3_S2 / r
        ex, ey, ez = c * x - rv * u, c * y - rv * v, c * z - rv * w
        e = np.sqrt(ex * ex + ey * ey + ez * ez) / MU_KM3_S2
    return a * (1.0 - e), e


def hermite_points(
    p0: np.ndarray, v0: np.ndarray, p1: np.ndarray, v1: np.ndarray, step_s: float, factor: int
) -> np.ndarray:
    """Cubic Hermite interpolant at the f = ``factor`` grid points of each coarse interval.

    ``p0``, ``v0``, ``p1``, ``v1``: (..., C, 3) positions (km) and velocities (km/s) at
    the two ends of C coarse intervals of ``step_s`` (s). Returns (..., C·f, 3): the
    interpolant at s = 0, 1/f, …, (f−1)/f of each interval, in time order.
    """
    s = np.arange(factor, dtype=np.float64) / factor
    h00 = 2 * s**3 - 3 * s**2 + 1
    h10 = (s**3 - 2 * s**2 + s) * step_s
    h01 = -2 * s**3 + 3 * s**2
    h11 = (s**3 - s**2) * step_s
    out = (
        p0[..., None, :] * h00[:, None]
        + v0[..., None, :] * h10[:, None]
        + p1[..., None, :] * h01[:, None]
        + v1[..., None, :] * h11[:, None]
    )
    return out.reshape(*p0.shape[:-2], p0.shape[-2] * factor, 3)


def near_objects(
    position_km: np.ndarray,
    velocity_km_s: np.ndarray,
    error_code: np.ndarray,
    primaries: np.ndarray,
    factor: int,
    n_intervals: int,
    settings: SieveSettings,
    always_kept: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(kept, bound_km): which objects the grid sieve must see, and each one's bound.

    ``position_km``, ``velocity_km_s``, ``error_code``: (N, C, ...) SGP4 states at coarse
    times ``(c − 1)·H`` for c = 0..C−1, H = ``factor``·h, covering grid points −f to at
    least ``n_intervals`` + f. ``primaries``: row indices (always kept). Kept: the
    primaries, every object with an implausible coarse state or no usable bound, and every
    object with an interval k < ``n_intervals`` the test of the module docstring cannot
    reject for some primary. ``always_kept``: bool per object to keep regardless
    (:func:`resonant` records).
    """
    n = error_code.shape[0]
    coarse_step_s = settings.step_s * factor
    reach = max(settings.distance_km, settings.attach_km) + _ROUNDING_KM
    n_coarse = -(-n_intervals // factor)  # coarse intervals holding grid intervals 0..n-1
    kept = np.zeros(n, dtype=bool)
    bound = np.full(n, np.inf)
    # Blocks of objects keep every temporary small (fresh large arrays cost page faults).
    blocks = [np.asarray(primaries, dtype=np.int64)] + [
        np.arange(r0, min(n, r0 + _ROWS)) for r0 in range(0, n, _ROWS)
    ]
    for block_no, block in enumerate(blocks):
        reason = plausible_states(
            position_km[block], velocity_km_s[block], error_code[block], coarse_step_s
        )
        sane = np.all(reason == 0, axis=1)
        rows = block[sane]
        bound[rows] = hermite_error_bound_km(position_km[rows], velocity_km_s[rows], coarse_step_s)
        if block_no == 0:
            continue  # the primaries: always kept, their bounds needed by every block
        rows = block[(bound[block] <= MAX_BOUND_KM) & ~np.isin(block, primaries)]
        kept[block] = True
        kept[rows] = False
        if rows.size:
            kept[rows] = _near(
                position_km, velocity_km_s, rows, primaries, bound, reach, n_coarse, factor,
                n_intervals, settings,
            )  # fmt: skip
    kept[primaries] = True
    if always_kept is not None:
        kept |= always_kept
    return kept, bound


def _near(
    position_km: np.ndarray,
    velocity_km_s: np.ndarray,
    rows: np.ndarray,
    primaries: np.ndarray,
    bound: np.ndarray,
    reach: float,
    n_coarse: int,
    factor: int,
    n_intervals: int,
    settings: SieveSettings,
) -> np.ndarray:
    """Bool per row: an interval of the row the test cannot reject for some primary."""
    coarse_step_s = settings.step_s * factor
    near = np.zeros(rows.size, dtype=bool)
    span = slice(1, n_coarse + 2)
    pos, vel = position_km[rows, span], velocity_km_s[rows, span]
    for p in primaries.tolist():
        e_km = bound[rows] + bound[p]
        dp = pos - position_km[p, span]
        dv = vel - velocity_km_s[p, span]
        # Stage 1, per coarse interval: the interpolant lies in the convex hull of its
        # Bézier control points P0, P0 + V0 H/3, P1 − V1 H/3, P1 (Farin, *Curves and
        # Surfaces for CAGD*, 5th ed., §4.2); a plane through the origin normal to P0 or
        # P1 bounds the hull's distance from below, max |control point| its far end.
        t3 = coarse_step_s / 3.0

        def dot(x: np.ndarray, y: np.ndarray) -> np.ndarray:
            return np.einsum("ncx,ncx->nc", x, y)

        pp, pv, vv = dot(dp, dp), dot(dp, dv), dot(dv, dv)
        p0, v0, p1, v1 = dp[:, :-1], dv[:, :-1], dp[:, 1:], dv[:, 1:]
        p0p1, p0v1, p1v0 = dot(p0, p1), dot(p0, v1), dot(p1, v0)
        n0, n1 = np.sqrt(pp[:, :-1]), np.sqrt(pp[:, 1:])
        with np.errstate(invalid="ignore", divide="ignore"):
            # Control points projected on P0/|P0| and on P1/|P1|: the smallest of each.
            on0 = np.minimum(
                np.minimum(n0, n0 + t3 * pv[:, :-1] / n0),
                np.minimum(p0p1 - t3 * p0v1, p0p1) / n0,
            )
            on1 = np.minimum(
                np.minimum(p0p1, p0p1 + t3 * p1v0) / n1,
                np.minimum(n1 - t3 * pv[:, 1:] / n1, n1),
            )
        lower = np.fmax(on0, on1)
        far_sq = np.maximum(
            np.maximum(pp[:, :-1], pp[:, 1:]),
            np.maximum(
                pp[:, :-1] + 2 * t3 * pv[:, :-1] + t3 * t3 * vv[:, :-1],
                pp[:, 1:] - 2 * t3 * pv[:, 1:] + t3 * t3 * vv[:, 1:],
            ),
        )
        e_col = e_km[:, None]
        limit = reach + e_col + settings.margin_km(np.sqrt(far_sq) + e_col)
        r_idx, c_idx = np.nonzero(~(lower > limit))
        if r_idx.size == 0:
            continue
        # Stage 2, the survivors: the grid test of the module docstring.
        q = hermite_points(
            dp[r_idx, c_idx][:, None],
            dv[r_idx, c_idx][:, None],
            dp[r_idx, c_idx + 1][:, None],
            dv[r_idx, c_idx + 1][:, None],
            coarse_step_s,
            factor,
        )
        q = np.concatenate([q, dp[r_idx, c_idx + 1][:, None]], axis=1)  # (m, f + 1, 3)
        q0, q1 = q[:, :-1], q[:, 1:]
        miss = segment_miss_km(q0, q1)
        far2 = np.sqrt(
            np.maximum(np.einsum("mkx,mkx->mk", q0, q0), np.einsum("mkx,mkx->mk", q1, q1))
        )
        e_m = e_km[r_idx][:, None]
        fails = ~(miss > reach + e_m + settings.margin_km(far2 + e_m))
        grid_k = c_idx[:, None] * factor + np.arange(factor)
        fails &= grid_k < n_intervals
        near[r_idx[np.any(fails, axis=1)]] = True
    return near
