"""Logistics outputs: the daily CSV, the stock and altitude plots and their HTML section.

Used by ``stationplan simulate --report`` and by the campaign report of ``stationplan plan``.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
from pathlib import Path
from typing import Any

from stationplan.report.files import make_output_dir, write_atomic
from stationplan.station.logistics import SimulationResult

__all__ = ["daily_csv", "logistics_html", "write_simulation_report"]


def daily_csv(result: SimulationResult) -> str:
    """One CSV row per day: date, crew, altitude, stocks (kg), the day's burn."""
    rows = result.daily_rows()
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_simulation_report(result: SimulationResult, directory: Path) -> None:
    """simulation.json, daily.csv, stocks.png (stocks against reserves) and altitude.png."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from stationplan.station.logistics import ITEMS

    make_output_dir(directory)
    # Each file atomically (report.files): an interrupted run leaves no half-written one.
    write_atomic(directory / "simulation.json", json.dumps(result.as_dict(), indent=2) + "\n")
    write_atomic(directory / "daily.csv", daily_csv(result))
    import numpy as np

    days = np.array(result.days, dtype="datetime64[D]")
    fig, axes = plt.subplots(len(ITEMS), 1, figsize=(9, 2.0 * len(ITEMS)), sharex=True)
    for ax, item in zip(axes, ITEMS, strict=True):
        ax.plot(days, result.stock_g[item] / 1000.0, label="stock")
        ax.plot(days, result.reserve_g[item] / 1000.0, "--", label="reserve")
        ax.set_ylabel(f"{item} kg")
        ax.grid(alpha=0.3)
    axes[0].legend(loc="upper right")
    fig.tight_layout()
    _save_png(fig, directory / "stocks.png")
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(9, 3.5))
    ax.plot(days, result.altitude_km, label="mean altitude")
    for b in result.burns:
        ax.annotate(
            "",
            (b.day, b.altitude_after_km),
            (b.day, b.altitude_before_km),
            arrowprops={"arrowstyle": "->", "color": "tab:red"},
        )
    ax.set_ylabel("km")
    ax.grid(alpha=0.3)
    ax.set_title(f"altitude and {len(result.burns)} reboost(s), solar {result.solar}")
    fig.tight_layout()
    _save_png(fig, directory / "altitude.png")
    plt.close(fig)


def logistics_html(simulation: SimulationResult, directory: Path) -> str:
    """Logistics section of the HTML report: stock and altitude plots embedded as PNG."""
    write_simulation_report(simulation, directory)
    images = []
    for name, caption in (
        ("stocks.png", "Stocks against reserves (kg)"),
        ("altitude.png", "Mean altitude with reboosts"),
    ):
        data = base64.b64encode((directory / name).read_bytes()).decode("ascii")
        images.append(
            f'<figure><img alt="{caption}" src="data:image/png;base64,{data}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        )
    burns = getattr(simulation, "burns", ())
    return (
        "<h2>Logistics and orbit</h2>"
        f"<p>Daily simulation of consumables and altitude (docs/logistics.md): "
        f"{len(burns)} reboost(s), no reserve violated.</p>" + "".join(images)
    )


def _save_png(fig: Any, path: Path) -> None:
    """A matplotlib figure as PNG (110 dpi), written atomically."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    write_atomic(path, buffer.getvalue())
