"""Lunar orbit insertion Δv at arrival into a target lunar orbit.

One impulsive burn at the periapsis of the approach hyperbola (patched conics): the hyperbolic
periapsis speed sqrt(v∞² + 2μ/r_p) minus the target orbit's periapsis speed sqrt(μ(2/r_p − 1/a))
(vis-viva; Curtis 2020 §8.9). The approach is aimed so that its periapsis is the target's
periapsis and its plane the target's plane (any plane through the Moon can be reached by
aiming, so a polar or 62° target costs no plane change in this model). μ_Moon = 4902.800066
km³/s² (DE421).

Targets: a circular polar orbit of 100–200 km altitude (the range the issue asks for; Apollo
flew 111 km, Chang'e-5/6 ~200 km), and the Queqiao-2 style 24 h frozen elliptical orbit
(periapsis 200 km, period 24 h → apoapsis ~15,830 km; the elements of ``relay.RelayOrbit``).
"""

from __future__ import annotations

from dataclasses import dataclass

from stationplan.errors import InputError
from stationplan.moon.frames import MOON_RADIUS_KM
from stationplan.moon.relay import RelayOrbit
from stationplan.moon.transfer import loi_dv_km_s

__all__ = ["LunarOrbitTarget", "circular_polar", "insertion_dv_km_s", "queqiao2_frozen"]


@dataclass(frozen=True)
class LunarOrbitTarget:
    """A target lunar orbit by its periapsis and apoapsis altitudes (km) and inclination (deg)."""

    name: str
    periapsis_alt_km: float
    apoapsis_alt_km: float
    inclination_deg: float


def circular_polar(altitude_km: float = 100.0) -> LunarOrbitTarget:
    """A circular polar orbit of ``altitude_km`` (100–200 km, else an InputError)."""
    if not 100.0 <= altitude_km <= 200.0:
        raise InputError(
            f"{altitude_km} km is outside the 100–200 km circular polar target range",
            field="altitude_km",
        )
    return LunarOrbitTarget(f"circular polar {altitude_km:g} km", altitude_km, altitude_km, 90.0)


def queqiao2_frozen(relay: RelayOrbit | None = None) -> LunarOrbitTarget:
    """The Queqiao-2 style 24 h frozen elliptical orbit (``relay.RelayOrbit`` defaults)."""
    r = relay or RelayOrbit()
    a_km = r.semi_major_axis_km()
    apo_alt_km = 2.0 * a_km - 2.0 * MOON_RADIUS_KM - r.periapsis_alt_km
    return LunarOrbitTarget(
        f"Queqiao-2 style {r.period_h:g} h frozen orbit",
        r.periapsis_alt_km,
        apo_alt_km,
        r.inclination_deg,
    )


def insertion_dv_km_s(v_inf_km_s: float, target: LunarOrbitTarget) -> float:
    """Impulsive insertion Δv (km/s) from an approach of hyperbolic excess ``v_inf_km_s`` into
    ``target`` (burn at the common periapsis; see the module text)."""
    return loi_dv_km_s(v_inf_km_s, target.periapsis_alt_km, target.apoapsis_alt_km)
