"""Batch SGP4 and frames, checked against python-sgp4, its official vectors, and Skyfield."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from sgp4.api import WGS84, Satrec, SatrecArray
from skyfield.api import EarthSatellite, wgs84
from skyfield.framelib import itrs
from skyfield.positionlib import Geocentric
from skyfield.units import Distance, Velocity

from sgp4_verification import minutes_since_epoch, verification_lines, verification_vectors
from stationplan.errors import InputError
from stationplan.orbit.propagate import (
    StateBatch,
    iter_propagate,
    propagate,
    teme_to_gcrs,
    teme_to_itrs,
)
from stationplan.orbit.timescale import datetime_to_jd, jd_to_datetime, timescale

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
VALIDATION = SHARED / "validation" / "station-launches-2021-2022.json"
CATALOG = SHARED / "catalogs" / "satcat-2024-07.3le"

# python-sgp4 issue #87: one object, two times, codes 6 (decayed, finite) then 1 (NaN).
DECAYING_LINE1 = "1 44160U 19006AX  20162.79712247 +.00816806 +19088-3 +34711-2 0  9997"
DECAYING_LINE2 = "2 44160 095.2472 272.0808 0216413 032.6694 328.7739 15.58006382062511"


def station_tles() -> list[dict]:
    if not VALIDATION.exists():
        pytest.skip(f"validation data absent: {VALIDATION}")
    return json.loads(VALIDATION.read_text())["tles"]


def iss_tle() -> dict:
    return next(tle for tle in station_tles() if tle["norad"] == "25544")


def one_day_after(sat: Satrec, steps: int = 97) -> tuple[np.ndarray, np.ndarray]:
    return minutes_since_epoch(sat, np.linspace(0.0, 1440.0, steps))


# ---------------------------------------------------------------------------
# TEME: the same numbers as python-sgp4


@pytest.mark.validation
def test_teme_states_equal_bare_satrecarray_bit_for_bit_for_station_tles():
    sats = [Satrec.twoline2rv(tle["line1"], tle["line2"]) for tle in station_tles()]
    jd, fr = one_day_after(sats[0])
    error, position, velocity = SatrecArray(sats).sgp4(jd, fr)

    for given in (sats, SatrecArray(sats)):
        batch = propagate(given, jd, fr)
        assert batch.frame == "teme"
        assert batch.position_km.shape == (len(sats), jd.size, 3)
        np.testing.assert_array_equal(batch.position_km, position)
        np.testing.assert_array_equal(batch.velocity_km_s, velocity)
        np.testing.assert_array_equal(batch.error_code, error)


@pytest.mark.parametrize("satnum", [5, 4632, 6251, 23599, 28350, 29238])
def test_positions_match_official_sgp4_verification_vectors(satnum):
    # tcppver.out: Vallado's C++ output for SGP4-VER.TLE (AIAA 2006-6753), near-earth and
    # deep-space cases, negative times included; printed to 1e-8 km and 1e-9 km/s.
    line1, line2 = verification_lines()[satnum]
    expected = verification_vectors()[satnum]
    sat = Satrec.twoline2rv(line1, line2)
    jd, fr = minutes_since_epoch(sat, expected[:, 0])

    batch = propagate([sat], jd, fr)

    assert batch.valid.all()
    # 1e-6 km / 1e-8 km/s: print rounding plus the jd/fr split of the time.
    np.testing.assert_allclose(batch.position_km[0], expected[:, 1:4], rtol=0, atol=1e-6)
    np.testing.assert_allclose(batch.velocity_km_s[0], expected[:, 4:7], rtol=0, atol=1e-8)


def test_decayed_states_keep_their_code_and_are_not_valid():
    sat = Satrec.twoline2rv(DECAYING_LINE1, DECAYING_LINE2)
    batch = propagate([sat], np.array([2459054.5, 2459055.5]), np.array([0.79712247, 0.79712247]))

    assert batch.error_code.tolist() == [[6, 1]]
    assert batch.valid.tolist() == [[False, False]]
    # Code 6 (decayed) comes back finite from SGP4 and is kept as is; code 1 is NaN.
    assert np.isfinite(batch.position_km[0, 0]).all()
    assert np.isnan(batch.position_km[0, 1]).all()


def test_verification_case_33333_reports_error_after_twenty_minutes():
    # SGP4-VER.TLE 33333 "check error code 4": tcppver.out stops after 20 min.
    line1, line2 = verification_lines()[33333]
    sat = Satrec.twoline2rv(line1, line2)
    jd, fr = minutes_since_epoch(sat, np.arange(0.0, 30.0, 5.0))

    batch = propagate([sat, sat], jd, fr)

    assert batch.error_code[0].tolist() == [0, 0, 0, 0, 0, 4]
    assert batch.valid[1].tolist() == [True] * 5 + [False]


# ---------------------------------------------------------------------------
# Chunks and processes


@pytest.mark.validation
def test_chunked_iteration_concatenates_to_the_single_call():
    sats = [Satrec.twoline2rv(tle["line1"], tle["line2"]) for tle in station_tles()]
    jd, fr = one_day_after(sats[0])
    whole = propagate(sats, jd, fr)

    bytes_for_ten_times = 10 * 49 * len(sats)
    for chunks in (
        list(iter_propagate(sats, jd, fr, chunk_times=7)),
        list(iter_propagate(SatrecArray(sats), jd, fr, max_bytes=bytes_for_ten_times)),
    ):
        assert sum(batch.n_times for batch in chunks) == jd.size
        assert max(batch.n_times for batch in chunks) in (7, 10)
        for name in ("position_km", "velocity_km_s", "error_code"):
            joined = np.concatenate([getattr(batch, name) for batch in chunks], axis=1)
            np.testing.assert_array_equal(joined, getattr(whole, name))
        np.testing.assert_array_equal(np.concatenate([batch.jd for batch in chunks]), jd)


def test_memory_bound_gives_at_least_one_time_per_chunk():
    sat = Satrec.twoline2rv(DECAYING_LINE1, DECAYING_LINE2)
    jd, fr = one_day_after(sat, steps=3)
    assert [batch.n_times for batch in iter_propagate([sat], jd, fr, max_bytes=1)] == [1, 1, 1]


def test_two_workers_equal_one_worker_exactly():
    # Satrec does not pickle: workers rebuild each record with sgp4init(); that must not
    # change a bit, for near-earth and deep-space records, all gravity models and an
    # sgp4init()-built record.
    records = verification_lines()
    sats = [Satrec.twoline2rv(*records[satnum]) for satnum in (5, 4632, 6251, 23599, 28350, 33333)]
    sats.append(Satrec.twoline2rv(*records[29238], WGS84))
    for epoch, no_kozai_rad_min in ((25000.123456789, 0.0437), (21000.987654321, 0.00437)):
        made = Satrec()  # near-earth (10 rev/day), then deep-space (1 rev/day), AFSPC mode
        made.sgp4init(
            WGS84,
            "a",
            99999,
            epoch,
            2.8e-5,
            6.9e-13,
            0.0,
            0.1,
            5.79,
            0.56,
            0.43,
            no_kozai_rad_min,
            6.08,
        )
        sats.append(made)
    jd, fr = one_day_after(sats[0], steps=50)

    for frame in ("teme", "itrs"):
        one = propagate(sats, jd, fr, frame=frame)
        two = propagate(sats, jd, fr, frame=frame, workers=2)
        assert two.frame == frame
        np.testing.assert_array_equal(two.position_km, one.position_km)
        np.testing.assert_array_equal(two.velocity_km_s, one.velocity_km_s)
        np.testing.assert_array_equal(two.error_code, one.error_code)

    # One pool serves every chunk of an iteration.
    chunks = list(iter_propagate(sats, jd, fr, chunk_times=16, frame="itrs", workers=2))
    assert [batch.n_times for batch in chunks] == [16, 16, 16, 2]
    joined = np.concatenate([batch.position_km for batch in chunks], axis=1)
    np.testing.assert_array_equal(joined, one.position_km)


def test_iteration_checks_its_arguments_before_the_first_chunk():
    sat = Satrec.twoline2rv(DECAYING_LINE1, DECAYING_LINE2)
    with pytest.raises(InputError, match="SatrecArray"):
        iter_propagate(SatrecArray([sat]), 2459054.5, 0.5, workers=2)
    with pytest.raises(InputError, match="chunk_times"):
        iter_propagate([sat], 2459054.5, 0.5, chunk_times=0)


@pytest.mark.catalog
def test_two_workers_equal_one_worker_for_a_whole_catalog():
    if not CATALOG.exists():
        pytest.skip(f"catalog absent: {CATALOG}")
    lines = CATALOG.read_text().splitlines()
    sats = [
        Satrec.twoline2rv(line1, line2)
        for line1, line2 in pairwise(lines)
        if line1.startswith("1 ") and line2.startswith("2 ")
    ]
    jd = np.array([2460496.5, 2460499.5])
    fr = np.array([0.123456789, 0.987654321])

    one = propagate(SatrecArray(sats), jd, fr)
    two = propagate(sats, jd, fr, workers=2)

    assert len(sats) > 20000
    np.testing.assert_array_equal(two.position_km, one.position_km)
    np.testing.assert_array_equal(two.error_code, one.error_code)


# ---------------------------------------------------------------------------
# Frames: Skyfield is the authority


def iss_and_skyfield_times():
    """ISS record, one day of (jd, fr) every 10 min from the epoch's UTC midnight, and
    Skyfield's own EarthSatellite position at the same instants (calendar-built times)."""
    tle = iss_tle()
    sat = Satrec.twoline2rv(tle["line1"], tle["line2"])
    minutes = np.arange(0.0, 1440.0, 10.0)
    midnight = jd_to_datetime(sat.jdsatepoch, sat.jdsatepochF).date()
    jd0, _ = datetime_to_jd(datetime(midnight.year, midnight.month, midnight.day, tzinfo=UTC))
    t = timescale().utc(midnight.year, midnight.month, midnight.day, 0, minutes)
    skyfield_sat = EarthSatellite(tle["line1"], tle["line2"], ts=timescale())
    return sat, np.full(minutes.size, jd0), minutes / 1440.0, skyfield_sat.at(t)


@pytest.mark.validation
def test_gcrs_matches_skyfield_earth_satellite_within_a_metre():
    sat, jd, fr, expected = iss_and_skyfield_times()

    batch = propagate([sat], jd, fr, frame="gcrs")

    assert batch.frame == "gcrs"
    np.testing.assert_allclose(batch.position_km[0], expected.position.km.T, atol=1e-3)
    np.testing.assert_allclose(batch.velocity_km_s[0], expected.velocity.km_per_s.T, atol=1e-6)


@pytest.mark.validation
def test_itrs_matches_skyfield_itrs_frame_within_a_metre():
    sat, jd, fr, expected = iss_and_skyfield_times()
    position, velocity = expected.frame_xyz_and_velocity(itrs)

    batch = propagate([sat], jd, fr, frame="itrs")

    np.testing.assert_allclose(batch.position_km[0], position.km.T, atol=1e-3)
    np.testing.assert_allclose(batch.velocity_km_s[0], velocity.km_per_s.T, atol=1e-6)


@pytest.mark.validation
def test_iss_itrs_position_has_a_sensible_geodetic_altitude():
    sat, jd, fr, expected = iss_and_skyfield_times()
    batch = propagate([sat], jd, fr, frame="itrs")
    t = expected.t
    where = Geocentric.from_time_and_frame_vectors(
        t, itrs, Distance(km=batch.position_km[0].T), Velocity(km_per_s=batch.velocity_km_s[0].T)
    )

    height_km = wgs84.height_of(where).km

    # ISS flew at ~415-420 km (Feb 2021); WGS84 flattening adds up to ~20 km of geodetic
    # height near 51.6 deg latitude, where the ellipsoid is lowest under the orbit.
    assert 400.0 < height_km.min() < height_km.max() < 445.0


@pytest.mark.validation
def test_frame_functions_take_one_object_or_many():
    sat, jd, fr, _ = iss_and_skyfield_times()
    teme = propagate([sat, sat], jd, fr)

    for convert in (teme_to_gcrs, teme_to_itrs):
        many_r, many_v = convert(teme.position_km, teme.velocity_km_s, jd, fr)
        one_r, one_v = convert(teme.position_km[0], teme.velocity_km_s[0], jd, fr)
        single_r, _ = convert(teme.position_km[0, 3], teme.velocity_km_s[0, 3], jd[3], fr[3])
        assert many_r.shape == teme.position_km.shape and one_r.shape == (jd.size, 3)
        np.testing.assert_array_equal(many_r[1], one_r)
        np.testing.assert_array_equal(many_v[0], one_v)
        np.testing.assert_allclose(single_r, one_r[3], rtol=0, atol=1e-9)
    # Where the day is split between jd and fr does not matter (noon-based jd here).
    noon_r, _ = teme_to_gcrs(teme.position_km, teme.velocity_km_s, jd - 0.5, fr + 0.5)
    np.testing.assert_allclose(
        noon_r, teme_to_gcrs(teme.position_km, teme.velocity_km_s, jd, fr)[0], rtol=0, atol=1e-9
    )
    # Rotations keep lengths.
    gcrs_r, _ = teme_to_gcrs(teme.position_km, teme.velocity_km_s, jd, fr)
    np.testing.assert_allclose(
        np.linalg.norm(gcrs_r, axis=-1), np.linalg.norm(teme.position_km, axis=-1), rtol=1e-14
    )


# ---------------------------------------------------------------------------
# Mistakes a caller can make


def test_unknown_frame_is_reported_by_field():
    sat = Satrec.twoline2rv(DECAYING_LINE1, DECAYING_LINE2)
    with pytest.raises(InputError, match="unknown frame 'j2000'") as caught:
        propagate([sat], 2459054.5, 0.5, frame="j2000")
    assert caught.value.field == "frame"


def test_jd_and_fr_of_different_lengths_are_rejected():
    sat = Satrec.twoline2rv(DECAYING_LINE1, DECAYING_LINE2)
    with pytest.raises(InputError, match="differ in length"):
        propagate([sat], np.zeros(3) + 2459054.5, np.zeros(4))


def test_workers_need_satrecs_not_a_prebuilt_array():
    sat = Satrec.twoline2rv(DECAYING_LINE1, DECAYING_LINE2)
    with pytest.raises(InputError, match="SatrecArray") as caught:
        propagate(SatrecArray([sat]), 2459054.5, 0.5, workers=2)
    assert caught.value.field == "satellites"


def test_non_satrec_items_are_rejected():
    with pytest.raises(InputError, match="Satrec"):
        propagate(["1 25544U"], 2459054.5, 0.5)


def test_empty_catalog_gives_empty_batch():
    batch = propagate([], np.array([2459054.5, 2459054.5]), np.array([0.1, 0.2]), frame="gcrs")
    assert isinstance(batch, StateBatch)
    assert batch.position_km.shape == (0, 2, 3) and batch.valid.shape == (0, 2)
