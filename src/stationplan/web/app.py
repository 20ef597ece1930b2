"""The FastAPI application: storage, access, worker pool, API and pages.

``create_app(url)`` migrates the database (Alembic), marks jobs a restart interrupted as
failed, and serves the API under ``/api`` (OpenAPI at ``/openapi.json``) and the pages.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from stationplan.errors import InfeasibleError, InputError, StationplanError
from stationplan.web import api, pages
from stationplan.web.access import Access
from stationplan.web.db import make_engine, migrate, session_factory
from stationplan.web.jobs import JobPool, fail_interrupted

__all__ = ["DEFAULT_MAX_UPLOAD_BYTES", "create_app"]

log = logging.getLogger("stationplan.web")

#: Uploads (element sets, campaign files) larger than this are refused with 413.
DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def create_app(
    url: str,
    access: Access,
    workers: int = 1,
    dask_address: str | None = None,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
) -> FastAPI:
    """The application on the database at ``url`` (SQLAlchemy URL)."""
    engine = make_engine(url)
    migrate(engine)
    interrupted = fail_interrupted(engine)
    if interrupted:
        log.warning("%d job(s) interrupted by the last shutdown marked failed", interrupted)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.pool.shutdown()

    app = FastAPI(
        title="stationplan",
        version="0.1.0",
        description="Plan crewed space-station campaigns: the HTTP API of `stationplan serve`.",
        lifespan=lifespan,
    )
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.access = access
    app.state.pool = JobPool(url, workers, dask_address)
    app.state.max_upload_bytes = max_upload_bytes
    app.state.interrupted_at_start = interrupted

    @app.middleware("http")
    async def limit_uploads(request: Request, call_next: Any) -> Any:
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > max_upload_bytes + 65536:
            return JSONResponse(
                {"detail": f"request body larger than {max_upload_bytes} bytes"}, status_code=413
            )
        return await call_next(request)

    allowed: list[tuple[re.Pattern[str], str]] = []

    @app.middleware("http")
    async def allow_header(request: Request, call_next: Any) -> Any:
        # Starlette names only the first matching route's methods in a 405's Allow header;
        # list every method the schema documents for the path (RFC 9110 §15.5.6).
        response = await call_next(request)
        if response.status_code == 405:
            if not allowed:
                # Literal paths first: /api/element-sets/fetch is not /api/element-sets/{id}.
                paths = sorted(app.openapi()["paths"].items(), key=lambda p: "{" in p[0])
                for path, operations in paths:
                    pattern = re.compile("^" + re.sub(r"\{[^/]+\}", "[^/]+", path) + "$")
                    allowed.append((pattern, ", ".join(sorted(m.upper() for m in operations))))
            for pattern, methods in allowed:
                if pattern.match(request.url.path):
                    response.headers["allow"] = methods
                    break
        return response

    def wants_html(request: Request) -> bool:
        return not request.url.path.startswith("/api")

    @app.exception_handler(InputError)
    async def input_error(request: Request, exc: InputError) -> Any:
        body = {"detail": exc.message, "field": exc.field, "line": exc.line}
        return JSONResponse(body, status_code=422)

    @app.exception_handler(InfeasibleError)
    async def infeasible(request: Request, exc: InfeasibleError) -> Any:
        return JSONResponse({"detail": str(exc)}, status_code=409)

    @app.exception_handler(StationplanError)
    async def other_error(request: Request, exc: StationplanError) -> Any:
        return JSONResponse({"detail": str(exc)}, status_code=422)

    @app.exception_handler(api.NotFoundError)
    async def not_found(request: Request, exc: api.NotFoundError) -> Any:
        if wants_html(request):
            return pages.error_page(request, 404, str(exc))
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Any:
        if wants_html(request) and exc.status_code == 401:
            return pages.error_page(request, 401, str(exc.detail))
        return JSONResponse({"detail": str(exc.detail)}, status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def validation(request: Request, exc: RequestValidationError) -> Any:
        errors = exc.errors()
        first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
        field = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path"))
        return JSONResponse(
            {
                "detail": f"{field or 'request'}: {first.get('msg')}",
                "field": field or None,
                "line": None,
            },
            status_code=422,
        )

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> Any:
        log.exception("internal error on %s", request.url.path)
        return JSONResponse(
            {"detail": f"internal error: {type(exc).__name__}: {exc}"}, status_code=500
        )

    app.include_router(api.router)
    app.include_router(pages.router)
    static = resources.files("stationplan.web") / "static"
    with resources.as_file(static) as folder:
        app.mount("/static", StaticFiles(directory=Path(folder)), name="static")
    return app
