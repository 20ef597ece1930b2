"""`stationplan serve` killed with SIGKILL mid-upload and mid-plan loses nothing committed.

After a restart every committed upload and campaign version reads back byte for byte, the
interrupted job shows failed (never silently dropped), and SQLite's ``PRAGMA
integrity_check`` says ok. The same suite runs on PostgreSQL when ``.ci/run`` has started
one (``STATIONPLAN_TEST_POSTGRES``); it skips otherwise.
"""

from __future__ import annotations

import socket
import sqlite3
import time

import httpx
import pytest

from stationplan.web.jobs import INTERRUPTED
from web_server import STATIONS_TLE, TIANGONG, TOKEN, Server, postgres_url, reset_postgres


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'web.db'}"
    url = postgres_url()
    if url is None:
        pytest.skip("no PostgreSQL server (set STATIONPLAN_TEST_POSTGRES; .ci/run starts one)")
    reset_postgres(url)
    return url


def half_sent_upload(server: Server, data: bytes) -> socket.socket:
    """Send the headers and half the body of a multipart upload, then stall."""
    request = httpx.Request(
        "POST",
        server.base + "/api/element-sets",
        files={"file": ("big.tle", data)},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    body = request.read()
    head = f"POST /api/element-sets HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in request.headers.items() if k.lower() != "host")
    connection = socket.create_connection(("127.0.0.1", server.port))
    connection.sendall(head.encode() + b"\r\n" + body[: len(body) // 2])
    return connection


def test_sigkill_during_an_upload_and_a_plan_keeps_every_commit(backend, tmp_path):
    server = Server(backend, tmp_path).start()
    tle = STATIONS_TLE.read_bytes()
    first, second = (
        TIANGONG.read_text(),
        TIANGONG.read_text().replace("Tiangong assembly", "Tiangong v2"),
    )
    with server.client() as client:
        upload = client.post("/api/element-sets", files={"file": ("stations.tle", tle)}).json()
        campaign = client.post("/api/campaigns", json={"name": "TG", "toml": first}).json()["id"]
        assert (
            client.post(f"/api/campaigns/{campaign}/versions", json={"toml": second}).status_code
            == 201
        )
        stalled = half_sent_upload(server, tle * 2000)
        time.sleep(0.5)
        server.kill()
        stalled.close()

    server = Server(backend, tmp_path).start()
    with server.client() as client:
        uploads = client.get("/api/element-sets").json()
        assert [u["id"] for u in uploads] == [upload["id"]]
        stored = client.get(f"/api/element-sets/{upload['id']}").json()
        assert stored["objects"] == upload["objects"]
        run = client.post(f"/api/campaigns/{campaign}/plan", json={}).json()
        deadline = time.monotonic() + 60
        while client.get(f"/api/runs/{run['id']}").json()["status"] == "queued":
            assert time.monotonic() < deadline
            time.sleep(0.02)
        started = client.get(f"/api/runs/{run['id']}").json()
        assert started["status"] == "running", started
        server.kill()

    server = Server(backend, tmp_path).start()
    try:
        with server.client() as client:
            versions = client.get(f"/api/campaigns/{campaign}/versions").json()
            assert [v["toml"] for v in versions] == [first, second]
            after = client.get(f"/api/runs/{run['id']}").json()
            assert (after["status"], after["error"]) == ("failed", INTERRUPTED), after
            again = client.post(f"/api/campaigns/{campaign}/plan", json={}).json()
            while client.get(f"/api/runs/{again['id']}").json()["status"] in ("queued", "running"):
                time.sleep(0.2)
            assert client.get(f"/api/runs/{again['id']}").json()["status"] == "done"
    finally:
        server.stop()
    if backend.startswith("sqlite"):
        with sqlite3.connect(backend.removeprefix("sqlite:///")) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    else:
        import psycopg

        with psycopg.connect(backend) as connection:
            count = connection.execute("SELECT count(*) FROM element_uploads").fetchone()
            assert count == (1,)
