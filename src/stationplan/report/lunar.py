"""Lunar base campaign outputs: rich table, JSON, CSV, iCalendar and a self-contained HTML
report (schedule table, Gantt, Sun/Earth elevation, battery state of charge, daily comms).

Every writer takes a :class:`stationplan.moon.base_schedule.LunarPlan` and recomputes
nothing. JSON contract (used by checks): an object whose ``missions`` list holds per mission
``name``, ``crewed`` (bool), ``launch_utc``, ``landing_utc`` (null for orbiters),
``site_lat_deg``, ``site_lon_deg``, ``sun_alt_at_landing_deg``, and more keys.
"""

from __future__ import annotations

import csv
import html
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
from rich.table import Table

from stationplan.moon.base_schedule import LunarPlan, MissionResult
from stationplan.moon.power import daily_comms
from stationplan.orbit.timescale import iso_utc_seconds

from .files import make_output_dir, write_atomic
from .ics import CRLF, _fold, _slug, _stamp, _text

__all__ = [
    "lunar_plan_dict",
    "lunar_plan_table",
    "lunar_plan_to_csv",
    "lunar_plan_to_ics",
    "lunar_plan_to_json",
    "write_lunar_report",
]


def _iso(when: datetime | None) -> str | None:
    return None if when is None else iso_utc_seconds(when)


def _short(when: datetime | None) -> str:
    return "" if when is None else when.strftime("%Y-%m-%d %H:%M")


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(float(value), digits)


def _mission_dict(plan: LunarPlan, m: MissionResult) -> dict[str, Any]:
    site = plan.campaign.site.site
    return {
        "name": m.name,
        "vehicle": m.vehicle,
        "partner": m.partner,
        "launcher": m.launcher,
        "launch_site": m.launch_site,
        "crewed": m.crewed,
        "crew": m.crew,
        "crew_seats": m.crew_seats,
        "launch_utc": _iso(m.launch_utc),
        "arrival_utc": _iso(m.arrival_utc),
        "landing_utc": _iso(m.landing_utc),
        "stay_h": m.stay_h,
        "liftoff_utc": _iso(m.liftoff_utc),
        "site_lat_deg": site.lat_deg,
        "site_lon_deg": site.lon_deg,
        "sun_alt_at_landing_deg": _round(m.sun_alt_at_landing_deg),
        "elements": list(m.elements),
    }


def _on_surface_soc(p: Any) -> np.ndarray:
    """State of charge (fraction) while each element is on the surface and switched on,
    NaN elsewhere and for elements without a battery."""
    steps = np.arange(p.soc_wh.shape[0])[:, None]
    on = (steps >= p.landed_index[None, :]) & (steps < p.off_index[None, :])
    return np.where(on, p.soc_fraction(), np.nan)


def lunar_plan_dict(plan: LunarPlan) -> dict[str, Any]:
    """The plan as JSON-ready data (see the module text)."""
    p = plan.power
    survived = [n for n in plan.nights if any(s is not None for s in n.survived)]
    return {
        "campaign": plan.campaign.name,
        "site": {
            "name": plan.campaign.site.name,
            "lat_deg": plan.campaign.site.site.lat_deg,
            "lon_deg": plan.campaign.site.site.lon_deg,
            "horizon": plan.conditions.horizon,
        },
        "missions": [_mission_dict(plan, m) for m in plan.missions],
        "power": {
            "produced_wh": round(float(p.produced_wh.sum()), 1),
            "used_wh": round(float(p.used_wh.sum()), 1),
            "spilled_wh": round(float(p.spilled_wh.sum()), 1),
            "nights_with_elements": len(survived),
            "longest_night_h": max((n.hours for n in survived), default=0.0),
            "min_soc": {
                key: _round(float(np.nanmin(col)))
                for key, col in zip(p.keys, _on_surface_soc(p).T, strict=True)
                if np.isfinite(col).any()
            },
        },
        "stay_hours": {
            name: [
                {
                    "utc": iso_utc_seconds(h.utc),
                    "sun_alt_deg": round(h.sun_alt_deg, 3),
                    "sun_lit": h.sun_lit,
                    "earth_visible": h.earth_visible,
                    "relay_visible": h.relay_visible,
                }
                for h in hours
            ]
            for name, hours in plan.stay_comms.items()
        },
        "solve_s": round(plan.solve_s, 3),
    }


def lunar_plan_to_json(plan: LunarPlan) -> str:
    """The plan as indented JSON text (ends with a newline)."""
    return json.dumps(lunar_plan_dict(plan), indent=2) + "\n"


_CSV_COLUMNS = [
    "name", "partner", "vehicle", "launcher", "launch_site", "crewed", "crew", "launch_utc",
    "arrival_utc", "landing_utc", "stay_h", "liftoff_utc", "site_lat_deg", "site_lon_deg",
    "sun_alt_at_landing_deg", "elements",
]  # fmt: skip


def lunar_plan_to_csv(plan: LunarPlan) -> str:
    """One row per mission (elements joined with ``;``)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=_CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for m in plan.missions:
        row = _mission_dict(plan, m)
        row["elements"] = ";".join(row["elements"])
        writer.writerow(row)
    return buffer.getvalue()


def lunar_plan_to_ics(plan: LunarPlan, stamp: datetime | None = None) -> str:
    """Launches, lunar-orbit arrivals, landings and crew liftoffs as iCalendar (RFC 5545)."""
    stamp_text = _stamp(stamp or datetime.now(UTC))
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//stationplan//lunar campaign plan//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_text(plan.campaign.name)}",
    ]
    for m in plan.missions:
        events = [("launch", m.launch_utc), ("arrival", m.arrival_utc)]
        if m.landing_utc is not None:
            events.append(("landing", m.landing_utc))
        if m.liftoff_utc is not None:
            events.append(("liftoff", m.liftoff_utc))
        for kind, when in events:
            lines += [
                "BEGIN:VEVENT",
                f"UID:{_stamp(when)}-{kind}-{_slug(m.name)}@stationplan",
                f"DTSTAMP:{stamp_text}",
                f"DTSTART:{_stamp(when)}",
                f"DTEND:{_stamp(when + timedelta(minutes=15))}",
                f"SUMMARY:{_text(f'{m.name} {kind}')}",
                f"DESCRIPTION:{_text(f'{plan.campaign.name}: {m.vehicle} ({m.partner})')}",
                f"CATEGORIES:{kind.upper()}",
                "END:VEVENT",
            ]
    lines.append("END:VCALENDAR")
    return CRLF.join(_fold(line) for line in lines) + CRLF


def lunar_plan_table(plan: LunarPlan) -> Table:
    """A rich table: one row per mission."""
    site = plan.campaign.site
    table = Table(
        title=f"{plan.campaign.name}: {len(plan.missions)} missions at {site.name} "
        f"({site.site.lat_deg:g}°, {site.site.lon_deg:g}°)"
    )
    for name in ("mission", "partner", "launch (UTC)", "arrival (UTC)", "landing (UTC)",
                 "Sun °", "stay h", "crew", "elements"):  # fmt: skip
        table.add_column(name)
    for m in plan.missions:
        seats = ", ".join(f"{p} {n}" for p, n in m.crew_seats.items() if n)
        table.add_row(
            m.name,
            m.partner,
            _short(m.launch_utc),
            _short(m.arrival_utc),
            _short(m.landing_utc) if m.landing_utc else "(orbit)",
            "" if m.sun_alt_at_landing_deg is None else f"{m.sun_alt_at_landing_deg:.2f}",
            "" if m.stay_h is None else f"{m.stay_h:g}",
            f"{m.crew} ({seats})" if seats else (str(m.crew) if m.crew else ""),
            ", ".join(m.elements),
        )
    return table


def _naive(when: datetime) -> datetime:
    return when.replace(tzinfo=None)


def _svg(fig: Any) -> str:
    fig.tight_layout()
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]


def gantt_svg(plan: LunarPlan) -> str:
    """One row per mission: transfer (launch → arrival), orbit (→ landing), crew stay."""
    fig, ax = plt.subplots(figsize=(11, 1.2 + 0.4 * len(plan.missions)))
    end = plan.campaign.end
    for y, m in enumerate(plan.missions):
        settled = m.landing_utc or m.arrival_utc
        if settled < end:
            x0, x1 = mdates.date2num(_naive(settled)), mdates.date2num(_naive(end))
            colour = "#dff0d8" if m.landing_utc is not None else "#e3ecfa"
            ax.barh(y, x1 - x0, left=x0, height=0.3, color=colour)
        spans = [(m.launch_utc, m.arrival_utc, "#5b8def")]
        if m.landing_utc is not None:
            spans.append((m.arrival_utc, m.landing_utc, "#999999"))
        if m.liftoff_utc is not None and m.landing_utc is not None:
            spans.append((m.landing_utc, m.liftoff_utc, "#d9534f"))
        for a, b, colour in spans:
            x0, x1 = mdates.date2num(_naive(a)), mdates.date2num(_naive(b))
            ax.barh(y, max(x1 - x0, 2.0), left=x0, height=0.6, color=colour, edgecolor="black",
                    linewidth=0.4)  # fmt: skip
        if m.landing_utc is not None:
            ax.plot(mdates.date2num(_naive(m.landing_utc)), y, "kv", markersize=5)
    ax.set_yticks(range(len(plan.missions)), [m.name for m in plan.missions])
    ax.invert_yaxis()
    ax.set_title(
        "missions: transfer (blue), lunar orbit (grey), landing ▼, crew stay (red); "
        "then on the surface (green) or in orbit (light blue)"
    )
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    ax.grid(axis="x", alpha=0.3)
    return _svg(fig)


def conditions_svg(plan: LunarPlan) -> str:
    """Sun and Earth elevation at the site, and the battery state of charge of each element
    (daily minimum), over the campaign."""
    c = plan.conditions
    p = plan.power
    times = np.array([_naive(t) for t in c.times_utc])
    day = 24
    fig, (ax, cx, bx) = plt.subplots(
        3, 1, figsize=(11, 8.5), sharex=True, gridspec_kw={"height_ratios": [3, 1.5, 3]}
    )
    ax.plot(times[:: day // 4], c.sun_alt_deg[:: day // 4], lw=0.5, color="#e0a800", label="Sun")
    ax.plot(times[::day // 4], c.earth_alt_deg[::day // 4], lw=0.5, color="#5b8def",
            label="Earth")  # fmt: skip
    ax.axhline(0.0, color="black", lw=0.5)
    ax.set_ylabel("elevation, deg")
    ax.set_title(f"Sun and Earth above the site ({c.horizon}); 6-hourly samples")
    ax.legend(loc="upper right", fontsize=8)
    direct = daily_comms(c.times_utc, c.earth_visible, np.zeros(len(times), dtype=bool))
    cx.bar([_naive(datetime.combine(d.day, datetime.min.time())) for d in direct],
           [d.direct_h for d in direct], width=1.0, color="#5b8def")  # fmt: skip
    cx.set_ylabel("Earth in view, h/day")
    cx.set_ylim(0, 24)
    soc = _on_surface_soc(p)
    n_days = len(times) // day
    for j, key in enumerate(p.keys):
        if p.capacity_wh[j] <= 0:
            continue
        block = soc[: n_days * day, j].reshape(n_days, day)
        on = np.isfinite(block).all(axis=1)
        daily = np.nanmin(np.where(np.isfinite(block), block, 1.0), axis=1)
        bx.plot(times[: n_days * day : day][on], daily[on], lw=0.8, label=key)
    bx.set_ylabel("battery SOC (daily min)")
    bx.set_ylim(0, 1.05)
    bx.legend(loc="lower left", fontsize=6, ncol=3)
    bx.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    bx.grid(alpha=0.3)
    return _svg(fig)


def _cell(value: object) -> str:
    return f"<td>{html.escape('' if value is None else str(value))}</td>"


def render_lunar_html(plan: LunarPlan) -> str:
    """The whole report as one HTML document (no external files)."""
    rows = "".join(
        "<tr>"
        + _cell(m.name)
        + _cell(m.partner)
        + _cell(m.vehicle)
        + _cell(f"{m.launcher} from {m.launch_site}")
        + _cell(_short(m.launch_utc))
        + _cell(_short(m.arrival_utc))
        + _cell(_short(m.landing_utc))
        + _cell("" if m.sun_alt_at_landing_deg is None else f"{m.sun_alt_at_landing_deg:.2f}")
        + _cell("" if m.stay_h is None else f"{m.stay_h:g}")
        + _cell(", ".join(f"{p} {n}" for p, n in m.crew_seats.items()) or m.crew or "")
        + _cell(", ".join(m.elements))
        + "</tr>"
        for m in plan.missions
    )
    night_rows = "".join(
        "<tr>"
        + _cell(_short(n.start_utc))
        + _cell(f"{n.hours:g}")
        + _cell(sum(1 for s in n.survived if s))
        + _cell(
            f"{min(x for x in n.min_soc if x is not None):.0%}"
            if any(x is not None for x in n.min_soc)
            else ""
        )
        + "</tr>"
        for n in sorted(plan.nights, key=lambda n: -n.hours)[:10]
        if any(s is not None for s in n.survived)
    )
    comms_rows = "".join(
        "<tr>" + _cell(name) + _cell(d.day.isoformat()) + _cell(f"{d.direct_h:g}")
        + _cell(f"{d.relay_h:g}") + _cell(f"{d.any_h:g}") + "</tr>"
        for name, hours in plan.stay_comms.items()
        for d in daily_comms(
            [h.utc for h in hours],
            np.array([h.earth_visible for h in hours]),
            np.array([h.relay_visible for h in hours]),
        )
    )  # fmt: skip
    site = plan.campaign.site
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(plan.campaign.name)} — stationplan</title>
<style>
body {{ font-family: sans-serif; margin: 2em; max-width: 1200px; }}
table {{ border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }}
td, th {{ border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: left; }}
</style></head><body>
<h1>{html.escape(plan.campaign.name)}</h1>
<p>Site <b>{html.escape(site.name)}</b> ({site.site.lat_deg:g}°, {site.site.lon_deg:g}°;
{html.escape(plan.conditions.horizon)}); solved in {plan.solve_s:.2f} s. Every night was
survived by every element on the surface (hourly energy balance).</p>
<h2>Schedule</h2>
<table><tr><th>mission</th><th>partner</th><th>vehicle</th><th>launcher</th>
<th>launch (UTC)</th><th>lunar orbit (UTC)</th><th>landing (UTC)</th><th>Sun at landing °</th>
<th>stay h</th><th>crew seats</th><th>elements</th></tr>{rows}</table>
<h2>Timeline</h2>
{gantt_svg(plan)}
<h2>Sun, Earth (and direct-to-Earth hours per day) and batteries</h2>
{conditions_svg(plan)}
<h2>Longest nights with elements on the surface</h2>
<table><tr><th>sunset (UTC)</th><th>hours</th><th>elements through it</th>
<th>lowest SOC</th></tr>{night_rows}</table>
<h2>Communications during crew stays (hours per UTC day)</h2>
<table><tr><th>mission</th><th>day</th><th>direct to Earth</th><th>relay</th><th>either</th></tr>
{comms_rows}</table>
<p><small>Generated by stationplan (JPL DE421 via Skyfield; CP-SAT). See
docs/lunar-campaign.md.</small></p>
</body></html>
"""


def write_lunar_report(plan: LunarPlan, directory: Path | str) -> Path:
    """Write ``report.html``, ``plan.json`` and ``plan.ics`` to ``directory``; the HTML path."""
    folder = make_output_dir(directory)
    target = folder / "report.html"
    write_atomic(target, render_lunar_html(plan))
    write_atomic(folder / "plan.json", lunar_plan_to_json(plan))
    write_atomic(folder / "plan.ics", lunar_plan_to_ics(plan).encode("utf-8"))
    return target
