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
sum of their productions, loads and batteries, and shares the charge, discharge, spill and
shortfall out in proportion to headroom, available charge, production and load. Per element,
every step: ``produced + imported = used + stored + spilled`` with ``used = demand − unmet``,
``stored`` the change of stored energy and ``imported`` summing to zero over the grid; for
the base ``produced = used + stored + spilled``.
"""

from __future__ import annotations

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
    stored energy at the step's end. Steps before a placement lands are zero."""

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
    hours; Sun arrays per instant). Batteries start at ``initial_soc`` of capacity on
    landing. Production and loads are computed as arrays over time; the battery recurrence
    steps through time with all elements at once."""
    n = len(times_utc)
    m = len(placements)
    lit = np.asarray(sun_lit, dtype=bool)
    crew = np.zeros(n, dtype=bool) if crew_present is None else np.asarray(crew_present, bool)
    present = np.zeros((n, m), dtype=bool)
    prod = np.zeros((n, m))
    dem = np.zeros((n, m))
    cap = np.array([p.element.battery_wh for p in placements], dtype=float)
    floor = np.array([p.element.battery_wh * p.element.min_soc for p in placements], dtype=float)
    grid = np.array([p.element.connects for p in placements], dtype=bool)
    for j, p in enumerate(placements):
        present[max(p.from_index, 0) :, j] = p.from_index < n
        prod[:, j] = panel_power_w(p.element, sun_alt_deg, sun_az_deg, lit) * step_h
        dem[:, j] = demand_w(p.element, lit, crew) * step_h
    prod *= present
    dem *= present
    shape = (n, m)
    used, stored, spilled, imported, unmet, soc_out = (np.zeros(shape) for _ in range(6))
    soc = np.zeros(m)
    landed = np.zeros(m, dtype=bool)
    for i in range(n):
        here = present[i]
        arriving = here & ~landed
        soc[arriving] = initial_soc * cap[arriving]
        landed |= here
        p_i, d_i = prod[i], dem[i]
        net = p_i - d_i
        charge = np.minimum(np.maximum(net, 0.0), cap - soc)
        discharge = np.minimum(np.maximum(-net, 0.0), np.maximum(soc - floor, 0.0))
        spill = np.maximum(net, 0.0) - charge
        short = np.maximum(-net, 0.0) - discharge
        imp = np.zeros(m)
        g = grid & here
        if g.sum() > 1:
            g_net = float(net[g].sum())
            g_cap = cap[g] - soc[g]
            g_av = np.maximum(soc[g] - floor[g], 0.0)
            g_charge = min(max(g_net, 0.0), float(g_cap.sum()))
            g_dis = min(max(-g_net, 0.0), float(g_av.sum()))
            g_spill = max(g_net, 0.0) - g_charge
            g_short = max(-g_net, 0.0) - g_dis
            charge[g] = g_charge * _share(g_cap)
            discharge[g] = g_dis * _share(g_av)
            spill[g] = g_spill * _share(p_i[g])
            short[g] = g_short * _share(d_i[g])
            used_g = d_i[g] - short[g]
            imp[g] = used_g + charge[g] - discharge[g] + spill[g] - p_i[g]
        soc = soc + charge - discharge
        used[i] = d_i - short
        stored[i] = charge - discharge
        spilled[i] = spill
        imported[i] = imp
        unmet[i] = short
        soc_out[i] = soc
    return PowerResult(
        times_utc=list(times_utc),
        step_h=step_h,
        keys=tuple(p.key for p in placements),
        missions=tuple(p.mission for p in placements),
        connected=grid,
        produced_wh=prod,
        demand_wh=dem,
        used_wh=used,
        stored_wh=stored,
        spilled_wh=spilled,
        imported_wh=imported,
        unmet_wh=unmet,
        soc_wh=soc_out,
        capacity_wh=cap,
        floor_wh=floor,
        sun_lit=lit,
        landed_index=np.array([p.from_index for p in placements], dtype=int),
    )


def _share(weights: np.ndarray) -> np.ndarray:
    total = float(weights.sum())
    if total <= 0.0:
        return np.full(weights.shape, 1.0 / weights.size)
    return weights / total


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
