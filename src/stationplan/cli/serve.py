"""`stationplan serve`: the shared web workspace (FastAPI on uvicorn), see docs/web.md.

The CLI does not import the web face: it passes the options as environment variables
and gives uvicorn the web's application factory by its import string.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

#: The web application factory, as uvicorn imports it.
APP_FACTORY = "stationplan.web.server:app_from_environment"


def serve(
    host: Annotated[
        str, typer.Option(help="Address to bind; on loopback reads need no token.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    db: Annotated[
        str,
        typer.Option(
            help="Database URL: sqlite:///path.db or postgresql://user:password@host/name."
        ),
    ] = "sqlite:///stationplan.db",
    workers: Annotated[int, typer.Option(min=1, max=16, help="Job worker threads.")] = 1,
    dask: Annotated[
        str | None, typer.Option(help="Run jobs on this dask scheduler (tcp://host:8786).")
    ] = None,
    max_upload_mb: Annotated[
        float, typer.Option(min=0.01, max=1024, help="Largest upload, MB.")
    ] = 20.0,
) -> None:
    """Serve the web workspace and its HTTP API (OpenAPI at /openapi.json)."""
    import uvicorn

    from stationplan.cli.console import err
    from stationplan.errors import InputError

    if not (db.startswith("sqlite:///") or db.startswith("postgresql://")):
        raise InputError("expected sqlite:///path.db or postgresql://…", field="--db")
    os.environ.update(
        STATIONPLAN_DB=db,
        STATIONPLAN_HOST=host,
        STATIONPLAN_WORKERS=str(workers),
        STATIONPLAN_MAX_UPLOAD_BYTES=str(int(max_upload_mb * 1024 * 1024)),
        STATIONPLAN_DASK=dask or "",
    )
    err.print(f"stationplan serving on http://{host}:{port}/ (database {db})", highlight=False)
    uvicorn.run(APP_FACTORY, factory=True, host=host, port=port, log_level="warning")
