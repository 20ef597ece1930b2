"""Generated inputs for every reader and command, and how to judge what each one did.

Used by ``tests/test_fuzz.py`` (a short seeded run inside ``make test``) and by
``scripts/fuzz.py`` (``make fuzz``: >= 10,000 cases with counts). Each :class:`Target` pairs
a Hypothesis strategy of inputs with a function that runs one input and returns an
:class:`Outcome`. The property (issue 14): any input ends in a result, a user error
(``InputError``, exit 1) or a well-defined refusal (exit 2 infeasible, 4 time limit) —
never another exception, a traceback, exit 3 or a hang.

Inputs start from real files of the repository (bundled element sets, the screening
fixture, the example campaign, the bundled CSS station) and are then mutated: fields
replaced by hostile values (huge integers, NaN, infinities, end-of-calendar dates, text in
number fields), keys dropped, characters flipped, bytes that are not UTF-8, deep nesting.
"""

from __future__ import annotations

import contextlib
import io
import json
import signal
import sys
import tempfile
import tomllib
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from hypothesis import strategies as st

from stationplan.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "stationplan" / "data"
CSS_2022 = DATA / "elements" / "css-2022.tle"
STATIONS_TLE = DATA / "stations.tle"
SMALL_3LE = ROOT / "tests" / "data" / "screening" / "small.3le"
BAD_CHECKSUM = ROOT / "tests" / "data" / "elements" / "one_bad_checksum.tle"
CAMPAIGN = ROOT / "examples" / "tiangong-2022.toml"
STATION = DATA / "stations" / "css.toml"

#: Seconds one case may take before it counts as a hang (a valid plan takes ~3 s).
HANG_S = 60.0

#: A scratch folder for generated files, removed when the interpreter exits.
_SCRATCH = tempfile.TemporaryDirectory(prefix="stationplan-fuzz-")
SCRATCH = Path(_SCRATCH.name)


# --- Outcomes ---------------------------------------------------------------------------------

#: Outcome kinds that break the property.
BAD = ("internal error", "traceback", "hang")


@dataclass(frozen=True)
class Outcome:
    """What one case did: ``kind`` is ok, user error, infeasible, time limit, or one of BAD."""

    kind: str
    detail: str = ""

    @property
    def bad(self) -> bool:
        return self.kind in BAD


class Hang(BaseException):
    """Raised by the alarm when a case runs past HANG_S (a BaseException: no handler eats it)."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`Hang` in the main thread after ``seconds`` (SIGALRM)."""

    def alarm(signum: int, frame: Any) -> None:
        raise Hang

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_library(call: Callable[[], Any]) -> Outcome:
    """A reader: a return value or an InputError are fine, anything else is not."""
    try:
        with time_limit(HANG_S):
            call()
    except InputError as exc:
        if "\n" in str(exc):
            return Outcome("internal error", f"InputError of several lines: {exc!r}")
        return Outcome("user error")
    except Hang:
        return Outcome("hang")
    except Exception:
        return Outcome("internal error", traceback.format_exc())
    return Outcome("ok")


_EXIT_KINDS = {0: "ok", 1: "user error", 2: "infeasible", 4: "time limit"}


def run_command(args: list[str]) -> Outcome:
    """``stationplan ARGS`` in-process (as tests/cli_runner.py), judged by exit code and stderr."""
    from stationplan.cli.app import main

    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    stderr = io.StringIO()
    saved = sys.argv, sys.stdout, sys.stderr
    sys.argv, sys.stdout, sys.stderr = ["stationplan", *args], stdout, stderr
    code: Any = 0
    try:
        with time_limit(HANG_S):
            main()
    except SystemExit as exc:
        code = exc.code
    except Hang:
        return Outcome("hang", " ".join(args))
    except BaseException:
        return Outcome("internal error", f"{' '.join(args)}\n{traceback.format_exc()}")
    finally:
        sys.argv, sys.stdout, sys.stderr = saved
    text = stderr.getvalue()
    if "Traceback (most recent call last)" in text:
        return Outcome("traceback", f"{' '.join(args)}\n{text}")
    kind = _EXIT_KINDS.get(code if isinstance(code, int) else -1, "internal error")
    if kind == "user error" and len(text.strip().split("\n")) > 1 and "Usage:" not in text:
        lines = [line for line in text.strip().split("\n") if "warning:" not in line]
        if len(lines) > 1:
            return Outcome(
                "internal error", f"{' '.join(args)}: user error of several lines\n{text}"
            )
    return Outcome(kind, f"{' '.join(args)}\n{text}" if kind == "internal error" else "")


# --- Hostile values ---------------------------------------------------------------------------

HOSTILE_NUMBERS = (
    "0",
    "-0",
    "1",
    "-1",
    "0.5",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "1e9",
    "1e308",
    "1e-300",
    "4e400",
    "9" * 30,
    "9" * 5000,
    "-" + "9" * 25,
    "0x10",
    "1_000",
    " 2 ",
    "2.0.0",
    "",
    "x",
    "١٢",  # Arabic-Indic digits
)
HOSTILE_TIMES = (
    "2022-11-10",
    "2022-11-12",
    "2022-11-10T00:00:00Z",
    "2022-11-29T15:08:17Z",
    "2022-11-29T15:08:17+08:00",
    "2024-07-05",
    "2024-07-05T12:00:00",
    "2032-11-09",
    "2022-02-30",
    "2022-13-01",
    "0001-01-01",
    "0001-01-01T00:00:00+05:00",
    "9999-12-31",
    "9999-12-31T23:59:59-05:00",
    "9999-12-31T23:59:60.5",
    "10000-01-01",
    "1900-01-01",
    "2022-11-10T25:00:00Z",
    "yesterday",
    "",
)


def hostile_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(HOSTILE_NUMBERS),
        st.sampled_from(HOSTILE_TIMES),
        st.text(max_size=30),
        st.text(alphabet="0123456789.+-eE ", max_size=25),
    )


# --- Text mutations ---------------------------------------------------------------------------


@st.composite
def mutated_text(draw: st.DrawFn, text: str, max_edits: int = 4) -> str:
    """``text`` with a few characters replaced, inserted or deleted, or cut short."""
    chars = list(text)
    for _ in range(draw(st.integers(0, max_edits))):
        if not chars:
            break
        i = draw(st.integers(0, len(chars) - 1))
        action = draw(st.sampled_from(("replace", "insert", "delete", "cut")))
        piece = draw(
            st.one_of(
                st.sampled_from(list("0123456789 -+.eEAZ\n\r\t\x00\ufffd\u00e9")),
                st.characters(),
            )
        )
        if action == "replace":
            chars[i] = piece
        elif action == "insert":
            chars.insert(i, piece)
        elif action == "delete":
            del chars[i]
        else:
            del chars[i:]
    return "".join(chars)


@st.composite
def mutated_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with a few bytes replaced (bytes that are not UTF-8 among them)."""
    buffer = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        if not buffer:
            break
        i = draw(st.integers(0, len(buffer) - 1))
        buffer[i] = draw(st.sampled_from((0x00, 0x80, 0xC3, 0xE9, 0xFF, 0x22, 0x5B, 0x0A)))
    return bytes(buffer)


def deep(open_: str, close: str, depth: int) -> str:
    return open_ * depth + close * depth


# --- Element sets: TLE / 3LE -------------------------------------------------------------------


def _tle_seed_records() -> list[str]:
    records = []
    for path in (CSS_2022, STATIONS_TLE, SMALL_3LE, BAD_CHECKSUM):
        lines = [line for line in path.read_text().splitlines() if not line.startswith("#")]
        for k in range(len(lines) - 2):
            if lines[k + 1].startswith("1 ") and lines[k + 2].startswith("2 "):
                records.append("\n".join(lines[k : k + 3]))
    return records


TLE_RECORDS = _tle_seed_records()


@st.composite
def tle_texts(draw: st.DrawFn) -> str:
    """A few real 3LE records (sometimes without names), mutated, joined in any order."""
    picked = draw(st.lists(st.sampled_from(TLE_RECORDS), min_size=1, max_size=4))
    records = [draw(mutated_text(r)) if draw(st.booleans()) else r for r in picked]
    if draw(st.booleans()):
        records = ["\n".join(r.splitlines()[1:]) for r in records]
    joiner = draw(st.sampled_from(("\n", "\r\n", "\n\n")))
    text = joiner.join(records)
    extra = draw(st.sampled_from(("", "\ufeff", "junk line\n", "1\n", "2\n", "# comment\n")))
    return extra + text if draw(st.booleans()) else text + "\n" + extra


# --- Element sets: CCSDS OMM in four encodings --------------------------------------------------

OMM_FIELDS = {
    "OBJECT_NAME": "ISS (ZARYA)",
    "OBJECT_ID": "1998-067A",
    "EPOCH": "2021-02-14T17:05:30.962",
    "MEAN_MOTION": "15.48961500",
    "ECCENTRICITY": ".0002861",
    "INCLINATION": "51.6428",
    "RA_OF_ASC_NODE": "228.4982",
    "ARG_OF_PERICENTER": "13.4307",
    "MEAN_ANOMALY": "72.7863",
    "EPHEMERIS_TYPE": "0",
    "CLASSIFICATION_TYPE": "U",
    "NORAD_CAT_ID": "25544",
    "ELEMENT_SET_NO": "999",
    "REV_AT_EPOCH": "26961",
    "BSTAR": ".14914E-4",
    "MEAN_MOTION_DOT": ".00000371",
    "MEAN_MOTION_DDOT": "0",
}


@st.composite
def omm_records(draw: st.DrawFn) -> dict[str, Any]:
    """The ISS record of tests/test_cli.py as OMM keywords, some values made hostile."""
    fields: dict[str, Any] = dict(OMM_FIELDS)
    for key in draw(st.lists(st.sampled_from(sorted(OMM_FIELDS)), max_size=4)):
        action = draw(st.sampled_from(("hostile", "drop", "number", "nested")))
        if action == "hostile":
            fields[key] = draw(hostile_text())
        elif action == "drop":
            fields.pop(key, None)
        elif action == "number":
            fields[key] = draw(
                st.one_of(st.integers(), st.floats(), st.integers(-(10**40), 10**40))
            )
        else:
            fields[key] = draw(st.sampled_from(([], {}, [1, 2], {"a": 1}, None, True)))
    return fields


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def omm_kvn(records: list[dict[str, Any]]) -> str:
    return "".join(
        "CCSDS_OMM_VERS = 2.0\n" + "".join(f"{k} = {_text(v)}\n" for k, v in r.items())
        for r in records
    )


def omm_xml(records: list[dict[str, Any]]) -> str:
    segments = "".join(
        "<segment><metadata>"
        + "".join(f"<{k}>{xml_escape(_text(v))}</{k}>" for k, v in r.items())
        + "</metadata></segment>"
        for r in records
    )
    return f'<?xml version="1.0"?>\n<ndm><omm><body>{segments}</body></omm></ndm>'


def omm_json(records: list[dict[str, Any]]) -> str:
    return json.dumps(records, ensure_ascii=False, default=str)


def omm_csv(records: list[dict[str, Any]]) -> str:
    keys = list(OMM_FIELDS)
    rows = [",".join(keys)]
    for r in records:
        rows.append(",".join(_text(r.get(k, "")).replace(",", ";") for k in keys))
    return "\n".join(rows) + "\n"


ENCODINGS = {"kvn": omm_kvn, "xml": omm_xml, "json": omm_json, "csv": omm_csv}


@st.composite
def omm_texts(draw: st.DrawFn, encoding: str) -> str:
    """One to three OMM records in ``encoding``, sometimes with text-level damage."""
    records = draw(st.lists(omm_records(), min_size=1, max_size=3))
    text = ENCODINGS[encoding](records)
    choice = draw(st.integers(0, 9))
    if choice < 3:
        text = draw(mutated_text(text, 3))
    elif choice == 3 and encoding == "json":
        text = draw(st.sampled_from(("[", "{")))[0] + deep("[", "]", 50_000)
    elif choice == 3 and encoding == "xml":
        text = "<ndm>" + deep("<a>", "</a>", 5_000) + "</ndm>"
    return text


@st.composite
def element_file_bytes(draw: st.DrawFn) -> bytes:
    """Whole element files as bytes: any encoding, damaged bytes, empty, binary."""
    kind = draw(st.sampled_from(("tle", "kvn", "xml", "json", "csv", "raw")))
    if kind == "raw":
        return draw(st.binary(max_size=300))
    text = draw(tle_texts()) if kind == "tle" else draw(omm_texts(kind))
    data = text.encode("utf-8", errors="surrogatepass")
    return draw(mutated_bytes(data)) if draw(st.booleans()) else data


# --- TOML documents ----------------------------------------------------------------------------


def toml_value(value: Any) -> str:
    """One value as TOML (inline tables and arrays; strings as basic strings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    return toml_key(str(value))


def toml_key(key: str) -> str:
    return json.dumps(key, ensure_ascii=False).replace("\x7f", "\\u007f")


def toml_document(document: dict[str, Any]) -> str:
    return "".join(f"{toml_key(k)} = {toml_value(v)}\n" for k, v in document.items())


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for k, v in enumerate(value):
            yield from _paths(v, (*prefix, k))


TOML_SCALARS = st.one_of(
    st.integers(),
    st.integers(-(10**30), 10**30),
    st.floats(),
    st.sampled_from((0, -1, 1e9, 1e308, float("inf"), float("nan"), 10**19, 2**63)),
    st.text(max_size=15),
    st.sampled_from(
        (
            "css",
            "iss",
            "bundled:css-2022.tle",
            "bundled:nothing.tle",
            "../../etc/passwd",
            "tianzhou",
            "shenzhou",
            "lab-module",
            "wenchang",
            "jiuquan",
            "forward",
            "aft",
            "Shenzhou-14 docked",
            "Wentian transposed",
        )
    ),
    st.booleans(),
    st.datetimes(),
    st.dates(),
    st.sampled_from(
        (
            datetime(9999, 12, 31, 23, 59, 59),
            datetime(1, 1, 1),
            date(9999, 12, 31),
            date(1, 1, 1),
            "9999-12-31T23:00:00-05:00",
            "0001-01-01T00:00:00+05:00",
        )
    ),
)
TOML_VALUES = st.recursive(
    TOML_SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def mutated_toml(draw: st.DrawFn, path: Path, gentle: bool = False) -> bytes:
    """A real TOML file with values replaced or dropped, or with byte-level damage; with
    ``gentle``, half the cases only nudge numbers and times (plausible campaigns)."""
    choice = 3 if gentle and draw(st.booleans()) else draw(st.integers(0, 9))
    original = path.read_bytes()
    if choice == 0:
        return draw(mutated_bytes(original))
    if choice == 1:
        return draw(mutated_text(original.decode(), 6)).encode("utf-8", errors="surrogatepass")
    if choice == 2:
        depth = draw(st.sampled_from((10, 1_000, 100_000)))
        return original + b"\ndeep = " + deep("[", "]", depth).encode() + b"\n"
    document = tomllib.loads(original.decode())
    paths = [p for p in _paths(document) if p]
    if choice == 3:  # gentle: plausible numbers and times, to reach the scheduler
        return toml_document(draw(_nudged(document))).encode("utf-8", errors="surrogatepass")
    for _ in range(draw(st.integers(1, 3))):
        target = draw(st.sampled_from(paths))
        parent: Any = document
        try:
            for part in target[:-1]:
                parent = parent[part]
            if draw(st.integers(0, 3)) == 0:
                del parent[target[-1]]
            else:
                parent[target[-1]] = draw(TOML_VALUES)
        except (KeyError, IndexError, TypeError):
            continue
        paths = [p for p in _paths(document) if p]
        if not paths:
            break
    return toml_document(document).encode("utf-8", errors="surrogatepass")


@st.composite
def _nudged(draw: st.DrawFn, document: Any) -> Any:
    """``document`` with a few numbers scaled (x0 to x3) and times shifted (+-60 days)."""
    from datetime import timedelta

    leaves = [
        p
        for p in _paths(document)
        if p
        and isinstance(_get(document, p), int | float | datetime | date)
        and not isinstance(_get(document, p), bool)
    ]
    for _ in range(draw(st.integers(1, 3))):
        target = draw(st.sampled_from(leaves))
        parent = _get(document, target[:-1])
        value = parent[target[-1]]
        if isinstance(value, datetime | date):
            parent[target[-1]] = value + timedelta(days=draw(st.integers(-60, 60)))
        else:
            scaled = value * draw(st.sampled_from((0, 0.5, 0.9, 1.1, 2, 3)))
            parent[target[-1]] = type(value)(scaled)
    return document


def _get(document: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        document = document[part]
    return document


def write_case(name: str, data: bytes) -> Path:
    """Write a generated file to the scratch folder (beside nothing it could overwrite)."""
    path = SCRATCH / name
    path.write_bytes(data)
    return path


# --- Command lines ---------------------------------------------------------------------------


def _files() -> dict[str, str]:
    empty = write_case("empty.tle", b"")
    binary = write_case("binary.tle", b"\x00\x01\x02\xff" * 10)
    blocker = write_case("a-file", b"not a directory")
    return {
        "css": str(CSS_2022),
        "stations": str(STATIONS_TLE),
        "small": str(SMALL_3LE),
        "bad": str(BAD_CHECKSUM),
        "empty": str(empty),
        "binary": str(binary),
        "dir": str(SCRATCH),
        "missing": str(SCRATCH / "missing.tle"),
        "blocker": str(blocker),
    }


FILES = _files()
ELEMENT_FILES = st.sampled_from(
    [FILES[k] for k in ("css", "stations", "small", "bad", "empty", "binary", "dir", "missing")]
)
OUT_DIRS = st.sampled_from(
    (
        str(SCRATCH / "out"),
        FILES["blocker"],
        FILES["blocker"] + "/below",
        "/proc/stationplan-fuzz",
        "",
    )
)
NUMBERS = st.one_of(st.sampled_from(HOSTILE_NUMBERS), st.sampled_from(("2", "0.1", "7", "30")))
TIMES = st.sampled_from(HOSTILE_TIMES)
SITES = st.sampled_from(("jiuquan", "wenchang", "baikonur", "kennedy", "nowhere", "", "JIUQUAN"))
VEHICLES = st.sampled_from(("shenzhou", "tianzhou", "soyuz-ms", "crew-dragon", "lab-module", "x"))
PROFILES = st.sampled_from(("2h", "3.5h", "6.5h", "2-orbit", "4-orbit", "x", ""))
NORADS = st.sampled_from(("48274", "25544", "0", "-1", "99999999999999999999", "x", "339999"))
FORMATS = st.sampled_from(("table", "json", "csv", "ics", "cdm", "x"))

#: Per command: (option, value strategy or None for a flag, required?).
COMMANDS: dict[str, list[tuple[str, st.SearchStrategy[str] | None, bool]]] = {
    "windows": [
        ("--elements", ELEMENT_FILES, True),
        ("--site", SITES, True),
        ("--vehicle", VEHICLES, True),
        ("--start", TIMES, True),
        ("--end", TIMES, True),
        ("--norad", NORADS, False),
        ("--profile", PROFILES, False),
        ("--rendezvous-hours", NUMBERS, False),
        ("--format", FORMATS, False),
    ],
    "rendezvous": [
        ("--elements", ELEMENT_FILES, True),
        ("--site", SITES, True),
        ("--vehicle", VEHICLES, True),
        ("--launch", TIMES, True),
        ("--norad", NORADS, False),
        ("--profile", PROFILES, False),
        ("--lead-days", NUMBERS, False),
        ("--format", FORMATS, False),
    ],
    "elements": [
        ("", ELEMENT_FILES, True),
        ("--format", FORMATS, False),
        ("--show-skipped", NUMBERS, False),
    ],
    "demo": [("--days", st.one_of(NUMBERS, st.sampled_from(("0.5", "1"))), False)],
    "screen": [
        ("--elements", st.sampled_from((FILES["small"], FILES["bad"], FILES["empty"])), True),
        ("--start", TIMES, True),
        ("--primary", NORADS, False),
        ("--all", None, False),
        ("--days", st.sampled_from(("0.05", "0.1", "0", "-1", "nan", "x")), False),
        ("--threshold-km", NUMBERS, False),
        ("--box", st.sampled_from(("4,50,50", "iss", "1,2", "a,b,c", "nan,1,1", "-1,1,1")), False),
        ("--format", FORMATS, False),
        ("--out", OUT_DIRS, False),
        ("--workers", st.sampled_from(("1", "2")), False),
        ("--sort", st.sampled_from(("pc", "miss", "tca", "x")), False),
        ("--step-s", st.sampled_from(("60", "120", "0", "-5", "nan", "x")), False),
    ],
    "plan": [
        ("", st.sampled_from((str(CAMPAIGN), FILES["missing"], FILES["dir"])), True),
        ("--format", FORMATS, False),
        ("--report", OUT_DIRS, False),
        ("--time-limit", st.sampled_from(("2", "0", "-1", "nan", "inf", "1e9", "x")), False),
        ("--ignore-logistics", None, False),
    ],
    "simulate": [
        ("", st.sampled_from((str(CAMPAIGN), FILES["missing"])), True),
        ("--solar", st.sampled_from(("low", "nominal", "high", "x")), False),
        ("--format", FORMATS, False),
        ("--report", OUT_DIRS, False),
        ("--end", TIMES, False),
        ("--time-limit", st.sampled_from(("2", "0", "nan", "x")), False),
    ],
}


@st.composite
def command_lines(draw: st.DrawFn, command: str) -> list[str]:
    """``command`` with its options in any order, values hostile or valid, some left out."""
    args: list[str] = []
    for option, values, required in COMMANDS[command]:
        keep = draw(st.integers(0, 9)) < (9 if required else 4)
        if not keep:
            continue
        if values is None:
            args.append(option)
            continue
        value = draw(st.one_of(values, hostile_text()) if draw(st.integers(0, 9)) == 0 else values)
        args.extend([option, value] if option else [value])
    pairs = [args[i : i + 2] for i in range(0, len(args), 2)]
    if draw(st.booleans()):
        pairs = draw(st.permutations(pairs))
    extra = draw(st.sampled_from(([], [], [], ["--unknown"], ["--help"], ["extra-argument"])))
    return [command, *[a for p in pairs for a in p], *extra]


# --- Targets -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Inputs of one reader or command and how to run one of them; ``share`` of make fuzz."""

    name: str
    strategy: st.SearchStrategy[Any]
    run: Callable[[Any], Outcome]
    share: float


def _parse_tle(text: str) -> Outcome:
    from stationplan.orbit.elements import parse_tle_text

    return run_library(lambda: parse_tle_text(text, "fuzz.tle"))


def _parse_omm(text: str) -> Outcome:
    from stationplan.orbit.elements import parse_omm_text

    return run_library(lambda: parse_omm_text(text, "fuzz.omm"))


def _load_catalog(data: bytes) -> Outcome:
    from stationplan.orbit.elements import load_catalog

    path = write_case("catalog.txt", data)
    return run_library(lambda: load_catalog(path))


def _load_campaign(data: bytes) -> Outcome:
    from stationplan.station.campaign import load_campaign

    path = write_case("campaign.toml", data)
    return run_library(lambda: load_campaign(path))


def _load_station(data: bytes) -> Outcome:
    from stationplan.station.model import load_station

    path = write_case("station.toml", data)
    return run_library(lambda: load_station(path))


def _elements_command(data: bytes) -> Outcome:
    path = write_case("elements-command.tle", data)
    return run_command(["elements", str(path), "--format", "json"])


def _plan_command(data: bytes) -> Outcome:
    path = write_case("plan-command.toml", data)
    return run_command(["plan", str(path), "--format", "json", "--time-limit", "2"])


def _parse_options(case: tuple[str, str]) -> Outcome:
    """The option parsers shared by the commands: times and screening boxes."""
    from stationplan.cli.console import parse_time
    from stationplan.cli.screen import _parse_box

    kind, text = case
    if kind == "time":
        return run_library(lambda: parse_time(text, "--start"))
    return run_library(lambda: _parse_box(text))


OPTION_VALUES = st.tuples(
    st.sampled_from(("time", "box")),
    st.one_of(hostile_text(), TIMES, st.sampled_from(("4,50,50", "iss", "1x2x3", "1×2×3"))),
)

TARGETS = [
    Target("TLE/3LE text", tle_texts(), _parse_tle, 0.15),
    Target("OMM KVN", omm_texts("kvn"), _parse_omm, 0.08),
    Target("OMM XML", omm_texts("xml"), _parse_omm, 0.08),
    Target("OMM JSON", omm_texts("json"), _parse_omm, 0.08),
    Target("OMM CSV", omm_texts("csv"), _parse_omm, 0.08),
    Target("element files", element_file_bytes(), _load_catalog, 0.08),
    Target("campaign TOML", mutated_toml(CAMPAIGN), _load_campaign, 0.12),
    Target("station TOML", mutated_toml(STATION), _load_station, 0.06),
    Target("option parsers", OPTION_VALUES, _parse_options, 0.05),
    Target("stationplan elements", element_file_bytes(), _elements_command, 0.05),
    Target("stationplan windows", command_lines("windows"), run_command, 0.04),
    Target("stationplan rendezvous", command_lines("rendezvous"), run_command, 0.04),
    Target("stationplan elements options", command_lines("elements"), run_command, 0.02),
    Target("stationplan demo", command_lines("demo"), run_command, 0.01),
    Target("stationplan screen", command_lines("screen"), run_command, 0.02),
    Target("stationplan plan options", command_lines("plan"), run_command, 0.01),
    Target("stationplan simulate options", command_lines("simulate"), run_command, 0.005),
    Target("stationplan plan campaign", mutated_toml(CAMPAIGN, gentle=True), _plan_command, 0.005),
]
