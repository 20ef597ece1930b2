"""The conjunction record every screening stage hands on (plain data).

Frames: positions and velocities are TEME (SGP4's frame) in km and km/s at
the time of closest approach (TCA). RTN components are those of object 2
relative to object 1, in object 1's radial / transverse / normal frame
(R along r₁, N along r₁ × v₁, T = N × R).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from stationplan.orbit.timescale import iso_utc


@dataclass(frozen=True)
class Conjunction:
    """One close approach between two catalogued objects.

    ``miss_km``: distance at TCA (km). ``relative_speed_km_s``: |v₂ − v₁| at TCA.
    ``age_days_1/2``: TCA minus each element set's epoch (days; positive = propagated
    forward). ``pc``: probability of collision (None until computed), with
    ``pc_method`` (e.g. "FOSTER-1992", "CHAN-1997") and the hard-body radius used (m).
    ``attached``: object 2 is docked to / part of object 1 — it comes within 1 km while
    moving at under 10 m/s relative to it (docs/screening.md) — and is listed, not alerted.
    """

    norad_1: int
    norad_2: int
    name_1: str
    name_2: str
    tca_utc: datetime
    tca_jd: float
    miss_km: float
    relative_speed_km_s: float
    miss_rtn_km: tuple[float, float, float]
    relative_velocity_rtn_km_s: tuple[float, float, float]
    r1_km: tuple[float, float, float]
    v1_km_s: tuple[float, float, float]
    r2_km: tuple[float, float, float]
    v2_km_s: tuple[float, float, float]
    age_days_1: float
    age_days_2: float
    pc: float | None = None
    pc_method: str | None = None
    hard_body_radius_m: float | None = None
    attached: bool = False
    extras: dict[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready record: ``norad_1``, ``norad_2``, ``tca_utc`` (ISO 8601 Z),
        ``miss_km``, ``relative_speed_km_s``, ``pc`` and the rest."""
        out: dict[str, object] = {}
        for key, value in self.__dict__.items():
            if key == "extras":
                continue
            if isinstance(value, datetime):
                value = iso_utc(value)
            elif isinstance(value, tuple):
                value = [round(float(v), 6) for v in value]
            elif isinstance(value, float | np.floating):
                value = float(value)
            out[key] = value
        return out
