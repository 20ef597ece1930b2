"""`stationplan rendezvous`: phase angle, feasible profiles and the burn plan of one launch."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from stationplan.cli.console import err, out, parse_time, warn_skipped
from stationplan.errors import InfeasibleError
from stationplan.orbit.elements import load_catalog
from stationplan.services.rendezvous import rendezvous_report

__all__ = ["rendezvous"]


class PlanFormat(StrEnum):
    table = "table"
    json = "json"


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
    warn_skipped(catalog.skipped, str(elements))
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
    for column in (
        "profile",
        "duration h",
        "window centre °",
        "range °",
        "feasible",
        "docking",
        "earliest",
        "latest",
    ):
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
            mark["docking_earliest_utc"] if mark else "",
            mark["docking_latest_utc"] if mark else "",
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
            f"total Δv [bold]{report['total_dv_m_s']:.1f} m/s[/] (Hohmann "
            f"{report['hohmann_dv_m_s']:.1f} m/s + required plane change "
            f"{report['required_plane_change_dv_m_s']:.1f} m/s); final distance to the station "
            f"{report['final_distance_km']:.3f} km (J2 + drag propagation)"
        )
    ph = report["station_phasing"]
    out.print(
        f"station phasing for {ph['profile']}: shift the phase by {ph['phase_shift_deg']:+.1f}° "
        f"with an altitude change of {ph['altitude_change_km']:+.2f} km "
        f"{ph['lead_days']:g} days before launch ({ph['dv_m_s']:.2f} m/s); the node shift "
        f"it causes moves the in-plane launch by {ph['launch_shift_s']:+.0f} s"
    )
