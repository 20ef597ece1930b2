"""`stationplan fetch`: current element sets (OMM JSON) from CelesTrak's GP service."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def fetch(
    catnr: Annotated[
        int | None, typer.Option(help="NORAD catalog number (e.g. 48274 for Tianhe).")
    ] = None,
    group: Annotated[
        str | None, typer.Option(help="CelesTrak group (e.g. stations, active).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="File for the OMM JSON (default gp-catnr-N.json or gp-GROUP.json)."),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(help="GP service address (default CelesTrak, or STATIONPLAN_CELESTRAK_URL)."),
    ] = None,
) -> None:
    """Fetch GP element sets from CelesTrak into a file; print each object's epoch and age."""
    from datetime import UTC, datetime

    from stationplan.cli.console import err
    from stationplan.cli.console import out as stdout
    from stationplan.services.celestrak import GPQuery, fetch_gp
    from stationplan.services.elements import STALE_AFTER_DAYS

    query = GPQuery(catnr, group)
    data, catalog = fetch_gp(query, base_url)
    path = out or Path(query.name)
    path.write_bytes(data)
    now = datetime.now(UTC)
    for norad, element in sorted(catalog.latest().items()):
        age_days = (now - element.epoch_utc).total_seconds() / 86400.0
        stale = " [yellow](stale)[/]" if age_days > STALE_AFTER_DAYS else ""
        stdout.print(
            f"{norad} {element.name}: epoch {element.epoch_utc:%Y-%m-%d %H:%M:%S} UTC, "
            f"{age_days:.1f} days old{stale}",
            highlight=False,
        )
    err.print(f"{len(catalog)} element set(s) written to {path}", highlight=False)
