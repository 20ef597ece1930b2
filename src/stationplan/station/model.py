"""Space stations as data: modules, docking ports, node limits, crew capacity, operations.

The bundled stations live in ``stationplan/data/stations/<id>.toml`` (``css``,
``iss``); every value there carries its public source or "estimate: ..." in a
comment. A campaign names a bundled station by id or gives its own file of the
same shape. Units: masses in tonnes (``mass_t``), lengths in metres, operation
durations in hours (``transposition_h``, ``relocation_h``), stays in days.

Ports accept vehicle *kinds* (``crew``, ``cargo``, ``module``, as in
``data/vehicles.toml``) or explicit vehicle ids. Lateral berths reached only by
moving a module from another port (CSS lab-module transposition) are
``berth_only``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from stationplan.errors import InputError
from stationplan.launch.sites import Ident
from stationplan.launch.vehicles import Vehicle
from stationplan.tomlfiles import read_bundled_toml, read_toml, validate_toml

__all__ = [
    "Module",
    "NodeLimit",
    "Port",
    "Station",
    "bundled_station_ids",
    "get_station",
    "load_station",
]


@dataclass(frozen=True)
class Module:
    """A pressurised module: ``mass_t`` at launch (t), ``length_m``, ``diameter_m`` (m)."""

    id: str
    name: str
    mass_t: float
    length_m: float
    diameter_m: float
    launched: date


@dataclass(frozen=True)
class Port:
    """A docking port or berth. ``accepts``: vehicle kinds or vehicle ids it takes."""

    id: str
    module: str
    accepts: tuple[str, ...]
    berth_only: bool = False

    def takes(self, vehicle: Vehicle) -> bool:
        """True when a vehicle of this kind or id may dock here."""
        return vehicle.kind in self.accepts or vehicle.id in self.accepts


@dataclass(frozen=True)
class NodeLimit:
    """How many visiting vehicles the docking node holds at once.

    At most ``short_stay`` vehicles staying up to ``long_stay_days`` days, or
    ``long_stay`` vehicles staying longer; mixes are limited by the weighted sum
    ``w_short·n_short + w_long·n_long ≤ short_stay·long_stay`` with
    ``w_short = long_stay`` and ``w_long = short_stay`` (3 short or 2 long on the
    CSS: weights 2 and 3, capacity 6). Modules do not count.
    """

    ports: tuple[str, ...]
    short_stay: int
    long_stay: int
    long_stay_days: float

    @property
    def capacity(self) -> int:
        """Capacity of the weighted sum (dimensionless)."""
        return self.short_stay * self.long_stay

    def weight(self, stay_days: float) -> int:
        """Weight of one vehicle that may stay ``stay_days`` days."""
        return self.short_stay if stay_days > self.long_stay_days else self.long_stay


@dataclass(frozen=True)
class Station:
    """A station: modules, ports, node limit, crew capacity and operation durations.

    ``crew_nominal``: crew aboard in normal operations; ``crew_handover``: the cap
    while an incoming crew overlaps the outgoing one. ``transposition_h``: a lab
    module moving from its docking port to its berth, hours; ``relocation_h``: a
    visiting vehicle moving between ports, hours. ``max_stay_days``: per vehicle id.
    """

    id: str
    name: str
    norad_id: int
    inclination_deg: float
    crew_nominal: int
    crew_handover: int
    transposition_h: float
    relocation_h: float
    modules: tuple[Module, ...]
    ports: tuple[Port, ...]
    node: NodeLimit | None = None
    max_stay_days: tuple[tuple[str, float], ...] = ()

    def port(self, port_id: str) -> Port:
        """The port called ``port_id``; InputError listing the ports when unknown."""
        for port in self.ports:
            if port.id == port_id:
                return port
        known = ", ".join(p.id for p in self.ports)
        raise InputError(f"station {self.id!r} has no port {port_id!r}; ports: {known}")

    def docking_ports(self, vehicle: Vehicle) -> tuple[str, ...]:
        """Ports where ``vehicle`` can dock directly (berth-only ports excluded)."""
        return tuple(p.id for p in self.ports if p.takes(vehicle) and not p.berth_only)

    def berths(self, vehicle: Vehicle) -> tuple[str, ...]:
        """Berth-only ports that take ``vehicle`` after a transposition."""
        return tuple(p.id for p in self.ports if p.takes(vehicle) and p.berth_only)

    def max_stay(self, vehicle_id: str) -> float | None:
        """Longest stay of ``vehicle_id`` docked to this station, days, if known."""
        return dict(self.max_stay_days).get(vehicle_id)


# ---------------------------------------------------------------- file format


class _StationModel(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    id: Ident
    name: str = Field(min_length=1)
    norad_id: int = Field(gt=0, le=339999)
    inclination_deg: float = Field(gt=0.0, lt=180.0)
    crew_nominal: int = Field(ge=0, le=50)
    crew_handover: int = Field(ge=0, le=50)
    transposition_h: float = Field(gt=0.0, le=48.0)
    relocation_h: float = Field(gt=0.0, le=48.0)
    node: _NodeModel | None = None

    @model_validator(mode="after")
    def _consistent(self) -> _StationModel:
        if self.crew_handover < self.crew_nominal:
            raise ValueError("crew_handover is below crew_nominal")
        return self


class _NodeModel(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    ports: list[Ident] = Field(min_length=1)
    short_stay: int = Field(ge=1, le=20)
    long_stay: int = Field(ge=1, le=20)
    long_stay_days: float = Field(gt=0.0, le=3650.0)


class _ModuleModel(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    id: Ident
    name: str = Field(min_length=1)
    mass_t: float = Field(gt=0.0, le=500.0)
    length_m: float = Field(gt=0.0, le=200.0)
    diameter_m: float = Field(gt=0.0, le=20.0)
    launched: date


class _PortModel(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    id: Ident
    module: Ident
    accepts: list[Ident] = Field(min_length=1)
    berth_only: bool = False


class _VehicleLimitModel(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    max_stay_days: float = Field(gt=0.0, le=3650.0)


class _StationFile(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    station: _StationModel
    modules: list[_ModuleModel] = Field(min_length=1)
    ports: list[_PortModel] = Field(min_length=1)
    vehicles: dict[Ident, _VehicleLimitModel] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> _StationFile:
        module_ids = {m.id for m in self.modules}
        port_ids = [p.id for p in self.ports]
        duplicates = sorted({p for p in port_ids if port_ids.count(p) > 1})
        if duplicates:
            raise ValueError(f"duplicate port ids: {', '.join(duplicates)}")
        for port in self.ports:
            if port.module not in module_ids:
                raise ValueError(f"port {port.id!r} is on unknown module {port.module!r}")
        if self.station.node is not None:
            unknown = [p for p in self.station.node.ports if p not in port_ids]
            if unknown:
                raise ValueError(f"node ports not among the ports: {', '.join(unknown)}")
        return self


_StationModel.model_rebuild()


def load_station(path: Path | str) -> Station:
    """Read a station TOML file (shape of ``data/stations/css.toml``).

    Raises :class:`InputError` naming the file and key path on any problem.
    """
    path = Path(path)
    return _parse_station(read_toml(path), path)


def get_station(station_id: str) -> Station:
    """A bundled station by id (``css``, ``iss``); InputError listing the ids when unknown."""
    if station_id not in bundled_station_ids():
        known = ", ".join(bundled_station_ids())
        raise InputError(f"unknown station {station_id!r}; bundled: {known}")
    return _bundled_station(station_id)


@cache
def bundled_station_ids() -> tuple[str, ...]:
    """Ids of the bundled station files, sorted."""
    folder = resources.files("stationplan") / "data" / "stations"
    return tuple(
        sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml"))
    )


@cache
def _bundled_station(station_id: str) -> Station:
    return _parse_station(*read_bundled_toml("stations", f"{station_id}.toml"))


def _parse_station(document: dict[str, Any], path: Path) -> Station:
    parsed = validate_toml(_StationFile, document, path)
    s = parsed.station
    node = None
    if s.node is not None:
        node = NodeLimit(
            tuple(s.node.ports), s.node.short_stay, s.node.long_stay, s.node.long_stay_days
        )
    return Station(
        id=s.id,
        name=s.name,
        norad_id=s.norad_id,
        inclination_deg=s.inclination_deg,
        crew_nominal=s.crew_nominal,
        crew_handover=s.crew_handover,
        transposition_h=s.transposition_h,
        relocation_h=s.relocation_h,
        modules=tuple(
            Module(m.id, m.name, m.mass_t, m.length_m, m.diameter_m, m.launched)
            for m in parsed.modules
        ),
        ports=tuple(Port(p.id, p.module, tuple(p.accepts), p.berth_only) for p in parsed.ports),
        node=node,
        max_stay_days=tuple((k, v.max_stay_days) for k, v in parsed.vehicles.items()),
    )
