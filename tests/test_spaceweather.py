"""The bundled space-weather table against CelesTrak's raw SW-All.csv and pymsis's own reader."""

from __future__ import annotations

import csv
import itertools
import urllib.request
import warnings
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pymsis.utils
import pytest

from stationplan.errors import InputError
from stationplan.orbit.spaceweather import HIGH, LOW, bundled_table, indices, solar_activity

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
RAW = SHARED / "spaceweather" / "SW-All.csv"
needs_raw = pytest.mark.skipif(not RAW.exists(), reason=f"raw space weather absent: {RAW}")


@pytest.fixture(scope="module")
def raw_rows() -> list[dict[str, str]]:
    with RAW.open(newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.validation
@needs_raw
def test_indices_equal_pymsis_own_reader_fed_with_the_same_raw_file(monkeypatch):
    # pymsis reads SW-All.csv itself when pointed at it; block the network to prove it
    # does not download, and compare at 4000 random times of the observed record.
    def no_network(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    monkeypatch.setattr(pymsis.utils._SPACE_WEATHER, "path", RAW)
    monkeypatch.setattr(pymsis.utils._SPACE_WEATHER, "data", None)
    rng = np.random.default_rng(5)
    start = np.datetime64("1998-07-04T00:00:00")
    span_s = (np.datetime64("2026-06-10T21:00:00") - start).astype(int)
    times = start + rng.integers(0, span_s, 4000).astype("timedelta64[s]")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pymsis warns about interpolated/predicted rows
        f107_ref, f107a_ref, aps_ref = pymsis.utils.get_f107_ap(times)
    f107, f107a, aps = indices(times)
    np.testing.assert_array_equal(f107, f107_ref)
    np.testing.assert_array_equal(f107a, f107a_ref)
    np.testing.assert_array_equal(aps, aps_ref)


@pytest.mark.validation
@needs_raw
def test_every_observed_day_carries_the_raw_values(raw_rows):
    table = bundled_table()
    for row in raw_rows:
        if row["F10.7_DATA_TYPE"] not in ("OBS", "INT", "PRD"):
            continue
        d = (date.fromisoformat(row["DATE"]) - date(1998, 7, 1)).days
        f107 = float(row["F10.7_OBS"])
        if 0 < f107 <= 400:  # radio bursts are replaced by the 81-day mean, as pymsis does
            assert table.f107_sfu[d] == f107, row["DATE"]
        assert table.f107_c81_sfu[d] == float(row["F10.7_OBS_CENTER81"]), row["DATE"]
        assert table.ap_daily[d] == float(row["AP_AVG"]), row["DATE"]
        expected = [float(row[f"AP{i}"]) for i in range(1, 9)]
        assert list(table.ap_3h[8 * d : 8 * d + 8]) == expected, row["DATE"]


@pytest.mark.validation
@needs_raw
def test_monthly_predictions_are_expanded_to_daily_rows_flagged_as_predicted(raw_rows):
    table = bundled_table()
    monthly = [r for r in raw_rows if r["F10.7_DATA_TYPE"] == "PRM"]
    assert len(monthly) > 100
    for first, second in itertools.pairwise(monthly):
        d0 = (date.fromisoformat(first["DATE"]) - date(1998, 7, 1)).days
        d1 = (date.fromisoformat(second["DATE"]) - date(1998, 7, 1)).days
        assert table.f107_sfu[d0] == float(first["F10.7_OBS"])
        middle = (d0 + d1) // 2
        lo, hi = sorted((float(first["F10.7_OBS"]), float(second["F10.7_OBS"])))
        assert lo - 0.05 <= table.f107_sfu[middle] <= hi + 0.05  # linear, 0.1 sfu rounding
        assert set(table.kind[d0:d1]) == {"PRM"}
    assert table.last_day == np.datetime64("2041-10-31")


@pytest.mark.validation
@needs_raw
def test_low_and_high_scenarios_are_the_5th_and_95th_percentiles_of_the_record(raw_rows):
    observed = [r for r in raw_rows if r["F10.7_DATA_TYPE"] in ("OBS", "INT")]
    mean81 = np.array([float(r["F10.7_OBS_CENTER81"]) for r in observed])
    ap = np.array([float(r["AP_AVG"]) for r in observed])
    low, high = np.percentile(mean81, [5, 95])
    assert LOW.f107_sfu == pytest.approx(low, abs=0.05)
    assert HIGH.f107_sfu == pytest.approx(high, abs=0.05)
    assert LOW.ap == pytest.approx(ap[mean81 <= low].mean(), abs=0.05)
    assert HIGH.ap == pytest.approx(ap[mean81 >= high].mean(), abs=0.05)


def test_the_bundled_table_is_small_and_covers_1998_to_2041():
    table = bundled_table()
    assert table.first_day == np.datetime64("1998-07-01")
    assert table.last_day == np.datetime64("2041-10-31")
    assert table.f107_sfu.size == table.ap_3h.size // 8
    assert np.all((table.f107_sfu > 50) & (table.f107_sfu <= 400))


def test_aware_datetimes_and_datetime64_give_the_same_indices():
    aware = [datetime(2022, 11, 12, 2, 3, tzinfo=UTC), datetime(2023, 1, 1, 23, 59, tzinfo=UTC)]
    naive = np.array(["2022-11-12T02:03", "2023-01-01T23:59"], dtype="datetime64[s]")
    for a, b in zip(indices(aware), indices(naive), strict=True):
        np.testing.assert_array_equal(a, b)


def test_times_outside_the_table_are_refused_naming_the_scenarios():
    with pytest.raises(InputError, match="solar='low' or 'high'"):
        indices([datetime(2045, 1, 1, tzinfo=UTC)])
    f107, f107a, aps = indices([datetime(2045, 1, 1, tzinfo=UTC)], solar="high")
    assert f107[0] == f107a[0] == HIGH.f107_sfu and aps.shape == (1, 7)


def test_unknown_scenario_is_a_user_error():
    with pytest.raises(InputError, match="low, nominal or high"):
        solar_activity("extreme")
