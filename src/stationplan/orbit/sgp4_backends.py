"""Optional faster SGP4 backend: heyoka's SGP4 for near-earth objects, python-sgp4 for the rest.

python-sgp4 (``sgp4.api``, the official C++ SGP4 of Vallado et al., "Revisiting Spacetrack
Report #3", AIAA 2006-6753) stays the authority. heyoka.py (PyPI ``heyoka``, the ``fast``
extra; ``heyoka.model.sgp4_propagator``, added in heyoka.py 5.1) is an independent,
SIMD-vectorised and multi-threaded implementation of the same near-earth SGP4 theory,
JIT-compiled with LLVM. It has **no deep-space (SDP4) branch**: for objects that need it
it silently returns positions hundreds of km off. So every record that python-sgp4 itself
propagates with SDP4 (``Satrec.method == "d"``: period ≥ 225 min, sgp4init), that heyoka's
``gpe_is_deep_space`` flags, or that was initialised with other gravity constants than
WGS-72 (heyoka's constants) is propagated by python-sgp4 instead, bit for bit as
:func:`stationplan.orbit.propagate.propagate` would.

heyoka is fed the minutes since each record's epoch computed exactly as python-sgp4 computes
them (``(jd - jdsatepoch) * 1440 + (fr - jdsatepochF) * 1440``), so both evaluate the
theory at the same instant. Measured on the 2024 catalogue (22,333 near-earth objects,
one day): positions agree with python-sgp4 to 1e-5 m for 99.9 % of objects; the few
objects that differ by more are near decay, where SGP4 has already thrown them to
millions of km (there the difference stays below 1e-9 of the radius: rounding amplified
by a degenerate orbit). Error codes agree everywhere; heyoka's codes are those of
python-sgp4 (``sgp4.api.SGP4_ERRORS``), and, as python-sgp4 does, the vectors of codes 1-5
are set to NaN while code 6 (decayed) keeps its finite vectors. ``tests/test_sgp4_backends.py``
checks all of this on the whole catalogue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np
from sgp4.api import WGS72, Satrec, SatrecArray

from stationplan.errors import InputError
from stationplan.orbit.propagate import (
    StateBatch,
    as_satrec_list,
    as_times,
    check_frame,
    propagate,
    sgp4_into,
    teme_to_gcrs,
    teme_to_itrs,
)

__all__ = [
    "BACKENDS",
    "HeyokaSGP4",
    "StateBuffers",
    "check_backend",
    "grid_propagator",
    "heyoka_available",
    "heyoka_started",
    "propagate_fast",
    "propagate_on",
    "resolve_backend",
]

#: Propagation backends: python-sgp4's SatrecArray, heyoka + python-sgp4, or "auto" (the
#: default of screening: heyoka where it is installed, python-sgp4 elsewhere).
BACKENDS = ("auto", "sgp4", "heyoka")

_MIN_PER_DAY = 1440.0
#: Near-earth records per heyoka propagator. heyoka writes (times, 7, objects): with a
#: few thousand objects per call, a whole screening chunk of times fits one output block
#: of a few tens of MiB, so the scatter into (object, time, 3) copies runs of a chunk's
#: length. A multiple of every SIMD batch size heyoka uses (1-16): the groups split the
#: records at batch boundaries, so each record is computed in a batch of the same width
#: as by one propagator of all of them (heyoka's results depend on the batch width, not
#: on a record's neighbours in its batch): bit for bit the same states
#: (tests/test_sgp4_backends.py; checked once on the whole 2024 catalogue over a day).
_HEYOKA_GROUP = 4096
#: Time blocks keep heyoka's output buffer of one group under 64 MiB.
_HEYOKA_BLOCK_BYTES = 64 * 2**20
#: Objects per scatter step from heyoka's (time, 7, object) layout into (object, time, 3).
_SCATTER_OBJECTS = 64


class StateBuffers:
    """Output arrays kept from one grid propagation to the next (one set per process).

    A fresh (N, T, 3) array of ~100 MB is a fresh mapping: the kernel faults in and zeroes
    every page on first touch, and the screening does that for every chunk. Handing the
    same :class:`StateBuffers` to each :func:`propagate_on` call reuses the memory instead.
    The arrays of a :class:`StateBatch` returned with buffers are **overwritten by the next
    call with the same buffers**: use it only when nothing keeps the previous batch (or
    views of it). The numbers are the same as without buffers.
    """

    def __init__(self) -> None:
        self._flat: dict[str, np.ndarray] = {}

    def take(self, name: str, shape: tuple[int, ...], dtype: type) -> np.ndarray:
        """A C-contiguous array of ``shape``, the first elements of buffer ``name`` (grown
        when too small; its contents are left over from an earlier call)."""
        size = int(np.prod(shape))
        flat = self._flat.get(name)
        if flat is None or flat.size < size or flat.dtype != dtype:
            flat = self._flat[name] = np.empty(size, dtype=dtype)
        return flat[:size].reshape(shape)

    @property
    def nbytes(self) -> int:
        """Bytes held."""
        return sum(flat.nbytes for flat in self._flat.values())


def _fresh(name: str, shape: tuple[int, ...], dtype: type) -> np.ndarray:
    return np.empty(shape, dtype=dtype)


def _wgs72_constants() -> tuple[float, float]:
    probe = Satrec()
    probe.sgp4init(WGS72, "i", 1, 25000.0, 0.0, 0.0, 0.0, 0.001, 0.0, 0.9, 0.0, 0.06, 0.0)
    return probe.radiusearthkm, probe.mu


_WGS72 = _wgs72_constants()


def _import_heyoka(field: str = "backend") -> ModuleType:
    """heyoka, or an InputError saying how to install it."""
    try:
        import heyoka
    except ImportError as exc:
        raise InputError(
            f"the heyoka backend needs the optional package heyoka >= 7.0 ({exc}); install "
            "it with `pip install 'stationplan[fast]'` or use the default backend 'sgp4'",
            field=field,
        ) from None
    if not hasattr(getattr(heyoka, "model", None), "sgp4_propagator"):
        raise InputError(
            f"heyoka {getattr(heyoka, '__version__', '?')} has no SGP4 propagator; "
            "the heyoka backend needs heyoka >= 7.0",
            field=field,
        )
    return heyoka


#: Set once this process has built a heyoka propagator: heyoka's LLVM/TBB threads then
#: exist, and a fork() of this process is no longer safe (screening then spawns workers).
_HEYOKA_BUILT = False


def heyoka_started() -> bool:
    """True once a heyoka propagator was built in this process (its threads exist)."""
    return _HEYOKA_BUILT


def heyoka_available() -> bool:
    """True when heyoka (with its SGP4 propagator) can be imported."""
    try:
        _import_heyoka()
    except InputError:
        return False
    return True


def check_backend(backend: str, *, field: str = "backend") -> str:
    """``backend`` if it is one of :data:`BACKENDS` and usable here, else an InputError
    (unknown name, or "heyoka" without heyoka installed); ``field`` names the option."""
    if backend not in BACKENDS:
        raise InputError(
            f"unknown SGP4 backend {backend!r}; expected one of {', '.join(BACKENDS)}",
            field=field,
        )
    if backend == "heyoka":
        _import_heyoka(field)
    return backend


def resolve_backend(backend: str, *, field: str = "backend") -> str:
    """ "sgp4" or "heyoka" for ``backend`` (checked by :func:`check_backend`): "auto" is
    heyoka where it imports (the default dependency on platforms with a wheel) and
    python-sgp4 elsewhere; both give the same states to the millimetre and the same
    screening events (tests/test_sgp4_backends.py)."""
    if check_backend(backend, field=field) == "auto":
        return "heyoka" if heyoka_available() else "sgp4"
    return backend


@dataclass(frozen=True, eq=False)
class HeyokaSGP4:
    """N records split between heyoka propagators (near-earth) and a SatrecArray.

    ``near_rows``/``deep_rows``: indices, in the caller's order, of the records heyoka and
    python-sgp4 propagate. ``epoch_jd``/``epoch_fr``: ``jdsatepoch``/``jdsatepochF`` of
    the near-earth records. Build it once with :meth:`from_satrecs` (heyoka JIT-compiles;
    ~0.1 s for the whole catalogue) and call :meth:`propagate` for each time grid. heyoka
    propagators are thread-safe since heyoka.py 7.8 but may not pickle: build one per
    process.
    """

    n_objects: int
    near_rows: np.ndarray
    deep_rows: np.ndarray
    epoch_jd: np.ndarray
    epoch_fr: np.ndarray
    #: heyoka.model.sgp4_propagator_dbl of consecutive groups of ``_HEYOKA_GROUP``
    #: near-earth records (the last one holds the rest); empty without near-earth records.
    near: tuple[Any, ...]
    deep: SatrecArray

    @classmethod
    def from_satrecs(cls, satrecs: Sequence[Satrec]) -> HeyokaSGP4:
        """Route each record (see the module docstring) and build both propagators."""
        heyoka = _import_heyoka()
        records = as_satrec_list(satrecs, "the heyoka backend")
        is_deep = heyoka.model.gpe_is_deep_space
        near_mask = np.array(
            [
                sat.method != "d"
                and not is_deep(sat.no_kozai, sat.ecco, sat.inclo)
                and (sat.radiusearthkm, sat.mu) == _WGS72
                for sat in records
            ],
            dtype=bool,
        )
        near_rows = np.flatnonzero(near_mask)
        deep_rows = np.flatnonzero(~near_mask)
        near_records = [records[i] for i in near_rows]
        global _HEYOKA_BUILT
        _HEYOKA_BUILT = _HEYOKA_BUILT or bool(near_records)
        return cls(
            n_objects=len(records),
            near_rows=near_rows,
            deep_rows=deep_rows,
            epoch_jd=np.array([sat.jdsatepoch for sat in near_records], dtype=np.float64),
            epoch_fr=np.array([sat.jdsatepochF for sat in near_records], dtype=np.float64),
            near=tuple(
                heyoka.model.sgp4_propagator(near_records[j : j + _HEYOKA_GROUP])
                for j in range(0, len(near_records), _HEYOKA_GROUP)
            ),
            deep=SatrecArray([records[i] for i in deep_rows]),
        )

    def __len__(self) -> int:
        return self.n_objects

    def propagate(
        self,
        jd: np.ndarray,
        fr: np.ndarray,
        *,
        frame: str = "teme",
        buffers: StateBuffers | None = None,
    ) -> StateBatch:
        """States of every record at the UTC Julian dates ``jd + fr``, as ``propagate``.

        Same shapes, frames, error codes and NaN convention as
        :func:`stationplan.orbit.propagate.propagate` (one process; heyoka itself uses threads).
        ``buffers``: TEME outputs and scratch arrays reused from call to call (see
        :class:`StateBuffers`: the returned arrays are overwritten by the next call).
        """
        frame = check_frame(frame)
        jd, fr = as_times(jd, fr)
        take = _fresh if buffers is None else buffers.take
        n, t = self.n_objects, jd.shape[0]
        position_km = take("position_km", (n, t, 3), np.float64)
        velocity_km_s = take("velocity_km_s", (n, t, 3), np.float64)
        error_code = take("error_code", (n, t), np.uint8)
        if n and t:
            if self.deep_rows.size:
                d = self.deep_rows.size
                deep_position = take("deep_position_km", (d, t, 3), np.float64)
                deep_velocity = take("deep_velocity_km_s", (d, t, 3), np.float64)
                deep_code = take("deep_error_code", (d, t), np.uint8)
                sgp4_into(self.deep, jd, fr, deep_code, deep_position, deep_velocity)
                position_km[self.deep_rows] = deep_position
                velocity_km_s[self.deep_rows] = deep_velocity
                error_code[self.deep_rows] = deep_code
            if self.near:
                self._near_into(jd, fr, position_km, velocity_km_s, error_code, take)
            if frame == "gcrs":
                position_km, velocity_km_s = teme_to_gcrs(position_km, velocity_km_s, jd, fr)
            elif frame == "itrs":
                position_km, velocity_km_s = teme_to_itrs(position_km, velocity_km_s, jd, fr)
        return StateBatch(jd, fr, position_km, velocity_km_s, error_code, frame)

    def _near_into(
        self,
        jd: np.ndarray,
        fr: np.ndarray,
        position_km: np.ndarray,
        velocity_km_s: np.ndarray,
        error_code: np.ndarray,
        take: Any = _fresh,
    ) -> None:
        """heyoka over groups of records and blocks of times, scattered into the (N, T, ...)
        outputs."""
        t = jd.shape[0]
        for g, propagator in enumerate(self.near):
            j0 = g * _HEYOKA_GROUP
            rows = self.near_rows[j0 : j0 + _HEYOKA_GROUP]
            m = rows.size
            block = max(1, min(t, _HEYOKA_BLOCK_BYTES // (7 * 8 * m)))
            out = take("heyoka_out", (block, 7, m), np.float64)
            minutes = take("heyoka_minutes", (block, m), np.float64)
            scratch = take("heyoka_scratch", (block, m), np.float64)
            epoch_jd = self.epoch_jd[j0 : j0 + m]
            epoch_fr = self.epoch_fr[j0 : j0 + m]
            for k0 in range(0, t, block):
                k1 = min(t, k0 + block)
                tsince_min, part_min = minutes[: k1 - k0], scratch[: k1 - k0]
                # Minutes since epoch exactly as python-sgp4's wrapper computes them,
                # (jd - jdsatepoch) * 1440 + (fr - jdsatepochF) * 1440, in place.
                np.subtract(jd[k0:k1, None], epoch_jd, out=tsince_min)
                np.multiply(tsince_min, _MIN_PER_DAY, out=tsince_min)
                np.subtract(fr[k0:k1, None], epoch_fr, out=part_min)
                np.multiply(part_min, _MIN_PER_DAY, out=part_min)
                np.add(tsince_min, part_min, out=tsince_min)
                states = propagator(tsince_min, out=out[: k1 - k0])
                # As python-sgp4 does: NaN vectors for codes 1-5, finite ones for 6 (decayed).
                code = states[:, 6]
                failed = (code > 0) & (code < 6)
                if failed.any():
                    np.copyto(states[:, 0:6], np.nan, where=failed[:, None, :])
                # Scatter a few dozen objects at a time, one component at a time: each copy
                # then runs along the time axis (a component of one object over the block)
                # instead of over three components, and the transposed reads stay in cache.
                for s0 in range(0, m, _SCATTER_OBJECTS):
                    s1 = min(m, s0 + _SCATTER_OBJECTS)
                    part = states[:, :, s0:s1]
                    target = rows[s0:s1]
                    for c in range(3):
                        position_km[target, k0:k1, c] = part[:, c].T
                        velocity_km_s[target, k0:k1, c] = part[:, 3 + c].T
                    error_code[target, k0:k1] = part[:, 6].T


def propagate_fast(
    satellites: Sequence[Satrec] | HeyokaSGP4,
    jd: np.ndarray,
    fr: np.ndarray,
    *,
    frame: str = "teme",
) -> StateBatch:
    """``propagate(satellites, jd, fr, frame=frame)`` with heyoka for near-earth records.

    ``satellites``: ``Satrec`` records, or a prebuilt :class:`HeyokaSGP4` (pass one when
    calling repeatedly: building compiles code). Deep-space records go to python-sgp4.
    Raises :class:`~stationplan.errors.InputError` when heyoka is not installed.
    """
    if not isinstance(satellites, HeyokaSGP4):
        satellites = HeyokaSGP4.from_satrecs(satellites)
    return satellites.propagate(jd, fr, frame=frame)


def grid_propagator(satrecs: Sequence[Satrec], backend: str) -> SatrecArray | HeyokaSGP4:
    """A reusable propagator of ``satrecs`` for ``backend`` ("sgp4", "heyoka" or "auto")."""
    if resolve_backend(backend) == "heyoka":
        return HeyokaSGP4.from_satrecs(satrecs)
    return SatrecArray(list(satrecs))


def propagate_on(
    propagator: SatrecArray | HeyokaSGP4,
    jd: np.ndarray,
    fr: np.ndarray,
    *,
    buffers: StateBuffers | None = None,
) -> StateBatch:
    """TEME states from a :func:`grid_propagator` result, whichever the backend.

    ``buffers``: arrays reused from one call to the next (:class:`StateBuffers`; the
    returned batch is then overwritten by the next call with the same buffers).
    """
    if isinstance(propagator, HeyokaSGP4):
        return propagator.propagate(jd, fr, buffers=buffers)
    if buffers is None:
        return propagate(propagator, jd, fr)
    jd, fr = as_times(jd, fr)
    n, t = len(propagator), jd.shape[0]
    position_km = buffers.take("position_km", (n, t, 3), np.float64)
    velocity_km_s = buffers.take("velocity_km_s", (n, t, 3), np.float64)
    error_code = buffers.take("error_code", (n, t), np.uint8)
    if n and t:
        sgp4_into(propagator, jd, fr, error_code, position_km, velocity_km_s)
    return StateBatch(jd, fr, position_km, velocity_km_s, error_code, "teme")
