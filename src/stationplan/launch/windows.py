"""In-plane launch opportunities from a launch site to a station's orbit.

The model (see docs/windows.md for the derivation and the validation table):

1. **Where the plane is aimed.** A chaser that phases below the station
   regresses faster under J2, so it is inserted into a plane whose node lies
   *east* of the station's by ΔΩ, chosen so both planes coincide at docking:

       ΔΩ = (Ω̇_s − Ω̇_c) · D,   Ω̇_c = Ω̇_s (n̄_c / n_s)^(7/3),   n̄_c = n_s + Φ / D

   where D is the phasing time (insertion to docking), n_s the station mean
   motion and Φ the phase the chaser must make up (the station's phase angle
   ahead of the chaser at insertion, plus whole revolutions as the profile
   requires). Ω̇ ∝ n^(7/3) follows from Ω̇ = −(3/2) n J2 (R/a)² cos i
   (Vallado 4th ed. eq. 9-41) with a ∝ n^(−2/3). Because ΔΩ follows from the
   actual phase angle, the lead over the bare plane crossing varies from one
   launch to the next as observed (2-day Progress flights: 120–200 s).

2. **When the plane is locked.** The launcher leaves the pad with the Earth's
   eastward velocity, whose out-of-plane part it cancels during ascent; until
   then the vehicle keeps drifting across the plane with the pad. If the
   cancellation follows the in-plane velocity gain, the drift equals that of a
   pad that kept going for τ = T − s/v seconds after liftoff, where T is the
   ascent time to orbit insertion, s the ground distance from the pad to
   insertion and v the insertion speed. The vehicle therefore lifts off τ
   before the pad crosses the aimed plane.

3. **The opportunity** is the root of g(t) = n̂_aim(t) · r̂_site(t) (a continuous
   function, refined by a root finder), less τ; the station's node comes from
   the element set whose epoch is nearest (SGP4's secular node rate), the phase
   from a full SGP4 position of the station at insertion.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sgp4.api import Satrec

from stationplan.errors import InfeasibleError, InputError
from stationplan.launch.vehicles import Vehicle
from stationplan.orbit.events import SearchSettings, bracket_sign_changes, refine_roots
from stationplan.orbit.geometry import (
    EARTH_RADIUS_KM,
    MeanPlaneHistory,
    SiteFrame,
    argument_of_latitude,
    circular_speed_km_s,
    dut1_seconds,
    inertial_azimuth_rad,
    mean_motion_rad_s,
    nodal_rate_scale,
    plane_normal,
    rotating_azimuth_deg,
    station_argument_of_latitude,
)
from stationplan.orbit.timescale import iso_utc, jd_to_datetime

#: Element sets further than this from a requested time are flagged (days).
STALE_ELEMENTS_DAYS = 14.0

TWO_PI = 2.0 * np.pi
SIDEREAL_RATE_DEG_MIN = 360.9856 / 1440.0

#: Ground distance to insertion as a fraction of (insertion speed × ascent time) for
#: launchers without a calibrated value: mean of the calibrated launchers (docs/windows.md).
DEFAULT_DOWNRANGE_FRACTION = 0.61


@dataclass(frozen=True)
class AscentModel:
    """Liftoff-to-insertion model of one launcher flying from one site.

    ``ascent_s``: liftoff to orbit insertion (engine cutoff), seconds.
    ``insertion_downrange_km``: ground distance from pad to insertion point, km.
    ``insertion_altitude_km``: altitude at insertion (for the insertion speed), km.
    """

    ascent_s: float
    insertion_downrange_km: float
    insertion_altitude_km: float = 200.0

    @classmethod
    def from_vehicle(cls, vehicle: Vehicle) -> AscentModel:
        """Ascent of ``vehicle`` (already resolved for its site with ``Vehicle.at_site``).

        Without a calibrated ``insertion_downrange_km`` the downrange distance is
        ``DEFAULT_DOWNRANGE_FRACTION`` of (insertion speed × ascent time), the mean
        ratio of the calibrated launchers (median) (see docs/windows.md).
        """
        altitude = vehicle.insertion_perigee_km
        downrange = vehicle.insertion_downrange_km
        if downrange is None:
            downrange = (
                DEFAULT_DOWNRANGE_FRACTION * circular_speed_km_s(altitude) * vehicle.ascent_s
            )
        return cls(vehicle.ascent_s, downrange, altitude)

    @property
    def plane_lock_delay_s(self) -> float:
        """τ = T − s/v: how long the vehicle keeps the pad's drift across the plane (s)."""
        return self.ascent_s - self.insertion_downrange_km / circular_speed_km_s(
            self.insertion_altitude_km
        )

    @property
    def insertion_arc_rad(self) -> float:
        """Central angle from the pad to the insertion point along the plane (rad)."""
        return self.insertion_downrange_km / EARTH_RADIUS_KM


@dataclass(frozen=True)
class RendezvousSpec:
    """Liftoff-to-docking duration and the mean phasing altitude of a rendezvous profile.

    ``phasing_altitude_km`` only decides how many whole revolutions the chaser
    makes up (the profile's nominal catch-up); the exact catch-up comes from
    the phase angle at each opportunity.
    """

    name: str
    duration_h: float
    phasing_altitude_km: float

    @classmethod
    def for_vehicle(
        cls, vehicle: Vehicle, profile: str | None = None, rendezvous_hours: float | None = None
    ) -> RendezvousSpec:
        """A named profile of ``vehicle`` (default: its first), or an explicit duration.

        With ``rendezvous_hours`` the phasing altitude is that of the vehicle's
        profile nearest in duration.
        """
        if rendezvous_hours is None:
            chosen = vehicle.profile(profile)
            return cls(chosen.name, chosen.duration_h, chosen.phasing_altitude_km)
        if not 0.5 <= rendezvous_hours <= 24.0 * 30:
            raise InputError(
                f"rendezvous duration {rendezvous_hours} h is outside 0.5–720 h",
                field="--rendezvous-hours",
            )
        nearest = min(vehicle.profiles, key=lambda p: abs(p.duration_h - rendezvous_hours))
        return cls(f"{rendezvous_hours:g}h", rendezvous_hours, nearest.phasing_altitude_km)


@dataclass(frozen=True)
class DockingTimes:
    """A feasible profile's docking window at one opportunity (UTC Julian dates):
    earliest, nominal and latest docking (docs/rendezvous.md §2)."""

    name: str
    earliest_jd: float
    nominal_jd: float
    latest_jd: float

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "docking_utc": iso_utc(jd_to_datetime(self.nominal_jd)),
            "docking_earliest_utc": iso_utc(jd_to_datetime(self.earliest_jd)),
            "docking_latest_utc": iso_utc(jd_to_datetime(self.latest_jd)),
        }


@dataclass(frozen=True)
class Opportunity:
    """One in-plane launch opportunity.

    Angles in degrees; ``out_of_plane_deg`` is the angle between the pad and
    the station's current plane at liftoff (positive on the orbit-normal
    side); ``phase_angle_deg`` is how far the station is ahead of the chaser,
    in the plane, at insertion, in [0, 360); ``catch_up_deg`` is the phase the
    profile makes up (phase angle plus whole revolutions).
    """

    launch_utc: datetime
    launch_jd: float
    pass_direction: str  # "north-east" or "south-east"
    azimuth_deg: float
    out_of_plane_deg: float
    phase_angle_deg: float
    catch_up_deg: float
    node_offset_deg: float
    plane_crossing_utc: datetime
    docking_utc: datetime
    element_epoch_utc: datetime
    element_age_days: float
    site: str
    vehicle: str
    profile: str
    #: Rendezvous profiles feasible at this opportunity's phase angle, fastest first
    #: (filled by ``stationplan.launch.rendezvous.annotate_feasibility``; empty = none feasible).
    feasible_profiles: tuple[str, ...] = ()
    #: The docking window of each feasible profile (same order as ``feasible_profiles``).
    docking_windows: tuple[DockingTimes, ...] = ()

    def as_dict(self) -> dict[str, object]:
        """JSON-ready record (ISO 8601 UTC times with a Z suffix)."""
        out: dict[str, object] = {}
        for key, value in self.__dict__.items():
            if key == "pass_direction":
                key = "pass"
            if key == "docking_windows":
                value = [w.as_dict() for w in value]
            elif isinstance(value, datetime):
                value = iso_utc(value)
            elif isinstance(value, float):
                value = round(value, 6)
            elif isinstance(value, tuple):
                value = list(value)
            out[key] = value
        return out


@dataclass(frozen=True)
class WindowSearch:
    """All opportunities in a span, and warnings worth showing the user."""

    opportunities: tuple[Opportunity, ...]
    warnings: tuple[str, ...]


def _site_plane_function(
    history: MeanPlaneHistory, site: SiteFrame, dut1_at: tuple[np.ndarray, np.ndarray]
):
    """g(t_jd, node_offset_rad) = n̂_aim(t) · r̂_site(t): signed sine of the pad's plane distance."""
    grid_jd, grid_dut1 = dut1_at

    def g(t_jd: np.ndarray, node_offset_rad: np.ndarray | float = 0.0) -> np.ndarray:
        node, inclination = history.node_and_inclination(t_jd)
        normal = plane_normal(node + node_offset_rad, inclination)
        pad = site.teme_unit(t_jd, np.interp(t_jd, grid_jd, grid_dut1))
        return np.sum(normal * pad, axis=-1)

    return g


def _catch_up(theta: np.ndarray, nominal: float, maximum: float) -> np.ndarray:
    """Phase to make up (rad): θ + 2πk nearest the profile's nominal catch-up among those the
    chaser can make, between 0 and ``maximum`` (phasing in the insertion orbit throughout).

    The two candidates around the nominal suffice: any other is farther, and infeasible
    whenever the nearer one on its side is. Opportunities with no feasible candidate are no
    rendezvous for this profile; they are aimed with the nominal catch-up.
    """
    below = theta + TWO_PI * np.floor((nominal - theta) / TWO_PI)
    above = below + TWO_PI
    ok_below = (below >= 0.0) & (below <= maximum)
    ok_above = (above >= 0.0) & (above <= maximum)
    prefer_below = ok_below & (~ok_above | (nominal - below <= above - nominal))
    return np.where(prefer_below, below, np.where(ok_above, above, nominal))


def launch_opportunities(
    station: Sequence[Satrec],
    site: SiteFrame,
    ascent: AscentModel,
    rendezvous: RendezvousSpec,
    start_jd: float,
    end_jd: float,
    *,
    site_id: str = "",
    vehicle_id: str = "",
    settings: SearchSettings | None = None,
    phase_iterations: int = 3,
) -> WindowSearch:
    """Every in-plane launch opportunity in [start_jd, end_jd] (UTC JD).

    ``station``: element sets of the station (one or many epochs; each time
    uses the nearest). Raises ``InfeasibleError`` when the site's latitude
    exceeds the station's inclination (no in-plane launch exists) and
    ``InputError`` for an empty or reversed span.
    """
    if end_jd <= start_jd:
        raise InputError("the end of the span must be after its start", field="--end")
    if not station:
        raise InputError("no element set of the station was given")
    history = MeanPlaneHistory.from_satrecs(station)
    inclination = float(np.median(history.inclination_rad))
    latitude = site.geocentric_latitude_rad
    try:
        beta = inertial_azimuth_rad(inclination, latitude)
    except ValueError:
        raise InfeasibleError(
            f"site {site_id or 'given'} at latitude {site.latitude_deg:.2f}° (geocentric "
            f"{np.degrees(latitude):.2f}°) lies outside the station's inclination "
            f"{np.degrees(inclination):.2f}°: no in-plane launch exists "
            f"(a dogleg of at least {abs(np.degrees(latitude)) - np.degrees(inclination):.2f}° "
            "would be needed)"
        ) from None

    # Sampling interval: shorter than a third of the gap between the day's two crossings.
    delta_lambda_deg = np.degrees(np.arcsin(min(1.0, np.tan(latitude) / np.tan(inclination))))
    gap_min = (180.0 - 2.0 * abs(delta_lambda_deg)) / SIDEREAL_RATE_DEG_MIN
    if settings is None:
        settings = SearchSettings(max_check_days=min(10.0, max(gap_min / 3.0, 0.5)) / 1440.0)

    tau_days = ascent.plane_lock_delay_s / 86400.0
    margin = 1.0  # days: crossings found on a padded span, then cut to [start, end]
    grid = np.arange(start_jd - margin, end_jd + margin + 1.0, 0.5)
    dut1_grid = dut1_seconds(grid)  # UT1 − UTC varies slowly: interpolate a 12-hour table
    g = _site_plane_function(history, site, (grid, dut1_grid))

    low, high, _ = bracket_sign_changes(
        g, start_jd + tau_days - 0.1, end_jd + tau_days + 0.1, settings.max_check_days
    )
    crossing = refine_roots(g, low, high, settings)
    bare_crossing = crossing.copy()

    # Phasing physics: iterate offset ↔ phase (the feedback is ~2 s per minute, so 3 passes suffice).
    nearest = history.nearest_index(crossing)
    n_station = history.mean_motion_rad_min[nearest] / 60.0  # rad/s
    node_rate = history.node_rate_rad_min[nearest] / 60.0  # rad/s
    phasing_s = rendezvous.duration_h * 3600.0 - ascent.ascent_s
    if phasing_s <= 0:
        raise InputError(
            f"rendezvous of {rendezvous.duration_h} h is shorter than the ascent "
            f"({ascent.ascent_s:.0f} s)",
            field="duration",
        )
    n_phasing = mean_motion_rad_s(rendezvous.phasing_altitude_km)
    nominal_catch_up = (n_phasing - n_station) * phasing_s  # rad
    max_catch_up = (mean_motion_rad_s(ascent.insertion_altitude_km) - n_station) * phasing_s
    offset = np.zeros_like(crossing)
    catch_up = np.zeros_like(crossing)
    theta = np.zeros_like(crossing)
    half_window = 40.0 / 1440.0
    for _ in range(phase_iterations):
        launch = crossing - tau_days
        insertion = launch + ascent.ascent_s / 86400.0
        node, incl = history.node_and_inclination(insertion)
        pad_u = argument_of_latitude(
            site.teme_unit(launch, np.interp(launch, grid, dut1_grid)), node + offset, incl
        )
        index = history.nearest_index(insertion)
        station_u = station_argument_of_latitude(history.satrecs, index, insertion, node, incl)
        theta = np.mod(station_u - pad_u - ascent.insertion_arc_rad, TWO_PI)
        catch_up = _catch_up(theta, nominal_catch_up, max_catch_up)
        n_chaser = n_station + catch_up / phasing_s
        chaser_rate = node_rate * nodal_rate_scale(n_chaser / n_station)
        offset = (node_rate - chaser_rate) * phasing_s
        lo, hi = crossing - half_window, crossing + half_window
        valid = np.sign(g(lo, offset)) != np.sign(g(hi, offset))
        refined = refine_roots(g, lo[valid], hi[valid], settings, args=(offset[valid],))
        crossing = crossing.copy()
        crossing[valid] = refined

    launch = crossing - tau_days
    keep = (launch >= start_jd) & (launch <= end_jd)
    ages = history.age_days(launch)
    node_now, incl_now = history.node_and_inclination(launch)
    pad_now = site.teme_unit(launch, np.interp(launch, grid, dut1_grid))
    out_of_plane = np.degrees(np.arcsin(np.sum(plane_normal(node_now, incl_now) * pad_now, -1)))
    pad_u = argument_of_latitude(pad_now, node_now, incl_now)
    northbound = np.abs(pad_u) < np.pi / 2.0
    azimuth_inertial = np.where(northbound, beta, np.pi - beta)
    azimuth = rotating_azimuth_deg(
        azimuth_inertial, latitude, circular_speed_km_s(ascent.insertion_altitude_km)
    )
    index = history.nearest_index(launch)

    opportunities = []
    for k in np.nonzero(keep)[0]:
        epoch = history.epoch_jd[index[k]]
        opportunities.append(
            Opportunity(
                launch_utc=jd_to_datetime(float(launch[k])),
                launch_jd=float(launch[k]),
                pass_direction="north-east" if northbound[k] else "south-east",
                azimuth_deg=float(azimuth[k]),
                out_of_plane_deg=float(out_of_plane[k]),
                phase_angle_deg=float(np.degrees(theta[k])),
                catch_up_deg=float(np.degrees(catch_up[k])),
                node_offset_deg=float(np.degrees(offset[k])),
                plane_crossing_utc=jd_to_datetime(float(bare_crossing[k])),
                docking_utc=jd_to_datetime(float(launch[k]) + rendezvous.duration_h / 24.0),
                element_epoch_utc=jd_to_datetime(float(epoch)),
                element_age_days=float(ages[k]),
                site=site_id,
                vehicle=vehicle_id,
                profile=rendezvous.name,
            )
        )

    warnings = []
    # Nearest element-set age over the span (50 samples include both ends).
    closest_age_days = float(np.min(np.abs(history.age_days(np.linspace(start_jd, end_jd, 50)))))
    if closest_age_days > STALE_ELEMENTS_DAYS:
        warnings.append(
            f"the span is {closest_age_days:.1f} days from the nearest element set of the station "
            f"(> {STALE_ELEMENTS_DAYS:.0f} days): drag makes times uncertain by minutes; "
            "use element sets near the span"
        )
    elif np.any(np.abs(ages[keep]) > STALE_ELEMENTS_DAYS):
        warnings.append(
            f"some opportunities are more than {STALE_ELEMENTS_DAYS:.0f} days from the nearest "
            "element set of the station"
        )
    return WindowSearch(tuple(opportunities), tuple(warnings))
