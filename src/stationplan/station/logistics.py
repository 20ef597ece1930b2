"""Day-by-day station simulation: consumables, drag decay and reboosts.

Plain data in (:class:`StationLogistics`, a list of :class:`Visit`, an :class:`OrbitStart`),
a :class:`SimulationResult` out. One step per UTC day ``d`` (``start`` 00:00 to ``end``):

1. cargo of the visits that dock on day ``d`` goes into stock (unloaded on arrival);
2. a reboost, if :func:`stationplan.orbit.decay.plan_orbit` makes one that day (never on a day a
   vehicle docks or leaves, nor on the ``blocked`` days), burns propellant from stock;
3. the crew aboard at 12:00 UTC consumes each item: ``crew x per_crew_day x (1 - recovery)``
   plus the station's own ``per_day``; eaten food leaves ``packaging_fraction`` as trash,
   used spares become trash;
4. vehicles that leave on day ``d`` take trash away (up to their ``trash_kg``);
5. end-of-day stocks are checked against the reserve policy.

Mass balance is exact: every quantity is an integer number of grams. Per-day demands are
exact fractions (rates given as decimals are exact); each day consumes the integer grams
by which the running exact total crossed, so over any span the consumed mass is the exact
total rounded down, and ``initial + delivered - consumed - burned - removed == final``
holds to the gram for every item.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from functools import cache
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from sgp4.api import Satrec

from stationplan.errors import InputError
from stationplan.orbit.decay import (
    AltitudeTarget,
    Burn,
    DensityGrid,
    OrbitBand,
    mean_altitude_km,
    plan_orbit,
    raan_rate_deg_per_day,
)
from stationplan.orbit.spaceweather import ConstantActivity, solar_activity
from stationplan.orbit.timescale import jd_to_datetime
from stationplan.tomlfiles import read_bundled_toml, validate_toml

#: Items tracked in stock, in report order. ``trash`` is tracked too (made aboard, removed).
ITEMS = ("o2", "water", "food", "nitrogen", "propellant", "spares")
TRASH = "trash"


def _grams(kg: float | str | Fraction) -> Fraction:
    """Exact grams of a decimal kg value (``0.84`` is 840 g, not its binary neighbour)."""
    return Fraction(str(kg)) * 1000 if isinstance(kg, float) else Fraction(kg) * 1000


@dataclass(frozen=True)
class ItemRule:
    """Demand, recovery, reserve and initial stock of one item (kg, kg/day, fractions)."""

    per_crew_day_kg: float = 0.0
    recovery: float = 0.0
    per_day_kg: float = 0.0
    reserve_days: float = 0.0
    reserve_kg: float = 0.0
    initial_kg: float = 0.0

    def net_demand_g(self, crew: int) -> Fraction:
        """Exact grams per day drawn from stock with ``crew`` aboard."""
        crew_part = _grams(self.per_crew_day_kg) * (1 - Fraction(str(self.recovery))) * crew
        return crew_part + _grams(self.per_day_kg)

    def reserve_g(self, crew: int) -> int:
        """Stock to keep with ``crew`` aboard, grams (rounded up)."""
        by_days = self.net_demand_g(crew) * Fraction(str(self.reserve_days))
        return math.ceil(max(by_days, _grams(self.reserve_kg)))


@dataclass(frozen=True)
class VehicleDrag:
    """A visiting vehicle's mass and drag area while docked, and the trash it takes away."""

    mass_kg: float
    area_m2: float
    trash_kg: float


@dataclass(frozen=True)
class StationLogistics:
    """Logistics and orbit-maintenance configuration of one station (``data/logistics.toml``).

    ``base_mass_kg`` / ``base_area_m2``: the modules present when the simulation starts;
    modules that arrive later come as visits of kind ``module``.
    """

    station_id: str
    items: Mapping[str, ItemRule]
    band: OrbitBand
    isp_s: float
    drag_coefficient: float
    base_mass_kg: float
    base_area_m2: float
    module_area_m2: Mapping[str, float]
    vehicles: Mapping[str, VehicleDrag]
    skip_cycle: bool = False
    packaging_fraction: float = 0.15

    def vehicle(self, vehicle_id: str) -> VehicleDrag:
        if vehicle_id not in self.vehicles:
            known = ", ".join(sorted(self.vehicles))
            raise InputError(f"no mass/area for vehicle {vehicle_id!r}; known: {known}")
        return self.vehicles[vehicle_id]

    def with_initial(self, **initial_kg: float) -> StationLogistics:
        """A copy with some initial stocks replaced (kg by item)."""
        unknown = set(initial_kg) - set(ITEMS)
        if unknown:
            raise InputError(f"unknown item(s) {sorted(unknown)}; items: {', '.join(ITEMS)}")
        items = dict(self.items)
        for name, kg in initial_kg.items():
            rule = items[name]
            items[name] = ItemRule(
                rule.per_crew_day_kg,
                rule.recovery,
                rule.per_day_kg,
                rule.reserve_days,
                rule.reserve_kg,
                kg,
            )
        return StationLogistics(**{**self.__dict__, "items": items})


@dataclass(frozen=True)
class Visit:
    """A docked vehicle or arriving module: when, who, what it brings and takes away.

    ``departure_utc`` None: stays beyond the simulation (modules stay for good).
    ``manifest_kg``: cargo by item (other categories, e.g. science, only add mass).
    ``arrival_altitude_km``: altitude the station should have at arrival (rendezvous set-up).
    """

    name: str
    vehicle_id: str
    kind: str
    arrival_utc: datetime
    departure_utc: datetime | None
    crew: int
    manifest_kg: Mapping[str, float]
    mass_kg: float
    area_m2: float
    trash_kg: float = 0.0
    arrival_altitude_km: float | None = None

    def aboard(self, when: datetime) -> bool:
        return self.arrival_utc <= when and (
            self.departure_utc is None or when < self.departure_utc
        )


@dataclass(frozen=True)
class OrbitStart:
    """The station's mean orbit at ``epoch``: altitude (mean a - 6378.135 km), plane."""

    epoch: datetime
    altitude_km: float
    inclination_deg: float
    raan_deg: float

    @classmethod
    def from_satrec(cls, satrec: Satrec, when: datetime | None = None) -> OrbitStart:
        """From an element set, its node moved with the J2 rate to ``when`` (default epoch)."""
        epoch = jd_to_datetime(satrec.jdsatepoch, satrec.jdsatepochF)
        altitude = mean_altitude_km(satrec)
        inclination = math.degrees(satrec.inclo)
        raan = math.degrees(satrec.nodeo)
        if when is not None:
            days = (when - epoch).total_seconds() / 86400.0
            raan += raan_rate_deg_per_day(altitude, inclination) * days
            epoch = when
        return cls(epoch, altitude, inclination, raan % 360.0)


@dataclass(frozen=True)
class Violation:
    """A broken limit, named and dated, with a one-line explanation."""

    kind: str  # reserve, exhausted, skip-cycle, altitude
    item: str
    day: date
    message: str

    def as_dict(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "item": self.item,
            "date": self.day.isoformat(),
            "message": self.message,
        }


@dataclass(frozen=True)
class Ledger:
    """Totals of one item over the run, grams: the mass balance."""

    initial_g: int
    delivered_g: int
    consumed_g: int
    burned_g: int
    removed_g: int
    final_g: int

    @property
    def closes(self) -> bool:
        return (
            self.initial_g + self.delivered_g - self.consumed_g - self.burned_g - self.removed_g
            == self.final_g
        )


@dataclass(frozen=True)
class SimulationResult:
    """Daily arrays (one entry per UTC day) and events of a simulation.

    ``stock_g[item][d]``: stock at the end of day ``d``, grams (negative: a shortfall).
    ``altitude_km[d]``: mean altitude at 00:00 UTC of day ``d``, after that day's burn.
    """

    station_id: str
    solar: str
    days: list[date]
    crew: np.ndarray
    stock_g: dict[str, np.ndarray]
    reserve_g: dict[str, np.ndarray]
    altitude_km: np.ndarray
    mass_kg: np.ndarray
    cda_per_mass_m2_kg: np.ndarray
    burns: list[Burn]
    violations: list[Violation]
    ledger: dict[str, Ledger]
    msis_points: int = 0
    warnings: list[str] = field(default_factory=list)

    def stock_kg(self, item: str) -> np.ndarray:
        return self.stock_g[item] / 1000.0

    def daily_rows(self) -> list[dict[str, Any]]:
        """One record per day: date, crew, altitude, stocks in kg (for tables, JSON, CSV)."""
        burns = {b.day: b for b in self.burns}
        rows = []
        for d, day in enumerate(self.days):
            row: dict[str, Any] = {
                "date": day.isoformat(),
                "crew": int(self.crew[d]),
                "altitude_km": round(float(self.altitude_km[d]), 3),
            }
            for item in (*ITEMS, TRASH):
                row[f"{item}_kg"] = round(float(self.stock_g[item][d]) / 1000.0, 3)
            burn = burns.get(day)
            row["burn_dv_m_s"] = round(burn.dv_m_s, 3) if burn else 0.0
            row["burn_propellant_kg"] = round(burn.propellant_kg, 3) if burn else 0.0
            rows.append(row)
        return rows

    def as_dict(self) -> dict[str, Any]:
        return {
            "station": self.station_id,
            "solar": self.solar,
            "start": self.days[0].isoformat(),
            "end": (self.days[-1] + timedelta(days=1)).isoformat(),
            "burns": [b.as_dict() for b in self.burns],
            "violations": [v.as_dict() for v in self.violations],
            "ledger_g": {k: v.__dict__ for k, v in self.ledger.items()},
            "days": self.daily_rows(),
            "warnings": list(self.warnings),
        }


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def _kg(grams: float) -> str:
    return f"{grams / 1000.0:,.0f} kg"


def simulate(
    config: StationLogistics,
    visits: Sequence[Visit],
    start: datetime,
    end: datetime,
    orbit: OrbitStart,
    solar: str | ConstantActivity = "nominal",
    blocked_days: Sequence[date] = (),
) -> SimulationResult:
    """Simulate the station day by day from ``start`` to ``end`` (UTC days; module docstring).

    ``orbit`` is the mean orbit at ``start`` (see :meth:`OrbitStart.from_satrec`). Raises
    InputError for an empty span or spans the space-weather source does not cover.
    """
    first = start.astimezone(UTC).date()
    last = end.astimezone(UTC).date()
    if end.astimezone(UTC).time() != time(0):
        last += timedelta(days=1)
    n = (last - first).days
    if n <= 0:
        raise InputError("the simulation span is empty (end is not after start)", field="--end")
    if n > 3660 * 3:
        raise InputError("the simulation span is longer than 30 years", field="--end")
    days = [first + timedelta(days=d) for d in range(n)]
    day_index = {day: d for d, day in enumerate(days)}

    # Configuration per day: crew aboard at noon, mass and drag area of the stack.
    crew = np.zeros(n, dtype=np.int64)
    mass = np.full(n, config.base_mass_kg)
    area = np.full(n, config.base_area_m2)
    for v in visits:
        for d, day in enumerate(days):
            if v.aboard(_noon(day)):
                crew[d] += v.crew
                mass[d] += v.mass_kg
                area[d] += v.area_m2
    cda = config.drag_coefficient * area / mass

    blocked = np.zeros(n, dtype=bool)
    arrivals: dict[int, list[Visit]] = {}
    departures: dict[int, list[Visit]] = {}
    for v in visits:
        for when, bucket in ((v.arrival_utc, arrivals), (v.departure_utc, departures)):
            if when is not None and when.astimezone(UTC).date() in day_index:
                d = day_index[when.astimezone(UTC).date()]
                blocked[d] = True
                bucket.setdefault(d, []).append(v)
    for day in blocked_days:
        if day in day_index:
            blocked[day_index[day]] = True

    # Orbit: one density grid for the whole span, burns planned against it.
    activity = solar_activity(solar)
    grid = DensityGrid(
        first,
        n,
        orbit.inclination_deg,
        orbit.raan_deg,
        activity,
        reference_altitude_km=orbit.altitude_km,
        raan_epoch=orbit.epoch,
    )
    grid.ensure(config.band.target_min_km - 10.0, config.band.target_max_km + 10.0)
    targets = [
        AltitudeTarget(v.arrival_utc, v.arrival_altitude_km, v.name)
        for v in visits
        if v.arrival_altitude_km is not None and first <= v.arrival_utc.date() < last
    ]
    history = plan_orbit(
        grid, orbit.altitude_km, cda, mass, config.band, config.isp_s, blocked, targets
    )
    burns_by_day = {day_index[b.day]: b for b in history.burns}

    # Consumables, exact in grams.
    names = (*ITEMS, TRASH)
    stock = {i: int(_grams(config.items[i].initial_kg)) if i in config.items else 0 for i in names}
    initial = dict(stock)
    totals = {i: dict.fromkeys(("delivered", "consumed", "burned", "removed"), 0) for i in names}
    exact_used = dict.fromkeys(ITEMS, Fraction(0))
    used = dict.fromkeys(ITEMS, 0)
    stock_series = {i: np.zeros(n, dtype=np.int64) for i in names}
    reserve_series = {i: np.zeros(n, dtype=np.int64) for i in ITEMS}
    violations: list[Violation] = []
    open_episode: set[tuple[str, str]] = set()
    packaging = Fraction(str(config.packaging_fraction))

    def flag(kind: str, item: str, d: int, broken: bool, message: str) -> None:
        key = (kind, item)
        if broken and key not in open_episode:
            violations.append(Violation(kind, item, days[d], message))
            open_episode.add(key)
        elif not broken:
            open_episode.discard(key)

    for d in range(n):
        for v in arrivals.get(d, []):
            for item, kg in v.manifest_kg.items():
                if item in ITEMS and kg:
                    grams = round(_grams(kg))
                    stock[item] += grams
                    totals[item]["delivered"] += grams
        burn = burns_by_day.get(d)
        if burn is not None:
            grams = round(_grams(round(burn.propellant_kg, 3)))
            stock["propellant"] -= grams
            totals["propellant"]["burned"] += grams
        for item in ITEMS:
            rule = config.items[item]
            exact_used[item] += rule.net_demand_g(int(crew[d]))
            today = math.floor(exact_used[item]) - used[item]
            used[item] += today
            stock[item] -= today
            totals[item]["consumed"] += today
            waste = 0
            if item == "food":
                waste = math.floor(today * packaging)
            elif item == "spares":
                waste = today
            stock[TRASH] += waste
            totals[TRASH]["delivered"] += waste
        for v in departures.get(d, []):
            taken = min(stock[TRASH], round(_grams(v.trash_kg)))
            stock[TRASH] -= taken
            totals[TRASH]["removed"] += taken
        for item in names:
            stock_series[item][d] = stock[item]
        for item in ITEMS:
            rule = config.items[item]
            need = rule.reserve_g(int(crew[d]))
            reserve_series[item][d] = need
            flag(
                "exhausted",
                item,
                d,
                stock[item] < 0,
                f"{item} runs out on {days[d]}: {int(crew[d])} crew aboard, short by "
                f"{_kg(-stock[item])}",
            )
            flag(
                "reserve",
                item,
                d,
                0 <= stock[item] < need,
                f"{item} below the {_reserve_words(rule)} on {days[d]}: {int(crew[d])} crew "
                f"aboard, {_kg(stock[item])} left, need {_kg(need)}",
            )

    for day in history.below_band:
        violations.append(
            Violation(
                "altitude",
                "orbit",
                day,
                f"altitude below {config.band.min_km:.0f} km on {day} with no burn allowed",
            )
        )
    if config.skip_cycle:
        violations += _skip_cycle(config, visits, days, crew, stock_series)
    violations.sort(key=lambda v: (v.day, v.kind, v.item))

    ledger = {
        i: Ledger(
            initial[i],
            totals[i]["delivered"],
            totals[i]["consumed"],
            totals[i]["burned"],
            totals[i]["removed"],
            stock[i],
        )
        for i in names
    }
    warnings = []
    predicted = getattr(activity, "last_observed_day", None)
    if predicted is not None and np.datetime64(last) > predicted:
        warnings.append(
            f"space weather after {predicted} is NOAA's prediction (solar='nominal'); "
            "see --solar low|high for bounds"
        )
    return SimulationResult(
        config.station_id,
        getattr(activity, "name", str(solar)),
        days,
        crew,
        stock_series,
        reserve_series,
        history.altitude_km,
        mass,
        cda,
        history.burns,
        violations,
        ledger,
        grid.msis_points,
        warnings,
    )


def _reserve_words(rule: ItemRule) -> str:
    if rule.reserve_days:
        return f"{rule.reserve_days:g}-day reserve"
    return f"{rule.reserve_kg:g} kg reserve"


def _skip_cycle(
    config: StationLogistics,
    visits: Sequence[Visit],
    days: list[date],
    crew: np.ndarray,
    stock_series: dict[str, np.ndarray],
) -> list[Violation]:
    """Skip-cycle check: had any cargo vehicle been lost, would the stocks have lasted
    (stayed >= 0) until the next cargo arrival? One violation per vehicle and item."""
    cargo = sorted(
        (v for v in visits if any(v.manifest_kg.get(i, 0) for i in ITEMS)),
        key=lambda v: v.arrival_utc,
    )
    index = {day: d for d, day in enumerate(days)}
    found = []
    for k, v in enumerate(cargo):
        d0 = index.get(v.arrival_utc.date())
        if d0 is None:
            continue
        nxt = cargo[k + 1].arrival_utc.date() if k + 1 < len(cargo) else days[-1]
        d1 = index.get(nxt, len(days) - 1)
        for item in ITEMS:
            delivered = round(_grams(v.manifest_kg.get(item, 0.0)))
            if not delivered:
                continue
            lowest = int(stock_series[item][d0 : d1 + 1].min()) - delivered
            if lowest < 0:
                found.append(
                    Violation(
                        "skip-cycle",
                        item,
                        v.arrival_utc.date(),
                        f"without {v.name} ({v.arrival_utc.date()}) {item} would run out before "
                        f"the next cargo ({nxt}): short by {_kg(-lowest)}",
                    )
                )
    return found


# --- Bundled configuration ---------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class _ItemModel(_Strict):
    per_crew_day_kg: float = Field(default=0.0, ge=0.0, le=100.0)
    recovery: float = Field(default=0.0, ge=0.0, le=1.0)
    per_day_kg: float = Field(default=0.0, ge=0.0, le=1000.0)
    reserve_days: float = Field(default=0.0, ge=0.0, le=3650.0)
    reserve_kg: float = Field(default=0.0, ge=0.0)
    initial_kg: float = Field(default=0.0, ge=0.0)


class _BandModel(_Strict):
    min_km: float = Field(gt=150.0, lt=2000.0)
    max_km: float = Field(gt=150.0, lt=2000.0)
    target_min_km: float = Field(gt=150.0, lt=2000.0)
    target_max_km: float = Field(gt=150.0, lt=2000.0)


class _StationModel(_Strict):
    drag_coefficient: float = Field(gt=0.0, le=10.0)
    isp_s: float = Field(gt=0.0, le=10000.0)
    skip_cycle: bool = False
    packaging_fraction: float = Field(default=0.15, ge=0.0, lt=1.0)
    band: _BandModel
    module_area_m2: dict[str, float]
    items: dict[str, _ItemModel]


class _VehicleModel(_Strict):
    mass_kg: float = Field(gt=0.0)
    area_m2: float = Field(ge=0.0)
    trash_kg: float = Field(default=0.0, ge=0.0)
    cargo_capacity_kg: float | None = Field(default=None, gt=0.0)


class _LogisticsFile(_Strict):
    stations: dict[str, _StationModel]
    vehicles: dict[str, _VehicleModel]


@cache
def _bundled() -> _LogisticsFile:
    document, path = read_bundled_toml("logistics.toml")
    return validate_toml(_LogisticsFile, document, path)


def cargo_capacity_kg(vehicle_id: str) -> tuple[float, str] | None:
    """Most cargo ``vehicle_id`` carries up, kg, and where that bound comes from.

    The published cargo capacity (``cargo_capacity_kg`` in ``data/logistics.toml``, each with
    its source) or, for vehicles without one, the vehicle's own mass while docked (``mass_kg``):
    no manifest outweighs the vehicle that carries it. None for a vehicle the file lacks.
    """
    vehicle = _bundled().vehicles.get(vehicle_id)
    if vehicle is None:
        return None
    if vehicle.cargo_capacity_kg is not None:
        return vehicle.cargo_capacity_kg, "its cargo capacity (data/logistics.toml)"
    return vehicle.mass_kg, "its own mass while docked (data/logistics.toml)"


def load_logistics(
    station_id: str,
    modules: Mapping[str, float],
) -> StationLogistics:
    """Bundled logistics of ``station_id`` with the modules present at the start.

    ``modules``: module id -> mass kg (e.g. from ``stationplan.station.model``); their drag areas
    come from ``module_area_m2``.
    """
    data = _bundled()
    if station_id not in data.stations:
        known = ", ".join(sorted(data.stations))
        raise InputError(f"no logistics data for station {station_id!r}; known: {known}")
    s = data.stations[station_id]
    missing = [i for i in ITEMS if i not in s.items]
    if missing:
        raise InputError(f"logistics of {station_id} lack item(s) {missing}")
    return StationLogistics(
        station_id=station_id,
        items={i: ItemRule(**s.items[i].model_dump()) for i in ITEMS},
        band=OrbitBand(**s.band.model_dump()),
        isp_s=s.isp_s,
        drag_coefficient=s.drag_coefficient,
        base_mass_kg=float(sum(modules.values())),
        base_area_m2=float(sum(s.module_area_m2.get(m, 0.0) for m in modules)),
        module_area_m2=dict(s.module_area_m2),
        vehicles={
            k: VehicleDrag(v.mass_kg, v.area_m2, v.trash_kg) for k, v in data.vehicles.items()
        },
        skip_cycle=s.skip_cycle,
        packaging_fraction=s.packaging_fraction,
    )


# --- Adapter from a scheduled campaign (issue 4) -----------------------------------------


def split_gas_kg(config: StationLogistics, gas_kg: float, crew: int) -> dict[str, float]:
    """Split a manifest's ``gas`` (O2 and N2 together) by the station's net daily demand of
    each with ``crew`` aboard; all to nitrogen when O2 is fully regenerated."""
    o2 = float(config.items["o2"].net_demand_g(crew))
    n2 = float(config.items["nitrogen"].net_demand_g(crew))
    share = o2 / (o2 + n2) if o2 + n2 > 0 else 0.0
    o2_kg = round(gas_kg * share, 3)
    return {"o2": o2_kg, "nitrogen": round(gas_kg - o2_kg, 3)}


def manifest_items(
    config: StationLogistics, cargo_kg: Mapping[str, float], crew: int
) -> dict[str, float]:
    """A campaign manifest (food, water, gas, propellant, science, spares) as stock items.

    ``gas`` is split by :func:`split_gas_kg`; ``science`` is not a consumable (it only adds
    mass) and is dropped; item names pass through unchanged.
    """
    items: dict[str, float] = {}
    for category, kg in cargo_kg.items():
        if category == "gas":
            for item, part in split_gas_kg(config, kg, crew).items():
                items[item] = items.get(item, 0.0) + part
        elif category in ITEMS:
            items[category] = items.get(category, 0.0) + kg
    return items


def visits_from_schedule(schedule: Any, station: Any, config: StationLogistics) -> list[Visit]:
    """Visits of a :class:`stationplan.station.schedule.Schedule`: the vehicles docked at its start
    (their cargo already unloaded) and each planned mission (crew, cargo, module).

    ``station`` is the :class:`stationplan.station.model.Station` (module masses).
    """
    masses = {m.id: m.mass_t * 1000.0 for m in station.modules}
    crew_nominal = int(getattr(station, "crew_nominal", 3))
    visits = []
    for v in schedule.initial:
        drag = config.vehicle(v.vehicle)
        visits.append(
            Visit(
                v.name,
                v.vehicle,
                "initial",
                v.docked_utc,
                v.departure_utc,
                len(v.crew),
                {},
                drag.mass_kg,
                drag.area_m2,
                drag.trash_kg,
            )
        )
    for m in schedule.missions:
        if m.kind == "module":
            module = _module_of(m, station)
            visits.append(
                Visit(
                    m.name,
                    m.vehicle,
                    "module",
                    m.docking_utc,
                    None,
                    0,
                    {},
                    masses.get(module, config.vehicle(m.vehicle).mass_kg),
                    config.module_area_m2.get(module, 0.0),
                )
            )
            continue
        drag = config.vehicle(m.vehicle)
        visits.append(
            Visit(
                m.name,
                m.vehicle,
                m.kind,
                m.docking_utc,
                m.departure_utc,
                len(m.crew),
                manifest_items(config, m.cargo_kg, crew_nominal),
                drag.mass_kg,
                drag.area_m2,
                drag.trash_kg,
            )
        )
    return visits


def _module_of(mission: Any, station: Any) -> str:
    """The module id a module mission brings: its ``module`` or a module named like it."""
    module = getattr(mission, "module", None)
    if module:
        return str(module)
    for m in station.modules:
        if m.id == mission.name.lower() or m.name.lower().startswith(mission.name.lower()):
            return str(m.id)
    return mission.name.lower()


def simulate_campaign(
    loaded: Any,
    schedule: Any,
    solar: str | ConstantActivity = "nominal",
    end: datetime | None = None,
    blocked_days: Sequence[date] = (),
    initial_kg: Mapping[str, float] | None = None,
) -> SimulationResult:
    """Simulate a scheduled campaign (``loaded``: :class:`stationplan.station.campaign.CampaignFile`).

    Starts at the campaign start with the element set nearest to it, the modules of
    ``[initial]`` and the stocks of the station's defaults, overridden by the campaign's
    ``[logistics] initial_kg`` and then by ``initial_kg``; ends at ``end`` or the last
    planned departure.
    """
    campaign = loaded.campaign
    station = loaded.station
    masses = {m.id: m.mass_t * 1000.0 for m in station.modules}
    modules = {m: masses.get(m, 0.0) for m in campaign.initial.modules}
    config = load_logistics(station.id, modules)
    stocks = {**campaign.logistics.initial_kg.given(), **(initial_kg or {})}
    if stocks:
        config = config.with_initial(**stocks)
    visits = visits_from_schedule(schedule, station, config)
    start = campaign.start
    if end is None:
        leaving = [v.departure_utc for v in visits if v.departure_utc is not None]
        end = max([*leaving, schedule.completion_utc]) + timedelta(days=1)
    nearest = min(loaded.elements, key=lambda e: abs(e.epoch_jd - _jd(start)))
    orbit = OrbitStart.from_satrec(nearest.satrec, start)
    return simulate(config, visits, start, end, orbit, solar, blocked_days)


def _jd(when: datetime) -> float:
    return 2440587.5 + when.timestamp() / 86400.0


def violations_message(result: SimulationResult, limit: int = 5) -> str:
    """One paragraph naming the first violations (for exit-2 errors)."""
    shown = [v.message for v in result.violations[:limit]]
    more = len(result.violations) - len(shown)
    tail = f" (and {more} more)" if more > 0 else ""
    return "the plan breaks logistics limits: " + "; ".join(shown) + tail
