"""`stationplan screen`: conjunction screening of a catalogue (one-vs-catalogue or all-vs-all)."""

from __future__ import annotations

import dataclasses
import gc
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from stationplan.errors import InputError
from stationplan.screening.conjunction import Conjunction


class ScreenFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    cdm = "cdm"


class Backend(StrEnum):
    auto = "auto"
    sgp4 = "sgp4"
    heyoka = "heyoka"


class SortKey(StrEnum):
    pc = "pc"
    miss = "miss"
    tca = "tca"


def _parse_box(text: str | None) -> tuple[float, float, float] | None:
    """'4,50,50' -> (4.0, 50.0, 50.0); 'iss' -> the ISS box."""
    if text is None:
        return None
    from stationplan.screening.screen import ISS_BOX_KM

    if text.strip().lower() == "iss":
        return ISS_BOX_KM
    parts = [p.strip() for p in text.replace("x", ",").replace("×", ",").split(",")]
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        raise InputError(
            f"{text!r} is not R,T,N extents in km (e.g. 4,50,50 or iss)", field="--box"
        ) from None
    if len(values) != 3:
        raise InputError(f"{text!r}: give three extents R,T,N in km", field="--box")
    return values  # type: ignore[return-value]


def _with_pc(events: list[Conjunction]) -> tuple[list[Conjunction], bool]:
    """Fill Pc with the default covariance model when the Pc module is available. The
    screening filled it already (``screen(pc=True)``) for every event with an encounter
    plane; the others take with_probabilities' one-event path here."""
    try:
        from stationplan.screening.pc import with_probabilities
    except ImportError:  # pragma: no cover - the Pc module ships with the package
        return events, False

    todo = [k for k, e in enumerate(events) if e.pc is None]
    if todo:
        done = with_probabilities([events[k] for k in todo])
        events = list(events)
        for k, event in zip(todo, done, strict=True):
            events[k] = event
    return events, True


def _sorted(events: list[Conjunction], key: SortKey) -> list[Conjunction]:
    """Events by Pc (highest first, then nearest), miss distance or TCA; ties keep their
    order. The order of Python's stable ``sorted`` on those keys, taken with NumPy's
    stable ``lexsort`` on float arrays (a 7-day all-vs-all run sorts 187k records) unless a
    key is NaN, where Python's tuple comparison has no total order to reproduce."""
    import numpy as np

    n = len(events)
    if key is SortKey.pc:
        pc = np.fromiter(((c.pc or 0.0) for c in events), dtype=np.float64, count=n)
        miss = np.fromiter((c.miss_km for c in events), dtype=np.float64, count=n)
        if np.isnan(pc).any() or np.isnan(miss).any():
            return sorted(events, key=lambda c: (-(c.pc or 0.0), c.miss_km))
        order = np.lexsort((miss, -pc))
    else:
        field = "miss_km" if key is SortKey.miss else "tca_jd"
        values = np.fromiter((getattr(c, field) for c in events), dtype=np.float64, count=n)
        if np.isnan(values).any():
            return sorted(events, key=lambda c: getattr(c, field))
        order = np.argsort(values, kind="stable")
    return [events[k] for k in order.tolist()]


def screen_command(
    elements: Annotated[
        Path, typer.Option("--elements", help="Catalogue of element sets (TLE, 3LE or OMM).")
    ],
    start: Annotated[str, typer.Option(help="Start of the span, ISO 8601 UTC or a date.")],
    primary: Annotated[
        list[int] | None,
        typer.Option(help="NORAD id of a primary (repeat for several)."),
    ] = None,
    all_vs_all: Annotated[
        bool, typer.Option("--all", help="Screen every object against every other.")
    ] = False,
    days: Annotated[float, typer.Option(help="Length of the span, days.")] = 7.0,
    threshold_km: Annotated[
        float | None, typer.Option(help="Screening sphere radius, km (default 5).")
    ] = None,
    box: Annotated[
        str | None,
        typer.Option(help="RTN screening box, full extents R,T,N in km (e.g. 4,50,50 or iss)."),
    ] = None,
    format: Annotated[ScreenFormat, typer.Option(help="Output format.")] = ScreenFormat.table,
    out: Annotated[
        Path | None, typer.Option(help="Directory for CDM files (one per event; --format cdm).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Local worker processes (default: all cores).")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="dask.distributed scheduler address, e.g. tcp://h:8786.")
    ] = None,
    sort: Annotated[SortKey, typer.Option(help="Table/JSON order: pc, miss or tca.")] = SortKey.pc,
    step_s: Annotated[
        float | None, typer.Option(help="Sieve grid step, s (default 120 one-vs-all, 60 all).")
    ] = None,
    backend: Annotated[
        Backend,
        typer.Option(
            help="SGP4 of the sieve grid: auto (heyoka where installed, else sgp4), sgp4 "
            "(python-sgp4) or heyoka (faster; deep-space objects still use python-sgp4). "
            "Same events either way; TCA is always sgp4."
        ),
    ] = Backend.auto,
) -> None:
    """Conjunctions of PRIMARY objects with the catalogue (or all vs all) over a span."""
    from stationplan.cli.console import err, parse_time, warn_skipped
    from stationplan.cli.console import out as console
    from stationplan.orbit.elements import load_catalog
    from stationplan.screening.screen import ScreeningVolume, prefer_small_pages

    prefer_small_pages()  # 4 KiB pages: faster on VMs where huge-page faults are slow
    if all_vs_all and primary:
        raise InputError("give either --primary or --all, not both", field="--primary")
    if not all_vs_all and not primary:
        raise InputError("give --primary NORAD (repeatable) or --all", field="--primary")
    if box is not None and threshold_km is not None:
        raise InputError("give either --threshold-km or --box, not both", field="--box")
    if format is ScreenFormat.cdm and out is None:
        raise InputError("--format cdm writes one file per event: give --out DIR", field="--out")
    if out is not None:
        from stationplan.report.files import check_output_dir

        check_output_dir(out, "--out")
    if threshold_km is not None and not threshold_km > 0:
        raise InputError(f"must be positive, got {threshold_km}", field="--threshold-km")
    volume = ScreeningVolume(
        threshold_km=None if box is not None else (threshold_km or 5.0),
        box_rtn_km=_parse_box(box),
    )
    if workers is not None and workers < 1:
        raise InputError(f"must be at least 1, got {workers}", field="--workers")
    if workers is not None and scheduler is None:
        from stationplan.screening.screen import usable_cores

        if workers > (cores := usable_cores()):
            err.print(
                f"[yellow]warning:[/] --workers {workers} is more than the {cores} core(s) "
                f"this process may use; running {cores} worker process(es)",
                highlight=False,
            )
            workers = cores
    start_utc = parse_time(start, "--start")
    catalog = load_catalog(elements)
    warn_skipped(catalog.skipped, str(elements))
    # The catalogue lives until exit: keep the collector from re-scanning its objects
    # every time the screening allocates records (~1 s on 26k objects and 22k events).
    gc.freeze()
    result = _run(
        catalog, start_utc, days, volume, primary, workers, scheduler, step_s, backend.value
    )
    for excluded in result.excluded[:10]:
        err.print(
            f"[yellow]excluded:[/] {excluded.norad_id} {excluded.name}: {excluded.reason} "
            f"({excluded.n_samples} samples from {excluded.first_utc:%Y-%m-%dT%H:%M:%SZ})",
            highlight=False,
        )
    if len(result.excluded) > 10:
        err.print(f"[yellow]excluded:[/] … and {len(result.excluded) - 10} more objects")
    err.print(f"[yellow]screened:[/] {result.accounting()}", highlight=False)
    events, has_pc = _with_pc(list(result.events))
    # The records with Pc replace the screening's own: one copy of the events in memory
    # while the output is written, not two (187k events in a 7-day all-vs-all run).
    result = dataclasses.replace(result, events=())
    events = _sorted(events, sort if has_pc or sort is not SortKey.pc else SortKey.miss)
    attached = list(result.attached)
    if format is ScreenFormat.json:
        from stationplan.screening.conjunction import write_conjunctions_json
        from stationplan.screening.screen import usable_cores

        # Byte for byte json.dumps([c.as_dict() ...], indent=2), without the slow encoder;
        # a large output is written by two processes (halves, in order) where there are
        # two cores.
        write_conjunctions_json(
            events + attached, sys.stdout.write, processes=min(2, usable_cores())
        )
        sys.stdout.write("\n")
    elif format is ScreenFormat.csv:
        from stationplan.screening.socrates import write_socrates_csv

        write_socrates_csv(events, sys.stdout)
    elif format is ScreenFormat.cdm:
        _write_cdms(events, out)  # type: ignore[arg-type]
        console.print(f"{len(events)} CDM file(s) written to {out}")
    else:
        _table(console, result, events, attached)
    gc.unfreeze()


def _run(catalog, start_utc, days, volume, primary, workers, scheduler, step_s, backend):
    from rich.progress import Progress

    from stationplan.cli.console import err
    from stationplan.screening.screen import screen

    with Progress(console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task("screening", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return screen(
            catalog,
            start_utc,
            days=days,
            volume=volume,
            primaries=primary or None,
            workers=workers,
            scheduler=scheduler,
            progress=progress,
            step_s=step_s,
            backend=backend,
            pc=True,
        )


def _write_cdms(events: list[Conjunction], directory: Path) -> None:
    from stationplan.report.files import make_output_dir, write_atomic
    from stationplan.screening.cdm import conjunction_to_cdm

    make_output_dir(directory)
    for conj in events:
        name = f"{conj.tca_utc:%Y%m%dT%H%M%S}_{conj.norad_1}_{conj.norad_2}.cdm"
        write_atomic(directory / name, conjunction_to_cdm(conj))


def _table(console, result, events: list[Conjunction], attached: list[Conjunction]) -> None:
    from rich.table import Table

    span_d = (result.end_utc - result.start_utc).total_seconds() / 86400.0
    title = (
        f"{len(events)} conjunction(s) in a {result.volume.describe()}, "
        f"{result.start_utc:%Y-%m-%d %H:%M}Z + {span_d:g} d "
        f"({result.n_screened} of {result.n_objects} objects screened)"
    )
    table = Table(title=title)
    for name, justify in [
        ("TCA (UTC)", "left"),
        ("object 1", "left"),
        ("object 2", "left"),
        ("miss km", "right"),
        ("R / T / N km", "right"),
        ("speed km/s", "right"),
        ("Pc", "right"),
        ("ages d", "right"),
    ]:
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for c in events:
        table.add_row(
            c.tca_utc.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3],
            f"{c.norad_1} {c.name_1}",
            f"{c.norad_2} {c.name_2}",
            f"{c.miss_km:.3f}",
            " / ".join(f"{x:+.2f}" for x in c.miss_rtn_km),
            f"{c.relative_speed_km_s:.3f}",
            "—" if c.pc is None else f"{c.pc:.2e}",
            f"{c.age_days_1:+.1f} / {c.age_days_2:+.1f}",
        )
    console.print(table)
    if attached:
        console.print(f"Attached / co-orbiting ({len(attached)}), not alerted:")
        for c in attached:
            console.print(
                f"  {c.norad_1} {c.name_1} — {c.norad_2} {c.name_2}: closest {c.miss_km * 1000:.0f} m",
                highlight=False,
            )
