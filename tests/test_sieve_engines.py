"""The compiled all-vs-all sieve against an all-pairs scan of the same tests.

The compiled kernel (``_sievec.c``) only changes how pairs are enumerated (cells sorted by
key, a sweep over neighbouring cells, optional sub-windows); what it must return is fixed by
the tests of ``sieve.py``. The reference here applies those tests to *every* pair at every
grid point (no spatial enumeration at all), on states built to stress the enumeration:
dense clusters, docked pairs, fast eccentric objects, far deep-space objects, unusable
samples, and pairs straddling cell boundaries.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from stationplan.screening import sieve
from stationplan.screening.sieve import (
    GRADIENT_BOUND_S2,
    MAX_VELOCITY_MISMATCH_KM_S,
    RESIDUAL_ACCEL_KM_S2,
    SieveSettings,
    sieve_all,
)

compiled = pytest.mark.skipif(sieve._sievec is None, reason="compiled sieve not built")


def synthetic_states(seed: int = 7, n: int = 700, steps: int = 30, step_s: float = 60.0):
    """(n, steps, 3) positions and velocities on circular orbits, and usable flags.

    Each object is a circle about the Earth's centre through the point ``P`` (km) at time
    ``t_ref`` (s), moving along the unit tangent ``u`` at ``speed`` (km/s); "fast" objects
    go round faster than a real circular orbit would (the speeds of eccentric objects near
    perigee). Crossing pairs share ``t_ref`` and pass within a chosen distance then.
    """
    rng = np.random.default_rng(seed)
    span = (steps - 1) * step_s

    def tangent(p):
        u = np.cross(p, rng.normal(size=3))
        return u / np.linalg.norm(u)

    # A 25° x 25° patch of a LEO shell around the x axis: hundreds of pairs within the
    # sieve radius at every grid point.
    lat = np.radians(rng.uniform(-12.5, 12.5, n))
    lon = np.radians(rng.uniform(-12.5, 12.5, n))
    radius = rng.uniform(6700.0, 6950.0, n)
    point = np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], 1)
    point *= radius[:, None]
    direction = np.stack([tangent(p) for p in point])
    speed = rng.uniform(7.4, 7.8, n)
    t_ref = rng.uniform(0.0, span, n)
    # Disjoint roles (the first three objects are the far ones).
    roles = rng.permutation(np.arange(3, n))
    fast, cluster, docked, crossing = roles[:40], roles[40:71], roles[71:81], roles[81:201]
    speed[fast] = rng.uniform(8.2, 10.3, fast.size)
    # A dense cluster (30 objects within a few km, 0.5 km/s apart) and docked pairs (30 m,
    # 1 mm/s).
    c0, rest = cluster[0], cluster[1:]
    point[rest] = point[c0] + rng.normal(scale=3.0, size=(rest.size, 3))
    t_ref[rest] = t_ref[c0]
    for k in rest:
        u = direction[c0] + rng.normal(scale=0.04, size=3)
        direction[k] = u / np.linalg.norm(u)
    speed[rest] = speed[c0] + rng.normal(scale=0.3, size=rest.size)
    for a, b in docked.reshape(-1, 2):
        point[b] = point[a] + rng.normal(scale=0.03, size=3)
        direction[b], speed[b], t_ref[b] = direction[a], speed[a] + 1e-3, t_ref[a]
    # Crossing pairs passing at 0-2 D (D = 20 km below) in mid-span, at every kind of
    # speed: both sides of every test threshold get exercised.
    for a, b in crossing.reshape(-1, 2):
        t_ref[a] = t_ref[b] = rng.uniform(0.2, 0.8) * span
        offset = rng.normal(size=3)
        point[b] = point[a] + offset * rng.uniform(0.0, 40.0) / np.linalg.norm(offset)
        direction[b] = tangent(point[b])
    # Head-on fast pairs along the y axis meeting just before mid-interval: 540-600 km
    # apart at the nearer grid point, two cells apart for some of them.
    for a, b in fast.reshape(-1, 2):
        speed[a], speed[b] = rng.uniform(10.0, 10.3, 2)
        t_ref[a] = t_ref[b] = (rng.integers(5, steps - 5) + rng.uniform(0.45, 0.49)) * step_s
        point[b] = point[a] + rng.normal(scale=2.0, size=3)
        direction[a] = [0.0, 1.0, 0.0]
        direction[b] = [0.0, -1.0, 0.0]
    # Far objects: GEO-like and a deep-space one, alone in their cells.
    point[:3] = [[42164.0, 0.0, 0.0], [0.0, -42164.0, 10.0], [3.0e5, 1.0e5, -2.0e4]]
    direction[:3] = [tangent(p) for p in point[:3]]
    speed[:3] = [3.07, 3.07, 1.0]

    r = np.linalg.norm(point, axis=1)
    p_hat = point / r[:, None]
    q_hat = direction - np.einsum("nk,nk->n", direction, p_hat)[:, None] * p_hat
    q_hat /= np.linalg.norm(q_hat, axis=1)[:, None]
    angle = (speed / r)[:, None] * (np.arange(steps) * step_s - t_ref[:, None])
    cos, sin = np.cos(angle)[..., None], np.sin(angle)[..., None]
    position = r[:, None, None] * (cos * p_hat[:, None] + sin * q_hat[:, None])
    velocity = speed[:, None, None] * (-sin * p_hat[:, None] + cos * q_hat[:, None])
    usable = rng.random((n, steps)) > 0.03
    return position, velocity, usable


def all_pairs_reference(position, velocity, usable, settings: SieveSettings, first_k, scale):
    """Every (pair, interval) and attached sample the sieve tests accept, for all pairs.

    ``scale`` multiplies every test distance: 1 − ε and 1 + ε bracket the rounding of the
    compiled code (the sets must nest).
    """
    n, t_count, _ = position.shape
    h = settings.step_s
    half = 0.5 * h
    i, j = np.triu_indices(n, 1)
    dv = MAX_VELOCITY_MISMATCH_KM_S

    def margin(far):
        return (GRADIENT_BOUND_S2 * (far + settings.crude_margin_km) + RESIDUAL_ACCEL_KM_S2) * (
            h * h / 8.0
        )

    cand, att = set(), set()
    for t in range(t_count):
        both = usable[i, t] & usable[j, t]
        d = position[j, t] - position[i, t]
        w = velocity[j, t] - velocity[i, t]
        dd = np.einsum("nk,nk->n", d, d)
        ww = np.einsum("nk,nk->n", w, w)
        dw = np.einsum("nk,nk->n", d, w)
        with np.errstate(invalid="ignore", divide="ignore"):
            tau = np.clip(np.where(ww > 0, -dw / ww, 0.0), -half, half)
        closest2 = np.maximum(dd + 2 * tau * dw + tau * tau * ww, 0.0)
        far = np.sqrt(dd) + (np.sqrt(ww) + 2 * dv) * half
        reach = (settings.distance_km + 2 * dv * half + margin(far)) * scale
        hw = both & (closest2 <= reach * reach)
        for other in (t - 1, t + 1):
            if not 0 <= other < t_count:
                continue
            e = position[j, other] - position[i, other]
            dd1 = np.einsum("nk,nk->n", e, e)
            d01 = np.einsum("nk,nk->n", d, e)
            miss = sieve._segment_miss(dd, dd1, d01)
            limit = (settings.distance_km + margin(np.sqrt(np.maximum(dd, dd1)))) * scale
            ok = hw & usable[i, other] & usable[j, other] & (miss <= limit)
            k = min(t, other) + first_k
            cand |= {(a, b, k) for a, b in zip(i[ok].tolist(), j[ok].tolist(), strict=True)}
        near = hw & (dd < (settings.attach_km * scale) ** 2)
        near &= ww < (settings.attach_speed_km_s * scale) ** 2
        att |= {
            (a, b, t + first_k) for a, b in zip(i[near].tolist(), j[near].tolist(), strict=True)
        }
    return cand, att


def as_sets(c):
    cand = set(zip(c.i.tolist(), c.j.tolist(), c.k.tolist(), strict=True))
    att = set(zip(c.attached_i.tolist(), c.attached_j.tolist(), c.attached_k.tolist(), strict=True))
    return cand, att


def test_the_compiled_sieve_is_built_where_the_project_says_a_c_compiler_exists():
    # setup.py marks the extension optional so that `pip install` works without a compiler;
    # this test keeps a broken build from passing silently on the NumPy fallback.
    if os.environ.get("STATIONPLAN_ALLOW_NUMPY_SIEVE"):
        pytest.skip("STATIONPLAN_ALLOW_NUMPY_SIEVE is set")
    assert sieve._sievec is not None, sieve.NOT_BUILT


@pytest.fixture(scope="module")
def states():
    return synthetic_states()


@pytest.fixture(scope="module")
def reference(states):
    position, velocity, usable = states
    settings = SieveSettings(step_s=60.0, distance_km=20.0)
    strict = all_pairs_reference(position, velocity, usable, settings, 100, 1.0 - 1e-9)
    loose = all_pairs_reference(position, velocity, usable, settings, 100, 1.0 + 1e-9)
    return settings, strict, loose


def test_the_synthetic_states_exercise_every_branch_of_the_enumeration(states, reference):
    _, velocity, usable = states
    _, (cand, att), _ = reference
    speed = np.linalg.norm(velocity, axis=-1)
    assert (speed > sieve.SLOW_SPEED_KM_S).any(axis=1).sum() >= 30  # fast objects
    assert len(cand) > 500  # many candidate intervals ...
    assert len({(a, b) for a, b, _ in cand}) > 100  # ... over many pairs
    assert len({(a, b) for a, b, _ in att}) >= 5  # docked pairs
    assert not usable.all()


@compiled
@pytest.mark.parametrize("sub_windows", [1, 2, 3, 5])
def test_compiled_sieve_returns_exactly_what_an_all_pairs_scan_accepts(
    states, reference, sub_windows
):
    position, velocity, usable = states
    settings, (strict_c, strict_a), (loose_c, loose_a) = reference
    got = sieve_all(position, velocity, usable, 100, settings, engine="compiled",
                    sub_windows=sub_windows)  # fmt: skip
    cand, att = as_sets(got)
    assert strict_c <= cand <= loose_c, (len(strict_c - cand), len(cand - loose_c))
    assert strict_a <= att <= loose_a
    assert len(got.attached_sep_km) == len(got.attached_i)
    assert len(cand) == got.i.size  # each interval once ...
    assert len(att) == got.attached_i.size  # ... and each pair visited once per grid point


def test_numpy_sieve_keeps_everything_the_all_pairs_scan_accepts(states, reference):
    position, velocity, usable = states
    settings, (strict_c, strict_a), _ = reference
    cand, att = as_sets(sieve_all(position, velocity, usable, 100, settings, engine="numpy"))
    assert strict_c <= cand
    assert strict_a <= att


@compiled
def test_compiled_sieve_handles_a_single_grid_point_and_nothing_usable(states):
    position, velocity, usable = states
    settings = SieveSettings(step_s=60.0, distance_km=20.0)
    one = sieve_all(position[:, :1], velocity[:, :1], usable[:, :1], 0, settings)
    assert one.i.size == 0  # no interval
    none = sieve_all(position, velocity, np.zeros_like(usable), 0, settings)
    assert none.i.size == 0 and none.attached_i.size == 0


@compiled
def test_compiled_kernel_rejects_buffers_of_the_wrong_size_with_a_clear_error(states):
    position, velocity, usable = states
    params = (60.0, 5.0, 9.0, GRADIENT_BOUND_S2, RESIDUAL_ACCEL_KM_S2, 0.1, 1.0, 0.01, 7.8, 1.0)
    n, t, _ = position.shape
    with pytest.raises(ValueError, match="velocity"):
        sieve._sievec.sieve_all(position, velocity[:, :-1].copy(), usable, n, t, 0, params)
    with pytest.raises(ValueError, match="sub_windows"):
        sieve._sievec.sieve_all(position, velocity, usable, n, t, 0, (*params[:-1], 0.0))
    with pytest.raises(ValueError, match="sub_windows"):
        sieve._sievec.sieve_all(position, velocity, usable, n, t, 0, (*params[:-1], 1.5))
    with pytest.raises(ValueError, match="not finite"):
        sieve._sievec.sieve_all(position, velocity, usable, n, t, 0, (np.inf, *params[1:]))
    with pytest.raises(ValueError, match="format 'd'"):  # int64 is not float64
        sieve._sievec.sieve_all(position.astype(np.int64), velocity, usable, n, t, 0, params)
    # Sizes whose products overflow are refused before any buffer is read.
    tiny = np.zeros((4, 1, 3))
    with pytest.raises(ValueError, match="addressable"):
        sieve._sievec.sieve_all(tiny, tiny, np.ones((4, 1), bool), 4, 2**62 + 1, 0, params)
    with pytest.raises(ValueError, match="addressable"):
        sieve._sievec.plausible_states(tiny, tiny, np.zeros((4, 1), np.uint8), 4, 2**62 + 1,
                                       60.0, 398600.8, 1.0, 0.1)  # fmt: skip


def test_unknown_engine_is_refused_and_a_missing_build_is_explained(states, monkeypatch):
    position, velocity, usable = states
    settings = SieveSettings(step_s=60.0, distance_km=5.0)
    with pytest.raises(ValueError, match="unknown sieve engine"):
        sieve_all(position, velocity, usable, 0, settings, engine="fortran")
    monkeypatch.setattr(sieve, "_sievec", None)
    with pytest.raises(RuntimeError, match="not built"):
        sieve_all(position, velocity, usable, 0, settings, engine="compiled")
    with pytest.warns(RuntimeWarning, match="slower NumPy sieve"):
        sieve_all(position[:50, :3], velocity[:50, :3], usable[:50, :3], 0, settings)


@compiled
def test_compiled_plausibility_check_gives_the_numpy_reason_codes_on_real_and_broken_states():
    from datetime import UTC, datetime
    from pathlib import Path

    from stationplan.orbit.elements import load_catalog
    from stationplan.orbit.timescale import datetime_to_jd

    # The small real catalogue holds an object in its last days (SGP4 errors and states
    # thousands of km off); add NaN, unbound and jumping states by hand.
    small = load_catalog(Path(__file__).parent / "data" / "screening" / "small.3le")
    array, _ = small.satrec_array()
    jd0, fr0 = datetime_to_jd(datetime(2024, 7, 5, tzinfo=UTC))
    t = np.arange(0.0, 86400.0, 60.0)
    error, position, velocity = array.sgp4(np.full(t.size, jd0), fr0 + t / 86400.0)
    position[0, 5] = np.nan
    velocity[1, 7] *= 2.0  # unbound
    position[2, 9] += 500.0  # jumps: neighbours become inconsistent too
    error[3, 11] = 6  # decayed
    numpy_codes = sieve.plausible_states(position, velocity, error, 60.0, engine="numpy")
    compiled_codes = sieve.plausible_states(position, velocity, error, 60.0, engine="compiled")
    assert set(np.unique(numpy_codes).tolist()) == {0, 6, 7, 8}
    assert numpy_codes[2, 8:11].tolist() == [8, 8, 8] and numpy_codes[1, 7] == 7
    np.testing.assert_array_equal(compiled_codes, numpy_codes)


@compiled
def test_screening_on_the_numpy_fallback_finds_the_same_events(monkeypatch):
    from datetime import UTC, datetime
    from pathlib import Path

    from stationplan.orbit.elements import load_catalog
    from stationplan.screening.screen import ScreeningVolume, screen

    small = load_catalog(Path(__file__).parent / "data" / "screening" / "small.3le")
    start = datetime(2024, 7, 5, tzinfo=UTC)

    def run():
        result = screen(small, start, days=1.0, volume=ScreeningVolume(threshold_km=50.0),
                        workers=1)  # fmt: skip
        events = sorted(
            (e.norad_1, e.norad_2, e.tca_utc, round(e.miss_km, 6)) for e in result.events
        )
        return events, sorted((a.norad_1, a.norad_2) for a in result.attached)

    compiled_events, compiled_attached = run()
    monkeypatch.setattr(sieve, "_sievec", None)
    with pytest.warns(RuntimeWarning, match="slower NumPy sieve"):
        numpy_events, numpy_attached = run()
    assert len(compiled_events) > 5
    assert numpy_events == compiled_events
    assert numpy_attached == compiled_attached


@compiled
def test_compiled_one_vs_many_sieve_gives_the_numpy_candidates_in_the_same_order(states, reference):
    position, velocity, usable = states
    settings, (strict_c, strict_a), _ = reference
    # Primaries: the objects with the most candidate pairs and a docked one, in that order.
    counts: dict[int, int] = {}
    for a, b, _k in strict_c:
        counts[a] = counts.get(a, 0) + 1
        counts[b] = counts.get(b, 0) + 1
    docked = min(a for a, _b, _k in strict_a)
    primaries = np.array([*sorted(counts, key=lambda x: -counts[x])[:3], docked])
    numpy_result = sieve.sieve_primaries(position, velocity, usable, primaries, 100, settings,
                                         engine="numpy")  # fmt: skip
    compiled_result = sieve.sieve_primaries(position, velocity, usable, primaries, 100,
                                            settings, engine="compiled")  # fmt: skip
    assert numpy_result.i.size > 100 and numpy_result.attached_i.size > 0
    for name in ("i", "j", "k", "attached_i", "attached_j", "attached_k"):
        np.testing.assert_array_equal(getattr(compiled_result, name), getattr(numpy_result, name))
    np.testing.assert_allclose(compiled_result.attached_sep_km, numpy_result.attached_sep_km,
                               rtol=1e-14)  # fmt: skip
    assert compiled_result.n_pairs_tested == numpy_result.n_pairs_tested
    # Every pair of the all-pairs scan involving a primary is among the candidates.
    got = set(zip(compiled_result.i.tolist(), compiled_result.j.tolist(),
                  compiled_result.k.tolist(), strict=True))  # fmt: skip
    seen: set[int] = set()
    for p in primaries.tolist():
        seen.add(p)
        for a, b, k in strict_c:
            if p in (a, b) and not ({a, b} - {p}) <= (seen - {p}):
                assert (p, b if a == p else a, k) in got


@compiled
def test_one_vs_catalogue_screening_on_the_numpy_fallback_finds_the_same_events(monkeypatch):
    from datetime import UTC, datetime
    from pathlib import Path

    from stationplan.orbit.elements import load_catalog
    from stationplan.screening.screen import ScreeningVolume, screen

    small = load_catalog(Path(__file__).parent / "data" / "screening" / "small.3le")
    start = datetime(2024, 7, 5, tzinfo=UTC)

    def run():
        result = screen(small, start, days=2.0, volume=ScreeningVolume(threshold_km=300.0),
                        primaries=[48274, 39419], workers=1)  # fmt: skip
        return [e.as_dict() for e in result.events], [a.as_dict() for a in result.attached]

    compiled_events, compiled_attached = run()
    monkeypatch.setattr(sieve, "_sievec", None)
    numpy_events, numpy_attached = run()
    assert len(compiled_events) > 5 and compiled_attached
    assert numpy_events == compiled_events
    assert numpy_attached == compiled_attached


def reach0_km(speed_max_km_s: float, settings: SieveSettings) -> float:
    """R0 of _sievec.c at a grid point whose fastest object has this speed: the bound on
    every reach of the half-window test (the straight-line quick reject's radius)."""
    h, dv = settings.step_s, MAX_VELOCITY_MISMATCH_KM_S
    g = GRADIENT_BOUND_S2 * h * h / 8.0
    k0 = settings.distance_km + dv * h + settings.margin_km(0.0)
    return (k0 + g * (4.0 * speed_max_km_s + 2.0 * dv) * h / 2.0) / (1.0 - g)


def far_crossings(seed: int = 11, pairs: int = 80, steps: int = 12, step_s: float = 60.0):
    """Slow objects ~370,000 km out (where single precision keeps ~20 m) in straight-line
    pairs passing at 0.9-1.1 times D = 5 km (the chord test's edge) or 0.97-1.03 times R0
    (the quick reject's edge), plus one LEO object (a real catalogue's speeds)."""
    rng = np.random.default_rng(seed)
    settings = SieveSettings(step_s=step_s, distance_km=5.0)
    r0 = reach0_km(7.5, settings)
    centre = np.array([3.5e5, 1.0e5, -2.0e4])
    t = np.arange(steps) * step_s
    position, velocity = [], []
    for k in range(pairs):
        t_ref = (rng.integers(2, steps - 2) + rng.uniform(0.0, 1.0)) * step_s
        p = centre + rng.normal(scale=300.0, size=3)
        u = rng.normal(size=(2, 3))
        u /= np.linalg.norm(u, axis=1)[:, None]
        v = u * rng.uniform(0.5, 1.5, (2, 1))
        miss = np.cross(v[1] - v[0], rng.normal(size=3))
        at = 5.02 * rng.uniform(0.9, 1.1) if k % 2 else r0 * rng.uniform(0.97, 1.03)
        p2 = p + miss / np.linalg.norm(miss) * at
        for start, vel in ((p, v[0]), (p2, v[1])):
            position.append(start + vel * (t - t_ref)[:, None])
            velocity.append(np.repeat(vel[None], steps, axis=0))
    position.append(np.array([7000.0, 0.0, 0.0]) + np.outer(t, [0.0, 7.5, 0.0]))
    velocity.append(np.repeat([[0.0, 7.5, 0.0]], steps, axis=0))
    position, velocity = np.array(position), np.array(velocity)
    return position, velocity, np.ones(position.shape[:2], dtype=bool), settings


def quick_reject_count(position, velocity, settings: SieveSettings, scale: float) -> int:
    """The pair tests _sievec.c counts: pairs whose straight relative path over the half
    window comes within R0 (scaled), each counted once per adjacent interval."""
    n, steps, _ = position.shape
    h = settings.step_s
    i, j = np.triu_indices(n, 1)
    count = 0
    for t in range(steps):
        r0 = reach0_km(np.linalg.norm(velocity[:, t], axis=1).max(), settings) * scale
        d, w = position[j, t] - position[i, t], velocity[j, t] - velocity[i, t]
        dd, ww, dw = (np.einsum("nk,nk->n", a, b) for a, b in ((d, d), (w, w), (d, w)))
        tau = np.clip(np.where(ww > 0, -dw / np.where(ww > 0, ww, 1.0), 0.0), -h / 2, h / 2)
        near = dd + 2 * tau * dw + tau * tau * ww <= r0 * r0
        count += int(near.sum()) * ((t > 0) + (t + 1 < steps))
    return count


@compiled
def test_single_precision_pair_selection_loses_nothing_far_from_the_earth():
    # The compiled sweep picks pairs in float32 with a reach widened by the rounding at the
    # largest coordinate; crossings at the edges of the tests, 370,000 km out, must come
    # through exactly as the double-precision tests have them: the same candidates as the
    # all-pairs scan, and every pair inside the quick reject's R0 tested.
    position, velocity, usable, settings = far_crossings()
    strict = all_pairs_reference(position, velocity, usable, settings, 0, 1.0 - 1e-9)
    loose = all_pairs_reference(position, velocity, usable, settings, 0, 1.0 + 1e-9)
    got = sieve_all(position, velocity, usable, 0, settings, engine="compiled")
    cand, _ = as_sets(got)
    assert len(strict[0]) > 20 and len({(a, b) for a, b, _ in loose[0]}) < 40
    assert strict[0] <= cand <= loose[0]
    low = quick_reject_count(position, velocity, settings, 1.0 - 1e-9)
    high = quick_reject_count(position, velocity, settings, 1.0 + 1e-9)
    assert low > 0  # pairs inside R0 ...
    assert low <= got.n_pairs_tested <= high  # ... and none lost
    assert quick_reject_count(position, velocity, settings, 0.97) < low  # the edge is real
