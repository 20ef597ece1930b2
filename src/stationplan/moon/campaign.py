"""Lunar base campaign files: the site, the missions that build the base, partner quotas.

Shape (TOML; see ``examples/ilrs-2035.toml`` and ``docs/lunar-campaign.md``)::

    [campaign]            name, start, end (dates, UTC)
    [site]                name, lat_deg, lon_deg, height_km, horizon_mask (CSV, relative
                          to the campaign file)
    [launchers.<id>]      extra launchers, shape of data/lunar_launchers.toml
    [launch_sites.<id>]   separation_h between two launches from that site
    [elements.<id>]       extra elements, shape of data/lunar_elements.toml
    [[missions]]          name, vehicle, launcher, launch_site, partner, launch = [first,
                          last] dates, elements, lands, orbit_h = [min, max] between lunar
                          arrival and landing, landing_sun_deg = [low, high], after (mission
                          names), requires (capabilities working at the site before the
                          landing), crew, crew_partners, stay_h = [min, max], stay_comms,
                          rendezvous_with, loiter_limit_h, docking_h,
                          launch_azimuth_deg = [low, high] (this mission's headings over
                          the ground; else the launcher's, else the site's limits)
    [[quotas]]            partner, min_missions, min_crew_seats, max_crew_seats

Errors name the file and key path (``missions[2].landing_sun_deg``) in one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from stationplan.errors import InputError
from stationplan.launch.sites import Site, get_site
from stationplan.moon.base import Element, ElementModel, bundled_elements, element_from_model
from stationplan.moon.conditions import HorizonMask, load_horizon_mask
from stationplan.moon.ephemeris import check_in_span
from stationplan.moon.frames import LunarSite
from stationplan.moon.launchers import LauncherEntry, LunarLauncher, lunar_launchers
from stationplan.tomlfiles import read_toml, validate_toml

__all__ = ["BaseSite", "LunarCampaign", "LunarMission", "PartnerQuota", "load_lunar_campaign"]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


def _pair(value: list[float], what: str) -> list[float]:
    if len(value) != 2:
        raise ValueError(f"expected [low, high] {what}")
    if value[1] < value[0]:
        raise ValueError(f"expected [low, high] {what}: high is below low")
    return value


class _CampaignModel(_Frozen):
    name: str = Field(min_length=1)
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> _CampaignModel:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        if (self.end - self.start).days > 366 * 15:
            raise ValueError("a campaign spans at most 15 years")
        return self


class _SiteModel(_Frozen):
    name: str = Field(min_length=1)
    lat_deg: float = Field(ge=-90.0, le=90.0)
    lon_deg: float = Field(ge=-360.0, le=360.0)
    height_km: float = Field(default=0.0, ge=-20.0, le=20.0)
    horizon_mask: str | None = None


class _LaunchSiteModel(_Frozen):
    separation_h: float = Field(ge=0.0, le=24.0 * 365)


class _MissionModel(_Frozen):
    name: str = Field(min_length=1)
    vehicle: str = Field(min_length=1)
    launcher: str
    launch_site: str
    partner: str = Field(min_length=1)
    launch: list[date]
    elements: list[str] = Field(default_factory=list)
    lands: bool = True
    orbit_h: list[float] = Field(default_factory=lambda: [12.0, 240.0])
    landing_sun_deg: list[float] = Field(default_factory=lambda: [0.0, 90.0])
    after: list[str] = Field(default_factory=list)
    requires: list[str] = Field(default_factory=list)
    crew: int = Field(default=0, ge=0, le=20)
    crew_partners: list[str] = Field(default_factory=list)
    stay_h: list[float] | None = None
    stay_comms: bool = True
    rendezvous_with: str | None = None
    loiter_limit_h: float | None = Field(default=None, gt=0.0, le=24.0 * 365)
    docking_h: float = Field(default=6.0, ge=0.0, le=240.0)
    launch_azimuth_deg: list[float] | None = None

    @field_validator("launch_azimuth_deg")
    @classmethod
    def _azimuth(cls, value: list[float] | None) -> list[float] | None:
        if value is not None:
            _pair(value, "launch headings over the ground, deg")
            if value[0] < 0 or value[1] > 360:
                raise ValueError("launch headings must lie within 0..360 deg")
        return value

    @field_validator("launch")
    @classmethod
    def _launch(cls, value: list[date]) -> list[date]:
        if len(value) != 2 or value[1] < value[0]:
            raise ValueError("expected [first, last] launch dates, first not after last")
        return value

    @field_validator("orbit_h")
    @classmethod
    def _orbit(cls, value: list[float]) -> list[float]:
        _pair(value, "hours in lunar orbit before landing")
        if value[0] < 0 or value[1] > 24 * 90:
            raise ValueError("orbit hours must lie within 0..2160")
        return value

    @field_validator("landing_sun_deg")
    @classmethod
    def _band(cls, value: list[float]) -> list[float]:
        _pair(value, "Sun elevation at landing, deg")
        if value[0] < -90 or value[1] > 90:
            raise ValueError("Sun elevations must lie within -90..90 deg")
        return value

    @field_validator("stay_h")
    @classmethod
    def _stay(cls, value: list[float] | None) -> list[float] | None:
        if value is not None:
            _pair(value, "surface stay hours")
            if value[0] < 1 or value[1] > 24 * 60:
                raise ValueError("surface stays must lie within 1..1440 h")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> _MissionModel:
        if self.crew > 0 and self.lands and self.stay_h is None:
            raise ValueError("a crewed landing needs stay_h = [min, max] hours")
        if self.rendezvous_with is not None and self.loiter_limit_h is None:
            raise ValueError("rendezvous_with needs loiter_limit_h")
        return self


class _QuotaModel(_Frozen):
    partner: str = Field(min_length=1)
    min_missions: int = Field(default=0, ge=0)
    min_crew_seats: int = Field(default=0, ge=0)
    max_crew_seats: int | None = Field(default=None, ge=0)


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    campaign: _CampaignModel
    site: _SiteModel
    launchers: dict[str, LauncherEntry] = Field(default_factory=dict)
    launch_sites: dict[str, _LaunchSiteModel] = Field(default_factory=dict)
    elements: dict[str, ElementModel] = Field(default_factory=dict)
    missions: list[_MissionModel] = Field(min_length=1)
    quotas: list[_QuotaModel] = Field(default_factory=list)


@dataclass(frozen=True)
class BaseSite:
    """The base's site: name, position, horizon (a mask, else the smooth sphere)."""

    name: str
    site: LunarSite
    mask: HorizonMask | None


@dataclass(frozen=True)
class LunarMission:
    """One mission (see the module text); times in UTC, durations in hours."""

    name: str
    vehicle: str
    launcher: LunarLauncher
    launch_site: Site
    partner: str
    first_launch: datetime
    last_launch: datetime
    elements: tuple[Element, ...]
    lands: bool
    orbit_h: tuple[float, float]
    landing_sun_deg: tuple[float, float]
    after: tuple[str, ...]
    requires: tuple[str, ...]
    crew: int
    crew_partners: tuple[str, ...]
    stay_h: tuple[float, float] | None
    stay_comms: bool
    rendezvous_with: str | None
    loiter_limit_h: float | None
    docking_h: float
    launch_azimuth_deg: tuple[float, float] | None = None

    @property
    def crewed(self) -> bool:
        return self.crew > 0


@dataclass(frozen=True)
class PartnerQuota:
    """What a partner's agreement promises: missions and crew seats on landings."""

    partner: str
    min_missions: int
    min_crew_seats: int
    max_crew_seats: int | None


@dataclass(frozen=True)
class LunarCampaign:
    """A validated campaign file."""

    name: str
    start: datetime
    end: datetime
    site: BaseSite
    missions: tuple[LunarMission, ...]
    quotas: tuple[PartnerQuota, ...]
    separation_h: dict[str, float]
    path: str


def _utc(day: date, end_of_day: bool = False) -> datetime:
    return datetime.combine(day, time(23, 59) if end_of_day else time(0, 0), tzinfo=UTC)


def load_lunar_campaign(path: Path | str) -> LunarCampaign:
    """Read and check a lunar campaign file; InputError (file, key path, problem) otherwise."""
    path = Path(path)
    parsed = validate_toml(_File, read_toml(path), path)

    def fail(reason: str, field: str) -> InputError:
        return InputError(reason, path=path, field=field)

    c = parsed.campaign
    start, end = _utc(c.start), _utc(c.end, end_of_day=True)
    try:
        check_in_span(start, "campaign.start")
        check_in_span(end, "campaign.end")
    except InputError as exc:
        raise fail(exc.reason, exc.field or "campaign") from None
    s = parsed.site
    mask = None
    if s.horizon_mask is not None:
        mask_path = (path.parent / s.horizon_mask).resolve()
        if not mask_path.is_file():
            raise fail(
                f"horizon mask {s.horizon_mask!r} not found next to the file", "site.horizon_mask"
            )
        mask = load_horizon_mask(mask_path)
    site = BaseSite(s.name, LunarSite(s.lat_deg, s.lon_deg, s.height_km), mask)

    launchers = dict(lunar_launchers())
    for key, lm in parsed.launchers.items():
        if (lm.azimuth_min_deg is None) != (lm.azimuth_max_deg is None):
            raise fail(
                "give both azimuth_min_deg and azimuth_max_deg, or neither", f"launchers.{key}"
            )
        launchers[key] = lm.to_launcher(key)
    elements = dict(bundled_elements())
    for key, em in parsed.elements.items():
        elements[key] = element_from_model(key, em, str(path))

    names = [m.name for m in parsed.missions]
    missions: list[LunarMission] = []
    for i, m in enumerate(parsed.missions):
        where = f"missions[{i}]"
        if names.count(m.name) > 1:
            raise fail(f"duplicate mission name {m.name!r}", f"{where}.name")
        if m.launcher not in launchers:
            known = ", ".join(sorted(launchers))
            raise fail(f"unknown launcher {m.launcher!r}; known: {known}", f"{where}.launcher")
        launcher = launchers[m.launcher]
        try:
            pad = get_site(m.launch_site)
        except InputError as exc:
            raise fail(exc.reason, f"{where}.launch_site") from None
        if pad.id not in launcher.sites:
            raise fail(
                f"{launcher.name} does not fly from {pad.id!r}; it flies from "
                + ", ".join(launcher.sites),
                f"{where}.launch_site",
            )
        for j, eid in enumerate(m.elements):
            if eid not in elements:
                known = ", ".join(sorted(elements))
                raise fail(f"unknown element {eid!r}; known: {known}", f"{where}.elements[{j}]")
        for j, other in enumerate(m.after):
            if other not in names or other == m.name:
                raise fail(f"unknown mission {other!r}", f"{where}.after[{j}]")
        if m.rendezvous_with is not None and (
            m.rendezvous_with not in names or m.rendezvous_with == m.name
        ):
            raise fail(f"unknown mission {m.rendezvous_with!r}", f"{where}.rendezvous_with")
        if sum(1 for _ in m.crew_partners) and m.crew == 0:
            raise fail("crew_partners given but crew is 0", f"{where}.crew_partners")
        for e in (elements[e] for e in m.elements):
            if m.stay_h is not None and e.life_h is not None and m.stay_h[1] > e.life_h:
                raise fail(
                    f"the longest stay {m.stay_h[1]:g} h outlasts element {e.id!r} "
                    f"(life_h {e.life_h:g} h)",
                    f"{where}.stay_h",
                )
        first, last = _utc(m.launch[0]), _utc(m.launch[1], end_of_day=True)
        if first < start or last > end:
            raise fail(
                f"launch dates {m.launch[0]}..{m.launch[1]} fall outside the campaign "
                f"{c.start}..{c.end}",
                f"{where}.launch",
            )
        missions.append(
            LunarMission(
                name=m.name,
                vehicle=m.vehicle,
                launcher=launcher,
                launch_site=pad,
                partner=m.partner,
                first_launch=first,
                last_launch=last,
                elements=tuple(elements[e] for e in m.elements),
                lands=m.lands,
                orbit_h=(m.orbit_h[0], m.orbit_h[1]),
                landing_sun_deg=(m.landing_sun_deg[0], m.landing_sun_deg[1]),
                after=tuple(m.after),
                requires=tuple(m.requires),
                crew=m.crew,
                crew_partners=tuple(m.crew_partners) or ((m.partner,) if m.crew else ()),
                stay_h=None if m.stay_h is None else (m.stay_h[0], m.stay_h[1]),
                stay_comms=m.stay_comms,
                rendezvous_with=m.rendezvous_with,
                loiter_limit_h=m.loiter_limit_h,
                docking_h=m.docking_h,
                launch_azimuth_deg=None
                if m.launch_azimuth_deg is None
                else (m.launch_azimuth_deg[0], m.launch_azimuth_deg[1]),
            )
        )
    separation = {k: v.separation_h for k, v in parsed.launch_sites.items()}
    for k in separation:
        try:
            get_site(k)
        except InputError as exc:
            raise fail(exc.reason, f"launch_sites.{k}") from None
    quotas = tuple(
        PartnerQuota(q.partner, q.min_missions, q.min_crew_seats, q.max_crew_seats)
        for q in parsed.quotas
    )
    return LunarCampaign(
        name=c.name,
        start=start,
        end=end,
        site=site,
        missions=tuple(missions),
        quotas=quotas,
        separation_h=separation,
        path=str(path),
    )
