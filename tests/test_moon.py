"""The Moon: DE421 geometry at lunar sites against published tables and real landings."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from stationplan.errors import InputError
from stationplan.moon.conditions import load_horizon_mask, site_conditions, sun_events
from stationplan.moon.ephemeris import moon_centred_km, skyfield_times
from stationplan.moon.frames import LunarSite, icrf_to_moon_me, topocentric_alt_az_deg
from stationplan.moon.relay import RelayOrbit, propagate_relay

LUNAR_MISSIONS = (
    Path(__file__).resolve().parents[1].parent / "shared" / "validation" / "lunar-missions.json"
)

# Apollo Lunar Surface Journal, "Sun and Earth: Altitudes and Azimuths at the Apollo Landing
# Sites" (Fjeld and Scotti, rev. 21 Sep 2009), https://www.nasa.gov/history/alsj/alsj-EarthSun_AltAz.html
# (site lat, east lon; UTC; Sun alt, az; Earth alt, az — az east of north). The Apollo 11
# Earth altitude is printed "59:43" there; read as 59.43.
ALSJ = [
    (
        "Apollo 11 landing",
        0.6875,
        23.4333,
        datetime(1969, 7, 20, 20, 17, 39, tzinfo=UTC),
        10.65,
        88.81,
        59.43,
        272.16,
    ),
    (
        "Apollo 11 EVA start",
        0.6875,
        23.4333,
        datetime(1969, 7, 21, 2, 39, 33, tzinfo=UTC),
        13.84,
        88.84,
        59.30,
        272.88,
    ),
    (
        "Apollo 11 liftoff",
        0.6875,
        23.4333,
        datetime(1969, 7, 21, 17, 54, 0, tzinfo=UTC),
        21.65,
        88.91,
        59.09,
        274.58,
    ),
    (
        "Apollo 12 landing",
        -3.1975,
        -23.3856,
        datetime(1969, 11, 19, 6, 54, 36, tzinfo=UTC),
        5.19,
        91.16,
        61.56,
        86.95,
    ),
    (
        "Apollo 12 EVA-2 start",
        -3.1975,
        -23.3856,
        datetime(1969, 11, 20, 3, 54, 45, tzinfo=UTC),
        15.79,
        90.60,
        61.48,
        89.65,
    ),
    (
        "Apollo 12 liftoff",
        -3.1975,
        -23.3856,
        datetime(1969, 11, 20, 14, 25, 47, tzinfo=UTC),
        21.11,
        90.33,
        61.48,
        90.88,
    ),
    # Apollo 15 rows of the same table, read from a public copy of it (the stored ALSJ page
    # text ends before Apollo 14); site: the LM in LROC NAC "Falcon on the Plain"
    # (wms.lroc.asu.edu/lroc_browse/view/nacr00000ad9, 26.13237 N, 3.63332 E).
    (
        "Apollo 15 EVA-2 start",
        26.13237,
        3.63332,
        datetime(1971, 8, 1, 11, 48, 49, tzinfo=UTC),
        28.89,
        105.41,
        68.52,
        205.83,
    ),
    (
        "Apollo 15 EVA-3 start",
        26.13237,
        3.63332,
        datetime(1971, 8, 2, 8, 52, 14, tzinfo=UTC),
        37.98,
        112.20,
        67.91,
        206.23,
    ),
]


def _body_fixed(when: datetime) -> tuple[np.ndarray, np.ndarray]:
    t = skyfield_times([when])
    sun, earth = moon_centred_km(t)
    rot = icrf_to_moon_me(t.tdb)
    return np.einsum("nij,jn->ni", rot, sun), np.einsum("nij,jn->ni", rot, earth)


@pytest.mark.parametrize("case", ALSJ, ids=[c[0] for c in ALSJ])
def test_sun_and_earth_at_apollo_sites_agree_with_the_surface_journal(case: tuple) -> None:
    _, lat, lon, when, sun_alt, sun_az, earth_alt, earth_az = case
    site = LunarSite(lat, lon)
    _, earth_bf = _body_fixed(when)
    conditions = site_conditions(site, [when], relay=None)
    assert abs(conditions.sun_alt_deg[0] - sun_alt) < 0.3
    assert abs(conditions.sun_az_deg[0] - sun_az) < 0.5
    # The Journal gives the Earth's direction from the Moon's centre (no topocentric parallax).
    alt_c, az_c, _ = topocentric_alt_az_deg(site, earth_bf, from_centre=True)
    assert abs(alt_c[0] - earth_alt) < 0.3
    assert abs(az_c[0] - earth_az) < 0.5
    # The project's topocentric altitude differs from it by at most the parallax R_Moon/d.
    parallax_deg = np.degrees(site.radius_km / conditions.earth_range_km[0])
    assert 0.0 < alt_c[0] - conditions.earth_alt_deg[0] <= parallax_deg + 1e-6


def test_an_equatorial_site_has_nights_of_about_half_a_synodic_month() -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    events = sun_events(LunarSite(0.6875, 23.4333), start, start + timedelta(days=90))
    # Synodic month 29.53 d: ~14.8 d of night (LUNAR.md, ESA).
    assert abs(events.longest_night_h / 24.0 - 29.53 / 2) < 0.6
    assert 0.45 < events.lit_fraction < 0.55
    assert len(events.sunrises_utc) >= 3 and len(events.sunsets_utc) >= 3


def test_sunrise_found_by_root_finding_matches_hourly_sampling() -> None:
    start = datetime(2024, 3, 1, tzinfo=UTC)
    site = LunarSite(-45.457, 177.589)
    events = sun_events(site, start, start + timedelta(days=30))
    rise = events.sunrises_utc[0]
    before_after = site_conditions(
        site, [rise - timedelta(minutes=2), rise + timedelta(minutes=2)], relay=None
    )
    assert not before_after.sun_lit[0] and before_after.sun_lit[1]


def test_real_landers_touched_down_in_sunlight() -> None:
    if not LUNAR_MISSIONS.exists():
        pytest.skip(f"validation data absent: {LUNAR_MISSIONS}")
    missions = json.loads(LUNAR_MISSIONS.read_text())["missions"]
    landings = [
        m for m in missions if m.get("landing_utc") and m.get("landing_lat_deg") is not None
    ]
    assert landings
    for mission in landings:
        when = datetime.fromisoformat(mission["landing_utc"].replace("Z", "+00:00"))
        c = site_conditions(
            LunarSite(mission["landing_lat_deg"], mission["landing_lon_deg"]), [when], relay=None
        )
        assert 0.0 < c.sun_alt_deg[0] < 45.0, mission["name"]


def test_relay_without_perturbations_returns_to_periapsis_after_one_period() -> None:
    orbit = RelayOrbit()
    grid = np.linspace(0.0, 86400.0, 8)
    far = np.tile([1e12, 1e12, 1e12], (8, 1))  # third bodies effectively at infinity
    positions = propagate_relay(orbit, np.array([0.0, 43200.0, 86400.0]), grid, far, far * 150)
    assert np.linalg.norm(positions[2] - positions[0]) < 1.0  # km, Kepler period 24 h
    assert np.linalg.norm(positions[1]) == pytest.approx(
        2 * orbit.semi_major_axis_km() - np.linalg.norm(positions[0]), rel=1e-6
    )


def test_a_latitude_beyond_the_pole_is_refused() -> None:
    with pytest.raises(InputError, match="--lat"):
        LunarSite(91.0, 0.0)


def test_dates_outside_de421_are_refused() -> None:
    with pytest.raises(InputError, match="DE421"):
        site_conditions(LunarSite(0, 0), [datetime(2060, 1, 1, tzinfo=UTC)])


def test_a_horizon_mask_as_high_as_the_zenith_hides_sun_earth_and_relay(tmp_path: Path) -> None:
    mask_file = tmp_path / "wall.csv"
    mask_file.write_text("azimuth_deg,elevation_deg\n0,89.9\n120,89.9\n240,89.9\n")
    mask = load_horizon_mask(mask_file)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    times = [start + timedelta(hours=6 * i) for i in range(120)]
    walled = site_conditions(LunarSite(0.0, 0.0), times, mask=mask)
    open_sky = site_conditions(LunarSite(0.0, 0.0), times)
    assert open_sky.sun_lit.any() and open_sky.earth_visible.all() and open_sky.relay_visible.any()
    assert (
        not walled.sun_lit.any()
        and not walled.earth_visible.any()
        and not walled.relay_visible.any()
    )
    assert walled.horizon == "horizon mask wall.csv" and open_sky.horizon == "smooth sphere"


def test_a_bad_horizon_mask_row_is_named_by_file_and_line(tmp_path: Path) -> None:
    mask_file = tmp_path / "bad.csv"
    mask_file.write_text("azimuth_deg,elevation_deg\n0,1\n90,high\n")
    with pytest.raises(InputError, match=r"bad\.csv:3"):
        load_horizon_mask(mask_file)
