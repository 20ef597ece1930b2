"""A ``Conjunction`` record from two states at TCA, as the screening builds one (miss and
relative velocity, their RTN components in object 1's frame); shared by the CDM and Pc
tests."""

from __future__ import annotations

import numpy as np

from stationplan.screening.conjunction import Conjunction
from stationplan.screening.covariance import rtn_matrix


def conjunction_from_states(
    r1: np.ndarray,
    v1: np.ndarray,
    r2: np.ndarray,
    v2: np.ndarray,
    **fields: object,
) -> Conjunction:
    """States in km and km/s; ``fields`` names, ids, TCA, ages and extras."""
    frame = rtn_matrix(r1, v1)
    return Conjunction(  # type: ignore[arg-type]
        miss_km=float(np.linalg.norm(r2 - r1)),
        relative_speed_km_s=float(np.linalg.norm(v2 - v1)),
        miss_rtn_km=tuple(frame @ (r2 - r1)),
        relative_velocity_rtn_km_s=tuple(frame @ (v2 - v1)),
        r1_km=tuple(r1),
        v1_km_s=tuple(v1),
        r2_km=tuple(r2),
        v2_km_s=tuple(v2),
        **fields,
    )
