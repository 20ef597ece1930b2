"""``stationplan lunar plan CAMPAIGN.toml``: schedule a lunar base campaign (CP-SAT), check
its power through every night, print or report it."""

from __future__ import annotations

import math
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class LunarPlanFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    ics = "ics"


def plan(
    campaign: Annotated[
        Path, typer.Argument(help="Lunar campaign file (TOML), see docs/lunar-campaign.md.")
    ],
    format: Annotated[LunarPlanFormat, typer.Option(help="Output format.")] = (
        LunarPlanFormat.table
    ),
    report: Annotated[
        Path | None,
        typer.Option(help="Directory for report.html (+ plan.json, plan.ics)."),
    ] = None,
    time_limit: Annotated[float, typer.Option(help="Solver time limit, seconds.")] = 10.0,
) -> None:
    """Schedule CAMPAIGN: launch windows, landing lighting, crew stays in daylight with comms,
    dependencies, lunar-orbit rendezvous, partner quotas; then the base's hourly power."""
    from stationplan.cli.console import delayed_status, err, out
    from stationplan.errors import InputError
    from stationplan.moon.base_schedule import plan_lunar_campaign
    from stationplan.moon.campaign import load_lunar_campaign
    from stationplan.report.files import check_output_dir
    from stationplan.report.lunar import (
        lunar_plan_table,
        lunar_plan_to_csv,
        lunar_plan_to_ics,
        lunar_plan_to_json,
        write_lunar_report,
    )

    if not (math.isfinite(time_limit) and 0 < time_limit <= 3600):
        raise InputError(
            f"{time_limit} is not a number of seconds in (0, 3600]", field="--time-limit"
        )
    if report is not None:
        check_output_dir(report, "--report")
    loaded = load_lunar_campaign(campaign)
    with delayed_status(
        "computing launch windows and site conditions…",
        "computing launch windows and landings: {item}…",
    ) as progress:
        result = plan_lunar_campaign(loaded, time_limit, progress)
    if report is not None:
        path = write_lunar_report(result, report)
        err.print(f"report written to {path}", highlight=False)
    if format is LunarPlanFormat.json:
        sys.stdout.write(lunar_plan_to_json(result))
    elif format is LunarPlanFormat.csv:
        sys.stdout.write(lunar_plan_to_csv(result))
    elif format is LunarPlanFormat.ics:
        sys.stdout.buffer.write(lunar_plan_to_ics(result).encode("utf-8"))
        sys.stdout.flush()
    else:
        out.print(lunar_plan_table(result))
