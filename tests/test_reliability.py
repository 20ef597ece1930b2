"""Issue 14: no input reaches an internal error, nothing is dropped silently.

One test (or a small group) per root cause 1-9 of the issue, each written before its fix.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_runner import run_cli as run
from stationplan.errors import InputError
from stationplan.orbit.elements import parse_omm_text
from stationplan.station.campaign import load_campaign
from stationplan.tomlfiles import read_toml

ROOT = Path(__file__).resolve().parents[1]
TIANGONG = ROOT / "examples" / "tiangong-2022.toml"
CSS_2022 = ROOT / "src" / "stationplan" / "data" / "elements" / "css-2022.tle"

# The ISS record of tests/test_cli.py (GOOD) as a CCSDS OMM in KVN.
KVN = """CCSDS_OMM_VERS = 2.0
OBJECT_NAME = ISS (ZARYA)
OBJECT_ID = 1998-067A
EPOCH = {epoch}
MEAN_MOTION = 15.48961500
ECCENTRICITY = .0002861
INCLINATION = 51.6428
RA_OF_ASC_NODE = 228.4982
ARG_OF_PERICENTER = 13.4307
MEAN_ANOMALY = 72.7863
EPHEMERIS_TYPE = {ephemeris_type}
CLASSIFICATION_TYPE = U
NORAD_CAT_ID = 25544
ELEMENT_SET_NO = {element_set_no}
REV_AT_EPOCH = {rev_at_epoch}
BSTAR = .14914E-4
MEAN_MOTION_DOT = .00000371
MEAN_MOTION_DDOT = 0
"""
GOOD_FIELDS = {
    "epoch": "2021-02-14T17:05:30.962",
    "ephemeris_type": "0",
    "element_set_no": "999",
    "rev_at_epoch": "26961",
}


def kvn(**changes: str) -> str:
    return KVN.format(**(GOOD_FIELDS | changes))


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


# --- 1. OMM values out of range, end-of-calendar and implausible epochs --------------------


def test_a_valid_kvn_record_still_loads():
    (element,) = parse_omm_text(kvn()).elements
    assert element.norad_id == 25544


@pytest.mark.parametrize("field", ["rev_at_epoch", "element_set_no", "ephemeris_type"])
@pytest.mark.parametrize("value", ["9" * 30, "-1"])
def test_omm_integers_outside_their_range_are_a_skipped_record_not_a_crash(field, value):
    with pytest.raises(InputError, match=field.upper()):
        parse_omm_text(kvn(**{field: value}))


@pytest.mark.parametrize(
    "epoch",
    ["9999-12-31T23:59:60.5", "9999-06-01T00:00:00", "1900-01-01T00:00:00", "2100-01-01T00:00:00"],
)
def test_omm_epochs_at_the_end_of_the_calendar_or_outside_the_space_age_are_rejected(epoch):
    with pytest.raises(InputError, match="EPOCH"):
        parse_omm_text(kvn(epoch=epoch))


# --- 2. JSON OMM with a huge integer or deep nesting ---------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '[{"NORAD_CAT_ID": ' + "9" * 5000 + "}]",
        "[" * 100_000 + "]" * 100_000,
        '{"a":' * 100_000 + "1" + "}" * 100_000,
    ],
    ids=["5000-digit integer", "deep list", "deep object"],
)
def test_json_omm_with_a_huge_integer_or_deep_nesting_is_a_one_line_user_error(
    tmp_path, capsys, text
):
    path = tmp_path / "omm.json"
    path.write_text(text)
    code, _, err = run(capsys, "elements", str(path))
    assert code == 1
    assert str(path) in one_line(err)


# --- 3. TOML that is not UTF-8 or nested very deeply ----------------------------------------


def test_a_campaign_that_is_not_utf8_names_the_file_and_line(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'[campaign]\nname = "Tiangong \xe9t\xe9"\n')
    with pytest.raises(InputError, match=r"latin1\.toml:2.*UTF-8"):
        read_toml(path)


def test_a_deeply_nested_toml_file_is_a_user_error(tmp_path):
    path = tmp_path / "deep.toml"
    path.write_text("x = " + "[" * 100_000 + "]" * 100_000 + "\n")
    with pytest.raises(InputError, match="deep"):
        read_toml(path)


def test_plan_of_a_non_utf8_campaign_exits_1(tmp_path, capsys):
    path = tmp_path / "latin1.toml"
    path.write_bytes(TIANGONG.read_bytes().replace(b"Tiangong assembly", b"Tiangong \xe9t\xe9"))
    code, _, err = run(capsys, "plan", str(path))
    assert code == 1
    assert "UTF-8" in one_line(err)


# --- 4. Cargo masses and starting stocks: finite and plausible ------------------------------


def campaign_with(tmp_path: Path, old: str, new: str) -> Path:
    text = TIANGONG.read_text()
    assert old in text
    path = tmp_path / "campaign.toml"
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize("food", ["1e9", "1e308", "inf", "nan"])
def test_cargo_beyond_the_vehicles_capacity_or_not_finite_is_a_user_error(tmp_path, food):
    path = campaign_with(tmp_path, "food = 1200", f"food = {food}")
    with pytest.raises(InputError, match=r"missions\[0\]\.cargo_kg"):
        load_campaign(path)


def test_the_capacity_error_names_the_vehicle_and_its_capacity(tmp_path, capsys):
    path = campaign_with(tmp_path, "food = 1200", "food = 1e9")
    code, _, err = run(capsys, "plan", str(path))
    assert code == 1
    assert "tianzhou" in one_line(err) and "7400" in err


@pytest.mark.parametrize("food", ["1e9", "inf"])
def test_starting_stocks_beyond_the_station_or_not_finite_are_a_user_error(tmp_path, food):
    path = campaign_with(
        tmp_path, "[initial]", f"[logistics]\ninitial_kg = {{ food = {food} }}\n\n[initial]"
    )
    with pytest.raises(InputError, match=r"logistics\.initial_kg"):
        load_campaign(path)


def test_plausible_cargo_and_stocks_still_load(tmp_path):
    path = campaign_with(
        tmp_path, "[initial]", "[logistics]\ninitial_kg = { food = 1100 }\n\n[initial]"
    )
    assert load_campaign(path).campaign.logistics.initial_kg.food == 1100


# --- 5. Output paths checked before the work starts -----------------------------------------


@pytest.mark.parametrize("command", ["plan", "simulate"])
@pytest.mark.parametrize("where", ["a file", "below a file"])
def test_a_report_path_that_cannot_be_a_directory_is_a_user_error(tmp_path, capsys, command, where):
    blocker = tmp_path / "taken"
    blocker.write_text("not a directory")
    target = blocker if where == "a file" else blocker / "report"
    code, _, err = run(capsys, command, str(TIANGONG), "--report", str(target))
    assert code == 1
    assert "--report" in one_line(err)


def test_a_screen_out_path_below_a_file_is_a_user_error(tmp_path, capsys):
    blocker = tmp_path / "taken"
    blocker.write_text("not a directory")
    code, _, err = run(
        capsys,
        "screen",
        "--elements",
        str(ROOT / "tests" / "data" / "screening" / "small.3le"),
        "--primary",
        "48274",
        "--start",
        "2024-07-05",
        "--days",
        "0.1",
        "--format",
        "cdm",
        "--out",
        str(blocker / "cdms"),
    )
    assert code == 1
    assert "--out" in one_line(err)


# --- 6. demo --days -------------------------------------------------------------------------


@pytest.mark.parametrize("days", ["nan", "inf", "1e9", "0", "-1"])
def test_demo_days_must_be_a_finite_span_in_range_and_the_error_names_days(capsys, days):
    code, _, err = run(capsys, "demo", "--days", days)
    assert code == 1
    assert "--days" in one_line(err)


# --- 7. Skipped records are reported by every command that reads element sets ---------------


def css_with_one_bad_record(tmp_path: Path) -> Path:
    """The bundled 2022 CSS sets with the checksum of the newest record's line 1 broken."""
    lines = CSS_2022.read_text().splitlines()
    k = max(i for i, line in enumerate(lines) if line.startswith("1 48274"))
    digit = int(lines[k][68])
    lines[k] = lines[k][:68] + str((digit + 1) % 10)
    path = tmp_path / "css.tle"
    path.write_text("\n".join(lines) + "\n")
    return path


SKIP_WARNING = "1 record(s) skipped in"


def test_rendezvous_warns_when_a_record_was_skipped(tmp_path, capsys):
    path = css_with_one_bad_record(tmp_path)
    _, _, err = run(
        capsys,
        "rendezvous",
        "--elements",
        str(path),
        "--site",
        "jiuquan",
        "--vehicle",
        "shenzhou",
        "--launch",
        "2022-11-29T15:08:17Z",
    )
    assert SKIP_WARNING in err and str(path) in err and "checksum" in err


def test_windows_warns_the_same_way(tmp_path, capsys):
    path = css_with_one_bad_record(tmp_path)
    _, _, err = run(
        capsys,
        "windows",
        "--elements",
        str(path),
        "--site",
        "wenchang",
        "--vehicle",
        "tianzhou",
        "--start",
        "2022-11-10",
        "--end",
        "2022-11-11",
    )
    assert SKIP_WARNING in err and "checksum" in err


@pytest.mark.parametrize("command", ["plan", "simulate"])
def test_plan_and_simulate_warn_when_the_campaigns_element_file_lost_a_record(
    tmp_path, capsys, command
):
    bad = css_with_one_bad_record(tmp_path)
    path = campaign_with(tmp_path, 'elements = "bundled:css-2022.tle"', f'elements = "{bad.name}"')
    code, _, err = run(capsys, command, str(path), "--format", "json")
    assert code in (0, 2)
    assert SKIP_WARNING in err and "checksum" in err


# --- 8. rendezvous --lead-days ---------------------------------------------------------------


@pytest.mark.parametrize("lead", ["nan", "inf", "-inf", "1e9", "0"])
def test_rendezvous_lead_days_must_be_finite_and_in_range(capsys, lead):
    code, out, err = run(
        capsys,
        "rendezvous",
        "--elements",
        str(CSS_2022),
        "--site",
        "jiuquan",
        "--vehicle",
        "shenzhou",
        "--launch",
        "2022-11-29T15:08:17Z",
        "--lead-days",
        lead,
        "--format",
        "json",
    )
    assert code == 1
    assert "--lead-days" in one_line(err)
    assert out == ""


# --- 9. elements --show-skipped ---------------------------------------------------------------


def test_show_skipped_must_not_be_negative(capsys):
    path = ROOT / "tests" / "data" / "elements" / "one_bad_checksum.tle"
    code, _, err = run(capsys, "elements", str(path), "--show-skipped", "-1", "--format", "json")
    assert code == 1
    assert "--show-skipped" in one_line(err)


def test_show_skipped_zero_lists_nothing_but_still_counts(capsys):
    path = ROOT / "tests" / "data" / "elements" / "one_bad_checksum.tle"
    code, out, _ = run(capsys, "elements", str(path), "--show-skipped", "0", "--format", "json")
    assert code == 0
    record = json.loads(out)
    assert record["skipped"] == 1 and record["skipped_records"] == []


# --- Ctrl-C and the exit codes ----------------------------------------------------------------


def test_ctrl_c_ends_with_exit_130_and_one_line(monkeypatch, capsys):
    import stationplan.station.schedule as schedule

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(schedule, "plan_campaign", interrupted)
    code, _, err = run(capsys, "plan", str(TIANGONG))
    assert code == 130
    assert "interrupted" in one_line(err)


def test_help_documents_every_exit_code(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0
    text = " ".join(out.split())
    for words in ("1 user error", "2 proven infeasible", "3 internal error", "4 ", "130"):
        assert words in text


def test_a_time_limit_error_exits_4(monkeypatch, capsys):
    import stationplan.station.schedule as schedule
    from stationplan.errors import TimeLimitError

    def gave_up(*args, **kwargs):
        raise TimeLimitError("no schedule found within the time limit; raise --time-limit")

    monkeypatch.setattr(schedule, "plan_campaign", gave_up)
    code, _, err = run(capsys, "plan", str(TIANGONG))
    assert code == 4
    assert "--time-limit" in one_line(err)


# --- Atomic writes ------------------------------------------------------------------------------


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    import os

    from stationplan.report.files import write_atomic

    target = tmp_path / "plan.json"
    write_atomic(target, '{"complete": true}\n')

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, '{"half": ')
    assert target.read_text() == '{"complete": true}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.json"]


def test_a_plan_report_interrupted_while_writing_leaves_no_file_that_looks_complete(
    tmp_path, capsys, monkeypatch
):
    import stationplan.report.html as html

    def render_then_interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(html, "schedule_to_json", render_then_interrupt)
    report = tmp_path / "report"
    code, _, err = run(capsys, "plan", str(TIANGONG), "--report", str(report))
    assert code == 130 and "interrupted" in err
    written = sorted(p.name for p in report.iterdir())
    assert "plan.json" not in written
    assert not [name for name in written if name.endswith(".tmp")]


def test_plan_report_files_are_complete_when_the_run_ends(tmp_path, capsys):
    report = tmp_path / "report"
    code, _, _ = run(capsys, "plan", str(TIANGONG), "--report", str(report))
    assert code == 0
    written = {p.name for p in report.iterdir()}
    assert {"plan.ics", "plan.json", "report.html", "simulation.json", "daily.csv"} <= written
    assert not [name for name in written if name.endswith(".tmp")]
    assert json.loads((report / "plan.json").read_text())["missions"]


@pytest.mark.parametrize(
    "when", ["0001-01-01T00:30:00+01:00", "9999-12-31T23:30:00-01:00", "1900-01-01T00:00:00Z"]
)
def test_a_time_whose_utc_leaves_the_calendar_is_a_user_error_not_a_crash(when: str) -> None:
    # Found by schemathesis on GET /api/rendezvous: astimezone(UTC) overflowed (exit 3).
    from datetime import datetime

    from stationplan.services.windows import utc_within_sgp4_era

    with pytest.raises(InputError, match="1957–2100"):
        utc_within_sgp4_era(datetime.fromisoformat(when), "launch")
