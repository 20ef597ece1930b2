"""Campaign requests shared by the CLI and the web: solver settings, plan and simulate."""

from __future__ import annotations

import json
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stationplan.errors import InfeasibleError, InputError
from stationplan.report.tables import iso, schedule_to_json
from stationplan.station.campaign import CampaignFile, load_campaign
from stationplan.station.logistics import simulate_campaign, violations_message
from stationplan.station.schedule import Schedule, SolveSettings, plan_campaign

__all__ = [
    "PlanOutcome",
    "load_campaign_text",
    "locate_field",
    "mission_windows",
    "plan_request",
    "simulate_request",
    "solve_settings",
]


def solve_settings(time_limit_s: float) -> SolveSettings:
    """Solver settings from ``--time-limit`` (seconds per objective stage, 0.1–3600)."""
    if not 0.1 <= time_limit_s <= 3600:
        raise InputError("the time limit must lie within 0.1–3600 s", field="--time-limit")
    return SolveSettings(time_limit_s=time_limit_s)


# ----------------------------------------------------------------------------- web requests
# Campaigns held as text (a stored TOML version) rather than a file on disk: the web keeps
# every version in its database and plans one by writing it to a scratch directory.

_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\-]+)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")


def locate_field(text: str, field: str | None) -> int | None:
    """1-based line of the TOML key named by a dotted key path (``missions[1].launch``).

    The path is the one :func:`stationplan.tomlfiles.input_error_from_validation` names;
    the line is that of the deepest key found (the table header when the key is absent).
    """
    if not field:
        return None
    parts = re.findall(r"([A-Za-z0-9_\-]+)(?:\[(\d+)\])?", field.split(" ")[0])
    if not parts:
        return None
    lines = text.splitlines()
    table, index = parts[0]
    wanted = int(index) if index else 0
    seen = -1
    start: int | None = None
    for number, line in enumerate(lines):
        match = _HEADER.match(line)
        if match and match.group(1) == table:
            seen += 1
            if seen == wanted:
                start = number
                break
    if start is None:
        for number, line in enumerate(lines):
            key = _KEY.match(line)
            if key and key.group(1) == table:
                return number + 1
        return None
    best = start
    for name, _ in parts[1:]:
        for number in range(best + 1, len(lines)):
            if _HEADER.match(lines[number]):
                break
            key = _KEY.match(lines[number])
            if key and key.group(1) == name:
                best = number
                break
            if re.search(rf"\b{re.escape(name)}\s*=", lines[number]):
                best = number
                break
    return best + 1


def load_campaign_text(text: str, name: str = "campaign.toml") -> CampaignFile:
    """Validate and resolve a campaign given as TOML text (a stored version).

    Relative element-file paths cannot be resolved from text: use ``bundled:…``. Errors
    are :class:`InputError` naming ``name``, the key path and its line.
    """
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name) or "campaign.toml"
    with tempfile.TemporaryDirectory(prefix="stationplan-") as folder:
        path = Path(folder) / safe
        path.write_text(text, encoding="utf-8")
        try:
            return load_campaign(path)
        except InputError as exc:
            line = exc.line if exc.line is not None else locate_field(text, exc.field)
            raise InputError(exc.reason, path=safe, line=line, field=exc.field) from None


@dataclass(frozen=True)
class PlanOutcome:
    """A planned campaign: the schedule as the CLI's JSON (``plan --format json``), the
    warnings, the logistics violations (sentences), the simulation (``simulate --format json``)
    and timings (s)."""

    schedule: dict[str, Any]
    warnings: tuple[str, ...]
    violations: tuple[str, ...]
    simulation: dict[str, Any]
    windows: dict[str, list[dict[str, Any]]]
    timings_s: dict[str, float]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form stored with a run."""
        return {
            "schedule": self.schedule,
            "warnings": list(self.warnings),
            "violations": list(self.violations),
            "simulation": self.simulation,
            "windows": self.windows,
            "timings_s": self.timings_s,
        }


def plan_request(
    text: str,
    time_limit_s: float = 10.0,
    name: str = "campaign.toml",
    on_mission: Callable[[str], None] | None = None,
    ignore_logistics: bool = False,
) -> PlanOutcome:
    """``stationplan plan`` on a campaign given as text.

    Raises :class:`InputError` (bad file), :class:`InfeasibleError` with the explanation
    sentences (no schedule, or the schedule breaks logistics unless ``ignore_logistics``).
    """
    settings = solve_settings(time_limit_s)
    clock = time.perf_counter()
    loaded = load_campaign_text(text, name)
    loaded_s = time.perf_counter() - clock
    result = plan_campaign(loaded, settings, on_mission)
    planned_s = time.perf_counter() - clock
    simulation = simulate_campaign(loaded, result)
    if simulation.violations and not ignore_logistics:
        raise InfeasibleError(violations_message(simulation))
    total_s = time.perf_counter() - clock
    return PlanOutcome(
        schedule=json.loads(schedule_to_json(result)),
        warnings=tuple(result.warnings) + tuple(simulation.warnings),
        violations=tuple(v.message for v in simulation.violations),
        simulation=simulation.as_dict(),
        windows=mission_windows(result),
        timings_s={
            "load": round(loaded_s, 3),
            "plan": round(planned_s - loaded_s, 3),
            "simulate": round(total_s - planned_s, 3),
            "total": round(total_s, 3),
        },
    )


def mission_windows(schedule: Schedule, around: int = 3) -> dict[str, list[dict[str, Any]]]:
    """Per mission the launch opportunities around the chosen one (``chosen`` marks it)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for plan in schedule.missions:
        options = schedule.candidates.get(plan.name, ())
        chosen = next((k for k, c in enumerate(options) if c.launch_utc == plan.launch_utc), None)
        if chosen is None:
            continue
        found[plan.name] = [
            {
                "launch_utc": iso(c.launch_utc),
                "docking_utc": iso(c.docking_utc),
                "profile": c.profile,
                "phase_angle_deg": round(c.phase_angle_deg, 2),
                "chosen": k == chosen,
            }
            for k, c in enumerate(options)
            if abs(k - chosen) <= around
        ]
    return found


def simulate_request(
    text: str,
    time_limit_s: float = 10.0,
    name: str = "campaign.toml",
    solar: str = "nominal",
    on_mission: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """``stationplan simulate --format json`` on a campaign given as text."""
    if solar not in ("low", "nominal", "high"):
        raise InputError("solar must be low, nominal or high", field="solar")
    settings = solve_settings(time_limit_s)
    loaded = load_campaign_text(text, name)
    schedule = plan_campaign(loaded, settings, on_mission)
    return simulate_campaign(loaded, schedule, solar, None).as_dict()
