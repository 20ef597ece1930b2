"""CCSDS Conjunction Data Messages (CDM, CCSDS 508.0-B-1, KVN): write one per event, read one.

Writing (:func:`conjunction_to_cdm`): the header (``CCSDS_CDM_VERS = 1.0``,
CREATION_DATE, ORIGINATOR, MESSAGE_ID), the relative metadata (TCA, MISS_DISTANCE,
RELATIVE_SPEED, RELATIVE_POSITION/VELOCITY_R/T/N, COLLISION_PROBABILITY and its
METHOD when known), then OBJECT1 and OBJECT2, each with its metadata, its state at
TCA and its 6×6 RTN covariance (lower triangle CR_R … CNDOT_NDOT), with the units of
508.0-B-1 Tables 3-3 and 3-4: m, m/s for relative quantities; km, km/s for states;
m², m²/s, m²/s² for the covariance.

Frames: the CDM's REF_FRAME must be EME2000, GCRF or ITRF (508.0-B-1 §3.5.2). SGP4
states are TEME, so they are rotated to the GCRS (= GCRF for an Earth-centred
state) with Skyfield (:func:`stationplan.orbit.propagate.teme_to_gcrs`). RTN quantities do
not depend on the inertial frame. RELATIVE_POSITION/VELOCITY are object 2 relative to
object 1 in object 1's RTN frame, as in :class:`~stationplan.screening.conjunction.Conjunction`.

Reading (:func:`read_cdm`) accepts any KVN CDM 1.0: unknown keywords are kept, COMMENT
lines skipped, units in brackets checked for the state and covariance, and every
mandatory keyword of the standard required; a malformed file raises
:class:`~stationplan.errors.InputError` naming the line.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from stationplan.errors import InputError
from stationplan.screening.conjunction import Conjunction
from stationplan.screening.covariance import (
    default_state_covariance_rtn,
    object_kind,
)

__all__ = [
    "COVARIANCE_KEYWORDS",
    "CdmMessage",
    "CdmObject",
    "conjunction_to_cdm",
    "international_designator",
    "read_cdm",
]

# Lower triangle of the 6×6 RTN covariance, row by row (508.0-B-1 Table 3-4), with the
# (row, column) of each keyword in the order R, T, N, RDOT, TDOT, NDOT.
_AXES = ("R", "T", "N", "RDOT", "TDOT", "NDOT")
COVARIANCE_KEYWORDS: tuple[str, ...] = tuple(
    f"C{_AXES[i]}_{_AXES[j]}" for i in range(6) for j in range(i + 1)
)
_COVARIANCE_INDEX = {f"C{_AXES[i]}_{_AXES[j]}": (i, j) for i in range(6) for j in range(i + 1)}

_HEADER_KEYWORDS = ("CCSDS_CDM_VERS", "CREATION_DATE", "ORIGINATOR", "MESSAGE_ID")
_RELATIVE_MANDATORY = ("TCA", "MISS_DISTANCE")
_OBJECT_METADATA = (
    "OBJECT",
    "OBJECT_DESIGNATOR",
    "CATALOG_NAME",
    "OBJECT_NAME",
    "INTERNATIONAL_DESIGNATOR",
    "EPHEMERIS_NAME",
    "COVARIANCE_METHOD",
    "MANEUVERABLE",
    "REF_FRAME",
)
_STATE_KEYWORDS = ("X", "Y", "Z", "X_DOT", "Y_DOT", "Z_DOT")
_KM2_TO_M2 = 1.0e6  # km² -> m², km²/s -> m²/s, km²/s² -> m²/s²
_KEY_WIDTH = 34
_VALUE_WIDTH = 24


@dataclass(frozen=True)
class CdmObject:
    """One object of a CDM: metadata, state at TCA and RTN covariance (library units).

    ``r_km``, ``v_km_s``: state in ``ref_frame``. ``cov_rtn``: 6×6 in the object's RTN
    frame, km² / km²/s / km²/s² (the file's m² values ÷ 1e6). ``keywords``: every
    keyword of the object section as text, for anything not mapped here.
    """

    object: str
    designator: str
    catalog_name: str
    name: str
    international_designator: str
    ephemeris_name: str
    covariance_method: str
    maneuverable: str
    ref_frame: str
    r_km: tuple[float, float, float]
    v_km_s: tuple[float, float, float]
    cov_rtn: np.ndarray
    keywords: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CdmMessage:
    """A parsed CDM: header, relative metadata (file units: m, m/s) and the two objects."""

    version: str
    creation_date: str
    originator: str
    message_id: str
    tca_utc: datetime
    miss_distance_m: float
    relative_speed_m_s: float | None
    relative_position_rtn_m: tuple[float, float, float] | None
    relative_velocity_rtn_m_s: tuple[float, float, float] | None
    collision_probability: float | None
    collision_probability_method: str | None
    objects: tuple[CdmObject, CdmObject]
    keywords: dict[str, str] = field(default_factory=dict)


# --- writing ---------------------------------------------------------------------------


def conjunction_to_cdm(
    conj: Conjunction,
    *,
    cov1_rtn_km2: np.ndarray | None = None,
    cov2_rtn_km2: np.ndarray | None = None,
    originator: str = "STATIONPLAN",
    message_id: str | None = None,
    creation_utc: datetime | None = None,
) -> str:
    """Write one conjunction as a CCSDS CDM 1.0 in KVN (CCSDS 508.0-B-1), returned as text.

    ``cov1_rtn_km2``/``cov2_rtn_km2``: each object's covariance in its own RTN frame,
    6×6 (km², km²/s, km²/s²) or 3×3 position-only (its velocity block is then taken
    from the default model). Absent ones are the default TLE model
    (:func:`~stationplan.screening.covariance.default_state_covariance_rtn` at the
    element set's age) and are flagged ``COVARIANCE_METHOD = DEFAULT``. The states are
    rotated from TEME to GCRF (``REF_FRAME = GCRF``). ``message_id`` defaults to
    ``<norad_1>_conj_<norad_2>_<TCA yyyymmddThhmmss>``; ``creation_utc`` to now.
    COLLISION_PROBABILITY(_METHOD) are written only when ``conj.pc`` is set. The
    international designator comes from ``conj.extras["intl_designator_1/2"]`` when
    the screening knows it, else ``UNKNOWN``.
    """
    from stationplan.orbit.propagate import teme_to_gcrs

    creation = (creation_utc or datetime.now(UTC)).astimezone(UTC)
    tca = conj.tca_utc if conj.tca_utc.tzinfo else conj.tca_utc.replace(tzinfo=UTC)
    if message_id is None:
        message_id = f"{conj.norad_1}_conj_{conj.norad_2}_{tca:%Y%m%dT%H%M%S}"
    jd = math.floor(conj.tca_jd - 0.5) + 0.5
    fr = conj.tca_jd - jd
    r_gcrs, v_gcrs = teme_to_gcrs(
        np.array([conj.r1_km, conj.r2_km]).reshape(2, 1, 3),
        np.array([conj.v1_km_s, conj.v2_km_s]).reshape(2, 1, 3),
        np.array([jd]),
        np.array([fr]),
    )

    lines: list[str] = []
    add = lines.append
    add(_kv("CCSDS_CDM_VERS", "1.0"))
    add(_kv("CREATION_DATE", _time(creation)))
    add(_kv("ORIGINATOR", originator))
    add(_kv("MESSAGE_ID", message_id))
    add("COMMENT Screening by stationplan from SGP4 element sets; states rotated TEME -> GCRF")
    if conj.hard_body_radius_m is not None:
        add(f"COMMENT Hard-body radius (combined) = {conj.hard_body_radius_m:.3f} [m]")
    add(_kv("TCA", _time(tca)))
    add(_kv("MISS_DISTANCE", f"{conj.miss_km * 1000.0:.3f}", "m"))
    add(_kv("RELATIVE_SPEED", f"{conj.relative_speed_km_s * 1000.0:.3f}", "m/s"))
    for axis, value in zip("RTN", conj.miss_rtn_km, strict=True):
        add(_kv(f"RELATIVE_POSITION_{axis}", f"{value * 1000.0:.3f}", "m"))
    for axis, value in zip("RTN", conj.relative_velocity_rtn_km_s, strict=True):
        add(_kv(f"RELATIVE_VELOCITY_{axis}", f"{value * 1000.0:.4f}", "m/s"))
    if conj.pc is not None:
        add(_kv("COLLISION_PROBABILITY", f"{conj.pc:.6e}"))
        add(_kv("COLLISION_PROBABILITY_METHOD", conj.pc_method or "FOSTER-1992"))

    objects = (
        (1, conj.norad_1, conj.name_1, conj.age_days_1, cov1_rtn_km2),
        (2, conj.norad_2, conj.name_2, conj.age_days_2, cov2_rtn_km2),
    )
    for (index, norad, name, age_days, cov_given), r_km, v_km_s in zip(
        objects, r_gcrs[:, 0, :], v_gcrs[:, 0, :], strict=True
    ):
        kind = object_kind(norad, name)
        cov = _state_covariance(cov_given, age_days)
        add(_kv("OBJECT", f"OBJECT{index}"))
        add(_kv("OBJECT_DESIGNATOR", str(norad)))
        add(_kv("CATALOG_NAME", "SATCAT"))
        add(_kv("OBJECT_NAME", _clean(name) or str(norad)))
        intl = conj.extras.get(f"intl_designator_{index}")
        add(_kv("INTERNATIONAL_DESIGNATOR", international_designator(str(intl or ""))))
        add(_kv("OBJECT_TYPE", _OBJECT_TYPES[kind]))
        add(_kv("EPHEMERIS_NAME", "NONE"))
        add(_kv("COVARIANCE_METHOD", "DEFAULT" if cov_given is None else "CALCULATED"))
        add(_kv("MANEUVERABLE", "YES" if kind == "station" else "N/A"))
        add(_kv("REF_FRAME", "GCRF"))
        add(f"COMMENT Element set age at TCA = {age_days:.4f} [d]")
        for keyword, value in zip(_STATE_KEYWORDS[:3], r_km, strict=True):
            add(_kv(keyword, f"{value:.6f}", "km"))
        for keyword, value in zip(_STATE_KEYWORDS[3:], v_km_s, strict=True):
            add(_kv(keyword, f"{value:.9f}", "km/s"))
        for keyword in COVARIANCE_KEYWORDS:
            i, j = _COVARIANCE_INDEX[keyword]
            add(_kv(keyword, f"{cov[i, j] * _KM2_TO_M2:.15e}", _covariance_unit(i, j)))
    return "\n".join(lines) + "\n"


_OBJECT_TYPES = {
    "station": "PAYLOAD",
    "payload": "PAYLOAD",
    "rocket body": "ROCKET BODY",
    "debris": "DEBRIS",
    "unknown": "UNKNOWN",
}


def _state_covariance(cov_given: np.ndarray | None, age_days: float) -> np.ndarray:
    default = default_state_covariance_rtn(age_days)
    if cov_given is None:
        return default
    cov = np.asarray(cov_given, dtype=float)
    if cov.shape == (6, 6):
        return 0.5 * (cov + cov.T)
    if cov.shape == (3, 3):
        out = default.copy()
        out[:3, :3] = 0.5 * (cov + cov.T)
        out[:3, 3:] = 0.0
        out[3:, :3] = 0.0
        return out
    raise ValueError(f"covariance must be 3×3 or 6×6, got {cov.shape}")


def _covariance_unit(i: int, j: int) -> str:
    velocity_axes = (i >= 3) + (j >= 3)
    return ("m**2", "m**2/s", "m**2/s**2")[velocity_axes]


def _kv(keyword: str, value: str, unit: str | None = None) -> str:
    text = f"{keyword:<{_KEY_WIDTH}} = {value}"
    if unit is not None:
        text = f"{keyword:<{_KEY_WIDTH}} = {value:<{_VALUE_WIDTH}} [{unit}]"
    return text


def _time(when: datetime) -> str:
    when = when.astimezone(UTC) if when.tzinfo else when
    return when.strftime("%Y-%m-%dT%H:%M:%S.%f")


def international_designator(code: str) -> str:
    """CDM form YYYY-NNNP{PP} of a COSPAR designator; TLE form "98067A" is expanded.

    Two-digit years 57-99 are 19xx, 00-56 are 20xx (the TLE convention, Space-Track /
    CelesTrak "NORAD two-line element set format"). Blank gives "UNKNOWN".
    """
    code = _clean(code).upper()
    tle = re.fullmatch(r"(\d{2})(\d{3})([A-Z]{1,3})", code)
    if tle:
        year = int(tle.group(1))
        year += 1900 if year >= 57 else 2000
        return f"{year}-{tle.group(2)}{tle.group(3)}"
    return code or "UNKNOWN"


def _clean(text: str) -> str:
    """A KVN value is one line; brackets would read as a unit."""
    return " ".join(text.replace("[", "(").replace("]", ")").split())


# --- reading ---------------------------------------------------------------------------

_LINE = re.compile(r"^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$")
_UNIT = re.compile(r"^(.*?)\s*\[([^\]]*)\]\s*$")
_TIME = re.compile(r"^(\d{4})-(?:(\d{2})-(\d{2})|(\d{3}))T(\d{2}):(\d{2}):(\d{2}(?:\.\d*)?)Z?$")


def read_cdm(text_or_path: str | Path) -> CdmMessage:
    """Parse a KVN CDM (CCSDS 508.0-B-1) from its text or a path to it.

    Returns a :class:`CdmMessage` with the TCA, the miss distance and relative state
    (file units), the two objects' states (km, km/s, in their ``ref_frame``) and their
    6×6 RTN covariances converted to km², km²/s, km²/s². A ``Path`` — or a one-line
    string naming an existing file — is read from disk. Malformed input (a line that is
    not ``KEY = value``, a missing mandatory keyword, a number that does not parse, a
    wrong unit on a state or covariance value, a second OBJECT missing) raises
    :class:`~stationplan.errors.InputError` with the file (``<CDM text>`` for text) and
    line. The units of the
    RELATIVE_* keywords are not checked (a published NASA CARA sample writes [m] for
    relative velocities).
    """
    path: str | None = None
    if isinstance(text_or_path, Path) or "\n" not in str(text_or_path).strip():
        path = str(text_or_path)
        try:
            text = Path(path).read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            raise InputError("file not found", path=path) from None
        except OSError as exc:
            raise InputError(f"cannot read file: {exc.strerror}", path=path) from None
    else:
        text = str(text_or_path)
        path = "<CDM text>"
    if text.lstrip().startswith("<"):
        raise InputError("XML CDMs are not supported; give the KVN form", path=path, line=1)

    sections: list[dict[str, tuple[str, str | None, int]]] = [{}]  # header+relative, obj1, obj2
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("COMMENT"):
            continue
        match = _LINE.match(line)
        if match is None:
            raise InputError(
                f"expected 'KEYWORD = value', got {line[:60]!r}", path=path, line=line_no
            )
        key, rest = match.groups()
        unit_match = _UNIT.match(rest)
        value, unit = (unit_match.group(1), unit_match.group(2)) if unit_match else (rest, None)
        if key == "OBJECT":
            if len(sections) == 3:
                raise InputError(
                    "a CDM has two objects; found a third OBJECT", path=path, line=line_no
                )
            sections.append({})
        section = sections[-1]
        if key in section:
            raise InputError(
                f"{key} given twice (first on line {section[key][2]})", path=path, line=line_no
            )
        section[key] = (value.strip(), unit, line_no)

    head = sections[0]
    last_line = max(1, len(text.splitlines()))
    for key in (*_HEADER_KEYWORDS, *_RELATIVE_MANDATORY):
        if key not in head:
            raise InputError(f"mandatory keyword {key} is missing", path=path, line=last_line)
    if head["CCSDS_CDM_VERS"][0] not in ("1.0", "1"):
        raise InputError(
            f"CCSDS_CDM_VERS {head['CCSDS_CDM_VERS'][0]!r} is not 1.0",
            path=path,
            line=head["CCSDS_CDM_VERS"][2],
        )
    if len(sections) != 3:
        raise InputError(
            f"a CDM has two objects (OBJECT = OBJECT1 / OBJECT2); found {len(sections) - 1}",
            path=path,
            line=last_line,
        )
    objects = tuple(
        _read_object(section, index, path) for index, section in enumerate(sections[1:], 1)
    )

    def number(key: str) -> float | None:
        if key not in head:
            return None
        return _float(head[key], key, path)

    def triple(prefix: str) -> tuple[float, float, float] | None:
        keys = [f"{prefix}_{axis}" for axis in "RTN"]
        if not all(k in head for k in keys):
            return None
        r, t, n = (_float(head[k], k, path) for k in keys)
        return (r, t, n)

    _check_unit(head["MISS_DISTANCE"], "MISS_DISTANCE", "m", path)
    pc_method = head.get("COLLISION_PROBABILITY_METHOD")
    return CdmMessage(
        version=head["CCSDS_CDM_VERS"][0],
        creation_date=head["CREATION_DATE"][0],
        originator=head["ORIGINATOR"][0],
        message_id=head["MESSAGE_ID"][0],
        tca_utc=_parse_time(head["TCA"], "TCA", path),
        miss_distance_m=_float(head["MISS_DISTANCE"], "MISS_DISTANCE", path),
        relative_speed_m_s=number("RELATIVE_SPEED"),
        relative_position_rtn_m=triple("RELATIVE_POSITION"),
        relative_velocity_rtn_m_s=triple("RELATIVE_VELOCITY"),
        collision_probability=number("COLLISION_PROBABILITY"),
        collision_probability_method=pc_method[0] if pc_method else None,
        objects=(objects[0], objects[1]),
        keywords={key: value for key, (value, _, _) in head.items()},
    )


def _read_object(
    section: dict[str, tuple[str, str | None, int]], index: int, path: str | None
) -> CdmObject:
    first_line = min(entry[2] for entry in section.values())
    expected = f"OBJECT{index}"
    if section["OBJECT"][0].upper() != expected:
        raise InputError(
            f"expected OBJECT = {expected}, got {section['OBJECT'][0]!r}",
            path=path,
            line=section["OBJECT"][2],
        )
    for key in (*_OBJECT_METADATA, *_STATE_KEYWORDS, *COVARIANCE_KEYWORDS):
        if key not in section:
            raise InputError(
                f"mandatory keyword {key} is missing from {expected}", path=path, line=first_line
            )
    state = []
    for key in _STATE_KEYWORDS:
        _check_unit(section[key], key, "km/s" if key.endswith("_DOT") else "km", path)
        state.append(_float(section[key], key, path, finite=True))
    cov = np.zeros((6, 6))
    for key in COVARIANCE_KEYWORDS:
        i, j = _COVARIANCE_INDEX[key]
        _check_unit(section[key], key, _covariance_unit(i, j), path)
        cov[i, j] = cov[j, i] = _float(section[key], key, path, finite=True) / _KM2_TO_M2
    return CdmObject(
        object=expected,
        designator=section["OBJECT_DESIGNATOR"][0],
        catalog_name=section["CATALOG_NAME"][0],
        name=section["OBJECT_NAME"][0],
        international_designator=section["INTERNATIONAL_DESIGNATOR"][0],
        ephemeris_name=section["EPHEMERIS_NAME"][0],
        covariance_method=section["COVARIANCE_METHOD"][0],
        maneuverable=section["MANEUVERABLE"][0],
        ref_frame=section["REF_FRAME"][0],
        r_km=(state[0], state[1], state[2]),
        v_km_s=(state[3], state[4], state[5]),
        cov_rtn=cov,
        keywords={key: value for key, (value, _, _) in section.items()},
    )


def _float(
    entry: tuple[str, str | None, int], key: str, path: str | None, *, finite: bool = False
) -> float:
    value, _, line = entry
    try:
        number = float(value)
    except ValueError:
        raise InputError(f"{key} = {value!r} is not a number", path=path, line=line) from None
    if finite and not math.isfinite(number):
        raise InputError(f"{key} = {value!r} must be a finite number", path=path, line=line)
    return number


def _check_unit(
    entry: tuple[str, str | None, int], key: str, expected: str, path: str | None
) -> None:
    _, unit, line = entry
    if unit is not None and unit.replace(" ", "").lower() != expected:
        raise InputError(f"{key} is in [{unit}], expected [{expected}]", path=path, line=line)


def _parse_time(entry: tuple[str, str | None, int], key: str, path: str | None) -> datetime:
    """CCSDS ASCII time, calendar (YYYY-MM-DDThh:mm:ss.d) or ordinal (YYYY-DDDThh:mm:ss.d), UTC."""
    value, _, line = entry
    match = _TIME.match(value.strip())
    if match is None:
        raise InputError(
            f"{key} = {value!r} is not a CCSDS time (YYYY-MM-DDThh:mm:ss.sss)", path=path, line=line
        )
    year, month, day, ordinal, hour, minute, seconds = match.groups()
    try:
        if ordinal is not None:
            base = datetime(int(year), 1, 1, tzinfo=UTC) + timedelta(days=int(ordinal) - 1)
        else:
            base = datetime(int(year), int(month), int(day), tzinfo=UTC)
        return base + timedelta(hours=int(hour), minutes=int(minute), seconds=float(seconds))
    except ValueError as exc:
        raise InputError(f"{key} = {value!r}: {exc}", path=path, line=line) from None
