"""Visiting vehicles (Shenzhou, Soyuz MS, Crew Dragon, ...) and their rendezvous profiles.

The bundled table lives in ``stationplan/data/vehicles.toml``; every value
there carries its public source or "estimate: <reasoning>" in a comment.
Real 2021-2022 flights (``shared/validation/station-launches-2021-2022.json``)
were used to choose nominal durations and are checked by the tests.

Units: ``ascent_s`` seconds from liftoff to spacecraft separation;
``insertion_perigee_km``/``insertion_apogee_km`` altitudes above the
equatorial radius; ``duration_h`` hours from liftoff to docking (or to arm
capture for berthed vehicles); ``phasing_altitude_km`` the chaser's mean
altitude during most of the phasing (a physical estimate);
``phase_range_deg`` the width of the admissible phase-angle window at
insertion, degrees.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from stationplan.errors import InputError
from stationplan.launch.sites import Ident
from stationplan.tomlfiles import lookup, read_bundled_toml, read_toml, validate_toml

__all__ = ["Profile", "Vehicle", "get_vehicle", "load_vehicles"]


@dataclass(frozen=True)
class Profile:
    """One rendezvous profile of a vehicle.

    ``duration_h``: nominal liftoff-to-docking time, hours. ``phasing_altitude_km``:
    mean altitude of the chaser's orbit during most of the phasing, km (estimate).
    ``revolutions``: orbits to docking, if known. ``phase_range_deg``: width of the
    admissible phase-angle window at insertion, degrees, if published (it sets the
    altitude band of fitted profiles). Limits (docs/rendezvous.md §2):
    ``min_duration_h``/``max_duration_h`` liftoff-to-docking (or capture) hours the
    vehicle's plan allows; ``min_phasing_altitude_km``/``max_phasing_altitude_km`` the
    band of the chaser's mean altitude between insertion and the final approach;
    ``final_approach_h`` hold point to docking (no catch-up); ``band_fitted``: the
    band's centre was fitted on real flights (scripts/fit_rendezvous.py), so
    leave-one-out validation refits it. ``introduced``/``retired``: dates between which
    the vehicle's published plan offers the profile (feasibility checks only those).
    """

    name: str
    duration_h: float
    phasing_altitude_km: float
    revolutions: float | None = None
    phase_range_deg: float | None = None
    min_duration_h: float | None = None
    max_duration_h: float | None = None
    min_phasing_altitude_km: float | None = None
    max_phasing_altitude_km: float | None = None
    final_approach_h: float = 0.5
    band_fitted: bool = False
    introduced: date | None = None
    retired: date | None = None

    def available(self, when: date) -> bool:
        """Whether the vehicle's published plan offered this profile on ``when``."""
        if self.introduced is not None and when < self.introduced:
            return False
        return self.retired is None or when < self.retired

    @property
    def duration_limits_h(self) -> tuple[float, float]:
        """Liftoff-to-docking limits (h): the given ones, else the nominal duration only."""
        low = self.duration_h if self.min_duration_h is None else self.min_duration_h
        high = self.duration_h if self.max_duration_h is None else self.max_duration_h
        return low, high

    @property
    def phasing_altitude_limits_km(self) -> tuple[float, float]:
        """Lowest and highest mean phasing altitude (km above the equatorial radius)."""
        low = self.min_phasing_altitude_km
        high = self.max_phasing_altitude_km
        return (
            self.phasing_altitude_km if low is None else low,
            self.phasing_altitude_km if high is None else high,
        )


@dataclass(frozen=True)
class Vehicle:
    """A visiting vehicle: launcher, sites, ascent, insertion orbit and profiles.

    ``default_sites[0]`` and ``profiles[0]`` are the defaults.
    """

    id: str
    name: str
    kind: str
    launcher: str
    default_sites: tuple[str, ...]
    crew_seats: int
    ascent_s: float
    insertion_perigee_km: float
    insertion_apogee_km: float
    profiles: tuple[Profile, ...]
    insertion_downrange_km: float | None = None
    approach: str = "docking"
    site_variants: tuple[tuple[str, Vehicle], ...] = ()

    def at_site(self, site_id: str) -> Vehicle:
        """This vehicle as it flies from ``site_id``: a site's own launcher and ascent if
        the table gives one (e.g. Cygnus on Antares from Wallops, on Falcon 9 from the Cape)."""
        for variant_site, variant in self.site_variants:
            if variant_site == site_id:
                return variant
        return self

    @property
    def sites(self) -> tuple[str, ...]:
        """Every site this vehicle flies from: defaults first, then site variants."""
        extra = tuple(s for s, _ in self.site_variants if s not in self.default_sites)
        return self.default_sites + extra

    def profile(self, name: str | None = None) -> Profile:
        """The profile called ``name``; ``None`` gives the default (first) profile.

        Raises :class:`InputError` listing this vehicle's profiles when unknown.
        """
        if name is None:
            return self.profiles[0]
        for profile in self.profiles:
            if profile.name == name:
                return profile
        known = ", ".join(p.name for p in self.profiles)
        raise InputError(f"unknown profile {name!r} for vehicle {self.id!r}; known: {known}")


class _ProfileModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    duration_h: float = Field(gt=0.0, le=24.0 * 30)
    phasing_altitude_km: float = Field(ge=120.0, le=2000.0)
    revolutions: float | None = Field(default=None, gt=0.0)
    phase_range_deg: float | None = Field(default=None, gt=0.0, le=360.0)
    min_duration_h: float | None = Field(default=None, gt=0.0, le=24.0 * 30)
    max_duration_h: float | None = Field(default=None, gt=0.0, le=24.0 * 30)
    min_phasing_altitude_km: float | None = Field(default=None, ge=120.0, le=2000.0)
    max_phasing_altitude_km: float | None = Field(default=None, ge=120.0, le=2000.0)
    final_approach_h: float = Field(default=0.5, ge=0.0, le=24.0)
    band_fitted: bool = False
    introduced: date | None = None
    retired: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> _ProfileModel:
        if (self.min_duration_h or 0.0) > self.duration_h or self.duration_h > (
            self.max_duration_h or self.duration_h
        ):
            raise ValueError("duration_h must lie within min_duration_h..max_duration_h")
        low = self.min_phasing_altitude_km
        high = self.max_phasing_altitude_km
        if low is not None and high is not None and low > high:
            raise ValueError("min_phasing_altitude_km is above max_phasing_altitude_km")
        return self


class _SiteVariantModel(BaseModel):
    """Launcher and ascent of a vehicle when it flies from another site."""

    model_config = ConfigDict(extra="forbid")

    launcher: str = Field(min_length=1)
    ascent_s: float = Field(gt=0.0, le=3600.0)
    insertion_perigee_km: float = Field(ge=80.0, le=2000.0)
    insertion_apogee_km: float = Field(ge=80.0, le=2000.0)
    insertion_downrange_km: float | None = Field(default=None, gt=0.0, le=6000.0)
    profiles: list[_ProfileModel] | None = None


class _VehicleModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    kind: Literal["crew", "cargo", "module"]
    launcher: str = Field(min_length=1)
    default_sites: list[Ident] = Field(min_length=1)
    crew_seats: int = Field(ge=0, le=20)
    ascent_s: float = Field(gt=0.0, le=3600.0)
    insertion_perigee_km: float = Field(ge=80.0, le=2000.0)
    insertion_apogee_km: float = Field(ge=80.0, le=2000.0)
    profiles: list[_ProfileModel] = Field(min_length=1)
    insertion_downrange_km: float | None = Field(default=None, gt=0.0, le=6000.0)
    approach: Literal["docking", "capture"] = "docking"
    by_site: dict[Ident, _SiteVariantModel] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> _VehicleModel:
        if self.insertion_apogee_km < self.insertion_perigee_km:
            raise ValueError("insertion_apogee_km is below insertion_perigee_km")
        names = [p.name for p in self.profiles]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"duplicate profile names: {', '.join(duplicates)}")
        if self.kind == "crew" and self.crew_seats == 0:
            raise ValueError("a crew vehicle needs crew_seats > 0")
        return self


class _VehiclesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    vehicles: dict[Ident, _VehicleModel] = Field(min_length=1)


def load_vehicles(path: Path | None = None) -> dict[str, Vehicle]:
    """Read vehicles from ``path`` (TOML with ``[vehicles.<id>]`` tables and
    ``[[vehicles.<id>.profiles]]`` arrays).

    Without ``path`` the bundled ``data/vehicles.toml`` is read (once, cached).
    Returns a new dict ``{vehicle_id: Vehicle}`` in file order. Raises
    :class:`InputError` naming the file and key path
    (``vehicles.shenzhou.ascent_s``) on any problem. Site ids are not checked
    against a site table here; :func:`stationplan.launch.sites.get_site` does that.
    """
    if path is None:
        return dict(_bundled_vehicles())
    return _parse_vehicles(read_toml(path), path)


def get_vehicle(vehicle_id: str, vehicles: Mapping[str, Vehicle] | None = None) -> Vehicle:
    """The vehicle ``vehicle_id`` from ``vehicles`` (default: the bundled table).

    Raises :class:`InputError` listing the known ids when it is unknown.
    """
    return lookup(_bundled_vehicles() if vehicles is None else vehicles, vehicle_id, "vehicle")


@cache
def _bundled_vehicles() -> Mapping[str, Vehicle]:
    return _parse_vehicles(*read_bundled_toml("vehicles.toml"))


def _parse_vehicles(document: dict[str, Any], path: Path) -> dict[str, Vehicle]:
    parsed = validate_toml(_VehiclesFile, document, path)
    return {vehicle_id: _to_vehicle(vehicle_id, m) for vehicle_id, m in parsed.vehicles.items()}


def _to_vehicle(vehicle_id: str, model: _VehicleModel) -> Vehicle:
    base = Vehicle(
        id=vehicle_id,
        name=model.name,
        kind=model.kind,
        launcher=model.launcher,
        default_sites=tuple(model.default_sites),
        crew_seats=model.crew_seats,
        ascent_s=model.ascent_s,
        insertion_perigee_km=model.insertion_perigee_km,
        insertion_apogee_km=model.insertion_apogee_km,
        profiles=tuple(Profile(**p.model_dump()) for p in model.profiles),
        insertion_downrange_km=model.insertion_downrange_km,
        approach=model.approach,
    )
    variants = []
    for site_id, v in model.by_site.items():
        profiles = (
            base.profiles
            if v.profiles is None
            else tuple(Profile(**p.model_dump()) for p in v.profiles)
        )
        variants.append(
            (
                site_id,
                replace(
                    base,
                    launcher=v.launcher,
                    ascent_s=v.ascent_s,
                    insertion_perigee_km=v.insertion_perigee_km,
                    insertion_apogee_km=v.insertion_apogee_km,
                    insertion_downrange_km=v.insertion_downrange_km,
                    profiles=profiles,
                    default_sites=(site_id,),
                ),
            )
        )
    return replace(base, site_variants=tuple(variants))
