"""Issue 14, property: any generated input to a reader or a command ends in a result or a
user error (exit 1, one line) — never an internal error, a traceback or a hang.

A short seeded run (derandomized: the same cases every time) of the targets of
``tests/fuzzing.py``; ``make fuzz`` runs the same targets with >= 10,000 cases and counts.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from fuzzing import TARGETS, Target

#: Cases of the whole short run, shared out like make fuzz's (at least 2 per target).
CASES = int(os.environ.get("STATIONPLAN_FUZZ_CASES", "300"))


def short_run(target: Target) -> settings:
    return settings(
        max_examples=max(2, round(CASES * target.share)),
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
    )


@pytest.mark.parametrize("target", TARGETS, ids=[t.name for t in TARGETS])
def test_generated_inputs_end_in_a_result_or_a_user_error(target):
    @short_run(target)
    @given(target.strategy)
    def case(value):
        outcome = target.run(value)
        assert not outcome.bad, f"{outcome.kind}: {outcome.detail}"

    case()
