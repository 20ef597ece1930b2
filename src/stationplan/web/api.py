"""The HTTP API, mirroring the CLI: element sets, windows, rendezvous, the Moon (site
conditions, launch windows), campaigns, jobs.

Errors keep the CLI's meaning: 422 with the field and line for bad input (exit 1), 409
with the explanation sentences for an infeasible request (exit 2); user input never
produces a 500. Plans and simulations are jobs: ``POST`` answers 202 with the run, which
``GET /api/runs/{id}`` (or its ``/events`` stream) follows to the end.
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Path, Query, Request, UploadFile
from fastapi.responses import PlainTextResponse, StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from stationplan.errors import InputError
from stationplan.services.rendezvous import rendezvous_report
from stationplan.services.stations import bundled_stations
from stationplan.services.windows import windows_report
from stationplan.web.db import Campaign, CampaignVersion, ElementUpload, Run
from stationplan.web.store import (
    add_upload,
    add_version,
    campaign_dict,
    create_campaign,
    latest_version,
    run_dict,
    upload_catalog,
    upload_dict,
    upload_summaries,
    version_dict,
)

__all__ = ["router"]

#: Largest id a path accepts (the databases' 32-bit integer keys).
MAX_ID = 2**31 - 1
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


class Problem(BaseModel):
    """An error: the sentence, and for bad input the field and line it names."""

    detail: str
    field: str | None = None
    line: int | None = None


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "the request body cannot be parsed"},
    401: {"model": Problem, "description": "the token is missing or wrong"},
    404: {"model": Problem, "description": "no such object"},
    413: {"model": Problem, "description": "request body too large"},
    422: {"model": Problem, "description": "bad input: the field and line named"},
}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    403: {"model": Problem, "description": "CSRF field missing (cookie sign-in)"},
}


def session(request: Request) -> Any:
    """A database session for one request."""
    with request.app.state.sessions() as found:
        yield found


def readable(request: Request) -> None:
    """Reads: open on loopback, the token elsewhere."""
    request.app.state.access.check_read(request)


def writable(request: Request) -> None:
    """Writes: the token (header), or the sign-in cookie plus the CSRF header."""
    request.app.state.access.check_write(request)


DB = Annotated[Session, Depends(session)]
router = APIRouter(prefix="/api", dependencies=[Depends(readable)])


class NotFoundError(Exception):
    """404 with a sentence."""


def _get(db: Session, model: Any, key: int, what: str) -> Any:
    found = db.get(model, key)
    if found is None:
        raise NotFoundError(f"no {what} {key}")
    return found


# ----------------------------------------------------------------------------- element sets


class ObjectOut(BaseModel):
    norad_id: int
    name: str
    n_sets: int
    epochs_utc: list[str]
    newest_epoch_utc: str | None
    age_days: float
    stale: bool


class UploadFields(BaseModel):
    id: int
    name: str
    origin: str
    created_utc: str | None
    n_objects: int
    n_skipped: int
    summary: dict[str, Any]


class UploadOut(UploadFields):
    objects: list[ObjectOut]


class UploadSummaryOut(UploadFields):
    newest_age_days: float | None


@router.get("/health", responses=ERRORS)
def health() -> dict[str, str]:
    """Liveness."""
    return {"status": "ok"}


@router.post(
    "/element-sets",
    status_code=201,
    response_model=UploadOut,
    responses=WRITE_ERRORS,
    dependencies=[Depends(writable)],
)
async def upload_element_set(request: Request, db: DB, file: Annotated[UploadFile, File()]) -> Any:
    """Upload a TLE/3LE or CCSDS OMM file (as ``stationplan elements FILE`` reads it)."""
    data = await _read_limited(request, file)
    upload = await asyncio.to_thread(add_upload, db, file.filename or "elements.tle", data)
    return upload_dict(db, upload)


async def _read_limited(request: Request, file: UploadFile) -> bytes:
    limit = request.app.state.max_upload_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise InputError(f"the file is larger than {limit} bytes", field="file")
    return data


class FetchIn(BaseModel):
    catnr: int | None = Field(None, ge=1, le=999_999_999)
    group: str | None = Field(None, pattern="^[a-z0-9-]{1,40}$")


@router.post(
    "/fetch",
    status_code=201,
    response_model=UploadOut,
    responses=WRITE_ERRORS,
    dependencies=[Depends(writable)],
)
def fetch_element_set(body: FetchIn, db: DB) -> Any:
    """Fetch current GP element sets (OMM JSON) from CelesTrak into the store.

    Offline, 422 says so; the stored element sets stay usable."""
    from stationplan.services.celestrak import GPQuery, fetch_gp

    query = GPQuery(body.catnr, body.group)
    data, _ = fetch_gp(query, timeout_s=20)
    return upload_dict(db, add_upload(db, query.name, data, origin=query.url()))


@router.get("/element-sets", response_model=list[UploadSummaryOut], responses=ERRORS)
def list_element_sets(db: DB) -> Any:
    """The newest 200 uploads, newest first: their counts, stored summary and the age of the
    newest element set (days), without the per-object rows — a full catalogue is 26k of them;
    ``GET /api/element-sets/{id}`` gives one upload's objects."""
    return upload_summaries(db, limit=200)


@router.get("/element-sets/{upload_id}", response_model=UploadOut, responses=ERRORS)
def get_element_set(upload_id: Id, db: DB) -> Any:
    """One upload: its objects, their epochs and ages."""
    return upload_dict(db, _get(db, ElementUpload, upload_id, "element set"))


# ----------------------------------------------------------------------------- windows


@functools.lru_cache(maxsize=1)
def _bundled_catalog() -> Any:
    from stationplan.orbit.elements import load_catalog

    return load_catalog(bundled_stations())


def _catalog(db: Session, elements: int | None) -> tuple[Any, str]:
    if elements is None:
        return _bundled_catalog(), "bundled:stations.tle"
    _get(db, ElementUpload, elements, "element set")
    return upload_catalog(db, elements), f"element set {elements}"


_WINDOWS_CACHE: dict[tuple[Any, ...], dict[str, Any]] = {}


def _windows_cached(catalog: Any, source: str, *args: Any) -> dict[str, Any]:
    """``windows_report``, remembered per (element set, query): uploads never change once
    stored, so neither does a query's answer."""
    key = (source, *args)
    if key not in _WINDOWS_CACHE:
        if len(_WINDOWS_CACHE) > 512:
            _WINDOWS_CACHE.clear()
        _WINDOWS_CACHE[key] = windows_report(catalog, source, *args)
    return _WINDOWS_CACHE[key]


@router.get("/windows", responses={**ERRORS, 409: {"model": Problem}})
def windows(
    db: DB,
    site: Annotated[str, Query(max_length=100)],
    vehicle: Annotated[str, Query(max_length=100)],
    start: datetime,
    end: datetime,
    elements: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    norad: Annotated[int | None, Query(ge=1, le=999_999_999)] = None,
    profile: Annotated[str | None, Query(max_length=100)] = None,
    rendezvous_hours: Annotated[float | None, Query(gt=0, le=1000)] = None,
) -> dict[str, Any]:
    """In-plane launch opportunities (``stationplan windows --format json``)."""
    catalog, source = _catalog(db, elements)
    return _windows_cached(
        catalog, source, norad, site, vehicle, profile, rendezvous_hours, start, end
    )


@router.get("/rendezvous", responses={**ERRORS, 409: {"model": Problem}})
def rendezvous(
    db: DB,
    site: Annotated[str, Query(max_length=100)],
    vehicle: Annotated[str, Query(max_length=100)],
    launch: datetime,
    elements: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    norad: Annotated[int | None, Query(ge=1, le=999_999_999)] = None,
    profile: Annotated[str | None, Query(max_length=100)] = None,
    lead_days: Annotated[float, Query(ge=0, le=60)] = 2.0,
) -> dict[str, Any]:
    """Phase angle, feasible profiles and burn plan of one launch (``stationplan rendezvous``)."""
    from stationplan.services.windows import utc_within_sgp4_era

    catalog, source = _catalog(db, elements)
    return rendezvous_report(
        catalog,
        source,
        norad,
        site,
        vehicle,
        utc_within_sgp4_era(launch, "launch"),
        profile,
        lead_days,
    )


# ----------------------------------------------------------------------------- the Moon

#: Most ``at`` instants one site request takes (a span takes up to the CLI's limit).
MAX_AT = 1000


def as_query_error(exc: InputError, renamed: dict[str, str] | None = None) -> InputError:
    """The services name CLI options (``--step-hours``); the API names its parameters
    (``step_hours``, or ``renamed[step_hours]``)."""
    if exc.field is not None and exc.field.startswith("--"):
        name = exc.field.removeprefix("--").replace("-", "_")
        exc.field = (renamed or {}).get(name, name)
    return exc


def _maybe_utc(when: datetime | None, field: str) -> datetime | None:
    """:func:`_aware_utc` of ``when``, or None."""
    return None if when is None else _aware_utc(when, field)


def _aware_utc(when: datetime, field: str) -> datetime:
    """Naive times are UTC; an aware time that leaves the calendar in UTC is a user error."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        return when.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 lies before year 1 in UTC
        raise InputError("times must lie within the DE421 span (1900–2053)", field=field) from None


@router.get("/lunar/site", responses=ERRORS)
def lunar_site(
    lat: Annotated[float, Query(description="selenographic latitude, deg (-90..90)")],
    lon: Annotated[float, Query(description="selenographic longitude, deg, east-positive")],
    at: Annotated[list[datetime] | None, Query(description="instants (UTC)")] = None,
    start: datetime | None = None,
    end: datetime | None = None,
    step_hours: Annotated[float, Query(gt=0, le=8784)] = 1.0,
    height_km: Annotated[float, Query(ge=-20, le=100)] = 0.0,
    relay: bool = True,
) -> list[dict[str, Any]]:
    """Sun and Earth altitude/azimuth, lighting, Earth and relay visibility at a lunar site
    (``stationplan lunar site --format json``; no horizon mask: a smooth sphere)."""
    from stationplan.services.lunar import site_report

    if at is not None and len(at) > MAX_AT:
        raise InputError(f"{len(at)} instants exceed the limit of {MAX_AT}", field="at")
    try:
        return site_report(
            lat,
            lon,
            at=[_aware_utc(w, "at") for w in at] if at else None,
            start=_maybe_utc(start, "start"),
            end=_maybe_utc(end, "end"),
            step_hours=step_hours,
            height_km=height_km,
            relay=relay,
        ).records
    except InputError as exc:
        raise as_query_error(exc) from None


@router.get("/lunar/windows", responses=ERRORS)
def lunar_windows(
    site: Annotated[str, Query(max_length=100)],
    launcher: Annotated[str, Query(max_length=100)],
    start: datetime,
    end: datetime,
    transfer_days: Annotated[float | None, Query(gt=0, le=30)] = None,
    mission_kind: Annotated[str | None, Query(max_length=100)] = None,
    azimuth_min: Annotated[float | None, Query(ge=0, le=360)] = None,
    azimuth_max: Annotated[float | None, Query(ge=0, le=360)] = None,
) -> list[dict[str, Any]]:
    """Daily Earth–Moon direct-transfer launch windows (``stationplan lunar windows --format
    json``; the n-body ``--refine`` is CLI-only: ~5–40 s per window)."""
    from stationplan.services.lunar import azimuth_band, lunar_windows_report

    try:
        return lunar_windows_report(
            site,
            launcher,
            _aware_utc(start, "start"),
            _aware_utc(end, "end"),
            transfer_days=transfer_days,
            mission_kind=mission_kind,
            band_deg=azimuth_band(azimuth_min, azimuth_max),
        ).records
    except InputError as exc:
        raise as_query_error(exc) from None


# ----------------------------------------------------------------------------- campaigns


class CampaignIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    toml: str = Field(max_length=1_000_000)
    note: str = Field("", max_length=400)


class VersionIn(BaseModel):
    toml: str = Field(max_length=1_000_000)
    note: str = Field("", max_length=400)


class VersionOut(BaseModel):
    id: int
    campaign_id: int
    number: int
    note: str
    created_utc: str | None
    toml: str | None = None


class RunOut(BaseModel):
    id: int
    kind: str
    version_id: int | None
    inputs: dict[str, Any]
    status: str
    progress: str
    error: str | None
    warnings: list[str]
    created_utc: str | None
    started_utc: str | None
    finished_utc: str | None
    duration_s: float | None
    result: dict[str, Any] | None = None


class CampaignOut(BaseModel):
    id: int
    name: str
    created_utc: str | None
    versions: list[VersionOut]
    latest_run: RunOut | None


class JobIn(BaseModel):
    version: int | None = Field(None, ge=1, le=MAX_ID, description="version number; latest")
    time_limit_s: float = Field(10.0, ge=0.1, le=3600)
    ignore_logistics: bool = False
    solar: str = Field("nominal", pattern="^(low|nominal|high)$")


@router.get("/campaigns", response_model=list[CampaignOut], responses=ERRORS)
def list_campaigns(db: DB) -> Any:
    """Every campaign with its versions and latest run."""
    return [campaign_dict(db, c) for c in db.scalars(select(Campaign).order_by(Campaign.name))]


@router.post(
    "/campaigns",
    status_code=201,
    response_model=CampaignOut,
    responses=WRITE_ERRORS,
    dependencies=[Depends(writable)],
)
def new_campaign(body: CampaignIn, db: DB) -> Any:
    """Create a campaign from its first TOML version (validated: 422 with the line)."""
    return campaign_dict(db, create_campaign(db, body.name, body.toml, body.note))


@router.get("/campaigns/{campaign_id}", response_model=CampaignOut, responses=ERRORS)
def get_campaign(campaign_id: Id, db: DB) -> Any:
    """One campaign."""
    return campaign_dict(db, _get(db, Campaign, campaign_id, "campaign"))


@router.get("/campaigns/{campaign_id}/versions", response_model=list[VersionOut], responses=ERRORS)
def list_versions(campaign_id: Id, db: DB) -> Any:
    """Every version of a campaign, oldest first, with its TOML."""
    _get(db, Campaign, campaign_id, "campaign")
    versions = db.scalars(
        select(CampaignVersion)
        .where(CampaignVersion.campaign_id == campaign_id)
        .order_by(CampaignVersion.number)
    )
    return [version_dict(v) for v in versions]


@router.post(
    "/campaigns/{campaign_id}/versions",
    status_code=201,
    response_model=VersionOut,
    responses=WRITE_ERRORS,
    dependencies=[Depends(writable)],
)
def new_version(campaign_id: Id, body: VersionIn, db: DB) -> Any:
    """Store a new version of the TOML (validated; earlier versions stay)."""
    return version_dict(
        add_version(db, _get(db, Campaign, campaign_id, "campaign"), body.toml, body.note)
    )


def version_of(db: Session, campaign_id: int, number: int | None) -> CampaignVersion:
    """The numbered (or latest) version of a campaign; NotFoundError otherwise."""
    _get(db, Campaign, campaign_id, "campaign")
    if number is None:
        found = latest_version(db, campaign_id)
    else:
        found = db.scalar(
            select(CampaignVersion).where(
                CampaignVersion.campaign_id == campaign_id, CampaignVersion.number == number
            )
        )
    if found is None:
        raise NotFoundError(f"campaign {campaign_id} has no version {number}")
    return found


@router.get(
    "/campaigns/{campaign_id}/versions/{number}", response_model=VersionOut, responses=ERRORS
)
def get_version(campaign_id: Id, number: Id, db: DB) -> Any:
    """One version with its TOML."""
    return version_dict(version_of(db, campaign_id, number))


def enqueue(
    request: Request, db: Session, kind: str, version_id: int | None, inputs: dict[str, Any]
) -> Run:
    """Store a queued run (never overwritten later) and hand it to the worker pool."""
    run = Run(
        kind=kind,
        version_id=version_id,
        inputs=inputs,
        status="queued",
        progress="queued",
        warnings=[],
    )
    db.add(run)
    db.commit()
    request.app.state.pool.submit(run.id)
    return run


def submit_job(
    request: Request, db: Session, kind: str, version: CampaignVersion, body: JobIn
) -> Run:
    """Store a job for ``version`` and hand it to the pool."""
    inputs: dict[str, Any] = {
        "campaign_id": version.campaign_id,
        "version": version.number,
        "time_limit_s": body.time_limit_s,
        "file_name": f"campaign-v{version.number}.toml",
    }
    if kind == "plan":
        inputs["ignore_logistics"] = body.ignore_logistics
    else:
        inputs["solar"] = body.solar
    return enqueue(request, db, kind, version.id, inputs)


@router.post(
    "/campaigns/{campaign_id}/plan",
    status_code=202,
    response_model=RunOut,
    responses=WRITE_ERRORS,
    dependencies=[Depends(writable)],
)
def plan(campaign_id: Id, body: JobIn, request: Request, db: DB) -> Any:
    """Plan a version as a job (``stationplan plan --format json``); follow the run."""
    return run_dict(
        submit_job(request, db, "plan", version_of(db, campaign_id, body.version), body)
    )


@router.post(
    "/campaigns/{campaign_id}/simulate",
    status_code=202,
    response_model=RunOut,
    responses=WRITE_ERRORS,
    dependencies=[Depends(writable)],
)
def simulate(campaign_id: Id, body: JobIn, request: Request, db: DB) -> Any:
    """Simulate a version as a job (``stationplan simulate --format json``)."""
    version = version_of(db, campaign_id, body.version)
    return run_dict(submit_job(request, db, "simulate", version, body))


class ScreenIn(BaseModel):
    elements: int = Field(ge=1, le=MAX_ID, description="stored element set (the catalogue)")
    primary: list[int] = Field(min_length=1, max_length=10)
    start: datetime
    days: float = Field(1.0, gt=0, le=30)
    threshold_km: float = Field(5.0, gt=0, le=100)


def submit_screening(request: Request, db: Session, body: ScreenIn) -> Run:
    """Store a screening job against a stored element set and hand it to the pool."""
    from stationplan.services.windows import utc_within_sgp4_era

    upload = _get(db, ElementUpload, body.elements, "element set")
    for norad in body.primary:
        if not 1 <= norad <= 999_999_999:
            raise InputError("a NORAD id is 1–999999999", field="primary")
    inputs = {
        "elements": upload.id,
        "file_name": upload.name,
        "primary": body.primary,
        "start_utc": utc_within_sgp4_era(body.start, "start").isoformat(),
        "days": body.days,
        "threshold_km": body.threshold_km,
    }
    return enqueue(request, db, "screen", None, inputs)


@router.post(
    "/screenings",
    status_code=202,
    response_model=RunOut,
    responses=WRITE_ERRORS,
    dependencies=[Depends(writable)],
)
def screening(body: ScreenIn, request: Request, db: DB) -> Any:
    """Screen primaries against a stored catalogue as a job (``stationplan screen --format
    json``); the result lists the events with Pc and one CDM per event."""
    return run_dict(submit_screening(request, db, body))


@router.get(
    "/runs/{run_id}/cdm/{index}",
    responses={200: {"content": {"text/plain": {}}, "description": "a CCSDS CDM"}, **ERRORS},
)
def cdm(run_id: Id, index: Annotated[int, Path(ge=0, le=100_000)], db: DB) -> Any:
    """The CCSDS CDM of event ``index`` of a finished screening."""
    run = _get(db, Run, run_id, "run")
    cdms = (run.result or {}).get("cdms", []) if run.kind == "screen" else []
    if index >= len(cdms):
        raise NotFoundError(f"run {run_id} has no CDM {index}")
    return PlainTextResponse(
        cdms[index],
        headers={"Content-Disposition": f'attachment; filename="run{run_id}-event{index}.cdm"'},
    )


@router.get("/runs", response_model=list[RunOut], responses=ERRORS)
def list_runs(db: DB, limit: Annotated[int, Query(ge=1, le=500)] = 50) -> Any:
    """The newest runs (without their results)."""
    return [
        run_dict(r, with_result=False)
        for r in db.scalars(select(Run).order_by(Run.id.desc()).limit(limit))
    ]


@router.get("/runs/{run_id}", response_model=RunOut, responses=ERRORS)
def get_run(run_id: Id, db: DB) -> Any:
    """A run: status, progress, and when finished its result or error."""
    return run_dict(_get(db, Run, run_id, "run"))


@router.get("/runs/{run_id}/events", responses=ERRORS)
async def run_events(run_id: Id, request: Request, db: DB) -> StreamingResponse:
    """Server-sent events: the run's status and progress until it finishes."""
    _get(db, Run, run_id, "run")
    db.close()  # the stream opens a short session per poll; hold no connection meanwhile
    sessions = request.app.state.sessions

    async def stream() -> AsyncIterator[str]:
        last = None
        for _ in range(36_000):
            with sessions() as fresh:
                run = fresh.get(Run, run_id)
                state = {"status": run.status, "progress": run.progress, "error": run.error}
            if state != last:
                yield f"data: {json.dumps(state)}\n\n"
                last = state
            if state["status"] not in ("queued", "running") or await request.is_disconnected():
                return
            await asyncio.sleep(0.5)

    return StreamingResponse(stream(), media_type="text/event-stream")
