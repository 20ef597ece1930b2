"""The application as uvicorn loads it: settings from the environment.

``stationplan serve`` (the CLI) sets ``STATIONPLAN_DB``, ``STATIONPLAN_HOST`` and the
others and hands uvicorn the import string of :func:`app_from_environment` (a factory),
so neither face imports the other; ``uvicorn --factory
stationplan.web.server:app_from_environment`` serves the same application.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from fastapi import FastAPI

from stationplan.errors import InputError
from stationplan.web.access import Access, is_loopback, load_token
from stationplan.web.app import DEFAULT_MAX_UPLOAD_BYTES, create_app

__all__ = ["app_from_environment"]


def app_from_environment() -> FastAPI:
    """The app for ``STATIONPLAN_DB`` (default ``sqlite:///stationplan.db``), bound to
    ``STATIONPLAN_HOST``; prints the write token when it is generated (first start)."""
    url = os.environ.get("STATIONPLAN_DB", "sqlite:///stationplan.db")
    if not (url.startswith("sqlite:///") or url.startswith("postgresql://")):
        raise InputError("expected sqlite:///path.db or postgresql://…", field="--db")
    host = os.environ.get("STATIONPLAN_HOST", "127.0.0.1")
    folder = (
        Path(url.removeprefix("sqlite:///")).resolve().parent if url.startswith("sqlite") else None
    )
    token, generated = load_token(folder)
    if generated:
        where = f" (kept in {folder / 'stationplan-token'})" if folder else ""
        print(f"write token{where}: {token}", file=sys.stderr, flush=True)
    access = Access(token, reads_need_token=not is_loopback(host))
    workers = int(os.environ.get("STATIONPLAN_WORKERS", "1"))
    limit = int(os.environ.get("STATIONPLAN_MAX_UPLOAD_BYTES", str(DEFAULT_MAX_UPLOAD_BYTES)))
    dask = os.environ.get("STATIONPLAN_DASK") or None
    return create_app(url, access, workers, dask, limit)
