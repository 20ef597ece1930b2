"""`stationplan elements FILE`: what an element file holds, and what was skipped and why."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from stationplan.cli.console import OutputFormat, out
from stationplan.errors import InputError
from stationplan.orbit.elements import load_catalog
from stationplan.orbit.timescale import iso_utc_seconds

__all__ = ["elements_summary"]


def elements_summary(
    path: Annotated[Path, typer.Argument(help="TLE, 3LE or OMM (KVN, XML, JSON, CSV) file.")],
    format: Annotated[OutputFormat, typer.Option(help="Output format.")] = OutputFormat.table,
    show_skipped: Annotated[
        int, typer.Option(help="How many skipped records to list (0 or more).")
    ] = 10,
) -> None:
    """Summarize a catalog: counts, epochs and skipped records with reasons."""
    if show_skipped < 0:
        raise InputError(f"{show_skipped} is negative; give 0 or more", field="--show-skipped")
    catalog = load_catalog(path)
    summary = catalog.summary()
    record = {
        "file": str(path),
        "records": summary.n_records,
        "objects": summary.n_objects,
        "skipped": summary.n_skipped,
        "epoch_min_utc": iso_utc_seconds(summary.epoch_min_utc),
        "epoch_median_utc": iso_utc_seconds(summary.epoch_median_utc),
        "epoch_max_utc": iso_utc_seconds(summary.epoch_max_utc),
        "skipped_by_kind": dict(summary.skipped_reasons),
        "skipped_records": [
            {"path": s.path, "line": s.line, "reason": s.reason}
            for s in catalog.skipped[:show_skipped]
        ],
    }
    if format is OutputFormat.json:
        sys.stdout.write(json.dumps(record, indent=2) + "\n")
        return
    if format is OutputFormat.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["path", "line", "reason"])
        for s in catalog.skipped:
            writer.writerow([s.path, s.line, s.reason])
        return
    table = Table(title=str(path), show_header=False)
    for key in (
        "records",
        "objects",
        "skipped",
        "epoch_min_utc",
        "epoch_median_utc",
        "epoch_max_utc",
    ):
        table.add_row(key.replace("_", " "), str(record[key]))
    for kind, count in summary.skipped_reasons:
        table.add_row(f"skipped: {kind}", str(count))
    out.print(table)
    for s in catalog.skipped[:show_skipped]:
        out.print(f"  skipped {s.path}:{s.line}: {s.reason}")
    if len(catalog.skipped) > show_skipped:
        out.print(f"  … and {len(catalog.skipped) - show_skipped} more (--show-skipped N)")
