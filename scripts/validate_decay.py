"""Decay validation: predicted vs observed decay rates of the ISS and CSS from real element sets.

Writes the markdown table between the ``decay-validation`` markers of docs/logistics.md
(or to ``--out``), and prints it.

Sources (observations, see ``stationplan.orbit.decay``):

- ``../shared/validation/station-launches-2021-2022.json`` (``tles``: ISS and CSS),
  ``../shared/catalogs/*.3le`` (one epoch each), ``src/stationplan/data/stations.tle``:
  each element set's ``ndot``, and pairs of consecutive sets 3-7 days apart whose orbit
  did not rise;
- ``tests/data/iss-2023-drag-arcs.tle``: seven reboost-free ISS arcs of 2023 (start and end
  element set of each), picked from a dense public ISS history as spans over which the
  mean motion rose without a step down (no burn).
- ``tests/data/css-drag-arcs.tle``: three reboost-free CSS arcs of 2023-2024 (public
  CelesTrak sets, provenance in the file's header); ``decay.reboost_free_arcs`` cuts the
  history at every step down of the mean motion or gap over 30 days and takes the first
  and last set of each piece. The consecutive pairs inside arc 1 (six sets) are listed
  too (role ``span``), to show the scatter over shorter spans; they are not tested.

Ballistic coefficients: ISS ``Cd A / m`` is fitted on arcs 1, 3, 5, 7 and tested on arcs 2,
4, 6 and the 2021-2022 pairs; CSS uses the published estimate (FACTS.md: Cd A = 2.2 x 500 m^2,
100 t), not fitted, so every CSS arc is held out.

Usage: python scripts/validate_decay.py [--shared PATH] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import math
import re
import statistics
from collections.abc import Sequence
from pathlib import Path

from sgp4.api import Satrec

from stationplan.orbit.decay import (
    MAX_ARC_STEP_DAYS,
    DecayCheck,
    DecayObservation,
    check_decay,
    fit_cda_per_mass,
    observations_from_history,
    observed_from_pair,
    reboost_free_arcs,
)
from stationplan.orbit.elements import load_catalog
from stationplan.orbit.spaceweather import bundled_table

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
ARCS = ROOT / "tests" / "data" / "iss-2023-drag-arcs.tle"
CSS_ARCS = ROOT / "tests" / "data" / "css-drag-arcs.tle"
DOC = ROOT / "docs" / "logistics.md"
ISS, CSS = 25544, 48274
#: CSS: FACTS.md estimate Cd A = 2.2 x 500 m^2 for ~100 t.
CSS_CDA_PER_MASS = 2.2 * 500.0 / 100_000.0
ISS_GUESS = 0.008
START, END = "<!-- decay-validation:start -->", "<!-- decay-validation:end -->"


def station_element_sets(shared: Path) -> dict[int, list[Satrec]]:
    """Every ISS and CSS element set in the shared data and the bundled stations.tle."""
    found: dict[int, list[Satrec]] = {ISS: [], CSS: []}
    validation = shared / "validation" / "station-launches-2021-2022.json"
    for record in json.loads(validation.read_text())["tles"]:
        norad = int(record["norad"])
        if norad in found:
            found[norad].append(Satrec.twoline2rv(record["line1"], record["line2"]))
    paths = sorted((shared / "catalogs").glob("*.3le"))
    paths.append(ROOT / "src" / "stationplan" / "data" / "stations.tle")
    for path in paths:
        catalog = load_catalog(path)
        for norad in found:
            found[norad].extend(e.satrec for e in catalog.history(norad))
    return found


def arc_observations(path: Path) -> list[DecayObservation]:
    """One pair observation per arc (consecutive element sets 1-2, 3-4, ...)."""
    history = [e.satrec for e in load_catalog(path).history(ISS)]
    arcs = []
    for first, second in zip(history[0::2], history[1::2], strict=True):
        observation = observed_from_pair(first, second, path.name)
        if observation is None:
            raise SystemExit(f"{path}: an arc's orbit rose; it is not reboost-free")
        arcs.append(observation)
    return arcs


def css_arc_observations(path: Path) -> tuple[list[DecayObservation], list[DecayObservation]]:
    """CSS reboost-free arcs of ``path``, and the consecutive pairs (3-30 days) inside arcs
    that have intermediate sets."""
    history = [e.satrec for e in load_catalog(path).history(CSS)]
    arcs = reboost_free_arcs(history, path.name)
    ends = {(a.start_utc, a.end_utc) for a in arcs}
    pairs = observations_from_history(history, path.name, max_pair_days=MAX_ARC_STEP_DAYS)
    spans = [
        o
        for o in pairs
        if o.method == "pair"
        and (o.start_utc, o.end_utc) not in ends
        and any(a.start_utc <= o.start_utc and o.end_utc <= a.end_utc for a in arcs)
    ]
    return arcs, spans


def run(
    shared: Path, arcs_path: Path, css_arcs_path: Path = CSS_ARCS
) -> tuple[list[DecayCheck], float]:
    """All checks and the fitted ISS ``Cd A / m``."""
    activity = bundled_table()
    sets = station_element_sets(shared)
    arcs = arc_observations(arcs_path)
    css_arcs, css_spans = css_arc_observations(css_arcs_path)
    iss_cda = fit_cda_per_mass(arcs[0::2], activity, ISS_GUESS)
    iss_all = observations_from_history(sets[ISS], "shared")
    css_all = observations_from_history(sets[CSS], "shared")
    checks = check_decay("ISS", arcs[0::2], iss_cda, activity, "fit")
    checks += check_decay("ISS", arcs[1::2], iss_cda, activity, "test")
    checks += check_decay(
        "ISS", [o for o in iss_all if o.method == "pair"], iss_cda, activity, "test"
    )
    checks += check_decay(
        "ISS", [o for o in iss_all if o.method == "ndot"], iss_cda, activity, "ndot"
    )
    checks += check_decay("CSS", css_arcs, CSS_CDA_PER_MASS, activity, "test")
    checks += check_decay("CSS", css_spans, CSS_CDA_PER_MASS, activity, "span")
    checks += check_decay(
        "CSS", [o for o in css_all if o.method == "pair"], CSS_CDA_PER_MASS, activity, "test"
    )
    checks += check_decay(
        "CSS", [o for o in css_all if o.method == "ndot"], CSS_CDA_PER_MASS, activity, "ndot"
    )
    return checks, iss_cda


def _summary(name: str, checks: Sequence[DecayCheck]) -> str:
    if not checks:
        return f"| {name} | 0 | – | – | – |"
    ratios = [c.ratio for c in checks]
    geo = math.exp(statistics.fmean(math.log(r) for r in ratios))
    inside = sum(c.within_30_percent for c in checks)
    worst = max(ratios, key=lambda r: abs(math.log(r)))
    return f"| {name} | {len(checks)} | {inside} | {geo:.2f} | {worst:.2f} |"


def render(checks: list[DecayCheck], iss_cda: float) -> str:
    lines = [
        f"ISS `Cd A / m` fitted on the four *fit* arcs: **{iss_cda:.5f} m²/kg** "
        f"(Cd 2.2 and 420 t give an effective area of {iss_cda * 420_000 / 2.2:.0f} m²). "
        f"CSS: {CSS_CDA_PER_MASS:.4f} m²/kg from the published estimate, not fitted "
        "(no CSS row is used to fit anything). "
        "Rates in m/day (negative: the orbit sinks); ratio = observed / predicted.",
        "",
        "| station | role | method | span (UTC) | days | mean alt. km | observed | predicted | ratio |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for c in checks:
        o = c.observation
        mark = "" if c.within_30_percent else " ✗"
        lines.append(
            f"| {c.station} | {c.role} | {o.method} | {o.start_utc:%Y-%m-%d %H:%M} – "
            f"{o.end_utc:%Y-%m-%d %H:%M} | {o.span_days:.1f} | {o.altitude_km:.1f} | "
            f"{o.rate_km_per_day * 1e3:.1f} | {c.predicted_km_per_day * 1e3:.1f} | "
            f"**{c.ratio:.2f}**{mark} |"
        )
    groups = {
        "ISS pairs, fit": [c for c in checks if c.station == "ISS" and c.role == "fit"],
        "ISS pairs, test (held out)": [
            c for c in checks if c.station == "ISS" and c.role == "test"
        ],
        "ISS ndot": [c for c in checks if c.station == "ISS" and c.role == "ndot"],
        "CSS pairs, test (held out)": [
            c for c in checks if c.station == "CSS" and c.role == "test"
        ],
        "CSS pairs inside arc 1 (not tested)": [
            c for c in checks if c.station == "CSS" and c.role == "span"
        ],
        "CSS ndot": [c for c in checks if c.station == "CSS" and c.role == "ndot"],
    }
    lines += [
        "",
        "| group | n | within 30 % | geometric-mean ratio | worst ratio |",
        "|---|---|---|---|---|",
    ]
    lines += [_summary(name, group) for name, group in groups.items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--out", type=Path, default=DOC)
    args = parser.parse_args(argv)
    checks, iss_cda = run(args.shared, ARCS)
    table = render(checks, iss_cda)
    print(table)
    if args.out.exists() and START in (text := args.out.read_text()):
        pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.DOTALL)
        args.out.write_text(pattern.sub(lambda _: f"{START}\n{table}{END}", text))
    else:
        args.out.write_text(f"{START}\n{table}{END}\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
