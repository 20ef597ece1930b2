"""Probability of collision: Foster and Chan 2-D Pc against published values and brute force.

External truths:
* NASA CARA ``Pc2D_Foster`` expected values for the Alfano (2009) test cases:
  nasa/CARA_Analysis_Tools, DistributedMatlab/ProbabilityOfCollision/UnitTests/
  Pc2D_Foster_UnitTest.m @ 20116e352484604636cea6829b13432db43a7eca (tolerance there:
  RelTol 0.001), with the at-TCA states and covariances from the Alfano CDMs in
  tests/data/cdm (provenance in tests/data/cdm/README.md).
* The same file's "Omitron test case 01" (inline states, covariances in km²).
* Chan (2008), *Spacecraft Collision Probability*, encounter-plane test cases with exact
  and Chan-series values, as transcribed in Orekit's tests: CS-SI/Orekit
  src/test/java/org/orekit/ssa/collision/shorttermencounter/probability/twod/
  Laas2015Test.java @ 9b8745fa9825d32d8f0c87689ff508bd70b64616 (exact values) and
  Chan1997Test.java @ 133b568f228be663da5a20794d961dafdd640ee1 (Chan's series).
* Orekit's Pc for a real CSpOC CDM (ION SCV-008 vs STARLINK-1233, HBR 5 m + 5 m):
  0.0034965176443840897 (Laas2015Test.testComputeProbabilityFromACdm, same commit).
* Seeded Monte Carlo of the same encounter model, and exact decimal arithmetic.
"""

from __future__ import annotations

import math
from decimal import Decimal, getcontext
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

import stationplan.screening.pc as pc_module
from conjunctions import conjunction_from_states
from stationplan.screening.cdm import read_cdm
from stationplan.screening.conjunction import Conjunction
from stationplan.screening.covariance import (
    default_covariance_rtn,
    object_kind,
    object_radius_m,
    rtn_matrices,
    rtn_matrix,
    rtn_to_inertial,
)
from stationplan.screening.pc import (
    encounter_plane,
    pc_chan,
    pc_chan_2d,
    pc_foster,
    pc_foster_2d,
    pc_foster_2d_many,
    pc_from_cdm,
    pc_max_alfano,
    with_probabilities,
    with_probability,
)

CDM_DIR = Path(__file__).parent / "data" / "cdm"

# Alfano (2009) case -> (hard-body radius m, CARA Pc2D_Foster expected Pc).
ALFANO_FOSTER = {
    "01": (15.0, 1.46749549e-01),
    "02": (4.0, 6.22226700e-03),
    "04": (15.0, 4.93234060e-02),
    "05": (10.0, 4.44873860e-02),
    "07": (10.0, 1.58147000e-04),
    "08": (4.0, 3.69480080e-02),
    "09": (6.0, 2.90146291e-01),
    "11": (4.0, 2.67202600e-03),
}

# Chan (2008) encounter-plane cases: (x_m, y_m, sigma_x, sigma_y, R) in metres, the exact
# Pc and Chan's series Pc, as printed (strings: the printed digits set the tolerance).
CHAN_CASES = [
    ((0, 10, 25, 50, 5), "9.742e-3", "9.754e-3"),
    ((10, 0, 25, 50, 5), "9.181e-3", "9.189e-3"),
    ((0, 10, 25, 75, 5), "6.571e-3", "6.586e-3"),
    ((10, 0, 25, 75, 5), "6.125e-3", "6.135e-3"),
    ((0, 1000, 1000, 3000, 10), "1.577e-5", "1.577e-5"),
    ((1000, 0, 1000, 3000, 10), "1.011e-5", "1.011e-5"),
    ((0, 10000, 1000, 3000, 10), "6.443e-8", "6.443e-8"),
    ((10000, 0, 1000, 3000, 10), "3.219e-27", "3.216e-27"),
    ((0, 10000, 1000, 10000, 10), "3.033e-6", "3.033e-6"),
    ((10000, 0, 1000, 10000, 10), "9.656e-28", "9.645e-28"),
    ((0, 5000, 1000, 3000, 50), "1.039e-4", "1.039e-4"),
    ((5000, 0, 1000, 3000, 50), "1.564e-9", "1.556e-9"),
    ((84.875546, 60.583685, 57.918666, 152.8814468, 10.3), "1.9002e-3", "1.8934e-3"),
    ((-81.618369, 115.055899, 15.988242, 5756.840725, 1.3), "2.0553e-11", "2.0135e-11"),
    ((102.177247, 693.405893, 94.230921, 643.409272, 5.3), "7.2003e-5", "7.2000e-5"),
    ((-752.672701, 644.939441, 445.859950, 6095.858688, 3.5), "5.3904e-7", "5.3903e-7"),
    ((-692.362272, 4475.456261, 193.454603, 562.027293, 13.2), "2.2796e-20", "2.2880e-20"),
    ((-3.8872073, 0.1591646, 1.4101830, 114.2585190, 15), "1.0038e-1", "3.1264e-2"),
]


def half_unit_in_last_digit(printed: str) -> float:
    """Half of one unit in the last printed digit: the rounding of a published value."""
    mantissa, exponent = printed.lower().split("e")
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    return 0.5 * 10.0 ** (int(exponent) - decimals)


def major_first(x_m, y_m, sigma_x, sigma_y, radius):
    """Our 2-D functions take the major axis first; Chan's table names axes x, y."""
    if sigma_x >= sigma_y:
        return x_m, y_m, sigma_x, sigma_y, radius
    return y_m, x_m, sigma_y, sigma_x, radius


def inertial_states(path: Path):
    """States and inertial covariances (km, km/s, km²) of both objects of a CDM."""
    message = read_cdm(path)
    out = []
    for obj in message.objects:
        r, v = np.array(obj.r_km), np.array(obj.v_km_s)
        out += [r, v, rtn_to_inertial(obj.cov_rtn[:3, :3], r, v)]
    return out


def conjunction_from_cdm(path: Path) -> Conjunction:
    """A Conjunction holding a CDM's two states (EME2000 stands in for TEME: both inertial)."""
    message = read_cdm(path)
    one, two = message.objects
    r1, v1, r2, v2 = (np.array(x) for x in (one.r_km, one.v_km_s, two.r_km, two.v_km_s))
    return conjunction_from_states(
        r1,
        v1,
        r2,
        v2,
        norad_1=int(one.designator),
        norad_2=int(two.designator),
        name_1=one.name,
        name_2=two.name,
        tca_utc=message.tca_utc,
        tca_jd=2451544.5,
        age_days_1=0.5,
        age_days_2=1.5,
    )


# --- Foster against NASA CARA -------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(ALFANO_FOSTER))
def test_foster_matches_nasa_cara_pc2d_foster_on_the_alfano_2009_cases(case):
    radius_m, expected = ALFANO_FOSTER[case]
    pc = pc_from_cdm(read_cdm(CDM_DIR / f"AlfanoTestCase{case}.cdm"), hard_body_radius_m=radius_m)
    # 1e-3 relative: CARA's own acceptance; the CDMs round positions to 1 mm.
    assert pc == pytest.approx(expected, rel=1e-3)


def test_foster_matches_cara_on_the_omitron_case_given_in_inertial_km():
    r1 = [378.39559, 4305.721887, 5752.767554]
    v1 = [2.360800244, 5.580331936, -4.322349039]
    cov1 = [
        [44.5757544811362, 81.6751751052616, -67.8687662707124],
        [81.6751751052616, 158.453402956163, -128.616921644857],
        [-67.8687662707124, -128.616921644858, 105.490542562701],
    ]
    r2 = [374.5180598, 4307.560983, 5751.130418]
    v2 = [-5.388125081, -3.946827739, 3.322820358]
    cov2 = [
        [2.31067077720423, 1.69905293875632, -1.4170164577661],
        [1.69905293875632, 1.24957388457206, -1.04174164279599],
        [-1.4170164577661, -1.04174164279599, 0.869260558223714],
    ]
    pc = pc_foster(r1, v1, np.array(cov1), r2, v2, np.array(cov2), hard_body_radius_m=20.0)
    # CARA integrated to an absolute tolerance of 1e-9, i.e. 3.7e-5 relative here.
    assert pc == pytest.approx(2.70601573490125e-05, abs=1e-9)


def test_foster_matches_orekit_on_a_real_cspoc_cdm_with_earth_fixed_states():
    message = read_cdm(CDM_DIR / "ION_SCV8_vs_STARLINK_1233.txt")
    pc = pc_from_cdm(message, hard_body_radius_m=10.0)  # 5 m + 5 m, from the CDM's comments
    assert pc == pytest.approx(0.0034965176443840897, rel=1e-6)


def test_foster_accepts_six_by_six_covariances_and_uses_their_position_block():
    r1, v1, c1, r2, v2, c2 = inertial_states(CDM_DIR / "AlfanoTestCase07.cdm")
    big1, big2 = np.eye(6), np.eye(6) * 3.0
    big1[:3, :3], big2[:3, :3] = c1, c2
    assert pc_foster(r1, v1, big1, r2, v2, big2, 10.0) == pc_foster(r1, v1, c1, r2, v2, c2, 10.0)


# --- the encounter-plane integral against Chan's exact values ----------------------------


@pytest.mark.parametrize(("args", "exact", "_series"), CHAN_CASES)
def test_disc_integral_matches_chan_2008_exact_values(args, exact, _series):
    pc = pc_foster_2d(*major_first(*args))
    assert abs(pc - float(exact)) <= half_unit_in_last_digit(exact)


@pytest.mark.parametrize(("args", "_exact", "series"), CHAN_CASES)
def test_chan_series_matches_chan_2008_series_values(args, _exact, series):
    pc = pc_chan_2d(*major_first(*args))
    # One unit in the last digit (Orekit's own tolerance for these values): the printed
    # series values come from a truncated evaluation; ours is summed to convergence.
    assert abs(pc - float(series)) <= 2 * half_unit_in_last_digit(series)


def test_chan_series_keeps_full_precision_down_to_1e_minus_180():
    """Alfano case 5 in the plane (R = 10 m, σ 178 m × 0.037 m): exact decimal summation."""
    x_m, y_m, sx, sy, radius = 2.1230067, -1.2217895, 177.8109003, 0.0373279, 10.0
    getcontext().prec = 80
    half_u = Decimal(radius) ** 2 / (Decimal(sx) * Decimal(sy)) / 2
    half_v = ((Decimal(x_m) / Decimal(sx)) ** 2 + (Decimal(y_m) / Decimal(sy)) ** 2) / 2
    # Chan's series with the inner bracket written as the Poisson upper tail (no cancellation).
    terms = [Decimal(1)]
    for k in range(1, 1500):
        terms.append(terms[-1] * half_u / k)
    tails = [Decimal(0)] * (len(terms) + 1)
    for k in range(len(terms) - 1, -1, -1):
        tails[k] = tails[k + 1] + terms[k]
    weight, total = (-half_v).exp(), Decimal(0)
    for m in range(1400):
        if m:
            weight *= half_v / m
        total += weight * (-half_u).exp() * tails[m + 1]
    assert pc_chan_2d(x_m, y_m, sx, sy, radius) == pytest.approx(float(total), rel=1e-9)


def test_chan_series_is_the_noncentral_chi_square_cdf():
    """Chan's series is P(χ'²₂(v) ≤ u) (Chan 2008 §5.2); scipy's ncx2 is independent code."""
    rng = np.random.default_rng(20240705)
    for _ in range(20):
        sx = rng.uniform(10, 1000)
        sy = sx * rng.uniform(1, 4)
        x_m, y_m = rng.normal(0, 2 * sx), rng.normal(0, 2 * sy)
        radius = rng.uniform(1, 50)
        u = radius**2 / (sx * sy)
        v = (x_m / sx) ** 2 + (y_m / sy) ** 2
        expected = stats.ncx2.cdf(u, 2, v)
        assert pc_chan_2d(y_m, x_m, sy, sx, radius) == pytest.approx(expected, rel=1e-8, abs=1e-300)


def test_foster_and_chan_agree_where_both_are_valid():
    rng = np.random.default_rng(7)
    for _ in range(60):
        minor = rng.uniform(50, 500)
        major = minor * rng.uniform(1, 3)
        radius = rng.uniform(1, 0.1 * minor)  # R ≤ σ_minor/10, aspect ≤ 3: Chan's domain
        x_m, y_m = rng.normal(0, 2 * major), rng.normal(0, 2 * minor)
        foster = pc_foster_2d(x_m, y_m, major, minor, radius)
        chan = pc_chan_2d(x_m, y_m, major, minor, radius)
        # 2 %: the equivalent-area error for these aspect ratios (Chan 2008 §5.5).
        assert chan == pytest.approx(foster, rel=0.02, abs=1e-15)
        # A circular ellipse is Chan's exact case.
        assert pc_chan_2d(x_m, y_m, minor, minor, radius) == pytest.approx(
            pc_foster_2d(x_m, y_m, minor, minor, radius), rel=1e-7, abs=1e-15
        )


# --- brute force ------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["01", "09", "11"])
def test_monte_carlo_of_the_straight_line_encounter_agrees_with_foster(case):
    radius_m, _ = ALFANO_FOSTER[case]
    r1, v1, c1, r2, v2, c2 = inertial_states(CDM_DIR / f"AlfanoTestCase{case}.cdm")
    rng = np.random.default_rng(int(case))
    n = 1_000_000
    relative = rng.multivariate_normal(r2 - r1, c1 + c2, size=n)  # km
    along = (v2 - v1) / np.linalg.norm(v2 - v1)
    # Straight-line relative motion: a collision iff the line passes within R.
    off_line = relative - np.outer(relative @ along, along)
    hits = np.count_nonzero(np.einsum("ij,ij->i", off_line, off_line) <= (radius_m / 1000) ** 2)
    p_mc = hits / n
    pc = pc_foster(r1, v1, c1, r2, v2, c2, radius_m)
    sigma = math.sqrt(pc * (1 - pc) / n)
    assert abs(p_mc - pc) <= 4.5 * sigma  # 4.5σ of the binomial count: fails ~1 in 10⁵ seeds


def test_encounter_plane_is_normal_to_the_relative_velocity_and_keeps_the_miss():
    r1, v1, c1, r2, v2, c2 = inertial_states(CDM_DIR / "AlfanoTestCase07.cdm")
    plane = encounter_plane(r1, v1, c1, r2, v2, c2)
    dv = v2 - v1
    assert np.abs(plane.axes @ dv).max() <= 1e-12 * np.linalg.norm(dv)
    dr = r2 - r1
    in_plane = dr - np.dot(dr, dv) / np.dot(dv, dv) * dv
    assert np.linalg.norm(plane.miss_km) == pytest.approx(np.linalg.norm(in_plane), rel=1e-12)
    # The projected variances are those of the combined covariance along each axis.
    for axis, sigma in zip(plane.axes, plane.sigma_km, strict=True):
        assert sigma**2 == pytest.approx(axis @ (c1 + c2) @ axis, rel=1e-9)


# --- maximum probability (SOCRATES MAX_PROB) ----------------------------------------------


def test_maximum_probability_is_the_peak_over_covariance_size():
    r1, v1, _, r2, v2, _ = inertial_states(CDM_DIR / "AlfanoTestCase07.cdm")
    r2 = r1 + (r2 - r1) / np.linalg.norm(r2 - r1) * 0.8  # an 800 m miss
    radius_m = 20.0
    pc_max, dilution_km = pc_max_alfano(r1, v1, r2, v2, radius_m)
    shape = np.diag(np.array([0.1, 0.3, 0.1]) ** 2)
    c1, c2 = rtn_to_inertial(shape, r1, v1), rtn_to_inertial(shape, r2, v2)
    scan = [
        pc_foster(r1, v1, c1 * k * k, r2, v2, c2 * k * k, radius_m)
        for k in np.geomspace(0.2, 20, 400)
    ]
    assert pc_max >= max(scan) * (1 - 1e-9)
    assert pc_max <= max(scan) * (1 + 1e-3)  # the scan's 1.2 % steps bound the gap
    # Small-R limit (Alfano 2005): the peak sits at Mahalanobis² = 2, Pc ≈ R²/(2eσₓσᵧ).
    plane = encounter_plane(r1, v1, c1, r2, v2, c2)
    k2 = ((plane.miss_km / plane.sigma_km) ** 2).sum() / 2
    sx, sy = plane.sigma_km * math.sqrt(k2)
    assert pc_max == pytest.approx((radius_m / 1000) ** 2 / (2 * math.e * sx * sy), rel=2e-3)
    assert dilution_km == pytest.approx(sx, rel=2e-3)


def test_maximum_probability_is_one_inside_the_hard_body():
    r1, v1 = np.array([7000.0, 0, 0]), np.array([0, 7.5, 0])
    assert pc_max_alfano(r1, v1, r1 + np.array([0, 0, 0.005]), -v1, 10.0) == (1.0, 0.0)


# --- with_probability and the defaults ----------------------------------------------------


def test_with_probability_rotates_each_rtn_covariance_with_its_own_state():
    conj = conjunction_from_cdm(CDM_DIR / "AlfanoTestCase07.cdm")
    message = read_cdm(CDM_DIR / "AlfanoTestCase07.cdm")
    out = with_probability(
        conj,
        cov1_rtn_km2=message.objects[0].cov_rtn,
        cov2_rtn_km2=message.objects[1].cov_rtn,
        hard_body_radius_m=10.0,
    )
    assert out.pc == pytest.approx(ALFANO_FOSTER["07"][1], rel=1e-3)
    assert (out.pc_method, out.hard_body_radius_m) == ("FOSTER-1992", 10.0)
    assert out.extras["covariance_1"] == "given"
    chan = with_probability(
        conj,
        cov1_rtn_km2=message.objects[0].cov_rtn,
        cov2_rtn_km2=message.objects[1].cov_rtn,
        hard_body_radius_m=10.0,
        method="chan-1997",
    )
    assert chan.pc_method == "CHAN-1997"
    assert chan.pc == pc_chan(*inertial_states(CDM_DIR / "AlfanoTestCase07.cdm"), 10.0)


def test_with_probability_defaults_to_the_tle_model_and_the_objects_radii():
    conj = conjunction_from_cdm(CDM_DIR / "AlfanoTestCase07.cdm")
    out = with_probability(conj)
    assert out.hard_body_radius_m == object_radius_m(conj.norad_1, conj.name_1) + object_radius_m(
        conj.norad_2, conj.name_2
    )
    r1, v1, r2, v2 = (np.array(x) for x in (conj.r1_km, conj.v1_km_s, conj.r2_km, conj.v2_km_s))
    expected = pc_foster(
        r1,
        v1,
        rtn_to_inertial(default_covariance_rtn(conj.age_days_1), r1, v1),
        r2,
        v2,
        rtn_to_inertial(default_covariance_rtn(conj.age_days_2), r2, v2),
        out.hard_body_radius_m,
    )
    assert out.pc == expected
    assert out.extras["covariance_2"] == "default"
    assert conj.pc is None  # the input record is untouched


def test_with_probability_leaves_pc_empty_when_there_is_no_relative_motion():
    conj = conjunction_from_cdm(CDM_DIR / "AlfanoTestCase07.cdm")
    import dataclasses

    still = dataclasses.replace(conj, v2_km_s=conj.v1_km_s)
    out = with_probability(still)
    assert out.pc is None and "relative velocity is zero" in out.extras["pc_note"]


def test_with_probability_rejects_an_unknown_method():
    with pytest.raises(ValueError, match="FOSTER-1992"):
        with_probability(conjunction_from_cdm(CDM_DIR / "AlfanoTestCase07.cdm"), method="MC")


def test_default_covariance_is_along_track_dominated_and_grows_with_age():
    young, old = default_covariance_rtn(0.0), default_covariance_rtn(3.0)
    for cov in (young, old):
        assert np.argmax(np.diag(cov)) == 1  # transverse (along-track) largest
        assert np.allclose(cov, np.diag(np.diag(cov)))
    assert (np.diag(old) > np.diag(young)).all()
    assert np.array_equal(default_covariance_rtn(-3.0), old)  # back-propagation grows alike


def test_station_radii_come_from_their_published_size():
    # NASA: the ISS spans 109 m × 73 m; the enclosing circle has radius ½·√(109² + 73²).
    assert object_radius_m(25544, "ISS (ZARYA)") == pytest.approx(0.5 * math.hypot(109, 73))
    assert object_kind(48274, "CSS (TIANHE)") == "station"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("COSMOS 2251 DEB", "debris"),
        ("CZ-4B R/B", "rocket body"),
        ("SL-16 R/B", "rocket body"),
        ("STARLINK-1095", "payload"),
        ("OBJECT C", "unknown"),
        ("TBA - TO BE ASSIGNED", "unknown"),
        ("0 FENGYUN 1C DEB", "debris"),
    ],
)
def test_objects_are_classified_by_satcat_naming(name, kind):
    assert object_kind(99999, name) == kind


# --- The vectorised Foster Pc (the CLI's path for many events) ----------------------------


def test_vectorised_foster_equals_the_adaptive_integral_on_published_and_extreme_cases():
    rng = np.random.default_rng(3)
    cases = [major_first(*args) for args, _, _ in CHAN_CASES]
    # Random encounters over ten decades of sigma and offset, and the hard ones: a
    # covariance far smaller than the disc, a disc offset by thousands of sigmas, R = 0.
    for _ in range(300):
        sx = 10.0 ** rng.uniform(-1.0, 4.0)
        sy = sx * 10.0 ** rng.uniform(-3.0, 0.0)
        cases.append((rng.normal(0.0, 5.0 * sx), rng.normal(0.0, 5.0 * sy), sx, sy,
                      10.0 ** rng.uniform(0.0, 1.5)))  # fmt: skip
    cases += [(0.3, 0.1, 0.02, 0.01, 10.0), (5.0, -3.0, 0.5, 0.2, 6.0), (1e4, 10.0, 5.0, 1.0, 20.0),
              (1.0, 1.0, 50.0, 5.0, 0.0)]  # fmt: skip
    x, y, sx, sy, radius = (np.array(c) for c in zip(*cases, strict=True))
    many = pc_foster_2d_many(x, y, sx, sy, radius)
    one = np.array([pc_foster_2d(*c) for c in cases])
    assert (one > 1e-200).sum() > 250 and (one < 1e-10).sum() > 20  # both ends exercised
    np.testing.assert_allclose(many, one, rtol=1e-9, atol=1e-300)
    with pytest.raises(ValueError, match="sigmas must be positive"):
        pc_foster_2d_many([0.0], [0.0], [0.0], [1.0], [5.0])


def test_many_events_get_exactly_the_one_event_pc_defaults():
    import dataclasses

    base = conjunction_from_cdm(CDM_DIR / "AlfanoTestCase07.cdm")
    events = []
    for case in sorted(ALFANO_FOSTER):
        conj = conjunction_from_cdm(CDM_DIR / f"AlfanoTestCase{case}.cdm")
        for age in (0.2, 3.0, -1.5):  # element-set ages change the default covariance
            events.append(dataclasses.replace(conj, age_days_1=age, age_days_2=2 * age))
    events.append(dataclasses.replace(base, v2_km_s=base.v1_km_s))  # no encounter plane
    events.append(dataclasses.replace(base, r2_km=base.r1_km))  # zero miss: free x axis
    events.append(dataclasses.replace(base, v2_km_s=tuple(2 * x for x in base.r2_km)))  # no RTN
    many = with_probabilities(events)
    for batch, event in zip(many, events, strict=True):
        single = with_probability(event)
        assert batch.hard_body_radius_m == single.hard_body_radius_m
        assert batch.extras == single.extras and batch.pc_method == single.pc_method
        if single.pc is None:
            assert batch.pc is None
        else:
            assert batch.pc == pytest.approx(single.pc, rel=1e-9, abs=1e-300)
    assert many[-3].pc is None and "relative velocity is zero" in many[-3].extras["pc_note"]
    assert many[-1].pc is None and "RTN frame undefined" in many[-1].extras["pc_note"]
    assert with_probabilities([]) == []


def test_rtn_frames_of_many_states_are_the_single_frames_and_nan_where_undefined():
    rng = np.random.default_rng(5)
    r = rng.normal(size=(20, 3)) * 7000.0
    v = rng.normal(size=(20, 3)) * 7.5
    v[3] = 0.5 * r[3]  # velocity along the position: no orbit normal
    r[7] = 0.0
    many = rtn_matrices(r, v)
    for k in range(20):
        if k in (3, 7):
            assert np.isnan(many[k]).any()
            with pytest.raises(ValueError, match="RTN frame undefined"):
                rtn_matrix(r[k], v[k])
        else:
            single = rtn_matrix(r[k], v[k])
            np.testing.assert_allclose(single @ single.T, np.eye(3), atol=1e-12)
            np.testing.assert_array_equal(many[k], single)


def test_the_quadrature_integrand_in_threaded_blocks_is_bit_for_bit_the_one_block_integrand():
    # pc_foster_2d_many computes its integrand in blocks of encounters, in threads: each
    # element depends on its own encounter only, so the blocks must change no bit.
    rng = np.random.default_rng(3)
    n = 3 * pc_module._ROWS_PER_BLOCK + 17
    sx = rng.uniform(0.05, 3.0, n)
    per_event = (
        rng.normal(0.0, 2.0, n), rng.normal(0.0, 1.0, n), sx, rng.uniform(0.01, 1.0, n) * sx,
        rng.uniform(0.005, 0.05, n),
    )  # fmt: skip
    theta = 0.5 * np.pi * np.polynomial.legendre.leggauss(96)[0]
    blocked = pc_module._in_row_blocks(pc_module._foster_integrand, theta, *per_event)
    assert np.array_equal(blocked, pc_module._foster_integrand(theta, *per_event))
