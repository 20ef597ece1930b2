"""Run every benchmark and print its figures (``make bench``). Never part of ``make test``."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

BENCHMARKS = [
    "bench_elements",
    "bench_propagate",
    "bench_windows",
    "bench_rendezvous",
    "bench_schedule",
    "bench_simulate",
    "bench_sieve",
    "bench_screening",
    "bench_backends",
    "bench_web",
    "bench_lunar",
    "bench_lunar_campaign",
]


def main() -> None:
    for name in BENCHMARKS:
        print(f"== {name}", flush=True)
        importlib.import_module(name).main()


if __name__ == "__main__":
    main()
