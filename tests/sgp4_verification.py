"""Vallado's official SGP4 verification data shipped with python-sgp4 (SGP4-VER.TLE and
tcppver.out), shared by the propagation and backend tests."""

from __future__ import annotations

from importlib.resources import files
from itertools import pairwise

import numpy as np
from sgp4.api import Satrec

SGP4_DATA = files("sgp4")


def verification_lines() -> dict[int, tuple[str, str]]:
    """SGP4-VER.TLE: satnum -> (line1, line2 with its start/stop/step columns)."""
    lines = SGP4_DATA.joinpath("SGP4-VER.TLE").read_text().splitlines()
    return {
        int(line1[2:7]): (line1, line2)
        for line1, line2 in pairwise(lines)
        if line1.startswith("1 ") and line2.startswith("2 ")
    }


def verification_vectors() -> dict[int, np.ndarray]:
    """tcppver.out: satnum -> rows of (tsince_min, x, y, z km, vx, vy, vz km/s)."""
    vectors: dict[int, list[list[float]]] = {}
    rows: list[list[float]] = []
    for line in SGP4_DATA.joinpath("tcppver.out").read_text().splitlines():
        if line.strip().endswith("xx"):
            rows = vectors.setdefault(int(line.split()[0]), [])
        elif line.strip():
            rows.append([float(field) for field in line.split()[:7]])
    return {satnum: np.array(found) for satnum, found in vectors.items()}


def minutes_since_epoch(sat: Satrec, tsince_min: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(jd, fr) at minutes since the record's epoch, split as python-sgp4's own tests do."""
    whole, fraction = np.divmod(np.asarray(tsince_min, dtype=float) / 1440.0, 1.0)
    return sat.jdsatepoch + whole, sat.jdsatepochF + fraction
