"""Shared pieces of the command line: consoles, output formats, time options, warnings."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from enum import StrEnum

from rich.console import Console
from rich.markup import escape

from stationplan.errors import InputError
from stationplan.orbit.elements import Catalog, SkippedRecord

__all__ = [
    "OutputFormat",
    "delayed_status",
    "err",
    "out",
    "parse_time",
    "print_catalog_warnings",
    "warn_skipped",
]

_probe = Console()
#: Tables need ~130 columns; when output is not a terminal (pipes, CI) don't squeeze to 80.
out = _probe if _probe.is_terminal else Console(width=140)
err = Console(stderr=True, width=None if _probe.is_terminal else 140)


#: Plausible years of a time given on the command line: from Sputnik 1 (1957) to 2100.
YEARS = (1957, 2100)


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
    try:
        parsed = parsed.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:59:59-05:00 is in year 10000 in UTC
        parsed = datetime.max.replace(tzinfo=UTC)
    if not YEARS[0] <= parsed.year <= YEARS[1]:
        raise InputError(
            f"{text!r} lies outside the years {YEARS[0]}-{YEARS[1]} (the space age to the end "
            "of the century)",
            field=option,
        )
    return parsed


def warn_skipped(skipped: Sequence[SkippedRecord], source: str) -> None:
    """The one way every command reports records of an element file that were not loaded.

    One line on stderr: how many, in which file, the first one's line and reason, and how
    to list them all. A skipped record can change the answer (an older element set used
    instead), so no command that reads element sets may drop them silently.
    """
    if not skipped:
        return
    first = skipped[0]
    err.print(
        f"[yellow]warning:[/] {escape(f'{len(skipped)} record(s) skipped in {source}')}; "
        f"first at line {first.line}: {escape(first.reason)} "
        f"(`stationplan elements {escape(source)}` lists them all)",
        highlight=False,
        soft_wrap=True,
    )


def print_catalog_warnings(warnings: tuple[str, ...] | list[str], catalog: Catalog) -> None:
    """A request's warnings, then the records of the element file that were skipped."""
    for message in warnings:
        err.print(f"[yellow]warning:[/] {message}")
    warn_skipped(catalog.skipped, catalog.source)


@contextmanager
def delayed_status(first: str, each: str, delay_s: float = 1.0) -> Iterator[Callable[[str], None]]:
    """A spinner on stderr for long work, shown only once it has taken over ``delay_s``
    (so quick runs print nothing): yields ``progress(item)``, which shows ``each`` with
    ``{item}`` filled in; the spinner starts with ``first`` and stops on exit."""
    clock = time.perf_counter()
    status = err.status(first)
    shown = False

    def progress(item: str) -> None:
        nonlocal shown
        if not shown and time.perf_counter() - clock > delay_s:
            status.start()
            shown = True
        status.update(each.format(item=item))

    try:
        yield progress
    finally:
        if shown:
            status.stop()
