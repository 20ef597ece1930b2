"""Station model: the bundled CSS and ISS files against published facts (FACTS.md)."""

from __future__ import annotations

import json

import pytest

from stationplan.errors import InputError
from stationplan.launch.vehicles import get_vehicle
from stationplan.station.model import get_station, load_station

# Port names of the validation file ("Tianhe aft", "Tianhe radial (nadir)", ...) -> CSS port ids.
VALIDATION_PORTS = {
    "Tianhe aft": "aft",
    "Tianhe forward": "forward",
    "Tianhe radial (nadir)": "nadir",
}


def test_css_has_the_published_tianhe_ports_and_no_zenith_docking_port():
    # FACTS.md: node ports forward, nadir, port, starboard; zenith is an EVA hatch; aft on Tianhe.
    css = get_station("css")
    assert {p.id for p in css.ports} == {"forward", "nadir", "port", "starboard", "aft"}
    assert set(css.node.ports) == {"forward", "nadir", "port", "starboard"}


def test_css_crew_capacity_is_three_nominal_and_six_at_handover():
    css = get_station("css")  # FACTS.md: "Crew: 3 nominal, 6 during handover"
    assert (css.crew_nominal, css.crew_handover) == (3, 6)


def test_css_node_takes_three_short_stay_or_two_long_stay_vehicles():
    # FACTS.md: "The node takes up to 3 spacecraft for short stays or 2 for long stays".
    node = get_station("css").node
    short, long = node.weight(1.0), node.weight(180.0)
    assert 3 * short <= node.capacity < 4 * short
    assert 2 * long <= node.capacity < 3 * long


def test_lab_modules_dock_forward_and_reach_the_lateral_berths_only_by_transposition():
    css = get_station("css")
    lab = get_vehicle("lab-module")
    assert css.docking_ports(lab) == ("forward",)  # FACTS.md: dock first at the forward port
    assert set(css.berths(lab)) == {"port", "starboard"}
    assert css.transposition_h == pytest.approx(1.0)  # FACTS.md: "in ~1 h"


def test_shenzhou_docks_forward_or_nadir_and_tianzhou_at_the_aft_port():
    css = get_station("css")
    assert set(css.docking_ports(get_vehicle("shenzhou"))) == {"forward", "nadir"}  # FACTS.md
    assert "aft" in css.docking_ports(get_vehicle("tianzhou"))
    assert "aft" not in css.docking_ports(get_vehicle("shenzhou"))
    assert css.max_stay("shenzhou") == 183  # FACTS.md: up to 183 days docked


@pytest.mark.validation
def test_every_real_css_docking_of_2021_2022_used_a_port_that_takes_its_vehicle(validation_path):
    css = get_station("css")
    launches = json.loads(validation_path.read_text())["launches"]
    checked = 0
    for launch in launches:
        if launch["station"] != "CSS":
            continue
        port = next(v for k, v in VALIDATION_PORTS.items() if launch["port"].startswith(k))
        assert port in css.docking_ports(get_vehicle(launch["vehicle_id"])), launch["mission"]
        checked += 1
    assert checked == 10


def test_iss_takes_soyuz_at_russian_ports_and_dragon_at_the_docking_adapters():
    iss = get_station("iss")
    assert "zvezda-aft" in iss.docking_ports(get_vehicle("soyuz-ms"))
    assert "harmony-forward" in iss.docking_ports(get_vehicle("crew-dragon"))
    assert "harmony-forward" not in iss.docking_ports(get_vehicle("soyuz-ms"))
    assert iss.crew_handover >= iss.crew_nominal


def test_unknown_station_lists_the_bundled_ones():
    with pytest.raises(InputError, match="css, iss"):
        get_station("mir")


def test_a_port_on_an_unknown_module_names_the_file_and_problem(tmp_path):
    text = (get_station_file("css")).replace(
        'module = "tianhe"\naccepts = ["cargo"]', 'module = "nowhere"\naccepts = ["cargo"]'
    )
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(InputError, match="unknown module 'nowhere'") as info:
        load_station(path)
    assert info.value.path == str(path)


def test_a_wrong_type_in_a_station_file_names_the_key(tmp_path):
    text = get_station_file("css").replace("crew_nominal = 3", 'crew_nominal = "three"')
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        load_station(path)
    assert info.value.field == "station.crew_nominal"


def get_station_file(station_id: str) -> str:
    from importlib import resources

    return (resources.files("stationplan") / "data" / "stations" / f"{station_id}.toml").read_text()
