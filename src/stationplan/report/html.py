"""Self-contained HTML report: port Gantt and crew aboard (inline SVG), mission table,
timeline and the launch windows each mission chose from."""

from __future__ import annotations

import html
import io
from datetime import datetime, timedelta
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.dates as mdates
import matplotlib.pyplot as plt

from stationplan.station.schedule import Schedule

from .files import make_output_dir, write_atomic
from .ics import schedule_to_ics
from .tables import binding_text, iso, schedule_to_json

__all__ = ["gantt_svg", "write_html_report"]

_COLORS = {"crew": "#d9534f", "cargo": "#5b8def", "module": "#5cb85c", "initial": "#999999"}


def _naive(when: datetime) -> datetime:
    """matplotlib dates: UTC without tzinfo."""
    return when.replace(tzinfo=None)


def gantt_svg(schedule: Schedule) -> str:
    """Port occupancy (one row per port) over crew aboard, as an SVG document (text)."""
    end = max(
        [schedule.completion_utc + timedelta(days=30)]
        + [p.departure_utc for p in schedule.missions if p.departure_utc is not None]
        + [v.departure_utc for v in schedule.initial]
    )
    rows: list[str] = []
    bars: list[tuple[str, datetime, datetime, str, str]] = []  # port, from, to, label, colour
    for v in schedule.initial:
        bars.append((v.port, schedule.start_utc, v.departure_utc, v.name, _COLORS["initial"]))
    for p in schedule.missions:
        colour = _COLORS.get(p.kind, "#777777")
        if p.transposition_utc is not None and p.berth is not None:
            bars.append((p.port, p.docking_utc, p.transposition_utc, p.name, colour))
            bars.append((p.berth, p.transposition_utc, end, p.name, colour))
        else:
            bars.append((p.port, p.docking_utc, p.departure_utc or end, p.name, colour))
    for port, *_ in bars:
        if port not in rows:
            rows.append(port)

    fig, (ax, crew_ax) = plt.subplots(
        2,
        1,
        figsize=(11, 1.2 + 0.55 * len(rows) + 2.0),
        sharex=True,
        gridspec_kw={"height_ratios": [max(len(rows), 1), 2.5]},
    )
    for port, start, stop, label, colour in bars:
        y = rows.index(port)
        x0, x1 = mdates.date2num(_naive(start)), mdates.date2num(_naive(stop))
        ax.barh(y, x1 - x0, left=x0, height=0.6, color=colour, edgecolor="black", linewidth=0.5)
        ax.text(x0 + 0.5, y, label, va="center", ha="left", fontsize=7)
    ax.set_yticks(range(len(rows)), rows)
    ax.invert_yaxis()
    ax.set_title(f"{schedule.campaign}: port occupancy (UTC)")
    ax.grid(axis="x", alpha=0.3)

    times = [_naive(schedule.start_utc)] + [_naive(e.time_utc) for e in schedule.timeline]
    crew = [0] + [e.crew_aboard for e in schedule.timeline]
    times.append(_naive(end))
    crew.append(crew[-1])
    crew_ax.step(times, crew, where="post", color="#333333")
    crew_ax.fill_between(times, crew, step="post", alpha=0.2, color=_COLORS["crew"])
    crew_ax.set_ylabel("crew aboard")
    crew_ax.set_ylim(0, max([*crew, 1]) + 1)
    crew_ax.grid(alpha=0.3)
    crew_ax.xaxis.set_major_locator(mdates.MonthLocator())
    crew_ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    fig.autofmt_xdate()
    fig.tight_layout()
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]  # drop the XML prolog to inline it


def _cell(value: object) -> str:
    return f"<td>{html.escape('' if value is None else str(value))}</td>"


def _short(when: datetime | None) -> str:
    return "" if when is None else when.strftime("%Y-%m-%d %H:%M:%S")


def _windows_html(schedule: Schedule, around: int = 2) -> str:
    parts = []
    for p in schedule.missions:
        options = schedule.candidates.get(p.name, ())
        chosen = next((k for k, c in enumerate(options) if c.launch_utc == p.launch_utc), None)
        if chosen is None:
            continue
        lo, hi = max(0, chosen - around), min(len(options), chosen + around + 1)
        rows = []
        for k in range(lo, hi):
            c = options[k]
            mark = ' class="chosen"' if k == chosen else ""
            rows.append(
                f"<tr{mark}><td>{_short(c.launch_utc)}</td><td>{_short(c.docking_utc)}</td>"
                f"<td>{c.phase_angle_deg:.1f}</td><td>{html.escape(c.profile)}</td></tr>"
            )
        parts.append(
            f"<h3>{html.escape(p.name)}</h3><p>{len(options)} in-plane opportunities from "
            f"{html.escape(p.site)} between {_short(options[0].launch_utc)} and "
            f"{_short(options[-1].launch_utc)}; chosen #{chosen + 1} (highlighted) and its "
            "neighbours:</p><table><tr><th>launch (UTC)</th><th>docking (UTC)</th>"
            "<th>phase °</th><th>profile</th></tr>" + "".join(rows) + "</table>"
        )
    return "".join(parts)


def render_html(schedule: Schedule, appendix_html: str = "") -> str:
    """The whole report as one HTML document (no external files).

    ``appendix_html``: further sections (e.g. logistics plots) placed before the footer.
    """
    mission_rows = "".join(
        "<tr>"
        + _cell(p.name)
        + _cell(p.kind)
        + _cell(f"{p.vehicle} ({p.profile})")
        + _cell(p.site)
        + _cell(_short(p.launch_utc))
        + _cell(_short(p.docking_utc))
        + _cell(p.port)
        + _cell(
            f"→ {p.berth} {_short(p.transposition_utc)}"
            if p.transposition_utc
            else _short(p.departure_utc)
        )
        + _cell(", ".join(p.crew))
        + _cell("" if p.deviation_h is None else f"{p.deviation_h:+.1f}")
        + _cell(p.reason)
        + _cell(binding_text(p))
        + "</tr>"
        for p in schedule.missions
    )
    timeline_rows = "".join(
        "<tr>"
        + _cell(_short(e.time_utc))
        + _cell(e.text)
        + _cell(e.crew_aboard)
        + _cell(e.vehicles_docked)
        + "</tr>"
        for e in schedule.timeline
    )
    warnings = "".join(f"<li>{html.escape(w)}</li>" for w in schedule.warnings)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(schedule.campaign)} — stationplan</title>
<style>
body {{ font-family: sans-serif; margin: 2em; max-width: 1200px; }}
table {{ border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }}
td, th {{ border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: left; }}
tr.chosen {{ background: #fff3c4; font-weight: bold; }}
.warn {{ color: #8a5a00; }}
</style></head><body>
<h1>{html.escape(schedule.campaign)}</h1>
<p>Station <b>{html.escape(schedule.station)}</b>; start {iso(schedule.start_utc)};
completion (last docking or transposition) <b>{iso(schedule.completion_utc)}</b>;
solver {schedule.status.lower()}, {schedule.deviation_min} min of deviation from preferred
dates; solved in {schedule.solve_s:.2f} s.</p>
{f'<ul class="warn">{warnings}</ul>' if warnings else ""}
<h2>Ports and crew</h2>
{gantt_svg(schedule)}
<h2>Missions</h2>
<table><tr><th>mission</th><th>kind</th><th>vehicle</th><th>site</th><th>launch (UTC)</th>
<th>docking (UTC)</th><th>port</th><th>transposed / leaves (UTC)</th><th>crew</th>
<th>Δ preferred h</th><th>reason</th><th>binding</th></tr>{mission_rows}</table>
<h2>Station timeline</h2>
<table><tr><th>time (UTC)</th><th>event</th><th>crew aboard</th><th>vehicles docked</th></tr>
{timeline_rows}</table>
<h2>Launch windows used</h2>
{_windows_html(schedule)}
{appendix_html}
<p><small>Generated by stationplan. Times are in-plane opportunities computed from the
station's element sets (docs/windows.md).</small></p>
</body></html>
"""


def write_html_report(schedule: Schedule, directory: Path | str, appendix_html: str = "") -> Path:
    """Write ``report.html`` (self-contained), ``plan.json`` and ``plan.ics`` to ``directory``.

    Returns the path of ``report.html``.
    """
    folder = make_output_dir(directory)
    target = folder / "report.html"
    # Each file atomically (report.files): an interrupted run leaves no half-written one.
    write_atomic(target, render_html(schedule, appendix_html))
    write_atomic(folder / "plan.json", schedule_to_json(schedule))
    write_atomic(folder / "plan.ics", schedule_to_ics(schedule).encode("utf-8"))
    return target
