"""Campaign scheduling with OR-Tools CP-SAT, and explanations when no schedule exists.

Each mission chooses one launch candidate (a real in-plane opportunity from
:func:`stationplan.station.campaign_windows.mission_opportunities`; launch and docking
times are data), a docking port, its departure, and for lab modules the time
of their transposition to a lateral berth. Time is counted in whole minutes
from the campaign start.

The model follows the OR-Tools scheduling examples: data, then variables named
after their keys, then one constraint family at a time with a comment in domain
words, then the objective. The families themselves are parts of
:mod:`stationplan.planning` (windows, stays, ports, node and crew capacity, handover,
dependencies, pads and sites, quotas, readiness); this module turns a campaign into
their plain data and composes them. The objective is lexicographic, solved twice:
first the earliest completion (last docking or transposition), then, with completion
held at its optimum, the fewest minutes of deviation from the preferred launch
dates, stays and transposition delays the campaign gives.

Every requirement instance (a dependency, a port shared by two missions, the
crew cap at one arrival, a quota...) sits behind its own assumption literal
(``CpModel.add_assumptions``), so the generic machinery of
:mod:`stationplan.planning.explain` explains infeasibility (a minimal conflicting
set, read back as domain sentences), suggests the relaxation that makes the campaign
plan and finds the requirements that hold each mission back (counterfactual re-solves).
"""

from __future__ import annotations

import math
import time as _time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ortools.sat.python import cp_model

from stationplan.errors import InfeasibleError, TimeLimitError
from stationplan.launch.sites import Site
from stationplan.launch.vehicles import Vehicle
from stationplan.orbit.timescale import datetime_to_jd
from stationplan.planning import (
    Aboard,
    Counterfactual,
    Holder,
    Minute,
    Requirement,
    SharedModel,
    SolveSettings,
    Visit,
    Window,
    abs_var,
    add_capacity_at_arrival,
    add_launch_separation,
    add_not_before,
    add_port_exclusion,
    add_precedence,
    add_quota,
    add_window_choice,
    add_within,
    explain_infeasibility,
    find_relaxation,
    hint_from,
    new_solver,
    widen_spans,
)
from stationplan.station.campaign import (
    Campaign,
    CampaignFile,
    DayRange,
    Dependency,
    Mission,
    Pad,
    SeatQuota,
)
from stationplan.station.campaign_windows import (
    Candidate,
    campaign_candidates,
    mission_opportunities,
    stale_launch_warnings,
)
from stationplan.station.model import Station

__all__ = [
    "MissionPlan",
    "Requirement",
    "Schedule",
    "SolveSettings",
    "TimelineEvent",
    "VisitPlan",
    "plan_campaign",
    "relax_campaign",
    "schedule_campaign",
    "widen_windows",
]

MIN_PER_DAY = 1440

#: Weight of a minute of launch deviation against a minute of stay, departure or
#: transposition deviation in the second objective stage.
LAUNCH_WEIGHT = 10


@dataclass(frozen=True)
class Binding:
    """A requirement that holds a mission back: without it (re-solved, every other
    requirement kept) the mission launches ``gain_h`` hours earlier, or nearer its
    preferred date."""

    family: str
    missions: tuple[str, ...]
    sentence: str
    gain_h: float


@dataclass(frozen=True)
class MissionPlan:
    """The plan of one mission. Times are UTC; ``deviation_h`` is launch minus preferred."""

    name: str
    kind: str
    vehicle: str
    site: str
    profile: str
    launch_utc: datetime
    docking_utc: datetime
    port: str
    departure_utc: datetime | None
    stay_days: float | None
    transposition_utc: datetime | None
    berth: str | None
    crew: tuple[str, ...]
    agencies: tuple[str, ...]
    preferred_utc: datetime | None
    deviation_h: float | None
    phase_angle_deg: float
    candidates: int
    reason: str
    cargo_kg: dict[str, float]
    #: Requirements whose removal alone lets this mission launch earlier (or nearer its
    #: preferred date), checked by re-solving without each; first by effect.
    binding: tuple[Binding, ...] = ()


@dataclass(frozen=True)
class VisitPlan:
    """A vehicle docked at the campaign start: its port and planned departure (UTC)."""

    name: str
    vehicle: str
    port: str
    docked_utc: datetime
    departure_utc: datetime
    crew: tuple[str, ...]


@dataclass(frozen=True)
class TimelineEvent:
    """A station event: ``kind`` in launch, docking, transposition, departure; the crew aboard
    and vehicles docked just after it."""

    time_utc: datetime
    kind: str
    mission: str
    port: str
    text: str
    crew_aboard: int
    vehicles_docked: int


@dataclass(frozen=True)
class Relaxation:
    """The smallest change found that makes an infeasible campaign plan: drop (or, for a
    stay, widen to ``stay_days``) the requirement; checked by re-solving without it."""

    requirement: Requirement
    advice: str
    stay_days: tuple[float, float] | None = None
    #: For a "window" relaxation: mission name -> widened launch window (UTC).
    windows: dict[str, tuple[datetime, datetime]] | None = None


class NoScheduleError(InfeasibleError):
    """Proven infeasible (exit code 2), with the relaxation that makes it plan, if found."""

    def __init__(self, message: str, relaxation: Relaxation | None = None) -> None:
        super().__init__(message)
        self.relaxation = relaxation


@dataclass(frozen=True)
class Schedule:
    """A feasible, optimised campaign schedule."""

    campaign: str
    station: str
    start_utc: datetime
    completion_utc: datetime
    missions: tuple[MissionPlan, ...]
    initial: tuple[VisitPlan, ...]
    timeline: tuple[TimelineEvent, ...]
    candidates: dict[str, tuple[Candidate, ...]]
    status: str
    solve_s: float
    deviation_min: int  # sum over missions of |launch − preferred|, minutes
    warnings: tuple[str, ...] = ()


# ----------------------------------------------------------------------------- model


@dataclass
class _Model:
    """The built campaign model: the shared model (requirements, literals, witnesses) and
    the station's variables by mission name."""

    shared: SharedModel
    horizon: int
    windows: dict[str, Window]
    visits: dict[str, Visit]
    move: dict[str, cp_model.IntVar]
    moved: dict[str, cp_model.IntVar]
    berth: dict[str, dict[str, cp_model.IntVar]]
    completion: cp_model.IntVar
    deviation: cp_model.LinearExprT

    @property
    def model(self) -> cp_model.CpModel:
        return self.shared.model


def _minutes(when: datetime, start: datetime) -> int:
    return round((when - start).total_seconds() / 60.0)


def _day_range_min(days: DayRange) -> tuple[int, int]:
    return round(days.min * MIN_PER_DAY), round(days.max * MIN_PER_DAY)


def _fmt(when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M")


def _names(names: Sequence[str]) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _stay_range(mission: Mission, station: Station, vehicle: Vehicle) -> tuple[float, float]:
    """Allowed stay (days) of a visiting vehicle: the campaign's, else up to the station's
    limit for that vehicle, else one year."""
    if mission.stay_days is not None:
        return mission.stay_days.min, mission.stay_days.max
    return 0.0, station.max_stay(vehicle.id) or 365.0


def _build(
    campaign: Campaign,
    station: Station,
    vehicles: Mapping[str, Vehicle],
    sites: Mapping[str, str],
    candidates: Mapping[str, Sequence[Candidate]],
    windows_min: Mapping[str, tuple[int, int]] | None = None,
    site_table: Mapping[str, Site] | None = None,
) -> _Model:
    """The CP-SAT model of the campaign, composed of the families of
    :mod:`stationplan.planning`, every requirement behind an assumption literal.

    ``windows_min``: missions whose candidates reach beyond their launch window, with the
    window (minutes): each gets a widenable "window" requirement (for the search of the
    smallest widening; the missions' own candidates need none). ``site_table``: the sites
    the campaign resolved (for their separations; default the bundled table)."""
    start = campaign.start
    shared = SharedModel(start_utc=start)
    model = shared.model
    value = shared.value
    at = shared.at

    # --- Data: candidate launch and docking minutes; the horizon covers every stay.
    launch_min = {
        m.name: [_minutes(c.launch_utc, start) for c in candidates[m.name]]
        for m in campaign.missions
    }
    dock_min = {
        m.name: [_minutes(c.docking_utc, start) for c in candidates[m.name]]
        for m in campaign.missions
    }
    stay_days = {
        m.name: _stay_range(m, station, vehicles[m.name])
        for m in campaign.missions
        if m.kind != "module"
    }
    horizon = 1 + max(
        [max(dock_min[n]) + round(stay_days.get(n, (0, 0))[1] * MIN_PER_DAY) for n in dock_min]
        + [_minutes(d.departure.latest, start) for d in campaign.initial.docked]
        + [
            max(dock_min[m.name]) + round(m.transpose.after_days.max * MIN_PER_DAY)
            for m in campaign.missions
            if m.transpose is not None
        ]
    )
    shared.horizon = horizon
    transposition_min = max(1, round(station.transposition_h * 60.0))

    # --- Windows: a candidate choice per mission, its launch and docking minute; then its
    #     departure and port, and for a lab module its move to a berth.
    windows: dict[str, Window] = {}
    visits: dict[str, Visit] = {}
    move: dict[str, cp_model.IntVar] = {}
    moved: dict[str, cp_model.IntVar] = {}
    berth: dict[str, dict[str, cp_model.IntVar]] = {}
    for m in campaign.missions:
        n = m.name
        windows[n] = window = add_window_choice(shared, n, launch_min[n], dock_min[n])
        dock = window.arrive
        depart = None
        depart_range = (horizon, horizon)
        if m.kind != "module":
            lo, hi = stay_days[n]
            depart_range = (
                min(dock_min[n]) + round(lo * MIN_PER_DAY),
                max(dock_min[n]) + round(hi * MIN_PER_DAY),
            )
            depart = model.new_int_var(0, horizon, f"depart[{n}]")
            model.add(depart >= dock + 1)  # a vehicle leaves after it docks (physics, not policy)
        visit = Visit(
            n,
            m.kind,
            len(m.crew),
            False,
            dock,
            depart,
            (min(dock_min[n]), max(dock_min[n])),
            depart_range,
        )
        allowed = m.ports or list(station.docking_ports(vehicles[n]))
        for port in allowed:
            visit.ports[port] = model.new_bool_var(f"port[{n},{port}]")
        model.add_exactly_one(list(visit.ports.values()))
        visits[n] = visit
        if m.transpose is not None:
            move[n] = model.new_int_var(0, horizon, f"move[{n}]")
            moved[n] = model.new_int_var(0, horizon, f"moved[{n}]")
            model.add(moved[n] == move[n] + transposition_min)
            model.add(move[n] >= dock)  # a module moves after it docks
            berth[n] = {b: model.new_bool_var(f"berth[{n},{b}]") for b in m.transpose.to}
            model.add_exactly_one(list(berth[n].values()))
    launch = {n: w.launch for n, w in windows.items()}
    for d in campaign.initial.docked:
        lo, hi = _minutes(d.departure.earliest, start), _minutes(d.departure.latest, start)
        visit = Visit(
            d.name,
            vehicles[d.name].kind,
            len(d.crew),
            True,
            0,
            model.new_int_var(0, horizon, f"depart[{d.name}]"),
            (0, 0),
            (max(lo, 0), max(hi, 0)),
        )
        visit.ports[d.port] = True
        visits[d.name] = visit

    def depart_of(name: str) -> cp_model.IntVar:
        """The departure of a vehicle that leaves: every visit but a module (load_campaign
        rejects stays, handovers and "departed" dependencies on modules)."""
        depart = visits[name].depart
        assert depart is not None, f"{name} is a module and never departs"
        return depart

    # --- Stays: a visiting vehicle leaves within its allowed stay after docking.
    for m in campaign.missions:
        if m.kind == "module":
            continue
        v = visits[m.name]
        stay = v.depart - v.dock if v.depart is not None else 0
        lo, hi = stay_days[m.name]
        add_within(
            shared,
            "stay",
            [m.name],
            stay,
            round(lo * MIN_PER_DAY),
            round(hi * MIN_PER_DAY),
            f"{m.name} stays {lo:g}–{hi:g} days",
            _range_note(value, stay, lo, hi, "it would stay {} d"),
            widenable=True,
        )

    # --- Vehicles docked at the start leave within their departure window.
    for d in campaign.initial.docked:
        v = visits[d.name]
        leave = depart_of(d.name)

        def departure_witness(
            s: cp_model.CpSolver, v: Visit = v, leave: cp_model.IntVar = leave
        ) -> str:
            if v.depart_range[0] <= value(s, leave) <= v.depart_range[1]:
                return ""
            return f"(it would leave {at(s, leave)})"

        add_within(
            shared,
            "departure",
            [d.name],
            leave,
            v.depart_range[0],
            v.depart_range[1],
            f"{d.name} leaves between {_fmt(d.departure.earliest)} and {_fmt(d.departure.latest)}",
            departure_witness,
        )

    # --- Lab modules move from their docking port to a lateral berth within the allowed delay.
    for m in campaign.missions:
        if m.transpose is None:
            continue
        lo, hi = _day_range_min(m.transpose.after_days)
        add_within(
            shared,
            "transposition",
            [m.name],
            move[m.name] - visits[m.name].dock,
            lo,
            hi,
            f"{m.name} is transposed {m.transpose.after_days.min:g}–"
            f"{m.transpose.after_days.max:g} days after docking",
        )

    # --- One vehicle per port at a time. A port is held from docking to departure; a lab
    #     module holds its docking port until its transposition ends and its berth for good
    #     from the moment the transposition starts (the move is its own interval).
    occupants: dict[str, list[Holder]] = {}
    for v in visits.values():
        for port, present in v.ports.items():
            end: Minute
            if v.name in move:
                end = moved[v.name]
                latest_end = horizon
            elif v.depart is None:
                end, latest_end = horizon, horizon
            else:
                end, latest_end = v.depart, v.depart_range[1]
            occupants.setdefault(port, []).append(
                (v.name, v.dock, end, present, (v.dock_range[0], latest_end))
            )
    for n, berths in berth.items():
        for port, present in berths.items():
            occupants.setdefault(port, []).append(
                (n, move[n], horizon, present, (visits[n].dock_range[0], horizon))
            )
    for module, port in campaign.initial.berths.items():
        occupants.setdefault(port, []).append((module, 0, horizon, True, (0, horizon)))
    for port, holders in occupants.items():
        add_port_exclusion(shared, port, holders)

    aboard = Aboard(shared)

    # --- Node limit: at every arrival at the node, the visiting vehicles there (weighted:
    #     long stays count more) fit the node; modules do not count.
    node = station.node
    if node is not None:

        def at_node(v: Visit) -> cp_model.IntVar | bool:
            ports = [p for port, p in v.ports.items() if port in node.ports]
            if any(p is True for p in ports):
                return True
            if not ports:
                return False
            flag = model.new_bool_var(f"at_node[{v.name}]")
            model.add(flag == sum(ports))
            return flag

        def stay_max_days(v: Visit) -> float:
            return (v.depart_range[1] - v.dock_range[0]) / MIN_PER_DAY

        vehicles_at_node = {v.name: (v, at_node(v)) for v in visits.values() if v.kind != "module"}
        for j, at_j in vehicles_at_node.values():
            if j.initial or at_j is False:
                continue
            there_at_j: list[tuple[str, int, cp_model.IntVar]] = []
            for i, at_i in vehicles_at_node.values():
                if i is j or at_i is False:
                    continue
                flag = aboard.when(i, j)
                if flag is None:
                    continue
                if at_i is not True:
                    there = model.new_bool_var(f"node[{i.name}@{j.name}]")
                    model.add_bool_or([flag.Not(), at_i.Not(), there])
                    flag = there
                there_at_j.append((i.name, node.weight(stay_max_days(i)), flag))
            if not there_at_j:
                continue
            add_capacity_at_arrival(
                shared,
                "node",
                j.name,
                node.weight(stay_max_days(j)),
                there_at_j,
                node.capacity,
                f"the node takes {node.short_stay} short-stay or {node.long_stay} long-stay "
                f"vehicles when {j.name} arrives",
                enforce_if=[] if at_j is True else [at_j],
            )

    # --- Crew aboard: at every crew arrival the crew aboard stays within the nominal
    #     capacity, or within the handover cap when the arriving crew relieves another.
    crewed = [v for v in visits.values() if v.crew > 0]
    for j in crewed:
        if j.initial:
            continue
        mission = campaign.mission(j.name)
        cap = station.crew_handover if mission.handover is not None else station.crew_nominal
        cap_name = "handover cap" if cap == station.crew_handover else "nominal capacity"
        aboard_at_j: list[tuple[Visit, cp_model.IntVar]] = []
        for i in crewed:
            if i is j:
                continue
            flag = aboard.when(i, j)
            if flag is not None:
                aboard_at_j.append((i, flag))
        if not aboard_at_j and j.crew <= cap:
            continue

        def crew_witness(
            s: cp_model.CpSolver,
            j: Visit = j,
            terms: tuple[tuple[Visit, cp_model.IntVar], ...] = tuple(aboard_at_j),
            cap: int = cap,
            cap_name: str = cap_name,
        ) -> str:
            there = [i for i, flag in terms if s.boolean_value(flag)]
            total = j.crew + sum(i.crew for i in there)
            if total <= cap:
                return ""
            return (
                f"{total} crew aboard from {at(s, j.dock)}: {j.name} arrives before "
                f"{_names([i.name for i in there])} "
                f"{'leaves' if len(there) == 1 else 'leave'} and the {cap_name} is {cap}"
            )

        add_capacity_at_arrival(
            shared,
            "crew",
            j.name,
            j.crew,
            [(i.name, i.crew, flag) for i, flag in aboard_at_j],
            cap,
            f"crew aboard when {j.name} arrives stays within the {cap_name} of {cap}",
            crew_witness,
        )

    # --- Handover: the incoming crew docks while the outgoing one is aboard, their overlap
    #     (outgoing departure minus incoming docking) within the agreed bounds.
    for m in campaign.missions:
        if m.handover is None:
            continue
        incoming, outgoing = visits[m.name], visits[m.handover.with_]
        lo, hi = _day_range_min(m.handover.overlap_days)
        overlap = depart_of(outgoing.name) - incoming.dock
        bounds = m.handover.overlap_days
        add_within(
            shared,
            "handover",
            [m.name, outgoing.name],
            overlap,
            lo,
            hi,
            f"{m.name} docks {bounds.min:g}–{bounds.max:g} "
            f"days before {outgoing.name} leaves (handover)",
            _range_note(value, overlap, bounds.min, bounds.max, "the overlap would be {} d"),
        )

    # --- Dependencies: a mission launches only after the event it waits for.
    def event_time(name: str, event: str) -> cp_model.LinearExprT:
        if event == "launched":
            return launch[name]
        if event == "docked":
            return visits[name].dock
        if event == "transposed":
            return moved[name]
        return depart_of(name)  # departed

    for m in campaign.missions:
        for dep in m.after:
            when = event_time(dep.mission, dep.event)
            gap = round(dep.days * MIN_PER_DAY)

            def dependency_witness(
                s: cp_model.CpSolver, w: cp_model.LinearExprT = when, d: Dependency = dep
            ) -> str:
                return f"({d.mission} {d.event} {at(s, w)})"

            add_precedence(
                shared,
                m.name,
                dep.mission,
                launch[m.name],
                when,
                gap,
                f"{m.name} (window {_fmt(m.launch.earliest)} to {_fmt(m.launch.latest)}) "
                f"launches after {dep.describe()}",
                dependency_witness,
            )

    # --- Pad turnaround: launches from one pad are at least its turnaround apart.
    def pair_witness(a: str, b: str) -> Callable[[cp_model.CpSolver], str]:
        def note(s: cp_model.CpSolver) -> str:
            return f"({a} {at(s, launch[a])}, {b} {at(s, launch[b])})"

        return note

    def pad_sentence(pad: Pad) -> Callable[[str, str], str]:
        return lambda a, b: (
            f"{a} and {b} launch from pad {pad.id} at least {pad.turnaround_days:g} days apart"
        )

    def site_sentence(site_id: str, separation_h: float) -> Callable[[str, str], str]:
        return lambda a, b: (
            f"{a} and {b} launch from site {site_id} at least {separation_h:g} h apart"
        )

    for pad in campaign.pads:
        users = [
            m.name
            for m in campaign.missions
            if sites[m.name] == pad.site and m.vehicle in pad.vehicles
        ]
        add_launch_separation(
            shared,
            "pad",
            users,
            launch,
            launch_min,
            round(pad.turnaround_days * MIN_PER_DAY),
            pad_sentence(pad),
            pair_witness,
            key=pad.id,
        )

    # --- Site separation: launches from one site (any pad) at least its separation apart
    # (range safety, tracking and recovery are shared by the site's pads).
    by_site: dict[str, list[str]] = {}
    for m in campaign.missions:
        by_site.setdefault(sites[m.name], []).append(m.name)
    for site_id, users in by_site.items():
        separation_h = campaign.separation_h(site_id, site_table)
        add_launch_separation(
            shared,
            "site",
            users,
            launch,
            launch_min,
            round(separation_h * 60.0),
            site_sentence(site_id, separation_h),
            pair_witness,
            key=site_id,
        )

    # --- Seat quotas: seats of an agency on crew launches within a period.
    for quota_index, quota in enumerate(campaign.quotas):
        lo, hi = _minutes(quota.start, start), _minutes(quota.end, start)

        def quota_witness(
            s: cp_model.CpSolver, quota: SeatQuota = quota, lo: int = lo, hi: int = hi
        ) -> str:
            flown = [
                f"{m.name} ({sum(1 for c in m.crew if c.agency == quota.agency)})"
                for m in campaign.missions
                if any(c.agency == quota.agency for c in m.crew)
                and lo <= value(s, launch[m.name]) < hi
            ]
            return f"(seats flown: {', '.join(flown)})" if flown else ""

        def quota_sentence(flyers: Sequence[str], quota: SeatQuota = quota) -> str:
            return (
                f"{quota.agency} has {quota.max_seats} seat(s) from {quota.start:%Y-%m-%d} to "
                f"{quota.end:%Y-%m-%d}, wanted by {_names(flyers)}"
            )

        add_quota(
            shared,
            [
                (m.name, sum(1 for c in m.crew if c.agency == quota.agency), windows[m.name])
                for m in campaign.missions
            ],
            lo,
            hi,
            quota.max_seats,
            quota_sentence,
            quota_witness,
            key=str(quota_index),
        )

    # --- Readiness: a crew member flies only once trained.
    for m in campaign.missions:
        for member in m.crew:
            if member.ready is None:
                continue
            add_not_before(
                shared,
                m.name,
                windows[m.name].choose,
                launch_min[m.name],
                _minutes(member.ready, start),
                f"{m.name} launches once {member.name} ({member.agency}) is ready on "
                f"{member.ready:%Y-%m-%d}",
                key=member.name,
            )

    # --- Launch windows, where candidates reach beyond them (widening search only).
    for name, (lo, hi) in (windows_min or {}).items():
        add_within(
            shared,
            "window",
            [name],
            launch[name],
            lo,
            hi,
            f"{name} launches between {shared.clock(lo)} and {shared.clock(hi)}",
            widenable=True,
        )

    # --- Objective data: completion (last docking or transposition), deviations in minutes.
    #     A minute of launch slip weighs LAUNCH_WEIGHT minutes of stay, departure or
    #     transposition change: partners plan around launch dates; stays flex first.
    completion = model.new_int_var(0, horizon, "completion")
    for m in campaign.missions:
        model.add(completion >= (moved[m.name] if m.name in moved else visits[m.name].dock))
    deviation_terms: list[cp_model.LinearExprT] = []
    for m in campaign.missions:
        if m.launch.preferred is not None:
            p = _minutes(m.launch.preferred, start)
            window = windows[m.name]
            deviation_terms.append(
                LAUNCH_WEIGHT
                * sum(abs(t - p) * b for t, b in zip(window.launch_min, window.choose, strict=True))
            )
        v = visits[m.name]
        if m.stay_days is not None and m.stay_days.preferred is not None:
            deviation_terms.append(
                abs_var(
                    model,
                    depart_of(m.name) - v.dock - round(m.stay_days.preferred * MIN_PER_DAY),
                    horizon,
                )
            )
        if m.transpose is not None and m.transpose.after_days.preferred is not None:
            target = round(m.transpose.after_days.preferred * MIN_PER_DAY)
            deviation_terms.append(abs_var(model, move[m.name] - v.dock - target, horizon))
    for d in campaign.initial.docked:
        if d.departure.preferred is not None:
            p = _minutes(d.departure.preferred, start)
            deviation_terms.append(abs_var(model, depart_of(d.name) - p, horizon))

    model.add_assumptions(shared.literals)
    return _Model(
        shared, horizon, windows, visits, move, moved, berth, completion, sum(deviation_terms)
    )


def _range_note(
    value: Callable[[cp_model.CpSolver, cp_model.LinearExprT], int],
    expr: cp_model.LinearExprT,
    lo: float,
    hi: float,
    template: str,
) -> Callable[[cp_model.CpSolver], str]:
    """Witness text for a duration ``expr`` (minutes) that must lie within [lo, hi] days."""

    def note(solver: cp_model.CpSolver) -> str:
        return _outside(value(solver, expr) / MIN_PER_DAY, lo, hi, template)

    return note


def _outside(value: float, lo: float, hi: float, template: str) -> str:
    """A parenthesised note when ``value`` lies outside [lo, hi], else ""."""
    if lo - 1e-9 <= value <= hi + 1e-9:
        return ""
    return "(" + template.format(f"{value:.1f}") + ")"


# ----------------------------------------------------------------------------- solving


# ----------------------------------------------------------------------------- solving


def schedule_campaign(
    campaign: Campaign,
    station: Station,
    vehicles: Mapping[str, Vehicle],
    sites: Mapping[str, str],
    candidates: Mapping[str, Sequence[Candidate]],
    settings: SolveSettings | None = None,
    warnings: Sequence[str] = (),
    window_candidates: WindowSearch | None = None,
    site_table: Mapping[str, Site] | None = None,
) -> Schedule:
    """Schedule ``campaign`` on ``station``: every mission on one of its ``candidates``.

    ``vehicles``/``sites``: mission (and docked-vehicle) name -> Vehicle / site id, as
    resolved by :func:`stationplan.station.campaign.load_campaign`. Returns the schedule with
    completion minimised, then deviations from preferred dates. Raises
    :class:`InfeasibleError` when a mission has no candidate or when no schedule
    exists (proven); the message lists the conflicting requirements in domain words.
    Raises :class:`TimeLimitError` when the solver stops at its time limit with
    neither a schedule nor a proof that none exists. ``window_candidates`` (mission name,
    earliest, latest -> candidates) lets a mission without any opportunity get the
    smallest widening of its window that makes the campaign plan
    (:class:`NoScheduleError` with that relaxation). ``site_table``: the sites the
    campaign resolved (:attr:`CampaignFile.site_table`; default the bundled table), for
    the site separations.
    """
    settings = settings or SolveSettings()
    empty = [m for m in campaign.missions if not candidates.get(m.name)]
    if empty:
        message = "; ".join(
            f"no opportunity between {_fmt(m.launch.earliest)} and {_fmt(m.launch.latest)} "
            f"for {m.name} ({vehicles[m.name].id}) from {sites[m.name]}"
            for m in empty
        )
        widening = None
        if window_candidates is not None:
            widening = widen_windows(
                campaign,
                station,
                vehicles,
                sites,
                candidates,
                [m.name for m in empty],
                window_candidates,
                settings,
                site_table,
            )
        if widening is None:
            raise InfeasibleError(message)
        raise NoScheduleError(
            f"{message}\nto plan: {widening.advice} (checked by re-solving)", widening
        )
    clock = _time.perf_counter()
    built = _build(campaign, station, vehicles, sites, candidates, site_table=site_table)
    model = built.model

    # Stage 1: earliest completion.
    model.minimize(built.completion)
    solver = new_solver(settings)
    status = solver.solve(model)
    if status == cp_model.INFEASIBLE:
        message = explain_infeasibility(built.shared, settings, _SHARED_RESOURCES)
        relaxation = suggest_relaxation(built, settings)
        if relaxation is not None:
            message += f"\nto plan: {relaxation.advice} (checked by re-solving)"
        raise NoScheduleError(message, relaxation)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # UNKNOWN: the search stopped at its limit with neither a schedule nor a proof
        # that none exists. That is not infeasibility (exit 2) but a time-out (exit 4).
        raise TimeLimitError(
            f"no schedule found within the time limit of {settings.time_limit_s:g} s per "
            f"stage, and none proven impossible (solver status {solver.status_name(status)}); "
            "raise --time-limit"
        )
    best_completion = int(solver.value(built.completion))
    proven = status == cp_model.OPTIMAL

    # Stage 2: fewest minutes of deviation from preferred dates at that completion.
    hint_from(model, solver)
    unbounded = model.clone()  # before the completion bound: for the counterfactual re-solves
    model.add(built.completion <= best_completion)
    model.minimize(built.deviation)
    second = new_solver(settings)
    status2 = second.solve(model)
    if status2 in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        solver, proven = second, proven and status2 == cp_model.OPTIMAL
    elapsed = _time.perf_counter() - clock
    schedule = _extract(
        built,
        solver,
        campaign,
        station,
        vehicles,
        sites,
        candidates,
        "OPTIMAL" if proven else "FEASIBLE",
        elapsed,
        tuple(warnings),
        site_table,
    )
    return _counterfactual_reasons(schedule, built, unbounded, solver, campaign, settings)


#: Seconds per counterfactual re-solve, and for all of them: reasons must stay cheap (the
#: 40-mission benchmark plans in < 10 s with them). A re-solve stopped early still proves a
#: requirement binds when its best schedule is better than the plan's.
_REASON_SOLVE_S = 1.0
_REASON_BUDGET_S = 2.5
#: Binding requirements named in a reason (the rest stay in ``binding``).
_REASON_NAMES = 3


def _counterfactual_reasons(
    schedule: Schedule,
    built: _Model,
    model: cp_model.CpModel,
    solver: cp_model.CpSolver,
    campaign: Campaign,
    settings: SolveSettings,
) -> Schedule:
    """Each mission later than its earliest opportunity (or off the one nearest its preferred
    date) gets the requirements whose removal alone lets it launch earlier (nearer): for
    each requirement naming the mission, ``model`` (the campaign without the completion
    bound) is re-solved with every other assumption literal kept, minimising that mission's
    launch minute (or its distance to the preferred minute), hinted by the plan, the other
    missions on their planned opportunities (:class:`Counterfactual`). Binding: the
    re-solve beats the same re-solve with every requirement kept. Sorted by effect."""
    counterfactual = Counterfactual(
        built.shared, model, solver, settings, _REASON_BUDGET_S, _REASON_SOLVE_S
    )
    plans = list(schedule.missions)
    chosen = {
        p.name: next(
            j for j, c in enumerate(schedule.candidates[p.name]) if c.launch_utc == p.launch_utc
        )
        for p in plans
    }
    for i, plan in enumerate(plans):
        mission = campaign.mission(plan.name)
        options = schedule.candidates[plan.name]
        k = chosen[plan.name]
        preferred = mission.launch.preferred
        if preferred is None:
            best = 0
        else:
            best = min(range(len(options)), key=lambda j: abs(options[j].launch_utc - preferred))
        if k == best:
            continue  # already the earliest (nearest) opportunity: the old reason stands
        launch = counterfactual.literal(built.windows[plan.name].launch)
        if preferred is None:
            target: cp_model.LinearExprT = launch
        else:
            pref_min = _minutes(preferred, campaign.start)
            target = abs_var(model, launch - pref_min, built.horizon + abs(pref_min))

        planned = abs(
            _minutes(plan.launch_utc, campaign.start)
            - (0 if preferred is None else _minutes(preferred, campaign.start))
        )
        # The other missions keep their planned opportunities: what holds this one back
        # given the rest of the plan (departures, ports, moves stay free).
        others = [
            counterfactual.literal(built.windows[p.name].choose[chosen[p.name]])
            for p in plans
            if p.name != plan.name
        ]
        verdict = counterfactual.verdict(plan.name, target, planned, others)
        if verdict.free is None:
            continue  # out of time: the heuristic reason stands
        found = [
            Binding(
                e.requirement.family, e.requirement.missions, e.requirement.sentence, e.gain / 60.0
            )
            for e in verdict.binding
        ]
        toward = "earlier" if preferred is None else "nearer its preferred date"
        if found:
            reason = "; ".join(
                f"{b.family}: {b.sentence} (at least {b.gain_h:.1f} h {toward} without it)"
                for b in found[:_REASON_NAMES]
            )
        elif not verdict.complete:
            continue  # not every requirement checked in time: the heuristic reason stands
        elif verdict.free:
            reason = (
                f"could launch {toward} with the rest of the plan unchanged, but the "
                "campaign would complete later or stray further from preferred dates"
            )
        else:
            reason = plans[i].reason + " (several requirements together; none alone)"
        plans[i] = replace(plan, reason=reason, binding=tuple(found))
    counterfactual.close()
    return replace(schedule, missions=tuple(plans))


#: Requirement families about shared resources: the witness schedule breaks these first.
_SHARED_RESOURCES = ("port", "node", "crew", "pad", "site", "quota")

#: Families a planner may relax, in the order tried: commercial and policy limits before
#: the timeline of the missions themselves. Ports, node and crew capacity are physical.
_RELAXABLE = ("quota", "readiness", "pad", "site", "dependency", "handover", "stay")


#: A mission's launch candidates within a window: (mission name, earliest, latest) -> them.
WindowSearch = Callable[[str, datetime, datetime], Sequence[Candidate]]

#: Widenings tried (days on each side of an empty window), smallest first.
_WIDEN_DAYS = (1, 3, 7, 15, 30)


def widen_windows(
    campaign: Campaign,
    station: Station,
    vehicles: Mapping[str, Vehicle],
    sites: Mapping[str, str],
    candidates: Mapping[str, Sequence[Candidate]],
    names: Sequence[str],
    window_candidates: WindowSearch,
    settings: SolveSettings,
    site_table: Mapping[str, Site] | None = None,
) -> Relaxation | None:
    """The smallest widening (whole days, earlier or later) of the launch windows of
    ``names`` (missions without an opportunity) that makes the campaign plan.

    For each widening in :data:`_WIDEN_DAYS` the missions get the candidates of their
    window widened that much on both sides (never before the campaign start), each behind
    a widenable "window" requirement; dropping those together and minimising the minutes
    outside the windows (:func:`widen_spans`) gives the launch each needs, rounded up to
    whole days. The widened campaign is then checked by re-solving on its own
    candidates. None if no widening up to the largest does."""
    start = campaign.start
    for days in _WIDEN_DAYS:
        wide = dict(candidates)
        windows_min = {}
        for name in names:
            launch = campaign.mission(name).launch
            earliest = max(start, launch.earliest - timedelta(days=days))
            wide[name] = list(
                window_candidates(name, earliest, launch.latest + timedelta(days=days))
            )
            windows_min[name] = (_minutes(launch.earliest, start), _minutes(launch.latest, start))
        if any(not wide[name] for name in names):
            continue
        built = _build(campaign, station, vehicles, sites, wide, windows_min, site_table)
        spans = {
            built.shared.requirements[i].missions[0]: i
            for i in built.shared.spans
            if built.shared.requirements[i].family == "window"
        }
        needed = widen_spans(built.shared, settings, list(spans.values()))
        if needed is None:
            continue
        new_windows: dict[str, tuple[datetime, datetime]] = {}
        advice = []
        for name in names:
            launch = campaign.mission(name).launch
            lo, hi = windows_min[name]
            at = needed[spans[name]]
            if at < lo:
                by = max(1, math.ceil((lo - at) / MIN_PER_DAY))
                new = (max(start, launch.earliest - timedelta(days=by)), launch.latest)
                side = "earlier"
            else:
                by = max(1, math.ceil((at - hi) / MIN_PER_DAY))
                new = (launch.earliest, launch.latest + timedelta(days=by))
                side = "later"
            new_windows[name] = new
            advice.append(
                f"widen the launch window of {name} by {by} day{'s' if by > 1 else ''} {side} "
                f"(to {_fmt(new[0])} – {_fmt(new[1])})"
            )
        relaxed = relax_campaign(
            campaign, Relaxation(Requirement("window", tuple(names), ""), "", windows=new_windows)
        )
        check = dict(candidates)
        for name, (earliest, latest) in new_windows.items():
            check[name] = list(window_candidates(name, earliest, latest))
        if any(not check[name] for name in names):
            continue
        checked = _build(relaxed, station, vehicles, sites, check, site_table=site_table)
        checked.model.clear_objective()
        if new_solver(settings).solve(checked.model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            continue
        requirement = built.shared.requirements[spans[names[0]]]
        if len(names) > 1:
            requirement = Requirement(
                "window",
                tuple(names),
                "; ".join(built.shared.requirements[spans[n]].sentence for n in names),
            )
        return Relaxation(requirement, "; ".join(advice), windows=new_windows)
    return None


def suggest_relaxation(built: _Model, settings: SolveSettings) -> Relaxation | None:
    """The first requirement (in :data:`_RELAXABLE` order) whose removal alone makes the
    model feasible, checked by re-solving with every other assumption literal
    (:func:`find_relaxation`); for a stay, the stay of that schedule gives the smallest
    widening (whole days). None if none does."""
    relief = find_relaxation(built.shared, settings, _RELAXABLE)
    if relief is None:
        return None
    req = relief.requirement
    if req.family == "stay" and relief.span is not None and relief.value is not None:
        span = relief.span
        assert span is not None
        lo_d, hi_d = span.lo_min / MIN_PER_DAY, span.hi_min / MIN_PER_DAY
        days = relief.value / MIN_PER_DAY
        new = (min(lo_d, math.floor(days)), max(hi_d, math.ceil(days)))
        return Relaxation(
            req,
            f"widen the stay of {req.missions[0]} from {lo_d:g}–{hi_d:g} to "
            f"{new[0]:g}–{new[1]:g} days",
            new,
        )
    return Relaxation(req, f"drop the requirement '{req.sentence}'")


def relax_campaign(campaign: Campaign, relaxation: Relaxation) -> Campaign:
    """``campaign`` with ``relaxation`` applied: the requirement removed from the file (or
    the stay widened), as a planner would edit it."""
    req = relaxation.requirement
    doc = campaign.model_dump(by_alias=True)
    missions = {m["name"]: m for m in doc["missions"]}
    if req.family == "quota":
        del doc["quotas"][int(req.key)]
    elif req.family == "pad":
        doc["pads"] = [p for p in doc["pads"] if p["id"] != req.key]
    elif req.family == "site":
        doc["site_separation_h"][req.key] = 0.0
    elif req.family == "readiness":
        for member in missions[req.missions[0]]["crew"]:
            if member["name"] == req.key:
                member["ready"] = None
    elif req.family == "dependency":
        mission = missions[req.missions[0]]
        mission["after"] = [d for d in mission["after"] if d["mission"] != req.missions[1]]
    elif req.family == "handover":
        missions[req.missions[0]]["handover"] = None
    elif req.family == "stay" and relaxation.stay_days is not None:
        lo, hi = relaxation.stay_days
        missions[req.missions[0]]["stay_days"] = {"min": lo, "max": hi}
    elif req.family == "window" and relaxation.windows is not None:
        for name, (earliest, latest) in relaxation.windows.items():
            missions[name]["launch"]["earliest"] = earliest
            missions[name]["launch"]["latest"] = latest
    return Campaign.model_validate(doc)


# ----------------------------------------------------------------------------- results


def _extract(
    built: _Model,
    solver: cp_model.CpSolver,
    campaign: Campaign,
    station: Station,
    vehicles: Mapping[str, Vehicle],
    sites: Mapping[str, str],
    candidates: Mapping[str, Sequence[Candidate]],
    status: str,
    elapsed: float,
    warnings: tuple[str, ...],
    site_table: Mapping[str, Site] | None = None,
) -> Schedule:
    start = campaign.start

    def utc(minutes: int) -> datetime:
        return start + timedelta(minutes=minutes)

    def val(expr) -> int:
        return int(solver.value(expr)) if not isinstance(expr, int) else expr

    chosen = {
        m.name: next(
            k for k, b in enumerate(built.windows[m.name].choose) if solver.boolean_value(b)
        )
        for m in campaign.missions
    }
    port_of = {
        name: next(p for p, b in v.ports.items() if b is True or solver.boolean_value(b))
        for name, v in built.visits.items()
    }
    plans = []
    for m in campaign.missions:
        c = candidates[m.name][chosen[m.name]]
        v = built.visits[m.name]
        depart = None if v.depart is None else utc(val(v.depart))
        transposition = utc(val(built.move[m.name])) if m.name in built.move else None
        berth_id = None
        if m.name in built.berth:
            berth_id = next(b for b, x in built.berth[m.name].items() if solver.boolean_value(x))
        plans.append(
            MissionPlan(
                name=m.name,
                kind=m.kind,
                vehicle=vehicles[m.name].id,
                site=sites[m.name],
                profile=c.profile,
                launch_utc=c.launch_utc,
                docking_utc=c.docking_utc,
                port=port_of[m.name],
                departure_utc=depart,
                stay_days=None
                if depart is None
                else (depart - c.docking_utc).total_seconds() / 86400.0,
                transposition_utc=transposition,
                berth=berth_id,
                crew=tuple(c_.name for c_ in m.crew),
                agencies=tuple(c_.agency for c_ in m.crew),
                preferred_utc=m.launch.preferred,
                deviation_h=None
                if m.launch.preferred is None
                else (c.launch_utc - m.launch.preferred).total_seconds() / 3600.0,
                phase_angle_deg=c.phase_angle_deg,
                candidates=len(candidates[m.name]),
                reason="",
                cargo_kg={k: float(v_) for k, v_ in m.cargo_kg.model_dump().items() if v_},
            )
        )
    completion = utc(val(built.completion))
    initial = tuple(
        VisitPlan(
            d.name,
            vehicles[d.name].id,
            d.port,
            d.docked,
            utc(val(built.visits[d.name].depart)),
            tuple(c.name for c in d.crew),
        )
        for d in campaign.initial.docked
    )
    plans = [
        _with_reason(p, campaign, candidates, chosen, plans, initial, completion, site_table)
        for p in plans
    ]
    timeline = _timeline(plans, initial, campaign, station)
    return Schedule(
        campaign=campaign.name,
        station=station.id,
        start_utc=start,
        completion_utc=completion,
        missions=tuple(plans),
        initial=initial,
        timeline=timeline,
        candidates={k: tuple(v) for k, v in candidates.items()},
        status=status,
        solve_s=elapsed,
        deviation_min=round(sum(abs(p.deviation_h or 0.0) for p in plans) * 60.0),
        warnings=warnings,
    )


def _with_reason(
    plan: MissionPlan,
    campaign: Campaign,
    candidates: Mapping[str, Sequence[Candidate]],
    chosen: Mapping[str, int],
    plans: Sequence[MissionPlan],
    initial: Sequence[VisitPlan],
    completion: datetime,
    site_table: Mapping[str, Site] | None = None,
) -> MissionPlan:
    """Why this opportunity: the constraint that rules out the next one toward the
    preferred date (or the earlier one when there is no preferred date), checked
    against the other missions' planned times."""
    mission = campaign.mission(plan.name)
    options = candidates[plan.name]
    k = chosen[plan.name]
    preferred = mission.launch.preferred
    by_name = {p.name: p for p in plans}
    if preferred is not None:
        nearest = min(range(len(options)), key=lambda i: abs(options[i].launch_utc - preferred))
        if nearest == k:
            return replace(plan, reason="opportunity nearest the preferred date")
        step = 1 if nearest > k else -1
    else:
        if k == 0:
            return replace(plan, reason="earliest opportunity in its window")
        step = -1
    other = options[k + step]
    later = step > 0
    word = "latest opportunity before" if later else "earliest opportunity after"

    # Dependencies of this mission on others.
    for dep in mission.after:
        event = _event_utc(dep.mission, dep.event, by_name, initial)
        if event is not None and other.launch_utc < event + timedelta(days=dep.days):
            return replace(plan, reason=f"{word} {dep.describe()}")
    # Others that wait for this mission.
    for m in campaign.missions:
        for dep in m.after:
            if dep.mission != plan.name:
                continue
            moved_event = {
                "launched": other.launch_utc,
                "docked": other.docking_utc,
            }.get(dep.event)
            if moved_event is not None and by_name[m.name].launch_utc < moved_event + timedelta(
                days=dep.days
            ):
                return replace(plan, reason=f"{m.name} waits for it to be {dep.event}")
    # Pad turnaround.
    for pad in campaign.pads:
        if plan.site != pad.site or mission.vehicle not in pad.vehicles:
            continue
        for p in plans:
            if p.name == plan.name or p.site != pad.site or p.vehicle not in pad.vehicles:
                continue
            if abs(other.launch_utc - p.launch_utc) < timedelta(days=pad.turnaround_days):
                side = "before" if p.launch_utc > plan.launch_utc else "after"
                return replace(plan, reason=f"pad turnaround {side} {p.name}")
    # Site separation (any pad).
    separation = timedelta(hours=campaign.separation_h(plan.site, site_table))
    for p in plans:
        if (
            p.name != plan.name
            and p.site == plan.site
            and abs(other.launch_utc - p.launch_utc) < separation
        ):
            side = "before" if p.launch_utc > plan.launch_utc else "after"
            return replace(plan, reason=f"site separation at {plan.site} {side} {p.name}")
    # Readiness.
    for member in mission.crew:
        if member.ready is not None and other.launch_utc < member.ready:
            return replace(plan, reason=f"first opportunity once {member.name} is ready")
    # Port occupancy.
    holders: list[tuple[str, datetime, datetime | None]] = [
        (p.name, p.docking_utc, p.transposition_utc or p.departure_utc)
        for p in plans
        if p.port == plan.port and p.name != plan.name
    ] + [(v.name, v.docked_utc, v.departure_utc) for v in initial if v.port == plan.port]
    for name, held_from, held_to in holders:
        free_after = held_to is None or other.docking_utc < held_to
        if held_from <= other.docking_utc and free_after:
            return replace(plan, reason=f"{word} the {plan.port} port is free ({name} leaves it)")
    # Handover window.
    if mission.handover is not None:
        partner = mission.handover.with_
        leaves = by_name[partner].departure_utc if partner in by_name else None
        if leaves is None:
            leaves = next((v.departure_utc for v in initial if v.name == partner), None)
        if leaves is not None:
            overlap = (leaves - other.docking_utc).total_seconds() / 86400.0
            bounds = mission.handover.overlap_days
            if not bounds.min <= overlap <= bounds.max:
                return replace(
                    plan,
                    reason=f"handover with {partner} within {bounds.min:g}–{bounds.max:g} days",
                )
    finish = plan.transposition_utc or plan.docking_utc
    if later and finish >= completion - timedelta(minutes=1):
        return replace(plan, reason="earliest completion of the campaign")
    if later:
        return replace(plan, reason="earlier than preferred to keep preferred stays and handover")
    return replace(plan, reason="later than preferred to keep preferred stays and departures")


def _event_utc(
    name: str, event: str, plans: Mapping[str, MissionPlan], initial: Sequence[VisitPlan]
) -> datetime | None:
    if name in plans:
        p = plans[name]
        return {
            "launched": p.launch_utc,
            "docked": p.docking_utc,
            "transposed": p.transposition_utc,
            "departed": p.departure_utc,
        }[event]
    for v in initial:
        if v.name == name:
            return v.departure_utc if event == "departed" else v.docked_utc
    return None


def _timeline(
    plans: Sequence[MissionPlan],
    initial: Sequence[VisitPlan],
    campaign: Campaign,
    station: Station,
) -> tuple[TimelineEvent, ...]:
    """Station events in time order with crew aboard and vehicles docked after each."""
    raw: list[tuple[datetime, int, str, str, str, int, int]] = []
    # (time, order, kind, mission, port, crew change, vehicles change)
    for v in initial:
        raw.append((campaign.start, 0, "docked", v.name, v.port, len(v.crew), 1))
        raw.append((v.departure_utc, 1, "departure", v.name, v.port, -len(v.crew), -1))
    transposition = timedelta(hours=station.transposition_h)
    for p in plans:
        crew = len(p.crew)
        is_vehicle = p.kind != "module"
        raw.append((p.launch_utc, 2, "launch", p.name, p.site, 0, 0))
        raw.append((p.docking_utc, 3, "docking", p.name, p.port, crew, int(is_vehicle)))
        if p.transposition_utc is not None and p.berth is not None:
            raw.append(
                (p.transposition_utc + transposition, 4, "transposition", p.name, p.berth, 0, 0)
            )
        if p.departure_utc is not None:
            raw.append((p.departure_utc, 1, "departure", p.name, p.port, -crew, -int(is_vehicle)))
    raw.sort(key=lambda e: (e[0], e[1], e[3]))
    events = []
    crew_aboard = 0
    vehicles = 0
    for when, _, kind, mission, port, dcrew, dveh in raw:
        crew_aboard += dcrew
        vehicles += dveh
        text = {
            "docked": f"{mission} docked at the {port} port",
            "launch": f"{mission} launches from {port}",
            "docking": f"{mission} docks at the {port} port",
            "transposition": f"{mission} transposed to the {port} berth",
            "departure": f"{mission} leaves the {port} port",
        }[kind]
        events.append(TimelineEvent(when, kind, mission, port, text, crew_aboard, vehicles))
    return tuple(events)


def plan_campaign(
    loaded: CampaignFile,
    settings: SolveSettings | None = None,
    on_mission: Callable[[str], None] | None = None,
) -> Schedule:
    """Schedule a loaded campaign file on its own launch candidates.

    The windows of every mission come from :func:`campaign_candidates` (``on_mission`` is
    called before each, for progress); launches far from every element set of the station
    are added to the warnings. A mission without any opportunity gets the smallest
    widening of its window that makes the campaign plan (:func:`widen_windows`).
    """

    def window_candidates(name: str, earliest: datetime, latest: datetime) -> list[Candidate]:
        mission = loaded.campaign.mission(name)
        return mission_opportunities(
            loaded.elements,
            loaded.sites[name],
            mission.vehicle,
            sum(datetime_to_jd(earliest)),
            sum(datetime_to_jd(latest)),
            mission.profile,
            loaded.site_table or None,
        )

    result = schedule_campaign(
        loaded.campaign,
        loaded.station,
        loaded.vehicles,
        loaded.sites,
        campaign_candidates(loaded, on_mission),
        settings,
        window_candidates=window_candidates,
        site_table=loaded.site_table or None,
    )
    stale = stale_launch_warnings(
        loaded.elements, [(p.name, p.launch_utc) for p in result.missions]
    )
    return replace(result, warnings=result.warnings + tuple(stale))
