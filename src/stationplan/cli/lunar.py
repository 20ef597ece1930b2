"""``stationplan lunar``: lighting and visibility at a lunar site (DE421, offline)."""

from __future__ import annotations

import csv
import json
import math
import sys
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from stationplan.cli.console import OutputFormat, out, parse_time
from stationplan.errors import InputError
from stationplan.moon.conditions import (
    DEFAULT_RELAY,
    SiteConditions,
    SunEvents,
    load_horizon_mask,
    site_conditions,
    sun_events,
)
from stationplan.moon.ephemeris import check_in_span
from stationplan.moon.frames import LunarSite
from stationplan.orbit.timescale import iso_utc_seconds

__all__ = ["app"]

app = typer.Typer(
    no_args_is_help=True,
    help="The Moon: site lighting, Earth and relay visibility (JPL DE421, no download).",
)

#: Most instants one run computes (a year of 10-minute steps).
MAX_INSTANTS = 60_000


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
    place = LunarSite(lat, lon, height_km)
    mask = load_horizon_mask(horizon_mask) if horizon_mask is not None else None
    events: SunEvents | None = None
    if at:
        if start is not None or end is not None:
            raise InputError("give either --at or --start/--end, not both", field="--at")
        times = [parse_time(text, "--at") for text in at]
        for when in times:
            check_in_span(when, "--at")
    else:
        if start is None or end is None:
            raise InputError("give --at ISO ... or both --start and --end", field="--start")
        t0, t1 = parse_time(start, "--start"), parse_time(end, "--end")
        check_in_span(t0, "--start")
        check_in_span(t1, "--end")
        if not (math.isfinite(step_hours) and 0 < step_hours <= 24 * 366):
            raise InputError(
                f"{step_hours} is not a number of hours in (0, 8784]", field="--step-hours"
            )
        if t1 <= t0:
            raise InputError("the span is empty: --end must be after --start", field="--end")
        n = int((t1 - t0) / timedelta(hours=step_hours)) + 1
        if n > MAX_INSTANTS:
            raise InputError(
                f"{n} instants exceed the limit of {MAX_INSTANTS}; raise --step-hours",
                field="--step-hours",
            )
        times = [t0 + timedelta(hours=step_hours * i) for i in range(n)]
        events = sun_events(place, t0, t1, mask=mask)
    conditions = site_conditions(place, times, mask=mask, relay=None if no_relay else DEFAULT_RELAY)
    records = conditions.records()
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


def _refined_fields(item: tuple[object, bool] | None) -> dict[str, object]:
    """Output fields of an n-body refinement (all None without ``--refine``)."""
    from stationplan.moon.nbody import RefinedTransfer

    r = item[0] if item else None
    if not isinstance(r, RefinedTransfer):
        return {
            "nbody_perilune_utc": None,
            "nbody_arrival_shift_h": None,
            "nbody_tli_dv_km_s": None,
            "free_return": item[1] if item else None,
        }
    return {
        "nbody_perilune_utc": iso_utc_seconds(r.perilune_utc),
        "nbody_arrival_shift_h": round(r.arrival_shift_h, 3),
        "nbody_tli_dv_km_s": round(r.tli_dv_km_s, 4),
        "free_return": item[1] if item else None,
    }


def _azimuth_override(low: float | None, high: float | None) -> tuple[float, float] | None:
    """The mission's own launch-heading band (deg) from ``--azimuth-min/--azimuth-max``, or
    None when neither is given; an InputError for one alone or a band outside [0, 360]."""
    if low is None and high is None:
        return None
    if low is None or high is None:
        missing = "--azimuth-min" if low is None else "--azimuth-max"
        raise InputError("give both --azimuth-min and --azimuth-max", field=missing)
    for value, name in ((low, "--azimuth-min"), (high, "--azimuth-max")):
        if not (math.isfinite(value) and 0.0 <= value <= 360.0):
            raise InputError(f"{value} is not a heading in [0, 360] deg", field=name)
    if high <= low:
        raise InputError(
            f"--azimuth-max {high:g} must exceed --azimuth-min {low:g}", field="--azimuth-max"
        )
    return (low, high)


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
            "perilune and check for a free return (~10 s per window)."
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
    from stationplan.launch.sites import get_site
    from stationplan.moon.insertion import circular_polar, insertion_dv_km_s, queqiao2_frozen
    from stationplan.moon.launchers import get_lunar_launcher
    from stationplan.moon.transfer import daily_windows, loi_dv_km_s

    polar_200, frozen = circular_polar(200.0), queqiao2_frozen()

    pad = get_site(site)
    vehicle = get_lunar_launcher(launcher)
    if pad.id not in vehicle.sites:
        raise InputError(
            f"launcher {vehicle.id} does not fly from {pad.id} "
            f"(its sites: {', '.join(vehicle.sites)})",
            field="--site",
        )
    override = _azimuth_override(azimuth_min, azimuth_max)
    t0, t1 = parse_time(start, "--start"), parse_time(end, "--end")
    if t1 <= t0:
        raise InputError("the span is empty: --end must be after --start", field="--end")
    if (t1 - t0).days > 400:
        raise InputError("at most 400 days per run", field="--end")
    kind_days = vehicle.transfer_days_for(mission_kind)
    days = transfer_days if transfer_days is not None else kind_days
    if not math.isfinite(days):
        raise InputError(f"{days} is not a number of days", field="--transfer-days")
    if override is not None:
        limits, limits_from = override, "option"
    else:
        limits, limits_from = vehicle.azimuth_limits(pad)
    found = daily_windows(
        pad.latitude_deg,
        pad.longitude_deg,
        limits,
        t0,
        t1,
        days,
        vehicle.parking_alt_km,
        max_liftoff_to_tli_min=vehicle.max_liftoff_to_tli_min,
    )
    refined: dict[int, tuple[object, bool]] = {}
    if refine:
        from stationplan.moon.nbody import cheapest_refinement, free_return

        for k, w in enumerate(found):
            refined[k] = (cheapest_refinement(w, 111.0), free_return(w)[0])
    records = [
        {
            "open_utc": iso_utc_seconds(w.open_utc),
            "close_utc": iso_utc_seconds(w.close_utc),
            "tli_utc": iso_utc_seconds(w.tli_utc),
            "arrival_utc": iso_utc_seconds(w.arrival_utc),
            "tli_dv_km_s": round(w.tli_dv_km_s, 4),
            "moon_dec_deg": round(w.moon_dec_deg, 3),
            "v_inf_km_s": round(w.v_inf_km_s, 4),
            "loi_dv_100km_polar_km_s": round(loi_dv_km_s(w.v_inf_km_s, 100.0, 100.0), 4),
            "loi_dv_200km_polar_km_s": round(insertion_dv_km_s(w.v_inf_km_s, polar_200), 4),
            "loi_dv_queqiao2_frozen_km_s": round(insertion_dv_km_s(w.v_inf_km_s, frozen), 4),
            "azimuth_open_deg": round(w.azimuth_open_deg, 2),
            "azimuth_close_deg": round(w.azimuth_close_deg, 2),
            "transfer_days": round(w.transfer_days, 3),
            "azimuth_limits_from": limits_from,
            **_refined_fields(refined.get(k)),
        }
        for k, w in enumerate(found)
    ]
    if format is OutputFormat.json:
        sys.stdout.write(json.dumps(records, indent=2) + "\n")
        return
    if format is OutputFormat.csv:
        fields = list(records[0]) if records else ["open_utc", "close_utc", "tli_utc"]
        writer = csv.DictWriter(sys.stdout, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
        return
    table = Table(title=f"Lunar windows: {vehicle.name} from {pad.name}")
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
