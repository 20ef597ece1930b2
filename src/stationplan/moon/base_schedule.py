"""Scheduling a lunar base campaign with OR-Tools CP-SAT, then checking its power.

Data: per mission its candidates — one per Earth–Moon launch window
(:func:`stationplan.moon.transfer.daily_windows`, launch at the window's middle, arrival in
lunar orbit from the transfer) and, for landers, the landing hours after ``orbit_h`` in lunar
orbit with the Sun inside the mission's elevation band (and above the horizon mask); for
crewed landers only landings from which a surface stay of at least ``stay_h[0]`` hours stays
in daylight and — with ``stay_comms`` — has the Earth (or, when the mission requires a working
``comms-relay``, the relay satellite of :mod:`stationplan.moon.relay`) above the horizon
every hour; the stay is the longest such run up to ``stay_h[1]``. Launch days are sampled
every k-th day (at most :data:`MAX_LAUNCH_DAYS` per mission; every day for the two sides of
a rendezvous), one window per day (``daily_windows`` over that day). Each launch window keeps
its first such landing hour; a lander waiting for a lunar-orbit rendezvous keeps every sixth
valid hour (:data:`RENDEZVOUS_STEP_H`), since the partner's arrival decides which it can use.

Variables: one candidate per mission (:func:`stationplan.planning.add_window_choice`);
launch, arrival and landing minutes from the campaign start follow from it; crew seats per
partner on crewed landings.

Requirements, each behind its own assumption literal (:class:`stationplan.planning.
SharedModel`): ``after`` dependencies (``add_precedence``: a mission launches once the
awaited one has landed or arrived), ``requires`` (a landing only after an element with that
capability is working at the site: landed, or for an orbiter arrived, plus its
commissioning hours), crew size (at most the landed elements' ``crew_capacity``), lunar-orbit
rendezvous (``add_loiter_pair``: the two arrivals at most the lander's loiter limit apart;
and the lander arrives first and lands at least ``docking_h`` after its partner arrives),
launch-site separation (``add_launch_separation``), partner quotas of missions and seats.
Infeasibility is explained by :func:`stationplan.planning.explain_infeasibility` (a minimal
set of requirements, with dates of the closest schedule) and
:func:`stationplan.planning.find_relaxation` (what to drop, or the loiter that would do).

Objective: the earliest base — the sum of landing (or arrival) minutes.

After solving, the schedule's surface elements go through the hourly power simulation
(:mod:`stationplan.moon.power`); an element that runs out of energy means no plan (exit 2)
naming the element, its mission and the night.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

import numpy as np
from ortools.sat.python import cp_model

from stationplan.errors import InfeasibleError, TimeLimitError
from stationplan.moon.campaign import LunarCampaign, LunarMission
from stationplan.moon.conditions import SiteConditions, site_conditions
from stationplan.moon.power import (
    Night,
    Placement,
    PowerResult,
    nights,
    simulate_power,
)
from stationplan.moon.transfer import LunarWindow, daily_windows
from stationplan.orbit.timescale import iso_utc_seconds
from stationplan.planning import (
    SharedModel,
    SolveSettings,
    add_launch_separation,
    add_loiter_pair,
    add_precedence,
    add_window_choice,
    explain_infeasibility,
    find_relaxation,
    new_solver,
)

__all__ = [
    "Candidate",
    "LunarPlan",
    "MissionResult",
    "StayHour",
    "candidates_for",
    "plan_lunar_campaign",
]

HOUR = timedelta(hours=1)
MIN_PER_DAY = 1440
#: Margin of the hourly grid after the last launch, hours (transfer + orbit + stay fit in it).
GRID_MARGIN_H = 24 * 60
#: Most launch days tried per mission without a rendezvous (longer spans are sampled every
#: k-th day, k = ceil(days / this)); both sides of a rendezvous try every day.
MAX_LAUNCH_DAYS = 24
#: A lander waiting for a rendezvous keeps every this-many-th valid landing hour.
RENDEZVOUS_STEP_H = 6


@dataclass(frozen=True)
class Candidate:
    """One way to fly a mission: minutes from the campaign start; landing None for orbiters."""

    launch_min: int
    arrival_min: int
    landing_min: int | None
    stay_h: float | None
    sun_alt_deg: float | None


@dataclass(frozen=True)
class MissionResult:
    """A scheduled mission (UTC)."""

    name: str
    vehicle: str
    partner: str
    launcher: str
    launch_site: str
    crew: int
    crew_seats: dict[str, int]
    elements: tuple[str, ...]
    launch_utc: datetime
    arrival_utc: datetime
    landing_utc: datetime | None
    stay_h: float | None
    sun_alt_at_landing_deg: float | None

    @property
    def crewed(self) -> bool:
        return self.crew > 0

    @property
    def liftoff_utc(self) -> datetime | None:
        if self.landing_utc is None or self.stay_h is None:
            return None
        return self.landing_utc + timedelta(hours=self.stay_h)


@dataclass(frozen=True)
class StayHour:
    """One hour of a crew's surface stay: Sun elevation (deg), Sun up, Earth up, relay up."""

    utc: datetime
    sun_alt_deg: float
    sun_lit: bool
    earth_visible: bool
    relay_visible: bool


@dataclass(frozen=True)
class LunarPlan:
    """The schedule, the hourly site conditions and power of the base, comms of crewed stays."""

    campaign: LunarCampaign
    missions: tuple[MissionResult, ...]
    conditions: SiteConditions
    power: PowerResult
    nights: list[Night]
    stay_comms: dict[str, list[StayHour]] = field(default_factory=dict)
    solve_s: float = 0.0


@dataclass
class _Grid:
    """Hourly site conditions from the campaign start (index = whole hours)."""

    start: datetime
    conditions: SiteConditions

    def index(self, when: datetime) -> int:
        return math.ceil((when - self.start) / HOUR)

    def time(self, index: int) -> datetime:
        return self.start + index * HOUR


def _minutes(when: datetime, start: datetime) -> int:
    return int((when - start).total_seconds() // 60)


def _site_grid(campaign: LunarCampaign) -> _Grid:
    n = int((campaign.end - campaign.start) / HOUR) + GRID_MARGIN_H
    times = [campaign.start + i * HOUR for i in range(n)]
    cond = site_conditions(campaign.site.site, times, mask=campaign.site.mask, relay=None)
    return _Grid(campaign.start, cond)


def _runs_from(ok: np.ndarray) -> np.ndarray:
    """For each index, how many consecutive True values start there."""
    out = np.zeros(ok.size + 1, dtype=int)
    for i in range(ok.size - 1, -1, -1):
        out[i] = out[i + 1] + 1 if ok[i] else 0
    return out[:-1]


@lru_cache(maxsize=4096)
def _day_windows(
    lat_deg: float,
    lon_deg: float,
    limits: tuple[float, float],
    day: datetime,
    transfer_days: float,
    parking_alt_km: float,
    max_liftoff_to_tli_min: float | None,
) -> tuple[LunarWindow, ...]:
    """The launch windows of one day (shared by missions flying the same launcher and site,
    e.g. both sides of a rendezvous)."""
    return tuple(
        daily_windows(
            lat_deg,
            lon_deg,
            limits,
            day,
            day + timedelta(days=1),
            transfer_days,
            parking_alt_km,
            max_liftoff_to_tli_min=max_liftoff_to_tli_min,
        )
    )


def mission_transfer_days(mission: LunarMission) -> float:
    """Nominal transfer days of the mission's launcher for its kind — ``crewed`` when the crew
    rides this launch (a lander meeting its crew in lunar orbit, ``rendezvous_with``, flies
    uncrewed: ``robotic``) — or the launcher's default when it lists no kinds."""
    launcher = mission.launcher
    kinds = dict(launcher.transfer_days_by_kind)
    crew_on_board = mission.crewed and mission.rendezvous_with is None
    return kinds.get("crewed" if crew_on_board else "robotic", launcher.transfer_days)


def candidates_for(
    mission: LunarMission,
    campaign: LunarCampaign,
    grid: _Grid,
    relay_seen: dict[str, np.ndarray] | None = None,
) -> tuple[list[Candidate], str]:
    """The mission's candidates and, when there are none, the reason in words.

    ``relay_seen`` receives, for a crewed lander counting on the relay, the hourly relay
    visibility on the grid it used (so reports show the same pattern)."""
    launcher, pad = mission.launcher, mission.launch_site
    if mission.launch_azimuth_deg is not None:
        limits = mission.launch_azimuth_deg
    else:
        limits = launcher.azimuth_limits(pad)[0]
    transfer_days = mission_transfer_days(mission)
    windows: list[LunarWindow] = []
    days = (mission.last_launch - mission.first_launch).days + 1
    rendezvous = mission.rendezvous_with is not None or any(
        m.rendezvous_with == mission.name for m in campaign.missions
    )
    stride = 1 if rendezvous else max(1, math.ceil(days / MAX_LAUNCH_DAYS))
    for d in range(0, days, stride):
        day = mission.first_launch + timedelta(days=d)
        windows += _day_windows(
            pad.latitude_deg, pad.longitude_deg, limits, day, transfer_days,
            launcher.parking_alt_km, launcher.max_liftoff_to_tli_min,
        )  # fmt: skip
    if not windows:
        return [], "it has no launch window in its launch dates"
    start = campaign.start
    if not mission.lands:
        out = [
            Candidate(
                _minutes(w.open_utc + (w.close_utc - w.open_utc) / 2, start),
                _minutes(w.arrival_utc, start),
                None,
                None,
                None,
            )
            for w in windows
        ]
        return out, ""
    c = grid.conditions
    lo, hi = mission.landing_sun_deg
    band = c.sun_lit & (c.sun_alt_deg >= lo) & (c.sun_alt_deg <= hi)
    stay_run: np.ndarray | None = None
    if mission.stay_h is not None:
        ok = c.sun_lit.copy()
        if mission.stay_comms:
            relay = _relay_visible(mission, campaign, grid)
            if relay is not None and relay_seen is not None:
                relay_seen[mission.name] = relay
            ok &= c.earth_visible if relay is None else (c.earth_visible | relay)
        stay_run = _runs_from(ok)
    n = len(c.times_utc)
    out = []
    in_band = False
    for w in windows:
        a = grid.index(w.arrival_utc + mission.orbit_h[0] * HOUR)
        b = min(int((w.arrival_utc + mission.orbit_h[1] * HOUR - start) // HOUR), n - 1)
        hours = [h for h in range(a, b + 1) if band[h]]
        in_band = in_band or bool(hours)
        if stay_run is not None and mission.stay_h is not None:
            hours = [h for h in hours if stay_run[h] >= mission.stay_h[0]]
        hours = hours[:1] if mission.rendezvous_with is None else hours[::RENDEZVOUS_STEP_H]
        launch_min = _minutes(w.open_utc + (w.close_utc - w.open_utc) / 2, start)
        for h in hours:
            stay = None
            if stay_run is not None and mission.stay_h is not None:
                stay = float(min(stay_run[h], mission.stay_h[1]))
            out.append(
                Candidate(
                    launch_min,
                    _minutes(w.arrival_utc, start),
                    h * 60,
                    stay,
                    float(c.sun_alt_deg[h]),
                )
            )
    if not out:
        if not in_band:
            return [], (
                f"no landing hour {mission.orbit_h[0]:g}–{mission.orbit_h[1]:g} h after any "
                f"arrival has the Sun {lo:g}–{hi:g}° high at the site"
            )
        assert mission.stay_h is not None
        comms = " and with comms" if mission.stay_comms else ""
        return [], (
            f"no landing in the lighting band allows a surface stay of "
            f"{mission.stay_h[0]:g} h in daylight{comms}"
        )
    return out, ""


def _relay_visible(
    mission: LunarMission, campaign: LunarCampaign, grid: _Grid
) -> np.ndarray | None:
    """Hourly relay visibility on the grid over the span the mission's stays can fall in,
    if the mission requires a working ``comms-relay`` (else None). The relay orbit's epoch
    is the span's first hour (its real phase is not public, see moon/relay.py)."""
    if "comms-relay" not in mission.requires:
        return None
    c = grid.conditions
    first = grid.index(mission.first_launch)
    last = min(
        grid.index(
            mission.last_launch
            + timedelta(days=mission_transfer_days(mission) + 1)
            + (mission.orbit_h[1] + (mission.stay_h or (0, 0))[1]) * HOUR
        ),
        len(c.times_utc) - 1,
    )
    span = [grid.time(i) for i in range(first, last + 1)]
    with_relay = site_conditions(campaign.site.site, span, mask=campaign.site.mask)
    out = np.zeros(len(c.times_utc), dtype=bool)
    out[first : last + 1] = with_relay.relay_visible
    return out


@dataclass
class _Built:
    shared: SharedModel
    choose: dict[str, list[cp_model.IntVar]]
    launch: dict[str, cp_model.IntVar]
    arrival: dict[str, cp_model.IntVar]
    event: dict[str, cp_model.IntVar]
    seats: dict[tuple[str, str], cp_model.IntVar]


def _build(campaign: LunarCampaign, cands: dict[str, list[Candidate]]) -> _Built:
    shared = SharedModel(start_utc=campaign.start)
    model = shared.model
    by_name = {m.name: m for m in campaign.missions}
    choose: dict[str, list[cp_model.IntVar]] = {}
    launch: dict[str, cp_model.IntVar] = {}
    arrival: dict[str, cp_model.IntVar] = {}
    event: dict[str, cp_model.IntVar] = {}
    # Variables: one candidate per mission (the windows family), and the landing it implies.
    for m in campaign.missions:
        cs = cands[m.name]
        window = add_window_choice(
            shared, m.name, [c.launch_min for c in cs], [c.arrival_min for c in cs]
        )
        choose[m.name] = list(window.choose)
        launch[m.name], arrival[m.name] = window.launch, window.arrive
        if m.lands:
            values = [c.landing_min if c.landing_min is not None else c.arrival_min for c in cs]
            event[m.name] = model.new_int_var_from_domain(
                cp_model.Domain.from_values(sorted(set(values))), f"landing[{m.name}]"
            )
            model.add(
                event[m.name] == sum(v * b for v, b in zip(values, window.choose, strict=True))
            )
        else:
            event[m.name] = window.arrive
    shared.horizon = (
        max(max(c.landing_min or c.arrival_min for c in cs) for cs in cands.values())
        + MIN_PER_DAY * 30
    )

    def what(m: LunarMission) -> str:
        return "lands" if m.lands else "arrives in lunar orbit"

    # Dependencies: a mission launches only after the awaited one has landed (or arrived).
    for m in campaign.missions:
        for other in m.after:
            done = "has landed" if by_name[other].lands else "has arrived"
            add_precedence(
                shared, m.name, other, launch[m.name], event[other], 0,
                f"{m.name} launches only after {other} {done}",
            )  # fmt: skip
    # Capabilities working at the site before a landing (crewed: power unit and relay).
    for m in campaign.missions:
        for cap in m.requires:
            ready = [
                (event[p.name] if e.surface else arrival[p.name]) + round(e.commissioning_h * 60)
                for p in campaign.missions
                if p.name != m.name
                for e in p.elements
                if cap in e.capabilities
            ]
            providers = sorted(
                {p.name for p in campaign.missions if p.name != m.name
                 for e in p.elements if cap in e.capabilities}
            )  # fmt: skip
            sentence = (
                f"{m.name} {what(m)} only after a '{cap}' element is working at the site "
                + (f"(from {', '.join(providers)})" if providers else "(no mission brings one)")
            )
            if not ready:
                lit = shared.requirement("capability", [m.name], sentence, key=cap)
                model.add_bool_or([lit.Not()])
                continue
            first_ready = model.new_int_var(-(10**9), 10**9, f"ready[{cap}]")
            model.add_min_equality(first_ready, ready)
            lit = shared.requirement(
                "capability", [m.name, *providers], sentence,
                _witness(
                    shared,
                    f"(closest schedule: {m.name} {'lands' if m.lands else 'arrives'} {{0}}, "
                    f"the first '{cap}' element works from {{1}})",
                    event[m.name], first_ready,
                ),
                key=cap,
            )  # fmt: skip
            model.add(event[m.name] >= first_ready).only_enforce_if(lit)
    # Lunar-orbit rendezvous: the lander waits in orbit for its partner (Lanyue launches
    # first and waits for Mengzhou), at most its loiter limit (the stays family's loiter pair).
    for m in campaign.missions:
        if m.rendezvous_with is None or m.loiter_limit_h is None:
            continue
        o: str = m.rendezvous_with
        add_loiter_pair(
            shared, m.name, o, arrival[m.name], arrival[o], round(m.loiter_limit_h * 60),
            f"{o} and {m.name} arrive in lunar orbit at most {m.loiter_limit_h:g} h apart "
            f"(the lander's loiter limit)",
        )  # fmt: skip
        sentence = f"{m.name} waits in lunar orbit for {o}" + (
            f" and lands at least {m.docking_h:g} h after it arrives" if m.lands else ""
        )
        lit = shared.requirement(
            "rendezvous", [m.name, o], sentence,
            _witness(
                shared,
                f"(closest schedule: {m.name} arrives {{0}}, {o} {{1}})",
                arrival[m.name], arrival[o],
            ),
        )  # fmt: skip
        model.add(arrival[o] >= arrival[m.name]).only_enforce_if(lit)
        if m.lands:
            gap = round(m.docking_h * 60)
            model.add(event[m.name] >= arrival[o] + gap).only_enforce_if(lit)
    # Launch-site separation (the station scheduler's family).
    sites: dict[str, list[str]] = {}
    for m in campaign.missions:
        sites.setdefault(m.launch_site.id, []).append(m.name)
    for site_id, users in sites.items():
        site = campaign.missions[0].launch_site
        for m in campaign.missions:
            if m.launch_site.id == site_id:
                site = m.launch_site
        gap_h = campaign.separation_h.get(site_id, site.separation_h)

        def site_sentence(a: str, b: str, s: str = site_id, g: float = gap_h) -> str:
            return f"launches of {a} and {b} from {s} are at least {g:g} h apart"

        def site_witness(a: str, b: str) -> Callable[[cp_model.CpSolver], str]:
            return _witness(
                shared, f"(closest schedule: {a} {{0}}, {b} {{1}})", launch[a], launch[b]
            )

        add_launch_separation(
            shared, "site", users, launch,
            {n: [c.launch_min for c in cands[n]] for n in users},
            round(gap_h * 60), site_sentence, site_witness, key=site_id,
        )  # fmt: skip
    # Crew size: a crewed landing carries no more astronauts than its landers can take.
    for m in campaign.missions:
        if m.crew and m.lands:
            capacity = sum(e.crew_capacity for e in m.elements)
            lit = shared.requirement(
                "crew", [m.name],
                f"{m.name} lands {m.crew} astronauts (its elements take {capacity})",
            )  # fmt: skip
            if m.crew > capacity:
                model.add_bool_or([lit.Not()])
    # Crew seats on crewed landings, shared among the mission's partners.
    seats: dict[tuple[str, str], cp_model.IntVar] = {}
    for m in campaign.missions:
        if m.crew and m.lands:
            row = [model.new_int_var(0, m.crew, f"seats[{m.name},{p}]") for p in m.crew_partners]
            seats.update({(m.name, p): v for p, v in zip(m.crew_partners, row, strict=True)})
            model.add(sum(row) == m.crew)
    # Partner quotas: missions flown, crew seats on landings.
    for q in campaign.quotas:
        flown = sum(1 for m in campaign.missions if m.partner == q.partner)
        held = [v for (_, p), v in seats.items() if p == q.partner]
        if q.min_missions:
            lit = shared.requirement(
                "quota", [q.partner],
                f"{q.partner} flies at least {q.min_missions} missions (the campaign has {flown})",
                key=q.partner,
            )  # fmt: skip
            if flown < q.min_missions:
                model.add_bool_or([lit.Not()])
        if q.min_crew_seats:
            lit = shared.requirement(
                "quota", [q.partner],
                f"{q.partner} gets at least {q.min_crew_seats} crew seats on landings",
                key=q.partner,
            )  # fmt: skip
            model.add(sum(held) >= q.min_crew_seats).only_enforce_if(lit)
        if q.max_crew_seats is not None:
            lit = shared.requirement(
                "quota", [q.partner],
                f"{q.partner} gets at most {q.max_crew_seats} crew seats on landings",
                key=q.partner,
            )  # fmt: skip
            model.add(sum(held) <= q.max_crew_seats).only_enforce_if(lit)
    model.add_assumptions(shared.literals)
    # Objective: the earliest base.
    model.minimize(sum(event.values()))
    return _Built(shared, choose, launch, arrival, event, seats)


def _witness(
    shared: SharedModel, template: str, *exprs: cp_model.LinearExprT
) -> Callable[[cp_model.CpSolver], str]:
    """A witness sentence: ``template`` with the UTC dates of ``exprs`` (minute expressions)
    in a solved schedule."""
    return lambda solver: template.format(*(shared.at(solver, e) for e in exprs))


#: Requirements a planner may relax, in the order tried: partner promises before the
#: campaign's own logic; the loiter limit is widened (the loiter it would need) if it binds.
RELAXABLE = ("quota", "loiter", "site", "dependency", "capability", "rendezvous")


def explain(shared: SharedModel, time_limit_s: float) -> str:
    """Why no schedule exists (:func:`stationplan.planning.explain_infeasibility`: a minimal
    set of requirements, with dates from the closest schedule) and, when one requirement
    alone is to blame, what to relax (:func:`stationplan.planning.find_relaxation`)."""
    settings = SolveSettings(workers=1, time_limit_s=time_limit_s)
    text = explain_infeasibility(shared, settings)
    relief = find_relaxation(shared, settings, RELAXABLE)
    if relief is not None:
        req = relief.requirement
        if relief.span is not None and relief.value is not None:
            text += (
                f"\n  to plan: allow {relief.value / 60:g} h instead of "
                f"{relief.span.hi_min / 60:g} h ('{req.sentence}')"
            )
        else:
            text += f"\n  to plan: drop the requirement '{req.sentence}'"
    return text


def plan_lunar_campaign(
    campaign: LunarCampaign,
    time_limit_s: float = 10.0,
    progress: Callable[[str], None] | None = None,
) -> LunarPlan:
    """Schedule ``campaign`` and simulate its base's power (see the module text).

    Raises :class:`InfeasibleError` (exit 2) naming the mission without candidates, the
    conflicting requirements, or the element that does not survive a night;
    :class:`TimeLimitError` when CP-SAT gives up."""
    import time

    grid = _site_grid(campaign)
    cands: dict[str, list[Candidate]] = {}
    relay_seen: dict[str, np.ndarray] = {}
    for m in campaign.missions:
        if progress is not None:
            progress(m.name)
        found, why = candidates_for(m, campaign, grid, relay_seen)
        if not found:
            raise InfeasibleError(f"mission {m.name} cannot fly: {why}")
        cands[m.name] = found
    clock = time.perf_counter()
    built = _build(campaign, cands)
    solver = new_solver(SolveSettings(time_limit_s=time_limit_s))
    status = solver.solve(built.shared.model)
    if status == cp_model.INFEASIBLE:
        raise InfeasibleError(explain(built.shared, time_limit_s))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise TimeLimitError(
            f"CP-SAT found no schedule within {time_limit_s:g} s; raise --time-limit"
        )
    solve_s = time.perf_counter() - clock
    results = []
    for m in campaign.missions:
        k = next(i for i, b in enumerate(built.choose[m.name]) if solver.value(b))
        c = cands[m.name][k]
        results.append(
            MissionResult(
                name=m.name,
                vehicle=m.vehicle,
                partner=m.partner,
                launcher=m.launcher.id,
                launch_site=m.launch_site.id,
                crew=m.crew,
                crew_seats={p: solver.value(v) for (n, p), v in built.seats.items() if n == m.name},
                elements=tuple(e.id for e in m.elements),
                launch_utc=campaign.start + timedelta(minutes=c.launch_min),
                arrival_utc=campaign.start + timedelta(minutes=c.arrival_min),
                landing_utc=None
                if c.landing_min is None
                else campaign.start + timedelta(minutes=c.landing_min),
                stay_h=c.stay_h,
                sun_alt_at_landing_deg=c.sun_alt_deg,
            )
        )
    power, night_list = _simulate(campaign, grid, results)
    stay_comms: dict[str, list[StayHour]] = {}
    cond = grid.conditions
    for r in results:
        if r.landing_utc is not None and r.stay_h is not None:
            a = grid.index(r.landing_utc)
            relay = relay_seen.get(r.name)
            stay_comms[r.name] = [
                StayHour(
                    grid.time(i),
                    float(cond.sun_alt_deg[i]),
                    bool(cond.sun_lit[i]),
                    bool(cond.earth_visible[i]),
                    bool(relay[i]) if relay is not None else False,
                )
                for i in range(a, a + int(r.stay_h))
            ]
    return LunarPlan(
        campaign, tuple(results), grid.conditions, power, night_list, stay_comms, solve_s
    )


def _simulate(
    campaign: LunarCampaign, grid: _Grid, results: Sequence[MissionResult]
) -> tuple[PowerResult, list[Night]]:
    c = grid.conditions
    by_name = {m.name: m for m in campaign.missions}
    placements = []
    crew = np.zeros(len(c.times_utc), dtype=bool)
    for r in results:
        if r.landing_utc is None:
            continue
        index = grid.index(r.landing_utc)
        for e in by_name[r.name].elements:
            if e.surface:
                placements.append(Placement(f"{r.name}/{e.id}", e, index, r.name))
        if r.stay_h is not None and r.crewed:
            crew[index : index + math.ceil(r.stay_h)] = True
    power = simulate_power(placements, c.times_utc, c.sun_alt_deg, c.sun_az_deg, c.sun_lit, crew)
    night_list = nights(power)
    failure = power.first_failure()
    if failure is not None:
        step, col = failure
        p = placements[col]
        when = c.times_utc[step]
        dark = [n for n in night_list if n.start_utc <= when <= n.end_utc]
        short = float(power.unmet_wh[step:, col][power.unmet_wh[step:, col] > 0][:1].sum())
        e = p.element
        if dark:
            n = dark[0]
            where = (
                f"in the night of {iso_utc_seconds(n.start_utc)} ({n.hours:g} h without Sun), "
                f"{(when - n.start_utc) / HOUR:g} h after sunset"
            )
        else:
            where = "in daylight"
        if e.connects:
            members = [
                j for j, q in enumerate(placements) if q.element.connects and q.from_index <= step
            ]
            names = ", ".join(
                f"{placements[j].element.id} from {placements[j].mission}" for j in members
            )
            short = float(power.unmet_wh[step, members].sum())
            usable = sum(
                placements[j].element.battery_wh * (1 - placements[j].element.min_soc)
                for j in members
            )
            survival = sum(placements[j].element.consumption.survival_w for j in members)
            rtg = sum(placements[j].element.radioisotope_w for j in members)
            raise InfeasibleError(
                f"night survival: the shared grid ({names}) runs out of energy at "
                f"{iso_utc_seconds(when)} {where}: short by {short:.0f} Wh in that hour "
                f"(usable storage {usable:g} Wh, survival loads {survival:g} W, radioisotope "
                f"{rtg:g} W)"
            )
        raise InfeasibleError(
            f"night survival: element {e.id} ({e.name}) landed by {p.mission} runs out of "
            f"energy at {iso_utc_seconds(when)} {where}: short by {short:.0f} Wh in that hour "
            f"(battery {e.battery_wh:g} Wh, floor {e.min_soc:.0%}, survival load "
            f"{e.consumption.survival_w:g} W, radioisotope {e.radioisotope_w:g} W; not on the "
            "shared grid)"
        )
    return power, night_list
