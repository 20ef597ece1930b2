"""Jobs off the request path: plans, simulations and screenings run by a worker pool.

Plans, simulations and screenings are jobs. A job is a row of ``runs``; :func:`execute_run` reads its inputs, runs the service and
stores status, progress, result, warnings and timings. It opens its own database
connection from the URL, so the same function runs in the server's thread pool or on a
dask cluster (``--dask ADDRESS``, workers sharing the database). A server restart marks
every queued or running job failed (:func:`fail_interrupted`): none is silently dropped.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from stationplan.errors import InfeasibleError, StationplanError
from stationplan.web.db import (
    CampaignVersion,
    ElementUpload,
    Run,
    make_engine,
    now_utc,
    session_factory,
)

__all__ = ["INTERRUPTED", "JobPool", "execute_run", "fail_interrupted"]

INTERRUPTED = "interrupted by a server restart before it finished; run it again"

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def _engine(url: str) -> Engine:
    with _engines_lock:
        if url not in _engines:
            _engines[url] = make_engine(url)
        return _engines[url]


def _set(url: str, run_id: int, **values: Any) -> None:
    with _engine(url).begin() as connection:
        connection.execute(update(Run).where(Run.id == run_id).values(**values))


def _service(kind: str) -> Callable[..., dict[str, Any]]:
    from stationplan.services.campaigns import plan_request, simulate_request

    def plan(text: str, inputs: dict[str, Any], progress: Callable[[str], None]) -> dict[str, Any]:
        outcome = plan_request(
            text,
            time_limit_s=float(inputs.get("time_limit_s", 10.0)),
            name=inputs.get("file_name", "campaign.toml"),
            on_mission=progress,
            ignore_logistics=bool(inputs.get("ignore_logistics", False)),
        )
        return outcome.as_dict()

    def simulate(
        text: str, inputs: dict[str, Any], progress: Callable[[str], None]
    ) -> dict[str, Any]:
        return simulate_request(
            text,
            time_limit_s=float(inputs.get("time_limit_s", 10.0)),
            name=inputs.get("file_name", "campaign.toml"),
            solar=inputs.get("solar", "nominal"),
            on_mission=progress,
        )

    def screening(
        content: bytes, inputs: dict[str, Any], progress: Callable[[str], None]
    ) -> dict[str, Any]:
        from datetime import datetime

        from stationplan.services.elements import parse_element_bytes
        from stationplan.services.screening import screen_report

        progress("screening")
        catalog = parse_element_bytes(content, inputs.get("file_name", "elements.tle"))
        return screen_report(
            catalog,
            datetime.fromisoformat(inputs["start_utc"]),
            float(inputs["days"]),
            [int(p) for p in inputs["primary"]],
            float(inputs["threshold_km"]),
        )

    services: dict[str, Callable[..., dict[str, Any]]] = {
        "plan": plan,
        "simulate": simulate,
        "screen": screening,
    }
    return services[kind]


def execute_run(url: str, run_id: int) -> str:
    """Run the stored job ``run_id`` against the database at ``url``; return its status.

    Statuses: ``done``, ``infeasible`` (the explanation in ``error``), ``failed`` (bad
    input or a bug, the message in ``error``).
    """
    sessions = session_factory(_engine(url))
    with sessions() as session:
        run = session.get(Run, run_id)
        if run is None or run.status != "queued":
            return "skipped"
        version = session.get(CampaignVersion, run.version_id) if run.version_id else None
        kind, inputs = run.kind, dict(run.inputs)
        subject: Any = version.toml if version is not None else ""
        if kind == "screen":
            upload = session.get(ElementUpload, int(inputs["elements"]))
            subject = upload.content if upload is not None else b""
    clock = time.perf_counter()
    _set(url, run_id, status="running", started_utc=now_utc(), progress="starting")
    last = [0.0]

    def progress(mission: str) -> None:
        now = time.perf_counter()
        if now - last[0] > 0.2:
            last[0] = now
            _set(url, run_id, progress=f"computing launch windows: {mission}")

    status, result, error, warnings = "failed", None, None, []
    try:
        result = _service(kind)(subject, inputs, progress)
        warnings = list(result.get("warnings", []))
        status = "done"
    except InfeasibleError as exc:
        status, error = "infeasible", str(exc)
    except StationplanError as exc:
        status, error = "failed", str(exc)
    except Exception as exc:  # a bug: stored, never lost
        status, error = "failed", f"internal error: {type(exc).__name__}: {exc}"
    _set(
        url,
        run_id,
        status=status,
        result=result,
        error=error,
        warnings=warnings,
        progress="",
        finished_utc=now_utc(),
        duration_s=round(time.perf_counter() - clock, 3),
    )
    return status


def fail_interrupted(engine: Engine) -> int:
    """Mark every queued or running job failed (a restart interrupted it); return how many."""
    with engine.begin() as connection:
        ids = (
            connection.execute(select(Run.id).where(Run.status.in_(("queued", "running"))))
            .scalars()
            .all()
        )
        if ids:
            connection.execute(
                update(Run)
                .where(Run.id.in_(ids))
                .values(status="failed", error=INTERRUPTED, progress="", finished_utc=now_utc())
            )
    return len(ids)


class JobPool:
    """Submits stored jobs to threads (default, ``workers`` of them) or a dask cluster."""

    def __init__(self, url: str, workers: int = 1, dask_address: str | None = None) -> None:
        self.url = url
        self._client: Any = None
        self._executor: Executor
        if dask_address:
            from dask.distributed import Client

            self._client = Client(dask_address)
            self._executor = self._client.get_executor()
        else:
            self._executor = ThreadPoolExecutor(workers, thread_name_prefix="stationplan-job")

    def submit(self, run_id: int) -> None:
        """Queue the stored job ``run_id``."""
        self._executor.submit(execute_run, self.url, run_id)

    def shutdown(self) -> None:
        """Stop accepting jobs; running ones finish (or are marked failed at next start)."""
        if self._client is None:
            self._executor.shutdown(wait=False, cancel_futures=True)
        else:  # dask's ClientExecutor.shutdown takes no cancel_futures
            self._executor.shutdown(wait=False)
            self._client.close()
