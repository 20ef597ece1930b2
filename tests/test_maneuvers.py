"""Maneuver plans close on the station in an independent J2 + drag propagation."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest
from sgp4.api import Satrec

from stationplan.errors import InfeasibleError
from stationplan.launch.maneuvers import (
    apsides_km,
    density_table,
    plan_rendezvous,
    propagate_states,
)
from stationplan.launch.rendezvous import (
    assess_launch,
    phase_angle_deg,
    profile_windows,
    station_mean_motion_rad_s,
    station_phasing,
)
from stationplan.launch.sites import get_site
from stationplan.launch.vehicles import load_vehicles
from stationplan.launch.windows import AscentModel, RendezvousSpec, launch_opportunities
from stationplan.orbit.elements import load_catalog
from stationplan.orbit.geometry import EARTH_RADIUS_KM, MU_KM3_S2, MeanPlaneHistory, SiteFrame
from stationplan.orbit.timescale import jd_to_datetime

CATALOG = load_catalog(resources.files("stationplan") / "data" / "stations.tle")


def _station(site_id: str) -> tuple[int, list[Satrec]]:
    norad = 48274 if site_id in ("jiuquan", "wenchang") else 25544
    return norad, [e.satrec for e in CATALOG.history(norad)]


def _first_feasible_launch(vehicle, site_id: str, profile: str):
    """The first opportunity after the bundled epoch at which ``profile`` is feasible."""
    norad, satrecs = _station(site_id)
    frame = SiteFrame.from_site(get_site(site_id))
    history = MeanPlaneHistory.from_satrecs(satrecs)
    start = float(history.epoch_jd[0])
    ascent = AscentModel.from_vehicle(vehicle)
    search = launch_opportunities(
        satrecs, frame, ascent, RendezvousSpec.for_vehicle(vehicle, profile), start, start + 200.0
    )
    launch = np.array([o.launch_jd for o in search.opportunities])
    window = next(
        w
        for w in profile_windows(vehicle, station_mean_motion_rad_s(history, start))
        if w.name == profile
    )
    ok = np.flatnonzero(window.admits(phase_angle_deg(history, frame, ascent, launch)))
    assert ok.size, f"{vehicle.id} {profile}: no feasible opportunity in 200 days"
    return norad, history, frame, float(launch[ok[0]])


BUNDLED_PROFILES = [
    (vehicle_id, vehicle.default_sites[0], p.name)
    for vehicle_id, vehicle in load_vehicles().items()
    for p in vehicle.profiles
]


@pytest.mark.parametrize(("vehicle_id", "site_id", "profile"), BUNDLED_PROFILES)
def test_every_bundled_profile_closes_within_five_km(vehicle_id, site_id, profile):
    vehicle = load_vehicles()[vehicle_id].at_site(site_id)
    norad, history, frame, launch_jd = _first_feasible_launch(vehicle, site_id, profile)
    plan = plan_rendezvous(history, frame, vehicle, launch_jd, profile=profile, norad_id=norad)
    assert plan.final_distance_km <= 5.0
    assert plan.hold_error_km <= 0.5
    # Physically sensible budget: at least the Hohmann bound, and within a chaser's
    # propellant (Soyuz/Shenzhou carry ~900 kg, a few hundred m/s).
    assert plan.hohmann_dv_m_s * 0.95 <= plan.total_dv_m_s <= 600.0
    assert [b.label for b in plan.burns] == ["phasing", "transfer", "arrival"]
    times = [b.time_utc for b in plan.burns]
    assert times == sorted(times)
    assert plan.docking_utc > plan.arrival_utc


def test_j2_propagation_regresses_the_node_at_the_textbook_rate():
    """Ω̇ = −(3/2) n J2 (R/a)² cos i (Vallado eq. 9-41) from the numerical force model."""
    a = EARTH_RADIUS_KM + 400.0
    inclination = np.radians(51.6)
    speed = np.sqrt(MU_KM3_S2 / a)
    state = np.array([a, 0.0, 0.0, 0.0, speed * np.cos(inclination), speed * np.sin(inclination)])
    no_drag = (np.array([100.0]), np.array([-200.0]))  # density table: vacuum
    day = 86400.0
    end = propagate_states(
        state, day, np.array([0.0]), (np.array([0.0, 2000.0]), no_drag[1].repeat(2))
    )[0]
    h = np.cross(end[:3], end[3:])
    node = np.arctan2(h[0], -h[1])
    n = np.sqrt(MU_KM3_S2 / a**3)
    from stationplan.orbit.geometry import J2

    expected = -1.5 * n * J2 * (EARTH_RADIUS_KM / a) ** 2 * np.cos(inclination) * day
    assert node == pytest.approx(expected, rel=0.02)


def test_nrlmsis_density_at_400_km_is_in_the_published_range():
    """NRLMSIS at 400 km, F10.7 = 150: ~2–6e-12 kg/m³ (Vallado Table 8-4 gives 3.7e-12 at 400 km
    for mean activity)."""
    altitude, log_rho = density_table(jd_to_datetime(2459580.5), 150.0, 15.0)
    rho_400 = np.exp(np.interp(400.0, altitude, log_rho))
    assert 1.5e-12 < rho_400 < 8e-12


def test_apsides_of_a_hohmann_transfer_orbit():
    r1, r2 = EARTH_RADIUS_KM + 200.0, EARTH_RADIUS_KM + 400.0
    a = 0.5 * (r1 + r2)
    v = np.sqrt(MU_KM3_S2 * (2 / r1 - 1 / a))
    perigee, apogee = apsides_km(np.array([r1, 0.0, 0.0]), np.array([0.0, v, 0.0]))
    assert perigee == pytest.approx(200.0, abs=1e-6)
    assert apogee == pytest.approx(400.0, abs=1e-6)


def test_no_feasible_profile_and_none_named_is_an_infeasible_error():
    vehicle = load_vehicles()["soyuz-ms"]
    norad, satrecs = _station("baikonur")
    history = MeanPlaneHistory.from_satrecs(satrecs)
    frame = SiteFrame.from_site(get_site("baikonur"))
    start = float(history.epoch_jd[0])
    search = launch_opportunities(
        satrecs,
        frame,
        AscentModel.from_vehicle(vehicle),
        RendezvousSpec.for_vehicle(vehicle),
        start,
        start + 10.0,
    )
    for o in search.opportunities:
        if not assess_launch(history, frame, vehicle, o.launch_jd).feasible_profiles:
            with pytest.raises(InfeasibleError, match="no rendezvous profile"):
                plan_rendezvous(history, frame, vehicle, o.launch_jd, norad_id=norad)
            return
    pytest.fail("every opportunity in 10 days was feasible")


def test_station_phasing_puts_the_phase_in_the_window_by_brute_force():
    """Apply the computed altitude change as a mean-motion change of the station's element set
    over the lead time and recompute the phase angle with SGP4: it lands in the window."""
    vehicle = load_vehicles()["soyuz-ms"]
    _, satrecs = _station("baikonur")
    history = MeanPlaneHistory.from_satrecs(satrecs)
    frame = SiteFrame.from_site(get_site("baikonur"))
    start = float(history.epoch_jd[0])
    search = launch_opportunities(
        satrecs,
        frame,
        AscentModel.from_vehicle(vehicle),
        RendezvousSpec.for_vehicle(vehicle),
        start,
        start + 3.0,
    )
    launch_jd = search.opportunities[2].launch_jd
    before = assess_launch(history, frame, vehicle, launch_jd)
    lead_days = 20.0
    phasing = station_phasing(before, "2-orbit", lead_days, before.station_altitude_km)
    # The lower (faster) orbit for lead_days shifts the station's mean anomaly at launch.
    original = satrecs[0]
    a = EARTH_RADIUS_KM + before.station_altitude_km
    n = np.sqrt(MU_KM3_S2 / a**3)
    delta_n = -1.5 * n / a * phasing.altitude_change_km  # rad/s
    shifted = Satrec()
    shifted.sgp4init(
        original.whichconst if hasattr(original, "whichconst") else 2,
        "i",
        original.satnum,
        original.jdsatepoch + original.jdsatepochF - 2433281.5,
        original.bstar,
        original.ndot,
        original.nddot,
        original.ecco,
        original.argpo,
        original.inclo,
        original.mo + delta_n * lead_days * 86400.0,
        original.no_kozai,
        original.nodeo,
    )
    after = assess_launch([shifted], frame, vehicle, launch_jd)
    assert "2-orbit" in after.fallback_chain
    assert after.phase_angle_deg == pytest.approx(phasing.target_phase_deg, abs=0.5)
