"""The compiled JSON record writer (``screening/_jsonc.c``) against Python itself: the same
float text as ``repr(round(x, 6))`` for random and edge-case doubles, and the same bytes as
the pure-Python writer and ``json.dumps`` for real screening records."""

from __future__ import annotations

import dataclasses
import json
import math
import struct
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from stationplan.orbit.elements import load_catalog
from stationplan.screening import conjunction
from stationplan.screening.pc import with_probabilities
from stationplan.screening.screen import ScreeningVolume, screen

_jsonc = pytest.importorskip("stationplan.screening._jsonc")

SMALL = Path(__file__).parent / "data" / "screening" / "small.3le"
START = datetime(2024, 7, 5, tzinfo=UTC)


def _bits(x: float) -> bytes:
    return struct.pack("<d", x)


def _edge_doubles() -> list[float]:
    rng = np.random.default_rng(17)
    out = [0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
           -1.7976931348623157e308, math.inf, -math.inf, math.nan, 1e-7, -1e-7, 4.9999999e-7,
           5e-7, -5e-7, 5.000001e-7, 1e16, 2.0**53, 2.0**53 + 1, 0.1, 0.7, 1234.5678905]  # fmt: skip
    # Decimal ties and near-ties at the sixth decimal (k + 1/2) · 1e-6, and their neighbours.
    for k in rng.integers(-(10**12), 10**12, 3000).tolist():
        x = (k + 0.5) * 1e-6
        out += [x, math.nextafter(x, math.inf), math.nextafter(x, -math.inf)]
    # Any bit pattern: subnormals, huge values, NaN payloads.
    out += np.frombuffer(rng.bytes(8 * 20000), dtype="<f8").tolist()
    # Physical scales of the records: km, km/s, small miss components.
    for scale in (1e-6, 1e-3, 1.0, 7.5, 7000.0, 4.2e4):
        out += (rng.standard_normal(5000) * scale).tolist()
    return out


def test_compiled_round_gives_pythons_round_to_the_bit_for_random_and_edge_doubles():
    for x in _edge_doubles():
        ours, theirs = _jsonc.round6(x), round(x, 6)
        assert (math.isnan(ours) and math.isnan(theirs)) or _bits(ours) == _bits(theirs), x


def test_compiled_float_text_is_the_json_spelling_of_repr():
    for x in _edge_doubles():
        expected = json.dumps(x) if math.isfinite(x) else conjunction._float_json(x)
        assert _jsonc.float_text(x) == expected == conjunction._float_json(x), x
        assert _jsonc.float_text(round(x, 6)) == conjunction._float_json(round(x, 6)), x
        assert _jsonc.round6_text(x) == conjunction._float_json(round(x, 6)), x
    for n in (0, 7, -3, 10**30, True, np.float32(0.1), np.float64(2.5)):
        assert _jsonc.float_text(n) == conjunction._float_json(n)  # type: ignore[arg-type]


def test_compiled_utc_text_is_iso_utc_for_utc_datetimes_and_defers_the_rest():
    rng = np.random.default_rng(12)
    epoch = datetime(1000, 1, 1, tzinfo=UTC)
    for offset_us in rng.integers(0, 9000 * 365 * 86400 * 10**6, 20000).tolist():
        when = epoch + timedelta(microseconds=offset_us)
        assert _jsonc.utc_text(when) == conjunction.iso_utc(when), when
    for when in (datetime(999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
                 datetime(2024, 7, 5, 12, tzinfo=timezone(timedelta(hours=2))),
                 datetime(2024, 7, 5, 12)):  # fmt: skip
        assert _jsonc.utc_text(when) is None


@pytest.fixture(scope="module")
def records() -> list[conjunction.Conjunction]:
    result = screen(load_catalog(SMALL), START, days=1.0,
                    volume=ScreeningVolume(threshold_km=50.0), workers=1)  # fmt: skip
    events = with_probabilities(list(result.events)) + list(result.attached)
    first = events[0]
    awkward = [
        dataclasses.replace(first, name_1='\u00dcn\u00efcode "quoted" \\ name', pc=math.nan),
        dataclasses.replace(first, miss_km=math.inf, hard_body_radius_m=12, pc=None),
        dataclasses.replace(first, tca_jd=2460496, age_days_1=np.float64(1.5), name_2="INF"),
        dataclasses.replace(first, miss_rtn_km=(1, np.float32(0.1), -0.0), pc=0.0),
        dataclasses.replace(first, r1_km=(-1e-9, 2.5e-6, 1e300), v2_km_s=(math.nan, -math.inf, 0)),
        dataclasses.replace(first, tca_utc=first.tca_utc.astimezone(timezone(timedelta(hours=-5)))),
        dataclasses.replace(first, pc_method=None, relative_speed_km_s=-math.inf, attached=True),
    ]
    return events + awkward


def test_compiled_and_python_writers_give_the_same_bytes_as_json_dumps(records, monkeypatch):
    assert len(records) > 10
    compiled = conjunction.conjunctions_json(records)
    assert compiled == json.dumps([c.as_dict() for c in records], indent=2)
    monkeypatch.setattr(conjunction, "_jsonc", None)
    assert conjunction.conjunctions_json(records) == compiled
    pieces: list[str] = []
    conjunction.write_conjunctions_json(records, pieces.append, batch=3)
    assert "".join(pieces) == compiled


def test_compiled_writer_passes_a_bad_record_on_as_an_exception(records):
    bad = dataclasses.replace(records[0], r1_km=(1.0, 2.0))
    with pytest.raises(ValueError):
        _jsonc.records_json([bad], json.encoder.encode_basestring_ascii, conjunction.iso_utc)
