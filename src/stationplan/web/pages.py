"""Server-rendered pages: dashboard, campaign, windows explorer (vendored assets only).

Every write is a plain form (keyboard-driven like any form) carrying the CSRF field; the
browser signs in once with the token. Results come from the same stored runs the API
serves; the port Gantt and the plots are SVG drawn here from the stored JSON.
"""

from __future__ import annotations

import difflib
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from sqlalchemy.orm import Session

from stationplan.errors import InfeasibleError, InputError
from stationplan.services.windows import sites_and_vehicles
from stationplan.web import api
from stationplan.web.access import COOKIE
from stationplan.web.db import Campaign, CampaignVersion, Run
from stationplan.web.store import (
    add_upload,
    add_version,
    campaign_dict,
    create_campaign,
    run_dict,
    upload_summaries,
    version_dict,
)

__all__ = ["error_page", "router"]

with resources.as_file(resources.files("stationplan.web") / "templates") as _folder:
    templates = Jinja2Templates(directory=Path(_folder))

router = APIRouter(include_in_schema=False)


def _render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    access = request.app.state.access
    context.update(
        signed_in=access.signed_in(request),
        csrf=access.csrf if access.signed_in(request) else "",
    )
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def error_page(request: Request, status_code: int, message: str) -> HTMLResponse:
    """An error as a page (404, 401)."""
    return _render(request, "error.html", status_code, message=message, code=status_code)


def _read(request: Request) -> None:
    request.app.state.access.check_read(request)


def _write(request: Request, csrf: str) -> None:
    request.app.state.access.check_write(request, csrf)


def _parse_time(when: datetime | str) -> datetime:
    if isinstance(when, str):
        when = datetime.fromisoformat(when.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


# ----------------------------------------------------------------------------- SVG drawing


def gantt(schedule: dict[str, Any], width: int = 960) -> dict[str, Any]:
    """Bars (port rows × time) and the crew-aboard steps of a stored schedule, in pixels."""
    start = _parse_time(schedule["start_utc"])
    departures = [
        _parse_time(m["departure_utc"]) for m in schedule["missions"] if m["departure_utc"]
    ]
    end = max([_parse_time(schedule["completion_utc"]) + timedelta(days=30), *departures])
    span_s = max((end - start).total_seconds(), 1.0)
    left, right = 110, width - 10

    def x(when: datetime) -> float:
        return round(left + (right - left) * (when - start).total_seconds() / span_s, 1)

    bars: list[dict[str, Any]] = []
    for v in schedule["initial"]:
        bars.append(
            dict(
                port=v["port"],
                a=start,
                b=_parse_time(v["departure_utc"]),
                name=v["name"],
                kind="initial",
            )
        )
    for m in schedule["missions"]:
        dock = _parse_time(m["docking_utc"])
        leave = _parse_time(m["departure_utc"]) if m["departure_utc"] else end
        if m["transposition_utc"] and m["berth"]:
            moved = _parse_time(m["transposition_utc"])
            bars.append(dict(port=m["port"], a=dock, b=moved, name=m["name"], kind=m["kind"]))
            bars.append(dict(port=m["berth"], a=moved, b=leave, name=m["name"], kind=m["kind"]))
        else:
            bars.append(dict(port=m["port"], a=dock, b=leave, name=m["name"], kind=m["kind"]))
    rows: list[str] = []
    for bar in bars:
        if bar["port"] not in rows:
            rows.append(bar["port"])
    for bar in bars:
        bar.update(
            x=x(bar["a"]),
            w=max(x(bar["b"]) - x(bar["a"]), 2.0),
            y=20 + 26 * rows.index(bar["port"]),
            label=f"{bar['name']}: {bar['port']} {bar['a']:%Y-%m-%d} → {bar['b']:%Y-%m-%d}",
        )
    ticks = []
    month = datetime(start.year, start.month, 1, tzinfo=UTC)
    while month <= end:
        if month >= start:
            ticks.append({"x": x(month), "label": f"{month:%Y-%m}"})
        month = datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=UTC)
    crew_top = 20 + 26 * len(rows) + 30
    steps, level = [f"{left},{crew_top + 80}"], 0
    peak = max([1] + [e["crew_aboard"] for e in schedule["timeline"]])
    for e in schedule["timeline"]:
        px = x(_parse_time(e["time_utc"]))
        y_old = crew_top + 80 - 80 * level / peak
        level = e["crew_aboard"]
        steps.append(f"{px},{y_old} {px},{crew_top + 80 - 80 * level / peak}")
    steps.append(f"{right},{crew_top + 80 - 80 * level / peak}")
    return {
        "width": width,
        "height": crew_top + 110,
        "rows": [{"name": r, "y": 20 + 26 * i} for i, r in enumerate(rows)],
        "bars": bars,
        "ticks": ticks,
        "crew_top": crew_top,
        "crew_peak": peak,
        "crew_path": " ".join(steps),
        "left": left,
        "right": right,
    }


def line_plot(
    days: list[dict[str, Any]], keys: list[str], width: int = 960, height: int = 180
) -> dict[str, Any]:
    """Polylines of daily values (``keys`` of the simulation's day records), in pixels."""
    if not days:
        return {"lines": [], "width": width, "height": height}
    values = [d[k] for d in days for k in keys]
    lo, hi = min(values), max(values)
    hi = hi if hi > lo else lo + 1
    left, right = 60, width - 10
    lines = []
    for k in keys:
        points = " ".join(
            f"{left + (right - left) * i / max(len(days) - 1, 1):.1f},"
            f"{10 + (height - 30) * (1 - (d[k] - lo) / (hi - lo)):.1f}"
            for i, d in enumerate(days)
        )
        lines.append({"key": k, "points": points})
    return {
        "lines": lines,
        "width": width,
        "height": height,
        "lo": round(lo, 1),
        "hi": round(hi, 1),
        "first": days[0]["date"],
        "last": days[-1]["date"],
        "left": left,
    }


def plan_diff(old: dict[str, Any] | None, new: dict[str, Any]) -> list[dict[str, Any]]:
    """Per mission: launch and port in the previous version's plan and in this one."""
    before = {m["name"]: m for m in (old or {}).get("schedule", {}).get("missions", [])}
    rows = []
    for m in new["schedule"]["missions"]:
        was = before.pop(m["name"], None)
        shift_h = None
        if was is not None:
            shift_h = round(
                (_parse_time(m["launch_utc"]) - _parse_time(was["launch_utc"])).total_seconds()
                / 3600,
                2,
            )
        rows.append(
            {
                "name": m["name"],
                "launch_was": was and was["launch_utc"],
                "launch_now": m["launch_utc"],
                "port_was": was and was["port"],
                "port_now": m["port"],
                "shift_h": shift_h,
            }
        )
    for name, was in before.items():
        rows.append(
            {
                "name": name,
                "launch_was": was["launch_utc"],
                "launch_now": None,
                "port_was": was["port"],
                "port_now": None,
                "shift_h": None,
            }
        )
    return rows


# ----------------------------------------------------------------------------- pages


def _dashboard(request: Request, db: Session, status_code: int = 200, **extra: Any) -> HTMLResponse:
    uploads = upload_summaries(db)
    campaigns = [campaign_dict(db, c) for c in db.scalars(select(Campaign).order_by(Campaign.name))]
    return _render(
        request,
        "dashboard.html",
        status_code,
        uploads=uploads,
        campaigns=campaigns,
        interrupted=request.app.state.interrupted_at_start,
        **extra,
    )


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request) -> HTMLResponse:
    """Campaigns and their latest plan, element sets and their freshness."""
    _read(request)
    with request.app.state.sessions() as db:
        return _dashboard(request, db)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    """Sign in with the token (printed by ``stationplan serve`` at first start)."""
    return _render(request, "login.html")


@router.post("/login")
def login(request: Request, token: Annotated[str, Form(max_length=500)]) -> Response:
    """Check the token and keep it in a strict, HTTP-only cookie."""
    access = request.app.state.access
    if token.strip() != access.token:
        return _render(request, "login.html", 401, error="wrong token")
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(COOKIE, access.token, httponly=True, samesite="strict", max_age=30 * 86400)
    return response


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    """Forget the sign-in cookie."""
    _write(request, csrf)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE)
    return response


async def _limited(request: Request, file: UploadFile) -> bytes:
    limit = request.app.state.max_upload_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise InputError(f"the file is larger than {limit} bytes", field="file")
    return data


@router.post("/element-sets")
async def upload_form(
    request: Request, file: Annotated[UploadFile, File()], csrf: Annotated[str, Form()] = ""
) -> Response:
    """Store an uploaded element-set file, back to the dashboard."""
    _write(request, csrf)
    with request.app.state.sessions() as db:
        try:
            data = await _limited(request, file)
            add_upload(db, file.filename or "elements.tle", data)
        except InputError as exc:
            return _dashboard(request, db, 422, upload_error=exc.message)
    return RedirectResponse("/", status_code=303)


@router.post("/element-sets/fetch")
def fetch_form(
    request: Request,
    csrf: Annotated[str, Form()] = "",
    catnr: Annotated[str, Form(max_length=12)] = "",
    group: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Fetch current element sets from CelesTrak (the dashboard's button)."""
    from stationplan.services.celestrak import GPQuery, fetch_gp

    _write(request, csrf)
    with request.app.state.sessions() as db:
        try:
            if catnr.strip() and not catnr.strip().isdigit():
                raise InputError("a catalog number is digits", field="catnr")
            query = GPQuery(int(catnr) if catnr.strip() else None, group.strip() or None)
            data, _ = fetch_gp(query, timeout_s=20)
            add_upload(db, query.name, data, origin=query.url())
        except InputError as exc:
            return _dashboard(request, db, 422, fetch_error=exc.message)
    return RedirectResponse("/", status_code=303)


@router.post("/campaigns")
async def campaign_form(
    request: Request,
    name: Annotated[str, Form(max_length=200)],
    csrf: Annotated[str, Form()] = "",
    toml: Annotated[str, Form(max_length=1_000_000)] = "",
    file: UploadFile | None = None,
) -> Response:
    """Create a campaign from an uploaded TOML file (or pasted text)."""
    _write(request, csrf)
    with request.app.state.sessions() as db:
        try:
            text = toml
            if file is not None and file.filename:
                text = (await _limited(request, file)).decode("utf-8", errors="replace")
            campaign = create_campaign(db, name, text)
        except InputError as exc:
            return _dashboard(request, db, 422, campaign_error=exc.message, campaign_line=exc.line)
        return RedirectResponse(f"/campaigns/{campaign.id}", status_code=303)


def _campaign_page(
    request: Request,
    db: Session,
    campaign_id: int,
    version_number: int | None = None,
    run_id: int | None = None,
    status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    campaign = db.get(Campaign, campaign_id)
    if campaign is None:
        raise api.NotFoundError(f"no campaign {campaign_id}")
    versions = db.scalars(
        select(CampaignVersion)
        .where(CampaignVersion.campaign_id == campaign_id)
        .order_by(CampaignVersion.number)
    ).all()
    shown = next((v for v in versions if v.number == version_number), versions[-1])
    by_id = {v.id: v for v in versions}
    runs = db.scalars(
        select(Run).where(Run.version_id.in_(list(by_id))).order_by(Run.id.desc())
    ).all()
    run = next((r for r in runs if r.id == run_id), runs[0] if runs else None)
    run_view = None
    if run is not None:
        run_view = run_dict(run)
        run_view["version_number"] = (
            by_id[run.version_id].number if run.version_id in by_id else None
        )
        result = run.result if run.status == "done" else None
        if result and run.kind == "plan":
            run_view["gantt"] = gantt(result["schedule"])
            days = result["simulation"]["days"]
            run_view["altitude"] = line_plot(days, ["altitude_km"])
            stock_keys = [
                k for k in ("food_kg", "water_kg", "propellant_kg") if days and k in days[0]
            ]
            run_view["stocks"] = line_plot(days, stock_keys)
            previous = next(
                (
                    r
                    for r in runs
                    if r.status == "done"
                    and r.kind == "plan"
                    and r.version_id != run.version_id
                    and r.id < run.id
                ),
                None,
            )
            run_view["diff"] = plan_diff(previous.result if previous else None, result)
            run_view["diff_against"] = (
                by_id[previous.version_id].number
                if previous and previous.version_id in by_id
                else None
            )
    before = next((v for v in versions if v.number == shown.number - 1), None)
    toml_diff = []
    if before is not None:
        toml_diff = list(
            difflib.unified_diff(
                before.toml.splitlines(),
                shown.toml.splitlines(),
                f"version {before.number}",
                f"version {shown.number}",
                lineterm="",
                n=1,
            )
        )
    context = dict(
        campaign=campaign,
        versions=[version_dict(v) for v in versions],
        shown=version_dict(shown),
        latest=versions[-1].number,
        run=run_view,
        toml_diff=toml_diff,
        text=extra.pop("text", shown.toml),
    )
    context.update(extra)
    return _render(request, "campaign.html", status_code, **context)


@router.get("/campaigns/{campaign_id}", response_class=HTMLResponse)
def campaign_page(
    request: Request,
    campaign_id: api.Id,
    version: Annotated[int | None, Query(ge=1, le=api.MAX_ID)] = None,
    run: Annotated[int | None, Query(ge=1, le=api.MAX_ID)] = None,
) -> HTMLResponse:
    """A campaign: its TOML editor, versions, latest plan with Gantt, plots, missions, diff."""
    _read(request)
    with request.app.state.sessions() as db:
        return _campaign_page(request, db, campaign_id, version, run)


@router.post("/campaigns/{campaign_id}/versions")
def version_form(
    request: Request,
    campaign_id: api.Id,
    toml: Annotated[str, Form(max_length=1_000_000)],
    note: Annotated[str, Form(max_length=400)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Save the edited TOML as a new version; errors shown with their line."""
    _write(request, csrf)
    with request.app.state.sessions() as db:
        campaign = db.get(Campaign, campaign_id)
        if campaign is None:
            raise api.NotFoundError(f"no campaign {campaign_id}")
        try:
            add_version(db, campaign, toml.replace("\r\n", "\n"), note)
        except InputError as exc:
            return _campaign_page(
                request,
                db,
                campaign_id,
                status_code=422,
                text=toml,
                error=exc.reason,
                error_line=exc.line,
                error_field=exc.field,
            )
    return RedirectResponse(f"/campaigns/{campaign_id}", status_code=303)


@router.post("/campaigns/{campaign_id}/restore/{number}")
def restore_form(
    request: Request, campaign_id: api.Id, number: api.Id, csrf: Annotated[str, Form()] = ""
) -> Response:
    """Store an earlier version's TOML again as the newest version (nothing is deleted)."""
    _write(request, csrf)
    with request.app.state.sessions() as db:
        old = api.version_of(db, campaign_id, number)
        campaign = db.get(Campaign, campaign_id)
        assert campaign is not None
        add_version(db, campaign, old.toml, f"restored version {number}")
    return RedirectResponse(f"/campaigns/{campaign_id}", status_code=303)


@router.post("/campaigns/{campaign_id}/plan")
def plan_form(
    request: Request,
    campaign_id: api.Id,
    csrf: Annotated[str, Form()] = "",
    time_limit_s: Annotated[float, Form(ge=0.1, le=3600)] = 10.0,
) -> Response:
    """Plan the latest version as a job; the page follows its progress."""
    _write(request, csrf)
    with request.app.state.sessions() as db:
        version = api.version_of(db, campaign_id, None)
        run = api.submit_job(
            request,
            db,
            "plan",
            version,
            api.JobIn(version=None, time_limit_s=time_limit_s, solar="nominal"),
        )
    return RedirectResponse(f"/campaigns/{campaign_id}?run={run.id}", status_code=303)


@router.get("/windows", response_class=HTMLResponse)
def windows_page(
    request: Request,
    site: Annotated[str | None, Query(max_length=100)] = None,
    vehicle: Annotated[str | None, Query(max_length=100)] = None,
    start: Annotated[str | None, Query(max_length=40)] = None,
    end: Annotated[str | None, Query(max_length=40)] = None,
    elements: Annotated[int | None, Query(ge=1, le=api.MAX_ID)] = None,
    norad: Annotated[int | None, Query(ge=1, le=999_999_999)] = None,
) -> HTMLResponse:
    """Windows explorer: site, vehicle, dates → table and calendar."""
    _read(request)
    ids = sites_and_vehicles()
    today = datetime.now(UTC).date()
    form = {
        "site": site or "jiuquan",
        "vehicle": vehicle or "shenzhou",
        "start": start or today.isoformat(),
        "end": end or (today + timedelta(days=14)).isoformat(),
        "elements": elements,
        "norad": norad or 48274,
    }
    result, error, calendar = None, None, []
    with request.app.state.sessions() as db:
        uploads = upload_summaries(db)
        if site and vehicle and start and end:
            try:
                t0, t1 = _parse_time(start), _parse_time(end)
                catalog, source = api._catalog(db, elements)
                from stationplan.services.windows import windows_report

                result = windows_report(
                    catalog, source, norad or 48274, site, vehicle, None, None, t0, t1
                )
                calendar = _calendar(result["opportunities"])
            except ValueError:
                error = "dates must be ISO 8601 (2025-06-01 or 2025-06-01T12:00)"
            except (InputError, InfeasibleError, api.NotFoundError) as exc:
                error = str(exc)
    return _render(
        request,
        "windows.html",
        422 if error else 200,
        ids=ids,
        form=form,
        uploads=uploads,
        result=result,
        error=error,
        calendar=calendar,
    )


def _calendar(opportunities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Days with their feasible and infeasible opportunity counts."""
    days: dict[str, dict[str, Any]] = {}
    for o in opportunities:
        day = str(o["launch_utc"])[:10]
        entry = days.setdefault(day, {"day": day, "feasible": 0, "other": 0})
        entry["feasible" if o.get("feasible_profiles") else "other"] += 1
    return sorted(days.values(), key=lambda d: d["day"])


@router.get("/moon", response_class=HTMLResponse)
def moon_page(
    request: Request,
    lat: Annotated[float | None, Query(ge=-1000, le=1000)] = None,
    lon: Annotated[float | None, Query(ge=-1000, le=1000)] = None,
    start: Annotated[str | None, Query(max_length=40)] = None,
    end: Annotated[str | None, Query(max_length=40)] = None,
    step_hours: Annotated[float | None, Query(gt=0, le=8784)] = None,
    site: Annotated[str | None, Query(max_length=100)] = None,
    launcher: Annotated[str | None, Query(max_length=100)] = None,
    wstart: Annotated[str | None, Query(max_length=40)] = None,
    wend: Annotated[str | None, Query(max_length=40)] = None,
) -> HTMLResponse:
    """The Moon: conditions at a lunar site (table and Sun/Earth altitude plot) and the daily
    Earth–Moon launch windows of a launcher from a site."""
    from stationplan.services.lunar import lunar_launcher_sites, lunar_windows_report, site_report

    _read(request)
    today = datetime.now(UTC).date()
    step = step_hours or 6.0
    form: dict[str, Any] = {
        "lat": -88.8 if lat is None else lat,
        "lon": 123.4 if lon is None else lon,
        "start": start or today.isoformat(),
        "end": end or (today + timedelta(days=30)).isoformat(),
        "step_hours": step,
        "site": site or "wenchang",
        "launcher": launcher or "long-march-5",
        "wstart": wstart or today.isoformat(),
        "wend": wend or (today + timedelta(days=7)).isoformat(),
    }
    conditions, plot, site_error = None, None, None
    if lat is not None and lon is not None and start and end:
        try:
            found = site_report(
                lat,
                lon,
                start=_parse_time(start),
                end=_parse_time(end),
                step_hours=step,
            )
            conditions = {
                "records": found.records,
                "horizon": found.conditions.horizon,
                "relay": found.conditions.relay,
                "events": found.events,
            }
            plot = line_plot(
                [
                    {
                        "date": r["utc"],
                        "sun_alt_deg": r["sun_alt_deg"],
                        "earth_alt_deg": r["earth_alt_deg"],
                    }
                    for r in found.records
                ],
                ["sun_alt_deg", "earth_alt_deg"],
            )
        except (ValueError, OverflowError):
            site_error = "dates must be ISO 8601 (2026-01-01 or 2026-01-01T12:00)"
        except InputError as exc:
            site_error = api.as_query_error(exc).message
    windows, windows_error = None, None
    if site and launcher and wstart and wend:
        try:
            windows = lunar_windows_report(site, launcher, _parse_time(wstart), _parse_time(wend))
        except (ValueError, OverflowError):
            windows_error = "dates must be ISO 8601 (2026-01-01 or 2026-01-01T12:00)"
        except InputError as exc:
            windows_error = api.as_query_error(exc, {"start": "wstart", "end": "wend"}).message
    return _render(
        request,
        "moon.html",
        422 if site_error or windows_error else 200,
        form=form,
        launchers=lunar_launcher_sites(),
        conditions=conditions,
        plot=plot,
        site_error=site_error,
        windows=windows,
        windows_error=windows_error,
    )


@router.get("/screening", response_class=HTMLResponse)
def screening_page(
    request: Request, run: Annotated[int | None, Query(ge=1, le=api.MAX_ID)] = None
) -> HTMLResponse:
    """Screening: start a job against a stored catalogue; events sortable by Pc or miss."""
    _read(request)
    with request.app.state.sessions() as db:
        uploads = upload_summaries(db)
        runs = db.scalars(
            select(Run).where(Run.kind == "screen").order_by(Run.id.desc()).limit(20)
        ).all()
        shown = next((r for r in runs if r.id == run), runs[0] if runs else None)
        return _render(
            request,
            "screening.html",
            uploads=uploads,
            runs=[run_dict(r, with_result=False) for r in runs],
            run=None if shown is None else run_dict(shown),
        )


@router.post("/screenings")
def screening_form(
    request: Request,
    elements: Annotated[int, Form(ge=1, le=api.MAX_ID)],
    primary: Annotated[str, Form(max_length=200)],
    start: Annotated[str, Form(max_length=40)],
    days: Annotated[float, Form(gt=0, le=30)] = 1.0,
    threshold_km: Annotated[float, Form(gt=0, le=100)] = 5.0,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Queue a screening job, then follow it on the screening page."""
    _write(request, csrf)
    with request.app.state.sessions() as db:
        try:
            ids = [int(p) for p in primary.replace(",", " ").split()]
            body = api.ScreenIn(
                elements=elements,
                primary=ids,
                start=_parse_time(start),
                days=days,
                threshold_km=threshold_km,
            )
            run = api.submit_screening(request, db, body)
        except (ValueError, InputError) as exc:
            message = (
                exc.message
                if isinstance(exc, InputError)
                else "primary: NORAD ids, start: ISO 8601"
            )
            return error_page(request, 422, message)
    return RedirectResponse(f"/screening?run={run.id}", status_code=303)
