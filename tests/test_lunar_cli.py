"""``stationplan lunar site``: the JSON contract and one-line errors."""

from __future__ import annotations

import json

import pytest

from cli_runner import run_cli as run


def test_site_json_gives_the_contract_fields_at_each_instant(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(
        capsys, "lunar", "site", "--lat", "0.6875", "--lon", "23.4333",
        "--at", "1969-07-20T20:17:39Z", "--at", "1969-07-21T17:54:00Z", "--format", "json",
    )  # fmt: skip
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 2
    for key in (
        "utc",
        "sun_alt_deg",
        "sun_az_deg",
        "earth_alt_deg",
        "earth_az_deg",
        "relay_visible",
    ):
        assert key in rows[0]
    # Apollo Lunar Surface Journal: Sun 10.65° / 88.81° at the Apollo 11 landing.
    assert abs(rows[0]["sun_alt_deg"] - 10.65) < 0.3 and abs(rows[0]["sun_az_deg"] - 88.81) < 0.5
    assert rows[0]["horizon"] == "smooth sphere"


def test_a_span_samples_every_step_and_writes_a_report(
    capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    code, out, _ = run(
        capsys, "lunar", "site", "--lat", "-88.8", "--lon", "123.4", "--start", "2026-09-01",
        "--end", "2026-09-02", "--step-hours", "6", "--format", "csv", "--report", str(tmp_path),
    )  # fmt: skip
    assert code == 0
    assert len(out.strip().splitlines()) == 1 + 5
    assert (tmp_path / "lunar-site.png").exists()


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--lat", "-91", "--lon", "0", "--at", "2026-01-01"], "--lat"),
        (["--lat", "0", "--lon", "0", "--at", "2060-01-01"], "--at"),
        (["--lat", "0", "--lon", "0", "--start", "2026-01-02", "--end", "2026-01-01"], "--end"),
        (["--lat", "0", "--lon", "0"], "--start"),
    ],
)
def test_bad_input_gives_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], args: list[str], field: str
) -> None:
    code, _, err = run(capsys, "lunar", "site", *args)
    assert code == 1
    assert len(err.strip().splitlines()) == 1 and field in err


def test_an_infinite_step_is_refused_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        capsys, "lunar", "site", "--lat", "0", "--lon", "0", "--start", "2026-01-01",
        "--end", "2026-01-02", "--step-hours", "inf",
    )  # fmt: skip
    assert code == 1 and "--step-hours" in err and len(err.strip().splitlines()) == 1


def test_windows_json_gives_the_contract_fields(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "lunar", "windows", "--site", "wenchang", "--launcher", "long-march-5",
        "--start", "2024-05-02", "--end", "2024-05-04", "--format", "json",
    )  # fmt: skip
    assert code == 0
    rows = json.loads(out)
    assert rows
    for key in ("open_utc", "close_utc", "tli_utc", "arrival_utc", "tli_dv_km_s"):
        assert key in rows[0]
    assert all(r["open_utc"] < r["close_utc"] for r in rows)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--site", "atlantis", "--launcher", "saturn-v"], "atlantis"),
        (["--site", "kennedy", "--launcher", "n1"], "n1"),
    ],
)
def test_windows_refuse_unknown_ids_in_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str], field: str
) -> None:
    code, _, err = run(
        capsys, "lunar", "windows", *args, "--start", "1969-07-16", "--end", "1969-07-17"
    )
    assert code == 1 and field in err and len(err.strip().splitlines()) == 1


def test_lunar_windows_without_refine_print_null_n_body_fields_and_know_mission_kinds(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(
        capsys, "lunar", "windows", "--site", "wenchang", "--launcher", "long-march-10",
        "--mission-kind", "crewed", "--start", "2027-01-01", "--end", "2027-01-02",
        "--format", "json",
    )  # fmt: skip
    assert code == 0
    rows = json.loads(out)
    assert rows and all(r["free_return"] is None and r["transfer_days"] == 3.0 for r in rows)
    code, _, err = run(
        capsys, "lunar", "windows", "--site", "wenchang", "--launcher", "long-march-10",
        "--mission-kind", "lunch", "--start", "2027-01-01", "--end", "2027-01-02",
    )  # fmt: skip
    assert code == 1
    assert "--mission-kind" in err and len(err.strip().splitlines()) == 1


def test_windows_refuse_a_site_the_launcher_does_not_fly_from_in_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(
        capsys, "lunar", "windows", "--site", "wenchang", "--launcher", "saturn-v",
        "--start", "1969-07-16", "--end", "1969-07-17",
    )  # fmt: skip
    assert code == 1 and "--site" in err and "saturn-v" in err
    assert len(err.strip().splitlines()) == 1


def test_a_mission_azimuth_band_narrows_the_window_inside_the_site_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    base = ["lunar", "windows", "--site", "kennedy", "--launcher", "saturn-v",
            "--start", "1969-07-16", "--end", "1969-07-17", "--format", "json"]  # fmt: skip
    code, out, _ = run(capsys, *base)
    assert code == 0
    wide = json.loads(out)
    code, out, _ = run(capsys, *base, "--azimuth-min", "72", "--azimuth-max", "90")
    assert code == 0
    narrow = json.loads(out)
    assert narrow and all(r["azimuth_limits_from"] == "option" for r in narrow)
    # Every window of the 72–90° band lies inside a window of the site's 72–108° band and is
    # shorter: the band is swept by the site's rotation, so fewer degrees take less time.
    for n in narrow:
        holder = [
            w for w in wide if w["open_utc"] <= n["open_utc"] <= n["close_utc"] <= w["close_utc"]
        ]
        assert holder
        assert (n["open_utc"], n["close_utc"]) != (holder[0]["open_utc"], holder[0]["close_utc"])


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        (["--azimuth-min", "72"], "--azimuth-max"),
        (["--azimuth-min", "100", "--azimuth-max", "80"], "--azimuth-max"),
        (["--azimuth-min", "-5", "--azimuth-max", "80"], "--azimuth-min"),
    ],
)
def test_a_bad_azimuth_band_gives_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], extra: list[str], field: str
) -> None:
    code, _, err = run(
        capsys, "lunar", "windows", "--site", "kennedy", "--launcher", "saturn-v",
        "--start", "1969-07-16", "--end", "1969-07-17", *extra,
    )  # fmt: skip
    assert code == 1 and field in err and len(err.strip().splitlines()) == 1
