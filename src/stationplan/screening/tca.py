"""Time of closest approach: roots of the range rate, found with SGP4 at the refined times.

For a pair with relative position d(t) and velocity w(t) the range ρ = |d| has
dρ²/dt = 2 d·w, so a local minimum of the range is a root of g(t) = d·w where g goes
from negative to positive. Each candidate grid interval from the sieve is a bracket; one
with g(a) < 0 ≤ g(b) holds one minimum (intervals are far shorter than the time between
a pair's minimum and maximum of range) and is refined with SciPy's vectorised
Chandrupatla solver (``scipy.optimize.elementwise.find_root``; T. R. Chandrupatla, "A new
hybrid quadratic/bisection algorithm for finding the zero of a nonlinear function without
using derivatives", Adv. Eng. Software 28 (1997) 145-149). Every evaluation is python-sgp4
(Vallado et al., AIAA 2006-6753) at the exact trial time: no interpolation enters the
TCA or the miss distance.

Times are seconds from the span start ``(jd0, fr0)`` (UTC Julian date split in two, as
python-sgp4 takes it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import elementwise
from sgp4.api import Satrec

from stationplan.screening.covariance import rtn_matrices

_SECONDS_PER_DAY = 86400.0
#: Convergence of the TCA (s): far below the 1 s asked of TCAs, and the miss distance
#: then errs by at most w²·δt²/(2ρ) — nanometres.
TCA_TOLERANCE_S = 1e-4


def states_at(
    satrecs: Sequence[Satrec], objects: np.ndarray, t_s: np.ndarray, jd0: float, fr0: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """SGP4 state of ``satrecs[objects[n]]`` at ``t_s[n]`` s after (jd0, fr0), for every n.

    Returns ``(error_code (n,), position_km (n, 3), velocity_km_s (n, 3))`` in TEME; one
    SGP4 call (``Satrec.sgp4_array``'s compiled core) per distinct object.
    """
    objects = np.asarray(objects, dtype=np.int64)
    t_s = np.asarray(t_s, dtype=np.float64)
    n = objects.size
    error = np.zeros(n, dtype=np.uint8)
    position = np.empty((n, 3))
    velocity = np.empty((n, 3))
    if n == 0:
        return error, position, velocity
    order = np.argsort(objects, kind="stable")
    sorted_objects = objects[order]
    cuts = np.flatnonzero(np.diff(sorted_objects)) + 1
    starts = np.concatenate([[0], cuts]).tolist()
    ends = [*cuts.tolist(), n]
    # Times in object order, so that each object's times are one contiguous slice (views,
    # no per-object gathers); the results are put back in the caller's order at the end.
    fr = fr0 + t_s[order] / _SECONDS_PER_DAY
    jd = np.full(n, jd0)
    e_sorted = np.empty(n, dtype=np.uint8)
    r_sorted = np.empty((n, 3))
    v_sorted = np.empty((n, 3))
    # python-sgp4's compiled Satrec fills caller-owned contiguous arrays through
    # ``_sgp4(jd, fr, e, r, v)``, which its ``sgp4_array`` wraps after allocating them:
    # calling it on views of one output saves an allocation and a concatenation per object
    # and iteration of the TCA search (the same C++ sgp4 runs either way). The pure-Python
    # Satrec has no ``_sgp4`` and goes through ``sgp4_array``.
    # Slices of memoryviews of the same arrays: cheaper to make than NumPy views, one per
    # argument and object.
    # (NumPy arrays declare the buffer protocol to type checkers only from Python 3.12.)
    arrays: tuple[Any, ...] = (jd, fr, e_sorted, r_sorted, v_sorted)
    m_jd, m_fr, m_e, m_r, m_v = (memoryview(x) for x in arrays)
    for a, b, k in zip(starts, ends, sorted_objects[starts].tolist(), strict=True):
        sat = satrecs[k]
        try:
            sat._sgp4(m_jd[a:b], m_fr[a:b], m_e[a:b], m_r[a:b], m_v[a:b])
        except AttributeError:  # pragma: no cover - python-sgp4 without its compiled core
            e_sorted[a:b], r_sorted[a:b], v_sorted[a:b] = sat.sgp4_array(jd[a:b], fr[a:b])
    error[order] = e_sorted
    position[order] = r_sorted
    velocity[order] = v_sorted
    return error, position, velocity


def _pair_states(
    satrecs: Sequence[Satrec],
    i: np.ndarray,
    j: np.ndarray,
    t_s: np.ndarray,
    jd0: float,
    fr0: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(ok, r1, v1, r2, v2) of pairs (i, j) at times t_s, one SGP4 batch for both ends."""
    n = i.size
    e, r, v = states_at(satrecs, np.concatenate([i, j]), np.concatenate([t_s, t_s]), jd0, fr0)
    ok = (e[:n] == 0) & (e[n:] == 0)
    return ok, r[:n], v[:n], r[n:], v[n:]


def range_rate_function(
    satrecs: Sequence[Satrec], i: np.ndarray, j: np.ndarray, t_s: np.ndarray, jd0: float, fr0: float
) -> np.ndarray:
    """g = d·w (km²/s) of pairs (i, j) at t_s: half the time derivative of the squared range.

    NaN where SGP4 reports an error for either object.
    """
    ok, r1, v1, r2, v2 = _pair_states(satrecs, i, j, t_s, jd0, fr0)
    g = np.einsum("nk,nk->n", r2 - r1, v2 - v1)
    g[~ok] = np.nan
    return g


@dataclass(frozen=True)
class ClosestApproaches:
    """Refined local minima of the range: pair, TCA (s from start) and the SGP4 states.

    ``ok`` is False where SGP4 failed at a bracket end or during the search (the pair
    is then reported as excluded at that time, not as an event).
    """

    i: np.ndarray
    j: np.ndarray
    tca_s: np.ndarray
    ok: np.ndarray
    r1_km: np.ndarray
    v1_km_s: np.ndarray
    r2_km: np.ndarray
    v2_km_s: np.ndarray

    @property
    def miss_km(self) -> np.ndarray:
        """Range at TCA (km)."""
        d = self.r2_km - self.r1_km
        return np.sqrt(np.einsum("nk,nk->n", d, d))

    @property
    def relative_speed_km_s(self) -> np.ndarray:
        """|v2 − v1| at TCA (km/s)."""
        w = self.v2_km_s - self.v1_km_s
        return np.sqrt(np.einsum("nk,nk->n", w, w))


def refine_brackets(
    satrecs: Sequence[Satrec],
    i: np.ndarray,
    j: np.ndarray,
    a_s: np.ndarray,
    b_s: np.ndarray,
    g_a: np.ndarray,
    g_b: np.ndarray,
    jd0: float,
    fr0: float,
) -> ClosestApproaches:
    """The local minimum of the range of pair (i[n], j[n]) in each bracket (a, b] (s).

    ``g_a``, ``g_b``: the range-rate function d·w at the bracket ends (NaN where SGP4
    failed). A bracket holds a minimum when g(a) < 0 ≤ g(b); brackets are half-open, so a
    minimum exactly on a shared end is reported once. Brackets without a sign change are
    dropped; brackets with a failed end come back with ``ok`` False (time: bracket middle).
    """
    i = np.asarray(i, dtype=np.int64)
    j = np.asarray(j, dtype=np.int64)
    a_s = np.asarray(a_s, dtype=np.float64)
    b_s = np.asarray(b_s, dtype=np.float64)
    nonempty = b_s > a_s
    sign_change = nonempty & (g_a < 0.0) & (g_b >= 0.0)
    failed = nonempty & ~(np.isfinite(g_a) & np.isfinite(g_b))
    sel = np.flatnonzero(sign_change)
    a, b, si, sj = a_s[sel], b_s[sel], i[sel], j[sel]
    tca = b.copy()
    converged = np.ones(sel.size, dtype=bool)
    root = (g_b[sel] != 0.0) & (b - a > TCA_TOLERANCE_S)
    if root.any():

        def g_of(t: np.ndarray, fi: np.ndarray, fj: np.ndarray) -> np.ndarray:
            return range_rate_function(
                satrecs, fi.astype(np.int64), fj.astype(np.int64), t, jd0, fr0
            )

        result = elementwise.find_root(
            g_of,
            (a[root], b[root]),
            args=(si[root].astype(np.float64), sj[root].astype(np.float64)),
            tolerances={"xatol": TCA_TOLERANCE_S, "xrtol": 0.0, "fatol": 0.0, "frtol": 0.0},
        )
        tca[root] = np.asarray(result.x, dtype=np.float64)
        converged[root] = np.asarray(result.success, dtype=bool) & np.isfinite(tca[root])
    tca = np.where(converged, tca, b)
    ok, r1, v1, r2, v2 = _pair_states(satrecs, si, sj, tca, jd0, fr0)
    ok &= converged
    fsel = np.flatnonzero(failed)
    if fsel.size:
        nan3 = np.full((fsel.size, 3), np.nan)
        si = np.concatenate([si, i[fsel]])
        sj = np.concatenate([sj, j[fsel]])
        tca = np.concatenate([tca, 0.5 * (a_s[fsel] + b_s[fsel])])
        ok = np.concatenate([ok, np.zeros(fsel.size, dtype=bool)])
        r1, v1, r2, v2 = (np.concatenate([x, nan3]) for x in (r1, v1, r2, v2))
    return ClosestApproaches(si, sj, tca, ok, r1, v1, r2, v2)


def rtn_components(r1_km: np.ndarray, v1_km_s: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """Components of ``vectors`` (n, 3) along object 1's R, T, N axes (n, 3).

    R = r₁/|r₁|, N = r₁ × v₁ / |r₁ × v₁|, T = N × R (CCSDS 508.0-B-1 §3.2.3.3 RTN).
    """
    return np.einsum("nij,nj->ni", rtn_matrices(r1_km, v1_km_s), vectors)
