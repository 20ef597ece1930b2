"""The one-vs-catalogue pre-filter: its interpolation bound holds against SGP4, and
screening with it gives exactly the result without it."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime

import numpy as np
import pytest

from conftest import CATALOG_2024
from stationplan.orbit.elements import load_catalog
from stationplan.orbit.sgp4_backends import grid_propagator, propagate_on
from stationplan.orbit.timescale import datetime_to_jd
from stationplan.screening.prefilter import (
    hermite_error_bound_km,
    hermite_points,
    near_objects,
    resonant,
)
from stationplan.screening.screen import ScreeningVolume, screen
from stationplan.screening.sieve import SieveSettings, plausible_states

START = datetime(2024, 7, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def catalog_2024():
    if not CATALOG_2024.exists():
        pytest.skip(f"catalog absent: {CATALOG_2024}")
    return load_catalog(CATALOG_2024)


def test_hermite_points_reproduce_a_cubic_exactly():
    # A cubic path is its own Hermite interpolant: p(t) = a + b t + c t² + d t³.
    a, b, c, d = (
        np.array(x, dtype=float)
        for x in ([1, 2, 3], [0.5, -1, 2], [1e-3, 0, -2e-3], [1e-6, 2e-6, 0])
    )
    step_s, factor = 480.0, 4

    def path(t):
        return a + b * t[:, None] + c * t[:, None] ** 2 + d * t[:, None] ** 3

    def rate(t):
        return b + 2 * c * t[:, None] + 3 * d * t[:, None] ** 2

    ends = np.array([0.0, step_s, 2 * step_s])
    p, v = path(ends), rate(ends)
    q = hermite_points(p[:-1], v[:-1], p[1:], v[1:], step_s, factor)
    assert np.allclose(q, path(np.arange(2 * factor) * step_s / factor), rtol=0, atol=1e-9)


@pytest.mark.catalog
def test_hermite_bound_holds_against_sgp4_on_every_grid_point_of_a_catalogue_sample(catalog_2024):
    # Every 25th object of the 2024 catalogue (all orbit classes), 2 days, the 120 s grid:
    # the interpolant of the 480 s samples stays within each object's bound (brute force).
    latest = catalog_2024.latest()
    satrecs = [latest[k].satrec for k in sorted(latest)][::25]
    jd0, fr0 = datetime_to_jd(START)
    step_s, factor, n_steps = 120.0, 4, 1440
    coarse_s = step_s * factor
    c = np.arange(0, n_steps // factor + 1)
    grid = grid_propagator(satrecs, "auto")
    coarse = propagate_on(grid, np.full(c.size, jd0), fr0 + c * coarse_s / 86400.0)
    k = np.arange(0, n_steps + 1)
    fine = propagate_on(grid, np.full(k.size, jd0), fr0 + k * step_s / 86400.0)
    reason = plausible_states(coarse.position_km, coarse.velocity_km_s, coarse.error_code, coarse_s)
    rows = np.flatnonzero(
        np.all(reason == 0, axis=1) & np.array([not resonant(s) for s in satrecs])
    )
    bound = hermite_error_bound_km(coarse.position_km[rows], coarse.velocity_km_s[rows], coarse_s)
    p, v = coarse.position_km[rows], coarse.velocity_km_s[rows]
    q = hermite_points(p[:, :-1], v[:, :-1], p[:, 1:], v[:, 1:], coarse_s, factor)
    error = np.linalg.norm(q - fine.position_km[rows, :-1], axis=-1).max(axis=1)
    assert rows.size > 800
    assert np.all(np.isfinite(bound))
    assert np.all(error <= bound)


def test_an_object_that_stays_far_from_the_primary_is_dropped_and_a_close_one_kept():
    # Circular coplanar orbits (two-body states): primary at 6,800 km, one object 200 km
    # above (never within 10 km), one 5 km above (always within): only the first goes.
    mu, step_s, factor = 398600.8, 120.0, 4
    t = np.arange(-1, 2 * 96 // factor + 2) * step_s * factor

    def circle(r_km):
        w = np.sqrt(mu / r_km**3)
        pos = np.stack([r_km * np.cos(w * t), r_km * np.sin(w * t), 0 * t], axis=-1)
        vel = np.stack([-r_km * w * np.sin(w * t), r_km * w * np.cos(w * t), 0 * t], axis=-1)
        return pos, vel

    states = [circle(r) for r in (6800.0, 7000.0, 6805.0)]
    position = np.stack([s[0] for s in states])
    velocity = np.stack([s[1] for s in states])
    codes = np.zeros(position.shape[:2], dtype=np.uint8)
    kept, bound = near_objects(position, velocity, codes, np.array([0]), factor, 2 * 96,
                               SieveSettings(step_s=step_s, distance_km=10.0))  # fmt: skip
    assert kept.tolist() == [True, False, True]
    assert np.all(bound < 20.0)


@pytest.mark.catalog
def test_station_screening_with_the_prefilter_is_the_screening_without_it(catalog_2024):
    # CSS and ISS against the whole catalogue, 1 day, 10 km: same events, attached pairs,
    # exclusions and accounting, while most objects skip the grid propagation.
    kwargs = dict(days=1.0, volume=ScreeningVolume(threshold_km=10.0), primaries=[48274, 25544])
    fast = screen(catalog_2024, START, **kwargs)
    full = screen(catalog_2024, START, prefilter=False, **kwargs)
    assert fast.stats["prefiltered"] > 0.8 * full.n_screened
    assert fast.events == full.events
    assert fast.attached == full.attached
    assert fast.excluded == full.excluded
    assert fast.accounting() == full.accounting()
    assert fast.not_screened == full.not_screened


SPLIT_CHILD = """
import json, sys
from datetime import UTC, datetime
from stationplan.orbit.elements import load_catalog
from stationplan.screening import screen as s
catalog = load_catalog(sys.argv[1])
kwargs = dict(days=1.0, volume=s.ScreeningVolume(threshold_km=10.0), primaries=[48274])
start = datetime(2024, 7, 5, tzinfo=UTC)
forks = s._fork_is_safe() and s.usable_cores() >= 2
fast = s.screen(catalog, start, workers=2, **kwargs)
full = s.screen(catalog, start, workers=1, prefilter=False, **kwargs)
same = (fast.events, fast.attached, fast.excluded, fast.accounting()) == (
    full.events, full.attached, full.excluded, full.accounting())
big = fast.n_screened - 1 >= s._PREFILTER_SPLIT
print(json.dumps({"same": same, "forks": forks and big, "cores": s.usable_cores(),
                  "prefiltered": fast.stats["prefiltered"]}))
"""


@pytest.mark.catalog
def test_the_prefilter_split_with_a_forked_process_gives_the_same_screening(catalog_2024):
    # A fresh interpreter (no heyoka threads yet): half of the pre-filter runs in a
    # forked process; the CSS's 1-day result equals the one-process run without it.
    run = subprocess.run(
        [sys.executable, "-c", SPLIT_CHILD, str(CATALOG_2024)],
        capture_output=True, text=True, check=True, timeout=600,
    )  # fmt: skip
    child = json.loads(run.stdout.splitlines()[-1])
    assert child["same"] and child["prefiltered"] > 0
    if sys.platform.startswith("linux") and sys.version_info < (3, 12) and child["cores"] >= 2:
        assert child["forks"]
