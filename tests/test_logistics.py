"""Consumables and the day-by-day simulation: exact mass balance, reserves, campaigns."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stationplan.cli.app import app
from stationplan.orbit.spaceweather import ConstantActivity
from stationplan.station.logistics import (
    ITEMS,
    ItemRule,
    OrbitStart,
    Visit,
    load_logistics,
    simulate,
    simulate_campaign,
)

ROOT = Path(__file__).resolve().parents[1]
TIANGONG = ROOT / "examples" / "tiangong-2022.toml"
START = datetime(2022, 1, 1, tzinfo=UTC)
ORBIT = OrbitStart(START, 388.0, 41.47, 120.0)
QUIET = ConstantActivity(100.0, 8.0, "test")


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _css(**initial_kg: float):
    return load_logistics("css", {"tianhe": 22500.0}).with_initial(**initial_kg)


def _crew(name: str, arrive: str, leave: str | None, crew: int = 3) -> Visit:
    return Visit(
        name, "shenzhou", "crew", _utc(arrive), leave and _utc(leave), crew, {}, 8000.0, 20.0, 50.0
    )


def _cargo(name: str, arrive: str, leave: str | None, **manifest: float) -> Visit:
    return Visit(
        name,
        "tianzhou",
        "cargo",
        _utc(arrive),
        leave and _utc(leave),
        0,
        manifest,
        13500.0,
        20.0,
        2000.0,
    )


def test_mass_balance_closes_to_the_gram_over_a_year_and_matches_a_hand_calculation():
    config = _css(food=500, water=400, o2=100, nitrogen=100, propellant=800, spares=300)
    visits = [
        _crew("Shenzhou-A", "2021-12-01T10:00", None),  # 3 crew aboard at noon every day of 2022
        _cargo(
            "Tianzhou-A",
            "2022-03-01T05:00",
            "2022-08-01T05:00",
            food=1200.5,
            water=800,
            propellant=1400,
            spares=900,
        ),
        _cargo(
            "Tianzhou-B",
            "2022-09-01T05:00",
            None,
            food=1000,
            water=700.25,
            nitrogen=150,
            propellant=1200,
        ),
    ]
    result = simulate(config, visits, START, _utc("2023-01-01"), ORBIT, QUIET)
    assert len(result.days) == 365
    for item, ledger in result.ledger.items():
        assert ledger.closes, item
    # Hand calculation (FACTS.md rates, css logistics): 3 crew x 365 days = 1095 crew-days.
    food = result.ledger["food"]
    assert food.consumed_g == 1095 * 1820
    assert food.delivered_g == 1_200_500 + 1_000_000
    assert food.final_g == 500_000 + 2_200_500 - 1_992_900
    water = result.ledger["water"]
    assert water.consumed_g == 1095 * 190  # 3.8 kg x (1 - 0.95) = 190 g per crew-day
    assert water.final_g == 400_000 + 800_000 + 700_250 - 208_050
    assert result.ledger["o2"].consumed_g == 0  # fully regenerated
    assert result.ledger["nitrogen"].final_g == 100_000 + 150_000 - 365 * 200
    spares = result.ledger["spares"]
    assert spares.final_g == 300_000 + 900_000 - 365 * 1500
    # Trash: 15 % of 5,460 g of food a day (819 g) plus every used spare (1,500 g a day), minus
    # the 2,000 kg Tianzhou-A took away when it left.
    trash = result.ledger["trash"]
    assert trash.delivered_g == 365 * (819 + 1500)
    assert trash.final_g == 365 * (819 + 1500) - trash.removed_g
    assert trash.removed_g == min(2_000_000, (31 + 28 + 31 + 30 + 31 + 30 + 31) * 2319 + 2319)
    propellant = result.ledger["propellant"]
    burned = sum(round(b.propellant_kg * 1000) for b in result.burns)
    assert propellant.burned_g == burned
    assert propellant.final_g == 800_000 + 2_600_000 - burned


def test_fractional_rates_never_lose_or_invent_a_gram():
    config = _css()
    items = dict(config.items)
    items["water"] = ItemRule(per_crew_day_kg=0.8333, recovery=0.1, initial_kg=5000)
    config = dataclasses.replace(config, items=items)
    visits = [_crew("Crew", "2021-12-01T10:00", None, crew=7)]
    result = simulate(config, visits, START, _utc("2023-01-01"), ORBIT, QUIET)
    # 833.3 g x 0.9 x 7 = 5249.79 g a day; over 365 days exactly 1,916,173.35 g -> 1,916,173.
    assert result.ledger["water"].consumed_g == 1_916_173
    daily = -(result.stock_g["water"][1:] - result.stock_g["water"][:-1])
    assert set(daily.tolist()) <= {5249, 5250}


def _tiangong():
    from stationplan.station.campaign import load_campaign
    from stationplan.station.campaign_windows import campaign_candidates
    from stationplan.station.schedule import SolveSettings, schedule_campaign

    loaded = load_campaign(TIANGONG)
    candidates = campaign_candidates(loaded, lambda mission: None)
    schedule = schedule_campaign(
        loaded.campaign,
        loaded.station,
        loaded.vehicles,
        loaded.sites,
        candidates,
        SolveSettings(workers=1),
    )
    return loaded, schedule


@pytest.mark.skipif(not TIANGONG.exists(), reason="examples/tiangong-2022.toml absent")
def test_tiangong_2022_keeps_every_reserve_and_fails_without_tianzhou_5():
    loaded, schedule = _tiangong()
    result = simulate_campaign(loaded, schedule)
    assert result.violations == [], [v.message for v in result.violations]
    assert result.crew.max() == 6  # the first handover
    assert result.altitude_km.min() >= 379.5 and result.burns
    without = dataclasses.replace(
        schedule, missions=tuple(m for m in schedule.missions if m.name != "Tianzhou-5")
    )
    broken = simulate_campaign(loaded, without)
    food = [v for v in broken.violations if v.item == "food" and v.kind == "reserve"]
    assert food, [v.message for v in broken.violations]
    first = food[0]
    assert first.message.startswith(
        f"food below the 45-day reserve on {first.day}: 3 crew aboard, "
    )
    assert first.message.endswith("need 246 kg")  # 45 d x 3 x 1.82 kg = 245.7 kg


def test_crew_counts_visits_aboard_at_noon_and_handover_doubles_it():
    visits = [
        _crew("Old", "2021-12-01T10:00", "2022-01-05T03:00"),
        _crew("New", "2022-01-02T21:00", None),
    ]
    result = simulate(_css(), visits, START, _utc("2022-01-10"), ORBIT, QUIET)
    assert result.crew.tolist() == [3, 3, 6, 6, 3, 3, 3, 3, 3]


def test_running_out_of_propellant_is_named_and_dated():
    config = _css(propellant=50)
    result = simulate(
        config, [], START, _utc("2022-07-01"), OrbitStart(START, 381.0, 41.47, 0.0), QUIET
    )
    assert result.burns
    out = [v for v in result.violations if v.item == "propellant" and v.kind == "exhausted"]
    assert out and out[0].day == result.burns[0].day
    assert out[0].message.startswith(
        f"propellant runs out on {out[0].day}: 0 crew aboard, short by "
    )


def test_skip_cycle_flags_the_cargo_the_station_could_not_do_without():
    config = dataclasses.replace(_css(food=100), skip_cycle=True)
    visits = [
        _crew("Crew", "2021-12-01T10:00", None),
        _cargo("Tianzhou-A", "2022-01-10T05:00", None, food=600),
        _cargo("Tianzhou-B", "2022-04-10T05:00", None, food=600),
    ]
    result = simulate(config, visits, START, _utc("2022-05-01"), ORBIT, QUIET)
    skip = [v for v in result.violations if v.kind == "skip-cycle"]
    assert [v.day.isoformat() for v in skip] == ["2022-01-10"]
    assert "without Tianzhou-A" in skip[0].message and "food would run out" in skip[0].message


def test_every_item_has_a_rate_and_unknown_items_are_refused():
    config = _css()
    assert set(config.items) == set(ITEMS)
    from stationplan.errors import InputError

    with pytest.raises(InputError, match="unknown item"):
        config.with_initial(fuel=10)


@pytest.mark.skipif(not TIANGONG.exists(), reason="examples/tiangong-2022.toml absent")
def test_simulate_command_prints_days_burns_and_no_violation_as_json():
    result = CliRunner().invoke(app, ["simulate", str(TIANGONG), "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["station"] == "css" and document["violations"] == []
    assert document["burns"] and len(document["days"]) > 300
    assert {"date", "crew", "altitude_km", "food_kg"} <= set(document["days"][0])
