"""Conjunction screening of a catalogue: one (or a few) primaries against all, or all vs all.

Pipeline (details and guarantees in ``docs/screening.md``):

1. Filter (one-vs-catalogue only): objects whose radial band (osculating perigee to
   apogee, sampled every 6 h over the span and widened) never comes within the screening
   distance of a primary's band cannot meet it and are not propagated.
2. Sieve (:mod:`stationplan.screening.sieve`): SGP4 on a coarse grid, cut into time
   chunks; per grid step, a straight-line closest-approach test with a curvature margin
   that provably keeps every interval where a pair comes within the screening distance
   (all-vs-all: candidate pairs per step from a k-d tree).
3. TCA (:mod:`stationplan.screening.tca`): root of the range rate in each candidate
   interval with python-sgp4 at the exact trial times.
4. Co-orbiting pairs (docked vehicles with their own catalogue numbers, formations) are
   listed once as attached instead of as thousands of events.

Chunks run in this process, in local worker processes (``workers``) or as dask tasks on
a ``dask.distributed`` cluster (``scheduler``); results are identical.
"""

from __future__ import annotations

import dataclasses
import math
import os
import select
import signal
import sys
import time
import uuid
import warnings
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from multiprocessing import get_all_start_methods, get_context
from typing import Any

import numpy as np
from sgp4.api import Satrec, SatrecArray

from stationplan.errors import InputError
from stationplan.orbit.elements import Catalog, ElementSet, SkippedRecord
from stationplan.orbit.propagate import SatrecRecipe, propagate, rebuild_satrec, satrec_recipes
from stationplan.orbit.sgp4_backends import (
    HeyokaSGP4,
    StateBuffers,
    grid_propagator,
    heyoka_started,
    propagate_on,
    resolve_backend,
)
from stationplan.orbit.timescale import datetime_to_jd
from stationplan.screening.conjunction import Conjunction
from stationplan.screening.prefilter import near_objects, resonant
from stationplan.screening.sieve import (
    REASONS,
    SieveSettings,
    osculating_apsides_km,
    plausible_states,
    sieve_all,
    sieve_primaries,
)
from stationplan.screening.tca import (
    range_rate_function,
    refine_brackets,
    rtn_components,
    states_at,
)

__all__ = [
    "ISS_BOX_KM",
    "ExcludedObject",
    "ProgressCallback",
    "ScreeningResult",
    "ScreeningVolume",
    "prefer_small_pages",
    "screen",
    "usable_cores",
]

_SECONDS_PER_DAY = 86400.0
#: ISS screening box, full extents radial × transverse × normal (km) (FACTS.md).
ISS_BOX_KM = (4.0, 50.0, 50.0)
#: Default grid steps of the sieve (s): one-vs-catalogue runs are bound by propagation
#: (fewer, longer steps), all-vs-all by the k-d tree pair counts, which grow with the step.
DEFAULT_STEP_PRIMARY_S = 120.0
DEFAULT_STEP_ALL_S = 60.0
#: States (objects × times) held per chunk: 49 bytes each, so ~200 MiB per chunk.
_STATES_PER_CHUNK = 4_000_000
#: Grid steps of the smallest chunk (the first one is timed to decide on more processes).
_MIN_CHUNK_STEPS = 8
#: Start-up of a spawned worker (s): interpreter and imports, plus the rebuild of each
#: record (sgp4init) — measured 0.9 s + 26k × 25 µs on the 2 cores of the reference host.
#: Other processes start only when the work left in this one is twice that.
_WORKER_START_S = 0.9
_WORKER_START_PER_OBJECT_S = 25e-6
#: A lower bound on the work of one object over one grid step (s), all-vs-all or not:
#: heyoka's SIMD SGP4 alone takes ~0.1 µs per state on the reference host, a whole chunk
#: (propagation, sieve, TCA) ~1.3 µs. Jobs whose bound is worth twice a worker's start-up
#: start their workers at once (forked where that is safe) instead of after the probe.
_MIN_STATE_COST_S = 0.2e-6
#: Radial filter: osculating bands sampled every 6 h, widened by 50 km plus the largest
#: change between two samples (J2 short-period terms move the osculating radius by
#: ≲ 10 km in LEO; the sample-to-sample change covers drag decay between samples).
_BAND_SAMPLE_S = 6 * 3600.0
_BAND_MARGIN_KM = 10.0
#: One-vs-catalogue pre-filter: its grid is this many sieve steps (see prefilter.py; 4 at
#: 120 s keeps 159 of the CSS's 2,919 objects over 7 days, 8 keeps 2,333).
_PREFILTER_FACTOR = 4
#: The filters split their work with a forked process from twice this many objects.
_PREFILTER_SPLIT = 1000
#: prctl(2) option: disable transparent huge pages for this process and its children.
_PR_SET_THP_DISABLE = 41
#: Reason of an object without any usable SGP4 state over the span.
_NO_SAMPLE = "SGP4 fails at every sample of the span"
#: Two minima of one pair closer than this (s) are one event (seen from two chunks).
_DUPLICATE_S = 1e-3

#: progress(done_steps, total_steps): called after each chunk.
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class ScreeningVolume:
    """A sphere of radius ``threshold_km`` or an RTN box of full extents ``box_rtn_km``.

    The box (radial, transverse, normal, km; e.g. ISS 4 × 50 × 50) is centred on object 1
    (the primary; the lower catalogue number in all-vs-all) and aligned with its RTN axes
    at TCA; an event is inside when each miss component is within half the extent.
    """

    threshold_km: float | None = None
    box_rtn_km: tuple[float, float, float] | None = None

    def __post_init__(self) -> None:
        if (self.threshold_km is None) == (self.box_rtn_km is None):
            raise InputError("give either a threshold or a box", field="--threshold-km")
        if self.threshold_km is not None and not (
            math.isfinite(self.threshold_km) and self.threshold_km > 0
        ):
            raise InputError(
                f"threshold must be a positive distance in km, got {self.threshold_km}",
                field="--threshold-km",
            )
        if self.box_rtn_km is not None:
            box = tuple(float(x) for x in self.box_rtn_km)
            if len(box) != 3 or not all(math.isfinite(x) and x > 0 for x in box):
                raise InputError(
                    f"box must be three positive extents R,T,N in km, got {self.box_rtn_km}",
                    field="--box",
                )
            object.__setattr__(self, "box_rtn_km", box)

    @property
    def sieve_distance_km(self) -> float:
        """Radius (km) of the sphere holding the volume: the threshold or half-diagonal."""
        if self.box_rtn_km is not None:
            return 0.5 * math.sqrt(sum(x * x for x in self.box_rtn_km))
        assert self.threshold_km is not None
        return self.threshold_km

    def contains(self, miss_km: np.ndarray, miss_rtn_km: np.ndarray) -> np.ndarray:
        """Bool per event: is the miss vector inside the volume?"""
        if self.box_rtn_km is None:
            return miss_km <= self.sieve_distance_km
        half = 0.5 * np.asarray(self.box_rtn_km)
        return np.all(np.abs(miss_rtn_km) <= half, axis=-1)

    def describe(self) -> str:
        """Short text, e.g. '5 km sphere' or '4×50×50 km RTN box'."""
        if self.box_rtn_km is not None:
            return "×".join(f"{x:g}" for x in self.box_rtn_km) + " km RTN box"
        return f"{self.threshold_km:g} km sphere"


@dataclass(frozen=True)
class ExcludedObject:
    """An object left out of screening at some grid samples, and why.

    ``n_samples``: grid samples affected (of ``ScreeningResult.n_steps``); ``first_utc``:
    the first of them. ``reason``: SGP4's error text or the plausibility check that failed.
    """

    norad_id: int
    name: str
    reason: str
    n_samples: int
    first_utc: datetime


@dataclass(frozen=True)
class ScreeningResult:
    """Events (sorted by TCA), attached objects, exclusions and counts of one screening.

    ``events``: close approaches inside the volume, one per local minimum of the range.
    ``attached``: one record per co-orbiting pair (``attached=True``) at its closest
    sample. ``excluded``: objects not screened at some times (SGP4 errors, implausible
    states). ``skipped``: records the catalogue loader rejected. ``stats``: counters
    (objects propagated, candidate intervals, ...).
    """

    events: tuple[Conjunction, ...]
    attached: tuple[Conjunction, ...]
    excluded: tuple[ExcludedObject, ...]
    skipped: tuple[SkippedRecord, ...]
    start_utc: datetime
    end_utc: datetime
    step_s: float
    n_steps: int
    volume: ScreeningVolume
    primaries: tuple[int, ...]
    n_objects: int
    n_screened: int
    stats: dict[str, int] = field(default_factory=dict)
    #: NORAD ids of the objects screened at no time, by reason (``n_objects - n_screened``
    #: in all).
    not_screened: dict[str, tuple[int, ...]] = field(default_factory=dict)
    #: Objects screened at some grid samples only (listed in ``excluded``).
    n_partly_screened: int = 0
    #: Where the time went (s): ``filter`` (radial filter), ``prefilter`` (coarse grid,
    #: one-vs-catalogue), ``chunks`` (wall time of all
    #: chunks) and ``assembly`` (events, attached, exclusions) as wall time of this call;
    #: ``propagation``, ``sieve``, ``tca`` summed over the chunks of every process.
    phase_s: dict[str, float] = field(default_factory=dict)

    def accounting(self) -> str:
        """One line accounting for every object: how many were screened, and why each
        of the others was not (counts by reason), e.g. ``37 of 200 objects screened;
        not screened: 160 radial band …, 3 SGP4 fails at every sample of the span``."""
        text = f"{self.n_screened} of {self.n_objects} objects screened"
        if self.n_partly_screened:
            text += f" ({self.n_partly_screened} of them only at some grid samples)"
        if self.not_screened:
            reasons = ", ".join(f"{len(ids)} {reason}" for reason, ids in self.not_screened.items())
            text += f"; not screened: {reasons}"
        return text


# ---------------------------------------------------------------------------
# Chunk work (runs in this process, a worker process or a dask worker)


@dataclass(frozen=True)
class _Job:
    """What every chunk needs besides the records: grid, volume, mode."""

    token: str
    jd0: float
    fr0: float
    step_s: float
    span_s: float
    n_intervals: int
    primaries: tuple[int, ...] | None  # local indices; None = all vs all
    settings: SieveSettings
    backend: str = "sgp4"  # grid propagation (stationplan.orbit.sgp4_backends); TCA is python-sgp4


@dataclass(frozen=True)
class _ChunkResult:
    k0: int
    k1: int
    events: dict[str, np.ndarray]
    attached: dict[str, np.ndarray]
    excluded: dict[str, np.ndarray]
    n_pairs_tested: int
    n_candidates: int
    n_failed: int
    #: Seconds this chunk spent in grid propagation, the sieve and TCA refinement.
    seconds: tuple[float, float, float] = (0.0, 0.0, 0.0)


def _run_chunk(
    satrecs: Sequence[Satrec],
    grid: SatrecArray | HeyokaSGP4,
    job: _Job,
    k0: int,
    k1: int,
    buffers: StateBuffers | None = None,
):
    """Sieve and refine grid intervals k0..k1-1 (grid points k0..k1, and one more sample on
    each side for the plausibility check). ``grid`` propagates the grid states only, into
    ``buffers`` when given (this process's arrays, reused by its next chunk: nothing in
    the result may be a view of the grid states)."""
    h = job.step_s
    ks = np.arange(k0 - 1, k1 + 2)
    t_s = ks * h
    clock = [time.perf_counter()]
    batch = propagate_on(
        grid, np.full(ks.size, job.jd0), job.fr0 + t_s / _SECONDS_PER_DAY, buffers=buffers
    )
    clock.append(time.perf_counter())
    reason = plausible_states(batch.position_km, batch.velocity_km_s, batch.error_code, h)
    inner = slice(1, ks.size - 1)
    position = batch.position_km[:, inner]
    velocity = batch.velocity_km_s[:, inner]
    reason = reason[:, inner]
    usable = reason == 0
    settings = job.settings
    # The sieve takes the whole batch (no copy of the inner slice): the two outer samples
    # are for the plausibility check only, so they are marked unusable.
    usable_all = np.zeros(batch.error_code.shape, dtype=bool)
    usable_all[:, inner] = usable
    if job.primaries is None:
        cand = sieve_all(batch.position_km, batch.velocity_km_s, usable_all, k0 - 1, settings)
    else:
        cand = sieve_primaries(
            batch.position_km,
            batch.velocity_km_s,
            usable_all,
            np.asarray(job.primaries, dtype=np.int64),
            k0 - 1,
            settings,
        )
    n = len(satrecs)
    clock.append(time.perf_counter())
    attached_keys = np.unique(cand.attached_i * n + cand.attached_j)
    keep = ~np.isin(cand.i * n + cand.j, attached_keys)
    ci, cj, ck = cand.i[keep], cand.j[keep], cand.k[keep]
    # Range rate at the interval ends straight from the grid states (the same SGP4 values).
    g = np.einsum(
        "nk,nk->n",
        position[cj, ck - k0] - position[ci, ck - k0],
        velocity[cj, ck - k0] - velocity[ci, ck - k0],
    )
    g_end = np.einsum(
        "nk,nk->n",
        position[cj, ck - k0 + 1] - position[ci, ck - k0 + 1],
        velocity[cj, ck - k0 + 1] - velocity[ci, ck - k0 + 1],
    )
    a_s = ck * h
    b_s = np.minimum((ck + 1) * h, job.span_s)
    clipped = b_s < (ck + 1) * h  # last interval: its end is the span end, off the grid
    if clipped.any():
        g_end[clipped] = range_rate_function(
            satrecs, ci[clipped], cj[clipped], b_s[clipped], job.jd0, job.fr0
        )
    ca = refine_brackets(satrecs, ci, cj, a_s, b_s, g, g_end, job.jd0, job.fr0)
    miss = ca.miss_km
    speed = ca.relative_speed_km_s
    with np.errstate(invalid="ignore"):
        close = ca.ok & (miss <= settings.distance_km)
        co_orbiting = close & (miss < settings.attach_km) & (speed < settings.attach_speed_km_s)
    ev = close & ~co_orbiting
    events = {
        "i": ca.i[ev],
        "j": ca.j[ev],
        "t": ca.tca_s[ev],
        "r1": ca.r1_km[ev],
        "v1": ca.v1_km_s[ev],
        "r2": ca.r2_km[ev],
        "v2": ca.v2_km_s[ev],
    }
    attached = {
        "i": np.concatenate([cand.attached_i, ca.i[co_orbiting]]),
        "j": np.concatenate([cand.attached_j, ca.j[co_orbiting]]),
        "sep": np.concatenate([cand.attached_sep_km, miss[co_orbiting]]),
        "t": np.concatenate([cand.attached_k * h, ca.tca_s[co_orbiting]]),
    }
    # Exclusions: count each grid point once per chunk (the last one belongs to the next).
    counted = reason[:, :-1] if k1 < job.n_intervals else reason
    bad_obj, bad_t = np.nonzero(counted)
    codes = counted[bad_obj, bad_t]
    key = bad_obj * 256 + codes
    uniq, first, counts = np.unique(key, return_index=True, return_counts=True)
    excluded = {
        "obj": uniq // 256,
        "reason": uniq % 256,
        "count": counts,
        "first_k": bad_t[first] + k0 if first.size else np.empty(0, dtype=np.int64),
    }
    return _ChunkResult(
        k0,
        k1,
        events,
        attached,
        excluded,
        cand.n_pairs_tested,
        int(ci.size),
        int((~ca.ok).sum()),
        (clock[1] - clock[0], clock[2] - clock[1], time.perf_counter() - clock[2]),
    )


#: A worker's records, grid propagator and grid state buffers (kept from chunk to chunk:
#: no fresh ~200 MB of arrays to fault in per chunk), for one screening (its token). A dask
#: worker may run chunks in several threads at once: each borrows its own buffers.
_WORKER_CACHE: dict[str, tuple[list[Satrec], SatrecArray | HeyokaSGP4, list[StateBuffers]]] = {}


def _worker_records(
    token: str, recipes: list[SatrecRecipe], check: tuple[float, float], backend: str = "sgp4"
) -> tuple[list[Satrec], SatrecArray | HeyokaSGP4, list[StateBuffers]]:
    cached = _WORKER_CACHE.get(token)
    if cached is None:
        _WORKER_CACHE.clear()  # one screening at a time per worker process
        satrecs = [rebuild_satrec(recipe, *check) for recipe in recipes]
        # Built here, not sent: a heyoka propagator need not pickle (and compiles fast).
        grid = grid_propagator(satrecs, backend)
        cached = _WORKER_CACHE[token] = (satrecs, grid, [])
    return cached


def _worker_chunk(
    recipes: list[SatrecRecipe], check: tuple[float, float], job: _Job, k0: int, k1: int
) -> _ChunkResult:
    """Entry point of a chunk in another process (local pool or dask worker)."""
    satrecs, grid, free = _worker_records(job.token, recipes, check, job.backend)
    try:
        buffers = free.pop()  # list.pop and append are atomic: threads never share one
    except IndexError:
        buffers = StateBuffers()
    try:
        return _run_chunk(satrecs, grid, job, k0, k1, buffers)
    finally:
        free.append(buffers)


_POOL_RECIPES: tuple[list[SatrecRecipe], tuple[float, float]] | None = None


def _pool_init(recipes: list[SatrecRecipe], check: tuple[float, float]) -> None:
    global _POOL_RECIPES
    _POOL_RECIPES = (recipes, check)


def _pool_chunk(job: _Job, k0: int, k1: int) -> _ChunkResult:
    if _FORKED_SATRECS is not None:
        return _forked_chunk(job, k0, k1)
    assert _POOL_RECIPES is not None
    return _worker_chunk(*_POOL_RECIPES, job, k0, k1)


#: A forked worker's records: this process's own Satrec objects, inherited by fork()
#: (no pickling, no imports, no rebuild), and its grid propagator, built after the fork.
_FORKED_SATRECS: list[Satrec] | None = None


def _pool_init_forked(satrecs: list[Satrec]) -> None:
    global _FORKED_SATRECS
    _FORKED_SATRECS = satrecs
    _WORKER_CACHE.clear()


def _forked_chunk(job: _Job, k0: int, k1: int) -> _ChunkResult:
    assert _FORKED_SATRECS is not None
    cached = _WORKER_CACHE.get(job.token)
    if cached is None:
        cached = _WORKER_CACHE[job.token] = (
            _FORKED_SATRECS,
            grid_propagator(_FORKED_SATRECS, job.backend),
            [StateBuffers()],
        )
    satrecs, grid, (buffers,) = cached  # a forked pool worker runs one chunk at a time
    return _run_chunk(satrecs, grid, job, k0, k1, buffers)


def _fork_is_safe() -> bool:
    """Whether worker processes may be forked from this one: POSIX fork is available and
    no heyoka propagator was built here yet (its thread pool does not survive a fork;
    other threads here, OpenBLAS's, have fork handlers). Python 3.12+ warns on any fork
    of a process with threads, so forking is kept to earlier versions."""
    return (
        sys.version_info < (3, 12)
        and sys.platform.startswith("linux")
        and "fork" in get_all_start_methods()
        and not heyoka_started()
    )


def _chunks(n_steps: int, n_objects: int, parts: int) -> list[tuple[int, int]]:
    """Consecutive (k0, k1) step ranges: bounded memory, and at least ``parts`` of them."""
    size = max(8, _STATES_PER_CHUNK // max(n_objects, 1))
    size = min(size, max(8, -(-n_steps // max(parts, 1))))
    return [(k, min(k + size, n_steps)) for k in range(0, n_steps, size)]


def _guided_chunks(n_steps: int, n_objects: int, workers: int) -> list[tuple[int, int]]:
    """Step ranges for ``workers`` processes: a small probe first (its time decides whether
    other processes pay off), then chunks of at most the memory bound that shrink towards
    the end (each a share of what is left: guided self-scheduling, Polychronopoulos & Kuck
    1987), so that all processes finish together. Chunk boundaries do not change results."""
    largest = max(_MIN_CHUNK_STEPS, _STATES_PER_CHUNK // max(n_objects, 1))
    out = [(0, min(_MIN_CHUNK_STEPS, n_steps))]
    k = out[0][1]
    while k < n_steps:
        share = -(-(n_steps - k) // (2 * workers))
        size = min(largest, max(_MIN_CHUNK_STEPS, share))
        out.append((k, min(k + size, n_steps)))
        k = out[-1][1]
    return out


def _run_all(
    satrecs: list[Satrec],
    job: _Job,
    chunks: list[tuple[int, int]],
    workers: int,
    scheduler: str | None,
    *,
    forced: bool = False,
    started: dict[str, int] | None = None,
) -> Iterator[_ChunkResult]:
    if scheduler is not None:
        yield from _run_dask(satrecs, job, chunks, scheduler)
        return
    yield from _run_local(satrecs, job, chunks, workers, forced=forced, started=started)


def _worker_start_s(n_objects: int) -> float:
    """Modelled start-up of one worker process (s): interpreter, imports, record rebuild."""
    return _WORKER_START_S + _WORKER_START_PER_OBJECT_S * n_objects


def _run_local(
    satrecs: list[Satrec],
    job: _Job,
    chunks: list[tuple[int, int]],
    workers: int,
    *,
    forced: bool = False,
    started: dict[str, int] | None = None,
) -> Iterator[_ChunkResult]:
    """Chunks in this process, joined by ``workers - 1`` other processes when the work
    left after the first chunk, timed here, is worth twice their start-up (or always when
    ``forced``, i.e. the caller asked for that many workers): no core idles while chunks
    remain (this process and the pool take the chunks in order, shrinking towards the end,
    two in flight per worker). A job whose lower bound (``_MIN_STATE_COST_S`` per object
    and step) already pays for them starts them before its first chunk, forked from this
    process where :func:`_fork_is_safe` (they inherit the records: ~0.05 s instead of
    ~1.5 s of imports and record rebuilds for 26k objects); otherwise they are spawned.
    ``started`` receives the number of ``forked_workers`` and ``spawned_workers``."""
    if started is None:
        started = {}
    started.update(forked_workers=0, spawned_workers=0)
    queue = deque(chunks)
    pool: ProcessPoolExecutor | None = None
    futures: set[Future[_ChunkResult]] = set()
    steps_done = 0
    busy_s = 0.0
    # A job whose lower-bound cost already pays for the workers starts them now, forked
    # before this process builds its own propagator (heyoka's threads must not exist yet).
    bound_s = _MIN_STATE_COST_S * len(satrecs) * sum(b - a for a, b in chunks[1:])
    early = (
        workers > 1 and len(queue) > 1 and (forced or bound_s > 2.0 * _worker_start_s(len(satrecs)))
    )
    try:
        if early and _fork_is_safe():
            pool = ProcessPoolExecutor(
                max_workers=workers - 1,
                mp_context=get_context("fork"),
                initializer=_pool_init_forked,
                initargs=(satrecs,),
            )
            first = queue.popleft()
            while queue and len(futures) < 2 * (workers - 1):
                futures.add(pool.submit(_pool_chunk, job, *queue.popleft()))  # forks here
            queue.appendleft(first)
            started["forked_workers"] = workers - 1
        grid = grid_propagator(satrecs, job.backend)
        buffers = StateBuffers()  # this process's grid states, reused by each of its chunks
        while queue or futures:
            if queue:
                k0, k1 = queue.popleft()
                began = time.perf_counter()
                result = _run_chunk(satrecs, grid, job, k0, k1, buffers)
                busy_s += time.perf_counter() - began
                steps_done += k1 - k0
                left_s = busy_s / steps_done * sum(b - a for a, b in queue)
                worth_it = forced or left_s > 2.0 * _worker_start_s(len(satrecs))
                if pool is None and workers > 1 and queue and worth_it:
                    check = _check_time(satrecs)
                    pool = ProcessPoolExecutor(
                        max_workers=workers - 1,
                        mp_context=get_context("spawn"),
                        initializer=_pool_init,
                        initargs=(satrec_recipes(satrecs, *check), check),
                    )
                    started["spawned_workers"] = workers - 1
                yield result
            elif futures:
                wait(futures, return_when=FIRST_COMPLETED)
            for future in [f for f in futures if f.done()]:
                futures.discard(future)
                yield future.result()
            while pool is not None and queue and len(futures) < 2 * (workers - 1):
                futures.add(pool.submit(_pool_chunk, job, *queue.popleft()))
    finally:
        # On an interruption (Ctrl-C, an error in a chunk, a closed generator) the queued
        # chunks are dropped instead of run to the end; a rerun starts from scratch.
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _run_dask(
    satrecs: list[Satrec], job: _Job, chunks: list[tuple[int, int]], scheduler: str
) -> Iterator[_ChunkResult]:
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError as exc:  # pragma: no cover - dask is a dependency
        raise InputError(f"dask.distributed is not installed: {exc}", field="--scheduler") from None
    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(
            f"cannot reach the dask scheduler at {scheduler!r}: {exc}", field="--scheduler"
        ) from None
    try:
        check = _check_time(satrecs)
        recipes = client.scatter(satrec_recipes(satrecs, *check), broadcast=True)
        futures = [
            client.submit(_worker_chunk, recipes, check, job, k0, k1, pure=False)
            for k0, k1 in chunks
        ]
        for future in dask_completed(futures):
            yield future.result()
    finally:
        client.close()


def prefer_small_pages() -> None:
    """Ask Linux to back this process (and the workers it starts) with 4 KiB pages
    instead of transparent huge pages (``prctl(PR_SET_THP_DISABLE)``, Linux ≥ 3.15,
    ``man 2 prctl``); a no-op elsewhere or when refused.

    Why: screening streams through fresh arrays of hundreds of MB. On the reference host
    (a virtual machine with THP ``always``) touching a fresh 200 MB array costs 1.3 s of
    system time in 2 MiB faults and 0.09 s with 4 KiB pages; the CSS run spent a third
    of its time there. Results do not depend on it. The CLI calls it; a library caller
    may.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_THP_DISABLE, 1, 0, 0, 0)
    except (OSError, AttributeError):  # no libc prctl: nothing to do
        return


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the OS tells, else all)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _check_time(satrecs: list[Satrec]) -> tuple[float, float]:
    """Fingerprint time of the record rebuild in other processes (noon of median epoch)."""
    epochs = np.array([s.jdsatepoch for s in satrecs] or [0.0])
    return float(np.floor(np.median(epochs) - 0.5) + 0.5), 0.5


# ---------------------------------------------------------------------------
# Public entry point


def screen(
    catalog: Catalog | Sequence[ElementSet],
    start_utc: datetime,
    *,
    days: float = 7.0,
    volume: ScreeningVolume,
    primaries: Sequence[int] | None = None,
    step_s: float | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: ProgressCallback | None = None,
    backend: str = "auto",
    prefilter: bool = True,
    pc: bool = False,
) -> ScreeningResult:
    """Screen ``primaries`` (NORAD ids) against every object, or all vs all when None.

    ``catalog``: a :class:`Catalog` (its newest element set per object is used) or element
    sets, one per object. ``start_utc``/``days``: the span. ``volume``: sphere or RTN box.
    ``step_s``: sieve grid step (s; default 120 with primaries, 60 all-vs-all); any step
    is exact, it only trades propagation against candidate refinements. ``workers``: local processes (None: all cores; small
    jobs stay in this process); ``scheduler``: address of a dask.distributed scheduler.
    ``backend``: SGP4 of the sieve grid, "sgp4" (python-sgp4), "heyoka"
    (``stationplan.orbit.sgp4_backends``: heyoka for near-earth objects, python-sgp4 for deep
    space) or "auto" (default: heyoka where it is installed, else python-sgp4; the events
    are the same). TCA and miss distances always come from python-sgp4. ``prefilter``
    (one-vs-catalogue only): drop the objects a coarse grid proves never to pass the sieve
    (:mod:`stationplan.screening.prefilter`) before the grid propagation; the result is
    the same either way, the ``prefiltered`` count in ``stats`` aside. ``pc``: fill each
    event's Pc with the default covariances and hard-body radii, exactly as
    :func:`stationplan.screening.pc.with_probabilities` on ``result.events`` would (straight
    from the arrays, without copying the records); events without an encounter plane keep
    ``pc`` None (that function's one-event path handles them).

    Returns a :class:`ScreeningResult` whose events are each pair's local minima of the
    range inside the span and the volume, with TCA and states from python-sgp4.
    """
    if not (math.isfinite(days) and days > 0):
        raise InputError(f"days must be positive, got {days}", field="--days")
    if days > 366:
        raise InputError(f"days must be at most 366, got {days}", field="--days")
    if step_s is None:
        step_s = DEFAULT_STEP_ALL_S if primaries is None else DEFAULT_STEP_PRIMARY_S
    if not (math.isfinite(step_s) and 1.0 <= step_s <= 600.0):
        raise InputError(f"step must be 1 to 600 s, got {step_s}", field="step_s")
    if workers is not None and workers < 1:
        raise InputError(f"workers must be at least 1, got {workers}", field="--workers")
    if start_utc.tzinfo is None:
        raise InputError("start time must be timezone-aware (UTC)", field="--start")
    backend = resolve_backend(backend, field="--backend")  # also: is heyoka installed?

    if isinstance(catalog, Catalog):
        latest = catalog.latest()
        elements = [latest[k] for k in sorted(latest)]
        skipped = catalog.skipped
    else:
        elements = sorted(catalog, key=lambda e: e.norad_id)
        skipped = ()
        if len({e.norad_id for e in elements}) != len(elements):
            raise InputError("give one element set per object", field="elements")
    ids = [e.norad_id for e in elements]
    index = {norad: k for k, norad in enumerate(ids)}
    primary_ids: tuple[int, ...] = ()
    if primaries is not None:
        primary_ids = tuple(dict.fromkeys(int(p) for p in primaries))
        if not primary_ids:
            raise InputError("give at least one primary", field="--primary")
        missing = [p for p in primary_ids if p not in index]
        if missing:
            raise InputError(
                f"NORAD {', '.join(map(str, missing))} not in the catalogue ({len(ids)} objects)",
                field="--primary",
            )

    jd0, fr0 = datetime_to_jd(start_utc)
    span_s = days * _SECONDS_PER_DAY
    n_steps = max(1, math.ceil(span_s / step_s))  # grid intervals
    settings = SieveSettings(step_s=step_s, distance_km=volume.sieve_distance_km)

    # 1. Radial filter and coarse pre-filter (one-vs-catalogue): keep the objects that can
    # reach a primary's band, then those a coarse grid cannot prove far from the primaries.
    began = time.perf_counter()
    chosen = list(range(len(elements)))
    no_band: list[int] = []
    gridded = chosen
    filter_s = (0.0, 0.0)
    if primaries is not None:
        chosen, no_band, gridded, filter_s = _filters(
            elements, [index[p] for p in primary_ids], jd0, fr0, span_s, n_steps, settings,
            backend, prefilter,
            usable_cores() if workers is None else min(workers, usable_cores()),
        )  # fmt: skip
    n_prefiltered = len(chosen) - len(gridded)
    screened = [elements[k] for k in gridded]
    local = {elements[k].norad_id: n for n, k in enumerate(gridded)}
    job = _Job(
        token=uuid.uuid4().hex,
        jd0=jd0,
        fr0=fr0,
        step_s=step_s,
        span_s=span_s,
        n_intervals=n_steps,
        primaries=None if primaries is None else tuple(local[p] for p in primary_ids),
        settings=settings,
        backend=backend,
    )
    satrecs = [e.satrec for e in screened]
    n_workers = usable_cores() if workers is None else min(workers, usable_cores())
    if scheduler is not None:
        chunks = _chunks(n_steps, len(satrecs), 4 * n_workers)
    else:
        chunks = _guided_chunks(n_steps, len(satrecs), n_workers)

    results: list[_ChunkResult] = []
    done = 0
    filtered = time.perf_counter()
    started: dict[str, int] = {}
    for result in _run_all(
        satrecs, job, chunks, n_workers, scheduler, forced=workers is not None, started=started
    ):
        results.append(result)
        done += result.k1 - result.k0
        if progress is not None:
            progress(done, n_steps)

    chunked = time.perf_counter()
    assembled = _assemble(
        results,
        screened,
        satrecs,
        job,
        start_utc,
        n_steps,
        volume,
        primary_ids,
        skipped,
        len(elements),
        [elements[k] for k in no_band],
        [
            elements[k].norad_id
            for k in sorted(set(range(len(elements))) - set(chosen) - set(no_band))
        ],
        n_workers if scheduler is None else 0,
        n_prefiltered,
        with_pc=pc,
    )
    phases = {
        "filter": filter_s[0],
        "prefilter": filter_s[1] + (filtered - began - sum(filter_s)),
        "chunks": chunked - filtered,
        **{
            name: sum(r.seconds[k] for r in results)
            for k, name in enumerate(("propagation", "sieve", "tca"))
        },
        "assembly": time.perf_counter() - chunked,
    }
    return dataclasses.replace(assembled, phase_s=phases, stats={**assembled.stats, **started})


def _filters(
    elements: list[ElementSet],
    primary_rows: list[int],
    jd0: float,
    fr0: float,
    span_s: float,
    n_steps: int,
    settings: SieveSettings,
    backend: str,
    prefilter: bool,
    processes: int,
) -> tuple[list[int], list[int], list[int], tuple[float, float]]:
    """(rows kept by the radial filter, rows with no usable band sample, rows the grid
    sieve must see, (radial, pre-filter) seconds of this process). Every decision is per
    object, so with ``processes`` > 1 and enough objects half of them are filtered in a
    process forked from this one (where :func:`_fork_is_safe`); same rows either way."""
    primary_set = set(primary_rows)
    others = [k for k in range(len(elements)) if k not in primary_set]
    args = (elements, primary_rows, jd0, fr0, span_s, n_steps, settings, backend, prefilter)
    if processes > 1 and len(others) >= 2 * _PREFILTER_SPLIT and _fork_is_safe():
        context = get_context("fork")
        reader, writer = context.Pipe(duplex=False)
        child = context.Process(target=_filter_child, args=(writer, others[1::2], *args))
        child.start()
        writer.close()
        mine = _filter_part(others[0::2], *args)
        try:
            theirs = reader.recv()
        except EOFError:  # the child died: do its half here
            theirs = None
        child.join()
        if not isinstance(theirs, tuple):
            theirs = _filter_part(others[1::2], *args)
        parts = [mine, theirs]
    else:
        parts = [_filter_part(others, *args)]
    chosen = sorted(primary_set.union(*(part[0] for part in parts)))
    no_band = sorted(set().union(*(part[1] for part in parts)))
    gridded = sorted(primary_set.union(*(part[2] for part in parts)))
    return chosen, no_band, gridded, parts[0][3]


def _filter_child(writer: Any, rows: list[int], *args: Any) -> None:
    """Forked half of :func:`_filters`: sends its result (or the error) back."""
    try:
        writer.send(_filter_part(rows, *args))
    except Exception as exc:  # reported to the parent, which then does this half itself
        writer.send(exc)
    finally:
        writer.close()


def _filter_part(
    rows: list[int],
    elements: list[ElementSet],
    primary_rows: list[int],
    jd0: float,
    fr0: float,
    span_s: float,
    n_steps: int,
    settings: SieveSettings,
    backend: str,
    prefilter: bool,
) -> tuple[list[int], list[int], list[int], tuple[float, float]]:
    """:func:`_filters` for ``rows`` (not primaries): (kept by the radial filter, no usable
    band sample — primaries included, pre-filter kept, (radial, pre-filter) seconds)."""
    began = time.perf_counter()
    part = list(primary_rows) + rows
    n_primaries = len(primary_rows)
    kept_local, missing_local = _radial_filter(
        [elements[k] for k in part], list(range(n_primaries)), jd0, fr0, span_s,
        settings.distance_km,
    )  # fmt: skip
    kept = [part[i] for i in kept_local if i >= n_primaries]
    missing = [part[i] for i in missing_local]
    radial = time.perf_counter()
    gridded = kept
    if prefilter:
        gridded = _prefilter_part(
            kept, elements, primary_rows, jd0, fr0, n_steps, settings, backend
        )  # fmt: skip
    return kept, missing, gridded, (radial - began, time.perf_counter() - radial)


def _prefilter_part(
    rows: list[int],
    elements: list[ElementSet],
    primary_rows: list[int],
    jd0: float,
    fr0: float,
    n_steps: int,
    settings: SieveSettings,
    backend: str,
) -> list[int]:
    """The rows of ``rows`` (not primaries) that :func:`prefilter.near_objects` keeps."""
    if not rows:
        return []
    factor = _PREFILTER_FACTOR
    n_coarse = -(-n_steps // factor)
    c = np.arange(-1, n_coarse + 2)
    t_s = c * factor * settings.step_s
    part = list(primary_rows) + rows
    grid = grid_propagator([elements[k].satrec for k in part], backend)
    batch = propagate_on(grid, np.full(c.size, jd0), fr0 + t_s / _SECONDS_PER_DAY)
    kept, _ = near_objects(
        batch.position_km, batch.velocity_km_s, batch.error_code,
        np.arange(len(primary_rows), dtype=np.int64), factor, n_steps, settings,
        np.array([resonant(elements[k].satrec) for k in part], dtype=bool),
    )  # fmt: skip
    return [k for k, keep in zip(rows, kept[len(primary_rows) :].tolist(), strict=True) if keep]


def _radial_filter(
    elements: list[ElementSet],
    primary_rows: list[int],
    jd0: float,
    fr0: float,
    span_s: float,
    distance_km: float,
) -> tuple[list[int], list[int]]:
    """(rows kept, rows with no usable sample) after the radial-band filter."""
    n_samples = math.ceil(span_s / _BAND_SAMPLE_S) + 1
    t_s = np.linspace(0.0, span_s, n_samples)
    array = SatrecArray([e.satrec for e in elements])
    batch = propagate(array, np.full(n_samples, jd0), fr0 + t_s / _SECONDS_PER_DAY)
    usable = batch.error_code == 0
    perigee, apogee = osculating_apsides_km(batch.position_km, batch.velocity_km_s)
    perigee = np.where(usable, perigee, np.nan)
    apogee = np.where(usable, apogee, np.nan)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows: no usable sample
        low = np.nanmin(perigee, axis=1)
        high = np.nanmax(apogee, axis=1)
        # Largest change of either apsis between consecutive samples (decay, J2 terms).
        change = np.abs(np.concatenate([np.diff(perigee, axis=1), np.diff(apogee, axis=1)], 1))
        drift = np.nan_to_num(np.nanmax(change, axis=1, initial=0.0))
    margin = _BAND_MARGIN_KM + drift
    missing = np.isnan(low)
    kept = set(primary_rows)
    for p in primary_rows:
        if missing[p]:
            continue
        reach = distance_km + margin[p] + margin
        with np.errstate(invalid="ignore"):
            overlap = (low - reach <= high[p]) & (high + reach >= low[p])
        kept.update(np.flatnonzero(overlap & ~missing).tolist())
    return sorted(kept), np.flatnonzero(missing).tolist()


def _assemble(
    results: list[_ChunkResult],
    screened: list[ElementSet],
    satrecs: list[Satrec],
    job: _Job,
    start_utc: datetime,
    n_steps: int,
    volume: ScreeningVolume,
    primary_ids: tuple[int, ...],
    skipped: Sequence[SkippedRecord],
    n_objects: int,
    no_band: list[ElementSet],
    out_of_band: list[int],
    n_workers: int,
    n_prefiltered: int = 0,
    with_pc: bool = False,
) -> ScreeningResult:
    n = len(screened)

    def cat(part: str, name: str, width: int = 0) -> np.ndarray:
        arrays = [getattr(r, part)[name] for r in results]
        if not arrays:
            return np.empty((0, width) if width else 0)
        return np.concatenate(arrays)

    # Attached pairs: their closest sample is the record; their events are dropped.
    ai, aj, asep, at = (cat("attached", k) for k in ("i", "j", "sep", "t"))
    attached_records: list[Conjunction] = []
    attached_keys: set[int] = set()
    if ai.size:
        keys = ai.astype(np.int64) * n + aj.astype(np.int64)
        order = np.lexsort((at, asep, keys))  # ties (identical element sets): earliest sample
        keys, ai, aj, at = keys[order], ai[order], aj[order], at[order]
        first = np.concatenate([[True], keys[1:] != keys[:-1]])
        ai, aj, at = ai[first], aj[first], at[first]
        attached_keys = set(keys[first].tolist())
        _, r1, v1, r2, v2 = _states(satrecs, ai, aj, at, job)
        attached_records = _records(screened, ai, aj, at, r1, v1, r2, v2, job, attached=True)

    ei, ej, et = (cat("events", k) for k in ("i", "j", "t"))
    r1, v1, r2, v2 = (cat("events", k, 3) for k in ("r1", "v1", "r2", "v2"))
    ei, ej = ei.astype(np.int64), ej.astype(np.int64)
    keys = ei * n + ej
    not_attached = ~np.isin(keys, np.fromiter(attached_keys, dtype=np.int64))
    order = np.lexsort((et, keys))
    order = order[not_attached[order]]
    sorted_keys, sorted_t = keys[order], et[order]
    unique = np.concatenate(
        [[True], (sorted_keys[1:] != sorted_keys[:-1]) | (np.diff(sorted_t) > _DUPLICATE_S)]
    )
    sel = order[unique] if order.size else order
    ei, ej, et, r1, v1, r2, v2 = (x[sel] for x in (ei, ej, et, r1, v1, r2, v2))
    miss_rtn = rtn_components(r1, v1, r2 - r1) if ei.size else np.empty((0, 3))
    inside = volume.contains(np.linalg.norm(r2 - r1, axis=-1), miss_rtn)
    ei, ej, et, r1, v1, r2, v2 = (x[inside] for x in (ei, ej, et, r1, v1, r2, v2))
    # In the order of the records: (TCA, NORAD 1, NORAD 2), stably (what sorting the
    # records by that key gave), with the TCA as _records computes it.
    ids = np.array([e.norad_id for e in screened], dtype=np.int64)
    tca_jd = job.jd0 + (job.fr0 + et / _SECONDS_PER_DAY)
    order = np.lexsort((ids[ej], ids[ei], tca_jd))
    ei, ej, et, r1, v1, r2, v2 = (x[order] for x in (ei, ej, et, r1, v1, r2, v2))
    if with_pc:
        # The Pc arithmetic (NumPy, SciPy: ~1.5 s for 187k events) in a forked process
        # while this one builds the records (Python: ~2 s), where forking is possible.
        pending = _default_pc_forked(screened, ei, ej, et, r1, v1, r2, v2, job)
        try:
            events = _records(screened, ei, ej, et, r1, v1, r2, v2, job, attached=False)
        except BaseException:
            if pending is not None:
                pending(cancel=True)
            raise
        pc, ok, hbr = (
            pending() if pending else _default_pc(screened, ei, ej, et, r1, v1, r2, v2, job)
        )
        _fill_pc(events, pc, ok, hbr)
    else:
        events = _records(screened, ei, ej, et, r1, v1, r2, v2, job, attached=False)

    excluded = _excluded(results, screened, job, no_band, start_utc)
    # Every object is screened, partly screened or not screened for one counted reason.
    samples: dict[int, int] = {}
    reasons: dict[int, list[str]] = {}
    for x in excluded:
        samples[x.norad_id] = samples.get(x.norad_id, 0) + x.n_samples
        reasons.setdefault(x.norad_id, []).append(x.reason)
    no_sample = {e.norad_id for e in no_band}
    never = {k for k, count in samples.items() if count >= n_steps + 1} - no_sample
    not_screened: dict[str, tuple[int, ...]] = {}
    if out_of_band:
        reach = f"{volume.sieve_distance_km:g} km"
        not_screened[f"whose radial band never comes within {reach} of a primary's"] = tuple(
            out_of_band
        )
    if no_sample:
        not_screened[_NO_SAMPLE] = tuple(sorted(no_sample))
    for k in sorted(never):
        reason = "left out at every grid sample: " + " / ".join(reasons[k])
        not_screened[reason] = (*not_screened.get(reason, ()), k)
    stats = {
        "pairs_tested": sum(r.n_pairs_tested for r in results),
        "candidate_intervals": sum(r.n_candidates for r in results),
        "refinements_failed": sum(r.n_failed for r in results),
        "chunks": len(results),
        "workers": n_workers,
        "prefiltered": n_prefiltered,
    }
    return ScreeningResult(
        events=tuple(events),
        attached=tuple(sorted(attached_records, key=lambda c: (c.norad_1, c.norad_2))),
        excluded=excluded,
        skipped=tuple(skipped),
        start_utc=start_utc,
        end_utc=start_utc + timedelta(seconds=job.span_s),
        step_s=job.step_s,
        n_steps=n_steps,
        volume=volume,
        primaries=primary_ids,
        n_objects=n_objects,
        n_screened=n + n_prefiltered - len(never) - len(no_sample & {e.norad_id for e in screened}),
        stats=stats,
        not_screened=not_screened,
        n_partly_screened=len(set(samples) - never - no_sample),
    )


def _default_pc(
    screened: list[ElementSet],
    i: np.ndarray,
    j: np.ndarray,
    t_s: np.ndarray,
    r1: np.ndarray,
    v1: np.ndarray,
    r2: np.ndarray,
    v2: np.ndarray,
    job: _Job,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(Pc, ok, hard-body radius m) of the events (i, j, t) with these TEME states, as
    :func:`~stationplan.screening.pc.with_probabilities` computes them on the records of
    these arrays in this order: the same inputs (the ages as _records computes them, the
    radii of default_radii_m) in the same order into one batch of
    :func:`~stationplan.screening.pc.default_pc_arrays` (its quadrature sum goes through
    BLAS, whose last bits depend on the batch)."""
    # Imported here: SciPy's quadrature and special functions are not needed by the
    # chunks, so workers that import this module start faster without them.
    from stationplan.screening.pc import default_pc_arrays, default_radii_m

    fr = job.fr0 + np.asarray(t_s, dtype=np.float64) / _SECONDS_PER_DAY
    tca_jd = job.jd0 + fr
    epoch_jd = np.array([e.epoch_jd for e in screened], dtype=np.float64)
    radii = default_radii_m([e.norad_id for e in screened], [e.name for e in screened])
    hbr = radii[i] + radii[j]
    pc, ok = default_pc_arrays(
        r1, v1, r2, v2, tca_jd - epoch_jd[i], tca_jd - epoch_jd[j], hbr
    )  # fmt: skip
    return pc, ok, hbr


#: Events from which the default Pc is computed in a forked process (below: in this one),
#: and how long that process may stay silent before it is given up (s).
_PC_FORK_EVENTS = 20_000
_PC_CHILD_STALL_S = 120.0


def _default_pc_forked(
    *args: Any,
) -> Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray]] | None:
    """Start :func:`_default_pc` (same arguments) in a forked child and return a function
    that waits for its arrays (the same values: the same computation, sent back as raw
    bytes through a pipe), or None where it should run here: few events, no ``fork``, or
    a fork that fails. A failure in the child makes the waiting function compute them
    here instead; ``cancel=True`` kills the child (its arrays are not needed after all)."""
    n = len(args[1])
    if n < _PC_FORK_EVENTS or not hasattr(os, "fork"):
        return None
    read_fd, write_fd = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        return None
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        code = 1
        try:
            os.close(read_fd)
            pc, ok, hbr = _default_pc(*args)
            with os.fdopen(write_fd, "wb") as out:
                for array in (pc.astype(np.float64), ok.astype(np.bool_), hbr.astype(np.float64)):
                    out.write(np.ascontiguousarray(array).tobytes())
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)

    def wait(cancel: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        # Read what the child sends; one that stops sending for _PC_CHILD_STALL_S (it
        # should take ~1.5 s for 187k events) is killed, and the Pc computed here.
        parts: list[bytes] = []
        with os.fdopen(read_fd, "rb", buffering=0) as inp:
            if cancel:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return np.empty(0), np.empty(0, dtype=bool), np.empty(0)
            while select.select([inp], [], [], _PC_CHILD_STALL_S)[0]:
                part = inp.read(1 << 20)
                if not part:
                    break
                parts.append(part)
            else:
                os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        data = b"".join(parts)
        if status != 0 or len(data) != 17 * n:  # the child failed: compute them here
            return _default_pc(*args)
        pc = np.frombuffer(data, dtype=np.float64, count=n)
        ok = np.frombuffer(data, dtype=np.bool_, count=n, offset=8 * n)
        hbr = np.frombuffer(data, dtype=np.float64, count=n, offset=9 * n)
        return pc, ok, hbr

    wait.pid = pid  # type: ignore[attr-defined]  # for tests: the child to look for
    return wait


def _fill_pc(events: list[Conjunction], pc: np.ndarray, ok: np.ndarray, hbr: np.ndarray) -> None:
    """Set the fields with_probabilities sets (Pc, method, hard-body radius, default
    covariances in ``extras``) on the new records ``events`` where ``ok``; the others (no
    encounter plane) keep None, for with_probabilities' one-event path. In place, instead
    of copying every record."""
    for record, good, pc_k, hbr_k in zip(events, ok.tolist(), pc.tolist(), hbr.tolist(),
                                         strict=True):  # fmt: skip
        if good:
            fields = record.__dict__
            fields["pc"], fields["pc_method"], fields["hard_body_radius_m"] = (
                pc_k, "FOSTER-1992", hbr_k,
            )  # fmt: skip
            fields["extras"] = {"covariance_1": "default", "covariance_2": "default"}


def _states(satrecs: list[Satrec], i: np.ndarray, j: np.ndarray, t: np.ndarray, job: _Job):
    e, r, v = states_at(satrecs, np.concatenate([i, j]), np.concatenate([t, t]), job.jd0, job.fr0)
    m = i.size
    return (e[:m] == 0) & (e[m:] == 0), r[:m], v[:m], r[m:], v[m:]


def _records(
    screened: list[ElementSet],
    i: np.ndarray,
    j: np.ndarray,
    t_s: np.ndarray,
    r1: np.ndarray,
    v1: np.ndarray,
    r2: np.ndarray,
    v2: np.ndarray,
    job: _Job,
    *,
    attached: bool,
) -> list[Conjunction]:
    if i.size == 0:
        return []
    miss_rtn = rtn_components(r1, v1, r2 - r1)
    vel_rtn = rtn_components(r1, v1, v2 - v1)
    miss = np.linalg.norm(r2 - r1, axis=-1)
    speed = np.linalg.norm(v2 - v1, axis=-1)
    # Every column at once, with the very operations the one-record formulas did (IEEE +,
    # −, ×, ÷ on float64 arrays give the bits of the same operations on Python floats):
    # TCA = jd0 + (fr0 + t / 86400), the ages TCA − epoch, and jd_to_datetime's
    # ((jd0 − 2440587.5) + fr) · 86400 Unix seconds, rounded to 6 decimals by Python.
    fr = job.fr0 + np.asarray(t_s, dtype=np.float64) / _SECONDS_PER_DAY
    tca_jd = job.jd0 + fr
    unix_s = ((job.jd0 - 2440587.5) + fr) * 86400.0
    epoch_jd = np.array([e.epoch_jd for e in screened], dtype=np.float64)
    age_1, age_2 = tca_jd - epoch_jd[i], tca_jd - epoch_jd[j]
    utc, fromtimestamp = UTC, datetime.fromtimestamp

    def rows(x: np.ndarray) -> Iterator[tuple[float, ...]]:  # (E, 3) -> tuples of floats
        return zip(*x.T.tolist(), strict=True)

    out = []
    new = object.__new__
    setattr_ = object.__setattr__
    columns = zip(
        i.tolist(), j.tolist(), tca_jd.tolist(), unix_s.tolist(), miss.tolist(),
        speed.tolist(), rows(miss_rtn), rows(vel_rtn), rows(r1), rows(v1), rows(r2), rows(v2),
        age_1.tolist(), age_2.tolist(), strict=True,
    )  # fmt: skip
    for a, b, tca, unix, miss_n, speed_n, m_rtn, w_rtn, r1_n, v1_n, r2_n, v2_n, g1, g2 in columns:
        e1, e2 = screened[a], screened[b]
        # Conjunction(...) without the frozen dataclass's per-field __setattr__ (no
        # __post_init__; the fields in declaration order, extras a fresh dict).
        record = new(Conjunction)
        setattr_(record, "__dict__", {
            "norad_1": e1.norad_id, "norad_2": e2.norad_id, "name_1": e1.name,
            "name_2": e2.name, "tca_utc": fromtimestamp(round(unix, 6), tz=utc),
            "tca_jd": tca, "miss_km": miss_n, "relative_speed_km_s": speed_n,
            "miss_rtn_km": m_rtn, "relative_velocity_rtn_km_s": w_rtn, "r1_km": r1_n,
            "v1_km_s": v1_n, "r2_km": r2_n, "v2_km_s": v2_n, "age_days_1": g1,
            "age_days_2": g2, "pc": None, "pc_method": None, "hard_body_radius_m": None,
            "attached": attached, "extras": {},
        })  # fmt: skip
        out.append(record)
    return out


def _excluded(
    results: list[_ChunkResult],
    screened: list[ElementSet],
    job: _Job,
    no_band: list[ElementSet],
    start_utc: datetime,
) -> tuple[ExcludedObject, ...]:
    totals: dict[tuple[int, int], list[int]] = {}
    for r in results:
        ex = r.excluded
        for obj, reason, count, first_k in zip(
            ex["obj"].tolist(),
            ex["reason"].tolist(),
            ex["count"].tolist(),
            ex["first_k"].tolist(),
            strict=True,
        ):
            entry = totals.setdefault((obj, reason), [0, first_k])
            entry[0] += count
            entry[1] = min(entry[1], first_k)
    out = [
        ExcludedObject(
            norad_id=screened[obj].norad_id,
            name=screened[obj].name,
            reason=REASONS.get(reason, f"SGP4 error {reason}"),
            n_samples=count,
            first_utc=start_utc + timedelta(seconds=first_k * job.step_s),
        )
        for (obj, reason), (count, first_k) in totals.items()
    ]
    out += [ExcludedObject(e.norad_id, e.name, _NO_SAMPLE, 0, start_utc) for e in no_band]
    return tuple(sorted(out, key=lambda x: (x.norad_id, x.reason)))
