"""The conjunction record every screening stage hands on (plain data).

Frames: positions and velocities are TEME (SGP4's frame) in km and km/s at
the time of closest approach (TCA). RTN components are those of object 2
relative to object 1, in object 1's radial / transverse / normal frame
(R along r₁, N along r₁ × v₁, T = N × R).
"""

from __future__ import annotations

import json
import os
import signal
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO

import numpy as np

from stationplan.orbit.timescale import iso_utc

try:  # the compiled record writer (``_jsonc.c``, built by setup.py); optional
    from stationplan.screening import _jsonc
except ImportError:  # pragma: no cover - exercised by forcing ``_jsonc = None`` in tests
    _jsonc = None  # type: ignore[assignment]  # mypy's idiom for an optional module


@dataclass(frozen=True)
class Conjunction:
    """One close approach between two catalogued objects.

    ``miss_km``: distance at TCA (km). ``relative_speed_km_s``: |v₂ − v₁| at TCA.
    ``age_days_1/2``: TCA minus each element set's epoch (days; positive = propagated
    forward). ``pc``: probability of collision (None until computed), with
    ``pc_method`` (e.g. "FOSTER-1992", "CHAN-1997") and the hard-body radius used (m).
    ``attached``: object 2 is docked to / part of object 1 — it comes within 1 km while
    moving at under 10 m/s relative to it (docs/screening.md) — and is listed, not alerted.
    """

    norad_1: int
    norad_2: int
    name_1: str
    name_2: str
    tca_utc: datetime
    tca_jd: float
    miss_km: float
    relative_speed_km_s: float
    miss_rtn_km: tuple[float, float, float]
    relative_velocity_rtn_km_s: tuple[float, float, float]
    r1_km: tuple[float, float, float]
    v1_km_s: tuple[float, float, float]
    r2_km: tuple[float, float, float]
    v2_km_s: tuple[float, float, float]
    age_days_1: float
    age_days_2: float
    pc: float | None = None
    pc_method: str | None = None
    hard_body_radius_m: float | None = None
    attached: bool = False
    extras: dict[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready record: ``norad_1``, ``norad_2``, ``tca_utc`` (ISO 8601 Z),
        ``miss_km``, ``relative_speed_km_s``, ``pc`` and the rest."""
        out: dict[str, object] = {}
        for key, value in self.__dict__.items():
            if key == "extras":
                continue
            if isinstance(value, datetime):
                value = iso_utc(value)
            elif isinstance(value, tuple):
                value = [round(float(v), 6) for v in value]
            elif isinstance(value, float | np.floating):
                value = float(value)
            out[key] = value
        return out


_ENCODE_STRING = json.encoder.encode_basestring_ascii  # json.dumps' own (C) string encoder
#: Fields of :meth:`Conjunction.as_dict`, in order, that :func:`conjunctions_json` formats.
_FIELDS = (
    "norad_1", "norad_2", "name_1", "name_2", "tca_utc", "tca_jd", "miss_km",
    "relative_speed_km_s", "miss_rtn_km", "relative_velocity_rtn_km_s", "r1_km", "v1_km_s",
    "r2_km", "v2_km_s", "age_days_1", "age_days_2", "pc", "pc_method", "hard_body_radius_m",
    "attached",
)  # fmt: skip


def _float_json(x: float) -> str:
    """A number as ``json.dumps`` writes :meth:`Conjunction.as_dict`'s value of it: ints
    as ints, floats by repr, NaN and ±Infinity spelled its way."""
    if isinstance(x, int) and not isinstance(x, bool):
        return repr(int(x))
    x = float(x)
    if x != x:
        return "NaN"
    if x in (float("inf"), float("-inf")):
        return "Infinity" if x > 0 else "-Infinity"
    return repr(x)


def _triple_json(values: Sequence[float]) -> str:
    a, b, c = (_float_json(round(float(v), 6)) for v in values)
    return f"[\n      {a},\n      {b},\n      {c}\n    ]"


def _optional_json(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return _ENCODE_STRING(value)
    return _float_json(value)  # type: ignore[arg-type]


def _record_json(c: Conjunction) -> str:
    return (
        "  {\n"
        f'    "norad_1": {int(c.norad_1)},\n'
        f'    "norad_2": {int(c.norad_2)},\n'
        f'    "name_1": {_ENCODE_STRING(c.name_1)},\n'
        f'    "name_2": {_ENCODE_STRING(c.name_2)},\n'
        f'    "tca_utc": "{iso_utc(c.tca_utc)}",\n'
        f'    "tca_jd": {_float_json(c.tca_jd)},\n'
        f'    "miss_km": {_float_json(c.miss_km)},\n'
        f'    "relative_speed_km_s": {_float_json(c.relative_speed_km_s)},\n'
        f'    "miss_rtn_km": {_triple_json(c.miss_rtn_km)},\n'
        f'    "relative_velocity_rtn_km_s": {_triple_json(c.relative_velocity_rtn_km_s)},\n'
        f'    "r1_km": {_triple_json(c.r1_km)},\n'
        f'    "v1_km_s": {_triple_json(c.v1_km_s)},\n'
        f'    "r2_km": {_triple_json(c.r2_km)},\n'
        f'    "v2_km_s": {_triple_json(c.v2_km_s)},\n'
        f'    "age_days_1": {_float_json(c.age_days_1)},\n'
        f'    "age_days_2": {_float_json(c.age_days_2)},\n'
        f'    "pc": {_optional_json(c.pc)},\n'
        f'    "pc_method": {_optional_json(c.pc_method)},\n'
        f'    "hard_body_radius_m": {_optional_json(c.hard_body_radius_m)},\n'
        f'    "attached": {"true" if c.attached else "false"}\n'
        "  }"
    )


_FLOAT_OR_NONE = (float, type(None))


def _record_json_fast(c: Conjunction) -> str:
    """:func:`_record_json` for the usual record (plain floats, no NaN or infinity): the
    same text without a call per number; anything else takes the careful path."""
    if not (
        type(c.tca_jd) is float
        and type(c.miss_km) is float
        and type(c.relative_speed_km_s) is float
        and type(c.age_days_1) is float
        and type(c.age_days_2) is float
        and type(c.pc) in _FLOAT_OR_NONE
        and type(c.hard_body_radius_m) in _FLOAT_OR_NONE
    ):
        return _record_json(c)
    m, w, r1, v1, r2, v2 = (
        c.miss_rtn_km,
        c.relative_velocity_rtn_km_s,
        c.r1_km,
        c.v1_km_s,
        c.r2_km,
        c.v2_km_s,
    )
    text = (
        "  {\n"
        f'    "norad_1": {int(c.norad_1)},\n'
        f'    "norad_2": {int(c.norad_2)},\n'
        f'    "name_1": {_ENCODE_STRING(c.name_1)},\n'
        f'    "name_2": {_ENCODE_STRING(c.name_2)},\n'
        f'    "tca_utc": "{iso_utc(c.tca_utc)}",\n'
        f'    "tca_jd": {c.tca_jd!r},\n'
        f'    "miss_km": {c.miss_km!r},\n'
        f'    "relative_speed_km_s": {c.relative_speed_km_s!r},\n'
        f'    "miss_rtn_km": [\n      {round(float(m[0]), 6)!r},\n      {round(float(m[1]), 6)!r},'
        f"\n      {round(float(m[2]), 6)!r}\n    ],\n"
        f'    "relative_velocity_rtn_km_s": [\n      {round(float(w[0]), 6)!r},\n      '
        f"{round(float(w[1]), 6)!r},\n      {round(float(w[2]), 6)!r}\n    ],\n"
        f'    "r1_km": [\n      {round(float(r1[0]), 6)!r},\n      {round(float(r1[1]), 6)!r},'
        f"\n      {round(float(r1[2]), 6)!r}\n    ],\n"
        f'    "v1_km_s": [\n      {round(float(v1[0]), 6)!r},\n      {round(float(v1[1]), 6)!r},'
        f"\n      {round(float(v1[2]), 6)!r}\n    ],\n"
        f'    "r2_km": [\n      {round(float(r2[0]), 6)!r},\n      {round(float(r2[1]), 6)!r},'
        f"\n      {round(float(r2[2]), 6)!r}\n    ],\n"
        f'    "v2_km_s": [\n      {round(float(v2[0]), 6)!r},\n      {round(float(v2[1]), 6)!r},'
        f"\n      {round(float(v2[2]), 6)!r}\n    ],\n"
        f'    "age_days_1": {c.age_days_1!r},\n'
        f'    "age_days_2": {c.age_days_2!r},\n'
        f'    "pc": {"null" if c.pc is None else repr(c.pc)},\n'
        f'    "pc_method": {_optional_json(c.pc_method)},\n'
        f'    "hard_body_radius_m": {_optional_json(c.hard_body_radius_m)},\n'
        f'    "attached": {"true" if c.attached else "false"}\n'
        "  }"
    )
    # repr spells non-finite floats nan/inf where JSON wants NaN/Infinity (a name with
    # "nan" or "inf" in it also lands here, harmlessly).
    return _record_json(c) if ("nan" in text or "inf" in text) else text


def conjunctions_json(events: Sequence[Conjunction]) -> str:
    """``json.dumps([c.as_dict() for c in events], indent=2)``, byte for byte, written
    straight from the records (about 2.5× faster than building the dicts and running the
    pure-Python indenting encoder; ``tests/test_screening.py`` checks the bytes)."""
    parts: list[str] = []
    write_conjunctions_json(events, parts.append)
    return "".join(parts)


def write_conjunctions_json(
    events: Sequence[Conjunction],
    write: Callable[[str], object],
    *,
    batch: int = 2000,
    processes: int = 1,
    min_split: int = 20_000,
) -> None:
    """:func:`conjunctions_json` handed to ``write`` (e.g. ``sys.stdout.write``) in pieces
    of ``batch`` records, so that a 187k-event screening never holds its ~170 MB of JSON
    text at once. ``processes=2`` (POSIX, at least ``min_split`` records): a forked child
    writes the text of the second half to a temporary file while this process writes the
    first, then the file is copied after it — the same pieces, so the same bytes."""
    if not events:
        write("[]")
        return
    if tuple(k for k in Conjunction.__dataclass_fields__ if k != "extras") != _FIELDS:
        # A field was added or moved: the generic path stays right.  # pragma: no cover
        write(json.dumps([c.as_dict() for c in events], indent=2))
        return
    split = len(events)
    if processes > 1 and len(events) >= max(min_split, 2 * batch) and hasattr(os, "fork"):
        split = (len(events) // 2 // batch) * batch  # a batch boundary: the same pieces
    child, spool = _spool_json(events, split, batch) if split < len(events) else (0, None)
    try:
        for k in range(0, split, batch):
            head = "[\n" if k == 0 else ",\n"
            write(head + _records_json(events[k : min(k + batch, split)]))
        if spool is not None:
            _, status = os.waitpid(child, 0)
            child = 0
            if status != 0:
                raise RuntimeError(f"the JSON writer process failed (wait status {status})")
            spool.seek(0)
            while piece := spool.read(1 << 22):
                write(piece)
    finally:
        if child:  # interrupted while the child runs: do not leave it behind
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
        if spool is not None:
            spool.close()
    write("\n]")


def _spool_json(events: Sequence[Conjunction], split: int, batch: int) -> tuple[int, IO[str]]:
    """Fork a process that writes the JSON pieces of ``events[split:]`` (each batch led by
    ",\\n") to a new temporary file; returns its pid and the file (shared offset: read it
    from the start once the child has exited)."""
    # Closed by the caller once copied.
    spool = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")  # noqa: SIM115
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's own coverage is not collected
        code = 1
        try:
            for k in range(split, len(events), batch):
                spool.write(",\n" + _records_json(events[k : k + batch]))
            spool.flush()
            code = 0
        finally:
            os._exit(code)
    return pid, spool


def _records_json(events: Sequence[Conjunction]) -> str:
    """The records' JSON objects joined by ``",\\n"``: by the compiled writer (``_jsonc.c``:
    the same float text as ``repr`` and ``round(x, 6)``, through CPython's own
    ``PyOS_double_to_string``) when it is built, else by :func:`_record_json_fast`."""
    if _jsonc is not None:
        return _jsonc.records_json(events, _ENCODE_STRING, iso_utc)
    return ",\n".join(map(_record_json_fast, events))
