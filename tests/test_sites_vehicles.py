"""Launch sites and vehicles: bundled data against FACTS.md and real 2021-2022 flights."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from stationplan.errors import InputError
from stationplan.launch.sites import Site, get_site, load_sites
from stationplan.launch.vehicles import Vehicle, get_vehicle, load_vehicles

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
FACTS_MD = SHARED / "design" / "FACTS.md"
VALIDATION_JSON = SHARED / "validation" / "station-launches-2021-2022.json"

REQUIRED_SITES = {
    "jiuquan", "wenchang", "baikonur", "vostochny",
    "kennedy", "cape-canaveral", "wallops", "tanegashima",
}  # fmt: skip
REQUIRED_VEHICLES = {
    "shenzhou", "tianzhou", "lab-module", "soyuz-ms", "progress-ms", "crew-dragon",
    "cargo-dragon", "cygnus", "starliner", "htv-x",
}  # fmt: skip


def _facts_sites() -> dict[str, tuple[float, float]]:
    """Parse FACTS.md "Sites (WGS84): Jiuquan 40.958 N 100.291 E; ..." to id -> (lat, lon)."""
    if not FACTS_MD.exists():
        pytest.skip(f"{FACTS_MD} not present")
    text = FACTS_MD.read_text(encoding="utf-8")
    assert "Sites (WGS84):" in text, "FACTS.md lost its 'Sites (WGS84):' bullet"
    # The bullet runs until the next bullet or blank line.
    bullet = re.split(r"\n\s*\n|\n- ", text[text.index("Sites (WGS84):") :], maxsplit=1)[0]
    block = " ".join(bullet.split())
    entry = re.compile(
        r"([A-Z][a-z]+(?: [A-Z][a-z]+)*)(?: [A-Z]+-\d+[A-Z]?)? (\d+\.\d+) N (\d+\.\d+) ([EW])"
    )
    found = {}
    for name, lat, lon, hemisphere in entry.findall(block):
        site_id = name.lower().replace(" ", "-")
        found[site_id] = (float(lat), float(lon) * (1.0 if hemisphere == "E" else -1.0))
    return found


def _validation_launches() -> list[dict]:
    if not VALIDATION_JSON.exists():
        pytest.skip(f"{VALIDATION_JSON} not present")
    return json.loads(VALIDATION_JSON.read_text(encoding="utf-8"))["launches"]


# -- bundled data -------------------------------------------------------------


def test_bundled_files_load_with_every_required_site_and_vehicle():
    sites = load_sites()
    vehicles = load_vehicles()
    assert set(sites) >= REQUIRED_SITES
    assert set(vehicles) >= REQUIRED_VEHICLES
    assert all(isinstance(s, Site) and s.id == key for key, s in sites.items())
    assert all(isinstance(v, Vehicle) and v.id == key for key, v in vehicles.items())


def test_bundled_loads_are_cached_but_callers_get_their_own_dict():
    first = load_vehicles()
    first.pop("shenzhou")
    assert "shenzhou" in load_vehicles()
    assert load_sites()["baikonur"] is load_sites()["baikonur"]


def test_every_vehicle_default_site_exists():
    sites = load_sites()
    for vehicle in load_vehicles().values():
        for site_id in vehicle.default_sites:
            assert site_id in sites, f"{vehicle.id}: unknown site {site_id}"


def test_every_site_matches_facts_md_within_a_hundredth_of_a_degree():
    facts = _facts_sites()
    assert set(facts) >= REQUIRED_SITES, f"FACTS.md parse found only {sorted(facts)}"
    sites = load_sites()
    for site_id, (lat_deg, lon_deg) in facts.items():
        # 0.01 deg (~1 km): FACTS.md gives three decimals; pads may be refined within a km.
        assert sites[site_id].latitude_deg == pytest.approx(lat_deg, abs=0.01), site_id
        assert sites[site_id].longitude_deg == pytest.approx(lon_deg, abs=0.01), site_id


def test_vehicle_numbers_are_physically_sane():
    for vehicle in load_vehicles().values():
        # Every published ascent to separation lies between 8 and 16 minutes.
        assert 450.0 <= vehicle.ascent_s <= 960.0, vehicle.id
        assert 150.0 <= vehicle.insertion_perigee_km <= vehicle.insertion_apogee_km <= 420.0
        assert (vehicle.crew_seats > 0) == (vehicle.kind == "crew"), vehicle.id
        for profile in vehicle.profiles:
            # The chaser phases above its insertion perigee and below the station (< 420 km).
            assert vehicle.insertion_perigee_km < profile.phasing_altitude_km < 420.0
        durations = [p.duration_h for p in vehicle.profiles]
        assert len(set(durations)) == len(durations), f"{vehicle.id}: duplicate durations"


def test_soyuz_phase_windows_are_the_published_ones():
    # FACTS.md: 2-orbit ~6 deg, 4-orbit ~22 deg, 2-day ~150 deg.
    soyuz = get_vehicle("soyuz-ms")
    assert soyuz.profile("2-orbit").phase_range_deg == 6.0
    assert soyuz.profile("4-orbit").phase_range_deg == 22.0
    # ~150 deg published; widened to the 167 deg the 2021-22 Progress flights span.
    assert 150.0 <= soyuz.profile("2-day").phase_range_deg <= 185.0


def test_default_profile_is_the_first_one():
    shenzhou = get_vehicle("shenzhou")
    assert shenzhou.profile() is shenzhou.profiles[0]
    assert shenzhou.profile().name == "6.5h"
    assert shenzhou.default_sites[0] == "jiuquan"


# -- against real flights -------------------------------------------------------


@pytest.mark.validation
def test_every_validation_launch_names_a_known_vehicle_flying_from_one_of_its_sites():
    vehicles = load_vehicles()
    sites = load_sites()
    for launch in _validation_launches():
        vehicle = vehicles.get(launch["vehicle_id"])
        assert vehicle is not None, launch["mission"]
        assert launch["site"] in sites, launch["mission"]
        assert launch["site"] in vehicle.default_sites, launch["mission"]


@pytest.mark.validation
def test_every_real_flight_lies_within_the_duration_limits_of_one_of_its_profiles():
    # The limits come from the vehicles' published plans (vehicles.toml comments); each
    # real 2021-22 flight must fit one profile's liftoff-to-docking limits.
    vehicles = load_vehicles()
    profiles_used = set()
    for launch in _validation_launches():
        vehicle = vehicles[launch["vehicle_id"]]
        hours = launch["docking_duration_h"]
        fits = [
            p for p in vehicle.profiles if p.duration_limits_h[0] <= hours <= p.duration_limits_h[1]
        ]
        assert fits, f"{launch['mission']}: {hours:.2f} h fits no profile of {vehicle.id}"
        profiles_used.update((vehicle.id, p.name) for p in fits)
    assert len(profiles_used) >= 10  # every vehicle and most profiles are exercised


# -- errors a user can cause ----------------------------------------------------


def test_unknown_site_lists_the_known_ones():
    with pytest.raises(InputError) as caught:
        get_site("foo")
    message = str(caught.value)
    assert message.startswith("unknown site 'foo'; known: ")
    assert "baikonur" in message and "wenchang" in message


def test_unknown_vehicle_lists_the_known_ones():
    with pytest.raises(InputError) as caught:
        get_vehicle("buran")
    assert "unknown vehicle 'buran'" in str(caught.value)
    assert "soyuz-ms" in str(caught.value)


def test_unknown_profile_lists_the_vehicle_profiles():
    with pytest.raises(InputError) as caught:
        get_vehicle("soyuz-ms").profile("1-orbit")
    assert "unknown profile '1-orbit' for vehicle 'soyuz-ms'; known: 2-orbit, 4-orbit, 2-day" in (
        str(caught.value)
    )


VALID_VEHICLE = """
[vehicles.shenzhou]
name = "Shenzhou"
kind = "crew"
launcher = "Long March 2F"
default_sites = ["jiuquan"]
crew_seats = 3
ascent_s = {ascent}
insertion_perigee_km = 200.0
insertion_apogee_km = 330.0

[[vehicles.shenzhou.profiles]]
name = "6.5h"
duration_h = {duration}
phasing_altitude_km = 320.0
"""


def test_a_user_vehicle_file_loads(tmp_path):
    path = tmp_path / "vehicles.toml"
    path.write_text(VALID_VEHICLE.format(ascent=575, duration=6.5))
    vehicles = load_vehicles(path)
    assert vehicles["shenzhou"].ascent_s == 575.0
    assert vehicles["shenzhou"].profile().revolutions is None


def test_negative_ascent_is_reported_with_file_and_key_path(tmp_path):
    path = tmp_path / "vehicles.toml"
    path.write_text(VALID_VEHICLE.format(ascent=-5, duration=6.5))
    with pytest.raises(InputError) as caught:
        load_vehicles(path)
    error = caught.value
    assert error.path == str(path)
    assert error.field == "vehicles.shenzhou.ascent_s"
    assert "greater than 0" in error.reason and "-5" in error.reason
    assert str(path) in str(error) and "vehicles.shenzhou.ascent_s" in str(error)


def test_bad_profile_value_is_reported_with_list_index(tmp_path):
    path = tmp_path / "vehicles.toml"
    path.write_text(VALID_VEHICLE.format(ascent=575, duration='"six"'))
    with pytest.raises(InputError) as caught:
        load_vehicles(path)
    assert caught.value.field == "vehicles.shenzhou.profiles[0].duration_h"
    assert "'six'" in caught.value.reason


def test_missing_and_unknown_keys_are_named(tmp_path):
    path = tmp_path / "sites.toml"
    path.write_text('[sites.moon-base]\nname = "Moon"\nlatitude_deg = 1.0\naltitude_m = 0.0\n')
    with pytest.raises(InputError) as caught:
        load_sites(path)
    assert caught.value.field == "sites.moon-base.longitude_deg"
    assert caught.value.reason == "missing required key"

    path.write_text(
        '[sites.x]\nname = "X"\nlatitude_deg = 1.0\nlongitude_deg = 2.0\naltitude_m = 0.0\n'
        "elevation_m = 3.0\n"
    )
    with pytest.raises(InputError) as caught:
        load_sites(path)
    assert caught.value.field == "sites.x.elevation_m"
    assert caught.value.reason == "unknown key"


def test_latitude_out_of_range_is_reported(tmp_path):
    path = tmp_path / "sites.toml"
    path.write_text('[sites.x]\nname = "X"\nlatitude_deg = 95\nlongitude_deg = 2\naltitude_m = 0\n')
    with pytest.raises(InputError) as caught:
        load_sites(path)
    assert caught.value.field == "sites.x.latitude_deg"


def test_toml_syntax_error_is_reported_with_file_and_line(tmp_path):
    path = tmp_path / "sites.toml"
    path.write_text('[sites.x]\nname = "X"\nlatitude_deg = = 1\n')
    with pytest.raises(InputError) as caught:
        load_sites(path)
    assert caught.value.path == str(path)
    assert caught.value.line == 3
    assert "not valid TOML" in caught.value.reason


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        load_vehicles(tmp_path / "nope.toml")


def test_cygnus_flies_on_antares_from_wallops_and_on_falcon_9_from_the_cape():
    cygnus = get_vehicle("cygnus")
    assert cygnus.at_site("wallops").launcher.startswith("Antares")
    assert cygnus.at_site("cape-canaveral").launcher == "Falcon 9"
    assert "cape-canaveral" in cygnus.sites
