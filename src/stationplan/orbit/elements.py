"""Element sets: parse and validate TLE, 3LE and CCSDS OMM into a :class:`Catalog`.

SGP4 itself is python-sgp4 (``sgp4.api.Satrec``, a wrapper of Vallado's official
C++ SGP4, "Revisiting Spacetrack Report #3", AIAA 2006-6753). TLE lines go to
``Satrec.twoline2rv``; OMM fields go to ``sgp4.omm.initialize``. This module only
decides which records are well formed and says, with file and line, why the others
are not. A bad record is skipped and kept as a :class:`SkippedRecord`; a source
that yields no element set at all raises :class:`~stationplan.errors.InputError`.

Two-line element format: CelesTrak, "FAQs: Two-Line Element Set Format"
(T.S. Kelso) and the Space-Track "Basic Description of the Two Line Element
Format"; Alpha-5 catalog numbers per Space-Track (first character A-Z without I
and O stands for 10..33, so 'A0001' is 100001 and 'Z9999' is 339999).
OMM: CCSDS 502.0-B-3 "Orbit Data Messages" (KVN, XML) and the CelesTrak /
Space-Track JSON and CSV renderings of the same keywords.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import xml.etree.ElementTree as ET
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
from sgp4 import omm as sgp4_omm
from sgp4.alpha5 import from_alpha5
from sgp4.api import SGP4_ERRORS, Satrec, SatrecArray

from stationplan.errors import InputError
from stationplan.orbit.timescale import epoch_jd, jd_to_datetime

__all__ = [
    "Catalog",
    "CatalogSummary",
    "ElementSet",
    "SkippedRecord",
    "load_catalog",
    "parse_omm_text",
    "parse_tle_lines",
    "parse_tle_text",
]

_TWO_PI = 2.0 * math.pi
_MIN_PER_DAY = 1440.0


# ----------------------------------------------------------------------------
# Records
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ElementSet:
    """One mean element set of one object, ready for SGP4.

    ``norad_id`` is the decoded catalog number (Alpha-5 'A0001' -> 100001).
    ``source`` is ``"<path>:<line>"`` of the record's first element line
    (TLE line 1, or the line where the OMM record starts).
    """

    norad_id: int
    name: str
    satrec: Satrec
    source: str

    @property
    def epoch_jd(self) -> float:
        """Epoch as a UTC Julian date (days); ``jdsatepoch + jdsatepochF``."""
        return epoch_jd(self.satrec)

    @property
    def epoch_utc(self) -> datetime:
        """Epoch as a timezone-aware UTC datetime (microsecond resolution)."""
        return jd_to_datetime(self.satrec.jdsatepoch, self.satrec.jdsatepochF)

    @property
    def mean_motion_rev_per_day(self) -> float:
        """Kozai mean motion as written in the TLE/OMM, revolutions per day."""
        return self.satrec.no_kozai * _MIN_PER_DAY / _TWO_PI

    @property
    def inclination_deg(self) -> float:
        """Mean inclination at epoch, degrees (TEME)."""
        return math.degrees(self.satrec.inclo)

    @property
    def raan_deg(self) -> float:
        """Mean right ascension of the ascending node at epoch, degrees (TEME)."""
        return math.degrees(self.satrec.nodeo)

    @property
    def eccentricity(self) -> float:
        """Mean eccentricity at epoch (dimensionless)."""
        return self.satrec.ecco

    @property
    def period_min(self) -> float:
        """Period from the TLE (Kozai) mean motion, minutes: 1440 / n[rev/day]."""
        return _TWO_PI / self.satrec.no_kozai


@dataclass(frozen=True)
class SkippedRecord:
    """A record that was not loaded: where it is and why, in one sentence.

    ``kind`` is a short category ("checksum", "line length", ...) used to group
    reasons in :meth:`Catalog.summary`.
    """

    path: str
    line: int
    reason: str
    kind: str = "other"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


@dataclass(frozen=True)
class CatalogSummary:
    """Counts and epoch span of a catalog.

    ``n_records`` counts every record seen (loaded + skipped); ``n_objects``
    counts distinct NORAD ids among the loaded ones. ``skipped_reasons`` is
    ``((kind, count), ...)``, most frequent first.
    """

    n_records: int
    n_objects: int
    n_skipped: int
    epoch_min_utc: datetime
    epoch_median_utc: datetime
    epoch_max_utc: datetime
    skipped_reasons: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Catalog:
    """Element sets loaded from one source, plus the records that were skipped."""

    elements: tuple[ElementSet, ...]
    skipped: tuple[SkippedRecord, ...]
    source: str

    def __len__(self) -> int:
        return len(self.elements)

    def __iter__(self) -> Iterator[ElementSet]:
        return iter(self.elements)

    @cached_property
    def _by_id(self) -> dict[int, list[ElementSet]]:
        # Stable sort: equal epochs keep file order, so "latest" prefers the later line.
        by_id: dict[int, list[ElementSet]] = {}
        for element in self.elements:
            by_id.setdefault(element.norad_id, []).append(element)
        for history in by_id.values():
            history.sort(key=lambda e: e.epoch_jd)
        return by_id

    def norad_ids(self) -> list[int]:
        """Distinct NORAD ids in order of first appearance in the source."""
        return list(self._by_id)

    def history(self, norad_id: int) -> list[ElementSet]:
        """All element sets of ``norad_id``, oldest epoch first.

        Raises InputError naming the source and the id if the object is absent.
        """
        try:
            return list(self._by_id[norad_id])
        except KeyError:
            raise InputError(
                f"NORAD {norad_id} is not in this catalog ({len(self._by_id)} objects)",
                path=self.source,
            ) from None

    def nearest(self, norad_id: int, jd: float) -> ElementSet:
        """Element set of ``norad_id`` whose epoch is nearest the UTC Julian date ``jd``."""
        history = self.history(norad_id)
        epochs = [e.epoch_jd for e in history]
        i = bisect_left(epochs, jd)
        if i == 0:
            return history[0]
        if i == len(history):
            return history[-1]
        return history[i] if epochs[i] - jd < jd - epochs[i - 1] else history[i - 1]

    def latest(self) -> dict[int, ElementSet]:
        """Newest element set per object, keyed by NORAD id (first-appearance order)."""
        return {norad_id: history[-1] for norad_id, history in self._by_id.items()}

    def satrec_array(self) -> tuple[SatrecArray, np.ndarray]:
        """``(SatrecArray of the latest set per object, int64 NORAD ids)``, ascending id.

        Row ``k`` of ``SatrecArray.sgp4(jd, fr)`` belongs to ``norad_ids[k]``.
        """
        latest = self.latest()
        ids = sorted(latest)
        return SatrecArray([latest[i].satrec for i in ids]), np.array(ids, dtype=np.int64)

    def summary(self) -> CatalogSummary:
        """Record counts, epoch span (UTC) and skipped reasons grouped by kind."""
        if not self.elements:
            raise InputError("catalog holds no element sets", path=self.source)
        epochs = np.array([e.epoch_jd for e in self.elements])
        kinds = Counter(s.kind for s in self.skipped)
        return CatalogSummary(
            n_records=len(self.elements) + len(self.skipped),
            n_objects=len(self._by_id),
            n_skipped=len(self.skipped),
            epoch_min_utc=jd_to_datetime(float(epochs.min())),
            epoch_median_utc=jd_to_datetime(float(np.median(epochs))),
            epoch_max_utc=jd_to_datetime(float(epochs.max())),
            skipped_reasons=tuple(kinds.most_common()),
        )


# ----------------------------------------------------------------------------
# TLE column format
# ----------------------------------------------------------------------------


def _right_aligned_int(width: int) -> str:
    """Regex for an unsigned integer right-aligned in ``width`` columns (space- or zero-padded)."""
    return (
        "(?:"
        + "|".join(f" {{{width - k}}}\\d{{{k}}}" for k in range(1, width))
        + f"|\\d{{{width}}})"
    )


_CATNUM = f"(?:{_right_aligned_int(5)}|[A-HJ-NP-Z]\\d{{4}})"
_EXPONENT = r"[ +-]\d{5}[+-]\d"  # implied leading decimal point: ' 11018-2' = 0.11018e-2
_ANGLE = r"(?:  \d| \d\d|\d{3})\.\d{4}"

# (name, first column, last column (1-based, inclusive), regex, what is expected)
_FieldSpec = tuple[str, int, int, str, str]
_LINE1_FIELDS: tuple[_FieldSpec, ...] = (
    ("line number", 1, 1, "1", "'1'"),
    ("separator", 2, 2, " ", "a space"),
    ("catalog number", 3, 7, _CATNUM, "5 digits or Alpha-5 (letter without I/O + 4 digits)"),
    ("classification", 8, 8, "[A-Z ]", "a letter (U, C or S)"),
    ("separator", 9, 9, " ", "a space"),
    ("international designator", 10, 17, "[0-9A-Z ]{8}", "YYNNNPPP (digits, letters, spaces)"),
    ("separator", 18, 18, " ", "a space"),
    ("epoch", 19, 32, r"\d{5}\.\d{8}", "YYDDD.DDDDDDDD"),
    ("separator", 33, 33, " ", "a space"),
    ("mean motion first derivative", 34, 43, r"[ +-]\.\d{8}", "sign, point, 8 digits"),
    ("separator", 44, 44, " ", "a space"),
    ("mean motion second derivative", 45, 52, _EXPONENT, "sign, 5 digits, signed exponent digit"),
    ("separator", 53, 53, " ", "a space"),
    ("BSTAR", 54, 61, _EXPONENT, "sign, 5 digits, signed exponent digit"),
    ("separator", 62, 62, " ", "a space"),
    ("ephemeris type", 63, 63, r"[\d ]", "a digit"),
    ("separator", 64, 64, " ", "a space"),
    ("element set number", 65, 68, _right_aligned_int(4), "up to 4 right-aligned digits"),
    ("checksum", 69, 69, r"\d", "a digit"),
)
_LINE2_FIELDS: tuple[_FieldSpec, ...] = (
    ("line number", 1, 1, "2", "'2'"),
    ("separator", 2, 2, " ", "a space"),
    ("catalog number", 3, 7, _CATNUM, "5 digits or Alpha-5 (letter without I/O + 4 digits)"),
    ("separator", 8, 8, " ", "a space"),
    ("inclination", 9, 16, _ANGLE, "DDD.DDDD degrees"),
    ("separator", 17, 17, " ", "a space"),
    ("right ascension of the node", 18, 25, _ANGLE, "DDD.DDDD degrees"),
    ("separator", 26, 26, " ", "a space"),
    ("eccentricity", 27, 33, r"\d{7}", "7 digits (implied leading decimal point)"),
    ("separator", 34, 34, " ", "a space"),
    ("argument of perigee", 35, 42, _ANGLE, "DDD.DDDD degrees"),
    ("separator", 43, 43, " ", "a space"),
    ("mean anomaly", 44, 51, _ANGLE, "DDD.DDDD degrees"),
    ("separator", 52, 52, " ", "a space"),
    ("mean motion", 53, 63, r"(?: \d|\d\d)\.\d{8}", "DD.DDDDDDDD revolutions per day"),
    ("revolution number", 64, 68, _right_aligned_int(5), "up to 5 right-aligned digits"),
    ("checksum", 69, 69, r"\d", "a digit"),
)


def _line_regex(fields: tuple[_FieldSpec, ...]) -> re.Pattern[str]:
    # re.ASCII: '\d' must not accept non-ASCII digits (the checksum sums ASCII bytes)
    return re.compile("".join(f"(?:{pattern})" for _, _, _, pattern, _ in fields), re.ASCII)


_LINE1_RE = _line_regex(_LINE1_FIELDS)
_LINE2_RE = _line_regex(_LINE2_FIELDS)
_FIELD_RES = {
    which: [(name, a, b, re.compile(p, re.ASCII), want) for name, a, b, p, want in fields]
    for which, fields in ((1, _LINE1_FIELDS), (2, _LINE2_FIELDS))
}

# Checksum (mod 10 of the digits in columns 1-68, '-' counts 1, all else 0): keep
# digits, turn '-' into '1', drop every other ASCII character, then sum the bytes.
_CHECKSUM_TABLE = str.maketrans(
    {"-": "1"} | {chr(c): None for c in range(128) if not chr(c).isdigit() and chr(c) != "-"}
)


def _checksum(line: str) -> int:
    """TLE checksum of columns 1-68 (Space-Track definition); ASCII lines only."""
    digits = line[:68].translate(_CHECKSUM_TABLE)
    return (sum(digits.encode("ascii")) - 48 * len(digits)) % 10


def _format_problem(line: str, which: int) -> str:
    """Name the first column field of an (already 69-character) TLE line that is malformed."""
    for name, first, last, pattern, want in _FIELD_RES[which]:
        text = line[first - 1 : last]
        if not pattern.fullmatch(text):
            cols = f"column {first}" if first == last else f"columns {first}-{last}"
            return f"line {which} {cols} ({name}) is {text!r}, expected {want}"
    return f"line {which} does not match the TLE column format"


def _decode_catnum(text: str) -> int:
    """Catalog number from 5 columns: zero/space padded digits or Alpha-5."""
    return from_alpha5(text.strip()) if text[0].isalpha() else int(text)


def _is_line2(line: str) -> bool:
    return line[:2] == "2 " or line == "2"


class _RecordError(Exception):
    """A record-level problem: becomes a SkippedRecord (never leaves this module)."""

    def __init__(self, reason: str, kind: str, line_offset: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind
        self.line_offset = line_offset  # 0: first element line, 1: second


def _tle_satrec(line1: str, line2: str) -> Satrec:
    """Validate two stripped TLE lines and return the initialised Satrec, or raise _RecordError."""
    for offset, (line, which) in enumerate(((line1, 1), (line2, 2))):
        if "\ufffd" in line:
            raise _RecordError(f"line {which} has bytes that are not UTF-8", "not UTF-8", offset)
        if len(line) != 69:
            raise _RecordError(
                f"line {which} has {len(line)} characters, expected 69", "line length", offset
            )
    for offset, (line, which, regex) in enumerate(((line1, 1, _LINE1_RE), (line2, 2, _LINE2_RE))):
        if not regex.fullmatch(line):
            raise _RecordError(_format_problem(line, which), "column format", offset)
    for offset, (line, which) in enumerate(((line1, 1), (line2, 2))):
        expected = _checksum(line)
        if ord(line[68]) - 48 != expected:
            raise _RecordError(
                f"line {which} checksum is {line[68]}, expected {expected}", "checksum", offset
            )
    if line1[2:7] != line2[2:7] and _decode_catnum(line1[2:7]) != _decode_catnum(line2[2:7]):
        raise _RecordError(
            f"catalog numbers differ: line 1 has {line1[2:7].strip()!r}, "
            f"line 2 has {line2[2:7].strip()!r}",
            "catalog number mismatch",
        )
    day = float(line1[20:32])
    if not 1.0 <= day < 367.0:
        raise _RecordError(f"epoch day of year is {day}, expected 1 to 366.99999999", "epoch")
    try:
        satrec = Satrec.twoline2rv(line1, line2)
    except (ValueError, RuntimeError) as exc:  # regex-valid lines should never get here
        raise _RecordError(f"SGP4 could not read the lines: {exc}", "SGP4 initialisation") from None
    return _check_satrec(satrec)


def _check_satrec(satrec: Satrec) -> Satrec:
    """Physical sanity of an initialised Satrec (shared by TLE and OMM); raise _RecordError."""
    if not satrec.no_kozai > 0.0:
        raise _RecordError("mean motion is not positive", "mean motion", 1)
    if not 0.0 <= satrec.ecco < 1.0:
        raise _RecordError(f"eccentricity is {satrec.ecco}, expected 0 <= e < 1", "eccentricity", 1)
    if not 0.0 <= satrec.inclo <= math.pi:
        raise _RecordError(
            f"inclination is {math.degrees(satrec.inclo):.4f} deg, expected 0 to 180",
            "inclination",
            1,
        )
    if satrec.error:
        message = SGP4_ERRORS.get(satrec.error, "unknown error")
        raise _RecordError(
            f"SGP4 initialisation failed with error {satrec.error} ({message})",
            "SGP4 initialisation",
        )
    return satrec


def parse_tle_lines(line1: str, line2: str, name: str = "", source: str = "<string>") -> ElementSet:
    """One TLE (two lines, trailing whitespace/CR ignored) -> ElementSet.

    Raises InputError (with ``source``) naming the first problem found: line
    length, column format, checksum, catalog numbers, epoch, SGP4 initialisation.
    """
    line1, line2 = line1.rstrip(), line2.rstrip()
    try:
        satrec = _tle_satrec(line1, line2)
    except _RecordError as problem:
        raise InputError(problem.reason, path=source) from None
    name = name.strip()
    if name[:2] == "0 ":
        name = name[2:].strip()
    return ElementSet(satrec.satnum, name, satrec, source)


# ----------------------------------------------------------------------------
# TLE / 3LE text
# ----------------------------------------------------------------------------


def _skip_lonely_name(skip: Callable[[int, str, str], None], index: int, name: str) -> None:
    """Report a line that is neither a TLE line nor followed by one."""
    if "\ufffd" in name:
        skip(index, f"name line {name!r} has bytes that are not UTF-8", "not UTF-8")
    elif not name.isprintable():
        skip(index, "line is not text (control characters)", "not text")
    elif len(name) > 80:
        skip(index, f"line has {len(name)} characters and is not a TLE line", "not text")
    else:
        skip(index, f"name line {name!r} is not followed by element lines", "orphan line")


def parse_tle_text(text: str, source: str = "<string>") -> Catalog:
    """TLE or 3LE text (name lines with or without the '0 ' prefix) -> Catalog.

    Lines may end in CRLF and carry trailing spaces; blank lines and lines
    starting with '#' are ignored. Raises InputError if no element set is valid.
    """
    lines = text.lstrip("\ufeff").split("\n")
    n_lines = len(lines)
    elements: list[ElementSet] = []
    skipped: list[SkippedRecord] = []
    append_element = elements.append
    tle_satrec = _tle_satrec

    def skip(index: int, reason: str, kind: str) -> None:
        skipped.append(SkippedRecord(source, index + 1, reason, kind))

    name = ""
    name_index = -1
    i = 0
    while i < n_lines:
        line = lines[i].rstrip()
        if not line or line[0] == "#":
            i += 1
            continue
        head = line[:2]
        if head == "1 " or line == "1":
            j = i + 1
            while j < n_lines and not lines[j].strip():
                j += 1
            line2 = lines[j].rstrip() if j < n_lines else ""
            if not _is_line2(line2):
                skip(i, "line 1 is not followed by a line 2 (truncated record)", "orphan line")
                name, name_index, i = "", -1, i + 1
                continue
            if "\ufffd" in name:
                skip(name_index, f"name line {name!r} has bytes that are not UTF-8", "not UTF-8")
            else:
                try:
                    satrec = tle_satrec(line, line2)
                except _RecordError as problem:
                    skip((i, j)[problem.line_offset], problem.reason, problem.kind)
                else:
                    if name[:2] == "0 ":
                        name = name[2:].lstrip()
                    append_element(ElementSet(satrec.satnum, name, satrec, f"{source}:{i + 1}"))
            name, name_index, i = "", -1, j + 1
        elif head == "2 " or line == "2":
            skip(i, "line 2 without a preceding line 1", "orphan line")
            name, name_index, i = "", -1, i + 1
        else:
            if name_index >= 0:
                _skip_lonely_name(skip, name_index, name)
            name, name_index, i = line, i, i + 1
    if name_index >= 0:
        _skip_lonely_name(skip, name_index, name)
    return _finish(elements, skipped, source, "TLE")


def _finish(
    elements: list[ElementSet], skipped: list[SkippedRecord], source: str, what: str
) -> Catalog:
    if not elements:
        if skipped:
            first = skipped[0]
            raise InputError(f"no element sets found: {first.reason}", path=source, line=first.line)
        raise InputError(f"no element sets found: no {what} records in the text", path=source)
    return Catalog(tuple(elements), tuple(skipped), source)


# ----------------------------------------------------------------------------
# OMM (KVN, XML, JSON, CSV)
# ----------------------------------------------------------------------------

_OMM_REQUIRED = (
    "NORAD_CAT_ID",
    "EPOCH",
    "MEAN_MOTION",
    "ECCENTRICITY",
    "INCLINATION",
    "RA_OF_ASC_NODE",
    "ARG_OF_PERICENTER",
    "MEAN_ANOMALY",
    "BSTAR",
)
# Optional TLE-parameter keywords and the values a TLE would carry when absent.
_OMM_DEFAULTS = {
    "OBJECT_NAME": "",
    "OBJECT_ID": "",
    "CLASSIFICATION_TYPE": "U",
    "EPHEMERIS_TYPE": "0",
    "ELEMENT_SET_NO": "999",
    "REV_AT_EPOCH": "0",
    "MEAN_MOTION_DOT": "0",
    "MEAN_MOTION_DDOT": "0",
}
_OMM_FLOATS = (
    "MEAN_MOTION",
    "ECCENTRICITY",
    "INCLINATION",
    "RA_OF_ASC_NODE",
    "ARG_OF_PERICENTER",
    "MEAN_ANOMALY",
    "BSTAR",
    "MEAN_MOTION_DOT",
    "MEAN_MOTION_DDOT",
)
# Integer keywords and their plausible ranges. NORAD_CAT_ID: Alpha-5 limit (Space-Track);
# EPHEMERIS_TYPE and ELEMENT_SET_NO: the widths of their TLE columns (63; 65-68) that an OMM
# for SGP4 must fit (CelesTrak, "FAQs: Two-Line Element Set Format"); REV_AT_EPOCH: a
# revolution count below 10 million (more than 1,600 years of a 16-rev/day orbit).
_OMM_INTS = {
    "NORAD_CAT_ID": (0, 339999, "0 to 339999 (Alpha-5 limit)"),
    "EPHEMERIS_TYPE": (0, 9, "0 to 9 (one TLE column)"),
    "ELEMENT_SET_NO": (0, 9999, "0 to 9999 (four TLE columns)"),
    "REV_AT_EPOCH": (0, 9_999_999, "0 to 9999999"),
}
# Plausible epochs: the years a TLE's two-digit year can name, 1957 (Sputnik 1) to 2056
# (CelesTrak, "FAQs: Two-Line Element Set Format"); anything else is a typo or a test value.
_EPOCH_YEARS = (1957, 2056)
_INT_RE = re.compile(r"[+-]?\d{1,30}", re.ASCII)
# CCSDS 502.0-B-3 sec. 7.5.10: calendar or day-of-year form, optional 'Z'.
_EPOCH_RE = re.compile(
    r"(\d{4})-(?:(\d{2})-(\d{2})|(\d{3}))T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?Z?", re.ASCII
)
_KVN_UNITS_RE = re.compile(r"\s*\[[^\]]*\]\s*$")


def _omm_epoch(text: str) -> str:
    """CCSDS epoch -> 'YYYY-MM-DDTHH:MM:SS.ffffff' (what sgp4.omm.initialize parses)."""
    match = _EPOCH_RE.fullmatch(text.strip())
    if not match:
        raise _RecordError(
            f"EPOCH is {text!r}, expected YYYY-MM-DDThh:mm:ss[.d] (UTC)", "OMM field"
        )
    year, month, day, doy, hh, mm, ss, frac = match.groups()
    if not _EPOCH_YEARS[0] <= int(year) <= _EPOCH_YEARS[1]:
        raise _RecordError(
            f"EPOCH is {text!r}: year {year} lies outside {_EPOCH_YEARS[0]}-{_EPOCH_YEARS[1]} "
            "(the years a two-line element set can name)",
            "epoch",
        )
    try:
        if doy is not None:
            base = datetime(int(year), 1, 1) + timedelta(days=int(doy) - 1)
            if base.year != int(year) or int(doy) < 1:
                raise ValueError("day of year out of range")
        else:
            base = datetime(int(year), int(month), int(day))
        if int(hh) > 23 or int(mm) > 59 or int(ss) > 60:
            raise ValueError("time of day out of range")
    except ValueError as exc:
        raise _RecordError(f"EPOCH is {text!r}: {exc}", "OMM field") from None
    seconds = int(hh) * 3600 + int(mm) * 60 + int(ss) + float("0." + (frac or "0"))
    # Rounded to 1 microsecond (the resolution sgp4.omm.initialize reads): < 1 cm along track.
    epoch = base + timedelta(microseconds=round(seconds * 1e6))
    return epoch.strftime("%Y-%m-%dT%H:%M:%S.%f")


def _omm_element(raw: Mapping[str, Any], source: str) -> ElementSet:
    """OMM keyword -> value mapping (strings or numbers) -> ElementSet, or raise _RecordError."""
    fields: dict[str, str] = {}
    for key, value in raw.items():
        if value is None:
            continue
        key = str(key).strip().upper()
        text = str(value).strip()
        if text:
            fields[key] = text
    missing = [key for key in _OMM_REQUIRED if key not in fields]
    if missing:
        raise _RecordError(f"OMM record lacks {', '.join(missing)}", "OMM field")
    for key, default in _OMM_DEFAULTS.items():
        fields.setdefault(key, default)
    for key in _OMM_FLOATS:
        try:
            value = float(fields[key])
        except ValueError:
            raise _RecordError(
                f"{key} is {fields[key]!r}, expected a number", "OMM field"
            ) from None
        if not math.isfinite(value):
            raise _RecordError(f"{key} is {fields[key]!r}, expected a finite number", "OMM field")
    for key, (low, high, expected) in _OMM_INTS.items():
        # The regex bounds the digits first: int() of a 5,000-digit string raises, and a
        # huge value overflows the C long that SGP4 stores.
        text = fields[key]
        if not _INT_RE.fullmatch(text):
            shown = text if len(text) <= 40 else f"{text[:20]}…({len(text)} characters)"
            raise _RecordError(f"{key} is {shown!r}, expected an integer {expected}", "OMM field")
        if not low <= int(text) <= high:
            raise _RecordError(f"{key} is {text}, expected {expected}", "OMM field")
        fields[key] = str(int(text))
    if not float(fields["MEAN_MOTION"]) > 0.0:
        raise _RecordError(f"MEAN_MOTION is {fields['MEAN_MOTION']}, expected > 0", "mean motion")
    if not 0.0 <= float(fields["ECCENTRICITY"]) < 1.0:
        raise _RecordError(
            f"ECCENTRICITY is {fields['ECCENTRICITY']}, expected 0 <= e < 1", "eccentricity"
        )
    if not re.fullmatch("[A-Z]", fields["CLASSIFICATION_TYPE"]):
        raise _RecordError(
            f"CLASSIFICATION_TYPE is {fields['CLASSIFICATION_TYPE']!r}, expected one letter (U)",
            "OMM field",
        )
    fields["EPOCH"] = _omm_epoch(fields["EPOCH"])
    satrec = Satrec()
    try:
        sgp4_omm.initialize(satrec, fields)
    except (ValueError, TypeError, RuntimeError) as exc:
        raise _RecordError(
            f"SGP4 could not use the OMM fields: {exc}", "SGP4 initialisation"
        ) from None
    _check_satrec(satrec)
    return ElementSet(int(fields["NORAD_CAT_ID"]), fields["OBJECT_NAME"], satrec, source)


def _omm_records(
    records: Iterator[tuple[int, Mapping[str, Any] | None, str | None]], source: str
) -> tuple[list[ElementSet], list[SkippedRecord]]:
    """(line, fields or None, problem or None) records -> elements and skipped records."""
    elements: list[ElementSet] = []
    skipped: list[SkippedRecord] = []
    for line, fields, problem in records:
        if fields is None:
            skipped.append(
                SkippedRecord(source, line, problem or "unreadable record", "OMM syntax")
            )
            continue
        try:
            elements.append(_omm_element(fields, f"{source}:{line}"))
        except _RecordError as exc:
            skipped.append(SkippedRecord(source, line, exc.reason, exc.kind))
    return elements, skipped


def _kvn_records(text: str) -> Iterator[tuple[int, Mapping[str, Any] | None, str | None]]:
    """KVN OMM: 'KEY = value [unit]' lines; each CCSDS_OMM_VERS line starts a message."""
    fields: dict[str, str] = {}
    start = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line or line.startswith("COMMENT") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key = key.strip().upper()
        if key == "CCSDS_OMM_VERS" and fields:
            yield start, fields, None
            fields = {}
        if not fields:
            start = number
        fields[key] = _KVN_UNITS_RE.sub("", value).strip()
    if fields:
        yield start, fields, None


_XML_DECLARATION_RE = re.compile(r"\A\s*<\?xml\b[^>]*\?>")


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _xml_records(text: str) -> Iterator[tuple[int, Mapping[str, Any] | None, str | None]]:
    """XML OMM (NDM/OMM schema): one record per <segment>.

    Written here rather than with ``sgp4.omm.parse_xml`` because that one
    ignores namespaced documents, fails with TypeError on a segment without
    <tleParameters>, and gives no line numbers.
    """
    # The text is already decoded: drop the declaration (its encoding= would be
    # re-applied to our UTF-8 bytes), keeping its newlines so line numbers hold.
    body = _XML_DECLARATION_RE.sub(lambda m: "\n" * m.group().count("\n"), text, count=1)
    try:
        root = ET.fromstring(body.encode("utf-8"))
    except ET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else 1
        yield line, None, f"XML is not well formed: {exc}"
        return
    starts = [text.count("\n", 0, m.start()) + 1 for m in re.finditer(r"<(?:\w+:)?segment\b", text)]
    segments = [el for el in root.iter() if _local(el.tag) == "segment"]
    if _local(root.tag) == "segment":
        segments = [root]
    for k, segment in enumerate(segments):
        line = starts[k] if k < len(starts) else 1
        fields: dict[str, str] = {}
        for part in segment:
            if _local(part.tag) not in ("metadata", "data"):
                continue
            for child in part:
                children = list(child)
                if children and _local(child.tag) in ("meanElements", "tleParameters"):
                    for leaf in children:
                        fields[_local(leaf.tag)] = (leaf.text or "").strip()
                elif not children:
                    fields[_local(child.tag)] = (child.text or "").strip()
        yield line, fields, None


def _json_records(text: str) -> Iterator[tuple[int, Mapping[str, Any] | None, str | None]]:
    """JSON OMM: one object or a list of objects (CelesTrak / Space-Track keywords)."""
    decoder = json.JSONDecoder()
    ws = re.compile(r"\s*")
    pos = ws.match(text).end()  # type: ignore[union-attr]

    def line_of(index: int) -> int:
        return text.count("\n", 0, index) + 1

    def item(index: int, value: Any) -> tuple[int, Mapping[str, Any] | None, str | None]:
        if isinstance(value, dict):
            return line_of(index), value, None
        return line_of(index), None, f"JSON item is {type(value).__name__}, expected an object"

    try:
        if text.startswith("[", pos):
            pos = ws.match(text, pos + 1).end()  # type: ignore[union-attr]
            if text.startswith("]", pos):
                return
            while True:
                value, end = decoder.raw_decode(text, pos)
                yield item(pos, value)
                pos = ws.match(text, end).end()  # type: ignore[union-attr]
                if text.startswith("]", pos):
                    return
                if not text.startswith(",", pos):
                    raise json.JSONDecodeError("expected ',' or ']'", text, pos)
                pos = ws.match(text, pos + 1).end()  # type: ignore[union-attr]
        else:
            value, _ = decoder.raw_decode(text, pos)
            yield item(pos, value)
    except json.JSONDecodeError as exc:
        yield exc.lineno, None, f"JSON syntax error ({exc.msg}); the rest of the text was not read"
    except RecursionError:
        yield line_of(pos), None, "JSON nested too deeply; the rest of the text was not read"
    except ValueError as exc:  # an integer beyond Python's digit limit (sys.int_info)
        yield (
            line_of(pos),
            None,
            f"JSON value not readable ({exc}); the rest of the text was not read",
        )


def _csv_records(text: str) -> Iterator[tuple[int, Mapping[str, Any] | None, str | None]]:
    """CSV OMM (CelesTrak GP CSV): header row of OMM keywords, one record per row."""
    reader = sgp4_omm.parse_csv(io.StringIO(text, newline=""))
    start = 2
    try:
        for row in reader:
            if any(v for k, v in row.items() if k is not None):
                yield start, row, None
            start = reader.line_num + 1
    except csv.Error as exc:
        yield reader.line_num, None, f"CSV syntax error ({exc}); the rest of the text was not read"


_KVN_HINT_RE = re.compile(
    r"^\s*(CCSDS_OMM_VERS|OBJECT_NAME|NORAD_CAT_ID|MEAN_MOTION|EPOCH)\s*=", re.MULTILINE
)


def _detect(text: str) -> str:
    """'xml', 'json', 'kvn', 'csv' or 'tle' from the first characters of the text."""
    head = text.lstrip("\ufeff \t\r\n")
    # A TLE pair among the first lines wins, so a 3LE whose first name starts
    # with '[' or '<' is still read as TLE.
    first_lines = [s for s in head[:1000].split("\n", 6)[:6] if s.strip()]
    if any(a[:2] == "1 " and b[:2] == "2 " for a, b in pairwise(first_lines)):
        return "tle"
    if head.startswith("<"):
        return "xml"
    if head[:1] in ("[", "{"):
        return "json"
    first = head[:4000]
    if _KVN_HINT_RE.search(first):
        return "kvn"
    first_line = first.split("\n", 1)[0]
    if "NORAD_CAT_ID" in first_line and "," in first_line:
        return "csv"
    return "tle"


def parse_omm_text(text: str, source: str = "<string>") -> Catalog:
    """CCSDS OMM text (KVN, XML, JSON list/object, or CelesTrak CSV) -> Catalog.

    The encoding is detected from the content. Each record is mapped to the
    OMM keywords of CCSDS 502.0-B-3 and initialised with
    ``sgp4.omm.initialize`` (WGS72, SGP4 'improved' mode, as for TLEs).
    Raises InputError if no record is valid.
    """
    kind = _detect(text)
    readers = {"xml": _xml_records, "json": _json_records, "csv": _csv_records}
    records = readers.get(kind, _kvn_records)(text.lstrip("\ufeff"))
    elements, skipped = _omm_records(records, source)
    return _finish(elements, skipped, source, "OMM")


# ----------------------------------------------------------------------------
# Files
# ----------------------------------------------------------------------------


def load_catalog(path: str | Path) -> Catalog:
    """Read a TLE/3LE or OMM (KVN/XML/JSON/CSV) file -> Catalog; format from the content.

    Raises InputError for a missing or unreadable file, a binary file (NUL
    bytes), or a file without a single valid element set. Bytes that are not
    UTF-8 are replaced and the records holding them are skipped with a reason.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", path=path) from None
    except IsADirectoryError:
        raise InputError("is a directory, expected an element set file", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", path=path) from None
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise InputError(
            "binary file (NUL byte), expected TLE/3LE or CCSDS OMM text", path=path, line=line
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
    if not text.strip():
        raise InputError("no element sets found: the file is empty", path=path)
    if _detect(text) == "tle":
        return parse_tle_text(text, str(path))
    return parse_omm_text(text, str(path))
