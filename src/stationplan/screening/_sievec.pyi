"""Type stub of the compiled sieve kernel (``_sievec.c``); see ``sieve.py`` for the API."""

from collections.abc import Sequence

from numpy import ndarray
from typing_extensions import Buffer

# Any C-contiguous buffer of the stated item size (NumPy arrays declare the buffer protocol
# to type checkers only from Python 3.12).
_Buf = Buffer | ndarray

def sieve_all(
    position: _Buf,
    velocity: _Buf,
    usable: _Buf,
    n: int,
    t_count: int,
    first_k: int,
    params: Sequence[float],
    /,
) -> tuple[bytes, bytes, bytes, int]:
    """Candidates (int64 i, j, k), attached (int64 i, j, k), attached separations (float64
    km) as bytes, and the number of (pair, interval) tests."""

def plausible_states(
    position: _Buf,
    velocity: _Buf,
    error_code: _Buf,
    n: int,
    t_count: int,
    step_s: float,
    mu: float,
    max_jerk: float,
    mismatch: float,
    /,
) -> bytes:
    """uint8 (n, t_count) reason codes as bytes."""

def sieve_primaries(
    position: _Buf,
    velocity: _Buf,
    usable: _Buf,
    primaries: _Buf,
    n: int,
    t_count: int,
    first_k: int,
    n_primaries: int,
    params: Sequence[float],
    /,
) -> tuple[bytes, bytes, bytes, int]:
    """As sieve_all, for each primary (int64 local indices) against every object."""
