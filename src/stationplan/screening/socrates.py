"""CelesTrak SOCRATES-style CSV of conjunctions.

Columns and their meaning follow CelesTrak's "SOCRATES CSV Data Format"
(https://celestrak.org/SOCRATES/socrates-format.php, RFC 4180):

``NORAD_CAT_ID_1, OBJECT_NAME_1, DSE_1, NORAD_CAT_ID_2, OBJECT_NAME_2, DSE_2, TCA,
TCA_RANGE, TCA_RELATIVE_SPEED, MAX_PROB, DILUTION``

* OBJECT_NAME carries the operational status in brackets; the element sets we screen do
  not say it, so ``[?]`` (CelesTrak's "unknown" status code) is appended.
* DSE: days from each element set's epoch to TCA.
* TCA: UTC, ``YYYY-MM-DD hh:mm:ss.sss``.
* TCA_RANGE (km) and TCA_RELATIVE_SPEED (km/s) at TCA.
* MAX_PROB and DILUTION: Alfano's (2005) maximum probability over the covariance size
  with SOCRATES's fixed ellipse shape (RTN sigmas 100/300/100 m), and the standard
  deviation (km) at that maximum — :func:`stationplan.screening.pc.pc_max_alfano`. The
  hard-body radius is the event's own (``hard_body_radius_m``) or the default sum of
  both objects' radii.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from stationplan.screening.conjunction import Conjunction
from stationplan.screening.covariance import object_radius_m
from stationplan.screening.pc import pc_max_alfano

__all__ = ["SOCRATES_COLUMNS", "socrates_row", "write_socrates_csv"]

SOCRATES_COLUMNS: tuple[str, ...] = (
    "NORAD_CAT_ID_1",
    "OBJECT_NAME_1",
    "DSE_1",
    "NORAD_CAT_ID_2",
    "OBJECT_NAME_2",
    "DSE_2",
    "TCA",
    "TCA_RANGE",
    "TCA_RELATIVE_SPEED",
    "MAX_PROB",
    "DILUTION",
)


def socrates_row(conj: Conjunction) -> list[str]:
    """One CSV row (strings, in :data:`SOCRATES_COLUMNS` order) for one conjunction."""
    radius_m = conj.hard_body_radius_m
    if radius_m is None:
        radius_m = object_radius_m(conj.norad_1, conj.name_1) + object_radius_m(
            conj.norad_2, conj.name_2
        )
    try:
        max_prob, dilution_km = pc_max_alfano(
            conj.r1_km, conj.v1_km_s, conj.r2_km, conj.v2_km_s, radius_m
        )
        max_prob_text, dilution_text = f"{max_prob:.3E}", f"{dilution_km:.3f}"
    except ValueError:  # zero relative velocity: no encounter plane, no probability
        max_prob_text, dilution_text = "", ""
    tca = conj.tca_utc.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    return [
        str(conj.norad_1),
        f"{conj.name_1} [?]",
        f"{conj.age_days_1:.3f}",
        str(conj.norad_2),
        f"{conj.name_2} [?]",
        f"{conj.age_days_2:.3f}",
        tca,
        f"{conj.miss_km:.3f}",
        f"{conj.relative_speed_km_s:.3f}",
        max_prob_text,
        dilution_text,
    ]


def write_socrates_csv(events: Iterable[Conjunction], stream: TextIO) -> None:
    """Write ``events`` as a SOCRATES-style CSV (header line, then one row per event).

    RFC 4180 quoting (names with commas are quoted) and CRLF line ends, via
    :mod:`csv`'s default dialect. Rows keep the order of ``events``.
    """
    writer = csv.writer(stream)
    writer.writerow(SOCRATES_COLUMNS)
    for conj in events:
        writer.writerow(socrates_row(conj))
