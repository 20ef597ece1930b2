"""`stationplan lunar plan`: the ILRS example plans inside every rule it states; the broken
variants exit 2 naming the requirement; bad files exit 1 naming the field.

The checks recompute the Sun and Earth at the site with the Moon layer (DE421) instead of
trusting the scheduler's numbers, and read the rules from the example file itself.
"""

from __future__ import annotations

import json
import tomllib
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from cli_runner import run_cli
from stationplan.moon.base import bundled_elements
from stationplan.moon.conditions import load_horizon_mask, site_conditions
from stationplan.moon.frames import LunarSite

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
ILRS = EXAMPLES / "ilrs-2035.toml"
BROKEN = EXAMPLES / "broken" / "lunar"


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def ilrs(tmp_path_factory) -> tuple[dict, dict, Path]:
    """(the plan as JSON, the example file, the report folder) — planned once (~15 s)."""
    import sys
    from io import StringIO

    report = tmp_path_factory.mktemp("lunar") / "report"
    old_out, old_argv = sys.stdout, sys.argv
    sys.stdout = StringIO()
    sys.argv = [
        "stationplan",
        "lunar",
        "plan",
        str(ILRS),
        "--format",
        "json",
        "--report",
        str(report),
    ]
    try:
        from stationplan.cli.app import main

        try:
            main()
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        text = sys.stdout.getvalue()
    finally:
        sys.stdout, sys.argv = old_out, old_argv
    assert code == 0, text
    with ILRS.open("rb") as f:
        example = tomllib.load(f)
    return json.loads(text), example, report


def _rules(example: dict) -> dict[str, dict]:
    return {m["name"]: m for m in example["missions"]}


def _site(example: dict):
    s = example["site"]
    mask = load_horizon_mask(ILRS.parent / s["horizon_mask"])
    return LunarSite(s["lat_deg"], s["lon_deg"]), mask


def test_the_plan_json_has_the_contract_keys_for_every_mission(ilrs) -> None:
    plan, example, _ = ilrs
    assert [m["name"] for m in plan["missions"]] == [m["name"] for m in example["missions"]]
    for m in plan["missions"]:
        assert isinstance(m["crewed"], bool)
        for key in (
            "launch_utc",
            "landing_utc",
            "site_lat_deg",
            "site_lon_deg",
            "sun_alt_at_landing_deg",
        ):
            assert key in m
        assert (m["landing_utc"] is None) == (
            _rules(example)[m["name"]].get("lands", True) is False
        )


def test_every_mission_launches_inside_its_published_launch_dates(ilrs) -> None:
    plan, example, _ = ilrs
    rules = _rules(example)
    for m in plan["missions"]:
        first, last = rules[m["name"]]["launch"]
        assert first <= _utc(m["launch_utc"]).date() <= last, m["name"]


def test_every_landing_has_the_sun_inside_its_band_recomputed_from_de421(ilrs) -> None:
    plan, example, _ = ilrs
    site, mask = _site(example)
    rules = _rules(example)
    landers = [m for m in plan["missions"] if m["landing_utc"] is not None]
    cond = site_conditions(site, [_utc(m["landing_utc"]) for m in landers], mask=mask, relay=None)
    for m, alt, lit in zip(landers, cond.sun_alt_deg, cond.sun_lit, strict=True):
        lo, hi = rules[m["name"]]["landing_sun_deg"]
        assert lit and lo <= alt <= hi, (m["name"], alt)
        # the reported elevation is the recomputed one (to 0.001 deg, the JSON rounding)
        assert m["sun_alt_at_landing_deg"] == pytest.approx(alt, abs=1e-3)


def _ready_utc(plan: dict, example: dict, capability: str, before: str) -> list[datetime]:
    """When each element with ``capability`` delivered by another mission starts working."""
    elements = bundled_elements()
    out = []
    for m in plan["missions"]:
        if m["name"] == before:
            continue
        for eid in m["elements"]:
            e = elements[eid]
            if capability in e.capabilities:
                at = _utc(m["landing_utc"] if e.surface else m["arrival_utc"])
                out.append(at + timedelta(hours=e.commissioning_h))
    return out


def test_crews_land_only_after_a_power_unit_and_a_relay_are_working(ilrs) -> None:
    plan, example, _ = ilrs
    rules = _rules(example)
    crewed = [m for m in plan["missions"] if m["crewed"] and m["landing_utc"]]
    assert len(crewed) == 2
    for m in crewed:
        assert {"power", "comms-relay"} <= set(rules[m["name"]]["requires"])
        for capability in ("power", "comms-relay"):
            ready = _ready_utc(plan, example, capability, m["name"])
            assert ready and min(ready) <= _utc(m["landing_utc"]), (m["name"], capability)


def test_crew_stays_are_in_daylight_with_earth_or_relay_contact_every_hour(ilrs) -> None:
    plan, example, _ = ilrs
    site, mask = _site(example)
    rules = _rules(example)
    for m in (m for m in plan["missions"] if m["crewed"] and m["landing_utc"]):
        lo, hi = rules[m["name"]]["stay_h"]
        assert lo <= m["stay_h"] <= hi
        landing = _utc(m["landing_utc"])
        hours = [landing + timedelta(hours=i) for i in range(int(m["stay_h"]))]
        cond = site_conditions(site, hours, mask=mask, relay=None)
        assert cond.sun_lit.all(), m["name"]
        reported = plan["stay_hours"][m["name"]]
        assert [_utc(h["utc"]) for h in reported] == hours
        relay = np.array([h["relay_visible"] for h in reported])
        assert (cond.earth_visible | relay).all(), m["name"]
        assert _utc(m["liftoff_utc"]) == landing + timedelta(hours=m["stay_h"])


def test_each_mengzhou_arrives_within_the_waiting_lanyues_loiter_limit(ilrs) -> None:
    plan, example, _ = ilrs
    rules = _rules(example)
    by_name = {m["name"]: m for m in plan["missions"]}
    pairs = [(n, r) for n, r in rules.items() if "rendezvous_with" in r]
    assert len(pairs) == 2
    for name, r in pairs:
        lander, partner = by_name[name], by_name[r["rendezvous_with"]]
        wait_h = (_utc(partner["arrival_utc"]) - _utc(lander["arrival_utc"])) / timedelta(hours=1)
        assert 0 <= wait_h <= r["loiter_limit_h"]
        landing_after_h = (_utc(lander["landing_utc"]) - _utc(partner["arrival_utc"])) / timedelta(
            hours=1
        )
        assert landing_after_h >= r["docking_h"]


def test_dependencies_and_partner_seat_quotas_hold(ilrs) -> None:
    plan, example, _ = ilrs
    by_name = {m["name"]: m for m in plan["missions"]}
    for r in example["missions"]:
        for other in r.get("after", []):
            done = by_name[other]["landing_utc"] or by_name[other]["arrival_utc"]
            assert _utc(by_name[r["name"]]["launch_utc"]) >= _utc(done)
    for m in plan["missions"]:
        if m["crewed"] and m["landing_utc"]:
            assert sum(m["crew_seats"].values()) == m["crew"]
    for q in example["quotas"]:
        seats = sum(m["crew_seats"].get(q["partner"], 0) for m in plan["missions"])
        assert seats >= q.get("min_crew_seats", 0)
        flown = sum(1 for m in plan["missions"] if m["partner"] == q["partner"])
        assert flown >= q.get("min_missions", 0)


def test_the_report_has_the_gantt_the_elevation_and_battery_plots_and_the_comms_table(ilrs) -> None:
    _, _, report = ilrs
    page = (report / "report.html").read_text()
    assert page.count("<svg") == 2
    assert "battery SOC" in page and "Sun and Earth above the site" in page
    assert "Communications during crew stays" in page
    assert (report / "plan.ics").read_bytes().count(b"BEGIN:VEVENT") >= 2 * 14


@pytest.mark.parametrize(
    ("name", "phrase"),
    [
        ("crew-before-power", "Lanyue-2029 lands only after a 'power' element is working"),
        ("night-not-survived", "night survival: the shared grid (small-power-station from ILRS-1)"),
    ],
)
def test_the_broken_variants_exit_2_naming_the_requirement(capsys, name, phrase) -> None:
    code, _, err = run_cli(capsys, "lunar", "plan", str(BROKEN / f"{name}.toml"))
    assert code == 2
    assert phrase in err
    assert "\\n" not in err  # an explanation keeps real lines, never escaped ones


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            ("landing_sun_deg = [0.5, 3.0]", "landing_sun_deg = [3.0, 0.5]"),
            "missions[0].landing_sun_deg",
        ),
        (('launcher = "long-march-5"', 'launcher = "long-march-99"'), "missions[0].launcher"),
        (('"ce7-hopper"]', '"ce7-hoper"]'), "missions[0].elements[3]"),
        (("lat_deg = -88.8", "lat_deg = -98.8"), "site.lat_deg"),
        (
            ("min_soc = 0.1                 # assumption", "min_soc = 1.5"),
            "elements.small-power-station.min_soc",
        ),
        (('panel = "tracking"', 'panel = "gimballed"'), "elements.small-power-station.panel"),
        (
            ("landing_sun_deg = [0.5, 3.0]", "launch_azimuth_deg = [120.0, 90.0]"),
            "missions[0].launch_azimuth_deg",
        ),
    ],
)
def test_a_bad_campaign_file_is_one_line_naming_the_field(capsys, tmp_path, change, field) -> None:
    text = (BROKEN / "night-not-survived.toml").read_text()
    assert change[0] in text
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace(change[0], change[1], 1).replace("../../", str(EXAMPLES) + "/"))
    code, _, err = run_cli(capsys, "lunar", "plan", str(bad))
    assert code == 1
    assert f"[{field}]" in err and str(bad) in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "path",
    [
        ILRS,
        BROKEN / "crew-before-power.toml",
        BROKEN / "night-not-survived.toml",
        Path(__file__).resolve().parents[1] / "src/stationplan/data/lunar_elements.toml",
    ],
    ids=lambda p: p.name,
)
def test_every_number_in_the_lunar_data_carries_a_source_or_says_assumption(path) -> None:
    import re

    unsourced = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = re.match(r"^\s*[A-Za-z0-9_.-]+\s*=\s*(.*)$", line)
        if not match:
            continue
        value = re.sub(r'"[^"]*"', "", match.group(1).split("#")[0])
        comment = line.partition("#")[2].strip()
        if re.search(r"\d", value) and len(comment) < 8:
            unsourced.append(f"{path.name}:{number}: {line.strip()}")
    assert unsourced == []


SMALL = """
[campaign]
name = "small"
start = 2029-08-01
end = 2029-12-31

[site]
name = "Shackleton rim (tentative)"
lat_deg = -88.8
lon_deg = 123.4

[launch_sites.wenchang]
separation_h = {separation_h}

[[missions]]
name = "Lanyue-X"
vehicle = "Lanyue"
launcher = "long-march-10"
launch_site = "wenchang"
partner = "CMSA"
launch = [2029-09-01, 2029-09-20]
elements = ["lanyue"]
crew = {crew}
crew_partners = ["CMSA", "ESA"]
stay_h = [12.0, 48.0]
stay_comms = false
orbit_h = [6.0, 120.0]
landing_sun_deg = [0.5, 3.0]
rendezvous_with = "Mengzhou-X"
loiter_limit_h = {loiter_h}

[[missions]]
name = "Mengzhou-X"
vehicle = "Mengzhou"
launcher = "long-march-10"
launch_site = "wenchang"
partner = "CMSA"
launch = [2029-09-01, 2029-09-25]
elements = ["mengzhou"]
lands = false
crew = 2

[[quotas]]
partner = "ESA"
min_crew_seats = {esa_seats}
"""


def _small(tmp_path: Path, **values: float) -> Path:
    path = tmp_path / "small.toml"
    path.write_text(
        SMALL.format(**({"separation_h": 48, "loiter_h": 96, "esa_seats": 1, "crew": 2} | values))
    )
    return path


def test_a_small_crewed_pair_plans_with_the_rendezvous_and_the_seats_it_asks_for(
    capsys, tmp_path
) -> None:
    code, out, err = run_cli(capsys, "lunar", "plan", str(_small(tmp_path)), "--format", "json")
    assert code == 0, err
    lander, orbiter = json.loads(out)["missions"]
    wait_h = (_utc(orbiter["arrival_utc"]) - _utc(lander["arrival_utc"])) / timedelta(hours=1)
    assert 0 <= wait_h <= 96
    assert (_utc(orbiter["launch_utc"]) - _utc(lander["launch_utc"])) >= timedelta(hours=48)
    seats = lander["crew_seats"]
    assert set(seats) == {"CMSA", "ESA"} and sum(seats.values()) == 2 and seats["ESA"] >= 1


@pytest.mark.parametrize(
    ("values", "named"),
    [
        (
            {"loiter_h": 24, "separation_h": 200},
            # the site separation against the rendezvous (its loiter limit, or the lander
            # waiting for its partner within its time in orbit: either is a minimal set)
            [
                "launches of Lanyue-X and Mengzhou-X from wenchang are at least 200 h apart",
                "Lanyue-X waits in lunar orbit for Mengzhou-X|at most 24 h apart",
                "to plan: drop the requirement|to plan: allow",
            ],
        ),
        ({"esa_seats": 3}, ["ESA gets at least 3 crew seats on landings"]),
        ({"crew": 3}, ["Lanyue-X lands 3 astronauts (its elements take 2)"]),
    ],
)
def test_requirements_that_cannot_hold_together_are_named(capsys, tmp_path, values, named) -> None:
    code, _, err = run_cli(capsys, "lunar", "plan", str(_small(tmp_path, **values)))
    assert code == 2
    for phrase in named:
        assert any(option in err for option in phrase.split("|")), phrase


def test_csv_and_ics_list_every_mission_and_its_events(capsysbinary, tmp_path) -> None:
    path = str(_small(tmp_path))
    code, out, _ = run_cli(capsysbinary, "lunar", "plan", path, "--format", "csv")
    assert code == 0
    rows = out.decode().strip().splitlines()
    assert rows[0].startswith("name,partner,vehicle") and len(rows) == 3
    assert rows[2].split(",")[9] == ""  # Mengzhou-X stays in orbit: no landing_utc
    code, data, _ = run_cli(capsysbinary, "lunar", "plan", path, "--format", "ics")
    assert code == 0
    text = data.decode()
    # Lanyue-X: launch, arrival, landing, liftoff; Mengzhou-X: launch, arrival
    assert text.count("BEGIN:VEVENT") == 6 and text.endswith("END:VCALENDAR\r\n")


def test_every_element_stays_at_or_above_its_battery_floor_through_every_night(ilrs) -> None:
    plan, _, _ = ilrs
    elements = bundled_elements()
    lows = plan["power"]["min_soc"]
    assert plan["power"]["longest_night_h"] > 24 * 7  # polar nights of over a week were met
    assert len(lows) == sum(
        1
        for m in plan["missions"]
        if m["landing_utc"]
        for e in m["elements"]
        if elements[e].surface
    )
    for key, low in lows.items():
        floor = elements[key.split("/")[1]].min_soc
        assert floor - 1e-3 <= low <= 1.0, key
    assert min(lows.values()) < 0.9  # the nights did draw the batteries down
