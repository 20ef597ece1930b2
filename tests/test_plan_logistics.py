"""`stationplan plan` rejects schedules that starve the crew (issue 5 fed back into planning)."""

from __future__ import annotations

from pathlib import Path

from cli_runner import run_cli as _run

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "tiangong-2022.toml"


def _without_tianzhou_5_food(tmp_path: Path) -> Path:
    """The 2022 campaign with Tianzhou-5 (the last cargo ship of the year) carrying no food."""
    text = EXAMPLE.read_text(encoding="utf-8")
    tianzhou_5 = text.index('name = "Tianzhou-5"')
    cargo = text.index("cargo_kg = { food = ", tianzhou_5)
    end = text.index(",", cargo)
    text = text[:cargo] + "cargo_kg = { food = 0" + text[end:]
    path = tmp_path / "starved.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_real_2022_schedule_keeps_every_reserve(capsys):
    code, _, err = _run(capsys, "plan", str(EXAMPLE), "--format", "json")
    assert code == 0, err
    assert "logistics" not in err


def test_a_schedule_that_runs_out_of_food_exits_2_naming_the_item_and_date(tmp_path, capsys):
    code, _, err = _run(capsys, "plan", str(_without_tianzhou_5_food(tmp_path)))
    assert code == 2
    assert "food below the 45-day reserve on 2023-01-13" in err
    assert "Traceback" not in err


def test_ignore_logistics_prints_the_schedule_with_a_warning(tmp_path, capsys):
    path = _without_tianzhou_5_food(tmp_path)
    code, out, err = _run(capsys, "plan", str(path), "--format", "json", "--ignore-logistics")
    assert code == 0
    assert '"missions"' in out or "launch_utc" in out
    assert "warning" in err and "food" in err


def test_the_campaigns_starting_stocks_reach_the_simulation(tmp_path):
    """`[logistics] initial_kg` replaces the station default; the 2022 campaign starts
    uncrewed, so day one holds exactly the declared stock."""
    from stationplan.station.campaign import load_campaign
    from stationplan.station.campaign_windows import campaign_candidates
    from stationplan.station.logistics import simulate_campaign
    from stationplan.station.schedule import SolveSettings, schedule_campaign

    path = tmp_path / "stocked.toml"
    path.write_text(
        EXAMPLE.read_text(encoding="utf-8") + "\n[logistics]\ninitial_kg = { water = 1234 }\n",
        encoding="utf-8",
    )
    loaded = load_campaign(path)
    schedule = schedule_campaign(
        loaded.campaign, loaded.station, loaded.vehicles, loaded.sites,
        campaign_candidates(loaded), SolveSettings(),
    )  # fmt: skip
    result = simulate_campaign(loaded, schedule)
    assert result.crew[0] == 0
    assert int(result.stock_g["water"][0]) == 1_234_000
