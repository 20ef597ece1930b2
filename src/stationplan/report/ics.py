"""Schedule as an iCalendar file (RFC 5545): one VEVENT per launch, docking, transposition
and departure."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from stationplan.station.schedule import Schedule

__all__ = ["schedule_to_ics"]

CRLF = "\r\n"


def _stamp(when: datetime) -> str:
    """RFC 5545 §3.3.5 form #2, UTC: ``19980119T070000Z``."""
    return when.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _text(value: str) -> str:
    """RFC 5545 §3.3.11 TEXT escaping."""
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """RFC 5545 §3.1: lines longer than 75 octets continue on lines starting with a space."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts = []
    limit = 75
    while data:
        cut = min(limit, len(data))
        while cut < len(data) and (data[cut] & 0xC0) == 0x80:  # never split a UTF-8 sequence
            cut -= 1
        parts.append(data[:cut].decode("utf-8"))
        data = data[cut:]
        limit = 74  # continuation lines start with one space
    return (CRLF + " ").join(parts)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def schedule_to_ics(schedule: Schedule, stamp: datetime | None = None) -> str:
    """The schedule's station events as an iCalendar document (CRLF line ends).

    ``stamp`` is the DTSTAMP (creation time, UTC; default now). UIDs are stable:
    event kind, mission and time, so re-exporting a plan updates the same events.
    """
    stamp_text = _stamp(stamp or datetime.now(UTC))
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//stationplan//campaign plan//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_text(schedule.campaign)}",
    ]
    for event in schedule.timeline:
        if event.kind == "docked":
            continue  # already docked at the start: not an event of this campaign
        start = event.time_utc
        uid = f"{_stamp(start)}-{event.kind}-{_slug(event.mission)}@stationplan"
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}",
            f"DTSTAMP:{stamp_text}",
            f"DTSTART:{_stamp(start)}",
            f"DTEND:{_stamp(start + timedelta(minutes=15))}",
            f"SUMMARY:{_text(event.text)}",
            f"DESCRIPTION:{_text(f'{schedule.campaign}: {event.crew_aboard} crew aboard after this event')}",
            f"CATEGORIES:{event.kind.upper()}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return CRLF.join(_fold(line) for line in lines) + CRLF
