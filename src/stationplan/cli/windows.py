"""`stationplan windows`: in-plane launch opportunities from a site to the station."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stationplan.cli.console import OutputFormat, parse_time, print_catalog_warnings
from stationplan.cli.opportunities import render_opportunities
from stationplan.orbit.elements import load_catalog
from stationplan.services.windows import find_windows

__all__ = ["windows"]


def windows(
    elements: Annotated[
        Path, typer.Option("--elements", help="Element sets of the station (TLE, 3LE or OMM).")
    ],
    site: Annotated[str, typer.Option(help="Launch site id, e.g. wenchang, baikonur.")],
    vehicle: Annotated[str, typer.Option(help="Vehicle id, e.g. shenzhou, soyuz-ms.")],
    start: Annotated[str, typer.Option(help="Start of the span, ISO 8601 UTC or a date.")],
    end: Annotated[str, typer.Option(help="End of the span, ISO 8601 UTC or a date.")],
    norad: Annotated[
        int | None, typer.Option(help="NORAD id of the station when the file holds several.")
    ] = None,
    profile: Annotated[
        str | None, typer.Option(help="Rendezvous profile name (default: the vehicle's first).")
    ] = None,
    rendezvous_hours: Annotated[
        float | None, typer.Option(help="Explicit launch-to-docking duration, hours.")
    ] = None,
    format: Annotated[OutputFormat, typer.Option(help="Output format.")] = OutputFormat.table,
) -> None:
    """In-plane launch opportunities from SITE to the station for VEHICLE."""
    start_utc, end_utc = parse_time(start, "--start"), parse_time(end, "--end")
    catalog = load_catalog(elements)
    result = find_windows(
        catalog, str(elements), norad, site, vehicle, profile, rendezvous_hours, start_utc, end_utc
    )
    print_catalog_warnings(result.warnings, catalog)
    render_opportunities(
        list(result.opportunities),
        format,
        title=f"{vehicle} from {site}: {len(result.opportunities)} opportunities",
    )
