"""Conjunction screening: sieve guarantee, TCA refinement, attached vehicles, bad records.

Truths: dense 1 s sampling with python-sgp4 and brentq (computed here for small cases,
and once by ``scripts/screening_reference.py`` into ``tests/data/screening/reference.json``
for the catalogue-scale cases); the published list of vehicles docked to the ISS and the
CSS in early July 2024.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import brentq

from conftest import CATALOG_2024
from screening_truth import (
    assert_complete,
    assert_nothing_extra,
)
from stationplan.errors import InputError
from stationplan.orbit.elements import load_catalog
from stationplan.orbit.sgp4_backends import HeyokaSGP4
from stationplan.orbit.timescale import datetime_to_jd
from stationplan.screening.screen import ScreeningVolume, _fork_is_safe, screen, usable_cores
from stationplan.screening.sieve import SieveSettings, segment_miss_km

DATA = Path(__file__).parent / "data" / "screening"
SMALL = DATA / "small.3le"
REFERENCE = DATA / "reference.json"
START = datetime(2024, 7, 5, tzinfo=UTC)


def brute_force_minima(sat1, sat2, start: datetime, seconds: int, threshold_km: float):
    """Local minima of the range under ``threshold_km`` from 1 s samples + brentq on d·w."""
    jd0, fr0 = datetime_to_jd(start)
    t = np.arange(0, seconds + 1, 1.0)
    e1, r1, _v1 = sat1.sgp4_array(np.full(t.size, jd0), fr0 + t / 86400)
    e2, r2, _v2 = sat2.sgp4_array(np.full(t.size, jd0), fr0 + t / 86400)
    d = np.linalg.norm(r2 - r1, axis=1)

    def g(x: float) -> float:
        _, a, va = sat1.sgp4(jd0, fr0 + x / 86400)
        _, b, vb = sat2.sgp4(jd0, fr0 + x / 86400)
        return float(np.dot(np.subtract(b, a), np.subtract(vb, va)))

    out = []
    for k in range(1, t.size - 1):
        if d[k - 1] > d[k] <= d[k + 1] and (e1[k] == 0 and e2[k] == 0):
            x = brentq(g, t[k - 1], t[k + 1], xtol=1e-6)
            _, a, _ = sat1.sgp4(jd0, fr0 + x / 86400)
            _, b, _ = sat2.sgp4(jd0, fr0 + x / 86400)
            miss = float(np.linalg.norm(np.subtract(b, a)))
            if miss <= threshold_km:
                out.append((x, miss))
    return out


# ---------------------------------------------------------------------------
# The sieve's straight-line test


def test_chord_miss_is_the_minimum_of_densely_sampled_chords():
    rng = np.random.default_rng(6)
    d0 = rng.normal(0, 200, (200, 3))
    d1 = d0 + rng.normal(0, 400, (200, 3))
    s = np.linspace(0.0, 1.0, 20001)
    dense = np.linalg.norm(d0[:, None] + (d1 - d0)[:, None] * s[None, :, None], axis=-1).min(1)
    # Chords up to ~2,000 km sampled every 1e-4: the sampled minimum is at most 0.1 km high.
    assert np.all(segment_miss_km(d0, d1) <= dense + 1e-9)
    assert np.allclose(segment_miss_km(d0, d1), dense, atol=0.1)


def test_sieve_margins_follow_the_interpolation_error_bound():
    # Linear interpolation errs by at most A h²/8 (Atkinson eq. 3.2.9).
    assert SieveSettings(60.0, 5.0).crude_margin_km == pytest.approx(0.02 * 3600 / 8)
    assert SieveSettings(120.0, 5.0).crude_margin_km == pytest.approx(0.02 * 14400 / 8)
    # The per-pair bound uses the gravity gradient: far smaller for nearby pairs.
    settings = SieveSettings(60.0, 5.0)
    assert settings.margin_km(10.0) < settings.margin_km(500.0) < settings.crude_margin_km


def test_sieve_never_drops_an_interval_where_real_pairs_come_within_the_distance(small):
    # Brute force at 1 s on real element sets: every interval holding a sample within D
    # must pass the chord test (the guarantee of the sieve, checked where it bites).
    from stationplan.screening.sieve import sieve_primaries

    latest = small.latest()
    sats = [latest[n].satrec for n in (39419, 42834, 29713, 34119, 26549, 39438)]
    jd0, fr0 = datetime_to_jd(START)
    h, distance = 60.0, 300.0
    t = np.arange(0.0, 6 * 3600 + 1, 1.0)
    positions = np.stack([s.sgp4_array(np.full(t.size, jd0), fr0 + t / 86400)[1] for s in sats])
    velocities = np.stack([s.sgp4_array(np.full(t.size, jd0), fr0 + t / 86400)[2] for s in sats])
    grid = slice(None, None, int(h))
    settings = SieveSettings(h, distance)
    for p in range(len(sats)):
        cand = sieve_primaries(positions[:, grid], velocities[:, grid],
                               np.ones(positions[:, grid].shape[:2], bool), np.array([p]), 0,
                               settings)  # fmt: skip
        flagged = set(zip(cand.j.tolist(), cand.k.tolist(), strict=True))
        dist = np.linalg.norm(positions - positions[p], axis=-1)
        for j in range(len(sats)):
            if j == p:
                continue
            for k in np.unique(np.flatnonzero(dist[j] <= distance) // int(h)):
                if k < positions[:, grid].shape[1] - 1:
                    assert (j, int(k)) in flagged


# ---------------------------------------------------------------------------
# Small bundled catalogue (real element sets from satcat-2024-07)


@pytest.fixture(scope="module")
def small():
    return load_catalog(SMALL)


def test_real_pair_conjunction_matches_one_second_brute_force(small):
    # FENGYUN/COSMOS-class crossing from the 2024 catalogue: 26549 and 39438 pass within
    # 5 km at 15 km/s early on 2024-07-05 (found by the brute-force reference).
    latest = small.latest()
    pair = [latest[26549], latest[39438]]
    result = screen(pair, START, days=0.25, volume=ScreeningVolume(threshold_km=5.0), workers=1)
    truth = brute_force_minima(pair[0].satrec, pair[1].satrec, START, 6 * 3600, 5.0)
    assert truth, "the reference pair must have a conjunction in the first 6 h"
    assert len(result.events) == len(truth)
    for event, (t_s, miss) in zip(result.events, truth, strict=True):
        tca_s = (event.tca_utc - START).total_seconds()
        assert abs(tca_s - t_s) < 1e-3  # both refine g = d·w to far below 1 ms
        assert event.miss_km == pytest.approx(miss, abs=1e-6)
        assert event.miss_km == pytest.approx(math.dist(event.r1_km, event.r2_km))
        rtn = np.array(event.miss_rtn_km)
        assert np.linalg.norm(rtn) == pytest.approx(event.miss_km)


def test_each_local_minimum_of_a_pair_is_a_separate_event(small):
    # Two objects in crossing orbits meet about twice per revolution: over a day the
    # brute force finds several minima under 300 km, each must come out on its own.
    latest = small.latest()
    pair = [latest[39419], latest[42834]]
    result = screen(pair, START, days=1.0, volume=ScreeningVolume(threshold_km=300.0), workers=1)
    truth = brute_force_minima(pair[0].satrec, pair[1].satrec, START, 86400, 300.0)
    assert len(truth) > 2
    assert len(result.events) == len(truth)
    got = sorted((e.tca_utc - START).total_seconds() for e in result.events)
    assert np.allclose(got, [t for t, _ in truth], atol=1e-3)


def test_docked_vehicle_is_listed_once_as_attached_not_as_events(small):
    result = screen(small, START, days=2.0, volume=ScreeningVolume(threshold_km=10.0),
                    primaries=[48274], workers=1)  # fmt: skip
    attached = {c.norad_2 for c in result.attached}
    assert {59591, 53239} <= attached  # SZ-18 and Wentian (docked to Tianhe in July 2024)
    assert all(c.attached for c in result.attached)
    assert not [e for e in result.events if e.norad_2 in attached]


def test_bad_records_are_skipped_and_broken_sgp4_objects_excluded_while_screening_continues(
    small,
):
    assert len(small.skipped) == 2  # broken checksum, truncated line
    result = screen(small, START, days=1.0, volume=ScreeningVolume(threshold_km=5.0), workers=1)
    assert len(result.skipped) == 2
    # DELTA 1 DEB (12279) is in its last days: SGP4 returns error codes or states
    # thousands of km off; it is excluded with a reason, and the rest is screened.
    excluded = {x.norad_id: x for x in result.excluded}
    assert 12279 in excluded and excluded[12279].n_samples > 0
    assert excluded[12279].reason
    assert any(e.norad_1 == 26549 and e.norad_2 == 39438 for e in result.events)


def test_rtn_box_keeps_only_events_inside_the_box(small):
    latest = small.latest()
    pair = [latest[39419], latest[42834]]
    sphere = screen(pair, START, days=1.0, volume=ScreeningVolume(threshold_km=300.0), workers=1)
    box = screen(pair, START, days=1.0, volume=ScreeningVolume(box_rtn_km=(200, 600, 600)),
                 workers=1)  # fmt: skip
    inside = [
        e
        for e in sphere.events
        if abs(e.miss_rtn_km[0]) <= 100 and abs(e.miss_rtn_km[1]) <= 300
        and abs(e.miss_rtn_km[2]) <= 300
    ]  # fmt: skip
    # The box's half-diagonal (430 km) exceeds 300 km: events beyond the sphere may
    # appear too, but every sphere event inside the box must be there.
    box_tcas = {round(e.tca_jd * 86400, 2) for e in box.events}
    assert {round(e.tca_jd * 86400, 2) for e in inside} <= box_tcas
    for e in box.events:
        assert abs(e.miss_rtn_km[0]) <= 100 and abs(e.miss_rtn_km[1]) <= 300


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"volume": None, "threshold_km": -1.0}, "--threshold-km"),
        ({"volume": None, "box_rtn_km": (4, 0, 50)}, "--box"),
        ({"days": 0.0}, "--days"),
        ({"primaries": [99999999]}, "--primary"),
        ({"workers": 0}, "--workers"),
    ],
)
def test_user_mistakes_raise_input_errors_naming_the_option(small, kwargs, field):
    with pytest.raises(InputError) as info:
        if kwargs.get("volume", 1) is None:
            args = {k: v for k, v in kwargs.items() if k != "volume"}
            ScreeningVolume(**args)
        else:
            screen(small, START, volume=ScreeningVolume(threshold_km=5.0), **kwargs)
    assert info.value.field == field


def test_two_local_workers_give_exactly_the_single_process_result(small):
    volume = ScreeningVolume(threshold_km=50.0)
    one = screen(small, START, days=0.5, volume=volume, workers=1)
    two = screen(small, START, days=0.5, volume=volume, workers=2)
    assert [e.as_dict() for e in one.events] == [e.as_dict() for e in two.events]
    assert [e.as_dict() for e in one.attached] == [e.as_dict() for e in two.attached]


FORK_CHILD = """
import json, sys
from datetime import UTC, datetime
from stationplan.orbit.elements import load_catalog
from stationplan.screening.screen import ScreeningVolume, screen, usable_cores
small = load_catalog(sys.argv[1])
start = datetime(2024, 7, 5, tzinfo=UTC)
volume = ScreeningVolume(threshold_km=50.0)
two = screen(small, start, days=0.5, volume=volume, workers=2)  # nothing built here yet
one = screen(small, start, days=0.5, volume=volume, workers=1)
same = [e.as_dict() for e in one.events + one.attached] == [
    e.as_dict() for e in two.events + two.attached
]
print(json.dumps({"forked": two.stats["forked_workers"], "same": same,
                  "events": len(one.events), "cores": usable_cores()}))
"""


def test_workers_forked_from_a_fresh_process_give_exactly_the_single_process_result():
    # A fresh interpreter: no heyoka propagator was built in it, so its workers are forked.
    run = subprocess.run(
        [sys.executable, "-c", FORK_CHILD, str(SMALL)],
        capture_output=True, text=True, check=True, timeout=600,
    )  # fmt: skip
    child = json.loads(run.stdout.splitlines()[-1])
    assert child["same"] and child["events"] > 0
    if child["cores"] >= 2 and sys.platform.startswith("linux") and sys.version_info < (3, 12):
        assert child["forked"] == 1


def test_workers_are_not_forked_once_heyoka_threads_exist_in_this_process(small):
    pytest.importorskip("heyoka")
    HeyokaSGP4.from_satrecs([e.satrec for e in small.latest().values()])
    assert not _fork_is_safe()


def test_dask_local_cluster_gives_exactly_the_single_process_result(small):
    distributed = pytest.importorskip("distributed")
    volume = ScreeningVolume(threshold_km=50.0)
    one = screen(small, START, days=0.5, volume=volume, workers=1)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
    ):
        on_dask = screen(small, START, days=0.5, volume=volume, scheduler=cluster.scheduler_address)
    assert [e.as_dict() for e in one.events] == [e.as_dict() for e in on_dask.events]
    assert len(one.attached) == len(on_dask.attached)


def test_a_dask_worker_killed_in_the_middle_of_a_run_changes_no_event(small):
    # A worker process is killed (SIGKILL, as the OOM killer would) after the first chunk
    # is back while the others are still queued, running or held in worker memory: dask
    # re-runs the lost chunks on the surviving or restarted worker.
    distributed = pytest.importorskip("distributed")
    volume = ScreeningVolume(threshold_km=50.0)
    one = screen(small, START, days=2.0, volume=volume, workers=1)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        victim = max(w.pid for w in cluster.scheduler.workers.values())  # the scheduler's record
        killed: list[tuple[int, int]] = []

        def kill_one_worker(done: int, total: int) -> None:
            if not killed:
                os.kill(victim, signal.SIGKILL)
                killed.append((done, total))

        on_dask = screen(small, START, days=2.0, volume=volume,
                         scheduler=cluster.scheduler_address, progress=kill_one_worker)  # fmt: skip
        assert killed and killed[0][0] < killed[0][1]  # the kill came with work left
        with pytest.raises(ProcessLookupError):
            os.kill(victim, 0)  # it did die
    assert [e.as_dict() for e in one.events] == [e.as_dict() for e in on_dask.events]
    assert [e.as_dict() for e in one.attached] == [e.as_dict() for e in on_dask.attached]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_screening_interrupted_after_its_first_chunk_and_rerun_gives_the_same_result(
    small, workers
):
    volume = ScreeningVolume(threshold_km=50.0)
    clean = screen(small, START, days=1.0, volume=volume, workers=1)

    def interrupt(done: int, total: int) -> None:
        raise KeyboardInterrupt  # what Ctrl-C raises in the main thread

    with pytest.raises(KeyboardInterrupt):
        screen(small, START, days=1.0, volume=volume, workers=workers, progress=interrupt)
    rerun = screen(small, START, days=1.0, volume=volume, workers=workers)
    assert [e.as_dict() for e in rerun.events] == [e.as_dict() for e in clean.events]
    assert [e.as_dict() for e in rerun.attached] == [e.as_dict() for e in clean.attached]
    assert rerun.excluded == clean.excluded


def test_more_workers_than_cores_run_as_many_processes_as_cores(small):
    volume = ScreeningVolume(threshold_km=50.0)
    many = screen(small, START, days=0.5, volume=volume, workers=1000)
    assert many.stats["workers"] == usable_cores() == len(os.sched_getaffinity(0))
    one = screen(small, START, days=0.5, volume=volume, workers=1)
    assert [e.as_dict() for e in one.events] == [e.as_dict() for e in many.events]


@pytest.mark.parametrize("primaries", [None, [48274]])
def test_every_object_not_screened_is_counted_under_one_reason(small, primaries):
    result = screen(small, START, days=1.0, volume=ScreeningVolume(threshold_km=10.0),
                    primaries=primaries, workers=1)  # fmt: skip
    assert result.n_objects == len(small.latest()) == 12
    ids = [k for group in result.not_screened.values() for k in group]
    assert len(ids) == len(set(ids)) == result.n_objects - result.n_screened > 0
    line = result.accounting()
    assert f"{result.n_screened} of 12 objects screened" in line
    for reason, group in result.not_screened.items():
        assert f"{len(group)} {reason}" in line
        assert not [e for e in result.events if {e.norad_1, e.norad_2} & set(group)]
    if primaries is None:
        # DELTA 1 DEB (12279) has no plausible state on this day: never screened.
        assert (
            sum(x.n_samples for x in result.excluded if x.norad_id == 12279) == result.n_steps + 1
        )
        assert [reason for reason, group in result.not_screened.items() if 12279 in group]
    else:
        # Brute force: the radius of each object left out by the radial filter, sampled
        # every minute, stays more than 10 km away from every radius of the CSS.
        (filtered,) = (g for r, g in result.not_screened.items() if "radial band" in r)
        latest = small.latest()
        jd0, fr0 = datetime_to_jd(START)
        t = np.arange(0.0, 86401.0, 60.0)

        def radii(norad: int) -> np.ndarray:
            e, r, _v = latest[norad].satrec.sgp4_array(np.full(t.size, jd0), fr0 + t / 86400)
            return np.linalg.norm(r[e == 0], axis=1)

        css = radii(48274)
        for norad in filtered:
            r = radii(norad)
            assert np.all((r > css.max() + 10.0) | (r < css.min() - 10.0)), norad


def test_progress_callback_reaches_the_total(small):
    seen: list[tuple[int, int]] = []
    screen(small, START, days=0.2, volume=ScreeningVolume(threshold_km=5.0), workers=1,
           progress=lambda done, total: seen.append((done, total)))  # fmt: skip
    assert seen and seen[-1][0] == seen[-1][1]


# ---------------------------------------------------------------------------
# Catalogue scale: completeness against the brute-force fixture


@pytest.fixture(scope="module")
def catalog_2024():
    if not CATALOG_2024.exists():
        pytest.skip(f"catalog absent: {CATALOG_2024}")
    return load_catalog(CATALOG_2024)


@pytest.fixture(scope="module")
def reference():
    return json.loads(REFERENCE.read_text())


@pytest.mark.catalog
def test_css_and_iss_screening_over_7_days_finds_every_brute_force_conjunction(
    catalog_2024, reference
):
    result = screen(catalog_2024, START, days=7.0, volume=ScreeningVolume(threshold_km=10.0),
                    primaries=[48274, 25544])  # fmt: skip
    attached_pairs = {(c.norad_1, c.norad_2) for c in result.attached}
    attached_pairs |= {(b, a) for a, b in attached_pairs}
    for case in reference["one_vs_catalog"]:
        primary = case["primary"]
        truth = [
            {**ev, "norad_1": min(ev["norad_1"], ev["norad_2"]),
             "norad_2": max(ev["norad_1"], ev["norad_2"])}
            for ev in case["events"]
        ]  # fmt: skip
        mine = [e for e in result.events if primary in (e.norad_1, e.norad_2)]
        assert_complete(mine, truth, attached_pairs, START)
    # The docked vehicles of July 2024 come out as attached (NASA/CMSA manifests):
    # ISS: Nauka, Cygnus NG-20, Progress MS-26/27, Crew Dragon Endeavour, Soyuz MS-25,
    # Starliner Calypso; CSS (Tianhe): Wentian, Mengtian, Tianzhou-7, Shenzhou-18.
    iss = {c.norad_2 for c in result.attached if c.norad_1 == 25544}
    css = {c.norad_2 for c in result.attached if c.norad_1 == 48274}
    assert iss == {49044, 58898, 58961, 59097, 59294, 59913, 59968}
    assert css == {53239, 54216, 58811, 59591}


@pytest.mark.catalog
def test_all_vs_all_on_2500_objects_over_a_day_finds_every_brute_force_conjunction(
    catalog_2024, reference
):
    case = reference["all_vs_all"]
    latest = catalog_2024.latest()
    elements = [latest[n] for n in case["norad_ids"]]
    assert len(elements) >= 2000
    result = screen(elements, START, days=case["days"],
                    volume=ScreeningVolume(threshold_km=case["threshold_km"]))  # fmt: skip
    attached_pairs = {(c.norad_1, c.norad_2) for c in result.attached}
    assert_complete(result.events, case["events"], attached_pairs, START)
    assert_nothing_extra(result.events, case["events"], START)


def test_the_fast_json_writer_gives_json_dumps_bytes_for_real_and_awkward_records(small):
    import dataclasses

    from stationplan.screening.conjunction import conjunctions_json, write_conjunctions_json
    from stationplan.screening.pc import with_probabilities

    result = screen(small, START, days=1.0, volume=ScreeningVolume(threshold_km=50.0), workers=1)
    events = with_probabilities(list(result.events)) + list(result.attached)
    assert len(events) > 10
    first = events[0]
    awkward = [
        dataclasses.replace(first, name_1='Ünïcode "quoted" \\ name', pc=float("nan")),
        dataclasses.replace(first, miss_km=float("inf"), hard_body_radius_m=12, pc=None),
        dataclasses.replace(first, tca_jd=2460496, age_days_1=np.float64(1.5), name_2="INFINITY"),
        dataclasses.replace(first, miss_rtn_km=(1, np.float32(0.1), -0.0), pc=0.0),
    ]
    for records in (events + awkward, [], awkward[:1]):
        assert conjunctions_json(records) == json.dumps([c.as_dict() for c in records], indent=2)
        pieces: list[str] = []
        write_conjunctions_json(records, pieces.append, batch=3)  # batch edges
        assert "".join(pieces) == conjunctions_json(records)


def test_screening_with_pc_gives_the_records_with_probabilities_gives_bit_for_bit(small):
    # screen(pc=True) fills the default Pc from its arrays instead of copying every record
    # afterwards: the records must be those of with_probabilities on the plain screening,
    # field for field (repr, so every bit of every float), in the same order.
    from stationplan.screening.pc import with_probabilities

    volume = ScreeningVolume(threshold_km=50.0)
    plain = screen(small, START, days=1.0, volume=volume, workers=1)
    filled = screen(small, START, days=1.0, volume=volume, workers=1, pc=True)
    expected = with_probabilities(list(plain.events))
    assert len(expected) > 10 and all(e.pc is not None for e in expected)
    assert [repr(e) for e in filled.events] == [repr(e) for e in expected]
    assert filled.attached == plain.attached


def test_json_written_by_two_processes_is_byte_for_byte_the_one_process_text(small):
    # write_conjunctions_json(processes=2): a forked child writes the second half to a
    # spool file, copied after the first half; the pieces and the bytes stay the same.
    from stationplan.screening.conjunction import conjunctions_json, write_conjunctions_json

    result = screen(small, START, days=1.0, volume=ScreeningVolume(threshold_km=50.0), workers=1)
    records = list(result.events) + list(result.attached)
    assert len(records) > 10
    expected = conjunctions_json(records)
    for batch in (1, 3, 7):
        pieces: list[str] = []
        write_conjunctions_json(records, pieces.append, batch=batch, processes=2, min_split=1)
        assert "".join(pieces) == expected


def test_pc_computed_in_a_forked_process_is_the_same_bit_for_bit(small, monkeypatch):
    # A large screening computes its default Pc in a forked child while the records are
    # built; the arrays come back through a pipe and must fill the very same records.
    import stationplan.screening.screen as screen_module

    volume = ScreeningVolume(threshold_km=50.0)
    here = screen(small, START, days=1.0, volume=volume, workers=1, pc=True)
    monkeypatch.setattr(screen_module, "_PC_FORK_EVENTS", 1)
    forked = screen(small, START, days=1.0, volume=volume, workers=1, pc=True)
    assert len(here.events) > 10
    assert [repr(e) for e in forked.events] == [repr(e) for e in here.events]


def test_a_failing_pc_process_leaves_the_pc_to_the_screening_itself(small, monkeypatch):
    import stationplan.screening.screen as screen_module

    volume = ScreeningVolume(threshold_km=50.0)
    here = screen(small, START, days=1.0, volume=volume, workers=1, pc=True)
    parent, compute = os.getpid(), screen_module._default_pc

    def fails_in_the_child(*args):
        if os.getpid() != parent:
            raise RuntimeError("the forked Pc process fails")
        return compute(*args)

    monkeypatch.setattr(screen_module, "_PC_FORK_EVENTS", 1)
    monkeypatch.setattr(screen_module, "_default_pc", fails_in_the_child)
    forked = screen(small, START, days=1.0, volume=volume, workers=1, pc=True)
    assert [repr(e) for e in forked.events] == [repr(e) for e in here.events]


def test_a_screening_failing_while_its_pc_process_runs_leaves_no_process_behind(small, monkeypatch):
    import stationplan.screening.screen as screen_module

    build_records = screen_module._records

    def broken_records(*args, **kwargs):
        if not kwargs["attached"]:  # the events' records, while the Pc process runs
            raise RuntimeError("records")
        return build_records(*args, **kwargs)

    children = []
    start_pc = screen_module._default_pc_forked

    def recording(*args):
        pending = start_pc(*args)
        children.append(pending)
        return pending

    monkeypatch.setattr(screen_module, "_PC_FORK_EVENTS", 1)
    monkeypatch.setattr(screen_module, "_default_pc_forked", recording)
    monkeypatch.setattr(screen_module, "_records", broken_records)
    with pytest.raises(RuntimeError, match="records"):
        screen(small, START, days=1.0, volume=ScreeningVolume(threshold_km=50.0), workers=1,
               pc=True)  # fmt: skip
    assert children and children[0] is not None
    with pytest.raises(ChildProcessError):  # killed and reaped: no such child any more
        os.waitpid(children[0].pid, os.WNOHANG)
