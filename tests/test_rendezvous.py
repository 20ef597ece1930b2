"""Rendezvous feasibility checked against real launches and the admissible phase ranges."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from stationplan.launch.rendezvous import (
    assess_launch,
    phase_angle_deg,
    profile_windows,
    station_mean_motion_rad_s,
)
from stationplan.launch.sites import get_site
from stationplan.launch.validation import check_all_rendezvous, load_validation
from stationplan.launch.vehicles import get_vehicle, load_vehicles
from stationplan.launch.windows import AscentModel, RendezvousSpec, launch_opportunities
from stationplan.orbit.elements import load_catalog
from stationplan.orbit.geometry import EARTH_RADIUS_KM, MU_KM3_S2, MeanPlaneHistory, SiteFrame

BUNDLED = load_catalog(
    __import__("importlib.resources").resources.files("stationplan") / "data" / "stations.tle"
)


def _station_for(site_id: str) -> int:
    return 48274 if site_id in ("jiuquan", "wenchang") else 25544


def _opportunity_phases(satrecs, site_id: str, vehicle, days: float = 60.0, before=False):
    """Phase angles at every in-plane opportunity in ``days`` after (or before) the first epoch."""
    history = MeanPlaneHistory.from_satrecs(satrecs)
    frame = SiteFrame.from_site(get_site(site_id))
    ascent = AscentModel.from_vehicle(vehicle)
    start = float(history.epoch_jd[0]) - (days if before else 0.0)
    search = launch_opportunities(
        satrecs, frame, ascent, RendezvousSpec.for_vehicle(vehicle), start, start + days
    )
    jd = np.array([o.launch_jd for o in search.opportunities])
    return history, phase_angle_deg(history, frame, ascent, jd), start


# -- against history -------------------------------------------------------------------


@pytest.fixture(scope="module")
def rendezvous_checks(validation_path):
    return check_all_rendezvous(load_validation(validation_path), max_element_age_days=7.0)


@pytest.mark.validation
def test_flown_profile_is_feasible_and_docking_is_on_time_for_nine_launches_in_ten(
    rendezvous_checks,
):
    assert len(rendezvous_checks) >= 20
    passed = [c for c in rendezvous_checks if c.passed]
    failed = [c.launch.mission for c in rendezvous_checks if not c.passed]
    assert len(passed) >= 0.9 * len(rendezvous_checks), failed


@pytest.mark.validation
def test_soyuz_fast_rendezvous_docks_within_ten_minutes_of_history(rendezvous_checks):
    soyuz = [c for c in rendezvous_checks if c.flown_profile == "2-orbit"]
    assert len(soyuz) >= 4
    for c in soyuz:
        assert c.flown_feasible, c.launch.mission
        assert abs(c.docking_error_min) <= 10.0, c.launch.mission


@pytest.mark.validation
def test_profiles_are_specific_over_sixty_days_of_opportunities(validation_path):
    """Share of opportunities each profile admits ≈ its range / 360° (within ×1.5).

    The phase at successive opportunities is quasi-random, so a narrow range (6° ≈ 2 of
    120 opportunities in 60 days) needs many spans: the share is pooled over the 60 days
    before and after each real element set of the station in the validation file.
    """
    data = load_validation(validation_path)
    for vehicle_id, vehicle in load_vehicles().items():
        site_id = vehicle.default_sites[0]
        v = vehicle.at_site(site_id)
        admitted = np.zeros(len(v.profiles))
        expected = np.zeros(len(v.profiles))
        total = 0
        spans = itertools.product(data.station_elements[_station_for(site_id)], (False, True))
        for satrec, before in spans:
            history, theta, start = _opportunity_phases([satrec], site_id, v, before=before)
            windows = profile_windows(v, station_mean_motion_rad_s(history, start))
            admitted += [np.count_nonzero(w.admits(theta)) for w in windows]
            expected += [theta.size * w.range_deg / 360.0 for w in windows]
            total += theta.size
        assert total > 600, vehicle_id
        ratio = admitted / expected
        names = [p.name for p in v.profiles]
        assert np.all((ratio > 1 / 1.5) & (ratio < 1.5)), (
            vehicle_id,
            dict(zip(names, ratio, strict=True)),
        )


def test_wide_profiles_are_specific_on_the_bundled_elements():
    """Without the validation data: profiles of ≥ 20° over 60 days from the bundled sets."""
    for vehicle_id in ("crew-dragon", "progress-ms", "cygnus", "lab-module", "shenzhou"):
        vehicle = get_vehicle(vehicle_id)
        site_id = vehicle.default_sites[0]
        satrecs = [e.satrec for e in BUNDLED.history(_station_for(site_id))]
        history, theta, start = _opportunity_phases(satrecs, site_id, vehicle)
        for w in profile_windows(vehicle, station_mean_motion_rad_s(history, start)):
            if w.range_deg < 20.0:
                continue
            ratio = np.mean(w.admits(theta)) / (w.range_deg / 360.0)
            assert 1 / 1.5 < ratio < 1.5, (vehicle_id, w.name, ratio)


# -- physics -----------------------------------------------------------------------------


def test_window_centre_is_the_catch_up_from_keplers_third_law():
    vehicle = get_vehicle("soyuz-ms")
    n_station = np.sqrt(MU_KM3_S2 / (EARTH_RADIUS_KM + 415.0) ** 3)
    for profile, window in zip(vehicle.profiles, profile_windows(vehicle, n_station), strict=True):
        a = EARTH_RADIUS_KM + profile.phasing_altitude_km
        period_chaser_s = 2 * np.pi * np.sqrt(a**3 / MU_KM3_S2)
        period_station_s = 2 * np.pi / n_station
        phasing_s = profile.duration_h * 3600.0 - vehicle.ascent_s
        laps = phasing_s / period_chaser_s - phasing_s / period_station_s
        assert window.centre_deg == pytest.approx(360.0 * laps, rel=1e-9)


def test_phase_angle_falls_by_the_earths_turn_between_two_launch_days():
    """A day later the pad is back (sidereally) ~1° further east, the station has made
    15.5 laps: the phase changes by the station's fractional lap less the pad's extra turn."""
    vehicle = get_vehicle("soyuz-ms")
    satrec = BUNDLED.history(25544)[0].satrec
    history = MeanPlaneHistory.from_satrecs([satrec])
    frame = SiteFrame.from_site(get_site("baikonur"))
    ascent = AscentModel.from_vehicle(vehicle)
    t0 = float(history.epoch_jd[0])
    sidereal_day = 0.99726957
    theta = phase_angle_deg(history, frame, ascent, np.array([t0, t0 + sidereal_day]))
    # Station's in-plane motion over one sidereal day from SGP4's mean motion and the
    # argument-of-perigee and mean-anomaly rates (secular theory).
    rate_rad_min = satrec.no_kozai + satrec.argpdot + satrec.mdot - satrec.no_kozai
    station_advance = np.degrees((satrec.mdot + satrec.argpdot) * sidereal_day * 1440.0)
    # The pad comes back to the same inertial place only up to the plane's regression; its
    # argument of latitude barely moves (< 1°) in a day, so the phase change ≈ station's.
    expected = station_advance % 360.0
    change = (theta[1] - theta[0]) % 360.0
    assert rate_rad_min > 0
    assert abs((change - expected + 180.0) % 360.0 - 180.0) < 2.0


def test_a_phase_outside_every_window_gives_no_feasible_profile_not_an_error():
    vehicle = get_vehicle("soyuz-ms")
    satrecs = [e.satrec for e in BUNDLED.history(25544)]
    history, theta, start = _opportunity_phases(satrecs, "baikonur", vehicle, days=20.0)
    windows = profile_windows(vehicle, station_mean_motion_rad_s(history, start))
    none = np.flatnonzero(~np.any([w.admits(theta) for w in windows], axis=0))
    assert none.size > 0
    search = launch_opportunities(
        satrecs,
        SiteFrame.from_site(get_site("baikonur")),
        AscentModel.from_vehicle(vehicle),
        RendezvousSpec.for_vehicle(vehicle),
        start,
        start + 20.0,
    )
    launch_jd = search.opportunities[int(none[0])].launch_jd
    result = assess_launch(history, SiteFrame.from_site(get_site("baikonur")), vehicle, launch_jd)
    assert result.feasible_profiles == ()
    assert result.selected_profile is None and result.docking_utc is None


def test_feasible_profiles_are_listed_fastest_first_with_their_docking_times():
    vehicle = get_vehicle("crew-dragon")
    satrecs = [e.satrec for e in BUNDLED.history(25544)]
    history, _, start = _opportunity_phases(satrecs, "kennedy", vehicle, days=10.0)
    frame = SiteFrame.from_site(get_site("kennedy"))
    search = launch_opportunities(
        satrecs,
        frame,
        AscentModel.from_vehicle(vehicle),
        RendezvousSpec.for_vehicle(vehicle),
        start,
        start + 10.0,
    )
    seen_two = False
    for o in search.opportunities:
        result = assess_launch(history, frame, vehicle, o.launch_jd)
        durations = [p.duration_h for p in result.feasible_profiles]
        assert durations == sorted(durations)
        for p in result.feasible_profiles:
            hours = (p.docking_utc - result.launch_utc).total_seconds() / 3600.0
            assert hours == pytest.approx(p.duration_h, abs=1e-6)
        if result.feasible_profiles:
            assert result.selected_profile == result.feasible_profiles[0].name
        seen_two |= len(durations) >= 2
    assert seen_two


def test_campaign_opportunities_need_a_feasible_profile_only_where_the_phase_is_known():
    from stationplan.launch.rendezvous import (
        PHASE_PREDICTABLE_DAYS,
        feasible_windows,
        profiled_opportunities,
    )

    vehicle = get_vehicle("soyuz-ms")
    satrecs = [e.satrec for e in BUNDLED.history(25544)]
    history = MeanPlaneHistory.from_satrecs(satrecs)
    start = float(history.epoch_jd[0])
    search = feasible_windows(
        satrecs,
        get_site("baikonur"),
        vehicle,
        RendezvousSpec.for_vehicle(vehicle),
        start,
        start + 30.0,
    )
    chosen = profiled_opportunities(search.opportunities, history, vehicle)
    near = [c for c in chosen if c.phase_known]
    far = [c for c in chosen if not c.phase_known]
    assert near and far
    # Near the element set: only feasible ones, flying the fastest feasible profile.
    assert all(c.profile == c.feasible_profiles[0] for c in near)
    n_near = sum(abs(o.launch_jd - start) <= PHASE_PREDICTABLE_DAYS for o in search.opportunities)
    assert len(near) < n_near
    # Far from it: every opportunity, the default profile, with station phasing.
    assert all(c.needs_station_phasing and c.profile == "2-orbit" for c in far)
    assert len(near) + len(far) < len(search.opportunities)
    for c in chosen:
        hours = (c.docking_jd - c.opportunity.launch_jd) * 24.0
        assert hours == pytest.approx(vehicle.profile(c.profile).duration_h)
