"""Element sets: TLE/3LE/OMM parsing and validation, checked against outside truth.

Authorities used: python-sgp4's own verification vectors (``SGP4-VER.TLE`` and
``tcppver.out``, Vallado et al., AIAA 2006-6753), real TLEs of the ISS and the
China Space Station from ``shared/validation``, the full-catalog snapshots in
``shared/catalogs`` (object counts from their README), and ``sgp4.io.compute_checksum``
for checksums of edited lines.
"""

from __future__ import annotations

import json
import math
import random
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest
from sgp4.api import Satrec
from sgp4.io import compute_checksum

from stationplan.errors import InputError
from stationplan.orbit.elements import (
    Catalog,
    ElementSet,
    SkippedRecord,
    load_catalog,
    parse_omm_text,
    parse_tle_lines,
    parse_tle_text,
)
from stationplan.orbit.timescale import datetime_to_jd

DATA = Path(__file__).resolve().parent / "data" / "elements"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CATALOGS = SHARED / "catalogs"
VALIDATION_JSON = SHARED / "validation" / "station-launches-2021-2022.json"

# ISS TLE copied from shared/validation/station-launches-2021-2022.json (first entry
# of "tles", used for Progress MS-16); its epoch_utc there is 2021-02-14T17:05:30.961Z.
ISS_NAME = "ISS (ZARYA)"
ISS_L1 = "1 25544U 98067A   21045.71216391  .00000371  00000-0  14914-4 0  9996"
ISS_L2 = "2 25544  51.6428 228.4982 0002861  13.4307  72.7863 15.48961500269614"


def with_checksum(line: str) -> str:
    """Replace column 69 with the checksum python-sgp4 computes for columns 1-68."""
    return line[:68] + str(compute_checksum(line))


def edit(line: str, first_col: int, new: str) -> str:
    """Overwrite ``line`` from 1-based column ``first_col`` with ``new`` (same width)."""
    i = first_col - 1
    return line[:i] + new + line[i + len(new) :]


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


def tle_epoch_utc(line1: str) -> datetime:
    """Epoch from TLE columns 19-32 (YYDDD.DDDDDDDD), decoded here independently."""
    yy, day = int(line1[18:20]), float(line1[20:32])
    year = 1900 + yy if yy >= 57 else 2000 + yy
    return datetime(year, 1, 1, tzinfo=UTC) + timedelta(days=day - 1.0)


def position_km(satrec: Satrec, jd: float, fr: float) -> np.ndarray:
    error, r, _ = satrec.sgp4(jd, fr)
    assert error == 0
    return np.array(r)


# ----------------------------------------------------------------------------
# A real TLE
# ----------------------------------------------------------------------------


def test_real_iss_tle_parses_with_the_epoch_written_in_its_line_1():
    element = parse_tle_lines(ISS_L1, ISS_L2, name=ISS_NAME, source="iss")
    assert element.norad_id == 25544
    assert element.name == ISS_NAME
    # 21045.71216391 -> 2021-02-14 17:05:30.961824 UTC; 2 us covers float JD rounding.
    assert abs(element.epoch_utc - tle_epoch_utc(ISS_L1)) < timedelta(microseconds=2)
    assert element.epoch_utc.tzinfo is not None
    assert element.inclination_deg == pytest.approx(51.6428, abs=1e-9)
    assert element.raan_deg == pytest.approx(228.4982, abs=1e-9)
    assert element.eccentricity == pytest.approx(0.0002861, abs=1e-12)
    assert element.mean_motion_rev_per_day == pytest.approx(15.48961500, abs=1e-9)
    assert element.period_min == pytest.approx(1440.0 / 15.48961500, rel=1e-12)


def test_satrec_at_epoch_is_the_one_twoline2rv_builds():
    element = parse_tle_lines(ISS_L1, ISS_L2)
    direct = Satrec.twoline2rv(ISS_L1, ISS_L2)
    jd, fr = direct.jdsatepoch, direct.jdsatepochF
    np.testing.assert_array_equal(position_km(element.satrec, jd, fr), position_km(direct, jd, fr))


@pytest.mark.validation
def test_every_validation_tle_parses_with_its_stated_epoch():
    if not VALIDATION_JSON.exists():
        pytest.skip("shared/validation is absent")
    tles = json.loads(VALIDATION_JSON.read_text())["tles"]
    assert tles
    for tle in tles:
        element = parse_tle_lines(tle["line1"], tle["line2"], name=tle["name"])
        stated = datetime.fromisoformat(tle["epoch_utc"].replace("Z", "+00:00"))
        assert element.norad_id == int(tle["norad"])
        # the JSON gives the epoch to the millisecond
        assert abs(element.epoch_utc - stated) <= timedelta(milliseconds=1)


# ----------------------------------------------------------------------------
# python-sgp4's verification vectors
# ----------------------------------------------------------------------------


def _tcppver_blocks() -> list[tuple[int, np.ndarray]]:
    """(satnum, rows of [tsince_min, x, y, z] km) for each block of tcppver.out."""
    blocks: list[tuple[int, list[list[float]]]] = []
    for line in files("sgp4").joinpath("tcppver.out").read_text().splitlines():
        if line.endswith(" xx"):
            blocks.append((int(line.split()[0]), []))
        elif line.strip():
            blocks[-1][1].append([float(x) for x in line.split()[:4]])
    return [(satnum, np.array(rows)) for satnum, rows in blocks]


def test_sgp4_verification_tles_parse_and_reproduce_tcppver_positions():
    # SGP4-VER.TLE appends start/stop/step columns after column 69 of line 2 and uses
    # '#' comment lines; python-sgp4's own tests trim the lines to 69 columns, so do we.
    text = files("sgp4").joinpath("SGP4-VER.TLE").read_text()
    trimmed = "\n".join(s[:69] if s[:2] in ("1 ", "2 ") else s for s in text.split("\n"))
    catalog = parse_tle_text(trimmed, source="SGP4-VER.TLE")

    # 33333-33335 carry deliberately wrong line-1 checksums (see sgp4/tests.py,
    # test_tle_export); every other record of the 33 must load.
    assert [(s.line, s.kind) for s in catalog.skipped] == [
        (100, "checksum"),
        (103, "checksum"),
        (106, "checksum"),
    ]
    assert catalog.skipped[0].reason == "line 1 checksum is 4, expected 2"
    assert len(catalog) == 30
    assert catalog.summary().n_records == 33

    blocks = [b for b in _tcppver_blocks() if b[0] not in (33333, 33334, 33335)]
    assert [satnum for satnum, _ in blocks] == [e.norad_id for e in catalog]
    n_compared = 0
    for element, (_, rows) in zip(catalog, blocks, strict=True):
        for tsince_min, *expected_km in rows:
            error, r_km, _ = element.satrec.sgp4_tsince(tsince_min)
            if error == 0:
                # tcppver.out prints 8 decimals of km; 1 mm allows for C++/Python rounding
                np.testing.assert_allclose(r_km, expected_km, atol=1e-6, rtol=0)
                n_compared += 1
    assert n_compared > 500


# ----------------------------------------------------------------------------
# Malformed input: each defect gives its reason, file and line
# ----------------------------------------------------------------------------


def _one_skip(tmp_path: Path, line1: str, line2: str) -> tuple[Catalog, SkippedRecord]:
    """File: a good ISS record on lines 1-3, then the given record on lines 4-6."""
    text = f"{ISS_NAME}\n{ISS_L1}\n{ISS_L2}\nBROKEN\n{line1}\n{line2}\n"
    path = write(tmp_path, "one_bad.3le", text)
    catalog = load_catalog(path)
    assert len(catalog) == 1
    assert len(catalog.skipped) == 1
    skipped = catalog.skipped[0]
    assert skipped.path == str(path)
    return catalog, skipped


def test_truncated_line_is_reported_with_file_and_line(tmp_path):
    _, skipped = _one_skip(tmp_path, ISS_L1, ISS_L2[:40])
    assert (skipped.line, skipped.kind) == (6, "line length")
    assert skipped.reason == "line 2 has 40 characters, expected 69"


def test_bad_checksum_is_reported_with_file_and_line():
    catalog = load_catalog(DATA / "one_bad_checksum.tle")
    assert catalog.skipped == (
        SkippedRecord(
            str(DATA / "one_bad_checksum.tle"), 6, "line 2 checksum is 1, expected 0", "checksum"
        ),
    )
    assert catalog.norad_ids() == [5, 12]


@pytest.mark.parametrize(
    ("line", "column", "new", "reason"),
    [
        (2, 27, "000286l", "line 2 columns 27-33 (eccentricity) is '000286l'"),
        (2, 53, "15.4896I500", "line 2 columns 53-63 (mean motion) is '15.4896I500'"),
        (2, 9, "516.428 ", "line 2 columns 9-16 (inclination) is '516.428 '"),
        (1, 54, " 14914x4", "line 1 columns 54-61 (BSTAR) is ' 14914x4'"),
        (1, 19, "21O45.71216391", "line 1 columns 19-32 (epoch) is '21O45.71216391'"),
        (1, 34, " .0000O371", "line 1 columns 34-43 (mean motion first derivative)"),
    ],
)
def test_letters_and_misplaced_points_in_numeric_fields_are_named(
    tmp_path, line, column, new, reason
):
    lines = [ISS_L1, ISS_L2]
    lines[line - 1] = with_checksum(edit(lines[line - 1], column, new))
    _, skipped = _one_skip(tmp_path, *lines)
    assert skipped.kind == "column format"
    assert skipped.line == 4 + line  # the broken record starts on file line 5
    assert skipped.reason.startswith(reason)


def test_mismatched_catalog_numbers_are_reported(tmp_path):
    line2 = with_checksum(edit(ISS_L2, 3, "25545"))
    _, skipped = _one_skip(tmp_path, ISS_L1, line2)
    assert (skipped.line, skipped.kind) == (5, "catalog number mismatch")
    assert skipped.reason == "catalog numbers differ: line 1 has '25544', line 2 has '25545'"


def test_epoch_day_zero_is_reported(tmp_path):
    line1 = with_checksum(edit(ISS_L1, 21, "000"))
    _, skipped = _one_skip(tmp_path, line1, ISS_L2)
    assert skipped.kind == "epoch"
    assert "day of year is 0.71216391" in skipped.reason


def test_sgp4_initialisation_error_is_reported_not_loaded(tmp_path):
    # 17.5 rev/day puts the mean orbit inside the Earth: SGP4 returns error 6 at epoch.
    line2 = with_checksum(edit(ISS_L2, 53, "17.50000000"))
    _, skipped = _one_skip(tmp_path, ISS_L1, line2)
    assert skipped.kind == "SGP4 initialisation"
    assert skipped.reason.startswith("SGP4 initialisation failed with error 6")


def test_empty_file_raises_input_error_naming_the_file(tmp_path):
    path = write(tmp_path, "empty.tle", "\n  \n")
    with pytest.raises(InputError, match="empty") as info:
        load_catalog(path)
    assert info.value.path == str(path)


def test_binary_file_raises_input_error(tmp_path):
    path = write(tmp_path, "junk.tle", b"\x7fELF\x02\x01\x01\x00\x00\x00\xff\xfe" * 20)
    with pytest.raises(InputError, match="binary file") as info:
        load_catalog(path)
    assert info.value.path == str(path)


def test_file_without_a_single_valid_record_raises_with_the_first_reason(tmp_path):
    path = write(tmp_path, "bad.tle", f"{ISS_L1[:40]}\n{ISS_L2}\n")
    with pytest.raises(InputError) as info:
        load_catalog(path)
    assert str(info.value) == (
        f"{path}:1: no element sets found: line 1 has 40 characters, expected 69"
    )


def test_text_that_is_not_element_sets_raises(tmp_path):
    path = write(tmp_path, "notes.tle", "launch,site\nShenzhou-14,jiuquan\n")
    with pytest.raises(InputError, match="no element sets found: name line 'launch,site'"):
        load_catalog(path)


def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(InputError, match="file not found") as info:
        load_catalog(tmp_path / "nope.tle")
    assert info.value.path == str(tmp_path / "nope.tle")


def test_non_utf8_bytes_skip_only_their_record(tmp_path):
    good = f"{ISS_NAME}\n{ISS_L1}\n{ISS_L2}\n".encode()
    bad_name = b"VANGUARD 1\n".replace(b"1", b"\xe91")
    lines = (DATA / "one_bad_checksum.tle").read_text().splitlines()
    path = write(tmp_path, "latin1.tle", good + bad_name + "\n".join(lines[1:3]).encode())
    catalog = load_catalog(path)
    assert catalog.norad_ids() == [25544]
    assert [(s.line, s.kind) for s in catalog.skipped] == [(4, "not UTF-8")]


def test_orphan_lines_and_lonely_names_are_counted_not_dropped(tmp_path):
    text = "\n".join(
        [
            ISS_NAME,  # 1
            ISS_L1,  # 2
            ISS_L2,  # 3
            ISS_L2,  # 4: line 2 without line 1
            "LONELY NAME",  # 5: followed by another name
            "ANOTHER NAME",  # 6
            ISS_L1,  # 7
            ISS_L2,  # 8
            "NAME OF A TRUNCATED RECORD",  # 9
            ISS_L1,  # 10: line 1 without line 2
            ISS_NAME,  # 11
            ISS_L1,  # 12
            ISS_L2,  # 13
            ISS_L1,  # 14: line 1 at the end of the file
        ]
    )
    catalog = parse_tle_text(text, source="orphans.3le")
    assert [e.name for e in catalog] == [ISS_NAME, "ANOTHER NAME", ISS_NAME]
    assert [(s.line, s.kind) for s in catalog.skipped] == [
        (4, "orphan line"),
        (5, "orphan line"),
        (10, "orphan line"),
        (14, "orphan line"),
    ]
    assert catalog.skipped[1].reason == "name line 'LONELY NAME' is not followed by element lines"
    assert catalog.skipped[2].reason == "line 1 is not followed by a line 2 (truncated record)"
    summary = catalog.summary()
    assert (summary.n_records, summary.n_objects, summary.n_skipped) == (7, 1, 4)
    assert summary.skipped_reasons == (("orphan line", 4),)


def test_one_bad_record_among_good_ones_leaves_the_others_loaded():
    summary = load_catalog(DATA / "one_bad_checksum.tle").summary()
    assert (summary.n_records, summary.n_objects, summary.n_skipped) == (3, 2, 1)
    assert summary.skipped_reasons == (("checksum", 1),)


def test_parse_tle_lines_raises_input_error_with_source():
    with pytest.raises(InputError, match="line 2 checksum is 5, expected 4") as info:
        parse_tle_lines(ISS_L1, ISS_L2[:68] + "5", source="form field")
    assert info.value.path == "form field"


# ----------------------------------------------------------------------------
# Accepted variants
# ----------------------------------------------------------------------------


def test_crlf_and_trailing_spaces_parse_like_lf(tmp_path):
    lf = (DATA / "stations_multi_epoch.3le").read_text()
    crlf = lf.replace("\n", "   \r\n")
    catalog_lf = load_catalog(DATA / "stations_multi_epoch.3le")
    catalog_crlf = load_catalog(write(tmp_path, "crlf.3le", crlf))
    assert not catalog_crlf.skipped
    assert [e.name for e in catalog_crlf] == [e.name for e in catalog_lf]
    assert [e.epoch_jd for e in catalog_crlf] == [e.epoch_jd for e in catalog_lf]


@pytest.mark.parametrize(
    ("field", "norad_id"),
    [("A0001", 100001), ("Z9999", 339999), ("T0042", 270042), ("00005", 5), ("    5", 5)],
)
def test_alpha5_and_padded_catalog_numbers_decode(field, norad_id):
    line1 = with_checksum(edit(ISS_L1, 3, field))
    line2 = with_checksum(edit(ISS_L2, 3, field))
    assert parse_tle_lines(line1, line2).norad_id == norad_id


def test_alpha5_letters_i_and_o_are_rejected():
    line1 = with_checksum(edit(ISS_L1, 3, "I0001"))
    line2 = with_checksum(edit(ISS_L2, 3, "I0001"))
    with pytest.raises(InputError, match=r"columns 3-7 \(catalog number\) is 'I0001'"):
        parse_tle_lines(line1, line2)


def test_zero_and_space_padded_numbers_of_one_object_match(tmp_path):
    line1 = with_checksum(edit(ISS_L1, 3, "00005"))
    line2 = with_checksum(edit(ISS_L2, 3, "    5"))
    assert parse_tle_lines(line1, line2).norad_id == 5


def test_two_line_file_without_names_parses():
    catalog = parse_tle_text(f"{ISS_L1}\n{ISS_L2}\n")
    assert [(e.norad_id, e.name, e.source) for e in catalog] == [(25544, "", "<string>:1")]


# ----------------------------------------------------------------------------
# OMM round trip: the same mean elements as the TLE give the same orbit
# ----------------------------------------------------------------------------


def _omm_fields_from_tle(line1: str, line2: str) -> dict[str, str]:
    """OMM keywords (CCSDS 502.0-B-3 / CelesTrak GP) read straight off the TLE columns."""
    return {
        "OBJECT_NAME": ISS_NAME,
        "OBJECT_ID": "1998-067A",
        "EPOCH": tle_epoch_utc(line1).strftime("%Y-%m-%dT%H:%M:%S.%f"),
        "MEAN_MOTION": line2[52:63].strip(),
        "ECCENTRICITY": "." + line2[26:33],
        "INCLINATION": line2[8:16].strip(),
        "RA_OF_ASC_NODE": line2[17:25].strip(),
        "ARG_OF_PERICENTER": line2[34:42].strip(),
        "MEAN_ANOMALY": line2[43:51].strip(),
        "EPHEMERIS_TYPE": "0",
        "CLASSIFICATION_TYPE": "U",
        "NORAD_CAT_ID": "25544",
        "ELEMENT_SET_NO": line1[64:68].strip(),
        "REV_AT_EPOCH": line2[63:68].strip(),
        "BSTAR": f"{float(line1[53] + '.' + line1[54:59]) * 10 ** int(line1[59:61]):.5e}",
        "MEAN_MOTION_DOT": line1[33:43].strip(),
        "MEAN_MOTION_DDOT": "0",
    }


def _kvn(f: dict[str, str]) -> str:
    meta = ["OBJECT_NAME", "OBJECT_ID"]
    mean = ["EPOCH", "MEAN_MOTION", "ECCENTRICITY", "INCLINATION", "RA_OF_ASC_NODE"]
    mean += ["ARG_OF_PERICENTER", "MEAN_ANOMALY"]
    tle = ["EPHEMERIS_TYPE", "CLASSIFICATION_TYPE", "NORAD_CAT_ID", "ELEMENT_SET_NO"]
    tle += ["REV_AT_EPOCH", "BSTAR", "MEAN_MOTION_DOT", "MEAN_MOTION_DDOT"]
    units = {"MEAN_MOTION": " [rev/day]", "INCLINATION": " [deg]", "BSTAR": " [1/ER]"}
    lines = ["CCSDS_OMM_VERS = 2.0", "CREATION_DATE = 2021-02-15T00:00:00", "ORIGINATOR = TEST"]
    lines += [f"{k:<20}= {f[k]}" for k in meta]
    lines += ["CENTER_NAME = EARTH", "REF_FRAME = TEME", "TIME_SYSTEM = UTC"]
    lines += ["MEAN_ELEMENT_THEORY = SGP4", "", "COMMENT mean elements"]
    lines += [f"{k:<20}= {f[k]}{units.get(k, '')}" for k in mean + tle]
    return "\n".join(lines) + "\n"


def _xml(f: dict[str, str]) -> str:
    def tags(keys: list[str]) -> str:
        return "".join(f"<{k}>{f[k]}</{k}>" for k in keys)

    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<ndm xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        '<omm id="CCSDS_OMM_VERS" version="2.0">\n'
        "<header><CREATION_DATE/><ORIGINATOR/></header>\n<body>\n<segment>\n"
        f"<metadata>{tags(['OBJECT_NAME', 'OBJECT_ID'])}<CENTER_NAME>EARTH</CENTER_NAME>"
        "<REF_FRAME>TEME</REF_FRAME><TIME_SYSTEM>UTC</TIME_SYSTEM>"
        "<MEAN_ELEMENT_THEORY>SGP4</MEAN_ELEMENT_THEORY></metadata>\n<data>\n"
        "<meanElements>"
        + tags(["EPOCH", "MEAN_MOTION", "ECCENTRICITY", "INCLINATION", "RA_OF_ASC_NODE"])
        + tags(["ARG_OF_PERICENTER", "MEAN_ANOMALY"])
        + "</meanElements>\n<tleParameters>"
        + tags(["EPHEMERIS_TYPE", "CLASSIFICATION_TYPE", "NORAD_CAT_ID", "ELEMENT_SET_NO"])
        + tags(["REV_AT_EPOCH", "BSTAR", "MEAN_MOTION_DOT", "MEAN_MOTION_DDOT"])
        + "</tleParameters>\n</data>\n</segment>\n</body>\n</omm>\n</ndm>\n"
    )


def _json(f: dict[str, str]) -> str:
    # CelesTrak GP JSON: a list of objects, numbers as JSON numbers.
    def value(key: str, text: str) -> str | int | float:
        if key in ("OBJECT_NAME", "OBJECT_ID", "EPOCH", "CLASSIFICATION_TYPE"):
            return text
        return int(text) if text.isdigit() else float(text)

    return json.dumps([{k: value(k, v) for k, v in f.items()}], indent=1)


def _csv(f: dict[str, str]) -> str:
    return ",".join(f) + "\n" + ",".join(f.values()) + "\n"


@pytest.mark.parametrize("render", [_kvn, _xml, _json, _csv], ids=["kvn", "xml", "json", "csv"])
def test_omm_from_tle_elements_propagates_like_the_tle(tmp_path, render):
    tle = parse_tle_lines(ISS_L1, ISS_L2, name=ISS_NAME)
    # a neutral extension: the format must be recognised from the content
    path = write(tmp_path, "iss.txt", render(_omm_fields_from_tle(ISS_L1, ISS_L2)))
    catalog = load_catalog(path)
    assert not catalog.skipped
    (omm,) = catalog.elements
    assert (omm.norad_id, omm.name) == (25544, ISS_NAME)
    assert omm.source.startswith(f"{path}:")
    assert abs(omm.epoch_jd - tle.epoch_jd) * 86400.0 < 1e-5
    jd, fr = tle.satrec.jdsatepoch, tle.satrec.jdsatepochF
    for days in (0.0, 1.0):
        r_tle = position_km(tle.satrec, jd, fr + days)
        r_omm = position_km(omm.satrec, jd, fr + days)
        # 1 m: OMM carries the same mean elements (epoch rounded to 1 us, ~8 mm)
        assert np.linalg.norm(r_omm - r_tle) < 1e-3


def test_omm_json_single_object_and_string_values():
    fields = _omm_fields_from_tle(ISS_L1, ISS_L2)
    catalog = parse_omm_text(json.dumps(fields), source="one.json")
    assert catalog.norad_ids() == [25544]


def test_omm_kvn_with_two_messages_and_one_bad_record():
    good = _omm_fields_from_tle(ISS_L1, ISS_L2)
    bad = dict(good, ECCENTRICITY="1.2")
    text = _kvn(good) + _kvn(bad)
    catalog = parse_omm_text(text, source="two.kvn")
    assert len(catalog) == 1
    first_line_of_second = _kvn(good).count("\n") + 1
    assert catalog.skipped == (
        SkippedRecord(
            "two.kvn",
            first_line_of_second,
            "ECCENTRICITY is 1.2, expected 0 <= e < 1",
            "eccentricity",
        ),
    )


def test_omm_json_record_missing_a_field_is_skipped_with_its_line():
    good = _omm_fields_from_tle(ISS_L1, ISS_L2)
    bad = {k: v for k, v in good.items() if k != "BSTAR"}
    text = json.dumps([good, bad], indent=1)
    catalog = parse_omm_text(text, source="gp.json")
    (skipped,) = catalog.skipped
    assert skipped.reason == "OMM record lacks BSTAR"
    assert text.splitlines()[skipped.line - 1].strip() == "{"
    assert skipped.line > 2


def test_omm_xml_that_is_not_well_formed_raises():
    with pytest.raises(InputError, match="XML is not well formed"):
        parse_omm_text("<ndm><omm><body><segment></omm>", source="broken.xml")


# ----------------------------------------------------------------------------
# Multi-epoch catalogs
# ----------------------------------------------------------------------------


def test_history_is_sorted_by_epoch_and_nearest_picks_the_closest():
    catalog = load_catalog(DATA / "stations_multi_epoch.3le")
    assert catalog.norad_ids() == [25544, 48274]
    history = catalog.history(25544)
    assert [e.epoch_utc.date().isoformat() for e in history] == [
        "2021-02-14",
        "2021-04-06",
        "2021-08-13",
        "2022-02-16",
    ]
    assert all(e.name == ISS_NAME for e in history)
    # 2021-06-01 is 56 days after 2021-04-06 and 73 days before 2021-08-13
    jd, fr = datetime_to_jd(datetime(2021, 6, 1, tzinfo=UTC))
    assert catalog.nearest(25544, jd + fr) is history[1]
    assert catalog.nearest(25544, 0.0) is history[0]
    assert catalog.nearest(25544, 3e6) is history[-1]
    assert catalog.latest()[48274].epoch_utc.date().isoformat() == "2022-04-22"
    assert catalog.latest()[48274].source == f"{DATA / 'stations_multi_epoch.3le'}:20"


def test_history_of_an_absent_object_names_file_and_id():
    path = DATA / "stations_multi_epoch.3le"
    with pytest.raises(InputError, match="NORAD 99999") as info:
        load_catalog(path).history(99999)
    assert info.value.path == str(path)


def test_satrec_array_rows_follow_ascending_norad_ids():
    catalog = load_catalog(DATA / "stations_multi_epoch.3le")
    array, ids = catalog.satrec_array()
    assert ids.tolist() == [25544, 48274]
    latest = catalog.latest()
    jd = np.array([latest[25544].satrec.jdsatepoch])
    fr = np.array([latest[25544].satrec.jdsatepochF])
    errors, r_km, _ = array.sgp4(jd, fr)
    assert errors.tolist() == [[0], [0]]
    for row, norad_id in enumerate(ids):
        np.testing.assert_array_equal(
            r_km[row, 0], position_km(latest[int(norad_id)].satrec, jd[0], fr[0])
        )


def test_summary_spans_the_epochs():
    summary = load_catalog(DATA / "stations_multi_epoch.3le").summary()
    assert (summary.n_records, summary.n_objects, summary.n_skipped) == (7, 2, 0)
    assert summary.epoch_min_utc.date().isoformat() == "2021-02-14"
    assert summary.epoch_median_utc.date().isoformat() == "2021-08-13"
    assert summary.epoch_max_utc.date().isoformat() == "2022-04-22"


def test_element_sets_are_immutable():
    element = parse_tle_lines(ISS_L1, ISS_L2)
    assert isinstance(element, ElementSet)
    with pytest.raises(AttributeError):
        element.name = "other"  # type: ignore[misc]


# ----------------------------------------------------------------------------
# Full catalogs (shared/catalogs, README counts)
# ----------------------------------------------------------------------------


@pytest.mark.catalog
@pytest.mark.parametrize(
    ("name", "n_objects"), [("satcat-2024-07.3le", 26_389), ("satcat-2022-07.3le", 24_132)]
)
def test_full_catalog_loads_every_object_of_the_readme(name, n_objects):
    path = CATALOGS / name
    if not path.exists():
        pytest.skip(f"{path} is absent")
    n_line1 = sum(1 for line in path.read_bytes().split(b"\n") if line.startswith(b"1 "))
    catalog = load_catalog(path)
    summary = catalog.summary()
    # README counts objects; each object has exactly one 3LE record in these snapshots
    assert n_line1 == n_objects
    assert summary.n_objects == n_objects
    assert summary.n_records == n_line1
    assert summary.n_objects + summary.n_skipped == n_line1
    assert {25544, 48274} <= set(catalog.latest())
    iss = catalog.history(25544)[0]
    assert iss.name.startswith("ISS")
    assert math.isclose(iss.inclination_deg, 51.64, abs_tol=0.05)


def test_a_3le_whose_first_name_starts_with_a_bracket_is_still_tle(tmp_path):
    path = write(tmp_path, "bracket.json", f"[ISS] {ISS_NAME}\n{ISS_L1}\n{ISS_L2}\n")
    assert load_catalog(path).elements[0].name == f"[ISS] {ISS_NAME}"


@pytest.mark.parametrize("render", [None, _kvn, _xml, _json, _csv])
def test_randomly_damaged_text_never_crashes(render):
    # 200 seeded mutations each: the only allowed failure is InputError, and every
    # skipped record points at a line of the text with a one-line reason.
    if render is None:
        base, parse = (DATA / "stations_multi_epoch.3le").read_text(), parse_tle_text
    else:
        base, parse = render(_omm_fields_from_tle(ISS_L1, ISS_L2)), parse_omm_text
    alphabet = "0123456789 .-+AIOZx\t\r\n\x00\ufffd\u0663=<>[]{},\"'#"
    rng = random.Random(20240705)
    for _ in range(200):
        text = base
        for _ in range(rng.randint(1, 5)):
            i = rng.randrange(len(text) or 1)
            text = rng.choice(
                [text[:i] + rng.choice(alphabet) + text[i + 1 :], text[:i] + text[i + 1 :]]
            )
        try:
            catalog = parse(text, "damaged")
        except InputError:
            continue
        n_lines = text.count("\n") + text.count("\r") + 1
        for skipped in catalog.skipped:
            assert 1 <= skipped.line <= n_lines
            assert "\n" not in skipped.reason
        assert catalog.summary().n_records == len(catalog) + len(catalog.skipped)
