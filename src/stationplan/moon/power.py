"""Hour-by-hour power and survival of the base's surface elements, and daily comms windows.

Production of a solar array: ``S · A · η · f(t)`` with the solar constant S = 1361 W/m² (Kopp
& Lean 2011, GRL 38, L01706; the ±3.4 % annual change of the Sun's distance is neglected),
area A, efficiency η and the incidence factor f = 0 when the Sun is below the horizon (or the
horizon mask), else 1 for a sun-tracking array and cos(incidence) for a fixed one:
``cos i = sin(h)·cos(β) + cos(h)·sin(β)·cos(A_sun − A_panel)`` (Duffie & Beckman 2013,
*Solar Engineering of Thermal Processes*, eq. 1.6.3 with the tilt β from the vertical normal),
clipped at 0. Radioisotope sources give their watts at all times.

Modes: an element runs in ``operating`` mode while the Sun is up, ``survival`` while it is
down; a ``habitat`` element is in ``standby`` while the Sun is up and no crew is at the base
and ``operating`` whenever a crew is there. Energy in a step is the power at the step's start
times its length (left rectangle rule).

Battery (one per element, charge and discharge efficiency 1 — an assumption): the net energy
of a step first charges the battery up to its capacity, the rest is *spilled*; a deficit
draws the battery down to its floor (``min_soc · battery_wh``), what is still missing is
*unmet* (the element browns out: it does not survive that night). Elements with
``connects = true`` on the surface form one grid: the grid balances as one element with the
sum of their productions, loads and batteries (one pooled store), and shares the stored
energy out in proportion to usable capacity, the spill to production and the shortfall to
load. Per element, every step: ``produced + imported = used + stored + spilled`` with
``used = demand − unmet``, ``stored`` the energy put into (or, negative, drawn from) storage
and ``imported`` summing to zero over the grid; for the base ``produced = used + stored +
spilled``, and the stored energy changes only by ``stored`` and by batteries landing.

An element with a ``life_h`` is switched off that many hours after landing (no load, no
production, no storage: what its battery still holds counts as spilled then).

The battery recurrence is a prefix scan over time (:func:`clamp_scan`), not a loop.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

from stationplan.moon.base import Element

__all__ = [
    "SOLAR_CONSTANT_W_M2",
    "DailyComms",
    "Night",
    "Placement",
    "PowerResult",
    "daily_comms",
    "demand_w",
    "nights",
    "panel_power_w",
    "simulate_power",
]

#: Total solar irradiance at 1 au, W/m² (Kopp & Lean 2011, GRL 38, L01706).
SOLAR_CONSTANT_W_M2 = 1361.0


def panel_power_w(
    element: Element, sun_alt_deg: np.ndarray, sun_az_deg: np.ndarray, sun_lit: np.ndarray
) -> np.ndarray:
    """Power produced by ``element`` (solar array plus radioisotope source), W, per instant."""
    alt = np.radians(np.asarray(sun_alt_deg, dtype=float))
    if element.panel == "tracking":
        factor = np.ones_like(alt)
    else:
        tilt = np.radians(element.panel_tilt_deg)
        daz = np.radians(np.asarray(sun_az_deg, dtype=float) - element.panel_azimuth_deg)
        factor = np.clip(
            np.sin(alt) * np.cos(tilt) + np.cos(alt) * np.sin(tilt) * np.cos(daz), 0, 1
        )
    solar = SOLAR_CONSTANT_W_M2 * element.solar_area_m2 * element.solar_efficiency * factor
    return np.where(np.asarray(sun_lit, dtype=bool), solar, 0.0) + element.radioisotope_w


def demand_w(element: Element, sun_lit: np.ndarray, crew_present: np.ndarray) -> np.ndarray:
    """Power drawn by ``element``, W, per instant, from the mode rules in the module text."""
    lit = np.asarray(sun_lit, dtype=bool)
    crew = np.asarray(crew_present, dtype=bool)
    c = element.consumption
    if "habitat" in element.capabilities:
        day = np.where(crew, c.operating_w, c.standby_w)
        return np.where(lit, day, np.where(crew, c.operating_w, c.survival_w))
    return np.where(lit, c.operating_w, c.survival_w)


@dataclass(frozen=True)
class Placement:
    """An element on the surface from step ``from_index`` on; ``key`` names this copy."""

    key: str
    element: Element
    from_index: int
    mission: str = ""


@dataclass(frozen=True)
class PowerResult:
    """Per step (rows) and placement (columns): energies in Wh over the step, ``soc_wh`` the
    stored energy at the step's end, ``arriving_wh`` the charge a battery lands with. Steps
    before a placement lands are zero. Grid members show their share of the pooled store."""

    times_utc: list[datetime]
    step_h: float
    keys: tuple[str, ...]
    missions: tuple[str, ...]
    connected: np.ndarray
    produced_wh: np.ndarray
    demand_wh: np.ndarray
    used_wh: np.ndarray
    stored_wh: np.ndarray
    spilled_wh: np.ndarray
    imported_wh: np.ndarray
    unmet_wh: np.ndarray
    soc_wh: np.ndarray
    capacity_wh: np.ndarray
    floor_wh: np.ndarray
    sun_lit: np.ndarray
    landed_index: np.ndarray
    off_index: np.ndarray
    arriving_wh: np.ndarray

    def first_failure(self) -> tuple[int, int] | None:
        """(step, column) of the first unmet demand (> 1e-6 Wh), or None."""
        bad = np.argwhere(self.unmet_wh > 1e-6)
        if bad.size == 0:
            return None
        step = int(bad[:, 0].min())
        col = int(bad[bad[:, 0] == step][0, 1])
        return step, col

    def soc_fraction(self) -> np.ndarray:
        """State of charge as a fraction of capacity (NaN where no battery)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.capacity_wh > 0, self.soc_wh / self.capacity_wh, np.nan)


def clamp_scan(
    offset: np.ndarray, low: np.ndarray, high: np.ndarray, axis: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Prefix compositions of the steps ``x -> min(max(x + offset, low), high)`` along ``axis``.

    Returns (A, L, H) with ``x_t+1 = min(max(x_0 + A_t, L_t), H_t)`` after steps 0..t. The
    family is closed under composition — applying (a1, l1, h1) then (a2, l2, h2) gives
    (a1 + a2, clamp(l1 + a2, l2, h2), clamp(h1 + a2, l2, h2)) — so the recurrence of a battery
    that charges up to its capacity and discharges down to its floor is an associative scan,
    done here in log2(n) array passes (Hillis & Steele 1986, CACM 29, 1170)."""
    big_a = np.array(offset, dtype=float, copy=True)
    big_l = np.array(low, dtype=float, copy=True)
    big_h = np.array(high, dtype=float, copy=True)
    big_a, big_l, big_h = (np.moveaxis(x, axis, 0) for x in (big_a, big_l, big_h))
    n = big_a.shape[0]
    d = 1
    while d < n:
        first_a, first_l, first_h = big_a[:-d], big_l[:-d], big_h[:-d]
        then_a, then_l, then_h = big_a[d:], big_l[d:], big_h[d:]
        new_a = first_a + then_a
        new_l = np.clip(first_l + then_a, then_l, then_h)
        new_h = np.clip(first_h + then_a, then_l, then_h)
        big_a = np.concatenate([big_a[:d], new_a])
        big_l = np.concatenate([big_l[:d], new_l])
        big_h = np.concatenate([big_h[:d], new_h])
        d *= 2
    return tuple(np.moveaxis(x, 0, axis) for x in (big_a, big_l, big_h))  # type: ignore[return-value]


def _store(
    net: np.ndarray, arriving: np.ndarray, low: np.ndarray, high: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One store per column: (energy at each step's end, stored, spilled, unmet), Wh.

    ``arriving``: energy brought by batteries landing at that step (not a flow of the step).
    """
    offset = net + arriving
    big_a, big_l, big_h = clamp_scan(offset, low, high)
    after = np.minimum(np.maximum(big_a, big_l), big_h)  # x_0 = 0
    before = np.vstack([np.zeros((1, after.shape[1])), after[:-1]])
    pre = before + offset
    spilled = np.maximum(pre - high, 0.0)
    unmet = np.maximum(low - pre, 0.0)
    stored = after - before - arriving
    return after, stored, spilled, unmet


def simulate_power(
    placements: Sequence[Placement],
    times_utc: Sequence[datetime],
    sun_alt_deg: np.ndarray,
    sun_az_deg: np.ndarray,
    sun_lit: np.ndarray,
    crew_present: np.ndarray | None = None,
    *,
    step_h: float = 1.0,
    initial_soc: float = 1.0,
) -> PowerResult:
    """Energy balance of ``placements`` on the time grid ``times_utc`` (steps of ``step_h``
    hours; Sun arrays per instant). Batteries land at ``initial_soc`` of capacity.

    Everything is an array over time: production and loads per element, then the battery
    recurrence of each unconnected element and of the grid's pooled store as a prefix scan
    (:func:`clamp_scan`). The grid's stored energy is shared out in proportion to each
    member's usable capacity (``battery_wh − floor``), its spill in proportion to
    production and its shortfall in proportion to load."""
    n = len(times_utc)
    m = len(placements)
    lit = np.asarray(sun_lit, dtype=bool)
    crew = np.zeros(n, dtype=bool) if crew_present is None else np.asarray(crew_present, bool)
    steps = np.arange(n)[:, None]
    start = np.array([max(p.from_index, 0) for p in placements], dtype=int).reshape(1, m)
    stop = np.array(
        [n if p.element.life_h is None else p.from_index + math.ceil(p.element.life_h / step_h)
         for p in placements],
        dtype=int,
    ).reshape(1, m)  # fmt: skip
    present = (steps >= start) & (steps < stop)
    prod = np.zeros((n, m))
    dem = np.zeros((n, m))
    for j, p in enumerate(placements):
        prod[:, j] = panel_power_w(p.element, sun_alt_deg, sun_az_deg, lit) * step_h
        dem[:, j] = demand_w(p.element, lit, crew) * step_h
    prod *= present
    dem *= present
    cap = np.array([p.element.battery_wh for p in placements], dtype=float)
    floor = np.array([p.element.battery_wh * p.element.min_soc for p in placements], dtype=float)
    grid = np.array([p.element.connects for p in placements], dtype=bool)
    arriving = np.zeros((n, m))
    landing = start[0] < n
    arriving[start[0][landing], np.flatnonzero(landing)] = initial_soc * cap[landing]
    low = present * floor
    high = present * cap
    # Unconnected elements: one store each.
    soc, stored, spilled, unmet = _store(prod - dem, arriving, low, high)
    imported = np.zeros((n, m))
    if grid.any():
        g = grid
        pool, p_stored, p_spilled, p_unmet = _store(
            (prod[:, g] - dem[:, g]).sum(axis=1, keepdims=True),
            arriving[:, g].sum(axis=1, keepdims=True),
            low[:, g].sum(axis=1, keepdims=True),
            high[:, g].sum(axis=1, keepdims=True),
        )
        usable = high[:, g] - low[:, g]
        stored[:, g] = p_stored * _shares(usable)
        spilled[:, g] = p_spilled * _shares(prod[:, g])
        unmet[:, g] = p_unmet * _shares(dem[:, g])
        spare = pool - low[:, g].sum(axis=1, keepdims=True)
        soc[:, g] = low[:, g] + spare * _shares(usable)
        used_g = dem[:, g] - unmet[:, g]
        imported[:, g] = used_g + stored[:, g] + spilled[:, g] - prod[:, g]
    return PowerResult(
        times_utc=list(times_utc),
        step_h=step_h,
        keys=tuple(p.key for p in placements),
        missions=tuple(p.mission for p in placements),
        connected=grid,
        produced_wh=prod,
        demand_wh=dem,
        used_wh=dem - unmet,
        stored_wh=stored,
        spilled_wh=spilled,
        imported_wh=imported,
        unmet_wh=unmet,
        soc_wh=soc,
        capacity_wh=cap,
        floor_wh=floor,
        sun_lit=lit,
        landed_index=start[0].copy(),
        off_index=stop[0].copy(),
        arriving_wh=arriving,
    )


def _shares(weights: np.ndarray) -> np.ndarray:
    """Row-wise shares of ``weights`` (n, k); a row summing to 0 splits evenly."""
    total = weights.sum(axis=1, keepdims=True)
    even = np.full(weights.shape, 1.0 / max(weights.shape[1], 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, weights / np.where(total > 0, total, 1.0), even)


@dataclass(frozen=True)
class Night:
    """One span with the Sun down: steps [start, end), and per placement whether it had
    no unmet demand then (None: not on the surface during that night)."""

    start_utc: datetime
    end_utc: datetime
    hours: float
    survived: tuple[bool | None, ...]
    min_soc: tuple[float | None, ...]


def nights(result: PowerResult) -> list[Night]:
    """Every night of the simulated span (runs of steps with the Sun down)."""
    dark = ~result.sun_lit
    out: list[Night] = []
    if not dark.any():
        return out
    edges = np.flatnonzero(np.diff(np.concatenate([[0], dark.astype(int), [0]])))
    frac = result.soc_fraction()
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        survived: list[bool | None] = []
        lows: list[float | None] = []
        for j in range(len(result.keys)):
            on = result.demand_wh[a:b, j] > 0
            if not on.any():
                survived.append(None)
                lows.append(None)
                continue
            survived.append(bool(result.unmet_wh[a:b, j].max() <= 1e-6))
            low = np.nanmin(frac[a:b, j]) if np.isfinite(frac[a:b, j]).any() else np.nan
            lows.append(None if np.isnan(low) else float(low))
        end = result.times_utc[b - 1] if b - 1 < len(result.times_utc) else result.times_utc[-1]
        out.append(
            Night(
                start_utc=result.times_utc[a],
                end_utc=end,
                hours=float((b - a) * result.step_h),
                survived=tuple(survived),
                min_soc=tuple(lows),
            )
        )
    return out


@dataclass(frozen=True)
class DailyComms:
    """Hours per UTC day with the Earth above the horizon, with the relay, with either."""

    day: date
    direct_h: float
    relay_h: float
    any_h: float


def daily_comms(
    times_utc: Sequence[datetime],
    earth_visible: np.ndarray,
    relay_visible: np.ndarray,
    step_h: float = 1.0,
) -> list[DailyComms]:
    """Communication hours per UTC day from samples every ``step_h`` hours: direct to Earth
    when the Earth is above the horizon (or mask), by relay when the relay satellite is."""
    days: dict[date, list[float]] = {}
    for when, e, r in zip(times_utc, earth_visible, relay_visible, strict=True):
        row = days.setdefault(when.date(), [0.0, 0.0, 0.0])
        row[0] += step_h * bool(e)
        row[1] += step_h * bool(r)
        row[2] += step_h * (bool(e) or bool(r))
    return [DailyComms(d, *v) for d, v in sorted(days.items())]
