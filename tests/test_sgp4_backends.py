"""The heyoka SGP4 backend against python-sgp4: official vectors, the whole catalogue, screening.

Truths: Vallado's C++ output for SGP4-VER.TLE (``tcppver.out``, shipped with python-sgp4;
AIAA 2006-6753), python-sgp4 itself (the authority the backend must reproduce) on the whole
2024 catalogue, and the brute-force conjunction fixture of ``tests/test_screening.py``.
Everything that needs heyoka is skipped when it is not installed (the ``fast`` extra).
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from sgp4.api import Satrec, SatrecArray

from cli_runner import run_cli
from conftest import CATALOG_2024
from screening_truth import assert_complete, assert_nothing_extra
from sgp4_verification import minutes_since_epoch, verification_lines, verification_vectors
from stationplan.errors import InputError
from stationplan.orbit import sgp4_backends
from stationplan.orbit.elements import load_catalog
from stationplan.orbit.propagate import propagate
from stationplan.orbit.sgp4_backends import (
    HeyokaSGP4,
    StateBuffers,
    check_backend,
    grid_propagator,
    heyoka_available,
    propagate_fast,
    propagate_on,
    resolve_backend,
)
from stationplan.orbit.timescale import datetime_to_jd
from stationplan.screening.screen import ScreeningVolume, screen

needs_heyoka = pytest.mark.skipif(not heyoka_available(), reason="heyoka not installed")

SCREENING = Path(__file__).parent / "data" / "screening"
SMALL = SCREENING / "small.3le"
REFERENCE = SCREENING / "reference.json"
START = datetime(2024, 7, 5, tzinfo=UTC)
# SGP4-VER.TLE cases that python-sgp4 propagates with near-earth SGP4 (method "n").
NEAR_EARTH_VERIFICATION = [5, 6251, 22312, 28057, 28350, 28872, 29141, 29238, 88888]


def verification_tles() -> dict[int, Satrec]:
    """SGP4-VER.TLE: satnum -> record (line 2 cut before the start/stop/step columns)."""
    return {n: Satrec.twoline2rv(l1, l2[:69]) for n, (l1, l2) in verification_lines().items()}


# ---------------------------------------------------------------------------
# Official verification vectors and error codes


@needs_heyoka
@pytest.mark.parametrize("satnum", NEAR_EARTH_VERIFICATION)
def test_near_earth_verification_cases_match_vallados_published_vectors(satnum):
    sat = verification_tles()[satnum]
    expected = verification_vectors()[satnum]
    jd, fr = minutes_since_epoch(sat, expected[:, 0])

    fast = HeyokaSGP4.from_satrecs([sat])
    batch = fast.propagate(jd, fr)

    assert fast.near_rows.tolist() == [0]  # really propagated by heyoka
    assert batch.valid.all()
    # 1e-6 km / 1e-8 km/s: tcppver.out prints 1e-8 km, plus the jd/fr split of the time.
    np.testing.assert_allclose(batch.position_km[0], expected[:, 1:4], rtol=0, atol=1e-6)
    np.testing.assert_allclose(batch.velocity_km_s[0], expected[:, 4:7], rtol=0, atol=1e-8)


@needs_heyoka
def test_decaying_objects_get_python_sgp4s_error_codes_and_nan_convention():
    # 28872 (decays within an hour) and 29141 (lost in under 420 min): SGP4-VER.TLE.
    records = verification_tles()
    for satnum in (28872, 29141):
        sat = records[satnum]
        jd, fr = minutes_since_epoch(sat, np.arange(0.0, 1000.0, 5.0))
        truth = propagate([sat], jd, fr)
        fast = propagate_fast([sat], jd, fr)
        assert (truth.error_code != 0).any(), "the case must reach an SGP4 error"
        np.testing.assert_array_equal(fast.error_code, truth.error_code)
        # Codes 1-5 give NaN vectors, code 6 (decayed) finite ones, as python-sgp4 writes.
        np.testing.assert_array_equal(np.isnan(fast.position_km), np.isnan(truth.position_km))
        finite = np.isfinite(truth.position_km)
        np.testing.assert_allclose(fast.position_km[finite], truth.position_km[finite],
                                   rtol=0, atol=1e-6)  # fmt: skip


@needs_heyoka
def test_deep_space_records_are_propagated_by_python_sgp4_bit_for_bit():
    records = verification_tles()
    sats = [records[n] for n in (5, 4632, 23599, 88888, 33335)]  # near, deep, deep, near, deep
    jd, fr = minutes_since_epoch(sats[0], np.linspace(0.0, 2880.0, 49))

    fast = HeyokaSGP4.from_satrecs(sats)
    batch = fast.propagate(jd, fr)
    truth = propagate(sats, jd, fr)

    assert fast.deep_rows.tolist() == [1, 2, 4]
    np.testing.assert_array_equal(batch.position_km[[1, 2, 4]], truth.position_km[[1, 2, 4]])
    np.testing.assert_array_equal(batch.velocity_km_s[[1, 2, 4]], truth.velocity_km_s[[1, 2, 4]])
    np.testing.assert_array_equal(batch.error_code, truth.error_code)


@needs_heyoka
@pytest.mark.parametrize("frame", ["gcrs", "itrs"])
def test_other_frames_are_the_same_rotations_as_propagate(frame):
    records = verification_tles()
    sats = [records[n] for n in NEAR_EARTH_VERIFICATION[:4]]
    jd, fr = minutes_since_epoch(sats[0], np.linspace(0.0, 1440.0, 25))

    batch = propagate_fast(sats, jd, fr, frame=frame)
    truth = propagate(sats, jd, fr, frame=frame)

    assert batch.frame == frame
    np.testing.assert_array_equal(batch.error_code, truth.error_code)
    # 1e-6 km: the TEME states agree to rounding; the rotation is the same code.
    np.testing.assert_allclose(batch.position_km, truth.position_km, rtol=0, atol=1e-6)


# ---------------------------------------------------------------------------
# Missing heyoka, bad input


def test_a_missing_heyoka_gives_a_clear_input_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "heyoka", None)  # `import heyoka` now raises ImportError
    sat = verification_tles()[5]

    assert not heyoka_available()
    with pytest.raises(InputError, match=r"heyoka.*pip install 'stationplan\[fast\]'") as info:
        propagate_fast([sat], np.array([sat.jdsatepoch]), np.array([sat.jdsatepochF]))
    assert info.value.field == "backend"
    with pytest.raises(InputError) as info:
        screen([], START, days=1.0, volume=ScreeningVolume(threshold_km=5.0), backend="heyoka")
    assert info.value.field == "--backend"


def test_the_cli_reports_a_missing_heyoka_in_one_line_with_exit_code_1(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "heyoka", None)
    code, _out, err = run_cli(capsys, "screen", "--elements", str(SMALL), "--start",
                              "2024-07-05", "--days", "0.1", "--all", "--backend", "heyoka")  # fmt: skip
    assert code == 1
    assert "heyoka" in err and "Traceback" not in err


def test_unknown_backend_names_are_input_errors():
    with pytest.raises(InputError, match="unknown SGP4 backend"):
        check_backend("sgp8")
    with pytest.raises(InputError) as info:
        screen([], START, days=1.0, volume=ScreeningVolume(threshold_km=5.0), backend="fast")
    assert info.value.field == "--backend"


@needs_heyoka
def test_a_satrec_array_is_refused_because_it_cannot_be_split():
    sat = verification_tles()[5]
    with pytest.raises(InputError, match="SatrecArray"):
        HeyokaSGP4.from_satrecs(SatrecArray([sat]))


# ---------------------------------------------------------------------------
# Screening with the heyoka grid


@needs_heyoka
def test_screening_with_heyoka_gives_exactly_the_default_result(small_catalog):
    volume = ScreeningVolume(threshold_km=50.0)
    default = screen(small_catalog, START, days=0.5, volume=volume, workers=1, backend="sgp4")
    fast = screen(small_catalog, START, days=0.5, volume=volume, workers=1, backend="heyoka")
    assert default.events, "the fixture must have events"
    assert [e.as_dict() for e in fast.events] == [e.as_dict() for e in default.events]
    assert [e.as_dict() for e in fast.attached] == [e.as_dict() for e in default.attached]
    assert fast.excluded == default.excluded


@needs_heyoka
def test_two_workers_build_their_own_heyoka_propagators(small_catalog):
    volume = ScreeningVolume(threshold_km=50.0)
    one = screen(small_catalog, START, days=0.5, volume=volume, workers=1, backend="heyoka")
    two = screen(small_catalog, START, days=0.5, volume=volume, workers=2, backend="heyoka")
    assert [e.as_dict() for e in one.events] == [e.as_dict() for e in two.events]


@needs_heyoka
def test_cli_backend_heyoka_prints_the_same_json_as_the_default(capsys):
    base = ["screen", "--elements", str(SMALL), "--start", "2024-07-05", "--days", "0.25",
            "--all", "--threshold-km", "20", "--format", "json", "--workers", "1"]  # fmt: skip
    code, default_out, err = run_cli(capsys, *base, "--backend", "sgp4")
    assert code == 0, err
    code, fast_out, err = run_cli(capsys, *base, "--backend", "heyoka")
    assert code == 0, err
    code, auto_out, err = run_cli(capsys, *base)  # auto: heyoka here
    assert code == 0, err
    assert json.loads(default_out), "the fixture must have events"
    assert fast_out == default_out == auto_out  # byte for byte


@needs_heyoka
def test_auto_is_heyoka_where_installed_and_python_sgp4_without_it(monkeypatch, small_catalog):
    assert resolve_backend("auto") == "heyoka"
    volume = ScreeningVolume(threshold_km=50.0)
    with_heyoka = screen(small_catalog, START, days=0.5, volume=volume, workers=1)
    monkeypatch.setitem(sys.modules, "heyoka", None)  # `import heyoka` now raises ImportError
    assert resolve_backend("auto") == "sgp4"
    without = screen(small_catalog, START, days=0.5, volume=volume, workers=1)
    assert [e.as_dict() for e in without.events] == [e.as_dict() for e in with_heyoka.events]


@pytest.fixture(scope="module")
def small_catalog():
    return load_catalog(SMALL)


# ---------------------------------------------------------------------------
# The whole catalogue


@pytest.fixture(scope="module")
def catalog_2024():
    if not CATALOG_2024.exists():
        pytest.skip(f"catalog absent: {CATALOG_2024}")
    return load_catalog(CATALOG_2024)


@needs_heyoka
@pytest.mark.catalog
def test_whole_catalogue_agrees_with_python_sgp4_to_the_millimetre_over_a_day(catalog_2024):
    latest = catalog_2024.latest()
    elements = [latest[k] for k in sorted(latest)]
    sats = [e.satrec for e in elements]
    jd0, fr0 = datetime_to_jd(START)
    t_s = np.arange(97) * 900.0  # one day, every 15 min
    jd, fr = np.full(t_s.size, jd0), fr0 + t_s / 86400.0

    fast = HeyokaSGP4.from_satrecs(sats)
    batch = fast.propagate(jd, fr)
    truth = propagate(sats, jd, fr)

    # Routing: every SDP4 record (python-sgp4's method "d", period >= 225 min) and only
    # those go to python-sgp4, and come back bit for bit.
    method = np.array([s.method for s in sats])
    period_min = np.array([e.period_min for e in elements])
    assert fast.deep_rows.tolist() == np.flatnonzero(method == "d").tolist()
    assert set(np.flatnonzero(period_min >= 225.5)) <= set(fast.deep_rows.tolist())
    deep = fast.deep_rows
    np.testing.assert_array_equal(batch.position_km[deep], truth.position_km[deep])
    np.testing.assert_array_equal(batch.velocity_km_s[deep], truth.velocity_km_s[deep])

    # Error codes and the NaN convention agree everywhere.
    np.testing.assert_array_equal(batch.error_code, truth.error_code)
    np.testing.assert_array_equal(np.isnan(batch.position_km), np.isnan(truth.position_km))

    near = fast.near_rows
    finite = np.isfinite(truth.position_km[near]).all(axis=-1)
    radius_km = np.where(finite, np.linalg.norm(truth.position_km[near], axis=-1), 0.0)
    dr_km = np.where(
        finite, np.linalg.norm(batch.position_km[near] - truth.position_km[near], axis=-1), 0.0
    )
    dv_km_s = np.where(
        finite, np.linalg.norm(batch.velocity_km_s[near] - truth.velocity_km_s[near], axis=-1), 0.0
    )
    worst_m = dr_km.max(axis=1) * 1000.0
    print(
        f"\nheyoka vs python-sgp4, {near.size} near-earth objects x {t_s.size} times: per-object "
        f"max |dr| median {np.median(worst_m):.1e} m, 99.9th percentile "
        f"{np.percentile(worst_m, 99.9):.1e} m, max {worst_m.max():.2e} m; max |dv| "
        f"{dv_km_s.max() * 1e3:.1e} m/s; {deep.size} deep-space objects by python-sgp4"
    )
    # 1 mm for 99.9 % of objects: rounding only (1 mm is 0.13 µs of flight at 7.5 km/s, so
    # this also checks that both evaluate SGP4 at the same minutes since epoch).
    assert np.mean(worst_m <= 1e-3) >= 0.999
    # Every physically meaningful state (within 100,000 km) to the metre, as the issue asks.
    assert dr_km[radius_km < 1e5].max() <= 1e-3
    # Bound for all: objects near decay that SGP4 throws to millions of km amplify rounding;
    # there the difference stays below 1e-9 of the radius (measured: 1.4e-10).
    assert np.all(dr_km <= 1e-9 * radius_km + 1e-6)


def one_heyoka_propagator_states(sats: list[Satrec], jd: np.ndarray, fr: np.ndarray):
    """(N, T, 3), (N, T, 3), (N, T) states of near-earth records from a single heyoka
    propagator of all of them, with python-sgp4's minutes since epoch and NaN convention:
    the states the backend gave before it split the records into groups."""
    import heyoka

    epoch = np.array([[s.jdsatepoch for s in sats], [s.jdsatepochF for s in sats]])
    tsince_min = (jd[:, None] - epoch[0]) * 1440.0 + (fr[:, None] - epoch[1]) * 1440.0
    raw = heyoka.model.sgp4_propagator(sats)(np.ascontiguousarray(tsince_min))
    code = raw[:, 6]
    failed = (code > 0) & (code < 6)
    np.copyto(raw[:, 0:6], np.nan, where=failed[:, None, :])
    return (
        raw[:, 0:3].transpose(2, 0, 1),
        raw[:, 3:6].transpose(2, 0, 1),
        raw[:, 6].T.astype(np.uint8),
    )


def assert_same_bits(a: np.ndarray, b: np.ndarray) -> None:
    """Same shape, dtype and values, NaN where the other has NaN."""
    assert a.shape == b.shape and a.dtype == b.dtype
    assert np.array_equal(a, b, equal_nan=True)
    if a.dtype.kind == "f":
        assert np.array_equal(np.isnan(a), np.isnan(b))


@needs_heyoka
@pytest.mark.catalog
def test_grouped_propagators_and_reused_buffers_give_one_propagators_bits_every_minute(
    catalog_2024, monkeypatch
):
    # Every 7th object of the catalogue (3,770: near-earth and deep space, decaying and
    # failing ones among them), one day on the all-vs-all grid (60 s), in the screening's
    # chunks (one more sample each side), largest chunk in the middle so that the reused
    # buffers shrink and grow. Groups of 256 near-earth records (many groups and a partial
    # last one) against one heyoka propagator of all of them; deep space against propagate.
    # Run once on the whole catalogue with the real group size: the same bits.
    monkeypatch.setattr(sgp4_backends, "_HEYOKA_GROUP", 256)
    latest = catalog_2024.latest()
    sats = [latest[k].satrec for k in sorted(latest)][::7]
    fast = HeyokaSGP4.from_satrecs(sats)
    assert len(fast.near) == -(-fast.near_rows.size // 256) > 10
    near = [sats[i] for i in fast.near_rows]
    jd0, fr0 = datetime_to_jd(START)
    buffers = StateBuffers()
    for k0, k1 in [(0, 8), (8, 700), (700, 1360), (1360, 1440)]:
        k = np.arange(k0 - 1, k1 + 2)
        jd, fr = np.full(k.size, jd0), fr0 + k * 60.0 / 86400.0
        batch = propagate_on(fast, jd, fr, buffers=buffers)
        assert batch.position_km.flags.c_contiguous and batch.velocity_km_s.flags.c_contiguous
        position, velocity, code = one_heyoka_propagator_states(near, jd, fr)
        rows = fast.near_rows
        assert_same_bits(batch.position_km[rows], position)
        assert_same_bits(batch.velocity_km_s[rows], velocity)
        assert_same_bits(batch.error_code[rows], code)
        truth = propagate([sats[i] for i in fast.deep_rows], jd, fr)
        rows = fast.deep_rows
        assert_same_bits(batch.position_km[rows], truth.position_km)
        assert_same_bits(batch.velocity_km_s[rows], truth.velocity_km_s)
        assert_same_bits(batch.error_code[rows], truth.error_code)
        assert (code > 0).any() and np.isnan(batch.position_km[fast.near_rows]).any()
    # Without buffers: the same states in fresh arrays.
    fresh = fast.propagate(jd, fr)
    for name in ("position_km", "velocity_km_s", "error_code"):
        assert_same_bits(getattr(fresh, name), getattr(batch, name))


def test_the_python_sgp4_grid_with_reused_buffers_gives_propagates_states(small_catalog):
    sats = [e.satrec for e in small_catalog.latest().values()]
    grid = grid_propagator(sats, "sgp4")
    buffers = StateBuffers()
    jd0, fr0 = datetime_to_jd(START)
    for t in (50, 10, 80):
        jd, fr = np.full(t, jd0), fr0 + np.arange(t) * 60.0 / 86400.0
        batch = propagate_on(grid, jd, fr, buffers=buffers)
        truth = propagate(sats, jd, fr)
        for name in ("position_km", "velocity_km_s", "error_code"):
            assert_same_bits(getattr(batch, name), getattr(truth, name))
    assert buffers.nbytes == len(sats) * 80 * 49  # grown to the largest call, then reused


@needs_heyoka
@pytest.mark.catalog
def test_heyoka_alone_silently_misplaces_deep_space_objects_hence_the_routing(catalog_2024):
    import heyoka

    latest = catalog_2024.latest()
    deep = [latest[k].satrec for k in sorted(latest) if latest[k].satrec.method == "d"]
    jd0, fr0 = datetime_to_jd(START)
    jd, fr = np.full(5, jd0), fr0 + np.arange(5) * 0.25
    epoch = np.array([[s.jdsatepoch for s in deep], [s.jdsatepochF for s in deep]])
    tsince_min = (jd[:, None] - epoch[0]) * 1440.0 + (fr[:, None] - epoch[1]) * 1440.0

    raw = heyoka.model.sgp4_propagator(deep)(np.ascontiguousarray(tsince_min))
    error, position, _ = SatrecArray(deep).sgp4(jd, fr)

    both_ok = (error == 0) & (raw[:, 6].T == 0)
    off_km = np.linalg.norm(raw[:, 0:3].transpose(2, 0, 1) - position, axis=-1)
    worst_km = np.where(both_ok, off_km, 0.0).max(axis=1)
    # No error code flags it, yet every deep-space object is more than 1 km off.
    assert (error == raw[:, 6].T).all()
    assert np.mean(worst_km > 1.0) > 0.99


@needs_heyoka
@pytest.mark.catalog
def test_all_vs_all_with_heyoka_on_2500_objects_finds_every_brute_force_conjunction(
    catalog_2024,
):
    case = json.loads(REFERENCE.read_text())["all_vs_all"]
    latest = catalog_2024.latest()
    elements = [latest[n] for n in case["norad_ids"]]
    result = screen(elements, START, days=case["days"], backend="heyoka",
                    volume=ScreeningVolume(threshold_km=case["threshold_km"]))  # fmt: skip
    attached = {(c.norad_1, c.norad_2) for c in result.attached}
    assert_complete(result.events, case["events"], attached, START)
    assert_nothing_extra(result.events, case["events"], START)
