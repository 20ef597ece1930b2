"""Launchers for Earth–Moon direct transfers, from ``stationplan/data/lunar_launchers.toml``
(every value with its source or marked as an assumption there)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from pydantic import BaseModel, ConfigDict, Field, model_validator

from stationplan.errors import InputError
from stationplan.launch.sites import Site
from stationplan.tomlfiles import lookup, read_bundled_toml, validate_toml

__all__ = ["LauncherEntry", "LunarLauncher", "get_lunar_launcher", "lunar_launchers"]


@dataclass(frozen=True)
class LunarLauncher:
    """A launcher: its sites, nominal transfer days, parking altitude (km), azimuth limits (deg)."""

    id: str
    name: str
    sites: tuple[str, ...]
    transfer_days: float
    parking_alt_km: float
    azimuth_min_deg: float | None = None
    azimuth_max_deg: float | None = None
    #: Direct injection: TLI at most this long after liftoff (min); None: a parking orbit.
    max_liftoff_to_tli_min: float | None = None
    #: Nominal transfer days per mission kind (e.g. ``crewed``, ``robotic``).
    transfer_days_by_kind: tuple[tuple[str, float], ...] = ()
    #: Azimuth limits (deg) of this launcher at one site: (site id, min, max); they come
    #: before the launcher's general limits and the site's.
    azimuth_by_site: tuple[tuple[str, float, float], ...] = ()

    def azimuth_limits(self, site: Site) -> tuple[tuple[float, float], str]:
        """Launch-azimuth limits (deg, ground headings) at ``site`` and where they come
        from: this launcher at that site, else the launcher, else the site's range-safety
        limits, else none (0–360°)."""
        for site_id, low, high in self.azimuth_by_site:
            if site_id == site.id:
                return (low, high), f"launcher at {site_id}"
        if self.azimuth_min_deg is not None and self.azimuth_max_deg is not None:
            return (self.azimuth_min_deg, self.azimuth_max_deg), "launcher"
        if site.azimuth_min_deg is not None and site.azimuth_max_deg is not None:
            return (site.azimuth_min_deg, site.azimuth_max_deg), "site"
        return (0.0, 360.0), "none (unconstrained)"

    def transfer_days_for(self, kind: str | None) -> float:
        """Nominal transfer days for a mission kind (None: the launcher's default); an
        InputError naming ``--mission-kind`` for a kind the launcher does not list."""
        if kind is None:
            return self.transfer_days
        table = dict(self.transfer_days_by_kind)
        if kind not in table:
            known = ", ".join(sorted(table)) or "none"
            raise InputError(
                f"launcher {self.id} has no transfer duration for mission kind {kind!r} "
                f"(known: {known})",
                field="--mission-kind",
            )
        return table[kind]


class LauncherEntry(BaseModel):
    """One launcher as written in TOML (``data/lunar_launchers.toml`` or a campaign's
    ``[launchers.<id>]``); :meth:`to_launcher` makes the plain record."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    name: str
    sites: list[str] = Field(min_length=1)
    transfer_days: float = Field(gt=0.5, le=10.0)
    parking_alt_km: float = Field(ge=100.0, le=2000.0)
    azimuth_min_deg: float | None = Field(default=None, ge=0.0, le=360.0)
    azimuth_max_deg: float | None = Field(default=None, ge=0.0, le=360.0)
    max_liftoff_to_tli_min: float | None = Field(default=None, gt=0.0, le=120.0)
    transfer_days_by_kind: dict[str, float] = Field(default_factory=dict)
    azimuth_deg_by_site: dict[str, tuple[float, float]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _ordered_azimuths(self) -> LauncherEntry:
        for site_id, (low, high) in self.azimuth_deg_by_site.items():
            if not 0.0 <= low < high <= 360.0:
                raise ValueError(
                    f"azimuth_deg_by_site.{site_id}: expected [min, max] with "
                    f"0 <= min < max <= 360, got [{low}, {high}]"
                )
        return self

    def to_launcher(self, launcher_id: str) -> LunarLauncher:
        """The plain :class:`LunarLauncher` of this entry, named ``launcher_id``."""
        return LunarLauncher(
            id=launcher_id,
            name=self.name,
            sites=tuple(self.sites),
            transfer_days=self.transfer_days,
            parking_alt_km=self.parking_alt_km,
            azimuth_min_deg=self.azimuth_min_deg,
            azimuth_max_deg=self.azimuth_max_deg,
            max_liftoff_to_tli_min=self.max_liftoff_to_tli_min,
            transfer_days_by_kind=tuple(sorted(self.transfer_days_by_kind.items())),
            azimuth_by_site=tuple(
                (site_id, low, high)
                for site_id, (low, high) in sorted(self.azimuth_deg_by_site.items())
            ),
        )


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")
    launchers: dict[str, LauncherEntry]


@cache
def lunar_launchers() -> dict[str, LunarLauncher]:
    """All bundled launchers by id."""
    document, path = read_bundled_toml("lunar_launchers.toml")
    parsed = validate_toml(_File, document, path)
    return {key: m.to_launcher(key) for key, m in parsed.launchers.items()}


def get_lunar_launcher(launcher_id: str) -> LunarLauncher:
    """The launcher ``launcher_id`` or an InputError listing the known ids."""
    return lookup(lunar_launchers(), launcher_id, "launcher")
