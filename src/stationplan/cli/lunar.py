"""``stationplan lunar``: lighting and visibility at a lunar site (DE421, offline)."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from stationplan.cli.console import OutputFormat, out, parse_time
from stationplan.errors import InputError
from stationplan.moon.conditions import SiteConditions, SunEvents
from stationplan.orbit.timescale import iso_utc_seconds
from stationplan.services.lunar import azimuth_band, lunar_windows_report, site_report

__all__ = ["app"]

app = typer.Typer(
    no_args_is_help=True,
    help="The Moon: site lighting, Earth and relay visibility (JPL DE421, no download).",
)


@app.command("site")
def site(
    lat: Annotated[float, typer.Option(help="Selenographic latitude, deg (-90..90).")],
    lon: Annotated[float, typer.Option(help="Selenographic longitude, deg, east-positive.")],
    at: Annotated[
        list[str] | None, typer.Option(help="An instant (ISO 8601 UTC); repeat for several.")
    ] = None,
    start: Annotated[str | None, typer.Option(help="Span start (ISO 8601 UTC).")] = None,
    end: Annotated[str | None, typer.Option(help="Span end (ISO 8601 UTC).")] = None,
    step_hours: Annotated[float, typer.Option(help="Sampling step of the span, hours.")] = 1.0,
    height_km: Annotated[float, typer.Option(help="Height above the 1737.4 km sphere, km.")] = 0.0,
    horizon_mask: Annotated[
        Path | None, typer.Option(help="CSV azimuth_deg,elevation_deg (else a smooth sphere).")
    ] = None,
    no_relay: Annotated[bool, typer.Option(help="Skip the relay-orbit propagation.")] = False,
    format: Annotated[OutputFormat, typer.Option(help="Output format.")] = OutputFormat.table,
    report: Annotated[Path | None, typer.Option(help="Write a plot and JSON here.")] = None,
) -> None:
    """Sun and Earth altitude/azimuth (azimuth east of north, topocentric), direct-to-Earth and
    relay visibility at a lunar site; over a span also sunrises, sunsets, lit fraction and the
    longest night."""
    if at and (start is not None or end is not None):
        raise InputError("give either --at or --start/--end, not both", field="--at")
    times = [parse_time(text, "--at") for text in at] if at else None
    t0 = None if start is None else parse_time(start, "--start")
    t1 = None if end is None else parse_time(end, "--end")
    found = site_report(
        lat,
        lon,
        at=times,
        start=t0,
        end=t1,
        step_hours=step_hours,
        height_km=height_km,
        horizon_mask=horizon_mask,
        relay=not no_relay,
    )
    conditions, records, events = found.conditions, found.records, found.events
    if report is not None:
        _write_report(report, conditions, records, events)
    if format is OutputFormat.json:
        sys.stdout.write(json.dumps(records, indent=2) + "\n")
        return
    if format is OutputFormat.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(records[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
        return
    table = Table(title=f"Lunar site {lat:.4f}°, {lon:.4f}°E — {conditions.horizon}")
    for name in (
        "utc",
        "sun alt",
        "sun az",
        "earth alt",
        "earth az",
        "lit",
        "earth vis",
        "relay vis",
    ):
        table.add_column(name, justify="right")
    for r in records:
        table.add_row(
            str(r["utc"]),
            f"{r['sun_alt_deg']:.2f}",
            f"{r['sun_az_deg']:.2f}",
            f"{r['earth_alt_deg']:.2f}",
            f"{r['earth_az_deg']:.2f}",
            "yes" if r["sun_lit"] else "no",
            "yes" if r["earth_visible"] else "no",
            "yes" if r["relay_visible"] else "no",
        )
    out.print(table)
    out.print(f"Relay: {conditions.relay}; angles topocentric (Earth includes parallax).")
    if events is not None:
        out.print(_events_line(events))


def _events_line(events: SunEvents) -> str:
    start = events.longest_night_start_utc
    night = f" starting {start:%Y-%m-%dT%H:%MZ}" if start is not None else ""
    return (
        f"Sunrises {len(events.sunrises_utc)}, sunsets {len(events.sunsets_utc)}; lit "
        f"{100 * events.lit_fraction:.1f}% of the span; longest night {events.longest_night_h:.1f} h"
        f"{night} ({events.horizon})."
    )


def _write_report(
    directory: Path,
    conditions: SiteConditions,
    records: list[dict[str, object]],
    events: SunEvents | None,
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"cannot create report directory: {exc.strerror}", path=directory
        ) from None
    summary: dict[str, object] = {"horizon": conditions.horizon, "relay": conditions.relay}
    if events is not None:
        summary.update(
            lit_fraction=events.lit_fraction,
            longest_night_h=events.longest_night_h,
            sunrises_utc=[iso_utc_seconds(w) for w in events.sunrises_utc],
            sunsets_utc=[iso_utc_seconds(w) for w in events.sunsets_utc],
        )
    (directory / "lunar-site.json").write_text(
        json.dumps({"summary": summary, "instants": records}, indent=2) + "\n", encoding="utf-8"
    )
    import numpy as np

    when = np.array([w.replace(tzinfo=None) for w in conditions.times_utc], dtype="datetime64[s]")
    fig, ax = plt.subplots(figsize=(10, 4))
    ax.plot(when, conditions.sun_alt_deg, label="Sun altitude")
    ax.plot(when, conditions.earth_alt_deg, label="Earth altitude")
    ax.axhline(0.0, color="grey", linewidth=0.5)
    ax.set_ylabel("altitude, deg")
    ax.set_title(f"Lunar site conditions ({conditions.horizon})")
    ax.legend()
    fig.autofmt_xdate()
    fig.savefig(directory / "lunar-site.png", dpi=100)
    plt.close(fig)


@app.command("windows")
def windows(
    site: Annotated[str, typer.Option(help="Launch site id (e.g. wenchang, xichang, kennedy).")],
    launcher: Annotated[str, typer.Option(help="Launcher id (e.g. long-march-5, saturn-v).")],
    start: Annotated[str, typer.Option(help="First day (ISO 8601 UTC).")],
    end: Annotated[str, typer.Option(help="End of the range (ISO 8601 UTC, exclusive).")],
    transfer_days: Annotated[
        float | None, typer.Option(help="TLI-to-arrival days (default: the launcher's).")
    ] = None,
    mission_kind: Annotated[
        str | None,
        typer.Option(help="Mission kind for the default transfer days (e.g. crewed, robotic)."),
    ] = None,
    refine: Annotated[
        bool,
        typer.Option(
            help="Refine each transfer in the n-body model (DE421 Sun and Moon) to a 111 km "
            "perilune and search for a free return (~5–40 s per window; progress on stderr)."
        ),
    ] = False,
    azimuth_min: Annotated[
        float | None,
        typer.Option(
            help="Lowest launch heading over the ground, deg east of north, for this mission "
            "(with --azimuth-max; overrides the launcher's and the site's limits)."
        ),
    ] = None,
    azimuth_max: Annotated[
        float | None,
        typer.Option(help="Highest launch heading over the ground, deg (with --azimuth-min)."),
    ] = None,
    format: Annotated[OutputFormat, typer.Option(help="Output format.")] = OutputFormat.table,
) -> None:
    """Daily Earth–Moon direct-transfer launch windows: parking plane through the arrival Moon,
    one TLI, bounded by the launch azimuth limits (--azimuth-min/--azimuth-max, else the
    launcher's, else the site's, else none)."""
    t0, t1 = parse_time(start, "--start"), parse_time(end, "--end")
    from rich.progress import Progress

    from stationplan.cli.console import err

    with Progress(console=err, transient=True, disable=not (refine and err.is_terminal)) as bar:
        task = bar.add_task("n-body refinement and free-return search", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        found = lunar_windows_report(
            site,
            launcher,
            t0,
            t1,
            transfer_days=transfer_days,
            mission_kind=mission_kind,
            refine=refine,
            band_deg=azimuth_band(azimuth_min, azimuth_max),
            progress=progress,
        )
    records, limits, limits_from = found.records, found.limits_deg, found.limits_from
    if format is OutputFormat.json:
        sys.stdout.write(json.dumps(records, indent=2) + "\n")
        return
    if format is OutputFormat.csv:
        fields = list(records[0]) if records else ["open_utc", "close_utc", "tli_utc"]
        writer = csv.DictWriter(sys.stdout, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
        return
    table = Table(title=f"Lunar windows: {found.launcher_name} from {found.site_name}")
    for name in ("open", "close", "TLI", "arrival", "TLI Δv km/s", "Moon dec"):
        table.add_column(name, justify="right")
    for r in records:
        table.add_row(
            str(r["open_utc"]),
            str(r["close_utc"]),
            str(r["tli_utc"]),
            str(r["arrival_utc"]),
            f"{r['tli_dv_km_s']:.3f}",
            f"{r['moon_dec_deg']:.2f}",
        )
    out.print(table)
    out.print(f"Azimuth limits {limits[0]:.0f}–{limits[1]:.0f}° from {limits_from}.")
