"""Comparison of screening results with the brute-force reference
(``tests/data/screening/reference.json``), with the tolerances issue 6 asks for."""

from __future__ import annotations

from datetime import datetime, timedelta

# Tolerances asked of the screening (issue 6): TCA within 1 s, miss within 10 m.
TCA_TOLERANCE_S = 1.0
MISS_TOLERANCE_KM = 0.010


def assert_complete(events, truth_events, attached_pairs, start: datetime) -> None:
    """Every brute-force event is found (TCA within 1 s, miss within 10 m) or attached."""
    found: dict[tuple[int, int], list] = {}
    for e in events:
        found.setdefault((min(e.norad_1, e.norad_2), max(e.norad_1, e.norad_2)), []).append(e)
    missing = []
    for ev in truth_events:
        key = (ev["norad_1"], ev["norad_2"])
        if key in attached_pairs:
            continue
        tca = start + timedelta(seconds=ev["tca_s"])
        match = [
            e
            for e in found.get(key, [])
            if abs((e.tca_utc - tca).total_seconds()) < TCA_TOLERANCE_S
            and abs(e.miss_km - ev["miss_km"]) < MISS_TOLERANCE_KM
        ]
        if not match:
            missing.append(ev)
    assert not missing, f"{len(missing)} brute-force events not found: {missing[:5]}"


def assert_nothing_extra(events, truth_events, start: datetime) -> None:
    """Every event reported is a local minimum the brute force has (TCA to the second)."""
    truth = {(ev["norad_1"], ev["norad_2"], round(ev["tca_s"])) for ev in truth_events}
    extra = [
        e
        for e in events
        if not any(
            (e.norad_1, e.norad_2, round((e.tca_utc - start).total_seconds()) + dt) in truth
            for dt in (-1, 0, 1)
        )
    ]
    assert not extra, extra[:3]
