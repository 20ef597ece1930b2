"""Launch opportunities as a rich table, JSON (a list of objects) or CSV (windows, demo)."""

from __future__ import annotations

import csv
import io
import json
import sys

from rich.table import Table

from stationplan.cli.console import OutputFormat, out
from stationplan.launch.windows import Opportunity
from stationplan.orbit.timescale import iso_utc_seconds, jd_to_datetime

__all__ = ["render_opportunities"]


def render_opportunities(
    rows: list[Opportunity], fmt: OutputFormat, title: str, caption: str = ""
) -> None:
    """Print opportunities as a rich table, JSON (a list of objects) or CSV."""
    records = [o.as_dict() for o in rows]
    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps(records, indent=2) + "\n")
        return
    if fmt is OutputFormat.csv:
        buffer = io.StringIO()
        fields = list(records[0]) if records else list(Opportunity.__dataclass_fields__)
        writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(
            {k: ";".join(map(_cell, v)) if isinstance(v, list) else v for k, v in r.items()}
            for r in records
        )
        sys.stdout.write(buffer.getvalue())
        return
    table = Table(title=title, caption=caption)
    for name, justify in [
        ("launch (UTC)", "left"),
        ("pass", "left"),
        ("azimuth °", "right"),
        ("off-plane °", "right"),
        ("phase °", "right"),
        ("docking (UTC)", "left"),
        ("profile", "left"),
        ("feasible profiles", "left"),
        ("TLE age d", "right"),
    ]:
        table.add_column(name, justify=justify, no_wrap="UTC" in name)  # type: ignore[arg-type]
    for o in rows:
        table.add_row(
            iso_utc_seconds(o.launch_utc),
            o.pass_direction,
            f"{o.azimuth_deg:.1f}",
            f"{o.out_of_plane_deg:+.3f}",
            f"{o.phase_angle_deg:.1f}",
            iso_utc_seconds(o.docking_utc),
            o.profile,
            ", ".join(
                f"{w.name} ({iso_utc_seconds(jd_to_datetime(w.earliest_jd))}–"
                f"{iso_utc_seconds(jd_to_datetime(w.latest_jd))})"
                for w in o.docking_windows
            )
            or ", ".join(o.feasible_profiles)
            or "[dim]none[/]",
            f"{o.element_age_days:+.1f}",
        )
    out.print(table)


def _cell(value: object) -> str:
    """One CSV cell of a list: a profile name, or ``name earliest/nominal/latest`` for a
    docking window."""
    if isinstance(value, dict):
        return (
            f"{value['name']} {value['docking_earliest_utc']}/{value['docking_utc']}/"
            f"{value['docking_latest_utc']}"
        )
    return str(value)
