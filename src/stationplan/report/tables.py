"""Schedule as a rich table, a JSON document and CSV rows."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from rich.table import Table

from stationplan.orbit.timescale import iso_utc_seconds
from stationplan.station.schedule import MissionPlan, Schedule

__all__ = ["iso", "schedule_table", "schedule_to_csv", "schedule_to_dict", "schedule_to_json"]


def iso(when: datetime | None) -> str | None:
    """ISO 8601 UTC with a Z suffix, to the second (None stays None)."""
    return None if when is None else iso_utc_seconds(when)


def _mission_dict(p: MissionPlan) -> dict[str, Any]:
    return {
        "name": p.name,
        "kind": p.kind,
        "vehicle": p.vehicle,
        "site": p.site,
        "profile": p.profile,
        "launch_utc": iso(p.launch_utc),
        "docking_utc": iso(p.docking_utc),
        "port": p.port,
        "departure_utc": iso(p.departure_utc),
        "stay_days": None if p.stay_days is None else round(p.stay_days, 3),
        "transposition_utc": iso(p.transposition_utc),
        "berth": p.berth,
        "crew": [{"name": n, "agency": a} for n, a in zip(p.crew, p.agencies, strict=True)],
        "preferred_utc": iso(p.preferred_utc),
        "deviation_h": None if p.deviation_h is None else round(p.deviation_h, 3),
        "phase_angle_deg": round(p.phase_angle_deg, 3),
        "candidates": p.candidates,
        "reason": p.reason,
        "binding": [
            {
                "requirement": b.family,
                "missions": list(b.missions),
                "text": b.sentence,
                "gain_h": round(b.gain_h, 3),
            }
            for b in p.binding
        ],
        "cargo_kg": p.cargo_kg,
    }


def binding_text(p: MissionPlan) -> str:
    """The binding requirements of a plan, ``"pad (+504 h), port (+48 h)"``: each one's
    family and how many hours earlier (nearer preferred) the mission launches without it."""
    return ", ".join(f"{b.family} (+{b.gain_h:.0f} h)" for b in p.binding)


def schedule_to_dict(schedule: Schedule) -> dict[str, Any]:
    """JSON-ready record: per mission ``launch_utc``, ``docking_utc``, ``port``,
    ``departure_utc``, ``profile`` and more; the station ``timeline`` in order."""
    return {
        "campaign": schedule.campaign,
        "station": schedule.station,
        "start_utc": iso(schedule.start_utc),
        "completion_utc": iso(schedule.completion_utc),
        "status": schedule.status,
        "deviation_min": schedule.deviation_min,
        "missions": [_mission_dict(p) for p in schedule.missions],
        "initial": [
            {
                "name": v.name,
                "vehicle": v.vehicle,
                "port": v.port,
                "docked_utc": iso(v.docked_utc),
                "departure_utc": iso(v.departure_utc),
                "crew": list(v.crew),
            }
            for v in schedule.initial
        ],
        "timeline": [
            {
                "time_utc": iso(e.time_utc),
                "kind": e.kind,
                "mission": e.mission,
                "port": e.port,
                "text": e.text,
                "crew_aboard": e.crew_aboard,
                "vehicles_docked": e.vehicles_docked,
            }
            for e in schedule.timeline
        ],
        "warnings": list(schedule.warnings),
    }


def schedule_to_json(schedule: Schedule) -> str:
    """The schedule as an indented JSON document (see :func:`schedule_to_dict`)."""
    return json.dumps(schedule_to_dict(schedule), indent=2) + "\n"


CSV_FIELDS = (
    "name",
    "kind",
    "vehicle",
    "site",
    "profile",
    "launch_utc",
    "docking_utc",
    "port",
    "transposition_utc",
    "berth",
    "departure_utc",
    "stay_days",
    "crew",
    "preferred_utc",
    "deviation_h",
    "reason",
)


def schedule_to_csv(schedule: Schedule) -> str:
    """One CSV row per mission (crew as ``Name (Agency)`` joined by ``; ``)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for p in schedule.missions:
        row = _mission_dict(p)
        row["crew"] = "; ".join(f"{c['name']} ({c['agency']})" for c in row["crew"])
        writer.writerow({k: "" if row[k] is None else row[k] for k in CSV_FIELDS})
    return buffer.getvalue()


def _short(when: datetime | None) -> str:
    return "" if when is None else when.strftime("%Y-%m-%d %H:%M:%S")


def schedule_table(schedule: Schedule) -> Table:
    """A rich table: one row per mission with its reason."""
    table = Table(
        title=f"{schedule.campaign}: {len(schedule.missions)} missions, completion "
        f"{_short(schedule.completion_utc)} UTC ({schedule.status.lower()})",
    )
    for name, justify in [
        ("mission", "left"),
        ("launch (UTC)", "left"),
        ("site", "left"),
        ("docking (UTC)", "left"),
        ("port", "left"),
        ("transposed / leaves (UTC)", "left"),
        ("Δ pref h", "right"),
        ("reason", "left"),
        ("binding", "left"),
    ]:
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for p in schedule.missions:
        if p.transposition_utc is not None:
            after = f"→ {p.berth} {_short(p.transposition_utc)}"
        else:
            after = _short(p.departure_utc)
        table.add_row(
            p.name,
            _short(p.launch_utc),
            p.site,
            _short(p.docking_utc),
            p.port,
            after,
            "" if p.deviation_h is None else f"{p.deviation_h:+.1f}",
            p.reason,
            binding_text(p),
        )
    return table
