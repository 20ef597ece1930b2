"""``make fuzz``: a seeded run of >= 10,000 generated inputs across every reader and command.

Prints, per target and in total, how the cases ended: ok, user error (exit 1), infeasible
(exit 2), time limit (exit 4), and the three that must stay 0 (issue 14): internal errors,
tracebacks and hangs. Exits 1 if any of those three is not 0, listing the first cases.

    python scripts/fuzz.py [--cases 10000] [--seed 14]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fuzzing import BAD, TARGETS, Outcome, Target

KINDS = ("ok", "user error", "infeasible", "time limit", *BAD)


def run_target(target: Target, n: int, run_seed: int) -> tuple[Counter[str], list]:
    """``n`` generated cases of ``target``; counts by outcome kind and the bad cases."""
    counts: Counter[str] = Counter()
    failures: list[tuple[object, Outcome]] = []

    @settings(
        max_examples=n,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate],
    )
    @seed(run_seed)
    @given(target.strategy)
    def case(value: object) -> None:
        outcome = target.run(value)
        counts[outcome.kind] += 1
        if outcome.bad:
            failures.append((value, outcome))

    case()
    return counts, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    total_share = sum(t.share for t in TARGETS)
    totals: Counter[str] = Counter()
    failures: list[tuple[str, object, Outcome]] = []
    clock = time.perf_counter()
    print(f"{'target':32}" + "".join(f"{k:>16}" for k in KINDS))
    for k, target in enumerate(TARGETS):
        n = max(1, math.ceil(args.cases * target.share / total_share))
        counts, bad = run_target(target, n, args.seed + k)
        # Small input spaces may run out of distinct cases: top up with more seeds.
        extra = 1
        while sum(counts.values()) < n and extra < 20:
            more, worse = run_target(target, n - sum(counts.values()), args.seed + 1000 * extra)
            if not more:
                break
            counts += more
            bad += worse
            extra += 1
        totals += counts
        failures += [(target.name, value, outcome) for value, outcome in bad]
        print(f"{target.name:32}" + "".join(f"{counts[k]:>16}" for k in KINDS), flush=True)
    cases = sum(totals.values())
    print(
        f"\ncases {cases}, internal errors {totals['internal error']}, tracebacks "
        f"{totals['traceback']}, hangs {totals['hang']} (seed {args.seed}, "
        f"{time.perf_counter() - clock:.0f} s)"
    )
    for name, value, outcome in failures[:10]:
        shown = repr(value)
        print(f"\n[{name}] {outcome.kind}: {shown[:300]}\n{outcome.detail[-2000:]}")
    return 1 if failures or cases < args.cases else 0


if __name__ == "__main__":
    raise SystemExit(main())
