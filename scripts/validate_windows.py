"""Write docs/validation.md: predicted vs actual launch times and rendezvous for real launches.

Usage: python scripts/validate_windows.py [--validation PATH] [--out docs/validation.md]
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from stationplan.launch.validation import (
    ErrorSummary,
    WindowCheck,
    WindowJudgement,
    calibrated,
    check_all,
    is_jiuquan,
    judge_leave_one_out,
    leave_one_out_errors,
    load_validation,
)
from stationplan.launch.vehicles import get_vehicle

DEFAULT = Path(__file__).resolve().parents[2] / "shared/validation/station-launches-2021-2022.json"


def _row(c: WindowCheck) -> str:
    launcher = get_vehicle(c.launch.vehicle_id).at_site(c.launch.site_id).launcher
    bare = (c.predicted.plane_crossing_utc - c.launch.launch_utc).total_seconds()
    return (
        f"| {c.launch.mission} | {c.launch.vehicle_id} ({launcher}) | {c.launch.site_id} | "
        f"{c.launch.launch_utc:%Y-%m-%d %H:%M:%S} ({c.launch.precision}) | "
        f"{c.predicted.launch_utc:%H:%M:%S} | **{c.error_s:+.0f}** | {bare:+.0f} | {c.profile} | "
        f"{c.predicted.phase_angle_deg:.0f} | {c.predicted.catch_up_deg:.0f} | "
        f"{c.element_age_days:+.1f} |"
    )


def _stats(name: str, s: ErrorSummary) -> str:
    return (
        f"| {name} | {s.count} | {s.median_abs_s:.1f} | {s.p90_abs_s:.1f} | {s.max_abs_s:.0f} | "
        f"{s.mean_s:+.1f} |"
    )


def _judgement_row(j: WindowJudgement) -> str:
    s = j.selected
    fmt = "%m-%d %H:%M"
    actual_h = j.launch.docking_duration_h or 0.0
    window = (
        "none | – | – | –"
        if s is None
        else f"{s.name} | {s.docking_earliest_utc:{fmt}} | {s.docking_utc:{fmt}} | "
        f"{s.docking_latest_utc:{fmt}}"
    )
    width = "–" if j.width_h is None else f"{j.width_h:.2f}"
    verdict = "yes" if j.inside else "**no**"
    note = " (in sample¹)" if j.in_sample else ""
    return (
        f"| {j.launch.mission} | {j.launch.vehicle_id} | {j.phase_angle_deg:.1f} | {window} | "
        f"{j.launch.docking_utc:{fmt}} ({actual_h:.2f} h) | {width} | "
        f"{j.tolerance_min:.0f} | {j.element_age_days:+.1f} | {verdict}{note} |"
    )


def render_rendezvous(judged: list[WindowJudgement]) -> list[str]:
    inside = sum(j.inside for j in judged)
    widths = [j.width_h for j in judged if j.width_h is not None]
    by_vehicle: dict[str, list[WindowJudgement]] = {}
    for j in judged:
        by_vehicle.setdefault(j.launch.vehicle_id, []).append(j)
    vehicle_rows = [
        f"| {vid} | {sum(j.inside for j in items)} of {len(items)} | "
        f"{np.median([j.width_h or 0.0 for j in items]):.2f} |"
        for vid, items in sorted(by_vehicle.items())
    ]
    return [
        "## Rendezvous: docking windows, leave-one-out",
        "",
        "For every launch whose station element set lies within 7 days: the phase angle at",
        "insertion at the actual launch time; the profile `stationplan rendezvous` selects from",
        "that phase alone (the fastest feasible among the profiles its vehicle offered on that",
        "date, never from the docking time) with its docking window (earliest, nominal,",
        "latest); and whether the real docking lies in that window (± 20 min for flights under",
        "8 h, ± 3 h for longer ones). The only fitted parameters, the centres of the phasing",
        "bands of the Soyuz/Progress, Shenzhou 6.5 h and Tianzhou 8 h profiles, are refitted",
        "*without* the judged flight (`launch.validation.judge_leave_one_out`, printed by",
        "`scripts/fit_rendezvous.py`). ¹ A profile flown only once has no other flight to fit",
        "its band on; that flight is judged with the bundled (in-sample) band and marked.",
        "",
        f"**{inside} of {len(judged)} ({100.0 * inside / max(len(judged), 1):.0f} %) inside, "
        f"median window width {np.median(widths):.2f} h** (acceptance: ≥ 90 % and ≤ 12 h, "
        "`tests/test_rendezvous.py`).",
        "",
        "| vehicle | inside | median width h |",
        "|---|---|---|",
        *vehicle_rows,
        "",
        "| mission | vehicle | phase ° | profile | earliest | nominal | latest | actual "
        "| width h | tolerance min | elements age d | inside |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
        *[_judgement_row(j) for j in judged],
        "",
    ]


def render_decay(logistics_md: Path) -> str:
    """The decay table that scripts/validate_decay.py keeps in docs/logistics.md."""
    if not logistics_md.exists():
        return ""
    body = logistics_md.read_text(encoding="utf-8")
    start, end = "<!-- decay-validation:start -->", "<!-- decay-validation:end -->"
    if start not in body or end not in body:
        return ""
    table = body.split(start, 1)[1].split(end, 1)[0].strip()
    return (
        "\n## Orbit decay: predicted vs observed\n\n"
        "From `scripts/validate_decay.py` (run by `make validate` first); method and discussion "
        "in [logistics.md](logistics.md). Acceptance (issue 5): within 30 % on reboost-free "
        "pairs (`tests/test_decay.py`).\n\n" + table + "\n"
    )


def render(checks: list[WindowCheck], source: Path) -> str:
    others = [c for c in checks if not is_jiuquan(c)]
    jiuquan = [c for c in checks if is_jiuquan(c)]
    seconds = [c for c in others if c.launch.precision == "second"]
    loo = leave_one_out_errors(checks)
    fitted = [c for c in others if calibrated(c)]
    unfitted = [c for c in others if not calibrated(c)]
    bare_others = ErrorSummary.of(
        [(c.launch.launch_utc - c.predicted.plane_crossing_utc).total_seconds() for c in others]
    )
    lines = [
        "# Launch-window validation",
        "",
        f"Generated by `make validate` on {datetime.now(UTC):%Y-%m-%d} from `{source.name}`: every",
        "launch with an element set of its station within 14 days. *Predicted* is the nearest",
        "opportunity of `stationplan windows` for the profile selected from the phase angle at",
        "the launch time; *error* = predicted − actual, seconds. *Bare lead* is the",
        "bare plane-crossing instant minus the actual launch, for scale. Phase: station ahead of",
        "the chaser at insertion; catch-up: phase plus the whole revolutions of the profile.",
        "Times marked (minute) are published to the minute only, so up to ~60 s of their error",
        "is the record's rounding.",
        "",
        "## Summary out of sample (|error|, seconds)",
        "",
        "Calibrated launchers (Soyuz-2.1a, Falcon 9, Long March 7) had their ascent fitted on",
        "these launches (`scripts/fit_windows.py`); their errors here are leave-one-out (the",
        "launcher refitted without the judged flight, `launch.validation.leave_one_out_errors`).",
        "Uncalibrated launchers (Antares, Long March 5B) use the default ascent: out of sample",
        "as they stand. The profile a plane is aimed for is the one selected from the phase angle",
        "at the launch time (fastest feasible), never from the docking time.",
        "",
        "| group | launches | median | p90 | max | mean signed |",
        "|---|---|---|---|---|---|",
        _stats(
            "all except Jiuquan, leave-one-out",
            ErrorSummary.of([loo[c.launch.mission] for c in others]),
        ),
        _stats(
            "  … calibrated launchers, leave-one-out",
            ErrorSummary.of([loo[c.launch.mission] for c in fitted]),
        ),
        _stats("  … uncalibrated launchers", ErrorSummary.of([c.error_s for c in unfitted])),
        "",
        "## Summary in sample (|error|, seconds)",
        "",
        "| group | launches | median | p90 | max | mean signed |",
        "|---|---|---|---|---|---|",
        _stats("all sites except Jiuquan", ErrorSummary.of([c.error_s for c in others])),
        _stats("  … timed to the second", ErrorSummary.of([c.error_s for c in seconds])),
        _stats("  … bare plane crossing (no model)", bare_others),
        _stats("Jiuquan (near-tangent, separate)", ErrorSummary.of([c.error_s for c in jiuquan])),
        "",
        "Acceptance (issue 2): median ≤ 30 s and p90 ≤ 90 s away from Jiuquan "
        "(`tests/test_windows.py`).",
        "",
        "## Every launch",
        "",
        "| mission | vehicle | site | actual (UTC) | predicted | error s | bare lead s | profile "
        "| phase ° | catch-up ° | elements age d |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        *[_row(c) for c in others],
        *[_row(c) for c in jiuquan],
        "",
        "## What limits Jiuquan",
        "",
        "Jiuquan (40.96° N) lies only 0.5° below the CSS inclination (41.47°), so the pad",
        "is never more than ~0.5° from the station's plane for the ~87 minutes between the",
        "north-east and south-east crossings. Across that span the out-of-plane angle stays",
        "so small that a slight yaw during ascent absorbs it at little cost, and the plane",
        "stops fixing the launch time: what does is the phase the 6.5 h profile needs at",
        "insertion (the station raises its orbit beforehand to set it up). A plane-crossing",
        "model therefore predicts Jiuquan launches to a few minutes only; the phase-angle",
        "targeting of the rendezvous issue is the right tool there. Near the tangency a node",
        "error of 0.01° also moves the crossing by ~1 min, ten times more than elsewhere.",
        "",
        "## What limits the others",
        "",
        "- **Cygnus on Antares (Wallops)**: the four flights split into two groups about",
        "  five minutes apart relative to the plane (NG-15/-17 lead it, NG-16/-18 trail",
        "  it), which no single ascent parameter explains, so Antares keeps the default",
        "  ascent model (Antares is retired; Cygnus now flies on Falcon 9).",
        "- **Minute-precision records** (Crew-4, Crew-5, CRS-22/-24/-26, …) carry up to",
        "  60 s of rounding; the launches timed to the second are the fairer measure.",
        "- Calibrated launchers (Soyuz-2.1a, Falcon 9, Long March 7) and the method are",
        "  described in [windows.md](windows.md).",
        "",
    ]
    return "\n".join(lines)


KEEP_START = "<!-- maneuver-validation:start"
KEEP_END = "<!-- maneuver-validation:end -->"


def kept_section(previous: Path) -> str:
    """The hand-written maneuver-plan section of the previous output (between its markers),
    which this script does not compute (tests/test_maneuvers.py does) and must not drop."""
    if not previous.exists():
        return ""
    text = previous.read_text(encoding="utf-8")
    start, end = text.find(KEEP_START), text.find(KEEP_END)
    if start < 0 or end < start:
        return ""
    return "\n" + text[start : end + len(KEEP_END)] + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--validation", type=Path, default=DEFAULT)
    parser.add_argument("--out", type=Path, default=Path("docs/validation.md"))
    args = parser.parse_args()
    if not args.validation.exists():
        print(f"validation data not found: {args.validation}", file=sys.stderr)
        return 1
    data = load_validation(args.validation)
    checks = check_all(data, max_element_age_days=14.0)
    text = render(checks, args.validation)
    text += "\n".join(render_rendezvous(judge_leave_one_out(data, max_element_age_days=7.0)))
    text += kept_section(args.out)
    text += render_decay(Path(__file__).resolve().parents[1] / "docs" / "logistics.md")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(checks)} launches)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
