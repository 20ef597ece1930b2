"""Time ``load_catalog`` on the shared full-catalog 3LE snapshots.

Prints one line per catalog, ``name: X.XXX s (N objects, K skipped)``, the
best of ``REPEATS`` loads (wall clock, file read included). Catalogs that are
absent are reported as skipped. Target: satcat-2024-07.3le under 1.5 s.

Run: ``.venv/bin/python benchmarks/bench_elements.py``
"""

from __future__ import annotations

import time
from pathlib import Path

from stationplan.orbit.elements import load_catalog

CATALOGS = Path(__file__).resolve().parents[1].parent / "shared" / "catalogs"
NAMES = ("satcat-2024-07.3le", "satcat-2022-07.3le")
REPEATS = 3


def time_load_s(path: Path, repeats: int = REPEATS) -> tuple[float, int, int]:
    """Best-of-``repeats`` load time in seconds, number of objects, number skipped."""
    best_s = float("inf")
    n_objects = n_skipped = 0
    for _ in range(repeats):
        start = time.perf_counter()
        catalog = load_catalog(path)
        best_s = min(best_s, time.perf_counter() - start)
        n_objects, n_skipped = len(catalog.norad_ids()), len(catalog.skipped)
    return best_s, n_objects, n_skipped


def main() -> None:
    for name in NAMES:
        path = CATALOGS / name
        if not path.exists():
            print(f"{name}: skipped (not found in {CATALOGS})")
            continue
        elapsed_s, n_objects, n_skipped = time_load_s(path)
        print(f"{name}: {elapsed_s:.3f} s ({n_objects} objects, {n_skipped} skipped)")


if __name__ == "__main__":
    main()
