"""Campaign files: the bundled examples load; malformed files name file, key and problem."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from stationplan.errors import InputError
from stationplan.orbit.elements import load_catalog
from stationplan.station.campaign import load_campaign

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
TIANGONG = EXAMPLES / "tiangong-2022.toml"
BROKEN = EXAMPLES / "broken"


def test_tiangong_2022_lists_the_six_launches_of_the_assembly_year():
    loaded = load_campaign(TIANGONG)
    # FACTS.md: "2022 assembly campaign (six launches)" in this order.
    assert [m.name for m in loaded.campaign.missions] == [
        "Tianzhou-4",
        "Shenzhou-14",
        "Wentian",
        "Mengtian",
        "Tianzhou-5",
        "Shenzhou-15",
    ]
    assert loaded.station.id == "css"
    assert loaded.sites["Wentian"] == "wenchang"
    assert loaded.vehicles["Shenzhou-15"].id == "shenzhou"


def test_tiangong_2022_preferred_dates_are_the_real_launch_times():
    # FACTS.md, "2022 assembly campaign": launch times (UTC, to the minute or second).
    real = {
        "Tianzhou-4": "2022-05-09T17:56:37",
        "Shenzhou-14": "2022-06-05T02:44:10",
        "Wentian": "2022-07-24T06:22",
        "Mengtian": "2022-10-31T07:37:23",
        "Tianzhou-5": "2022-11-12T02:03",
        "Shenzhou-15": "2022-11-29T15:08:17",
    }
    for mission in load_campaign(TIANGONG).campaign.missions:
        assert mission.launch.preferred.isoformat().startswith(real[mission.name]), mission.name


@pytest.mark.validation
def test_bundled_css_2022_elements_hold_the_real_element_sets_of_the_validation_file(
    validation_path,
):
    bundled = resources.files("stationplan") / "data" / "elements" / "css-2022.tle"
    text = bundled.read_text()
    tles = json.loads(validation_path.read_text())["tles"]
    css_2022 = [t for t in tles if t["norad"] == "48274" and t["epoch_utc"].startswith("2022")]
    assert len(css_2022) == 3
    for tle in css_2022:
        assert tle["line1"] in text and tle["line2"] in text


def test_bundled_css_2022_elements_load_without_skipped_records_and_cover_2022():
    with resources.as_file(
        resources.files("stationplan") / "data" / "elements" / "css-2022.tle"
    ) as path:
        catalog = load_catalog(path)
    history = catalog.history(48274)
    assert not catalog.skipped
    assert history[0].epoch_utc.year == history[-1].epoch_utc.year == 2022
    assert len(history) == 7


@pytest.mark.parametrize(
    ("name", "field", "reason"),
    [
        ("malformed-unknown-vehicle.toml", "missions[0].vehicle", "unknown vehicle 'tianzhou-9'"),
        ("malformed-bad-date.toml", "missions[0].launch.latest", "not an ISO 8601 date"),
        ("malformed-missing-field.toml", "missions[0].launch", "missing required key"),
        ("malformed-wrong-type.toml", "missions[0].stay_days.max", "valid number"),
    ],
)
def test_malformed_campaign_names_the_file_the_key_and_the_problem(name, field, reason):
    with pytest.raises(InputError) as info:
        load_campaign(BROKEN / name)
    assert info.value.path == str(BROKEN / name)
    assert info.value.field == field
    assert reason in info.value.reason


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    text = TIANGONG.read_text()
    assert old in text
    path = tmp_path / "campaign.toml"
    path.write_text(text.replace(old, new, 1))
    return path


def test_a_dependency_on_an_unknown_mission_is_named(tmp_path):
    path = _variant(tmp_path, 'after = ["Wentian transposed"]', 'after = ["Wentain transposed"]')
    with pytest.raises(InputError, match="unknown mission 'Wentain'") as info:
        load_campaign(path)
    assert info.value.field == "missions[3].after[0]"


def test_a_dependency_without_a_known_event_is_rejected(tmp_path):
    path = _variant(tmp_path, 'after = ["Wentian transposed"]', 'after = ["Wentian arrived"]')
    with pytest.raises(InputError, match="event one of launched, docked"):
        load_campaign(path)


def test_waiting_for_a_transposition_of_a_vehicle_that_is_never_transposed_is_rejected(tmp_path):
    path = _variant(tmp_path, 'after = ["Wentian transposed"]', 'after = ["Tianzhou-4 transposed"]')
    with pytest.raises(InputError, match="never transposed"):
        load_campaign(path)


def test_a_port_that_does_not_take_the_vehicle_is_rejected(tmp_path):
    path = _variant(tmp_path, 'ports = ["aft"]', 'ports = ["nadir"]')
    with pytest.raises(InputError, match="tianzhou cannot dock at port 'nadir'") as info:
        load_campaign(path)
    assert info.value.field == "missions[0].ports[0]"


def test_a_handover_partner_must_be_another_crew_mission(tmp_path):
    path = _variant(tmp_path, 'with = "Shenzhou-14"', 'with = "Tianzhou-5"')
    with pytest.raises(InputError, match="not another crew mission"):
        load_campaign(path)


def test_more_crew_than_seats_is_rejected(tmp_path):
    path = _variant(
        tmp_path,
        '{ name = "Cai Xuzhe", agency = "CMSA" },',
        '{ name = "Cai Xuzhe", agency = "CMSA" }, { name = "Extra", agency = "CMSA" },',
    )
    with pytest.raises(InputError, match="4 crew in Shenzhou of 3 seats"):
        load_campaign(path)


def test_a_kind_that_contradicts_the_vehicle_is_rejected(tmp_path):
    path = _variant(tmp_path, 'vehicle = "lab-module"', 'vehicle = "tianzhou"')
    with pytest.raises(InputError, match="'tianzhou' is a cargo vehicle") as info:
        load_campaign(path)
    assert info.value.field == "missions[2].kind"


def test_an_unknown_bundled_element_file_lists_the_bundled_ones(tmp_path):
    path = _variant(tmp_path, "bundled:css-2022.tle", "bundled:css-1999.tle")
    with pytest.raises(InputError, match=r"css-2022\.tle") as info:
        load_campaign(path)
    assert info.value.field == "campaign.elements"


def test_element_paths_are_relative_to_the_campaign_file(tmp_path):
    source = resources.files("stationplan") / "data" / "elements" / "css-2022.tle"
    (tmp_path / "css.tle").write_text(source.read_text())
    path = _variant(tmp_path, "bundled:css-2022.tle", "css.tle")
    assert len(load_campaign(path).elements) == 7


def test_an_element_file_without_the_station_is_rejected(tmp_path):
    iss = (
        "ISS (ZARYA)\n"
        "1 25544U 98067A   22196.51021208  .00006684  00000-0  12517-3 0  9992\n"
        "2 25544  51.6398 196.3106 0004941  13.7716  97.3744 15.49958191349577\n"
    )
    (tmp_path / "iss.tle").write_text(iss)
    path = _variant(tmp_path, "bundled:css-2022.tle", "iss.tle")
    with pytest.raises(InputError, match="NORAD 48274"):
        load_campaign(path)


def test_the_international_example_declares_partner_quotas_and_readiness():
    loaded = load_campaign(EXAMPLES / "tiangong-international.toml")
    agencies = {q.agency for q in loaded.campaign.quotas}
    assert {"Roscosmos", "SUPARCO"} <= agencies
    crew = [c for m in loaded.campaign.missions for c in m.crew]
    assert any(c.agency == "Roscosmos" and c.ready is not None for c in crew)
