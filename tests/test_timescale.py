"""Time stamps as the project writes them: ISO 8601 UTC with a Z suffix."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from stationplan.orbit.timescale import iso_utc, iso_utc_seconds

# Shenzhou-15 liftoff, 2022-11-29 15:08:17 UTC (CMSA).
LIFTOFF = datetime(2022, 11, 29, 15, 8, 17, 600_000, tzinfo=UTC)


def test_whole_second_stamps_truncate_and_keep_utc():
    assert iso_utc_seconds(LIFTOFF) == "2022-11-29T15:08:17Z"
    assert iso_utc(LIFTOFF) == "2022-11-29T15:08:17.600Z"


def test_a_time_in_another_zone_is_written_in_utc():
    beijing = LIFTOFF.astimezone(timezone(timedelta(hours=8)))
    assert iso_utc_seconds(beijing) == "2022-11-29T15:08:17Z"


def test_a_naive_time_is_taken_as_utc():
    assert iso_utc_seconds(LIFTOFF.replace(tzinfo=None)) == "2022-11-29T15:08:17Z"
