"""A lunar base as data: the site and the elements missions deliver.

An element (lander, rover, power unit, relay satellite, habitat, ISRU plant ...) has a mass, a
power source (solar array of an area and efficiency, sun-tracking or fixed; radioisotope
watts), a consumption per mode (``operating``, ``standby``, ``survival``, W), a battery (Wh)
with the lowest state of charge it may reach, and the capabilities it brings (``power``,
``comms-relay``, ``habitat``, ``mobility`` ...). Elements with ``connects = true`` join the
base's shared power grid once on the surface; ``surface = false`` elements (relay satellites,
orbiters) stay in lunar orbit and are not part of the surface energy balance.

Bundled elements live in ``stationplan/data/lunar_elements.toml`` (every value with its
public source or marked ``assumption``); a campaign may add its own of the same shape.
Units: mass kg, area m², power W, energy Wh, angles deg, durations h.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from stationplan.tomlfiles import lookup, read_bundled_toml, validate_toml

__all__ = [
    "MODES",
    "Consumption",
    "Element",
    "ElementModel",
    "bundled_elements",
    "element_from_model",
    "get_element",
]

#: Operating modes of an element, in decreasing power draw.
MODES = ("operating", "standby", "survival")


@dataclass(frozen=True)
class Consumption:
    """Power drawn in each mode, W."""

    operating_w: float
    standby_w: float
    survival_w: float

    def of(self, mode: str) -> float:
        """Draw in ``mode`` (one of :data:`MODES`), W."""
        return float(getattr(self, f"{mode}_w"))


@dataclass(frozen=True)
class Element:
    """One base element (see the module text for units and conventions).

    ``panel``: ``"tracking"`` (the array normal follows the Sun: incidence factor 1 whenever
    the Sun is up) or ``"fixed"`` (normal at ``panel_tilt_deg`` from the local vertical,
    towards azimuth ``panel_azimuth_deg``). ``min_soc``: fraction of ``battery_wh`` the
    battery may not go below. ``commissioning_h``: hours from landing (or orbit arrival)
    until it counts as working. ``life_h``: hours on the surface it is meant to work (a
    crewed lander's descent stage, a one-lunar-day lander); then it is switched off and no
    longer has to survive; None: the whole campaign. ``crew_capacity``: astronauts it
    can land and house.
    """

    id: str
    name: str
    mass_kg: float
    capabilities: tuple[str, ...]
    consumption: Consumption
    solar_area_m2: float = 0.0
    solar_efficiency: float = 0.0
    panel: str = "tracking"
    panel_tilt_deg: float = 90.0
    panel_azimuth_deg: float = 0.0
    radioisotope_w: float = 0.0
    battery_wh: float = 0.0
    min_soc: float = 0.0
    connects: bool = False
    surface: bool = True
    commissioning_h: float = 24.0
    life_h: float | None = None
    crew_capacity: int = 0
    source: str = ""


class _ConsumptionModel(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    operating: float = Field(ge=0.0, le=1e6)
    standby: float = Field(ge=0.0, le=1e6)
    survival: float = Field(ge=0.0, le=1e6)


class ElementModel(BaseModel):
    """TOML shape of one element (``[elements.<id>]``)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    name: str = Field(min_length=1)
    mass_kg: float = Field(gt=0.0, le=1e6)
    capabilities: list[str] = Field(default_factory=list)
    consumption_w: _ConsumptionModel
    solar_area_m2: float = Field(default=0.0, ge=0.0, le=1e5)
    solar_efficiency: float = Field(default=0.0, ge=0.0, le=1.0)
    panel: Literal["tracking", "fixed"] = "tracking"
    panel_tilt_deg: float = Field(default=90.0, ge=0.0, le=90.0)
    panel_azimuth_deg: float = Field(default=0.0, ge=0.0, le=360.0)
    radioisotope_w: float = Field(default=0.0, ge=0.0, le=1e6)
    battery_wh: float = Field(default=0.0, ge=0.0, le=1e9)
    min_soc: float = Field(default=0.0, ge=0.0, lt=1.0)
    connects: bool = False
    surface: bool = True
    commissioning_h: float = Field(default=24.0, ge=0.0, le=8760.0)
    life_h: float | None = Field(default=None, gt=0.0, le=24.0 * 366 * 30)
    crew_capacity: int = Field(default=0, ge=0, le=100)

    @model_validator(mode="after")
    def _consistent(self) -> ElementModel:
        if self.solar_area_m2 > 0 and self.solar_efficiency == 0:
            raise ValueError("solar_area_m2 is given but solar_efficiency is 0")
        return self


class _ElementsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    elements: dict[str, ElementModel]


def element_from_model(key: str, m: ElementModel, source: str) -> Element:
    """The :class:`Element` ``key`` of a validated TOML table (``source``: file it came from)."""
    c = m.consumption_w
    return Element(
        id=key,
        name=m.name,
        mass_kg=m.mass_kg,
        capabilities=tuple(m.capabilities),
        consumption=Consumption(c.operating, c.standby, c.survival),
        solar_area_m2=m.solar_area_m2,
        solar_efficiency=m.solar_efficiency,
        panel=m.panel,
        panel_tilt_deg=m.panel_tilt_deg,
        panel_azimuth_deg=m.panel_azimuth_deg,
        radioisotope_w=m.radioisotope_w,
        battery_wh=m.battery_wh,
        min_soc=m.min_soc,
        connects=m.connects,
        surface=m.surface,
        commissioning_h=m.commissioning_h,
        life_h=m.life_h,
        crew_capacity=m.crew_capacity,
        source=source,
    )


def parse_elements(document: dict[str, Any], path: Path | str) -> dict[str, Element]:
    """Elements of a document with an ``[elements]`` table (bundled file's shape)."""
    parsed = validate_toml(_ElementsFile, document, path)
    return {k: element_from_model(k, m, str(path)) for k, m in parsed.elements.items()}


@cache
def bundled_elements() -> dict[str, Element]:
    """The bundled elements by id (``data/lunar_elements.toml``)."""
    document, path = read_bundled_toml("lunar_elements.toml")
    return parse_elements(document, path.name)


def get_element(element_id: str) -> Element:
    """The bundled element ``element_id`` or an InputError listing the known ids."""
    return lookup(bundled_elements(), element_id, "lunar element")
