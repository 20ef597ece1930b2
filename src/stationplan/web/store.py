"""What the web keeps: uploads, campaigns and versions, runs (insert-only helpers).

Every function takes a session and commits nothing itself except where it says so; an
upload or a version is written in one transaction, so a crash leaves it whole or absent.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from stationplan.errors import InputError
from stationplan.orbit.elements import Catalog
from stationplan.orbit.timescale import iso_utc_seconds
from stationplan.services.campaigns import load_campaign_text
from stationplan.services.elements import catalog_overview, parse_element_bytes
from stationplan.web.db import Campaign, CampaignVersion, ElementObject, ElementUpload, Run

__all__ = [
    "add_upload",
    "add_version",
    "campaign_dict",
    "create_campaign",
    "latest_version",
    "run_dict",
    "upload_catalog",
    "upload_dict",
    "upload_summaries",
    "version_dict",
]

_catalogs: dict[int, Catalog] = {}


def _iso(when: datetime | None) -> str | None:
    # SQLite hands back naive datetimes; they were stored as UTC (iso_utc_seconds says so).
    return None if when is None else iso_utc_seconds(when)


def add_upload(session: Session, name: str, data: bytes, origin: str = "upload") -> ElementUpload:
    """Parse and store an element-set file with one row per object (epochs per object)."""
    catalog = parse_element_bytes(data, name)
    overview = catalog_overview(catalog)
    upload = ElementUpload(
        name=catalog.source,
        origin=origin,
        content=data,
        n_objects=overview["n_objects"],
        n_skipped=overview["n_skipped"],
        summary={k: v for k, v in overview.items() if k != "objects"},
    )
    session.add(upload)
    session.flush()
    for obj in overview["objects"]:
        session.add(
            ElementObject(
                upload_id=upload.id,
                norad_id=obj["norad_id"],
                name=obj["name"],
                n_sets=len(obj["epochs_utc"]),
                newest_epoch_utc=datetime.fromisoformat(
                    obj["newest_epoch_utc"].replace("Z", "+00:00")
                ),
                epochs_utc=obj["epochs_utc"],
            )
        )
    session.commit()
    _catalogs[upload.id] = catalog
    return upload


def upload_catalog(session: Session, upload_id: int) -> Catalog:
    """The parsed catalog of a stored upload (parsed once per process)."""
    if upload_id not in _catalogs:
        upload = session.get(ElementUpload, upload_id)
        if upload is None:
            raise InputError(f"no element set {upload_id}", field="elements")
        _catalogs[upload_id] = parse_element_bytes(upload.content, upload.name)
    return _catalogs[upload_id]


def upload_summaries(
    session: Session, limit: int = 50, now: datetime | None = None
) -> list[dict[str, Any]]:
    """The newest ``limit`` uploads for the pages: the fields of :func:`upload_dict` without
    the per-object rows, plus ``newest_age_days`` (age of the newest element set, days,
    None for an empty upload) from the summary stored with the upload — no per-object
    query, so a page stays fast with full catalogues stored (26k objects each)."""
    now = now or datetime.now(UTC)
    uploads = session.scalars(
        select(ElementUpload).order_by(ElementUpload.id.desc()).limit(limit)
    ).all()
    rows = []
    for u in uploads:
        newest = (u.summary or {}).get("epoch_max_utc")
        age = None
        if newest:
            when = datetime.fromisoformat(str(newest).replace("Z", "+00:00"))
            when = when if when.tzinfo else when.replace(tzinfo=UTC)
            age = round((now - when).total_seconds() / 86400.0, 2)
        rows.append(
            {
                "id": u.id,
                "name": u.name,
                "origin": u.origin,
                "created_utc": _iso(u.created_utc),
                "n_objects": u.n_objects,
                "n_skipped": u.n_skipped,
                "summary": u.summary,
                "newest_age_days": age,
            }
        )
    return rows


def upload_dict(
    session: Session, upload: ElementUpload, now: datetime | None = None
) -> dict[str, Any]:
    """JSON form of an upload: summary and per object its epochs, age (days) and staleness."""
    now = now or datetime.now(UTC)
    objects = session.scalars(
        select(ElementObject)
        .where(ElementObject.upload_id == upload.id)
        .order_by(ElementObject.norad_id)
    ).all()
    rows = []
    for o in objects:
        newest = (
            o.newest_epoch_utc
            if o.newest_epoch_utc.tzinfo
            else o.newest_epoch_utc.replace(tzinfo=UTC)
        )
        age = (now - newest).total_seconds() / 86400.0
        rows.append(
            {
                "norad_id": o.norad_id,
                "name": o.name,
                "n_sets": o.n_sets,
                "epochs_utc": o.epochs_utc,
                "newest_epoch_utc": _iso(newest),
                "age_days": round(age, 2),
                "stale": age > 3.0,
            }
        )
    return {
        "id": upload.id,
        "name": upload.name,
        "origin": upload.origin,
        "created_utc": _iso(upload.created_utc),
        "n_objects": upload.n_objects,
        "n_skipped": upload.n_skipped,
        "summary": upload.summary,
        "objects": rows,
    }


def create_campaign(session: Session, name: str, toml: str, note: str = "") -> Campaign:
    """A new campaign with its first version (validated first: InputError with the line)."""
    name = name.strip()
    if not name or len(name) > 200:
        raise InputError("a campaign name of 1–200 characters is required", field="name")
    if session.scalar(select(Campaign).where(Campaign.name == name)) is not None:
        raise InputError(f"a campaign named {name!r} exists; add a version to it", field="name")
    load_campaign_text(toml, "campaign.toml")
    campaign = Campaign(name=name)
    session.add(campaign)
    session.flush()
    session.add(CampaignVersion(campaign_id=campaign.id, number=1, toml=toml, note=note[:400]))
    session.commit()
    return campaign


def latest_version(session: Session, campaign_id: int) -> CampaignVersion | None:
    """The newest version of a campaign."""
    return session.scalar(
        select(CampaignVersion)
        .where(CampaignVersion.campaign_id == campaign_id)
        .order_by(CampaignVersion.number.desc())
        .limit(1)
    )


def add_version(session: Session, campaign: Campaign, toml: str, note: str = "") -> CampaignVersion:
    """Store a new version (validated first; the previous ones stay as they were)."""
    load_campaign_text(toml, "campaign.toml")
    number = (
        session.scalar(
            select(func.max(CampaignVersion.number)).where(
                CampaignVersion.campaign_id == campaign.id
            )
        )
        or 0
    ) + 1
    version = CampaignVersion(campaign_id=campaign.id, number=number, toml=toml, note=note[:400])
    session.add(version)
    session.commit()
    return version


def version_dict(version: CampaignVersion, with_toml: bool = True) -> dict[str, Any]:
    """JSON form of a version."""
    found: dict[str, Any] = {
        "id": version.id,
        "campaign_id": version.campaign_id,
        "number": version.number,
        "note": version.note,
        "created_utc": _iso(version.created_utc),
    }
    if with_toml:
        found["toml"] = version.toml
    return found


def campaign_dict(session: Session, campaign: Campaign) -> dict[str, Any]:
    """JSON form of a campaign: its versions and latest run."""
    versions = session.scalars(
        select(CampaignVersion)
        .where(CampaignVersion.campaign_id == campaign.id)
        .order_by(CampaignVersion.number)
    ).all()
    ids = [v.id for v in versions]
    last = None
    if ids:
        last = session.scalar(
            select(Run).where(Run.version_id.in_(ids)).order_by(Run.id.desc()).limit(1)
        )
    return {
        "id": campaign.id,
        "name": campaign.name,
        "created_utc": _iso(campaign.created_utc),
        "versions": [version_dict(v, with_toml=False) for v in versions],
        "latest_run": None if last is None else run_dict(last, with_result=False),
    }


def run_dict(run: Run, with_result: bool = True) -> dict[str, Any]:
    """JSON form of a run (job)."""
    found: dict[str, Any] = {
        "id": run.id,
        "kind": run.kind,
        "version_id": run.version_id,
        "inputs": run.inputs,
        "status": run.status,
        "progress": run.progress,
        "error": run.error,
        "warnings": run.warnings,
        "created_utc": _iso(run.created_utc),
        "started_utc": _iso(run.started_utc),
        "finished_utc": _iso(run.finished_utc),
        "duration_s": run.duration_s,
    }
    if with_result:
        found["result"] = run.result
    return found
