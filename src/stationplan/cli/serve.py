"""`stationplan serve`: the shared web workspace (FastAPI on uvicorn), see docs/web.md."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def serve(
    host: Annotated[str, typer.Option(help="Address to bind; loopback keeps reads open.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    db: Annotated[
        str,
        typer.Option(
            help="Database URL: sqlite:///path.db (default stationplan.db here) or "
            "postgresql://user:password@host/name."
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
    """Serve the web workspace and HTTP API (OpenAPI at /openapi.json)."""
    import uvicorn

    from stationplan.cli.console import err
    from stationplan.errors import InputError
    from stationplan.web.access import Access, is_loopback, load_token
    from stationplan.web.app import create_app

    if not (db.startswith("sqlite:///") or db.startswith("postgresql://")):
        raise InputError("expected sqlite:///path.db or postgresql://…", field="--db")
    folder = Path(db.removeprefix("sqlite:///")).resolve().parent if db.startswith("sqlite") else None
    token, generated = load_token(folder)
    if generated:
        where = f" (kept in {folder / 'stationplan-token'})" if folder else ""
        err.print(f"write token{where}: {token}", highlight=False, soft_wrap=True)
    access = Access(token, reads_need_token=not is_loopback(host))
    app = create_app(db, access, workers, dask, int(max_upload_mb * 1024 * 1024))
    err.print(f"stationplan serving on http://{host}:{port}/ (database {db})", highlight=False)
    uvicorn.run(app, host=host, port=port, log_level="warning")
