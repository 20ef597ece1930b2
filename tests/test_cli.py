"""The command line: exit codes, one-line errors naming file and line, output formats."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from cli_runner import run_cli as run

GOOD = (
    "ISS (ZARYA)\n"
    "1 25544U 98067A   21045.71216391  .00000371  00000-0  14914-4 0  9996\n"
    "2 25544  51.6428 228.4982 0002861  13.4307  72.7863 15.48961500269614\n"
)
WINDOW_ARGS = [
    "--site",
    "baikonur",
    "--vehicle",
    "soyuz-ms",
    "--start",
    "2021-02-15",
    "--end",
    "2021-02-16T12:00:00Z",
]


def test_windows_json_lists_every_field_the_issue_names(tmp_path, capsys):
    path = tmp_path / "iss.tle"
    path.write_text(GOOD)
    code, out, _ = run(capsys, "windows", "--elements", str(path), *WINDOW_ARGS, "--format", "json")
    assert code == 0
    records = json.loads(out)
    assert len(records) >= 2
    for key in (
        "launch_utc",
        "pass",
        "azimuth_deg",
        "out_of_plane_deg",
        "phase_angle_deg",
        "docking_utc",
        "site",
        "vehicle",
        "profile",
    ):
        assert key in records[0]
    assert records[0]["site"] == "baikonur" and records[0]["vehicle"] == "soyuz-ms"


def test_windows_csv_has_a_header_and_one_row_per_opportunity(tmp_path, capsys):
    path = tmp_path / "iss.tle"
    path.write_text(GOOD)
    code, out, _ = run(capsys, "windows", "--elements", str(path), *WINDOW_ARGS, "--format", "csv")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].startswith("launch_utc,")
    assert len(lines) >= 3


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (GOOD.replace("15.48961500269614", "15.4896150026961"), ":3"),  # truncated line 2
        (GOOD.replace("0  9996", "0  9995"), ":2"),  # bad checksum on line 1
        (GOOD.replace("51.6428", "51.6X28"), ":3"),  # letter in a numeric field
        ("", "empty"),
        ("\x00\x01\x02garbage\xff" * 20, ""),
    ],
    ids=["truncated", "checksum", "letters", "empty", "binary"],
)
def test_malformed_element_files_give_a_one_line_error_and_exit_1(
    tmp_path, capsys, content, expected
):
    path = tmp_path / "bad.tle"
    path.write_text(content, encoding="latin-1")
    code, out, err = run(capsys, "windows", "--elements", str(path), *WINDOW_ARGS)
    assert code == 1
    message = err.strip()
    assert len(message.splitlines()) == 1, message
    assert str(path) in message.replace("\n", "")
    assert expected.lower() in message.lower()
    assert "Traceback" not in err + out


def test_asking_for_a_norad_id_not_in_the_file_names_file_and_id(tmp_path, capsys):
    path = tmp_path / "iss.tle"
    path.write_text(GOOD)
    code, _, err = run(capsys, "windows", "--elements", str(path), "--norad", "48274", *WINDOW_ARGS)
    assert code == 1
    assert "48274" in err and str(path) in err


def test_unknown_vehicle_lists_the_known_ones(tmp_path, capsys):
    path = tmp_path / "iss.tle"
    path.write_text(GOOD)
    args = [a if a != "soyuz-ms" else "buran" for a in WINDOW_ARGS]
    code, _, err = run(capsys, "windows", "--elements", str(path), *args)
    assert code == 1
    assert "buran" in err and "soyuz-ms" in err


def test_a_site_above_the_inclination_exits_2(tmp_path, capsys):
    path = tmp_path / "iss.tle"
    path.write_text(GOOD)
    args = [a if a != "baikonur" else "vostochny" for a in WINDOW_ARGS]
    code, _, err = run(capsys, "windows", "--elements", str(path), *args)
    assert code == 2
    assert "inclination" in err


def test_bad_time_names_the_option(tmp_path, capsys):
    path = tmp_path / "iss.tle"
    path.write_text(GOOD)
    args = [a if a != "2021-02-15" else "15/02/2021" for a in WINDOW_ARGS]
    code, _, err = run(capsys, "windows", "--elements", str(path), *args)
    assert code == 1
    assert "--start" in err


def test_elements_summary_reports_skipped_records(tmp_path, capsys):
    path = tmp_path / "mixed.tle"
    path.write_text(GOOD + GOOD.replace("0  9996", "0  9995").replace("ISS", "BAD"))
    code, out, _ = run(capsys, "elements", str(path), "--format", "json")
    assert code == 0
    record = json.loads(out)
    assert record["objects"] == 1 and record["skipped"] == 1
    assert record["skipped_records"][0]["line"] == 5


def test_demo_prints_the_bundled_element_set_epoch(capsys):
    code, out, _ = run(capsys, "demo")
    assert code == 0
    assert "epoch 2024-07-05" in out
    assert "shenzhou" in out and "tianzhou" in out


# -- rendezvous ------------------------------------------------------------------------

RENDEZVOUS_ARGS = ["--site", "baikonur", "--vehicle", "soyuz-ms"]


def _iss_file(tmp_path):
    path = tmp_path / "iss.tle"
    path.write_text(GOOD)
    return str(path)


def _opportunities(capsys, path: str) -> list[dict]:
    code, out, _ = run(capsys, "windows", "--elements", path, *WINDOW_ARGS, "--format", "json")
    assert code == 0
    return json.loads(out)


def test_windows_json_has_the_feasible_profiles_of_each_opportunity(tmp_path, capsys):
    records = _opportunities(capsys, _iss_file(tmp_path))
    assert all(isinstance(r["feasible_profiles"], list) for r in records)
    known = {"2-orbit", "4-orbit", "2-day"}
    assert all(set(r["feasible_profiles"]) <= known for r in records)


def test_rendezvous_json_has_every_field_the_issue_names(tmp_path, capsys):
    path = _iss_file(tmp_path)
    records = _opportunities(capsys, path)
    feasible = next(r for r in records if r["feasible_profiles"])
    code, out, err = run(
        capsys,
        "rendezvous",
        "--elements",
        path,
        *RENDEZVOUS_ARGS,
        "--launch",
        feasible["launch_utc"],
        "--format",
        "json",
    )
    assert code == 0, err
    report = json.loads(out)
    for key in (
        "phase_angle_deg",
        "feasible_profiles",
        "selected_profile",
        "docking_utc",
        "burns",
        "total_dv_m_s",
    ):
        assert key in report
    assert report["selected_profile"] == feasible["feasible_profiles"][0]
    for p in report["feasible_profiles"]:
        assert {"name", "duration_h", "docking_utc"} <= set(p)
    # Phasing, circularise, plane (its own burn at the relative node), plane trim, transfer,
    # arrival at the hold point (docs/rendezvous.md, issue 16).
    labels = [b["label"] for b in report["burns"]]
    assert labels[0] == "phasing" and labels[-1] == "arrival" and "plane" in labels
    assert report["total_dv_m_s"] == pytest.approx(sum(b["dv_m_s"] for b in report["burns"]), 1e-3)
    assert report["final_distance_km"] <= 5.0


def test_rendezvous_with_no_feasible_profile_says_so_and_exits_2(tmp_path, capsys):
    path = _iss_file(tmp_path)
    records = _opportunities(capsys, path)
    hopeless = next(r for r in records if not r["feasible_profiles"])
    code, out, err = run(
        capsys,
        "rendezvous",
        "--elements",
        path,
        *RENDEZVOUS_ARGS,
        "--launch",
        hopeless["launch_utc"],
        "--format",
        "json",
    )
    assert code == 2
    report = json.loads(out)
    assert report["selected_profile"] is None and report["feasible_profiles"] == []
    assert "no rendezvous profile" in err and "Traceback" not in err


def test_rendezvous_from_a_site_above_the_inclination_is_explained(capsys):
    bundled = str(resources.files("stationplan") / "data" / "stations.tle")
    code, _, err = run(
        capsys,
        "rendezvous",
        "--elements",
        bundled,
        "--norad",
        "48274",
        "--site",
        "baikonur",
        "--vehicle",
        "soyuz-ms",
        "--launch",
        "2024-07-06T00:00:00Z",
    )
    assert code == 2
    assert "above the station's inclination" in err


def test_rendezvous_with_an_unknown_vehicle_is_a_user_error(tmp_path, capsys):
    code, _, err = run(
        capsys,
        "rendezvous",
        "--elements",
        _iss_file(tmp_path),
        "--site",
        "baikonur",
        "--vehicle",
        "buran",
        "--launch",
        "2021-02-15T12:00:00Z",
    )
    assert code == 1
    assert "unknown vehicle 'buran'" in err


def test_an_invalid_choice_is_a_user_error_not_an_internal_one(tmp_path, capsys):
    code, _, err = run(
        capsys, "windows", "--elements", _iss_file(tmp_path), *WINDOW_ARGS, "--format", "xml"
    )
    assert code == 1
    assert "internal error" not in err and "'xml'" in err


def test_error_messages_keep_bracketed_option_names(tmp_path, capsys):
    args = ["--site", "baikonur", "--vehicle", "soyuz-ms", "--start", "2021-02-16"]
    code, _, err = run(
        capsys, "windows", "--elements", _iss_file(tmp_path), *args, "--end", "2021-02-15"
    )
    assert code == 1
    assert "[--end]" in err
