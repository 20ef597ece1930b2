"""Maneuver plans close on the station in an independent J2 + drag propagation."""

from __future__ import annotations

import functools
import json
from datetime import UTC, date, datetime
from importlib import resources

import numpy as np
import pytest
from sgp4.api import Satrec

from stationplan.errors import InfeasibleError
from stationplan.launch.maneuvers import (
    CHASER_BALLISTIC_M2_KG,
    STATION_BALLISTIC_M2_KG,
    apsides_km,
    density_table,
    plan_rendezvous,
    propagate_states,
    rtn_basis,
)
from stationplan.launch.rendezvous import (
    StationOrbit,
    assess_launch,
    phase_angle_deg,
    profile_windows,
    station_phasing,
)
from stationplan.launch.sites import get_site
from stationplan.launch.vehicles import load_vehicles
from stationplan.launch.windows import AscentModel, RendezvousSpec, launch_opportunities
from stationplan.orbit.decay import DensityGrid
from stationplan.orbit.elements import load_catalog
from stationplan.orbit.geometry import EARTH_RADIUS_KM, MU_KM3_S2, MeanPlaneHistory, SiteFrame
from stationplan.orbit.spaceweather import ConstantActivity, bundled_table
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
        w for w in profile_windows(vehicle, StationOrbit.at(history, start)) if w.name == profile
    )
    ok = np.flatnonzero(window.admits(phase_angle_deg(history, frame, ascent, launch)))
    assert ok.size, f"{vehicle.id} {profile}: no feasible opportunity in 200 days"
    return norad, history, frame, float(launch[ok[0]])


BUNDLED_PROFILES = [
    (vehicle_id, vehicle.default_sites[0], p.name)
    for vehicle_id, vehicle in load_vehicles().items()
    for p in vehicle.profiles
]


# -- an independent propagation: RK4, zonal gravity to J4, exponential atmosphere ----------
#
# Written apart from stationplan.launch.maneuvers (DOP853, J2 only, NRLMSIS 2.1): classical
# fixed-step Runge-Kutta 4, zonal harmonics J2-J4 (EGM96: Lemoine et al. 1998,
# NASA/TP-1998-206861) and the exponential atmosphere of Vallado 4th ed. Table 8-4.

MU = 398600.4418  # km³/s², EGM96
RE = 6378.1363  # km, EGM96
J2_EGM96, J3_EGM96, J4_EGM96 = 1.082626684e-3, -2.53265649e-6, -1.61962159e-6
OMEGA_EARTH = 7.292115e-5  # rad/s
#: Vallado Table 8-4: base altitude km, density kg/m³, scale height km.
EXPONENTIAL = np.array(
    [
        [250.0, 7.248e-11, 45.546],
        [300.0, 2.418e-11, 53.628],
        [350.0, 9.518e-12, 53.298],
        [400.0, 3.725e-12, 58.515],
        [450.0, 1.585e-12, 60.828],
        [500.0, 6.967e-13, 63.822],
    ]
)


def _zonal_acceleration(r: np.ndarray) -> np.ndarray:
    """Point mass + J2 + J3 + J4, the gradients of the zonal geopotential in Cartesian form
    (Vallado 4th ed. §8.6.1; Curtis, Orbital Mechanics, 4th ed. §10.7)."""
    x, y, z = r
    rn = float(np.sqrt(x * x + y * y + z * z))
    s = z / rn
    a_kepler = -MU * r / rn**3
    c2 = -1.5 * J2_EGM96 * MU * RE**2 / rn**5
    a_j2 = c2 * np.array([x * (1 - 5 * s**2), y * (1 - 5 * s**2), z * (3 - 5 * s**2)])
    c3 = -2.5 * J3_EGM96 * MU * RE**3 / rn**7
    a_j3 = c3 * np.array(
        [
            x * (3 * z - 7 * z**3 / rn**2),
            y * (3 * z - 7 * z**3 / rn**2),
            6 * z**2 - 7 * z**4 / rn**2 - 0.6 * rn**2,
        ]
    )
    c4 = 15.0 / 8.0 * J4_EGM96 * MU * RE**4 / rn**7
    f = 1 - 14 * s**2 + 21 * s**4
    a_j4 = c4 * np.array([x * f, y * f, z * (5 - 70.0 / 3.0 * s**2 + 21 * s**4)])
    return a_kepler + a_j2 + a_j3 + a_j4


def _exponential_density(altitude_km: float) -> float:
    row = EXPONENTIAL[max(0, np.searchsorted(EXPONENTIAL[:, 0], altitude_km, "right") - 1)]
    return float(row[1] * np.exp(-(altitude_km - row[0]) / row[2]))


def _rk4(state: np.ndarray, duration_s: float, ballistic_m2_kg: float, step_s: float = 5.0):
    def f(y: np.ndarray) -> np.ndarray:
        r, v = y[:3], y[3:]
        v_rel = v - np.cross([0.0, 0.0, OMEGA_EARTH], r)
        rho = _exponential_density(float(np.linalg.norm(r)) - RE)
        drag = -0.5e3 * ballistic_m2_kg * rho * np.linalg.norm(v_rel) * v_rel
        return np.concatenate([v, _zonal_acceleration(r) + drag])

    y = np.asarray(state, dtype=float).copy()
    for _ in range(round(duration_s / step_s)):
        k1 = f(y)
        k2 = f(y + 0.5 * step_s * k1)
        k3 = f(y + 0.5 * step_s * k2)
        k4 = f(y + step_s * k3)
        y = y + step_s / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
    return y


def _hold_drift_m(plan, station_ballistic: float, *, inertial: bool = False) -> float:
    """Chaser-to-hold-point distance (m) after 30 min of free flight, independent model."""
    chaser = np.array(plan.chaser_arrival_state)
    station = np.array(plan.station_arrival_state)
    rho_rtn = np.array(plan.hold_offset_km)
    if inertial:  # the old, wrong target: the station's inertial velocity at the hold point
        chaser = chaser.copy()
        chaser[3:] = station[3:]
    c = _rk4(chaser, 1800.0, CHASER_BALLISTIC_M2_KG)
    s = _rk4(station, 1800.0, station_ballistic)
    hold = s[:3] + rtn_basis(s[:3], s[3:]).T @ rho_rtn
    return float(np.linalg.norm(c[:3] - hold) * 1000.0)


def test_independent_gravity_matches_textbook_j2_alone():
    """The RK4 model's zonal field reduces to the J2 formula when J3 = J4 = 0 (sanity of the
    independent code against maneuvers._accelerations' J2 at one point)."""
    r = np.array([4000.0, 3000.0, 4500.0])
    rn = np.linalg.norm(r)
    z2 = (r[2] / rn) ** 2
    j2_only = -MU * r / rn**3 - 1.5 * J2_EGM96 * MU * RE**2 / rn**5 * r * np.array(
        [1 - 5 * z2, 1 - 5 * z2, 3 - 5 * z2]
    )
    full = _zonal_acceleration(r)
    assert np.linalg.norm(full - j2_only) < 5e-3 * np.linalg.norm(j2_only - (-MU * r / rn**3))


@functools.cache
def _window_launch(vehicle_id: str, site_id: str, profile: str):
    """The first launch ``profile``'s phase window admits after the bundled element sets, its
    assessment and the earliest, nominal and latest docking (hours) its limits allow there.

    The docking window comes from the profile's limits at that launch's phase angle
    (``assessment.windows``), the same numbers ``feasible_profiles`` reports, so a profile
    outside its introduced/retired dates (Shenzhou 3.5 h, first flown 31 Oct 2025, after the
    bundled element sets; the retired Shenzhou 2-day, Tianzhou 8 h and Progress 4-orbit) is
    planned by name like the others. Cached: the three dockings share one launch search."""
    vehicle = load_vehicles()[vehicle_id].at_site(site_id)
    norad, history, frame, launch_jd = _first_feasible_launch(vehicle, site_id, profile)
    assessment = assess_launch(history, frame, vehicle, launch_jd, profile=profile)
    window = next(w for w in assessment.windows if w.name == profile)
    docking = window.docking(assessment.phase_angle_deg)
    assert bool(docking.feasible), f"{vehicle_id} {profile}: the window does not admit its launch"
    hours = {
        "earliest": float(docking.earliest_h),
        "nominal": float(docking.nominal_h),
        "latest": float(docking.latest_h),
    }
    return vehicle, norad, history, frame, launch_jd, assessment, hours


def _plans_at_the_window(vehicle_id, site_id, profile, only=("earliest", "nominal", "latest")):
    """Plans of ``profile`` at the first launch its phase window admits, at the earliest,
    nominal and latest docking its limits allow (those named in ``only``)."""
    vehicle, norad, history, frame, launch_jd, assessment, hours = _window_launch(
        vehicle_id, site_id, profile
    )
    for when in only:
        plan = plan_rendezvous(
            history, frame, vehicle, launch_jd, profile=profile, norad_id=norad,
            assessment=assessment, duration_h=hours[when],
        )  # fmt: skip
        yield when, norad, plan


DOCKINGS = ("earliest", "nominal", "latest")
PROFILE_DOCKINGS = [
    pytest.param(vehicle_id, site_id, profile, when, id=f"{vehicle_id}-{profile}-{when}")
    for vehicle_id, site_id, profile in BUNDLED_PROFILES
    for when in DOCKINGS
]


@pytest.mark.parametrize(("vehicle_id", "site_id", "profile", "when"), PROFILE_DOCKINGS)
def test_every_profile_reaches_the_hold_point_cheaply_and_stays_there(
    vehicle_id, site_id, profile, when
):
    """Issue 16: at earliest, nominal and latest docking — every profile, the 2-day, Dragon,
    Cygnus and 4-day HTV-X ones included — the plan ends at the hold point and stays within
    100 m of it for 30 min in the independent propagation; total Δv within 1.3 × (Hohmann +
    the plane change the geometry requires); no radial burn above 10 % of the total."""
    _, norad, plan = next(_plans_at_the_window(vehicle_id, site_id, profile, (when,)))
    label = (
        f"{vehicle_id} {profile} {when}: hold error {plan.hold_error_km * 1e3:.1f} m, "
        + ", ".join(f"{b.label} {b.dv_rtn_m_s}" for b in plan.burns)
    )
    assert plan.hold_error_km <= 0.05, label
    # The bound counts the plane change the geometry requires (computed apart from the plan),
    # not the plane burns the plan flies, so a wasteful plane burn cannot loosen it.
    bound = 1.3 * (plan.hohmann_dv_m_s + plan.required_plane_change_dv_m_s)
    assert plan.total_dv_m_s <= bound, (label, plan.total_dv_m_s, bound)
    assert max(abs(b.dv_rtn_m_s[0]) for b in plan.burns) <= 0.1 * plan.total_dv_m_s, label
    station_b = STATION_BALLISTIC_M2_KG.get(norad, 0.01)
    assert _hold_drift_m(plan, station_b) <= 100.0, label
    times = [b.time_utc for b in plan.burns]
    assert times == sorted(times)
    assert plan.docking_utc > plan.arrival_utc


def test_the_required_plane_change_is_the_tilt_between_the_planes():
    """The required plane change is computed from the geometry alone: a chaser put into the
    station's plane tilted by 0.2° about its own position vector (a pure inclination change at
    that point, brute-force rotation of the state), over a flight short enough for the node
    drift to be negligible, needs Δi = 0.2° and Δv = 2 v sin(Δi/2) (Vallado 4th ed. eq. 6-22)
    at the station's circular speed; untilted, it needs (almost) none."""
    from stationplan.launch.maneuvers import mean_planes, required_plane_change
    from stationplan.launch.rendezvous import latitude_rate_rad_s

    altitude, incl = 400.0, np.radians(51.6)
    a = EARTH_RADIUS_KM + altitude
    v = np.sqrt(MU_KM3_S2 / a)
    station = np.array([a, 0.0, 0.0, 0.0, v * np.cos(incl), v * np.sin(incl)])
    r, vel = station[:3], station[3:]
    axis = r / np.linalg.norm(r)
    tilt = np.radians(0.2)
    # Rodrigues rotation of the velocity about the radius: the plane turns by the tilt.
    turned = (
        vel * np.cos(tilt)
        + np.cross(axis, vel) * np.sin(tilt)
        + axis * (axis @ vel) * (1 - np.cos(tilt))
    )
    chaser = np.concatenate([r, turned])
    rate = float(latitude_rate_rad_s(altitude, incl))
    di, dv = required_plane_change(
        mean_planes(chaser, station, rate, altitude, incl), 60.0, altitude
    )
    assert di == pytest.approx(0.2, abs=0.002)
    assert dv == pytest.approx(2e3 * v * np.sin(tilt / 2), rel=0.01)
    di0, dv0 = required_plane_change(
        mean_planes(station.copy(), station, rate, altitude, incl), 60.0, altitude
    )
    assert di0 < 1e-4 and dv0 < 0.02


def test_matching_only_the_stations_inertial_velocity_is_no_hold():
    """Negative control: without ω × ρ the chaser drifts hundreds of metres in 30 min, so the
    hold test above can fail."""
    vehicle_id, site_id, profile = "soyuz-ms", "baikonur", "2-orbit"
    _, norad, plan = next(_plans_at_the_window(vehicle_id, site_id, profile))
    station_b = STATION_BALLISTIC_M2_KG[norad]
    assert _hold_drift_m(plan, station_b) <= 100.0
    assert _hold_drift_m(plan, station_b, inertial=True) > 1000.0


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
    altitude, log_rho = density_table(jd_to_datetime(2459580.5), ConstantActivity(150.0, 15.0))
    rho_400 = np.exp(np.interp(400.0, altitude, log_rho))
    assert 1.5e-12 < rho_400 < 8e-12


def test_planner_drag_uses_the_weather_of_its_epoch():
    """The bundled space weather drives the planner's density: the geomagnetic storm of
    10-11 May 2024 (NOAA SWPC: the first G5 storm since 2003, Ap 271 on 11 May) more than
    doubles it at 400 km against the quiet days a week earlier."""
    quiet = density_table(datetime(2024, 5, 3, tzinfo=UTC), span_h=24.0, inclination_deg=41.5)
    storm = density_table(datetime(2024, 5, 11, tzinfo=UTC), span_h=24.0, inclination_deg=41.5)
    rho = [np.exp(np.interp(400.0, *table)) for table in (quiet, storm)]
    assert rho[1] > 2.0 * rho[0]


@pytest.mark.parametrize("day", [date(2022, 3, 1), date(2024, 5, 11)])
def test_planner_drag_agrees_with_the_decay_model(day):
    """Same indices, same NRLMSIS, same geodetic heights as orbit/decay.py: the day-mean
    density of the planner times King-Hele's co-rotation factor F = (1 − r ω cos i / v)²
    matches decay.DensityGrid's <ρF> at 400 km to within 10 % (they sample the orbit
    differently: a latitude/longitude grid here, points along the orbit there)."""
    incl = 41.5
    table = density_table(datetime(day.year, day.month, day.day, tzinfo=UTC), span_h=24.0,
                          inclination_deg=incl)  # fmt: skip
    a = EARTH_RADIUS_KM + 400.0
    factor = (1 - a * OMEGA_EARTH * np.cos(np.radians(incl)) / np.sqrt(MU_KM3_S2 / a)) ** 2
    grid = DensityGrid(day, 1, incl, 0.0, bundled_table())
    assert np.exp(np.interp(400.0, *table)) * factor == pytest.approx(
        grid.rho_f_at(0, 400.0), rel=0.10
    )


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
    """Apply the computed altitude change to the station's element set over the lead time —
    as a mean-anomaly shift (the faster mean motion) and a node shift (the J2 regression of
    the new altitude) — find the in-plane launch again and recompute the phase angle with
    SGP4: it lands in the window. Without the node term (the old estimate) it misses by
    several degrees (−3 % of the shift), so the brute force can tell the two apart."""
    vehicle = load_vehicles()["soyuz-ms"]
    _, satrecs = _station("baikonur")
    history = MeanPlaneHistory.from_satrecs(satrecs)
    frame = SiteFrame.from_site(get_site("baikonur"))
    start = float(history.epoch_jd[0])
    ascent = AscentModel.from_vehicle(vehicle)
    spec = RendezvousSpec.for_vehicle(vehicle)
    search = launch_opportunities(satrecs, frame, ascent, spec, start, start + 3.0)
    launch_jd = search.opportunities[3].launch_jd
    before = assess_launch(history, frame, vehicle, launch_jd)
    lead_days = 20.0
    phasing = station_phasing(before, "2-orbit", lead_days, before.station_altitude_km)
    assert abs(phasing.phase_shift_deg) > 90.0  # large enough for the node term to show
    original = satrecs[0]
    a = EARTH_RADIUS_KM + before.station_altitude_km
    n = np.sqrt(MU_KM3_S2 / a**3)
    lead_s = lead_days * 86400.0
    delta_n = -1.5 * n / a * phasing.altitude_change_km  # rad/s
    # SGP4's own secular node rate (rad/min), scaled as a^-3.5 (Vallado eq. 9-41).
    delta_node = -3.5 * original.nodedot / 60.0 * phasing.altitude_change_km / a * lead_s

    def phase_after(node_shift: float) -> tuple[float, float]:
        shifted = Satrec()
        shifted.sgp4init(
            2, "i", original.satnum, original.jdsatepoch + original.jdsatepochF - 2433281.5,
            original.bstar, original.ndot, original.nddot, original.ecco, original.argpo,
            original.inclo, original.mo + delta_n * lead_s, original.no_kozai,
            original.nodeo + node_shift,
        )  # fmt: skip
        again = launch_opportunities([shifted], frame, ascent, spec, launch_jd - 0.05,
                                     launch_jd + 0.05).opportunities  # fmt: skip
        new_launch = min(again, key=lambda o: abs(o.launch_jd - launch_jd)).launch_jd
        after = assess_launch([shifted], frame, vehicle, new_launch)
        return after.phase_angle_deg, (new_launch - launch_jd) * 86400.0

    phase, shift_s = phase_after(delta_node)
    assert phase == pytest.approx(phasing.target_phase_deg, abs=0.5)
    assert shift_s == pytest.approx(phasing.launch_shift_s, abs=5.0)
    without_node, _ = phase_after(0.0)
    assert abs(without_node - phasing.target_phase_deg) > 1.5


def _validation_tles():
    from conftest import VALIDATION

    if not VALIDATION.exists():
        return []
    tles = json.loads(VALIDATION.read_text())["tles"]
    return [pytest.param(t, id=f"{t['norad']}-{t['epoch_utc'][:10]}") for t in tles[::5]]


@pytest.mark.parametrize("tle", _validation_tles())
def test_planner_station_propagation_follows_sgp4_over_two_days(tle):
    """Issue 16: the planner propagates the station numerically (J2 + NRLMSIS drag) from its
    SGP4 state; against SGP4 itself from real element sets (shared validation data) the two
    stay within 2 km radially and cross-track and within 10 km along-track after a day, 30 km
    after two (measured: at most 7 and 21 km; 21 km is 0.18° of phase, against windows
    several degrees wide), so the station's phasing in the plan is the one SGP4 predicts."""
    satrec = Satrec.twoline2rv(tle["line1"], tle["line2"])
    error, r, v = satrec.sgp4(satrec.jdsatepoch, satrec.jdsatepochF)
    assert error == 0
    norad = int(tle["norad"])
    table = density_table(
        jd_to_datetime(satrec.jdsatepoch + satrec.jdsatepochF),
        span_h=48.0,
        inclination_deg=float(np.degrees(satrec.inclo)),
    )
    ballistic = np.array([STATION_BALLISTIC_M2_KG[norad]])
    state = np.array([*r, *v])
    for hours, along_km in ((24.0, 10.0), (48.0, 30.0)):
        numeric = propagate_states(state, hours * 3600.0, ballistic, table)[0]
        error, r_ref, v_ref = satrec.sgp4(satrec.jdsatepoch, satrec.jdsatepochF + hours / 24.0)
        rtn = rtn_basis(np.array(r_ref), np.array(v_ref)) @ (numeric[:3] - np.array(r_ref))
        assert abs(rtn[0]) < 2.0 and abs(rtn[2]) < 2.0, (hours, rtn)
        assert abs(rtn[1]) < along_km, (hours, rtn)


def test_the_scalar_and_vectorised_force_models_agree_below_above_and_inside_the_density_table():
    """The planner uses a scalar force model for a few stacked states and NumPy's for many;
    both must give the same accelerations, the log-linear density clamped at the table's
    ends as ``np.interp`` does (states at 80 km, 300–700 km and 1,200 km altitude)."""
    from stationplan.launch import maneuvers

    rng = np.random.default_rng(16)
    table = (np.array([100.0, 200.0, 400.0, 1000.0]), np.log([5e-7, 2.5e-10, 3e-12, 3e-15]))
    radii = RE + np.array([80.0, 300.0, 450.0, 700.0, 1200.0])
    directions = rng.normal(size=(5, 3))
    r = directions / np.linalg.norm(directions, axis=1)[:, None] * radii[:, None]
    v = np.cross(r, rng.normal(size=(5, 3)))
    v *= (np.sqrt(MU / radii) / np.linalg.norm(v, axis=1))[:, None]
    states = np.hstack([r, v])
    ballistic = np.array([0.01, 0.005, 0.02, 0.01, 0.003])
    vectorised = maneuvers._accelerations(states, ballistic, table)
    for i in range(len(states)):
        scalar = maneuvers._acceleration_one(
            states[i].tolist(), float(ballistic[i]), table[0].tolist(), table[1].tolist()
        )
        np.testing.assert_allclose(scalar, vectorised[i], rtol=1e-12, atol=1e-18)
