"""`stationplan demo`: the next Shenzhou and Tianzhou opportunities to the bundled CSS set."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from stationplan.cli.console import OutputFormat, err, out, warn_skipped
from stationplan.cli.opportunities import render_opportunities
from stationplan.errors import check_range
from stationplan.orbit.elements import load_catalog
from stationplan.orbit.timescale import iso_utc_seconds
from stationplan.services.stations import bundled_stations
from stationplan.services.windows import find_windows

__all__ = ["demo"]

#: Longest span after the bundled element set's epoch, days: SGP4 along-track errors grow
#: by about 1-3 km a day from epoch (Vallado et al., AIAA 2006-6753), drag more.
MAX_DAYS = 30.0


def demo(
    days: Annotated[
        float, typer.Option(help="Days after the element set's epoch to search.")
    ] = 2.0,
) -> None:
    """Next Shenzhou and Tianzhou opportunities to the bundled CSS element set."""
    check_range(
        days,
        0.0,
        MAX_DAYS,
        "--days",
        low_open=True,
        unit="days",
        why="one element set predicts the station's plane for days to weeks, not longer",
    )
    path = bundled_stations()
    catalog = load_catalog(path)
    warn_skipped(catalog.skipped, str(path))
    css = catalog.history(48274)[-1]
    epoch = css.epoch_utc
    out.print(
        f"[bold]Bundled CSS element set[/] (NORAD 48274), epoch [bold]{iso_utc_seconds(epoch)}[/]. "
        f"Opportunities in the {days:g} days after that epoch; for other dates pass your own "
        "element set to `stationplan windows --elements FILE`."
    )
    for vehicle_id, site_id in (("shenzhou", "jiuquan"), ("tianzhou", "wenchang")):
        result = find_windows(
            catalog,
            str(path),
            48274,
            site_id,
            vehicle_id,
            None,
            None,
            epoch,
            epoch + timedelta(days=days),
        )
        for message in result.warnings:
            err.print(f"[yellow]warning:[/] {message}")
        render_opportunities(
            list(result.opportunities[:4]),
            OutputFormat.table,
            title=f"Next {vehicle_id} opportunities from {site_id}",
        )
