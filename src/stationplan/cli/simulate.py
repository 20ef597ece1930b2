"""`stationplan simulate CAMPAIGN.toml`: consumables, altitude and reboosts day by day.

Schedules the campaign (as ``plan`` does), turns the schedule into visits and simulates the
station (``stationplan.station.logistics``). Violations (reserves, shortfalls, altitude) are printed
on stderr and listed in the output; the exit code stays 0 (``plan`` is the command that
rejects a plan).
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from stationplan.station.logistics import SimulationResult


class SimulateFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class Solar(StrEnum):
    low = "low"
    nominal = "nominal"
    high = "high"


def simulate(
    campaign: Annotated[Path, typer.Argument(help="Campaign file (TOML), see docs/campaign.md.")],
    solar: Annotated[
        Solar,
        typer.Option(
            help="Solar activity: nominal = observed then NOAA-predicted indices; low/high = "
            "constant solar-minimum/maximum levels (docs/logistics.md)."
        ),
    ] = Solar.nominal,
    format: Annotated[SimulateFormat, typer.Option(help="Output format.")] = SimulateFormat.table,
    report: Annotated[
        Path | None,
        typer.Option(help="Directory for simulation.json, daily.csv and the plots (PNG)."),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(
            help="End of the simulation, ISO 8601 UTC or a date (default: last departure)."
        ),
    ] = None,
    time_limit: Annotated[
        float, typer.Option(help="Solver time limit per objective stage, seconds.")
    ] = 10.0,
) -> None:
    """Simulate CAMPAIGN day by day: stocks against reserves, altitude, reboosts."""
    from stationplan.cli.console import err, out, parse_time, warn_skipped
    from stationplan.report.files import check_output_dir
    from stationplan.report.logistics import daily_csv, write_simulation_report
    from stationplan.services.campaigns import solve_settings
    from stationplan.station.campaign import load_campaign
    from stationplan.station.logistics import simulate_campaign
    from stationplan.station.schedule import plan_campaign

    fmt = format
    settings = solve_settings(time_limit)
    until = None if end is None else parse_time(end, "--end")
    if report is not None:
        check_output_dir(report, "--report")
    loaded = load_campaign(campaign)
    warn_skipped(loaded.elements_skipped, loaded.elements_source)
    schedule = plan_campaign(loaded, settings)
    result = simulate_campaign(loaded, schedule, solar.value, until)
    for message in result.warnings:
        err.print(f"[yellow]warning:[/] {message}", highlight=False)
    for violation in result.violations:
        err.print(f"[red]violation:[/] {violation.message}", highlight=False)
    if report is not None:
        write_simulation_report(result, report)
        err.print(f"report written to {report}", highlight=False)
    if fmt is SimulateFormat.json:
        sys.stdout.write(json.dumps(result.as_dict(), indent=2) + "\n")
    elif fmt is SimulateFormat.csv:
        sys.stdout.write(daily_csv(result))
    else:
        for table in tables(result, loaded.campaign.name):
            out.print(table)


def tables(result: SimulationResult, title: str) -> list:
    """Rich tables: stocks and altitude every 7 days, the burns, the violations."""
    from rich.table import Table

    from stationplan.station.logistics import ITEMS

    stocks = Table(
        title=f"{title}: {result.days[0]} to {result.days[-1]} (solar {result.solar})",
        caption="stocks at the end of the day, kg; altitude at 00:00 UTC (mean, km)",
    )
    for name in ("date", "crew", "altitude km", *ITEMS):
        stocks.add_column(name, justify="left" if name == "date" else "right")
    for d in range(0, len(result.days), 7):
        stocks.add_row(
            result.days[d].isoformat(),
            str(int(result.crew[d])),
            f"{result.altitude_km[d]:.1f}",
            *[f"{result.stock_g[i][d] / 1000:,.0f}" for i in ITEMS],
        )
    burns = Table(title=f"{len(result.burns)} reboost burn(s)")
    for name in ("date", "from km", "to km", "Δv m/s", "propellant kg", "why"):
        burns.add_column(name, justify="left" if name in ("date", "why") else "right")
    for b in result.burns:
        burns.add_row(
            b.day.isoformat(),
            f"{b.altitude_before_km:.1f}",
            f"{b.altitude_after_km:.1f}",
            f"{b.dv_m_s:.2f}",
            f"{b.propellant_kg:.0f}",
            b.reason,
        )
    found = [stocks, burns]
    if result.violations:
        violations = Table(title=f"{len(result.violations)} violation(s)")
        violations.add_column("date")
        violations.add_column("kind")
        violations.add_column("what")
        for v in result.violations:
            violations.add_row(v.day.isoformat(), v.kind, v.message)
        found.append(violations)
    return found
