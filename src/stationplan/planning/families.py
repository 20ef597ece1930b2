"""The shared model with its requirement registry, and constraint families over it.

Times in the model are integer minutes from the campaign start. A family receives only
plain data (names, launch variables, candidate minutes), never a campaign file, so the
station and lunar schedulers can both use it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ortools.sat.python import cp_model

__all__ = [
    "Requirement",
    "SharedModel",
    "Span",
    "add_launch_separation",
    "add_not_before",
    "add_precedence",
]


@dataclass(frozen=True)
class Requirement:
    """One requirement instance behind an assumption literal: family, missions, sentence."""

    family: str
    missions: tuple[str, ...]
    sentence: str
    key: str = ""  # quota index, pad id, site id or crew member name: what to relax


@dataclass(frozen=True)
class Span:
    """A widenable requirement ``lo_min ≤ expr ≤ hi_min`` (minutes): the relaxation search
    may report the smallest excursion instead of dropping it."""

    expr: cp_model.LinearExprT
    lo_min: int
    hi_min: int


@dataclass
class SharedModel:
    """A CP-SAT model and its requirements: literal index -> :class:`Requirement`, the
    literals in creation order, per literal an optional witness (a sentence about a
    solved schedule, for explanations) and, for widenable ranges, its :class:`Span`.

    ``start_utc`` is minute 0 (for dates in sentences, :meth:`clock`); ``horizon`` the
    last minute any variable may take (set by the scheduler once known)."""

    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    requirements: dict[int, Requirement] = field(default_factory=dict)
    literals: list[cp_model.IntVar] = field(default_factory=list)
    witness_text: dict[int, Callable[[cp_model.CpSolver], str]] = field(default_factory=dict)
    spans: dict[int, Span] = field(default_factory=dict)
    start_utc: datetime = datetime(2000, 1, 1)
    horizon: int = 0

    def clock(self, minute: int) -> str:
        """Minute ``minute`` from the start as "YYYY-MM-DD HH:MM" (UTC)."""
        return (self.start_utc + timedelta(minutes=minute)).strftime("%Y-%m-%d %H:%M")

    @staticmethod
    def value(solver: cp_model.CpSolver, expr: cp_model.LinearExprT) -> int:
        """The value of a minute expression in ``solver``'s solution."""
        return int(solver.value(expr))

    def at(self, solver: cp_model.CpSolver, expr: cp_model.LinearExprT) -> str:
        """The date of a minute expression in ``solver``'s solution."""
        return self.clock(self.value(solver, expr))

    def requirement(
        self,
        family: str,
        missions: Sequence[str],
        sentence: str,
        witness: Callable[[cp_model.CpSolver], str] | None = None,
        key: str = "",
    ) -> cp_model.IntVar:
        """A new assumption literal standing for one requirement instance; constraints of
        the requirement are enforced only if it (``only_enforce_if``)."""
        literal = self.model.new_bool_var(f"req:{family}:{'/'.join(missions)}:{len(self.literals)}")
        self.requirements[literal.index] = Requirement(family, tuple(missions), sentence, key)
        self.literals.append(literal)
        if witness is not None:
            self.witness_text[literal.index] = witness
        return literal


def add_launch_separation(
    shared: SharedModel,
    family: str,
    users: Sequence[str],
    launch: Mapping[str, cp_model.IntVar],
    launch_min: Mapping[str, Sequence[int]],
    gap_min: int,
    sentence: Callable[[str, str], str],
    witness: Callable[[str, str], Callable[[cp_model.CpSolver], str]],
    key: str = "",
) -> None:
    """Launches of ``users`` pairwise at least ``gap_min`` minutes apart (a pad's turnaround,
    a site's separation): per pair one requirement literal and an order literal; pairs whose
    candidate minutes (``launch_min``) are already that far apart get none."""
    if gap_min <= 0:
        return
    model = shared.model
    for index, a in enumerate(users):
        for b in users[index + 1 :]:
            if (
                min(launch_min[a]) >= max(launch_min[b]) + gap_min
                or min(launch_min[b]) >= max(launch_min[a]) + gap_min
            ):
                continue
            lit = shared.requirement(family, [a, b], sentence(a, b), witness(a, b), key=key)
            a_first = model.new_bool_var(f"{family}[{a}<{b}]")
            model.add(launch[b] >= launch[a] + gap_min).only_enforce_if([lit, a_first])
            model.add(launch[a] >= launch[b] + gap_min).only_enforce_if([lit, a_first.Not()])


def add_precedence(
    shared: SharedModel,
    mission: str,
    awaited: str,
    launch: cp_model.IntVar,
    event: cp_model.LinearExprT,
    gap_min: int,
    sentence: str,
    witness: Callable[[cp_model.CpSolver], str] | None = None,
) -> None:
    """``mission`` launches at least ``gap_min`` minutes after ``event`` (a minute expression
    of ``awaited``: its launch, docking, transposition or departure); family "dependency"."""
    lit = shared.requirement("dependency", [mission, awaited], sentence, witness)
    shared.model.add(launch >= event + gap_min).only_enforce_if(lit)


def add_not_before(
    shared: SharedModel,
    mission: str,
    choose: Sequence[cp_model.IntVar],
    launch_min: Sequence[int],
    ready_min: int,
    sentence: str,
    key: str = "",
) -> None:
    """No candidate of ``mission`` launching before ``ready_min`` (a crew member's readiness):
    the choices of earlier candidates are off; family "readiness". No literal when none is
    earlier."""
    early = [b for t, b in zip(launch_min, choose, strict=True) if t < ready_min]
    if not early:
        return
    lit = shared.requirement("readiness", [mission], sentence, key=key)
    shared.model.add(sum(early) == 0).only_enforce_if(lit)
