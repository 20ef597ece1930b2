"""Campaign files: a station, its state at the start, and the missions to schedule.

A campaign is a TOML file (format reference: ``docs/campaign.md``; examples in
``examples/``). It is validated with pydantic; every problem becomes an
:class:`~stationplan.errors.InputError` naming the file, the key path
(``missions[2].launch.earliest``) and what is wrong. Times are UTC: TOML
date-times (``2022-05-09T17:56:37Z``), local date-times (taken as UTC), dates
(midnight UTC) or the same as ISO 8601 strings. Durations are in days unless the
name says otherwise.

:func:`load_campaign` reads the file, resolves the station (bundled id or a
station file), the element sets of the station (``bundled:NAME`` or a path
relative to the campaign file) and checks every cross reference (vehicles,
sites, profiles, ports, dependencies, handover partners). The result is plain
data for :mod:`stationplan.station.schedule`, which never reads files.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from stationplan.errors import InputError
from stationplan.launch.sites import Ident, Site, get_site, load_sites
from stationplan.launch.vehicles import Vehicle, get_vehicle
from stationplan.orbit.elements import ElementSet, SkippedRecord, load_catalog
from stationplan.station.logistics import cargo_capacity_kg
from stationplan.station.model import Station, get_station, load_station
from stationplan.tomlfiles import read_toml, validate_toml

__all__ = [
    "CARGO_CATEGORIES",
    "Campaign",
    "CampaignFile",
    "CrewMember",
    "DayRange",
    "Dependency",
    "DockedVehicle",
    "Mission",
    "Pad",
    "SeatQuota",
    "TimeRange",
    "load_campaign",
]

#: Cargo manifest categories (kg each), issue 4.
CARGO_CATEGORIES = ("food", "water", "gas", "propellant", "science", "spares")

#: Events of a mission another mission may wait for.
EVENTS = ("launched", "docked", "transposed", "departed")


def _to_utc(value: Any) -> Any:
    """TOML date/date-time or ISO 8601 string -> aware UTC datetime (naive taken as UTC)."""
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                value = date.fromisoformat(text)
            else:
                value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(
                f"{value!r} is not an ISO 8601 date or time (e.g. 2022-05-09 or "
                "2022-05-09T17:56:37Z)"
            ) from None
    if isinstance(value, datetime):
        try:
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        except OverflowError:  # e.g. 9999-12-31T23:00:00-05:00
            raise ValueError(f"{value.isoformat()} lies outside the calendar in UTC") from None
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), tzinfo=UTC)
    return value


#: Plausible campaign years: the space age (Sputnik 1, 1957) to the end of the century; a
#: time outside is a typo and would overflow the scheduler's arithmetic near year 9999.
YEARS = (1957, 2100)


def _plausible_year(value: datetime) -> datetime:
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise ValueError(f"year {value.year} lies outside {YEARS[0]}-{YEARS[1]}")
    return value


#: A UTC instant: TOML date/date-time or an ISO 8601 string.
UtcTime = Annotated[datetime, BeforeValidator(_to_utc), AfterValidator(_plausible_year)]


def _name(value: str) -> str:
    if value != value.strip() or not value:
        raise ValueError("names must be non-empty without leading or trailing spaces")
    return value


Name = Annotated[str, AfterValidator(_name)]


class _Frozen(BaseModel):
    # allow_inf_nan=False: every number of a campaign is finite ('inf', 'nan' are TOML floats).
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class TimeRange(_Frozen):
    """An allowed span of times, with an optional preferred time inside it."""

    earliest: UtcTime
    latest: UtcTime
    preferred: UtcTime | None = None

    @model_validator(mode="after")
    def _ordered(self) -> TimeRange:
        if self.latest < self.earliest:
            raise ValueError("latest is before earliest")
        if self.preferred is not None and not self.earliest <= self.preferred <= self.latest:
            raise ValueError("preferred lies outside earliest..latest")
        return self


class DayRange(_Frozen):
    """An allowed duration in days, with an optional preferred value."""

    min: float = Field(ge=0.0)
    max: float = Field(ge=0.0, le=3650.0)
    preferred: float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> DayRange:
        if self.max < self.min:
            raise ValueError("max is below min")
        if self.preferred is not None and not self.min <= self.preferred <= self.max:
            raise ValueError("preferred lies outside min..max")
        return self


def _dependency(value: Any) -> Any:
    """``"Wentian transposed"`` -> ``{"mission": "Wentian", "event": "transposed"}``."""
    if isinstance(value, str):
        mission, _, event = value.strip().rpartition(" ")
        if not mission or event not in EVENTS:
            raise ValueError(
                f"{value!r} is not '<mission> <event>' with event one of {', '.join(EVENTS)}"
            )
        return {"mission": mission.strip(), "event": event}
    return value


class Dependency(_Frozen):
    """This mission launches at least ``days`` after ``mission`` reached ``event``."""

    mission: Name
    event: Literal["launched", "docked", "transposed", "departed"]
    days: float = Field(default=0.0, ge=0.0, le=3650.0)

    def describe(self) -> str:
        """``"Wentian transposed"`` (+ the gap when there is one)."""
        gap = f" + {self.days:g} d" if self.days else ""
        return f"{self.mission} {self.event}{gap}"


class CrewMember(_Frozen):
    """One crew member: name, agency (e.g. CMSA, Roscosmos, SUPARCO), training-ready date."""

    name: Name
    agency: Name
    ready: UtcTime | None = None


class CargoManifest(_Frozen):
    """Cargo carried up, kg by category."""

    food: float = Field(default=0.0, ge=0.0)
    water: float = Field(default=0.0, ge=0.0)
    gas: float = Field(default=0.0, ge=0.0)
    propellant: float = Field(default=0.0, ge=0.0)
    science: float = Field(default=0.0, ge=0.0)
    spares: float = Field(default=0.0, ge=0.0)

    @property
    def total_kg(self) -> float:
        """Sum of every category, kg."""
        return sum(getattr(self, c) for c in CARGO_CATEGORIES)


class Handover(_Frozen):
    """This crew arrives while ``with_`` is aboard; overlap (their departure minus our
    docking) lies within ``overlap_days``."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )

    with_: Name = Field(alias="with")
    overlap_days: DayRange


class Transposition(_Frozen):
    """A module moved from its docking port to a lateral berth ``after_days`` after docking."""

    to: list[Ident] = Field(min_length=1)
    after_days: DayRange = DayRange(min=0.0, max=3650.0)


class Mission(_Frozen):
    """One launch to the station."""

    name: Name
    kind: Literal["crew", "cargo", "module"]
    vehicle: Ident
    site: Ident | None = None
    profile: str | None = None
    launch: TimeRange
    stay_days: DayRange | None = None
    ports: list[Ident] | None = None
    transpose: Transposition | None = None
    after: list[Annotated[Dependency, BeforeValidator(_dependency)]] = Field(default_factory=list)
    crew: list[CrewMember] = Field(default_factory=list)
    handover: Handover | None = None
    cargo_kg: CargoManifest = CargoManifest()
    module: Ident | None = None
    notes: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> Mission:
        if self.kind == "module":
            if self.stay_days is not None:
                raise ValueError("a module stays for good: remove stay_days")
            if self.crew:
                raise ValueError("a module mission carries no crew")
        elif self.transpose is not None:
            raise ValueError("only modules are transposed")
        if self.kind != "crew" and self.handover is not None:
            raise ValueError("a handover needs a crew mission")
        if self.kind == "crew" and not self.crew:
            raise ValueError("a crew mission needs crew = [{name = ..., agency = ...}, ...]")
        if self.kind == "cargo" and self.crew:
            raise ValueError("a cargo mission carries no crew")
        return self


class DockedVehicle(_Frozen):
    """A vehicle docked at the start of the campaign; it leaves within ``departure``."""

    name: Name
    vehicle: Ident
    port: Ident
    docked: UtcTime
    departure: TimeRange
    crew: list[CrewMember] = Field(default_factory=list)


class InitialState(_Frozen):
    """The station at the campaign start: modules in orbit (and their berths) and docked vehicles."""

    modules: list[Ident] = Field(min_length=1)
    berths: dict[Ident, Ident] = Field(default_factory=dict)
    docked: list[DockedVehicle] = Field(default_factory=list)


class Pad(_Frozen):
    """A launch pad shared by the missions of ``vehicles`` from ``site``; launches from it are
    at least ``turnaround_days`` apart."""

    id: Name
    site: Ident
    vehicles: list[Ident] = Field(min_length=1)
    turnaround_days: float = Field(gt=0.0, le=3650.0)


class SeatQuota(_Frozen):
    """At most ``max_seats`` seats for ``agency`` on crew launches in [start, end)."""

    agency: Name
    start: UtcTime
    end: UtcTime
    max_seats: int = Field(ge=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> SeatQuota:
        if self.end <= self.start:
            raise ValueError("end is not after start")
        return self


class CampaignHeader(_Frozen):
    """The campaign's name, station, element sets and start."""

    name: Name
    station: str = Field(min_length=1)
    elements: str = Field(min_length=1)
    start: UtcTime
    description: str = ""
    #: A sites file (``[sites.<id>]`` tables as ``data/sites.toml``, relative to the
    #: campaign file) whose sites add to or replace the bundled ones for this campaign.
    sites: str = ""


class InitialStocks(_Frozen):
    """Stocks aboard at the campaign start (kg); unset items keep the station's defaults
    (``data/logistics.toml``)."""

    o2: float | None = Field(default=None, ge=0.0)
    water: float | None = Field(default=None, ge=0.0)
    food: float | None = Field(default=None, ge=0.0)
    nitrogen: float | None = Field(default=None, ge=0.0)
    propellant: float | None = Field(default=None, ge=0.0)
    spares: float | None = Field(default=None, ge=0.0)

    def given(self) -> dict[str, float]:
        """The items set in the file, kg."""
        return {k: v for k, v in self.model_dump().items() if v is not None}


class LogisticsSettings(_Frozen):
    """``[logistics]``: the campaign's starting stocks (kg by item)."""

    initial_kg: InitialStocks = InitialStocks()


class Campaign(_Frozen):
    """A whole campaign file."""

    campaign: CampaignHeader
    initial: InitialState
    missions: list[Mission] = Field(min_length=1)
    pads: list[Pad] = Field(default_factory=list)
    quotas: list[SeatQuota] = Field(default_factory=list)
    logistics: LogisticsSettings = LogisticsSettings()
    #: ``[site_separation_h]``: site id -> minimum hours between two launches from it (any
    #: pad), overriding ``separation_h`` of the sites table.
    site_separation_h: dict[Ident, Annotated[float, Field(ge=0.0, le=24.0 * 365.0)]] = Field(
        default_factory=dict
    )

    def separation_h(self, site_id: str, sites: Mapping[str, Site] | None = None) -> float:
        """Minimum hours between two launches from ``site_id``: the campaign's override, else
        ``separation_h`` of the site in ``sites`` (the table the campaign resolved,
        :attr:`CampaignFile.site_table`; default the bundled one). An unknown site raises
        InputError."""
        if site_id in self.site_separation_h:
            return self.site_separation_h[site_id]
        return get_site(site_id, sites).separation_h

    @property
    def name(self) -> str:
        """The campaign's name."""
        return self.campaign.name

    @property
    def start(self) -> datetime:
        """Campaign start (UTC); the scheduler's time origin."""
        return self.campaign.start

    def mission(self, name: str) -> Mission:
        """The mission called ``name`` (KeyError if absent)."""
        for mission in self.missions:
            if mission.name == name:
                return mission
        raise KeyError(name)


@dataclass(frozen=True)
class CampaignFile:
    """A validated campaign with everything it refers to resolved.

    ``vehicles``: mission or docked-vehicle name -> Vehicle (resolved for its site);
    ``sites``: mission name -> site id; ``elements``: the station's element sets,
    oldest first; ``elements_source``: where they came from (for reports);
    ``elements_skipped``: records of that file that were not loaded (reported by the CLI);
    ``site_table``: site id -> Site, the bundled sites with the campaign's own sites file
    (``[campaign] sites``) applied; windows and site separations use it.
    """

    path: Path
    campaign: Campaign
    station: Station
    elements: tuple[ElementSet, ...]
    elements_source: str
    vehicles: dict[str, Vehicle]
    sites: dict[str, str]
    elements_skipped: tuple[SkippedRecord, ...] = ()
    site_table: Mapping[str, Site] = field(default_factory=dict)

    def separation_h(self, site_id: str) -> float:
        """Minimum hours between two launches from ``site_id`` (any pad), from the sites
        this campaign resolved (:meth:`Campaign.separation_h`)."""
        return self.campaign.separation_h(site_id, self.site_table or None)


_BUNDLED = re.compile(r"^bundled:([A-Za-z0-9._-]+)$")


def load_campaign(path: Path | str) -> CampaignFile:
    """Read, validate and resolve the campaign file at ``path``.

    Raises :class:`InputError` naming the file, the key and the problem.
    """
    path = Path(path)
    campaign = validate_toml(Campaign, read_toml(path), path)
    station = _resolve_station(campaign.campaign.station, path)
    site_table = _resolve_sites(campaign.campaign.sites, path)
    vehicles, sites = _check_references(campaign, station, path, site_table)
    elements, source, skipped = _resolve_elements(campaign.campaign.elements, station, path)
    return CampaignFile(
        path, campaign, station, elements, source, vehicles, sites, skipped, site_table
    )


def _resolve_sites(spec: str, path: Path) -> dict[str, Site]:
    """The bundled sites, with those of the campaign's sites file (if any) added or
    replacing them; a missing or malformed file is an InputError naming it."""
    table = load_sites()
    if spec:
        file = path.parent / spec
        if not file.is_file():
            raise InputError(
                f"sites file {str(file)!r} not found (paths are relative to the campaign file)",
                path=path,
                field="campaign.sites",
            )
        table.update(load_sites(file))
    return table


def _resolve_station(spec: str, path: Path) -> Station:
    if spec.endswith(".toml"):
        return load_station(path.parent / spec)
    try:
        return get_station(spec)
    except InputError as exc:
        raise InputError(exc.reason, path=path, field="campaign.station") from None


def _resolve_elements(
    spec: str, station: Station, path: Path
) -> tuple[tuple[ElementSet, ...], str, tuple[SkippedRecord, ...]]:
    match = _BUNDLED.match(spec)
    if match:
        resource = resources.files("stationplan") / "data" / "elements" / match.group(1)
        if not resource.is_file():
            folder = resources.files("stationplan") / "data" / "elements"
            known = ", ".join(sorted(p.name for p in folder.iterdir() if p.name.endswith(".tle")))
            raise InputError(
                f"no bundled element file {match.group(1)!r}; bundled: {known}",
                path=path,
                field="campaign.elements",
            )
        with resources.as_file(resource) as file:
            catalog = load_catalog(file)
        source = spec
    else:
        file = path.parent / spec
        if not file.is_file():
            raise InputError(
                f"element file {str(file)!r} not found (paths are relative to the campaign file; "
                "or use bundled:css-2022.tle)",
                path=path,
                field="campaign.elements",
            )
        catalog = load_catalog(file)
        source = str(file)
    history = catalog.history(station.norad_id) if station.norad_id in catalog.norad_ids() else []
    if not history:
        raise InputError(
            f"{spec} holds no element set of {station.name} (NORAD {station.norad_id})",
            path=path,
            field="campaign.elements",
        )
    return tuple(history), source, catalog.skipped


def _check_references(
    campaign: Campaign, station: Station, path: Path, site_table: Mapping[str, Site]
) -> tuple[dict[str, Vehicle], dict[str, str]]:
    """Every name the file uses must exist: vehicles, sites, profiles, ports, missions."""

    def fail(reason: str, field: str) -> InputError:
        return InputError(reason, path=path, field=field)

    def vehicle_of(vehicle_id: str, field: str) -> Vehicle:
        try:
            return get_vehicle(vehicle_id)
        except InputError as exc:
            raise fail(exc.reason, field) from None

    names = [m.name for m in campaign.missions] + [d.name for d in campaign.initial.docked]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise fail(f"duplicate mission names: {', '.join(duplicates)}", "missions")
    module_ids = {m.id for m in station.modules}
    for k, module in enumerate(campaign.initial.modules):
        if module not in module_ids:
            raise fail(
                f"station {station.id!r} has no module {module!r}; modules: "
                f"{', '.join(sorted(module_ids))}",
                f"initial.modules[{k}]",
            )
    port_ids = {p.id for p in station.ports}
    for module, berth in campaign.initial.berths.items():
        if berth not in port_ids:
            raise fail(f"unknown port {berth!r}", f"initial.berths.{module}")

    vehicles: dict[str, Vehicle] = {}
    sites: dict[str, str] = {}
    for k, docked in enumerate(campaign.initial.docked):
        where = f"initial.docked[{k}]"
        vehicle = vehicle_of(docked.vehicle, f"{where}.vehicle")
        if docked.port not in port_ids:
            raise fail(
                f"unknown port {docked.port!r}; ports: {', '.join(sorted(port_ids))}",
                f"{where}.port",
            )
        if len(docked.crew) > vehicle.crew_seats:
            raise fail(
                f"{len(docked.crew)} crew in a vehicle of {vehicle.crew_seats} seats",
                f"{where}.crew",
            )
        if docked.docked > campaign.start:
            raise fail("docked after the campaign start", f"{where}.docked")
        vehicles[docked.name] = vehicle

    kinds = {m.name: m.kind for m in campaign.missions}
    transposing = {m.name for m in campaign.missions if m.transpose is not None}
    for k, mission in enumerate(campaign.missions):
        where = f"missions[{k}]"
        vehicle = vehicle_of(mission.vehicle, f"{where}.vehicle")
        if vehicle.kind != mission.kind:
            raise fail(
                f"kind {mission.kind!r} but vehicle {vehicle.id!r} is a {vehicle.kind} vehicle",
                f"{where}.kind",
            )
        site_id = mission.site or vehicle.default_sites[0]
        try:
            get_site(site_id, site_table)
        except InputError as exc:
            raise fail(exc.reason, f"{where}.site") from None
        vehicle = vehicle.at_site(site_id)
        if mission.profile is not None:
            try:
                vehicle.profile(mission.profile)
            except InputError as exc:
                raise fail(exc.reason, f"{where}.profile") from None
        if mission.launch.earliest < campaign.start:
            raise fail(
                f"earliest launch {mission.launch.earliest:%Y-%m-%d %H:%M} is before the campaign "
                f"start {campaign.start:%Y-%m-%d %H:%M}",
                f"{where}.launch.earliest",
            )
        if len(mission.crew) > vehicle.crew_seats:
            raise fail(
                f"{len(mission.crew)} crew in {vehicle.name} of {vehicle.crew_seats} seats",
                f"{where}.crew",
            )
        docking = station.docking_ports(vehicle)
        if not docking:
            raise fail(f"no port of {station.name} takes {vehicle.id}", f"{where}.vehicle")
        for p, port in enumerate(mission.ports or []):
            if port not in docking:
                raise fail(
                    f"{vehicle.id} cannot dock at port {port!r}; it can at {', '.join(docking)}",
                    f"{where}.ports[{p}]",
                )
        if mission.transpose is not None:
            berths = station.berths(vehicle)
            for p, berth in enumerate(mission.transpose.to):
                if berth not in berths:
                    raise fail(
                        f"{berth!r} is not a berth for {vehicle.id}; berths: "
                        f"{', '.join(berths) or 'none'}",
                        f"{where}.transpose.to[{p}]",
                    )
        if mission.kind == "module" and mission.module not in (None, *module_ids):
            raise fail(f"station has no module {mission.module!r}", f"{where}.module")
        for d, dependency in enumerate(mission.after):
            field = f"{where}.after[{d}]"
            if dependency.mission == mission.name:
                raise fail("a mission cannot wait for itself", field)
            if dependency.mission not in names:
                raise fail(f"unknown mission {dependency.mission!r}", field)
            kind = kinds.get(dependency.mission)
            if dependency.event == "transposed" and dependency.mission not in transposing:
                raise fail(f"{dependency.mission} is never transposed", field)
            if dependency.event == "departed" and kind == "module":
                raise fail(f"{dependency.mission} is a module and never departs", field)
            if kind is None and dependency.event in ("launched", "docked"):
                raise fail(f"{dependency.mission} was docked before the campaign start", field)
        if mission.handover is not None:
            partner = mission.handover.with_
            crewed = {m.name for m in campaign.missions if m.kind == "crew"} | {
                d.name for d in campaign.initial.docked if d.crew
            }
            if partner not in crewed or partner == mission.name:
                raise fail(f"{partner!r} is not another crew mission", f"{where}.handover.with")
        _check_cargo(mission, vehicle, f"{where}.cargo_kg", fail)
        vehicles[mission.name] = vehicle
        sites[mission.name] = site_id
    _check_stocks(campaign, station, fail)
    for q, pad in enumerate(campaign.pads):
        try:
            get_site(pad.site, site_table)
        except InputError as exc:
            raise fail(exc.reason, f"pads[{q}].site") from None
    for site_id in campaign.site_separation_h:
        try:
            get_site(site_id, site_table)
        except InputError as exc:
            raise fail(exc.reason, f"site_separation_h.{site_id}") from None
    return vehicles, sites


def _check_cargo(mission: Mission, vehicle: Vehicle, field: str, fail: Any) -> None:
    """A manifest is at most what the vehicle carries (:func:`cargo_capacity_kg`, with its
    source); 10^9 kg of food on a Tianzhou is a typo, not a plan."""
    bound = cargo_capacity_kg(vehicle.id)
    total_kg = mission.cargo_kg.total_kg
    if bound is not None and total_kg > bound[0]:
        raise fail(
            f"{total_kg:g} kg of cargo on {vehicle.id}, more than {bound[1]}: {bound[0]:g} kg",
            field,
        )


def _check_stocks(campaign: Campaign, station: Station, fail: Any) -> None:
    """Each starting stock is at most the mass of the modules aboard at the start (their
    ``mass_t`` in the station file): a station cannot hold more than it weighs."""
    masses_t = {m.id: m.mass_t for m in station.modules}
    station_kg = 1000.0 * sum(masses_t.get(m, 0.0) for m in campaign.initial.modules)
    for item, kg in campaign.logistics.initial_kg.given().items():
        if kg > station_kg:
            raise fail(
                f"{kg:g} kg of {item} aboard at the start, more than the modules aboard weigh "
                f"({station_kg:g} kg, mass_t in the station file)",
                f"logistics.initial_kg.{item}",
            )
