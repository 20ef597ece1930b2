"""Batch SGP4 propagation of many objects over many times, and frame conversion.

SGP4 itself is python-sgp4's wrapper of the official C++ routine of Vallado et al.,
"Revisiting Spacetrack Report #3", AIAA 2006-6753 (``sgp4.api.SatrecArray``). This module
adds no physics: it calls ``SatrecArray._sgp4`` into preallocated buffers, cuts long runs
into time chunks of bounded memory, spreads objects across processes, and rotates the
TEME output into GCRS or ITRS with Skyfield's own rotations.

Times are UTC Julian dates split in two, ``jd`` + ``fr``, exactly as python-sgp4 takes
them (TLE epochs are UTC, as AIAA 2006-6753 and Skyfield assume). Positions are in km,
velocities in km/s.

Error codes are kept as SGP4 returns them (``sgp4.api.SGP4_ERRORS``): 0 ok; 1-4 bad or
diverging elements, where python-sgp4 writes NaN positions; 6 means the orbit has decayed
(radius below one Earth radius) and python-sgp4 still returns the *finite* position it
computed. We keep those finite numbers rather than turning them into NaN, so always mask
with ``StateBatch.valid`` (``error_code == 0``), never with ``np.isfinite``.
"""

from __future__ import annotations

import mmap
import os
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import pairwise
from multiprocessing import get_context
from typing import NamedTuple

import numpy as np
from sgp4.api import WGS72, WGS72OLD, WGS84, Satrec, SatrecArray

from stationplan.errors import InputError

FRAMES = ("teme", "gcrs", "itrs")

_SECONDS_PER_DAY = 86400.0
# Bytes held per (object, time) state: position and velocity (3 float64 each) + uint8 code.
_BYTES_PER_STATE = 2 * 3 * 8 + 1
# Vectors rotated per numpy call: big enough to amortise call overhead, small enough
# that the temporaries stay in cache.
_ROTATION_BLOCK_VECTORS = 65536
# Tasks per worker process, so that slow deep-space objects do not leave a process idle.
_TASKS_PER_WORKER = 4
# Days from the SGP4 epoch origin (1949 December 31 00:00 UT) to JD 0, as in sgp4init().
_SGP4_EPOCH_ORIGIN_JD = 2433281.5


@dataclass(frozen=True, eq=False)
class StateBatch:
    """Positions and velocities of N objects at T times, in one reference frame.

    ``position_km`` and ``velocity_km_s`` have shape (N, T, 3); ``error_code`` has shape
    (N, T) and holds the SGP4 error code of each state (0 ok, 1-6 as in
    ``sgp4.api.SGP4_ERRORS``). Codes 1-4 come with NaN vectors; code 6 (decayed) comes
    with the finite vectors SGP4 computed. Use ``valid`` to select usable states.
    """

    jd: np.ndarray
    fr: np.ndarray
    position_km: np.ndarray
    velocity_km_s: np.ndarray
    error_code: np.ndarray
    frame: str

    @property
    def valid(self) -> np.ndarray:
        """(N, T) bool: True where SGP4 reported no error (``error_code == 0``)."""
        return self.error_code == 0

    @property
    def n_objects(self) -> int:
        """Number of objects N (first axis)."""
        return int(self.error_code.shape[0])

    @property
    def n_times(self) -> int:
        """Number of times T (second axis)."""
        return int(self.jd.shape[0])


# ---------------------------------------------------------------------------
# Public API


def propagate(
    satellites: Sequence[Satrec] | SatrecArray,
    jd: np.ndarray,
    fr: np.ndarray,
    *,
    frame: str = "teme",
    workers: int = 1,
) -> StateBatch:
    """Propagate every object to every time with SGP4; return a (N, T) ``StateBatch``.

    ``satellites`` is a sequence of ``sgp4.api.Satrec`` or a prebuilt ``SatrecArray``
    (pass one when calling repeatedly: building it copies every record). ``jd`` and
    ``fr`` are UTC Julian date pairs of shape (T,). ``frame`` is "teme" (SGP4 output,
    AIAA 2006-6753 App. C), "gcrs" or "itrs" (see ``teme_to_gcrs``, ``teme_to_itrs``).

    ``workers > 1`` splits the objects across that many *spawned* processes (python-sgp4
    holds the GIL, so threads would not help), which write straight into one shared
    memory-mapped buffer (in /dev/shm when it has room). It needs a ``Satrec`` sequence
    (a ``SatrecArray`` cannot be taken apart or pickled), costs a few tenths of a second
    of process start-up, and, as with any spawned pool, a script calling it must guard
    its entry point with ``if __name__ == "__main__":``. Results are bit-for-bit those of
    one worker.
    """
    frame = check_frame(frame)
    _check_workers(workers)
    jd, fr = as_times(jd, fr)
    if workers > 1:
        satrecs = as_satrec_list(satellites, f"workers={workers}")
        with _ObjectPool(satrecs, workers) as pool:
            return pool.propagate(jd, fr, frame)
    return _propagate_here(_as_satrec_array(satellites), jd, fr, frame)


def iter_propagate(
    satellites: Sequence[Satrec] | SatrecArray,
    jd: np.ndarray,
    fr: np.ndarray,
    *,
    chunk_times: int | None = None,
    max_bytes: int = 512 * 2**20,
    frame: str = "teme",
    workers: int = 1,
) -> Iterator[StateBatch]:
    """Yield one ``StateBatch`` per consecutive time chunk, so memory stays bounded.

    Each batch holds all N objects and at most ``chunk_times`` times; by default the
    chunk length is the largest that keeps one batch under ``max_bytes`` bytes
    (49 bytes per object and time: two float64 3-vectors and a uint8 code), and at least
    one time. Concatenating the batches along the time axis gives exactly the result of
    one ``propagate`` call. With ``workers > 1`` one process pool serves every chunk.
    """
    frame = check_frame(frame)
    _check_workers(workers)
    jd, fr = as_times(jd, fr)
    if chunk_times is not None and chunk_times < 1:
        raise InputError(f"chunk_times must be at least 1, got {chunk_times}", field="chunk_times")
    if max_bytes < 1:
        raise InputError(f"max_bytes must be positive, got {max_bytes}", field="max_bytes")
    # Check the objects now, not at the first next() of the generator.
    if workers > 1:
        objects: list[Satrec] | SatrecArray = as_satrec_list(satellites, f"workers={workers}")
    else:
        objects = _as_satrec_array(satellites)
    if chunk_times is None:
        chunk_times = max(1, max_bytes // (_BYTES_PER_STATE * max(len(objects), 1)))
    return _iter_chunks(objects, jd, fr, chunk_times, frame, workers)


def teme_to_gcrs(
    position_km: np.ndarray, velocity_km_s: np.ndarray, jd: np.ndarray, fr: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Rotate TEME vectors into the GCRS; return ``(position_km, velocity_km_s)``.

    Uses Skyfield's ``TEME`` frame (AIAA 2006-6753 App. C): a z rotation from the mean
    equinox of TEME to the true equinox (GMST 1982 minus Skyfield's GAST, i.e. the
    equation of the equinoxes), then IAU 2006/2000A precession-nutation back to the GCRS.
    This is exactly what ``EarthSatellite.at(t)`` does, including its neglect of the
    frame's slow precession in the velocity (~5e-8 km/s in LEO). Arrays are (N, T, 3), (T, 3) or
    (3,); ``jd``, ``fr`` are UTC with shape (T,) (or scalars for one time).
    """
    return _convert(position_km, velocity_km_s, jd, fr, "gcrs")


def teme_to_itrs(
    position_km: np.ndarray, velocity_km_s: np.ndarray, jd: np.ndarray, fr: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Rotate TEME vectors into the Earth-fixed ITRS; return ``(position_km, velocity_km_s)``.

    AIAA 2006-6753 App. C, as in Skyfield's ``TEME_to_ITRF``: rotate by Greenwich mean
    sidereal time (IAU 1982, ``skyfield.sgp4lib.theta_GMST1982``) and subtract the Earth
    rotation term from the velocity. Polar motion is neglected (it moves points by up to
    ~15 m), as Skyfield does without an IERS polar-motion table. Same shapes as
    ``teme_to_gcrs``.
    """
    return _convert(position_km, velocity_km_s, jd, fr, "itrs")


# ---------------------------------------------------------------------------
# Input checks


def check_frame(frame: str) -> str:
    """The frame name if known ("teme", "gcrs", "itrs"), else an ``InputError``."""
    if frame not in FRAMES:
        raise InputError(
            f"unknown frame {frame!r}; expected one of {', '.join(FRAMES)}", field="frame"
        )
    return frame


def _check_workers(workers: int) -> None:
    if workers < 1:
        raise InputError(f"workers must be at least 1, got {workers}", field="workers")


def as_times(jd: np.ndarray, fr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``jd``, ``fr`` as contiguous float64 (T,) arrays, as ``_sgp4`` reads them raw."""
    jd_arr = np.atleast_1d(np.asarray(jd, dtype=np.float64))
    fr_arr = np.atleast_1d(np.asarray(fr, dtype=np.float64))
    if jd_arr.ndim != 1 or fr_arr.ndim != 1:
        raise InputError("jd and fr must be scalars or 1-D arrays", field="jd")
    if jd_arr.shape != fr_arr.shape:
        if jd_arr.size == 1 or fr_arr.size == 1:
            jd_arr, fr_arr = np.broadcast_arrays(jd_arr, fr_arr)
        else:
            raise InputError(
                f"jd and fr differ in length ({jd_arr.size} vs {fr_arr.size})", field="fr"
            )
    if not (np.isfinite(jd_arr).all() and np.isfinite(fr_arr).all()):
        raise InputError("jd and fr must be finite", field="jd")
    return np.ascontiguousarray(jd_arr), np.ascontiguousarray(fr_arr)


def _as_satrec_array(satellites: Sequence[Satrec] | SatrecArray) -> SatrecArray:
    if isinstance(satellites, SatrecArray):
        return satellites
    try:
        return SatrecArray(list(satellites))
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"satellites must be sgp4 Satrec objects: {exc}", field="satellites"
        ) from exc


def as_satrec_list(satellites: Sequence[Satrec] | SatrecArray, needed_by: str) -> list[Satrec]:
    """The records as a list of ``Satrec``; ``InputError`` for a ``SatrecArray`` (it cannot be
    taken apart) or anything else, naming what needed them (e.g. ``"workers=2"``)."""
    if isinstance(satellites, SatrecArray):
        raise InputError(
            f"{needed_by} needs the Satrec objects themselves, not a SatrecArray "
            "(a SatrecArray cannot be taken apart or sent to another process)",
            field="satellites",
        )
    satrecs = list(satellites)
    for index, sat in enumerate(satrecs):
        if not isinstance(sat, Satrec):
            raise InputError(
                f"satellites[{index}] is {type(sat).__name__}, not an sgp4 Satrec",
                field="satellites",
            )
    return satrecs


# ---------------------------------------------------------------------------
# One process


def sgp4_into(
    array: SatrecArray,
    jd: np.ndarray,
    fr: np.ndarray,
    error_code: np.ndarray,
    position_km: np.ndarray,
    velocity_km_s: np.ndarray,
) -> None:
    """Run SGP4 (TEME) for every object and time, writing into C-contiguous output buffers
    of shapes (N, T), (N, T, 3), (N, T, 3); ``jd``, ``fr`` as :func:`as_times` returns them.
    The same numbers as :func:`propagate`, without allocating its outputs."""
    if hasattr(array, "_sgp4"):
        array._sgp4(jd, fr, error_code, position_km, velocity_km_s)
    else:  # pure-Python fallback of python-sgp4 (no C++ extension): allocates, then copies
        error_code[...], position_km[...], velocity_km_s[...] = array.sgp4(jd, fr)


def _propagate_here(array: SatrecArray, jd: np.ndarray, fr: np.ndarray, frame: str) -> StateBatch:
    n, t = len(array), jd.shape[0]
    error_code = np.empty((n, t), dtype=np.uint8)
    position_km = np.empty((n, t, 3), dtype=np.float64)
    velocity_km_s = np.empty((n, t, 3), dtype=np.float64)
    sgp4_into(array, jd, fr, error_code, position_km, velocity_km_s)
    if frame != "teme" and n and t:
        transform = _frame_transform(jd, fr, frame)
        _apply_transform(position_km, velocity_km_s, transform, position_km, velocity_km_s)
    return StateBatch(jd, fr, position_km, velocity_km_s, error_code, frame)


def _empty_batch(n: int, jd: np.ndarray, fr: np.ndarray, frame: str) -> StateBatch:
    t = jd.shape[0]
    return StateBatch(
        jd,
        fr,
        np.empty((n, t, 3), dtype=np.float64),
        np.empty((n, t, 3), dtype=np.float64),
        np.empty((n, t), dtype=np.uint8),
        frame,
    )


def _iter_chunks(
    objects: list[Satrec] | SatrecArray,
    jd: np.ndarray,
    fr: np.ndarray,
    chunk_times: int,
    frame: str,
    workers: int,
) -> Iterator[StateBatch]:
    starts = range(0, jd.shape[0], chunk_times)
    if isinstance(objects, SatrecArray):
        for t0 in starts:
            chunk = slice(t0, t0 + chunk_times)
            yield _propagate_here(objects, jd[chunk], fr[chunk], frame)
    else:
        with _ObjectPool(objects, workers) as pool:
            for t0 in starts:
                chunk = slice(t0, t0 + chunk_times)
                yield pool.propagate(jd[chunk], fr[chunk], frame)


# ---------------------------------------------------------------------------
# Frames


class _FrameTransform(NamedTuple):
    """Per-time rotation TEME -> target, and the target frame's spin rate about z."""

    rotation: np.ndarray  # (T, 3, 3), applied as r_target = rotation @ r_teme
    spin_rad_s: np.ndarray | None  # (T,) Earth rotation rate for ITRS velocities, else None


def _skyfield_time(jd: np.ndarray, fr: np.ndarray):  # -> skyfield.timelib.Time
    """Skyfield ``Time`` for UTC (jd, fr) pairs, leap seconds looked up on the right day."""
    from stationplan.orbit.timescale import timescale

    # Re-split each instant as (midnight starting its UTC day, fraction of that day), so that
    # Skyfield looks up leap seconds for the right day; jd - midnight is exact in float64.
    midnight = np.floor(jd - 0.5) + 0.5
    fraction = (jd - midnight) + fr
    whole_days = np.floor(fraction)
    midnight += whole_days
    fraction -= whole_days
    # julian_day() is linear in its day argument, so day counts past 31 are fine;
    # JD 2451544.5 is 2000-01-01 00:00 UTC.
    day = 1.0 + (midnight - 2451544.5)
    return timescale().utc(2000, 1, day, 0, 0, fraction * _SECONDS_PER_DAY)


def _frame_transform(jd: np.ndarray, fr: np.ndarray, frame: str) -> _FrameTransform:
    """Rotation matrices TEME -> ``frame`` at each time, from Skyfield."""
    from skyfield.functions import rot_z
    from skyfield.sgp4lib import TEME, theta_GMST1982

    t = _skyfield_time(jd, fr)
    if frame == "gcrs":
        # TEME.rotation_at(t) maps GCRS -> TEME as (3, 3, T); its transpose maps back.
        to_teme = np.asarray(TEME.rotation_at(t)).reshape(3, 3, -1)
        return _FrameTransform(np.ascontiguousarray(to_teme.transpose(2, 1, 0)), None)
    if frame == "itrs":
        theta_rad, theta_dot_rad_per_day = theta_GMST1982(t.whole, t.ut1_fraction)
        rotation = np.asarray(rot_z(-theta_rad)).reshape(3, 3, -1)  # TEME -> PEF (= ITRS here)
        spin = np.broadcast_to(theta_dot_rad_per_day / _SECONDS_PER_DAY, jd.shape)
        return _FrameTransform(
            np.ascontiguousarray(np.moveaxis(rotation, 2, 0)),
            np.ascontiguousarray(spin, dtype=np.float64),
        )
    raise InputError(f"no conversion from TEME to {frame!r}", field="frame")


def _apply_transform(
    position_km: np.ndarray,
    velocity_km_s: np.ndarray,
    transform: _FrameTransform,
    out_position_km: np.ndarray,
    out_velocity_km_s: np.ndarray,
) -> None:
    """r' = R r, v' = R v (- w x r' for a spinning frame); (M, T, 3) arrays, may alias.

    ITRS velocity term from AIAA 2006-6753 App. C (as Skyfield's ``TEME_to_ITRF``):
    v_PEF = R v_TEME + (0, 0, -w) x r_PEF, with w the GMST rate.
    """
    m, t = position_km.shape[:2]
    rotation_t = transform.rotation.transpose(0, 2, 1)  # row vector @ R^T == (R @ col)^T
    block = max(1, _ROTATION_BLOCK_VECTORS // max(t, 1))
    for i0 in range(0, m, block):
        rows = slice(i0, min(m, i0 + block))
        new_r = np.matmul(position_km[rows, :, None, :], rotation_t)[:, :, 0, :]
        new_v = np.matmul(velocity_km_s[rows, :, None, :], rotation_t)[:, :, 0, :]
        if transform.spin_rad_s is not None:
            new_v[..., 0] += transform.spin_rad_s * new_r[..., 1]
            new_v[..., 1] -= transform.spin_rad_s * new_r[..., 0]
        out_position_km[rows] = new_r
        out_velocity_km_s[rows] = new_v


def _convert(
    position_km: np.ndarray,
    velocity_km_s: np.ndarray,
    jd: np.ndarray,
    fr: np.ndarray,
    frame: str,
) -> tuple[np.ndarray, np.ndarray]:
    position = np.asarray(position_km, dtype=np.float64)
    velocity = np.asarray(velocity_km_s, dtype=np.float64)
    jd_arr, fr_arr = as_times(jd, fr)
    if (
        position.shape != velocity.shape
        or position.ndim not in (1, 2, 3)
        or position.shape[-1] != 3
    ):
        raise InputError(
            f"positions {position.shape} and velocities {velocity.shape} must both be "
            "(N, T, 3), (T, 3) or (3,)",
            field="position_km",
        )
    shape = position.shape
    t = jd_arr.shape[0]
    times_in_array = 1 if position.ndim == 1 else shape[-2]
    if times_in_array != t:
        raise InputError(f"vectors hold {times_in_array} times but jd/fr hold {t}", field="jd")
    position3 = position.reshape(-1, t, 3)
    velocity3 = velocity.reshape(-1, t, 3)
    out_position = np.empty_like(position3)
    out_velocity = np.empty_like(velocity3)
    if out_position.size:
        transform = _frame_transform(jd_arr, fr_arr, frame)
        _apply_transform(position3, velocity3, transform, out_position, out_velocity)
    return out_position.reshape(shape), out_velocity.reshape(shape)


# ---------------------------------------------------------------------------
# Several processes
#
# A Satrec does not pickle, so each worker rebuilds the records with Satrec.sgp4init()
# from their elements, once per pool, and checks each rebuilt record against a
# fingerprint (its state at one common time, computed on a SatrecArray copy so the
# caller's records are not touched). The parent maps one scratch file per call; each
# task propagates a contiguous slice of objects straight into it, so nothing large is
# pickled. Tests check the result bit for bit against one process on a whole catalog.


class SatrecRecipe(NamedTuple):
    """Everything Satrec.sgp4init() needs to rebuild one record, plus its fingerprint."""

    gravity: int
    opsmode: str
    satnum: int
    jdsatepoch: float
    jdsatepochF: float  # noqa: N815 (python-sgp4's attribute name)
    bstar: float
    ndot: float
    nddot: float
    ecco: float
    argpo: float
    inclo: float
    mo: float
    no_kozai: float
    nodeo: float
    fingerprint: tuple[float, ...]  # (error code, x, y, z, vx, vy, vz) at the check time


def _gravity_models() -> dict[tuple[float, float], int]:
    """Map (radiusearthkm, mu) of a record to the gravity-model constant that made it."""
    models = {}
    for gravity in (WGS72OLD, WGS72, WGS84):
        probe = Satrec()
        probe.sgp4init(gravity, "i", 1, 25000.0, 0.0, 0.0, 0.0, 0.001, 0.0, 0.9, 0.0, 0.06, 0.0)
        models[(probe.radiusearthkm, probe.mu)] = gravity
    return models


def satrec_recipes(satrecs: list[Satrec], check_jd: float, check_fr: float) -> list[SatrecRecipe]:
    """Picklable recipes that rebuild each record exactly in another process
    (``rebuild_satrec``), with a fingerprint state at (check_jd, check_fr) to verify it."""
    error, position, velocity = SatrecArray(satrecs).sgp4(
        np.array([check_jd]), np.array([check_fr])
    )
    fingerprints = np.concatenate([error[:, :1], position[:, 0], velocity[:, 0]], axis=1)
    gravity_models = _gravity_models()
    return [
        SatrecRecipe(
            gravity_models.get((sat.radiusearthkm, sat.mu), WGS72),
            sat.operationmode,
            sat.satnum,
            sat.jdsatepoch,
            sat.jdsatepochF,
            sat.bstar,
            sat.ndot,
            sat.nddot,
            sat.ecco,
            sat.argpo,
            sat.inclo,
            sat.mo,
            sat.no_kozai,
            sat.nodeo,
            tuple(fingerprint),
        )
        for sat, fingerprint in zip(satrecs, fingerprints.tolist(), strict=True)
    ]


def _same_state(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return all(x == y or (x != x and y != y) for x, y in zip(a, b, strict=True))  # NaN == NaN


def rebuild_satrec(recipe: SatrecRecipe, check_jd: float, check_fr: float) -> Satrec:
    """A Satrec that propagates exactly like the original record."""
    # twoline2rv() hands sgp4init() (jdsatepoch + jdsatepochF) - origin; a direct
    # sgp4init() call stores its epoch as origin + whole days and the fraction. Deep-space
    # terms depend on the epoch's last bit, so keep the spelling that reproduces the
    # fingerprint (near-earth records match with any of them).
    first = (recipe.jdsatepoch + recipe.jdsatepochF) - _SGP4_EPOCH_ORIGIN_JD
    candidates = (
        first,
        (recipe.jdsatepoch - _SGP4_EPOCH_ORIGIN_JD) + recipe.jdsatepochF,
        float(np.nextafter(first, np.inf)),
        float(np.nextafter(first, -np.inf)),
    )
    chosen = None
    for epoch in candidates:
        sat = Satrec()
        sat.sgp4init(recipe.gravity, recipe.opsmode, recipe.satnum, epoch, *recipe[5:14])
        sat.jdsatepoch = recipe.jdsatepoch
        sat.jdsatepochF = recipe.jdsatepochF
        chosen = chosen or sat
        error, position, velocity = sat.sgp4(check_jd, check_fr)
        if _same_state((float(error), *position, *velocity), recipe.fingerprint):
            return sat
    return chosen  # no exact match found: differences, if any, are in the last bits


class _Task(NamedTuple):
    path: str
    n_objects: int
    i0: int
    i1: int
    jd: np.ndarray
    fr: np.ndarray
    transform: _FrameTransform | None


_worker_satrecs: list[Satrec] = []
_worker_arrays: dict[tuple[int, int], SatrecArray] = {}


def _worker_init(recipes: list[SatrecRecipe], check_jd: float, check_fr: float) -> None:
    global _worker_satrecs
    _worker_satrecs = [rebuild_satrec(recipe, check_jd, check_fr) for recipe in recipes]
    _worker_arrays.clear()


def _worker_run(task: _Task) -> None:
    key = (task.i0, task.i1)
    array = _worker_arrays.get(key)
    if array is None:
        array = _worker_arrays[key] = SatrecArray(_worker_satrecs[task.i0 : task.i1])
    t = task.jd.shape[0]
    with open(task.path, "r+b") as handle:
        buffer = mmap.mmap(handle.fileno(), _BYTES_PER_STATE * task.n_objects * t)
    try:
        error_code, position_km, velocity_km_s = _views(buffer, task.n_objects, t)
        rows = slice(task.i0, task.i1)
        e, r, v = error_code[rows], position_km[rows], velocity_km_s[rows]
        sgp4_into(array, task.jd, task.fr, e, r, v)
        if task.transform is not None:
            _apply_transform(r, v, task.transform, r, v)
        del error_code, position_km, velocity_km_s, e, r, v
    finally:
        buffer.close()


def _views(buffer: mmap.mmap, n: int, t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(error_code, position_km, velocity_km_s) arrays laid out in one shared buffer."""
    vectors = n * t * 3
    position_km = np.frombuffer(buffer, np.float64, vectors, 0).reshape(n, t, 3)
    velocity_km_s = np.frombuffer(buffer, np.float64, vectors, 8 * vectors).reshape(n, t, 3)
    error_code = np.frombuffer(buffer, np.uint8, n * t, 16 * vectors).reshape(n, t)
    return error_code, position_km, velocity_km_s


def _scratch_dir(nbytes: int) -> str | None:
    """/dev/shm when it has room (RAM, no disk writes), else the default temp dir."""
    shm = "/dev/shm"
    try:
        stats = os.statvfs(shm)
    except OSError:
        return None
    room = stats.f_bavail * stats.f_frsize
    return shm if room > 2 * nbytes and os.access(shm, os.W_OK) else None


class _ObjectPool:
    """Spawned worker processes that each hold every record; tasks are object slices."""

    def __init__(self, satrecs: list[Satrec], workers: int) -> None:
        self._n = len(satrecs)
        self._workers = max(1, min(workers, self._n))
        # Fingerprint time: noon of the median epoch, where few records fail.
        epochs = np.array([sat.jdsatepoch for sat in satrecs] or [0.0])
        self._check = (float(np.floor(np.median(epochs) - 0.5) + 0.5), 0.5)
        self._recipes = satrec_recipes(satrecs, *self._check) if satrecs else []
        n_tasks = min(self._n, self._workers * _TASKS_PER_WORKER)
        edges = np.linspace(0, self._n, n_tasks + 1).round().astype(int)
        self._slices = [(a, b) for a, b in pairwise(edges.tolist()) if b > a]
        self._executor: Executor | None = None

    def __enter__(self) -> _ObjectPool:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def _pool(self) -> Executor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self._workers,
                mp_context=get_context("spawn"),
                initializer=_worker_init,
                initargs=(self._recipes, *self._check),
            )
        return self._executor

    def propagate(self, jd: np.ndarray, fr: np.ndarray, frame: str) -> StateBatch:
        n, t = self._n, jd.shape[0]
        if n == 0 or t == 0:
            return _empty_batch(n, jd, fr, frame)
        transform = _frame_transform(jd, fr, frame) if frame != "teme" else None
        nbytes = _BYTES_PER_STATE * n * t
        fd, path = tempfile.mkstemp(
            prefix="stationplan-sgp4-", suffix=".bin", dir=_scratch_dir(nbytes)
        )
        try:
            os.ftruncate(fd, nbytes)
            buffer = mmap.mmap(fd, nbytes)
            os.close(fd)
            fd = -1
            tasks = [_Task(path, n, i0, i1, jd, fr, transform) for i0, i1 in self._slices]
            for _ in self._pool().map(_worker_run, tasks):
                pass
        finally:
            if fd >= 0:
                os.close(fd)
            # The mapping outlives the name: the result arrays keep the memory alive.
            os.unlink(path)
        error_code, position_km, velocity_km_s = _views(buffer, n, t)
        return StateBatch(jd, fr, position_km, velocity_km_s, error_code, frame)
