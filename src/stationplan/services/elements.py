"""Element-set requests shared by the CLI and the web: parse an upload, summarise it."""

from __future__ import annotations

import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from stationplan.orbit.elements import Catalog, load_catalog

__all__ = ["catalog_overview", "parse_element_bytes"]

#: Element sets older than this (days) at the time they are used get a stale warning.
STALE_AFTER_DAYS = 3.0


def parse_element_bytes(data: bytes, name: str = "elements.tle") -> Catalog:
    """Parse uploaded bytes (TLE/3LE or CCSDS OMM, detected from the content) -> Catalog.

    The same checks as ``stationplan elements FILE``: :class:`InputError` naming ``name``
    and the line for a binary file or one without a valid element set.
    """
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", Path(name).name) or "elements.tle"
    with tempfile.TemporaryDirectory(prefix="stationplan-") as folder:
        path = Path(folder) / safe
        path.write_bytes(data)
        catalog = load_catalog(path)
    return Catalog(catalog.elements, catalog.skipped, safe)


def _iso(when: datetime) -> str:
    """ISO 8601 UTC to the microsecond (a TLE epoch resolves 1e-8 day, 0.86 ms)."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def catalog_overview(catalog: Catalog, now: datetime | None = None) -> dict[str, Any]:
    """JSON-ready summary: counts, skipped records, and per object its epochs (UTC) and the
    age of its newest element set at ``now`` (days) with a stale flag (> 3 days)."""
    now = now or datetime.now(UTC)
    summary = catalog.summary()
    objects = []
    for norad in catalog.norad_ids():
        history = catalog.history(norad)
        newest = history[-1].epoch_utc
        age_days = (now - newest).total_seconds() / 86400.0
        objects.append(
            {
                "norad_id": norad,
                "name": history[-1].name,
                "epochs_utc": [_iso(e.epoch_utc) for e in history],
                "newest_epoch_utc": _iso(newest),
                "age_days": round(age_days, 3),
                "stale": age_days > STALE_AFTER_DAYS,
            }
        )
    return {
        "source": catalog.source,
        "n_records": summary.n_records,
        "n_objects": summary.n_objects,
        "n_skipped": summary.n_skipped,
        "epoch_min_utc": _iso(summary.epoch_min_utc),
        "epoch_max_utc": _iso(summary.epoch_max_utc),
        "skipped": [str(s) for s in catalog.skipped[:50]],
        "objects": objects,
    }
