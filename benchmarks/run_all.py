"""Run every benchmark and print its figures (``make bench``). Never part of ``make test``."""

from __future__ import annotations

import subprocess
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
    """Each benchmark in a fresh interpreter: a benchmark's memory (bench_propagate holds
    ~2 GiB of states) must not show up as another's peak RSS — on Linux a child forked
    from a large process reports that process's RSS as its own ``ru_maxrss``."""
    here = Path(__file__).resolve().parent
    failed = []
    for name in BENCHMARKS:
        print(f"== {name}", flush=True)
        code = f"import sys; sys.path.insert(0, {str(here)!r}); import {name}; {name}.main()"
        if subprocess.run([sys.executable, "-c", code], check=False).returncode != 0:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
