"""Coarse-grid sieve: which (pair, grid interval) can hold a close approach, with a guarantee.

The span is sampled on a grid ``t_k = start + k·h``. For a pair with relative positions
``d_k``, ``d_{k+1}`` (SGP4, TEME) at the ends of interval k, the chord
``L(s) = d_k + s (d_{k+1} − d_k)``, ``0 ≤ s ≤ 1``, differs from the true relative path by
at most ``A h²/8`` (the error bound of linear interpolation, e.g. Atkinson, *An
Introduction to Numerical Analysis*, 2nd ed., eq. 3.2.9), where ``A`` bounds ``|d''|`` on
the interval. Hence if the pair comes within ``D`` anywhere in the interval, the closest
point of the chord satisfies ``m ≤ D + A h²/8``: that is the sieve test, and a pair that
fails it provably stays farther than ``D`` for the whole interval. Only SGP4 positions
enter the test (SGP4's velocity is a separate series that can differ from the derivative
of its position by up to ~0.1 km/s; see ``MAX_VELOCITY_MISMATCH_KM_S``).

Relative acceleration bound, per pair and interval: ``A = G ρ_max + A₀`` with
``G = 1.05 · 2μ/(R⊕ − 100 km)³`` the largest gravity-gradient norm of the point mass on
any chord between two objects above the surface (+5 % for J2), ``ρ_max`` the largest
separation on the interval (≤ the larger end separation + ``A_crude h²/8``, with
``A_crude = 2 × 0.01 km/s²`` twice the surface gravity plus 1 %) and ``A₀ = 2e-5 km/s²``
for drag and the truncation of the SGP4 theory. Checked on satcat-2024-07: over 13 M
pairs closer than 1,000 km the second differences of SGP4 positions stay below 0.78 of
this bound.

Every state the sieve uses is first checked to be a plausible orbit: SGP4 error code 0,
bound (negative energy), and consistent with its grid neighbours (the trapezoid rule
misses the next position by at most h³/12 · max|r'''| + h δv, with |r'''| ≤ 4μv/r³ ≤
4μ v_esc(R⊕)/R⊕³ for a Kepler orbit, +10 %). A few catalogue objects near decay get error
code 0 from SGP4 yet jump by thousands of km between samples; they fail this check and
are reported, not screened.

All-vs-all: a pair within ``D`` at some time of an interval is within ``D`` during the half
window ``[t − h/2, t + h/2]`` of the nearer grid point t, so at each grid point every pair
is first put to the half-window test (:func:`_half_window_passes`: its straight relative
path over the half window, widened by the SGP4 velocity mismatch and the chord bound), and
the survivors to the chord test on both adjacent intervals. Two engines enumerate the
pairs (:func:`sieve_all`): the compiled kernel ``_sievec.c`` sorts the objects into cells
and sweeps neighbouring cells (its header comment proves that no pair passing the
half-window test is missed); the NumPy engine takes every pair a ``scipy.spatial.cKDTree``
returns within ``R = D + (|v_i| + |v_j| + 2δv) h/2 + A_crude h²/8`` (a pair within ``D``
at some time of an interval is within ``R`` at the nearer end; slow objects,
``|v| ≤ 7.8 km/s``, 99 % of the 2024 catalogue, and fast ones get separate trees so that
the few fast eccentric objects do not inflate the radius for everyone).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, replace

import numpy as np
from scipy.spatial import cKDTree

try:  # the compiled kernel, built by setup.py at install
    from stationplan.screening import _sievec
except ImportError:  # pragma: no cover - a source tree without the built extension
    _sievec = None  # type: ignore[assignment]  # mypy's idiom for an optional module

#: Sub-windows of the compiled sieve's half-window enumeration (``_sievec.c``): the pairs
#: are sought at M times of the half window with a cell size of R0 + 7.8 km/s · h/M. More
#: sub-windows test fewer pairs but sort the objects M times; 1 is fastest at 60 s steps.
SUB_WINDOWS = 1
NOT_BUILT = (
    "the compiled sieve (stationplan.screening._sievec) is not built; reinstall the package "
    "with a C compiler (`pip install -e .`, which `make` does)"
)
#: Implementations of :func:`sieve_all`.
ENGINES = ("auto", "compiled", "numpy")

#: SGP4's gravity model (WGS-72, as in ``Satrec.twoline2rv``): km³/s² and km.
MU_KM3_S2 = 398600.8
EARTH_RADIUS_KM = 6378.135
#: Crude bound on one object's acceleration (km/s²): μ/R⊕² (9.80e-3) plus 1 %.
MAX_ACCEL_KM_S2 = 0.01
#: Crude bound on the relative acceleration of a pair (km/s²), twice the above.
MAX_RELATIVE_ACCEL_KM_S2 = 2.0 * MAX_ACCEL_KM_S2
#: Gravity-gradient bound G (1/s²) of the relative acceleration, G·separation.
GRADIENT_BOUND_S2 = 1.05 * 2.0 * MU_KM3_S2 / (EARTH_RADIUS_KM - 100.0) ** 3
#: Relative acceleration not explained by the gradient: drag and SGP4 truncation (km/s²).
RESIDUAL_ACCEL_KM_S2 = 2e-5
#: Bound on |r'''| of a bound orbit above the surface (km/s³): 4 μ v_esc(R⊕)/R⊕³ + 10 %.
MAX_JERK_KM_S3 = (
    1.1 * 4.0 * MU_KM3_S2 * math.sqrt(2.0 * MU_KM3_S2 / EARTH_RADIUS_KM) / (EARTH_RADIUS_KM**3)
)
#: Bound on the difference between SGP4's velocity and the time derivative of its position
#: (km/s). The two are separate series of the theory; measured by central differences on
#: satcat-2024-07 over 7 days: 99.9 % of near-earth objects below 0.007 km/s, the worst
#: sane object 0.087 km/s (deep-space and high-drag); garbage states differ by > 100 km/s.
MAX_VELOCITY_MISMATCH_KM_S = 0.1
#: Objects slower than this (km/s) share one k-d tree radius; faster ones get their own.
SLOW_SPEED_KM_S = 7.8

#: Reason codes of excluded states beyond SGP4's own 1-6 (``sgp4.api.SGP4_ERRORS``).
REASON_UNBOUND = 7
REASON_INCONSISTENT = 8
REASONS = {
    1: "SGP4: mean eccentricity outside 0 ≤ e < 1",
    2: "SGP4: mean motion below zero",
    3: "SGP4: perturbed eccentricity outside 0 ≤ e ≤ 1",
    4: "SGP4: semi-latus rectum below zero",
    5: "SGP4: mrt below 1 Earth radius (unused)",
    6: "SGP4: orbit decayed (radius below 1 Earth radius)",
    REASON_UNBOUND: "SGP4 returned an unbound state (speed above escape speed)",
    REASON_INCONSISTENT: (
        "SGP4 positions jump between grid samples in a way its velocities do not explain"
    ),
}


@dataclass(frozen=True)
class SieveSettings:
    """Grid step and screening distance of the sieve.

    ``step_s``: grid step h (s). ``distance_km``: D, the radius of the sphere that
    contains the screening volume (the threshold, or the half-diagonal of an RTN box).
    ``attach_km`` / ``attach_speed_km_s``: a pair sampled closer than ``attach_km`` while
    moving slower than ``attach_speed_km_s`` relative to each other is co-orbiting
    (docked, or in formation) and is reported once as attached.
    """

    step_s: float
    distance_km: float
    attach_km: float = 1.0
    attach_speed_km_s: float = 0.01

    @property
    def crude_margin_km(self) -> float:
        """A_crude h²/8 (km): bound on the chord error for any pair."""
        return MAX_RELATIVE_ACCEL_KM_S2 * self.step_s**2 / 8.0

    def margin_km(self, far_end_km: np.ndarray | float) -> np.ndarray | float:
        """Chord error bound A h²/8 (km) for pairs whose larger end separation is given."""
        rho_max = np.asarray(far_end_km) + self.crude_margin_km
        accel = GRADIENT_BOUND_S2 * rho_max + RESIDUAL_ACCEL_KM_S2
        return accel * self.step_s**2 / 8.0


def _use_compiled(engine: str) -> bool:
    """Whether ``engine`` (one of :data:`ENGINES`) runs the compiled kernel: "compiled"
    needs it built, "auto" uses it when built."""
    if engine not in ENGINES:
        raise ValueError(f"unknown sieve engine {engine!r}; expected one of {ENGINES}")
    if engine == "compiled" and _sievec is None:
        raise RuntimeError(NOT_BUILT)
    return engine != "numpy" and _sievec is not None


def plausible_states(
    position_km: np.ndarray,
    velocity_km_s: np.ndarray,
    error_code: np.ndarray,
    step_s: float,
    engine: str = "auto",
) -> np.ndarray:
    """Reason code per (object, time): 0 usable, 1-6 SGP4 errors, 7 unbound, 8 inconsistent.

    Arrays are (N, T, 3) and (N, T) on a regular grid of step ``step_s`` (s). A state is
    inconsistent when the trapezoid rule across either neighbouring interval misses the
    next position by more than h³/12 · ``MAX_JERK_KM_S3`` + h · δv (module docstring).
    The compiled kernel does the same checks in one pass when it is built (``engine``
    as for :func:`sieve_all`).
    """
    if _use_compiled(engine):
        n, t_count = error_code.shape
        codes = _sievec.plausible_states(
            np.ascontiguousarray(position_km, dtype=np.float64),
            np.ascontiguousarray(velocity_km_s, dtype=np.float64),
            np.ascontiguousarray(error_code, dtype=np.uint8),
            n,
            t_count,
            float(step_s),
            MU_KM3_S2,
            MAX_JERK_KM_S3,
            MAX_VELOCITY_MISMATCH_KM_S,
        )
        return np.frombuffer(codes, dtype=np.uint8).reshape(n, t_count).copy()
    reason = error_code.astype(np.uint8, copy=True)
    ok = reason == 0
    r2 = np.einsum("ntk,ntk->nt", position_km, position_km)
    v2 = np.einsum("ntk,ntk->nt", velocity_km_s, velocity_km_s)
    with np.errstate(invalid="ignore", divide="ignore"):
        unbound = ok & ~(v2 * v2 * r2 < (2.0 * MU_KM3_S2) ** 2)  # v² r < 2μ (escape), squared
    reason[unbound] = REASON_UNBOUND
    if position_km.shape[1] > 1:
        # Trapezoid residual p₁ − p₀ − h(v₀ + v₁)/2, computed in place in one buffer.
        step = np.add(velocity_km_s[:, 1:], velocity_km_s[:, :-1])
        step *= -0.5 * step_s
        step += position_km[:, 1:]
        step -= position_km[:, :-1]
        limit = step_s**3 / 12.0 * MAX_JERK_KM_S3 + step_s * MAX_VELOCITY_MISMATCH_KM_S
        with np.errstate(invalid="ignore"):
            bad = ~(np.einsum("ntk,ntk->nt", step, step) <= limit**2)
        bad_state = np.zeros(reason.shape, dtype=bool)
        bad_state[:, 1:] |= bad
        bad_state[:, :-1] |= bad
        reason[(reason == 0) & bad_state] = REASON_INCONSISTENT
    return reason


def segment_miss_km(d0_km: np.ndarray, d1_km: np.ndarray) -> np.ndarray:
    """Closest approach of the chord ``d0 + s (d1 − d0)``, ``0 ≤ s ≤ 1``, to the origin (km).

    ``d0_km``, ``d1_km``: (..., 3) relative positions at the two ends of an interval.
    """
    dd0 = np.einsum("...k,...k->...", d0_km, d0_km)
    dd1 = np.einsum("...k,...k->...", d1_km, d1_km)
    d01 = np.einsum("...k,...k->...", d0_km, d1_km)
    return _segment_miss(dd0, dd1, d01)


def _segment_miss(dd0: np.ndarray, dd1: np.ndarray, d01: np.ndarray) -> np.ndarray:
    """The chord's closest approach from |d0|², |d1|² and d0·d1."""
    delta2 = dd0 + dd1 - 2.0 * d01
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(delta2 > 0.0, (dd0 - d01) / delta2, 0.0)
    np.clip(s, 0.0, 1.0, out=s)
    squared = dd0 + 2.0 * s * (d01 - dd0) + s * s * delta2
    np.maximum(squared, 0.0, out=squared)
    return np.sqrt(squared)


def _passes(dd0: np.ndarray, dd1: np.ndarray, d01: np.ndarray, settings: SieveSettings):
    """Sieve test of intervals from the dot products of their end separations."""
    miss = _segment_miss(dd0, dd1, d01)
    far = np.sqrt(np.maximum(dd0, dd1))
    return miss <= settings.distance_km + settings.margin_km(far)


@dataclass(frozen=True)
class Candidates:
    """Sieve output for one block of grid intervals (local object indices, global k).

    ``i``, ``j``, ``k``: pairs (i < j for all-vs-all; i the primary otherwise) and the
    index k of each candidate interval [t_k, t_{k+1}]. ``attached_*``: grid samples that
    meet the co-orbiting criterion (pair, separation km, grid index). ``n_pairs_tested``:
    (pair, adjacent interval) combinations the enumeration handed to the exact tests, a
    measure of the work (it depends on the engine: k-d radius pairs for NumPy, pairs whose
    straight path comes within R0 for the compiled sieve).
    """

    i: np.ndarray
    j: np.ndarray
    k: np.ndarray
    attached_i: np.ndarray
    attached_j: np.ndarray
    attached_sep_km: np.ndarray
    attached_k: np.ndarray
    n_pairs_tested: int


def _concat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(parts).astype(dtype) if parts else np.empty(0, dtype=dtype)


def _candidates(parts: dict[str, list[np.ndarray]], tested: int) -> Candidates:
    return Candidates(
        _concat(parts["i"], np.int64),
        _concat(parts["j"], np.int64),
        _concat(parts["k"], np.int64),
        _concat(parts["ai"], np.int64),
        _concat(parts["aj"], np.int64),
        _concat(parts["as"], np.float64),
        _concat(parts["ak"], np.int64),
        tested,
    )


def _new_parts() -> dict[str, list[np.ndarray]]:
    return {k: [] for k in ("i", "j", "k", "ai", "aj", "as", "ak")}


def sieve_primaries(
    position_km: np.ndarray,
    velocity_km_s: np.ndarray,
    usable: np.ndarray,
    primaries: np.ndarray,
    first_k: int,
    settings: SieveSettings,
    engine: str = "auto",
) -> Candidates:
    """One-vs-many sieve: each primary against every other object on every interval.

    ``position_km``/``velocity_km_s``: (N, T, 3) TEME states at grid points
    ``first_k … first_k + T − 1``; the T − 1 intervals between them are tested.
    ``usable``: (N, T) bool; ``primaries``: local indices of the primaries. ``engine``
    as for :func:`sieve_all`: the compiled kernel runs the same tests in one pass over
    the states (the same candidates and attached samples, in the same order).
    """
    if _use_compiled(engine):
        n, t_count = usable.shape
        prim = np.ascontiguousarray(primaries, dtype=np.int64)
        params = (
            settings.step_s,
            settings.distance_km,
            settings.crude_margin_km,
            GRADIENT_BOUND_S2,
            RESIDUAL_ACCEL_KM_S2,
            MAX_VELOCITY_MISMATCH_KM_S,
            settings.attach_km,
            settings.attach_speed_km_s,
            SLOW_SPEED_KM_S,
            1.0,
        )
        cand, att, att_sep, tested = _sievec.sieve_primaries(
            np.ascontiguousarray(position_km, dtype=np.float64),
            np.ascontiguousarray(velocity_km_s, dtype=np.float64),
            np.ascontiguousarray(usable, dtype=np.bool_),
            prim,
            n,
            t_count,
            first_k,
            prim.size,
            params,
        )
        c = np.frombuffer(cand, dtype=np.int64).reshape(-1, 3)
        a = np.frombuffer(att, dtype=np.int64).reshape(-1, 3)
        return Candidates(
            c[:, 0].copy(), c[:, 1].copy(), c[:, 2].copy(), a[:, 0].copy(), a[:, 1].copy(),
            np.frombuffer(att_sep, dtype=np.float64).copy(), a[:, 2].copy(), int(tested),
        )  # fmt: skip
    parts = _new_parts()
    n = position_km.shape[0]
    tested = 0
    d = np.empty_like(position_km)
    skip = np.zeros(n, dtype=bool)
    for p in primaries.tolist():
        skip[p] = True  # itself, and pairs of primaries already screened
        np.subtract(position_km, position_km[p], out=d)
        dd = np.einsum("ntk,ntk->nt", d, d)
        d01 = np.einsum("ntk,ntk->nt", d[:, :-1], d[:, 1:])
        both = usable & usable[p] & ~skip[:, None]
        ok = both[:, :-1] & both[:, 1:]
        tested += int(ok.sum())
        cand = ok & _passes(dd[:, :-1], dd[:, 1:], d01, settings)
        oj, ti = np.nonzero(cand)
        parts["i"].append(np.full(oj.size, p, dtype=np.int64))
        parts["j"].append(oj)
        parts["k"].append(ti + first_k)
        # Co-orbiting samples: close and slow relative to the primary.
        near_j, near_t = np.nonzero(both & (dd < settings.attach_km**2))
        w = velocity_km_s[near_j, near_t] - velocity_km_s[p, near_t]
        slow = np.einsum("nk,nk->n", w, w) < settings.attach_speed_km_s**2
        parts["ai"].append(np.full(int(slow.sum()), p, dtype=np.int64))
        parts["aj"].append(near_j[slow])
        parts["as"].append(np.sqrt(dd[near_j[slow], near_t[slow]]))
        parts["ak"].append(near_t[slow] + first_k)
    return _candidates(parts, tested)


def _tree(points: np.ndarray) -> cKDTree:
    # Unbalanced, non-compact trees build in half the time and query as fast here.
    return cKDTree(points, balanced_tree=False, compact_nodes=False)


def kd_pairs(
    position_km: np.ndarray, speed_km_s: np.ndarray, settings: SieveSettings
) -> tuple[np.ndarray, np.ndarray]:
    """Every pair (i < j) within the k-d radius of the sieve at one grid point (module doc).

    ``position_km``: (M, 3); ``speed_km_s``: (M,). Pairs of slow objects
    (``|v| ≤ SLOW_SPEED_KM_S``) come from one tree; pairs with a fast object from a tree
    of the fast ones queried against itself and the slow tree with a larger radius.
    """
    half = 0.5 * settings.step_s
    base = settings.distance_km + settings.crude_margin_km + 2.0 * MAX_VELOCITY_MISMATCH_KM_S * half
    slow = np.flatnonzero(speed_km_s <= SLOW_SPEED_KM_S)
    fast = np.flatnonzero(speed_km_s > SLOW_SPEED_KM_S)
    parts_i: list[np.ndarray] = []
    parts_j: list[np.ndarray] = []
    slow_tree = _tree(position_km[slow]) if slow.size else None
    if slow_tree is not None and slow.size > 1:
        pairs = slow_tree.query_pairs(base + 2.0 * SLOW_SPEED_KM_S * half, output_type="ndarray")
        parts_i.append(slow[pairs[:, 0]])
        parts_j.append(slow[pairs[:, 1]])
    if fast.size:
        radius = base + (float(speed_km_s[fast].max()) + float(speed_km_s.max())) * half
        fast_tree = _tree(position_km[fast])
        if fast.size > 1:
            pairs = fast_tree.query_pairs(radius, output_type="ndarray")
            parts_i.append(fast[pairs[:, 0]])
            parts_j.append(fast[pairs[:, 1]])
        if slow_tree is not None:
            m = fast_tree.sparse_distance_matrix(slow_tree, radius, output_type="ndarray")
            a, b = fast[m["i"]], slow[m["j"]]
            parts_i.append(np.minimum(a, b))
            parts_j.append(np.maximum(a, b))
    if not parts_i:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    if len(parts_i) == 1:
        return parts_i[0].astype(np.int64, copy=False), parts_j[0].astype(np.int64, copy=False)
    return (
        np.concatenate(parts_i).astype(np.int64, copy=False),
        np.concatenate(parts_j).astype(np.int64, copy=False),
    )


#: Rounding allowance (km) of the single-precision half-window pre-test: float32 keeps 24
#: bits, 2.5 m at GEO radius, on each of the two positions whose difference is taken.
FLOAT32_ALLOWANCE_KM = 0.01


def _half_window_passes(diff: np.ndarray, settings: SieveSettings) -> np.ndarray:
    """Can the pair come within D during [t − h/2, t + h/2]? Conservative test at t only.

    ``diff``: (m, 6) relative position (km) and SGP4 velocity (km/s) at t, single
    precision. With d, w those, the true relative position is d + w̃τ + e(τ) with
    |w̃ − w| ≤ 2δv (SGP4's velocity vs the derivative of its position) and
    |e| ≤ A τ²/2 ≤ A h²/8, so |d(t+τ)| ≥ |d + wτ| − δv·h − A h²/8 for |τ| ≤ h/2. Pairs
    whose straight path d + wτ stays farther than D + δv·h + A h²/8 (+ float32 rounding)
    over the half-window are dropped; A is bounded with the largest separation the path
    can reach there.
    """
    half = 0.5 * settings.step_s
    d = diff[:, :3]
    w = diff[:, 3:]
    dd = np.einsum("nk,nk->n", d, d).astype(np.float64)
    ww = np.einsum("nk,nk->n", w, w).astype(np.float64)
    dw = np.einsum("nk,nk->n", d, w).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        tau = np.where(ww > 0.0, -dw / ww, 0.0)
    np.clip(tau, -half, half, out=tau)
    closest2 = np.maximum(dd + 2.0 * tau * dw + tau * tau * ww, 0.0)
    far = np.sqrt(dd) + (np.sqrt(ww) + 2.0 * MAX_VELOCITY_MISMATCH_KM_S) * half
    reach = (
        settings.distance_km
        + 2.0 * MAX_VELOCITY_MISMATCH_KM_S * half
        + settings.margin_km(far)
        + FLOAT32_ALLOWANCE_KM
    )
    return closest2 <= reach * reach


def sieve_all(
    position_km: np.ndarray,
    velocity_km_s: np.ndarray,
    usable: np.ndarray,
    first_k: int,
    settings: SieveSettings,
    engine: str = "auto",
    sub_windows: int = SUB_WINDOWS,
) -> Candidates:
    """All-vs-all sieve: every pair within the k-d radius at each grid point, pre-tested on
    its half window, then the chord test on both adjacent intervals. Same array conventions
    as :func:`sieve_primaries`.

    ``engine``: ``"compiled"`` (the C kernel ``_sievec``: cells sorted by key and swept,
    every test in one double-precision pass), ``"numpy"`` (scipy k-d trees and NumPy tests
    in single precision) or ``"auto"`` (compiled when the extension is built, else NumPy
    with a warning). Both apply the same tests; the NumPy path widens them by its rounding
    allowance, so it may return a few more candidate intervals, never fewer.
    ``sub_windows``: see :data:`SUB_WINDOWS` (compiled engine only).
    """
    if _use_compiled(engine):
        return _sieve_all_compiled(
            position_km, velocity_km_s, usable, first_k, settings, sub_windows
        )
    if engine == "auto":
        warnings.warn(NOT_BUILT + "; using the slower NumPy sieve", RuntimeWarning, stacklevel=2)
    return _sieve_all_numpy(position_km, velocity_km_s, usable, first_k, settings)


def _sieve_all_compiled(
    position_km: np.ndarray,
    velocity_km_s: np.ndarray,
    usable: np.ndarray,
    first_k: int,
    settings: SieveSettings,
    sub_windows: int = SUB_WINDOWS,
) -> Candidates:
    """:func:`sieve_all` through the C kernel (``_sievec.c`` documents the enumeration)."""
    n, t_count = usable.shape
    params = (
        settings.step_s,
        settings.distance_km,
        settings.crude_margin_km,
        GRADIENT_BOUND_S2,
        RESIDUAL_ACCEL_KM_S2,
        MAX_VELOCITY_MISMATCH_KM_S,
        settings.attach_km,
        settings.attach_speed_km_s,
        SLOW_SPEED_KM_S,
        float(sub_windows),
    )
    cand, att, att_sep, tested = _sievec.sieve_all(
        np.ascontiguousarray(position_km, dtype=np.float64),
        np.ascontiguousarray(velocity_km_s, dtype=np.float64),
        np.ascontiguousarray(usable, dtype=np.bool_),
        n,
        t_count,
        first_k,
        params,
    )
    c = np.frombuffer(cand, dtype=np.int64).reshape(-1, 3)
    a = np.frombuffer(att, dtype=np.int64).reshape(-1, 3)
    cands = Candidates(
        c[:, 0].copy(), c[:, 1].copy(), c[:, 2].copy(), a[:, 0].copy(), a[:, 1].copy(),
        np.frombuffer(att_sep, dtype=np.float64).copy(), a[:, 2].copy(), int(tested),
    )  # fmt: skip
    return _unique_intervals(cands, n, t_count, first_k)


def _unique_intervals(cands: Candidates, n: int, t_count: int, first_k: int) -> Candidates:
    """An interval found from both of its ends is listed once."""
    if cands.i.size == 0:
        return cands
    key = (cands.i * n + cands.j) * (t_count + 1) + (cands.k - first_k)
    _, first = np.unique(key, return_index=True)
    return replace(cands, i=cands.i[first], j=cands.j[first], k=cands.k[first])


def _sieve_all_numpy(
    position_km: np.ndarray,
    velocity_km_s: np.ndarray,
    usable: np.ndarray,
    first_k: int,
    settings: SieveSettings,
) -> Candidates:
    """:func:`sieve_all` with a scipy k-d tree per grid point and NumPy tests."""
    parts = _new_parts()
    n, t_count = usable.shape
    tested = 0
    # One time-major single-precision copy of (position, velocity): each grid point's
    # states are contiguous for the gathers, at half the memory traffic of float64. The
    # rounding (FLOAT32_ALLOWANCE_KM per difference) is added to every test distance.
    packed = np.empty((t_count, n, 6), dtype=np.float32)
    packed[:, :, :3] = position_km.transpose(1, 0, 2)
    packed[:, :, 3:] = velocity_km_s.transpose(1, 0, 2)
    usable_t = np.ascontiguousarray(usable.T)
    speeds = np.sqrt(np.einsum("tnk,tnk->tn", packed[:, :, 3:], packed[:, :, 3:]))
    loose = replace(settings, distance_km=settings.distance_km + 2.0 * FLOAT32_ALLOWANCE_KM)
    buffer_j = np.empty((0, 6), dtype=np.float32)
    buffer_i = buffer_j
    for t in range(t_count):
        rows = np.flatnonzero(usable_t[t])
        if rows.size < 2:
            continue
        states = packed[t]
        a, b = kd_pairs(states[rows, :3], speeds[t][rows], loose)
        if a.size == 0:
            continue
        gi, gj = (a, b) if rows.size == n else (rows[a], rows[b])
        # Half-window pre-test (cheap, no other time row): most k-d pairs are neighbours
        # moving together, whose straight relative path stays far from each other.
        # Gathers go into reused buffers (fresh 5 MB arrays per step cost page faults).
        if buffer_j.shape[0] < gi.size:
            buffer_j = np.empty((int(gi.size * 1.25), 6), dtype=np.float32)
            buffer_i = np.empty_like(buffer_j)
        diff = np.take(states, gj, axis=0, out=buffer_j[: gi.size])
        diff -= np.take(states, gi, axis=0, out=buffer_i[: gi.size])
        keep = _half_window_passes(diff, settings)
        gi, gj = gi[keep], gj[keep]
        if gi.size == 0:
            continue
        here = diff[keep, :3].astype(np.float64)
        dd_here = np.einsum("nk,nk->n", here, here)
        for other in (t - 1, t + 1):  # the interval before and the one after this point
            if not 0 <= other < t_count:
                continue
            p_there = packed[other]
            ok = usable_t[other][gi] & usable_t[other][gj]
            there = (p_there[gj, :3] - p_there[gi, :3]).astype(np.float64)
            dd_there = np.einsum("nk,nk->n", there, there)
            d01 = np.einsum("nk,nk->n", here, there)
            tested += a.size
            cand = ok & _passes(dd_here, dd_there, d01, loose)
            parts["i"].append(gi[cand])
            parts["j"].append(gj[cand])
            parts["k"].append(np.full(int(cand.sum()), min(t, other) + first_k, dtype=np.int64))
        near = dd_here < settings.attach_km**2
        if near.any():
            w = diff[keep][near, 3:].astype(np.float64)
            slow = np.einsum("nk,nk->n", w, w) < settings.attach_speed_km_s**2
            parts["ai"].append(gi[near][slow])
            parts["aj"].append(gj[near][slow])
            parts["as"].append(np.sqrt(dd_here[near][slow]))
            parts["ak"].append(np.full(int(slow.sum()), t + first_k, dtype=np.int64))
    return _unique_intervals(_candidates(parts, tested), n, t_count, first_k)


def osculating_apsides_km(
    position_km: np.ndarray, velocity_km_s: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Perigee and apogee radii (km) of the osculating two-body orbit of each state.

    ``a(1 − e)`` and ``a(1 + e)`` from the vis-viva energy and the eccentricity vector
    (Vallado, *Fundamentals of Astrodynamics and Applications*, 4th ed., algorithm 9,
    RV2COE). Arrays (..., 3) -> (...); NaN for non-finite states.
    """
    r = np.sqrt(np.einsum("...k,...k->...", position_km, position_km))
    v2 = np.einsum("...k,...k->...", velocity_km_s, velocity_km_s)
    rv = np.einsum("...k,...k->...", position_km, velocity_km_s)
    with np.errstate(invalid="ignore", divide="ignore"):
        a = -MU_KM3_S2 / (v2 - 2.0 * MU_KM3_S2 / r)
        e_vec = (v2 - MU_KM3_S2 / r)[..., None] * position_km - rv[..., None] * velocity_km_s
        e = np.sqrt(np.einsum("...k,...k->...", e_vec, e_vec)) / MU_KM3_S2
    return a * (1.0 - e), a * (1.0 + e)
