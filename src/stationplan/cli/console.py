"""Shared pieces of the command line: consoles, output formats, time options, warnings."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

from rich.console import Console

from stationplan.errors import InputError
from stationplan.orbit.elements import Catalog

__all__ = ["OutputFormat", "err", "fmt_time", "out", "parse_time", "print_catalog_warnings"]

_probe = Console()
#: Tables need ~130 columns; when output is not a terminal (pipes, CI) don't squeeze to 80.
out = _probe if _probe.is_terminal else Console(width=140)
err = Console(stderr=True, width=None if _probe.is_terminal else 140)


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def parse_time(text: str, option: str) -> datetime:
    """ISO 8601 UTC time (``2022-11-29T12:00:00Z``) or a date (``2022-11-29``) -> aware UTC."""
    value = text.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            f"{text!r} is not an ISO 8601 time; expected e.g. 2022-11-29T12:00:00Z or 2022-11-29",
            field=option,
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def fmt_time(when: datetime) -> str:
    """``2022-11-29T12:00:00Z`` (whole seconds)."""
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def print_catalog_warnings(warnings: tuple[str, ...] | list[str], catalog: Catalog) -> None:
    """A request's warnings, then how many records of the element file were skipped."""
    for message in warnings:
        err.print(f"[yellow]warning:[/] {message}")
    if catalog.skipped:
        err.print(
            f"[yellow]warning:[/] {len(catalog.skipped)} record(s) skipped in {catalog.source}"
        )
