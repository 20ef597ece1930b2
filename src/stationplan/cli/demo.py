"""`stationplan demo`: the next Shenzhou and Tianzhou opportunities to the bundled CSS set."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from stationplan.cli.console import OutputFormat, fmt_time, out, print_catalog_warnings
from stationplan.cli.opportunities import render_opportunities
from stationplan.orbit.elements import load_catalog
from stationplan.services.stations import bundled_stations
from stationplan.services.windows import find_windows

__all__ = ["demo"]


def demo(
    days: Annotated[
        float, typer.Option(help="Days after the element set's epoch to search.")
    ] = 2.0,
) -> None:
    """Next Shenzhou and Tianzhou opportunities to the bundled CSS element set."""
    path = bundled_stations()
    catalog = load_catalog(path)
    css = catalog.history(48274)[-1]
    epoch = css.epoch_utc
    out.print(
        f"[bold]Bundled CSS element set[/] (NORAD 48274), epoch [bold]{fmt_time(epoch)}[/]. "
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
        print_catalog_warnings(result.warnings, catalog)
        render_opportunities(
            list(result.opportunities[:4]),
            OutputFormat.table,
            title=f"Next {vehicle_id} opportunities from {site_id}",
        )
