"""Benchmark: ``stationplan rendezvous`` for one launch, end to end (a fresh process, so
imports count), and the library call behind it (assessment + burn plan).

Target (issue 16): < 1 s for the command. Prints the best of 3 runs, the time to import
the command line (``stationplan.cli.app``, which imports a command's module only when it
runs) and the machine's 1-minute load average (the figures scale with it on a shared host).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ELEMENTS = ROOT / "src" / "stationplan" / "data" / "elements" / "css-2022.tle"
ARGS = ["--site", "jiuquan", "--vehicle", "shenzhou", "--launch", "2022-11-29T15:08:17Z"]


def _best(run, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    from stationplan.orbit.elements import load_catalog
    from stationplan.services.rendezvous import rendezvous_report

    catalog = load_catalog(ELEMENTS)
    library = _best(
        lambda: rendezvous_report(
            catalog,
            str(ELEMENTS),
            None,
            "jiuquan",
            "shenzhou",
            _launch(),
            None,
            30.0,
        )
    )
    command = [sys.executable, "-m", "stationplan", "rendezvous", "--elements"]
    cli = _best(
        lambda: subprocess.run(
            [*command, str(ELEMENTS), *ARGS, "--format", "json"],
            check=True,
            capture_output=True,
        )
    )
    startup = _best(
        lambda: subprocess.run(
            [sys.executable, "-c", "import stationplan.cli.app"], check=True, capture_output=True
        )
    )
    verdict = "yes" if cli < 1.0 else "NO"
    print(
        f"rendezvous: Shenzhou 6.5h plan, library {library:.3f} s, command {cli:.3f} s "
        f"(target < 1 s: {verdict}); python + import stationplan.cli.app {startup:.3f} s; "
        f"load average {os.getloadavg()[0]:.1f}"
    )


def _launch():
    from datetime import UTC, datetime

    return datetime(2022, 11, 29, 15, 8, 17, tzinfo=UTC)


if __name__ == "__main__":
    main()
