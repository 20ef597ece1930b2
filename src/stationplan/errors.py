"""Domain errors that the CLI turns into one-line messages and exit codes.

Exit codes (see README): 0 ok, 1 user error, 2 proven infeasible, 3 internal error (a bug),
4 gave up within the time limit (raise it), 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import math
from pathlib import Path


class StationplanError(Exception):
    """Base class of every error a user can cause; never shown as a traceback."""

    exit_code: int = 1


class InputError(StationplanError):
    """Bad user input: names the file, line or field, what is wrong, what was expected."""

    def __init__(
        self,
        reason: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.reason = reason
        self.path = None if path is None else str(path)
        self.line = line
        self.field = field
        super().__init__(self.message)

    @property
    def message(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
        if self.field is not None:
            where = f"{where} [{self.field}]" if where else f"[{self.field}]"
        return f"{where}: {self.reason}" if where else self.reason


class InfeasibleError(StationplanError):
    """The request is well formed but no plan satisfies it (exit code 2)."""

    exit_code = 2


class TimeLimitError(StationplanError):
    """The search gave up within its time limit before proving a plan or its absence.

    Not a proof of infeasibility: the advice is to raise the limit (exit code 4).
    """

    exit_code = 4


def check_range(
    value: float,
    low: float,
    high: float,
    field: str,
    *,
    low_open: bool = False,
    unit: str = "",
    why: str = "",
) -> float:
    """``value`` if it is finite and within [low, high] ((low, high] with ``low_open``).

    Otherwise an InputError naming ``field`` (the option or key), the allowed range and
    ``why`` (the source or reason of the range). NaN fails every comparison, hence the
    explicit ``isfinite``.
    """
    inside = low < value if low_open else low <= value
    if math.isfinite(value) and inside and value <= high:
        return value
    interval = f"{'(' if low_open else '['}{low:g}, {high:g}]"
    reason = f"{value:g} is outside {interval}{' ' + unit if unit else ''}"
    raise InputError(f"{reason}; {why}" if why else reason, field=field)
