"""Constraint families of campaign schedulers, as parts.

Each family adds its constraints to a shared CP-SAT model, every requirement instance
behind its own assumption literal (:class:`SharedModel.requirement`), so a scheduler (the
station's, later the lunar base's) composes the families it needs and can explain
infeasibility, find binding requirements and suggest relaxations the same way.
"""

from stationplan.planning.families import (
    Requirement,
    SharedModel,
    add_launch_separation,
    add_not_before,
    add_precedence,
)

__all__ = [
    "Requirement",
    "SharedModel",
    "add_launch_separation",
    "add_not_before",
    "add_precedence",
]
