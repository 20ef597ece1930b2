"""Schedule outputs: rich table, JSON, CSV, iCalendar and a self-contained HTML report.

Every writer takes a :class:`stationplan.station.schedule.Schedule` and returns text
(or writes files where the name says so); none recomputes anything.
"""

from __future__ import annotations

from .html import write_html_report
from .ics import schedule_to_ics
from .tables import schedule_table, schedule_to_csv, schedule_to_dict, schedule_to_json

__all__ = [
    "schedule_table",
    "schedule_to_csv",
    "schedule_to_dict",
    "schedule_to_ics",
    "schedule_to_json",
    "write_html_report",
]
