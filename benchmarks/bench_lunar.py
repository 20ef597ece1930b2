"""A year of hourly lunar site conditions (< 2 s) and of daily lunar windows (< 5 s; issue 11). Not part of ``make test``."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from stationplan.moon.conditions import site_conditions, sun_events
from stationplan.moon.frames import LunarSite
from stationplan.moon.transfer import daily_windows


def main() -> None:
    site = LunarSite(-88.8, 123.4)  # Chang'e-7 tentative site, Shackleton rim
    start = datetime(2027, 1, 1, tzinfo=UTC)
    times = [start + timedelta(hours=h) for h in range(365 * 24)]
    site_conditions(site, times[:10], relay=None)  # load the kernel once
    t0 = time.perf_counter()
    conditions = site_conditions(site, times, relay=None)
    events = sun_events(site, start, times[-1])
    elapsed = time.perf_counter() - t0
    print(
        f"lunar site conditions: {len(times)} hourly instants + sunrise/sunset roots in "
        f"{elapsed:.2f} s (target < 2 s); lit {100 * conditions.sun_lit.mean():.1f}% "
        f"(events: {100 * events.lit_fraction:.1f}%), longest night {events.longest_night_h:.0f} h"
    )
    t0 = time.perf_counter()
    with_relay = site_conditions(site, times[: 30 * 24])
    print(
        f"with the relay propagated over 30 days: {time.perf_counter() - t0:.2f} s, relay "
        f"visible {100 * with_relay.relay_visible.mean():.0f}% of the hours"
    )

    t0 = time.perf_counter()
    windows = daily_windows(28.608, -80.604, (72.0, 108.0), start, start + timedelta(days=365), 3.0)
    print(
        f"lunar windows: a year of daily windows from Kennedy ({len(windows)} windows) in "
        f"{time.perf_counter() - t0:.2f} s (target < 5 s)"
    )


if __name__ == "__main__":
    main()
