"""Lighting and visibility at a lunar site: Sun and Earth altitude/azimuth, lunar day and night,
direct-to-Earth and relay visibility.

Conventions: altitude in degrees above the local horizon plane of the site (a sphere of
1737.4 km unless a horizon mask is given); azimuth in degrees east of north (north = towards
the lunar ME north pole). Topocentric: directions are from the site, so the Earth's altitude
includes the topocentric parallax (up to R_Moon / distance ≈ 0.26°); the Apollo Lunar Surface
Journal's table omits it (direction from the Moon's centre), see ``from_centre``. The Sun
is "up" when its centre is above the horizon (or the mask); sunrise and sunset are the roots
of (Sun altitude − horizon elevation at its azimuth), refined with
:func:`stationplan.orbit.events.find_events`.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from stationplan.errors import InputError
from stationplan.moon.ephemeris import check_in_span, moon_centred_km, skyfield_times
from stationplan.moon.frames import LunarSite, icrf_to_moon_me, topocentric_alt_az_deg
from stationplan.moon.relay import RelayOrbit, propagate_relay
from stationplan.orbit.events import SearchSettings, find_events
from stationplan.orbit.timescale import iso_utc_seconds, timescale

__all__ = [
    "HorizonMask",
    "SiteConditions",
    "SunEvents",
    "load_horizon_mask",
    "site_conditions",
    "sun_events",
]


@dataclass(frozen=True)
class HorizonMask:
    """Horizon elevation (deg) against azimuth (deg east of north), linear and periodic."""

    azimuth_deg: np.ndarray
    elevation_deg: np.ndarray
    source: str = "smooth sphere"

    def elevation_at(self, azimuth_deg: np.ndarray) -> np.ndarray:
        return np.interp(
            np.asarray(azimuth_deg) % 360.0, self.azimuth_deg, self.elevation_deg, period=360.0
        )


#: The Queqiao-2-like relay used unless another (or none) is given.
DEFAULT_RELAY = RelayOrbit()

SMOOTH_SPHERE = HorizonMask(np.array([0.0, 180.0]), np.array([0.0, 0.0]))


def load_horizon_mask(path: Path) -> HorizonMask:
    """Read a CSV of ``azimuth_deg,elevation_deg`` rows (a header line is allowed)."""
    az: list[float] = []
    el: list[float] = []
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read horizon mask: {exc.strerror}", path=path) from None
    for number, row in enumerate(csv.reader(text.splitlines()), start=1):
        if not row or row[0].strip().startswith("#"):
            continue
        try:
            a, e = float(row[0]), float(row[1])
        except (ValueError, IndexError):
            if number == 1:
                continue  # header
            raise InputError(
                "expected 'azimuth_deg,elevation_deg'", path=path, line=number
            ) from None
        if not (np.isfinite(a) and np.isfinite(e) and -90.0 <= e <= 90.0):
            raise InputError(
                "azimuth must be finite, elevation within -90..90 deg", path=path, line=number
            )
        az.append(a % 360.0)
        el.append(e)
    if len(az) < 2:
        raise InputError("a horizon mask needs at least two azimuth rows", path=path)
    order = np.argsort(az)
    return HorizonMask(
        np.asarray(az)[order], np.asarray(el)[order], source=f"horizon mask {path.name}"
    )


@dataclass(frozen=True)
class SiteConditions:
    """Per-instant conditions (arrays of equal length; angles in deg, ranges in km)."""

    times_utc: list[datetime]
    sun_alt_deg: np.ndarray
    sun_az_deg: np.ndarray
    earth_alt_deg: np.ndarray
    earth_az_deg: np.ndarray
    earth_range_km: np.ndarray
    sun_lit: np.ndarray
    earth_visible: np.ndarray
    relay_alt_deg: np.ndarray
    relay_visible: np.ndarray
    horizon: str
    relay: str

    def records(self) -> list[dict[str, object]]:
        """One JSON-ready dict per instant."""
        rows: list[dict[str, object]] = []
        for i, when in enumerate(self.times_utc):
            rows.append(
                {
                    "utc": iso_utc_seconds(when),
                    "sun_alt_deg": round(float(self.sun_alt_deg[i]), 4),
                    "sun_az_deg": round(float(self.sun_az_deg[i]), 4),
                    "earth_alt_deg": round(float(self.earth_alt_deg[i]), 4),
                    "earth_az_deg": round(float(self.earth_az_deg[i]), 4),
                    "sun_lit": bool(self.sun_lit[i]),
                    "earth_visible": bool(self.earth_visible[i]),
                    "relay_alt_deg": round(float(self.relay_alt_deg[i]), 4),
                    "relay_visible": bool(self.relay_visible[i]),
                    "horizon": self.horizon,
                }
            )
        return rows


def _body_fixed(times_utc: Sequence[datetime]) -> tuple[np.ndarray, np.ndarray, np.ndarray, object]:
    t = skyfield_times(times_utc)
    sun, earth = moon_centred_km(t)
    rot = icrf_to_moon_me(np.atleast_1d(t.tdb))
    return (
        np.einsum("nij,jn->ni", rot, np.atleast_2d(sun.T).T),
        np.einsum("nij,jn->ni", rot, np.atleast_2d(earth.T).T),
        rot,
        t,
    )


def _relay_body_fixed(
    orbit: RelayOrbit, times_utc: Sequence[datetime], rot: np.ndarray
) -> np.ndarray:
    """Relay positions in the ME body frame at ``times_utc`` (epoch = the first instant)."""
    start = min(times_utc)
    t_s = np.array([(w - start).total_seconds() for w in times_utc])
    order = np.argsort(t_s)
    span_s = float(t_s.max())
    n_grid = max(4, int(np.ceil(span_s / 3600.0)) + 1)
    grid_s = np.linspace(0.0, max(span_s, 3 * 3600.0), n_grid)
    grid_t = skyfield_times([start + timedelta(seconds=float(s)) for s in grid_s])
    sun_g, earth_g = moon_centred_km(grid_t)
    # Frame of the elements: ME axes frozen at the epoch.
    frozen = icrf_to_moon_me(np.atleast_1d(grid_t.tdb[:1]))[0]
    rel_pos = propagate_relay(orbit, t_s[order], grid_s, (frozen @ earth_g).T, (frozen @ sun_g).T)
    out = np.empty_like(rel_pos)
    out[order] = rel_pos
    icrf = out @ frozen  # frozen.T @ r for each row
    return np.einsum("nij,nj->ni", rot, icrf)


def site_conditions(
    site: LunarSite,
    times_utc: Sequence[datetime],
    *,
    mask: HorizonMask | None = None,
    relay: RelayOrbit | None = DEFAULT_RELAY,
) -> SiteConditions:
    """Sun, Earth and relay geometry at ``site`` for each instant (UTC, within DE421)."""
    if not times_utc:
        raise InputError("no instants to compute (empty span)", field="--at")
    for when in times_utc:
        check_in_span(when, "--at/--start/--end")
    horizon = mask or SMOOTH_SPHERE
    sun_bf, earth_bf, rot, _ = _body_fixed(times_utc)
    sun_alt, sun_az, _ = topocentric_alt_az_deg(site, sun_bf)
    earth_alt, earth_az, earth_rng = topocentric_alt_az_deg(site, earth_bf)
    if relay is not None:
        relay_bf = _relay_body_fixed(relay, times_utc, rot)
        relay_alt, relay_az, _ = topocentric_alt_az_deg(site, relay_bf)
        relay_vis = relay_alt > horizon.elevation_at(relay_az)
        relay_name = relay.name
    else:
        relay_alt = np.full(len(times_utc), np.nan)
        relay_vis = np.zeros(len(times_utc), dtype=bool)
        relay_name = "none"
    return SiteConditions(
        times_utc=list(times_utc),
        sun_alt_deg=sun_alt,
        sun_az_deg=sun_az,
        earth_alt_deg=earth_alt,
        earth_az_deg=earth_az,
        earth_range_km=earth_rng,
        sun_lit=sun_alt > horizon.elevation_at(sun_az),
        earth_visible=earth_alt > horizon.elevation_at(earth_az),
        relay_alt_deg=relay_alt,
        relay_visible=relay_vis,
        horizon=horizon.source,
        relay=relay_name,
    )


@dataclass(frozen=True)
class SunEvents:
    """Sunrises and sunsets in a span, the lit fraction and the longest night (hours)."""

    sunrises_utc: list[datetime] = field(default_factory=list)
    sunsets_utc: list[datetime] = field(default_factory=list)
    lit_fraction: float = 0.0
    longest_night_h: float = 0.0
    longest_night_start_utc: datetime | None = None
    horizon: str = "smooth sphere"


def sun_events(
    site: LunarSite, start: datetime, end: datetime, *, mask: HorizonMask | None = None
) -> SunEvents:
    """Sunrise/sunset roots of (Sun altitude − horizon) in [start, end], lit fraction, longest
    night (a night cut by the span's ends counts only its part inside)."""
    check_in_span(start, "--start")
    check_in_span(end, "--end")
    if end <= start:
        raise InputError("the span is empty: --end must be after --start", field="--end")
    horizon = mask or SMOOTH_SPHERE
    ts = timescale()
    t0 = ts.from_datetime(start).tt
    t1 = ts.from_datetime(end).tt

    def g(tt: np.ndarray) -> np.ndarray:
        t = ts.tt_jd(np.atleast_1d(tt))
        sun, _ = moon_centred_km(t)
        rot = icrf_to_moon_me(np.atleast_1d(t.tdb))
        alt, az, _ = topocentric_alt_az_deg(site, np.einsum("nij,jn->ni", rot, sun))
        return np.asarray(alt - horizon.elevation_at(az)).reshape(np.shape(tt))

    events = find_events(g, t0, t1, SearchSettings(max_check_days=0.25, threshold_days=1.0 / 86400))
    times = [ts.tt_jd(x).utc_datetime() for x in events.t]
    # Intervals between boundaries with their state.
    bounds = [start, *times, end]
    lit_now = bool(g(np.array([t0]))[0] > 0)
    lit_s = 0.0
    night = (0.0, None)
    state = lit_now
    for a, b in itertools.pairwise(bounds):
        dur = (b - a).total_seconds()
        if state:
            lit_s += dur
        elif dur > night[0]:
            night = (dur, a)
        state = not state
    return SunEvents(
        sunrises_utc=[w for w, d in zip(times, events.direction, strict=True) if d > 0],
        sunsets_utc=[w for w, d in zip(times, events.direction, strict=True) if d < 0],
        lit_fraction=lit_s / (end - start).total_seconds(),
        longest_night_h=night[0] / 3600.0,
        longest_night_start_utc=night[1],
        horizon=horizon.source,
    )
