"""`stationplan plan CAMPAIGN.toml`: schedule a campaign and print or report it."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class PlanFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    ics = "ics"


def plan(
    campaign: Annotated[Path, typer.Argument(help="Campaign file (TOML), see docs/campaign.md.")],
    format: Annotated[PlanFormat, typer.Option(help="Output format.")] = PlanFormat.table,
    report: Annotated[
        Path | None,
        typer.Option(help="Directory for report.html (+ plan.json, plan.ics)."),
    ] = None,
    time_limit: Annotated[
        float, typer.Option(help="Solver time limit per objective stage, seconds.")
    ] = 10.0,
    ignore_logistics: Annotated[
        bool,
        typer.Option(
            "--ignore-logistics",
            help="Print the schedule even if it breaks consumable reserves or propellant.",
        ),
    ] = False,
) -> None:
    """Schedule CAMPAIGN: launch opportunities, ports, crew, handovers, quotas (CP-SAT)."""
    from stationplan.cli.console import delayed_status, err, out, warn_skipped
    from stationplan.errors import InfeasibleError
    from stationplan.report import (
        schedule_table,
        schedule_to_csv,
        schedule_to_ics,
        schedule_to_json,
        write_html_report,
    )
    from stationplan.report.files import check_output_dir
    from stationplan.report.logistics import logistics_html
    from stationplan.services.campaigns import solve_settings
    from stationplan.station.campaign import load_campaign
    from stationplan.station.logistics import simulate_campaign, violations_message
    from stationplan.station.schedule import plan_campaign

    settings = solve_settings(time_limit)
    if report is not None:
        check_output_dir(report, "--report")
    loaded = load_campaign(campaign)
    warn_skipped(loaded.elements_skipped, loaded.elements_source)
    with delayed_status(
        "computing launch windows…", "computing launch windows: {item}…"
    ) as progress:
        result = plan_campaign(loaded, settings, progress)
    for message in result.warnings:
        err.print(f"[yellow]warning:[/] {message}", highlight=False)
    # The schedule must also keep the crew supplied and the station in its band
    # (consumables, reserves, propellant for reboosts): otherwise exit 2, explained.
    simulation = simulate_campaign(loaded, result)
    if simulation.violations:
        if not ignore_logistics:
            raise InfeasibleError(violations_message(simulation))
        err.print(f"[yellow]warning:[/] {violations_message(simulation)}", highlight=False)
    if report is not None:
        path = write_html_report(result, report, logistics_html(simulation, report))
        err.print(f"report written to {path}", highlight=False)
    if format is PlanFormat.json:
        sys.stdout.write(schedule_to_json(result))
    elif format is PlanFormat.csv:
        sys.stdout.write(schedule_to_csv(result))
    elif format is PlanFormat.ics:
        sys.stdout.buffer.write(schedule_to_ics(result).encode("utf-8"))
        sys.stdout.flush()
    else:
        out.print(schedule_table(result))
