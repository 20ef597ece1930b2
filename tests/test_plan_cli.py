"""`stationplan plan`: formats, the HTML report, exit codes of broken campaigns."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from cli_runner import run_cli as run

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
TIANGONG = str(EXAMPLES / "tiangong-2022.toml")
BROKEN = EXAMPLES / "broken"


def test_plan_json_gives_each_mission_its_times_port_profile_and_a_station_timeline(
    capsysbinary,
):
    code, out, _ = run(capsysbinary, "plan", TIANGONG, "--format", "json")
    assert code == 0
    record = json.loads(out)
    assert len(record["missions"]) == 6
    for mission in record["missions"]:
        for key in ("launch_utc", "docking_utc", "port", "departure_utc", "profile", "reason"):
            assert key in mission
    times = [e["time_utc"] for e in record["timeline"]]
    assert times == sorted(times)
    kinds = {e["kind"] for e in record["timeline"]}
    assert {"launch", "docking", "transposition", "departure"} <= kinds


def test_plan_csv_has_one_row_per_mission(capsysbinary):
    code, out, _ = run(capsysbinary, "plan", TIANGONG, "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out.decode())))
    assert [r["name"] for r in rows][:2] == ["Tianzhou-4", "Shenzhou-14"]
    assert len(rows) == 6


def test_plan_ics_follows_rfc_5545(capsysbinary):
    code, out, _ = run(capsysbinary, "plan", TIANGONG, "--format", "ics")
    assert code == 0
    text = out.decode("utf-8")
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert "\n" not in text.replace("\r\n", "")  # RFC 5545 §3.1: CRLF line breaks only
    assert all(len(line.encode()) <= 75 for line in lines)  # §3.1: fold at 75 octets
    events = text.count("BEGIN:VEVENT")
    assert events == text.count("END:VEVENT")
    assert events == text.count("\r\nUID:") == text.count("\r\nDTSTAMP:")  # §3.6.1 required
    uids = [line for line in lines if line.startswith("UID:")]
    assert len(set(uids)) == len(uids)
    # 6 launches + 6 dockings + 2 transpositions + departures of Tianzhou-3 and 4 vehicles.
    assert events == 6 + 6 + 2 + 5


def test_plan_table_names_every_mission(capsysbinary):
    code, out, _ = run(capsysbinary, "plan", TIANGONG)
    assert code == 0
    for name in ("Tianzhou-4", "Shenzhou-14", "Wentian", "Mengtian", "Tianzhou-5", "Shenzhou-15"):
        assert name in out.decode()


def test_report_is_one_self_contained_html_file_with_the_gantt(tmp_path, capsysbinary):
    code, _, err = run(capsysbinary, "plan", TIANGONG, "--report", str(tmp_path / "out"))
    assert code == 0
    html = (tmp_path / "out" / "report.html").read_text()
    assert "<svg" in html and "Shenzhou-15" in html
    assert "src=" not in html.replace('src="data:', "")  # nothing to fetch
    assert html.count('src="data:image/png;base64,') == 2  # stocks and altitude plots
    assert "<link" not in html
    assert json.loads((tmp_path / "out" / "plan.json").read_text())["missions"]
    assert "report written" in err


@pytest.mark.parametrize(
    ("name", "named", "phrase"),
    [
        ("port-double-booking.toml", ["Tianzhou-A", "Tianzhou-B"], "aft port"),
        ("crew-over-capacity.toml", ["Shenzhou-A", "Shenzhou-B"], "nominal capacity is 3"),
        ("dependency-cycle.toml", ["Tianzhou-A", "Shenzhou-B"], "launches after"),
        ("quota-exceeded.toml", ["Shenzhou-A", "Shenzhou-B"], "Roscosmos has 1 seat"),
        ("no-opportunity.toml", ["Tianzhou-A"], "no opportunity between"),
    ],
)
def test_broken_campaigns_exit_2_naming_the_missions_in_conflict(capsysbinary, name, named, phrase):
    code, _, err = run(capsysbinary, "plan", str(BROKEN / name))
    assert code == 2, err
    assert "Traceback" not in err
    for mission in named:
        assert mission in err
    assert phrase in err


def test_the_crew_conflict_reads_as_crew_aboard_from_a_date(capsysbinary):
    _, _, err = run(capsysbinary, "plan", str(BROKEN / "crew-over-capacity.toml"))
    assert "6 crew aboard from 2022-" in err
    assert "Shenzhou-B arrives before Shenzhou-A leaves" in err


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("malformed-unknown-vehicle.toml", "[missions[0].vehicle]"),
        ("malformed-bad-date.toml", "[missions[0].launch.latest]"),
        ("malformed-missing-field.toml", "[missions[0].launch]"),
        ("malformed-wrong-type.toml", "[missions[0].stay_days.max]"),
    ],
)
def test_malformed_campaigns_exit_1_with_file_key_and_reason(capsysbinary, name, key):
    code, _, err = run(capsysbinary, "plan", str(BROKEN / name))
    assert code == 1
    assert name in err and key in err
    assert "Traceback" not in err and len(err.strip().splitlines()) <= 2


def test_a_validator_message_is_shown_in_its_own_words_once(capsysbinary):
    """pydantic's "Value error, " prefix is dropped and the value is not repeated when the
    validator's message already quotes it."""
    code, _, err = run(capsysbinary, "plan", str(BROKEN / "malformed-bad-date.toml"))
    assert code == 1
    assert "Value error" not in err
    assert "]: '2022-13-01' is not an ISO 8601 date or time" in err
    assert err.count("2022-13-01") == 1


def test_a_missing_campaign_file_exits_1(capsysbinary, tmp_path):
    code, _, err = run(capsysbinary, "plan", str(tmp_path / "nope.toml"))
    assert code == 1
    assert "file not found" in err


def test_an_infeasible_campaign_explains_itself_on_real_lines(capsysbinary) -> None:
    # Exit 2 is an explanation, not a user error: one requirement per line, no "\n" escapes.
    code, _, err = run(capsysbinary, "plan", str(BROKEN / "port-double-booking.toml"))
    assert code == 2
    lines = err.strip().splitlines()
    assert lines[0] == "error: no schedule satisfies all of these together:"
    assert any(line.startswith("  - ") and "aft port" in line for line in lines[1:])
    assert lines[-1].startswith("to plan: ") and "\\n" not in err
