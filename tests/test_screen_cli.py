"""`stationplan screen` through the console entry point: formats, CDM files, exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from cli_runner import run_cli as run

SMALL = Path(__file__).parent / "data" / "screening" / "small.3le"
BASE = ["screen", "--elements", str(SMALL), "--start", "2024-07-05", "--days", "0.25"]


def test_json_lists_every_field_the_issue_names_with_pc(capsys):
    code, out, err = run(capsys, *BASE, "--all", "--threshold-km", "5", "--format", "json",
                         "--workers", "1")  # fmt: skip
    assert code == 0, err
    records = json.loads(out)
    events = [r for r in records if not r["attached"]]
    assert events
    for record in events:
        for key in ("norad_1", "norad_2", "tca_utc", "miss_km", "relative_speed_km_s", "pc"):
            assert key in record
        assert record["miss_km"] <= 5.0
        assert record["pc"] is None or 0.0 <= record["pc"] <= 1.0
    assert "skipped" in err  # the two broken records of the fixture are reported


def test_docked_vehicles_are_listed_as_attached_in_json(capsys):
    code, out, err = run(capsys, *BASE, "--primary", "48274", "--threshold-km", "10",
                         "--format", "json", "--workers", "1")  # fmt: skip
    assert code == 0, err
    records = json.loads(out)
    attached = {r["norad_2"] for r in records if r["attached"]}
    assert {59591, 53239} <= attached


def test_more_workers_than_cores_are_clamped_with_a_one_line_warning(capsys):
    code, out, err = run(capsys, *BASE, "--all", "--format", "csv", "--workers", "1000")
    assert code == 0, err
    assert "--workers 1000 is more than the" in err
    _, same, _ = run(capsys, *BASE, "--all", "--format", "csv", "--workers", "1")
    assert out == same


def test_the_summary_accounts_for_every_object_not_screened(capsys):
    code, out, err = run(capsys, *BASE, "--primary", "48274", "--threshold-km", "10",
                         "--workers", "1")  # fmt: skip
    assert code == 0, err
    assert "(5 of 12 objects screened)" in " ".join(out.split())
    # The 7 others never reach the CSS's altitudes (checked by brute force in test_screening).
    assert "not screened: 7 whose radial band never comes within 10 km of a primary's" in err


def test_csv_is_socrates_style(capsys):
    code, out, err = run(capsys, *BASE, "--all", "--format", "csv", "--workers", "1")
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][:3] == ["NORAD_CAT_ID_1", "OBJECT_NAME_1", "DSE_1"]
    assert len(rows) > 1


def test_cdm_format_writes_one_file_per_event_that_ccsds_ndm_reads(tmp_path, capsys):
    ndm_io = pytest.importorskip("ccsds_ndm.ndm_io")
    out_dir = tmp_path / "cdms"
    code, _out, err = run(capsys, *BASE, "--all", "--format", "cdm", "--out", str(out_dir),
                         "--workers", "1")  # fmt: skip
    assert code == 0, err
    files = sorted(out_dir.glob("*.cdm"))
    assert files
    for path in files:
        parsed = ndm_io.NdmIo().from_path(path)
        assert parsed is not None


def test_table_sorted_by_miss_shows_the_volume(capsys):
    code, out, err = run(capsys, *BASE, "--all", "--box", "4,50,50", "--sort", "miss",
                         "--workers", "1")  # fmt: skip
    assert code == 0, err
    assert "4×50×50 km RTN box" in out
    assert "2024-07-05 00:00Z + 0.25 d" in out  # the span as asked, not rounded to days


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--primary", "99999"], "--primary"),
        (["--all", "--threshold-km", "0"], "--threshold-km"),
        (["--all", "--threshold-km", "-3"], "--threshold-km"),
        (["--all", "--box", "4,50"], "--box"),
        (["--all", "--format", "cdm"], "--out"),
        (["--all", "--primary", "48274"], "--primary"),
        ([], "--primary"),
        (["--all", "--start", "yesterday"], "--start"),
    ],
)
def test_user_mistakes_exit_1_with_a_message_naming_the_option(capsys, args, option):
    code, _out, err = run(capsys, *BASE, *args)
    assert code == 1
    assert option in err
    assert "Traceback" not in err


def test_missing_catalogue_file_exits_1_naming_the_file(tmp_path, capsys):
    missing = tmp_path / "nope.tle"
    code, _, err = run(capsys, "screen", "--elements", str(missing), "--start", "2024-07-05",
                       "--all")  # fmt: skip
    assert code == 1
    assert "nope.tle" in err and "not found" in err


def test_events_sort_in_the_order_of_pythons_stable_sort_on_every_key():
    # The CLI sorts 187k records with NumPy's stable lexsort: same order as sorted() on the
    # documented keys, ties (equal Pc, ±0, None, inf) included.
    import math
    import random
    from types import SimpleNamespace

    from stationplan.cli.screen import SortKey, _sorted

    rng = random.Random(17)
    pcs = [None, 0.0, -0.0, 1e-5, 1.0, 5e-324]
    misses = [0.5, 0.0, math.inf]
    for _ in range(100):
        events = [
            SimpleNamespace(
                pc=rng.choice([*pcs, rng.random() * 1e-3]),
                miss_km=rng.choice([*misses, rng.random() * 5]),
                tca_jd=rng.choice([1.0, 2.0, rng.random()]),
            )
            for _ in range(rng.randint(0, 200))
        ]
        expected = {
            SortKey.pc: sorted(events, key=lambda c: (-(c.pc or 0.0), c.miss_km)),
            SortKey.miss: sorted(events, key=lambda c: c.miss_km),
            SortKey.tca: sorted(events, key=lambda c: c.tca_jd),
        }
        for key, order in expected.items():
            assert [id(c) for c in _sorted(events, key)] == [id(c) for c in order]
