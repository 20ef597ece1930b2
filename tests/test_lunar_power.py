"""Power and survival of lunar base elements: a hand-computed case and energy conservation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from stationplan.moon.base import Consumption, Element
from stationplan.moon.power import (
    SOLAR_CONSTANT_W_M2,
    Placement,
    clamp_scan,
    daily_comms,
    nights,
    panel_power_w,
    simulate_power,
)

START = datetime(2030, 1, 1, tzinfo=UTC)


def _times(n: int) -> list[datetime]:
    return [START + timedelta(hours=i) for i in range(n)]


def _flat_panel_lander(**changes: object) -> Element:
    """2 m² horizontal fixed array at 25 % efficiency, 1 kWh battery, floor 20 %."""
    values: dict[str, object] = dict(
        id="lander",
        name="test lander",
        mass_kg=1000.0,
        capabilities=(),
        consumption=Consumption(operating_w=100.0, standby_w=60.0, survival_w=50.0),
        solar_area_m2=2.0,
        solar_efficiency=0.25,
        panel="fixed",
        panel_tilt_deg=0.0,
        battery_wh=1000.0,
        min_soc=0.2,
    )
    values.update(changes)
    return Element(**values)  # type: ignore[arg-type]


def _history(dark_hours: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sun at 30° for an hour, at 90° for an hour, then below the horizon."""
    alt = np.array([30.0, 90.0] + [-5.0] * dark_hours)
    return alt, np.zeros_like(alt), alt > 0


def test_a_flat_panel_charges_spills_and_carries_a_night_to_the_watt_hour() -> None:
    # By hand: S·A·η = 1361 × 2 × 0.25 = 680.5 W; at 30° a horizontal panel gets sin 30° = ½:
    # hour 0: 340.25 Wh produced, 100 used, battery 500 → 740.25 Wh;
    # hour 1: 680.5 Wh produced, 100 used, battery fills by 259.75, 320.75 Wh spilled;
    # then 16 dark hours of 50 W take the battery from 1000 Wh to its 200 Wh floor.
    alt, az, lit = _history(16)
    result = simulate_power(
        [Placement("lander", _flat_panel_lander(), 0)],
        _times(len(alt)),
        alt,
        az,
        lit,
        initial_soc=0.5,
    )
    assert pytest.approx(680.5) == SOLAR_CONSTANT_W_M2 * 2.0 * 0.25
    assert result.produced_wh[:2, 0] == pytest.approx([340.25, 680.5], abs=1e-9)
    assert result.soc_wh[:2, 0] == pytest.approx([740.25, 1000.0], abs=1e-9)
    assert result.spilled_wh[:2, 0] == pytest.approx([0.0, 320.75], abs=1e-9)
    assert result.soc_wh[-1, 0] == pytest.approx(200.0, abs=1e-9)
    assert result.first_failure() is None
    assert nights(result)[0].survived == (True,)


def test_one_more_dark_hour_leaves_fifty_watt_hours_unmet_and_the_night_lost() -> None:
    alt, az, lit = _history(17)
    result = simulate_power(
        [Placement("lander", _flat_panel_lander(), 0)],
        _times(len(alt)),
        alt,
        az,
        lit,
        initial_soc=0.5,
    )
    assert result.unmet_wh[-1, 0] == pytest.approx(50.0, abs=1e-9)
    assert result.first_failure() == (len(alt) - 1, 0)
    assert nights(result)[0].survived == (False,)


def test_a_fixed_vertical_panel_facing_the_sun_gets_the_cosine_of_the_elevation() -> None:
    # Duffie & Beckman eq. 1.6.3 with a vertical surface: cos i = cos h · cos(Δazimuth).
    element = _flat_panel_lander(panel_tilt_deg=90.0, panel_azimuth_deg=180.0)
    alt = np.array([10.0, 10.0, 10.0])
    az = np.array([180.0, 240.0, 0.0])
    power = panel_power_w(element, alt, az, np.ones(3, bool))
    expected = 680.5 * np.cos(np.radians(10.0)) * np.array([1.0, 0.5, 0.0])
    assert power == pytest.approx(expected, abs=1e-9)


def _random_base(seed: int, n: int) -> tuple[list[Placement], np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    alt = 20 * np.sin(np.linspace(0, 6 * np.pi, n)) + rng.normal(0, 2, n)
    az = rng.uniform(0, 360, n)
    placements = []
    for j in range(5):
        placements.append(
            Placement(
                f"e{j}",
                _flat_panel_lander(
                    id=f"e{j}",
                    solar_area_m2=float(rng.uniform(0, 6)),
                    panel=str(rng.choice(["fixed", "tracking"])),
                    panel_tilt_deg=float(rng.uniform(0, 90)),
                    radioisotope_w=float(rng.choice([0.0, 40.0])),
                    battery_wh=float(rng.uniform(0, 3000)),
                    connects=bool(j % 2 == 0 or j == 3),
                    consumption=Consumption(*rng.uniform(10, 200, 3)),
                ),
                int(rng.integers(0, n // 2)),
            )
        )
    return placements, alt, az, alt > 0


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_energy_is_conserved_every_step_for_each_element_and_the_base(seed: int) -> None:
    n = 400
    placements, alt, az, lit = _random_base(seed, n)
    r = simulate_power(placements, _times(n), alt, az, lit)
    per_element = r.used_wh + r.stored_wh + r.spilled_wh - r.produced_wh - r.imported_wh
    assert np.abs(per_element).max() < 1e-6
    base = r.produced_wh.sum(axis=1) - (r.used_wh + r.stored_wh + r.spilled_wh).sum(axis=1)
    assert np.abs(base).max() < 1e-6
    assert np.abs(r.imported_wh.sum(axis=1)).max() < 1e-6
    assert (r.used_wh <= r.demand_wh + 1e-9).all()
    landed = np.arange(n)[:, None] >= np.array([p.from_index for p in placements])[None, :]
    assert (r.soc_wh[landed] >= np.broadcast_to(r.floor_wh, r.soc_wh.shape)[landed] - 1e-9).all()
    assert (r.soc_wh <= r.capacity_wh + 1e-9).all()
    assert (r.soc_wh[~landed] == 0).all() and (r.unmet_wh[~landed] == 0).all()
    # The energy in storage changes only by what is stored and by batteries landing.
    total = r.soc_wh.sum(axis=1)
    change = np.diff(np.concatenate([[0.0], total]))
    assert np.abs(change - r.stored_wh.sum(axis=1) - r.arriving_wh.sum(axis=1)).max() < 1e-6
    alone = ~r.connected
    own = np.diff(np.vstack([np.zeros((1, len(placements))), r.soc_wh]), axis=0)[:, alone]
    assert np.abs(own - r.stored_wh[:, alone] - r.arriving_wh[:, alone]).max() < 1e-6


def test_a_connected_radioisotope_unit_carries_a_battery_less_rover_through_the_night() -> None:
    alt, az, lit = _history(30)
    rover = _flat_panel_lander(id="rover", battery_wh=0.0, connects=True)
    rtg = _flat_panel_lander(
        id="rtg",
        solar_area_m2=0.0,
        solar_efficiency=0.0,
        radioisotope_w=120.0,
        battery_wh=0.0,
        connects=True,
        consumption=Consumption(operating_w=20.0, standby_w=20.0, survival_w=20.0),
    )
    times = _times(len(alt))
    alone = simulate_power([Placement("rover", rover, 0)], times, alt, az, lit)
    shared = simulate_power(
        [Placement("rover", rover, 0), Placement("rtg", rtg, 0)], times, alt, az, lit
    )
    assert alone.first_failure() is not None
    assert shared.first_failure() is None
    # 120 W − 20 W of its own leaves 100 W for the rover's 50 W survival load.
    assert shared.imported_wh[5, 0] == pytest.approx(50.0, abs=1e-9)


def test_the_battery_scan_matches_the_step_by_step_recurrence() -> None:
    # brute force: x <- min(max(x + a, low), high), step by step
    rng = np.random.default_rng(7)
    n = 1000
    a = rng.normal(0, 50, n)
    low = rng.choice([0.0, 20.0], n)
    high = low + rng.choice([0.0, 100.0, 500.0], n)
    big_a, big_l, big_h = clamp_scan(a[:, None], low[:, None], high[:, None])
    x, expected = 30.0, []
    for t in range(n):
        x = min(max(x + a[t], low[t]), high[t])
        expected.append(x)
    got = np.minimum(np.maximum(30.0 + big_a[:, 0], big_l[:, 0]), big_h[:, 0])
    assert got == pytest.approx(expected, abs=1e-9)


def test_daily_comms_counts_direct_relay_and_either_hours_per_utc_day() -> None:
    times = _times(48)
    earth = np.array([h % 2 == 0 for h in range(48)])  # every other hour
    relay = np.array([h < 6 for h in range(48)])  # the first six hours
    days = daily_comms(times, earth, relay)
    assert [(d.day.isoformat(), d.direct_h, d.relay_h, d.any_h) for d in days] == [
        ("2030-01-01", 12.0, 6.0, 15.0),
        ("2030-01-02", 12.0, 0.0, 12.0),
    ]
