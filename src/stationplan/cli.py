"""The ``stationplan`` command line: a thin shell over the library.

Each command parses its options, calls the library and prints. User mistakes
become one-line messages on stderr with exit code 1; an infeasible request
exits 2; anything else is an internal error (exit 3) with a short message.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .elements import Catalog, load_catalog
from .errors import InfeasibleError, InputError, StationplanError
from .geometry import MeanPlaneHistory, SiteFrame
from .maneuvers import plan_rendezvous
from .rendezvous import assess_launch, feasible_windows, station_phasing
from .sites import get_site
from .timescale import datetime_to_jd
from .vehicles import get_vehicle
from .windows import Opportunity, RendezvousSpec, WindowSearch

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help=(
        "Plan crewed space station campaigns: launch windows, rendezvous, campaign schedules, "
        "logistics and orbit decay, conjunction screening."
    ),
)
_probe = Console()
#: Tables need ~130 columns; when output is not a terminal (pipes, CI) don't squeeze to 80.
out = _probe if _probe.is_terminal else Console(width=140)
err = Console(stderr=True, width=None if _probe.is_terminal else 140)

#: NORAD ids of the stations a user most likely means when a file holds several objects.
KNOWN_STATIONS = {48274: "CSS (Tianhe)", 25544: "ISS (Zarya)"}


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


def _jd(when: datetime) -> float:
    whole, fraction = datetime_to_jd(when)
    return whole + fraction


def _bundled_stations() -> Path:
    with resources.as_file(resources.files("stationplan") / "data" / "stations.tle") as path:
        return Path(path)


def _station_history(catalog: Catalog, norad: int | None, path: str) -> list:
    """Element sets of the station asked for (or of the only/known station in the file)."""
    if norad is None:
        ids = catalog.norad_ids()
        if len(ids) == 1:
            norad = ids[0]
        else:
            known = [i for i in ids if i in KNOWN_STATIONS]
            if len(known) != 1:
                raise InputError(
                    f"the file holds {len(ids)} objects; choose one with --norad "
                    f"(e.g. {', '.join(str(i) for i in ids[:5])})",
                    path=path,
                )
            norad = known[0]
    return catalog.history(norad)


def _fmt_time(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _print_warnings(result: WindowSearch, catalog: Catalog) -> None:
    for message in result.warnings:
        err.print(f"[yellow]warning:[/] {message}")
    if catalog.skipped:
        err.print(
            f"[yellow]warning:[/] {len(catalog.skipped)} record(s) skipped in {catalog.source}"
        )


def render_opportunities(
    rows: list[Opportunity], fmt: OutputFormat, title: str, caption: str = ""
) -> None:
    """Print opportunities as a rich table, JSON (a list of objects) or CSV."""
    records = [o.as_dict() for o in rows]
    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps(records, indent=2) + "\n")
        return
    if fmt is OutputFormat.csv:
        buffer = io.StringIO()
        fields = list(records[0]) if records else list(Opportunity.__dataclass_fields__)
        writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(
            {k: ";".join(v) if isinstance(v, list) else v for k, v in r.items()} for r in records
        )
        sys.stdout.write(buffer.getvalue())
        return
    table = Table(title=title, caption=caption)
    for name, justify in [
        ("launch (UTC)", "left"),
        ("pass", "left"),
        ("azimuth °", "right"),
        ("off-plane °", "right"),
        ("phase °", "right"),
        ("docking (UTC)", "left"),
        ("profile", "left"),
        ("feasible profiles", "left"),
        ("TLE age d", "right"),
    ]:
        table.add_column(name, justify=justify, no_wrap="UTC" in name)  # type: ignore[arg-type]
    for o in rows:
        table.add_row(
            _fmt_time(o.launch_utc),
            o.pass_direction,
            f"{o.azimuth_deg:.1f}",
            f"{o.out_of_plane_deg:+.3f}",
            f"{o.phase_angle_deg:.1f}",
            _fmt_time(o.docking_utc),
            o.profile,
            ", ".join(o.feasible_profiles) or "[dim]none[/]",
            f"{o.element_age_days:+.1f}",
        )
    out.print(table)


def find_windows(
    catalog: Catalog,
    source: str,
    norad: int | None,
    site_id: str,
    vehicle_id: str,
    profile: str | None,
    rendezvous_hours: float | None,
    start: datetime,
    end: datetime,
) -> WindowSearch:
    """Library call behind ``stationplan windows``."""
    site = get_site(site_id)
    vehicle = get_vehicle(vehicle_id).at_site(site.id)
    if profile is not None and rendezvous_hours is not None:
        raise InputError("give either --profile or --rendezvous-hours, not both")
    rendezvous = RendezvousSpec.for_vehicle(vehicle, profile, rendezvous_hours)
    history = _station_history(catalog, norad, source)
    if end - start > timedelta(days=3660):
        raise InputError("the span is longer than 10 years", field="--end")
    satrecs = [e.satrec for e in history]
    return feasible_windows(satrecs, site, vehicle, rendezvous, _jd(start), _jd(end))


@app.command()
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
    _print_warnings(result, catalog)
    render_opportunities(
        list(result.opportunities),
        format,
        title=f"{vehicle} from {site}: {len(result.opportunities)} opportunities",
    )


class PlanFormat(StrEnum):
    table = "table"
    json = "json"


def rendezvous_report(
    catalog: Catalog,
    source: str,
    norad: int | None,
    site_id: str,
    vehicle_id: str,
    launch: datetime,
    profile: str | None,
    lead_days: float,
) -> dict[str, Any]:
    """Library calls behind ``stationplan rendezvous``: a JSON-ready report."""
    site = get_site(site_id)
    vehicle = get_vehicle(vehicle_id).at_site(site.id)
    history = _station_history(catalog, norad, source)
    station_id = history[0].norad_id
    satrecs = [e.satrec for e in history]
    frame = SiteFrame.from_site(site)
    latitude = abs(site.latitude_deg)
    inclination = float(np.median([e.inclination_deg for e in history]))
    if latitude > inclination:
        raise InfeasibleError(
            f"site {site.id} at latitude {latitude:.2f}° lies above the station's inclination "
            f"{inclination:.2f}°: no in-plane launch, hence no rendezvous, exists"
        )
    launch_jd = _jd(launch)
    station = MeanPlaneHistory.of(satrecs)
    assessment = assess_launch(station, frame, vehicle, launch_jd, profile=profile)
    report: dict[str, Any] = {
        "station_norad": station_id,
        "site": site.id,
        "vehicle": vehicle.id,
        **assessment.as_dict(),
        "burns": [],
        "total_dv_m_s": None,
    }
    age = min(abs(launch_jd - e.epoch_jd) for e in history)
    report["element_age_days"] = round(age, 3)
    chosen = profile or assessment.selected_profile
    if chosen is not None:
        plan = plan_rendezvous(
            station, frame, vehicle, launch_jd, profile=chosen, norad_id=station_id,
            assessment=assessment,
        )  # fmt: skip
        report.update(
            selected_profile=plan.profile,
            docking_utc=_fmt_time(plan.docking_utc),
            hold_point_utc=_fmt_time(plan.arrival_utc),
            burns=[b.as_dict() for b in plan.burns],
            total_dv_m_s=round(plan.total_dv_m_s, 3),
            hohmann_dv_m_s=round(plan.hohmann_dv_m_s, 3),
            final_distance_km=round(plan.final_distance_km, 4),
        )
    fastest = min(assessment.windows, key=lambda w: w.duration_h)
    target = chosen or fastest.name
    report["station_phasing"] = station_phasing(
        assessment, target, lead_days, assessment.station_altitude_km
    ).as_dict()
    return report


@app.command()
def rendezvous(
    elements: Annotated[
        Path, typer.Option("--elements", help="Element sets of the station (TLE, 3LE or OMM).")
    ],
    site: Annotated[str, typer.Option(help="Launch site id, e.g. baikonur, jiuquan.")],
    vehicle: Annotated[str, typer.Option(help="Vehicle id, e.g. soyuz-ms, shenzhou.")],
    launch: Annotated[str, typer.Option(help="Liftoff time, ISO 8601 UTC.")],
    norad: Annotated[
        int | None, typer.Option(help="NORAD id of the station when the file holds several.")
    ] = None,
    profile: Annotated[
        str | None, typer.Option(help="Profile to plan (default: the fastest feasible).")
    ] = None,
    lead_days: Annotated[
        float, typer.Option(help="Days before launch for the station-phasing estimate.")
    ] = 30.0,
    format: Annotated[PlanFormat, typer.Option(help="Output format.")] = PlanFormat.table,
) -> None:
    """Phase angle, feasible profiles and the burn plan for a launch at LAUNCH."""
    when = parse_time(launch, "--launch")
    catalog = load_catalog(elements)
    report = rendezvous_report(
        catalog, str(elements), norad, site, vehicle, when, profile, lead_days
    )
    if format is PlanFormat.json:
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
    else:
        _print_rendezvous(report)
    if report["selected_profile"] is None:
        raise InfeasibleError(
            f"no rendezvous profile of {vehicle} is feasible at phase angle "
            f"{report['phase_angle_deg']:.1f}°; see station_phasing for the orbit change that "
            "would make the fastest one feasible"
        )
    if report["requested_profile"] and report["requested_profile"] not in report["fallback_chain"]:
        err.print(
            f"[yellow]warning:[/] profile {report['requested_profile']} is outside its phase "
            "window at this launch time; the plan shows what forcing it costs"
        )


def _print_rendezvous(report: dict[str, Any]) -> None:
    out.print(
        f"[bold]{report['vehicle']}[/] from [bold]{report['site']}[/] at "
        f"{report['launch_utc']} to NORAD {report['station_norad']} "
        f"(station at {report['station_altitude_km']:.1f} km; element set "
        f"{report['element_age_days']:.1f} d from launch)"
    )
    out.print(f"phase angle at insertion: [bold]{report['phase_angle_deg']:.2f}°[/]")
    table = Table(title="Profiles (feasible ones marked)")
    for column in ("profile", "duration h", "window centre °", "range °", "feasible", "docking"):
        table.add_column(column, no_wrap=True)
    feasible = {p["name"]: p for p in report["feasible_profiles"]}
    for w in report["profile_windows"]:
        mark = feasible.get(w["name"])
        table.add_row(
            w["name"],
            f"{w['duration_h']:g}",
            f"{w['centre_deg'] % 360.0:.1f}" + (" (+laps)" if w["centre_deg"] >= 360 else ""),
            f"{w['range_deg']:.1f}",
            "yes" if mark else "no",
            mark["docking_utc"] if mark else "",
        )
    out.print(table)
    if report["selected_profile"] is None:
        out.print("[red]no feasible profile[/] at this launch time")
    else:
        out.print(
            f"selected profile [bold]{report['selected_profile']}[/], docking "
            f"{report['docking_utc']}; fallback chain: "
            f"{' → '.join(report['fallback_chain']) or 'none'}"
        )
        burns = Table(title="Burns (impulsive, RTN)")
        for column in (
            "burn",
            "time (UTC)",
            "ΔvR m/s",
            "ΔvT m/s",
            "ΔvN m/s",
            "|Δv| m/s",
            "orbit after km",
        ):
            burns.add_column(column, no_wrap=True)
        for b in report["burns"]:
            burns.add_row(
                b["label"],
                b["time_utc"],
                f"{b['dv_r_m_s']:+.2f}",
                f"{b['dv_t_m_s']:+.2f}",
                f"{b['dv_n_m_s']:+.2f}",
                f"{b['dv_m_s']:.2f}",
                f"{b['perigee_km']:.1f} × {b['apogee_km']:.1f}",
            )
        out.print(burns)
        out.print(
            f"total Δv [bold]{report['total_dv_m_s']:.1f} m/s[/] (Hohmann bound "
            f"{report['hohmann_dv_m_s']:.1f} m/s); final distance to the station "
            f"{report['final_distance_km']:.3f} km (J2 + drag propagation)"
        )
    ph = report["station_phasing"]
    out.print(
        f"station phasing for {ph['profile']}: shift the phase by {ph['phase_shift_deg']:+.1f}° "
        f"with an altitude change of {ph['altitude_change_km']:+.2f} km "
        f"{ph['lead_days']:g} days before launch ({ph['dv_m_s']:.2f} m/s)"
    )


@app.command("elements")
def elements_summary(
    path: Annotated[Path, typer.Argument(help="TLE, 3LE or OMM (KVN, XML, JSON, CSV) file.")],
    format: Annotated[OutputFormat, typer.Option(help="Output format.")] = OutputFormat.table,
    show_skipped: Annotated[int, typer.Option(help="How many skipped records to list.")] = 10,
) -> None:
    """Summarize a catalog: counts, epochs and skipped records with reasons."""
    catalog = load_catalog(path)
    summary = catalog.summary()
    record = {
        "file": str(path),
        "records": summary.n_records,
        "objects": summary.n_objects,
        "skipped": summary.n_skipped,
        "epoch_min_utc": _fmt_time(summary.epoch_min_utc),
        "epoch_median_utc": _fmt_time(summary.epoch_median_utc),
        "epoch_max_utc": _fmt_time(summary.epoch_max_utc),
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


@app.command()
def demo(
    days: Annotated[
        float, typer.Option(help="Days after the element set's epoch to search.")
    ] = 2.0,
) -> None:
    """Next Shenzhou and Tianzhou opportunities to the bundled CSS element set."""
    path = _bundled_stations()
    catalog = load_catalog(path)
    css = catalog.history(48274)[-1]
    epoch = css.epoch_utc
    out.print(
        f"[bold]Bundled CSS element set[/] (NORAD 48274), epoch [bold]{_fmt_time(epoch)}[/]. "
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
        _print_warnings(result, catalog)
        render_opportunities(
            list(result.opportunities[:4]),
            OutputFormat.table,
            title=f"Next {vehicle_id} opportunities from {site_id}",
        )


# Commands kept in their own modules (they import the helpers above).
from .commands import plan as _plan_command  # noqa: E402
from .commands import screen as _screen_command  # noqa: E402
from .commands import simulate as _simulate_command  # noqa: E402

for _command in (_plan_command, _screen_command, _simulate_command):
    _command.register(app)


def _click_exception_types() -> tuple[
    tuple[type[BaseException], ...], tuple[type[BaseException], ...]
]:
    """(usage errors, exit requests) of click and of the click copy newer Typers vendor."""
    import click

    usage: list[type[BaseException]] = [click.exceptions.ClickException]
    exits: list[type[BaseException]] = [click.exceptions.Exit, typer.Exit]
    try:
        from typer._click import exceptions as vendored  # Typer ≥ 0.20 ships its own click

        usage.append(vendored.ClickException)
    except ImportError:  # pragma: no cover - older Typer uses click itself
        pass
    return tuple(usage), tuple(exits)


def main() -> None:
    """Console entry point: maps errors to exit codes (1 user, 2 infeasible, 3 internal)."""
    usage_errors, exit_requests = _click_exception_types()
    try:
        app(standalone_mode=False)
    except StationplanError as exc:
        err.print(f"[red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise SystemExit(exc.exit_code) from None
    except typer.Abort:
        raise SystemExit(1) from None
    except usage_errors as exc:
        exc.show()  # type: ignore[attr-defined]
        raise SystemExit(1) from None
    except exit_requests as exc:
        raise SystemExit(getattr(exc, "exit_code", 0)) from None
    except Exception as exc:
        err.print(
            f"[red]internal error:[/] {escape(f'{type(exc).__name__}: {exc}')}", highlight=False
        )
        raise SystemExit(3) from None
