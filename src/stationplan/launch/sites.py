"""Launch sites: WGS84 pad coordinates for crew and cargo flights to stations.

The bundled table lives in ``stationplan/data/sites.toml``; every value there
carries its public source (or "estimate: ...") in a comment. Coordinates are
geodetic WGS84 latitude and longitude in degrees, longitude east-positive,
pad altitude in metres above the ellipsoid (estimates; irrelevant at the
sub-second level for launch windows).

A user may pass their own file of the same shape; it is validated with
pydantic and every problem becomes an :class:`~stationplan.errors.InputError`
naming the file and the key path (``sites.jiuquan.latitude_deg``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from stationplan.tomlfiles import lookup, read_bundled_toml, read_toml, validate_toml

__all__ = ["DEFAULT_SEPARATION_H", "Site", "get_site", "load_sites"]

#: Minimum time between two launches from one site (any pad) when the table gives none,
#: hours. An assumption (one launch a day: range safety, tracking and recovery are shared by
#: a site's pads); no public minimum covers every range.
DEFAULT_SEPARATION_H = 24.0

#: Identifier of a site or vehicle: lower-case words joined by hyphens.
Ident = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]


@dataclass(frozen=True)
class Site:
    """A launch pad.

    ``latitude_deg``/``longitude_deg``: WGS84 geodetic, degrees, east-positive
    longitude. ``altitude_m``: metres above the WGS84 ellipsoid. ``azimuth_min_deg``
    and ``azimuth_max_deg``: range-safety limits on the launch azimuth (degrees
    clockwise from north) where public, else ``None``. ``separation_h``: minimum time
    between two launches from this site, whatever the pad, hours (default
    :data:`DEFAULT_SEPARATION_H`, an assumption).
    """

    id: str
    name: str
    latitude_deg: float
    longitude_deg: float
    altitude_m: float
    pad: str = ""
    azimuth_min_deg: float | None = None
    azimuth_max_deg: float | None = None
    separation_h: float = DEFAULT_SEPARATION_H


class _SiteModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    pad: str = ""
    latitude_deg: float = Field(ge=-90.0, le=90.0)
    longitude_deg: float = Field(ge=-180.0, le=180.0)
    altitude_m: float = Field(ge=-500.0, le=9000.0)
    azimuth_min_deg: float | None = Field(default=None, ge=0.0, le=360.0)
    azimuth_max_deg: float | None = Field(default=None, ge=0.0, le=360.0)
    separation_h: float = Field(default=DEFAULT_SEPARATION_H, ge=0.0, le=24.0 * 365.0)

    @model_validator(mode="after")
    def _azimuths_come_in_pairs(self) -> _SiteModel:
        if (self.azimuth_min_deg is None) != (self.azimuth_max_deg is None):
            raise ValueError("give both azimuth_min_deg and azimuth_max_deg, or neither")
        return self


class _SitesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sites: dict[Ident, _SiteModel] = Field(min_length=1)


def load_sites(path: Path | None = None) -> dict[str, Site]:
    """Read launch sites from ``path`` (a TOML file with ``[sites.<id>]`` tables).

    Without ``path`` the bundled ``data/sites.toml`` is read (once, cached).
    Returns a new dict ``{site_id: Site}`` in file order. Raises
    :class:`InputError` naming the file and key path when the file is missing,
    is not TOML, or a value is missing, unknown or out of range.
    """
    if path is None:
        return dict(_bundled_sites())
    return _parse_sites(read_toml(path), path)


def get_site(site_id: str, sites: Mapping[str, Site] | None = None) -> Site:
    """The site ``site_id`` from ``sites`` (default: the bundled table).

    Raises :class:`InputError` listing the known ids when it is unknown.
    """
    return lookup(_bundled_sites() if sites is None else sites, site_id, "site")


@cache
def _bundled_sites() -> Mapping[str, Site]:
    return _parse_sites(*read_bundled_toml("sites.toml"))


def _parse_sites(document: dict[str, Any], path: Path) -> dict[str, Site]:
    parsed = validate_toml(_SitesFile, document, path)
    return {
        site_id: Site(id=site_id, **model.model_dump()) for site_id, model in parsed.sites.items()
    }
