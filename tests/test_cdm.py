"""CCSDS CDM (508.0-B-1) writing and reading, and the SOCRATES-style CSV.

External truths: the standard's annex example CDM and real/published CDMs
(tests/data/cdm/README.md), the independent ``ccsds-ndm`` parser, CelesTrak's
SOCRATES CSV format page, and frame-independent invariants (|r|, |v|, miss distance
are unchanged by the TEME -> GCRF rotation).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from scipy import optimize

from conjunctions import conjunction_from_states
from stationplan.errors import InputError
from stationplan.orbit.elements import load_catalog
from stationplan.orbit.timescale import jd_to_datetime
from stationplan.screening.cdm import (
    COVARIANCE_KEYWORDS,
    conjunction_to_cdm,
    international_designator,
    read_cdm,
)
from stationplan.screening.conjunction import Conjunction
from stationplan.screening.covariance import (
    default_state_covariance_rtn,
    object_radius_m,
    rtn_matrix,
)
from stationplan.screening.pc import pc_from_cdm, pc_max_alfano, with_probability
from stationplan.screening.socrates import SOCRATES_COLUMNS, write_socrates_csv

ccsds_ndm_io = pytest.importorskip("ccsds_ndm.ndm_io")

CDM_DIR = Path(__file__).parent / "data" / "cdm"
SAMPLES = sorted(p for p in CDM_DIR.iterdir() if p.suffix in (".cdm", ".txt"))

# CCSDS 508.0-B-1 mandatory keywords: header (Table 3-2), relative metadata (Table 3-3,
# TCA and MISS_DISTANCE), object metadata (Table 3-3) and data (Table 3-4: state vector
# and the 21 RTN covariance terms).
MANDATORY_HEADER = ("creation_date", "originator", "message_id")
MANDATORY_OBJECT_METADATA = (
    "object_value",
    "object_designator",
    "catalog_name",
    "object_name",
    "international_designator",
    "ephemeris_name",
    "covariance_method",
    "maneuverable",
    "ref_frame",
)


# --- a conjunction from a real pair of element sets ------------------------------------


def _state(satrec, t_jd):
    jd = np.floor(t_jd - 0.5) + 0.5
    error, r, v = satrec.sgp4(jd, t_jd - jd)
    assert error == 0
    return np.array(r), np.array(v)


@pytest.fixture(scope="module")
def real_conjunction() -> Conjunction:
    """Closest approach of CSS and ISS (bundled 2024-07 element sets), brute force + refine."""
    path = Path(str(resources.files("stationplan") / "data" / "stations.tle"))
    latest = load_catalog(path).latest()
    one, two = latest[48274], latest[25544]
    start = max(one.epoch_jd, two.epoch_jd)

    def distance(t):
        return np.linalg.norm(_state(two.satrec, t)[0] - _state(one.satrec, t)[0])

    grid = start + np.linspace(0.0, 0.2, 600)
    i = int(np.argmin([distance(t) for t in grid]))
    t = optimize.minimize_scalar(
        distance,
        bounds=(grid[max(i - 1, 0)], grid[min(i + 1, 599)]),
        method="bounded",
        options={"xatol": 1e-11},
    ).x
    r1, v1 = _state(one.satrec, t)
    r2, v2 = _state(two.satrec, t)
    return conjunction_from_states(
        r1,
        v1,
        r2,
        v2,
        norad_1=one.norad_id,
        norad_2=two.norad_id,
        name_1=one.name,
        name_2=two.name,
        tca_utc=jd_to_datetime(t),
        tca_jd=float(t),
        age_days_1=float(t - one.epoch_jd),
        age_days_2=float(t - two.epoch_jd),
        extras={"intl_designator_1": "21035A", "intl_designator_2": "98067A"},
    )


def _covariance(seed: int) -> np.ndarray:
    """A positive-definite 6×6 RTN covariance (km², km²/s, km²/s²) with correlations."""
    rng = np.random.default_rng(seed)
    scale = np.diag([0.05, 0.8, 0.1, 8e-4, 5e-5, 1e-4])
    a = rng.normal(size=(6, 6))
    return scale @ (a @ a.T / 6 + np.eye(6)) @ scale


# --- reading -------------------------------------------------------------------------


def test_read_cdm_reads_the_standards_annex_example():
    message = read_cdm(CDM_DIR / "CDMExample1.txt")
    assert message.tca_utc == datetime(2010, 3, 13, 22, 37, 52, 618000, tzinfo=UTC)
    assert message.miss_distance_m == 715.0
    assert (message.originator, message.message_id) == ("JSPOC", "201113719185")
    one, two = message.objects
    assert (one.designator, two.name, two.international_designator) == (
        "12345",
        "FENGYUN 1C DEB",
        "1999-025AA",
    )
    assert one.r_km == (2570.097065, 2244.654904, 6281.497978)
    assert two.v_km_s == (-2.8886125, -6.007247516, 3.328770172)
    assert two.cov_rtn[1, 1] == pytest.approx(2.492e6 / 1e6)  # CT_T [m**2] -> km²
    assert two.cov_rtn[5, 4] == two.cov_rtn[4, 5] == pytest.approx(-4.594e-6 / 1e6)  # CNDOT_TDOT


@pytest.mark.parametrize(
    "path", [p for p in SAMPLES if "Case04" not in p.name], ids=lambda p: p.name
)
def test_read_cdm_agrees_with_the_ccsds_ndm_parser(path):
    ours = read_cdm(path)
    theirs = ccsds_ndm_io.NdmIo().from_path(path)
    rel = theirs.body.relative_metadata_data
    assert ours.miss_distance_m == rel.miss_distance.value
    assert ours.tca_utc.strftime("%Y-%m-%dT%H:%M:%S.%f").startswith(rel.tca[:23])
    for obj, segment in zip(ours.objects, theirs.body.segment, strict=True):
        state = segment.data.state_vector
        assert obj.r_km == (state.x.value, state.y.value, state.z.value)
        assert obj.v_km_s == (state.x_dot.value, state.y_dot.value, state.z_dot.value)
        cov = segment.data.covariance_matrix
        for keyword in COVARIANCE_KEYWORDS:
            i, j = _index(keyword)
            assert obj.cov_rtn[i, j] * 1e6 == pytest.approx(getattr(cov, keyword.lower()).value)


def _index(keyword: str) -> tuple[int, int]:
    axes = ("R", "T", "N", "RDOT", "TDOT", "NDOT")
    row, column = keyword[1:].split("_")
    return axes.index(row), axes.index(column)


def test_read_cdm_keeps_unknown_keywords_and_tolerates_cspoc_layout():
    message = read_cdm(CDM_DIR / "ION_SCV8_vs_STARLINK_1233.txt")
    assert message.collision_probability == 0.004450713
    assert message.collision_probability_method == "FOSTER-1992"
    assert message.objects[0].keywords["OPERATOR_ORGANIZATION"] == "D-Orbit"
    assert message.objects[1].ref_frame == "ITRF"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda t: t.replace("MISS_DISTANCE                 = 715", "MISS_DISTANCE 715"),
            ":6: expected",
        ),
        (lambda t: t.replace("= 2570.097065", "= 2570,097"), ":16: X = "),
        (
            lambda t: t.replace("TCA                           = 2010-03-13T22:37:52.618\n", ""),
            "TCA",
        ),
        (lambda t: t.replace("[km/s]", "[m/s]", 1), "expected [km/s]"),
        (lambda t: t.split("OBJECT                        = OBJECT2")[0], "two objects"),
        (lambda t: t.replace("CT_T                          = 2.533E+03", "CT_T = NaN"), "finite"),
        (lambda t: t.replace("2010-03-13T22:37:52.618", "13/03/2010"), "CCSDS time"),
        (lambda t: t.replace("CN_N                          = 7.098E+01 ", "CN_R = 1", 1), "twice"),
    ],
)
def test_a_malformed_cdm_is_an_input_error_that_names_the_problem(edit, message):
    text = edit((CDM_DIR / "CDMExample1.txt").read_text(encoding="utf-8"))
    with pytest.raises(InputError, match=re.escape(message)):
        read_cdm(text)


def test_a_missing_cdm_file_is_an_input_error():
    with pytest.raises(InputError, match="file not found"):
        read_cdm(CDM_DIR / "no-such.cdm")


def test_read_cdm_accepts_day_of_year_times():
    text = (CDM_DIR / "CDMExample1.txt").read_text(encoding="utf-8")
    message = read_cdm(text.replace("2010-03-13T22:37:52.618", "2010-072T22:37:52.618"))
    assert message.tca_utc == datetime(2010, 3, 13, 22, 37, 52, 618000, tzinfo=UTC)


# --- writing ------------------------------------------------------------------------------


def test_written_cdm_is_read_by_ccsds_ndm_with_every_mandatory_keyword(real_conjunction):
    conj = with_probability(real_conjunction)
    cov1, cov2 = _covariance(1), _covariance(2)
    created = datetime(2024, 7, 6, 12, 0, tzinfo=UTC)
    text = conjunction_to_cdm(conj, cov1_rtn_km2=cov1, cov2_rtn_km2=cov2, creation_utc=created)
    parsed = ccsds_ndm_io.NdmIo().from_string(text)

    assert parsed.version == "1.0"
    for name in MANDATORY_HEADER:
        assert getattr(parsed.header, name) not in (None, "")
    assert parsed.header.creation_date == "2024-07-06T12:00:00.000000"
    rel = parsed.body.relative_metadata_data
    assert rel.tca == conj.tca_utc.strftime("%Y-%m-%dT%H:%M:%S.%f")
    assert rel.miss_distance.value == pytest.approx(conj.miss_km * 1000, abs=1e-3)
    assert rel.miss_distance.units.value == "m"
    assert rel.relative_speed.value == pytest.approx(conj.relative_speed_km_s * 1000, abs=1e-3)
    position = rel.relative_state_vector
    for axis, value in zip("rtn", conj.miss_rtn_km, strict=True):
        assert getattr(position, f"relative_position_{axis}").value == pytest.approx(
            value * 1000, abs=1e-3
        )
    assert rel.collision_probability == pytest.approx(conj.pc, abs=1e-300)
    assert rel.collision_probability_method == "FOSTER-1992"

    states = [(conj.r1_km, conj.v1_km_s), (conj.r2_km, conj.v2_km_s)]
    gcrf = []
    for index, (segment, cov) in enumerate(zip(parsed.body.segment, (cov1, cov2), strict=True)):
        metadata = segment.metadata
        for name in MANDATORY_OBJECT_METADATA:
            assert getattr(metadata, name) not in (None, ""), name
        assert metadata.object_value.value == f"OBJECT{index + 1}"
        assert metadata.ref_frame.value == "GCRF"
        assert metadata.covariance_method.value == "CALCULATED"
        data = segment.data
        sv = data.state_vector
        r = np.array([sv.x.value, sv.y.value, sv.z.value])
        v = np.array([sv.x_dot.value, sv.y_dot.value, sv.z_dot.value])
        assert sv.x.units.value == "km" and sv.x_dot.units.value == "km/s"
        # A rotation keeps lengths: |r| and |v| equal the TEME ones.
        assert np.linalg.norm(r) == pytest.approx(np.linalg.norm(states[index][0]), abs=2e-6)
        assert np.linalg.norm(v) == pytest.approx(np.linalg.norm(states[index][1]), abs=2e-9)
        gcrf.append(r)
        for keyword in COVARIANCE_KEYWORDS:
            value = getattr(data.covariance_matrix, keyword.lower())
            assert value is not None, keyword
            i, j = _index(keyword)
            assert value.value == pytest.approx(cov[i, j] * 1e6, rel=1e-14)
    assert [s.metadata.object_designator for s in parsed.body.segment] == ["48274", "25544"]
    assert [s.metadata.international_designator for s in parsed.body.segment] == [
        "2021-035A",
        "1998-067A",
    ]
    # The miss distance is the same in both frames.
    assert np.linalg.norm(gcrf[1] - gcrf[0]) == pytest.approx(conj.miss_km, abs=2e-6)


def test_written_cdm_round_trips_through_read_cdm_and_gives_the_same_pc(real_conjunction):
    cov1, cov2 = _covariance(3), _covariance(4)
    # Put the second object 300 m from the first so that Pc is not negligible.
    conj = real_conjunction
    r1 = np.array(conj.r1_km)
    offset = np.cross(np.array(conj.v2_km_s) - conj.v1_km_s, [0.0, 0.0, 1.0])
    near = dataclasses.replace(conj, r2_km=tuple(r1 + 0.3 * offset / np.linalg.norm(offset)))
    near = dataclasses.replace(
        near,
        miss_km=0.3,
        miss_rtn_km=tuple(rtn_matrix(r1, conj.v1_km_s) @ (np.array(near.r2_km) - r1)),
    )
    conj = with_probability(near, cov1_rtn_km2=cov1, cov2_rtn_km2=cov2, hard_body_radius_m=70.0)
    assert conj.pc > 1e-4
    message = read_cdm(conjunction_to_cdm(conj, cov1_rtn_km2=cov1, cov2_rtn_km2=cov2))
    assert message.objects[0].cov_rtn == pytest.approx(cov1, rel=1e-14)
    assert message.miss_distance_m == pytest.approx(300.0, abs=1e-3)
    assert message.tca_utc == conj.tca_utc
    # Pc is frame independent: TEME in, GCRF in the file, the same Pc out (mm rounding).
    assert pc_from_cdm(message, hard_body_radius_m=70.0) == pytest.approx(conj.pc, rel=1e-5)
    assert message.collision_probability == pytest.approx(conj.pc, rel=1e-6)


def test_cdm_without_covariances_uses_the_default_model_and_says_so(real_conjunction):
    message = read_cdm(conjunction_to_cdm(real_conjunction))
    assert [o.covariance_method for o in message.objects] == ["DEFAULT", "DEFAULT"]
    expected = default_state_covariance_rtn(real_conjunction.age_days_2)
    assert message.objects[1].cov_rtn == pytest.approx(expected, rel=1e-14)
    assert message.collision_probability is None  # no Pc computed yet: none written


def test_international_designators_are_written_in_cdm_form():
    assert international_designator("98067A") == "1998-067A"
    assert international_designator("21035A") == "2021-035A"
    assert international_designator("1999-025AA") == "1999-025AA"
    assert international_designator("") == "UNKNOWN"


# --- SOCRATES CSV ---------------------------------------------------------------------------


def test_socrates_header_matches_celestrak_documentation():
    # https://celestrak.org/SOCRATES/socrates-format.php, "CSV Data Format", field order.
    assert ",".join(SOCRATES_COLUMNS) == (
        "NORAD_CAT_ID_1,OBJECT_NAME_1,DSE_1,NORAD_CAT_ID_2,OBJECT_NAME_2,DSE_2,"
        "TCA,TCA_RANGE,TCA_RELATIVE_SPEED,MAX_PROB,DILUTION"
    )


def test_socrates_rows_carry_range_speed_age_and_maximum_probability(real_conjunction):
    comma = dataclasses.replace(real_conjunction, name_2="OBJECT, WITH COMMA")
    stream = io.StringIO()
    write_socrates_csv([real_conjunction, comma], stream)
    rows = list(csv.reader(io.StringIO(stream.getvalue())))
    assert rows[0] == list(SOCRATES_COLUMNS)
    assert len(rows) == 3
    row = dict(zip(SOCRATES_COLUMNS, rows[1], strict=True))
    conj = real_conjunction
    assert int(row["NORAD_CAT_ID_1"]) == conj.norad_1
    assert row["OBJECT_NAME_2"] == f"{conj.name_2} [?]"
    assert float(row["DSE_1"]) == pytest.approx(conj.age_days_1, abs=5e-4)
    assert float(row["TCA_RANGE"]) == pytest.approx(conj.miss_km, abs=5e-4)
    assert float(row["TCA_RELATIVE_SPEED"]) == pytest.approx(conj.relative_speed_km_s, abs=5e-4)
    tca = datetime.strptime(row["TCA"], "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC)
    assert abs(tca - conj.tca_utc) < timedelta(milliseconds=1)
    radius_m = object_radius_m(conj.norad_1, conj.name_1) + object_radius_m(
        conj.norad_2, conj.name_2
    )
    pc_max, dilution_km = pc_max_alfano(
        conj.r1_km, conj.v1_km_s, conj.r2_km, conj.v2_km_s, radius_m
    )
    assert float(row["MAX_PROB"]) == pytest.approx(pc_max, rel=1e-3)
    assert float(row["DILUTION"]) == pytest.approx(dilution_km, abs=5e-4)
    assert rows[2][4] == "OBJECT, WITH COMMA [?]"  # RFC 4180 quoting survives the round trip
