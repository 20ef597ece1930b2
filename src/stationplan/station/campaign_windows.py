"""Launch candidates for campaign missions: the one door from windows to the scheduler.

Every launch time the scheduler may choose comes from
:func:`mission_opportunities`, so a plan only ever uses real in-plane
opportunities computed from the station's element sets, kept only where a
rendezvous profile is feasible when the phase angle is predictable
(:func:`stationplan.launch.rendezvous.profiled_opportunities`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from stationplan.launch.rendezvous import feasible_windows, profiled_opportunities
from stationplan.launch.sites import Site, get_site
from stationplan.launch.vehicles import get_vehicle
from stationplan.launch.windows import STALE_ELEMENTS_DAYS, RendezvousSpec
from stationplan.orbit.elements import ElementSet
from stationplan.orbit.timescale import datetime_to_jd, jd_to_datetime
from stationplan.station.campaign import CampaignFile

__all__ = [
    "Candidate",
    "campaign_candidates",
    "element_age_days",
    "mission_opportunities",
    "stale_launch_warnings",
]


@dataclass(frozen=True)
class Candidate:
    """One launch opportunity a mission may take.

    ``launch_jd``/``docking_jd``: UTC Julian dates; ``phase_angle_deg``: station
    ahead of the chaser at insertion, [0, 360); ``profile``: the rendezvous
    profile that sets the docking time; ``feasible_profiles``: every profile
    that can make this rendezvous. ``docking_earliest_jd``/``docking_latest_jd``: the
    profile's docking window (docs/rendezvous.md §2); ``docking_jd`` is its nominal docking,
    and a scheduler may move docking inside the window when a port or crew constraint asks
    for it. Equal to ``docking_jd`` when the phase is not predictable (station phasing).
    """

    launch_jd: float
    launch_utc: datetime
    docking_jd: float
    docking_utc: datetime
    profile: str
    phase_angle_deg: float
    feasible_profiles: tuple[str, ...]
    docking_earliest_jd: float | None = None
    docking_latest_jd: float | None = None


def mission_opportunities(
    station_elements: Sequence[ElementSet],
    site_id: str,
    vehicle_id: str,
    start_jd: float,
    end_jd: float,
    profile: str | None = None,
    sites: Mapping[str, Site] | None = None,
) -> list[Candidate]:
    """Launch candidates of ``vehicle_id`` from ``site_id`` to the station in [start_jd, end_jd].

    ``station_elements``: the station's element sets (each time uses the nearest epoch).
    Times are in-plane opportunities (docs/windows.md). Where the phase angle is
    predictable (within ``PHASE_PREDICTABLE_DAYS`` of an element set) only opportunities
    with a feasible rendezvous profile are kept — the requested one, or the fastest
    feasible — and docking follows that profile (docs/rendezvous.md). Farther out the
    station sets up the phase itself, so every opportunity is kept with the requested (or
    default) profile. ``sites``: the site table (default the bundled one; a campaign's
    is :attr:`CampaignFile.site_table`). Returns candidates in time order.
    """
    site = get_site(site_id, sites)
    vehicle = get_vehicle(vehicle_id).at_site(site.id)
    rendezvous = RendezvousSpec.for_vehicle(vehicle, profile)
    satrecs = [e.satrec for e in station_elements]
    search = feasible_windows(satrecs, site, vehicle, rendezvous, start_jd, end_jd)
    chosen = profiled_opportunities(search.opportunities, satrecs, vehicle, profile=profile)
    return [
        Candidate(
            launch_jd=c.opportunity.launch_jd,
            launch_utc=c.opportunity.launch_utc,
            docking_jd=c.docking_jd,
            docking_utc=jd_to_datetime(c.docking_jd),
            profile=c.profile,
            phase_angle_deg=c.opportunity.phase_angle_deg,
            feasible_profiles=c.feasible_profiles if c.phase_known else (c.profile,),
            docking_earliest_jd=c.docking_jd
            if c.docking_earliest_jd is None
            else c.docking_earliest_jd,
            docking_latest_jd=c.docking_jd if c.docking_latest_jd is None else c.docking_latest_jd,
        )
        for c in chosen
    ]


def element_age_days(station_elements: Sequence[ElementSet], jd: np.ndarray) -> np.ndarray:
    """Days from each time in ``jd`` to the nearest element-set epoch (absolute, days)."""
    epochs = np.array([e.epoch_jd for e in station_elements])
    return np.min(np.abs(np.asarray(jd, dtype=float)[..., None] - epochs), axis=-1)


def stale_launch_warnings(
    station_elements: Sequence[ElementSet], launches: Sequence[tuple[str, datetime]]
) -> list[str]:
    """Warnings for planned launches (mission, UTC) more than STALE_ELEMENTS_DAYS from every
    element-set epoch: drag makes such in-plane times uncertain by minutes."""
    if not launches:
        return []
    jd = np.array([sum(datetime_to_jd(when)) for _, when in launches])
    ages = element_age_days(station_elements, jd)
    stale = [
        (name, float(age))
        for (name, _), age in zip(launches, ages, strict=True)
        if age > STALE_ELEMENTS_DAYS
    ]
    if len(stale) > 3:
        low, high = min(a for _, a in stale), max(a for _, a in stale)
        return [
            f"{len(stale)} launches lie {low:.0f}–{high:.0f} days from the nearest element set "
            f"of the station (> {STALE_ELEMENTS_DAYS:.0f} d): their times are indicative only "
            "(minutes off after weeks, up to hours after months); recompute with current "
            "element sets"
        ]
    return [
        f"{name}: launch {age:.0f} days from the nearest element set of the station "
        f"(> {STALE_ELEMENTS_DAYS:.0f} d): its time is uncertain by minutes"
        for name, age in stale
    ]


def campaign_candidates(
    campaign_file: CampaignFile,
    on_mission: Callable[[str], None] | None = None,
) -> dict[str, list[Candidate]]:
    """Launch candidates of every mission of a loaded campaign.

    Each mission's window is ``launch.earliest``..``launch.latest`` from its site
    with its profile (default: the vehicle's first). ``on_mission`` is called with
    each mission's name before its windows are computed (progress display).
    """
    candidates: dict[str, list[Candidate]] = {}
    for mission in campaign_file.campaign.missions:
        if on_mission is not None:
            on_mission(mission.name)
        start_jd = sum(datetime_to_jd(mission.launch.earliest))
        end_jd = sum(datetime_to_jd(mission.launch.latest))
        found = mission_opportunities(
            campaign_file.elements,
            campaign_file.sites[mission.name],
            mission.vehicle,
            start_jd,
            end_jd,
            mission.profile,
            campaign_file.site_table or None,
        )
        candidates[mission.name] = found
    return candidates
