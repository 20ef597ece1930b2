"""`stationplan fetch` and the web's fetch against a local server replaying a recorded
CelesTrak GP answer (OMM JSON, the format of celestrak.org/NORAD/elements/gp.php)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sgp4.api import Satrec

from cli_runner import run_cli
from stationplan.web.access import Access
from stationplan.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]
#: GP answer for GROUP=stations written in CelesTrak's JSON layout from the bundled TLEs
#: (src/stationplan/data/stations.tle): same objects, epochs and elements.
RECORDED = Path(__file__).parent / "data" / "celestrak" / "gp-stations.json"
STATIONS_TLE = ROOT / "src" / "stationplan" / "data" / "stations.tle"


class Replay(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        url = urlparse(self.path)
        query = parse_qs(url.query)
        if url.path == "/NORAD/elements/gp.php" and query == {
            "GROUP": ["stations"],
            "FORMAT": ["JSON"],
        }:
            body, kind = RECORDED.read_bytes(), "application/json"
        else:
            body, kind = b"No GP data found", "text/plain"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def celestrak(monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Replay)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}/NORAD/elements/gp.php"
    monkeypatch.setenv("STATIONPLAN_CELESTRAK_URL", base)
    yield base
    server.shutdown()


def tle_satrecs() -> dict[int, Satrec]:
    lines = STATIONS_TLE.read_text().splitlines()
    found = {}
    for one, two in pairwise(lines):
        if one.startswith("1 ") and two.startswith("2 "):
            found[int(one[2:7])] = Satrec.twoline2rv(one, two)
    return found


def test_fetch_writes_the_answer_and_lists_each_objects_epoch(celestrak, tmp_path, capsys):
    out = tmp_path / "gp.json"
    code, stdout, err = run_cli(capsys, "fetch", "--group", "stations", "--out", str(out))
    assert code == 0, err
    assert out.read_bytes() == RECORDED.read_bytes()
    for record in json.loads(RECORDED.read_text()):
        assert (
            f"{record['NORAD_CAT_ID']} {record['OBJECT_NAME']}: epoch {record['EPOCH'][:10]}"
            in stdout
        )
    assert "stale" in stdout  # the recorded sets are from 2024


def test_fetched_elements_propagate_as_the_element_sets_they_were_recorded_from(
    celestrak, tmp_path, capsys
):
    from stationplan.orbit.elements import load_catalog

    out = tmp_path / "gp.json"
    assert run_cli(capsys, "fetch", "--group", "stations", "--out", str(out))[0] == 0
    fetched = load_catalog(out).latest()
    for norad, truth in tle_satrecs().items():
        satrec = fetched[norad].satrec
        for minutes in (0.0, 90.0, 1440.0):
            jd, fr = truth.jdsatepoch, truth.jdsatepochF + minutes / 1440.0
            e1, r1, _ = truth.sgp4(jd, fr)
            e2, r2, _ = satrec.sgp4(jd, fr)
            assert e1 == e2 == 0
            assert np.linalg.norm(np.subtract(r1, r2)) < 0.01  # km


def test_an_unknown_group_is_one_line_naming_the_answer(celestrak, capsys):
    code, _, err = run_cli(capsys, "fetch", "--group", "no-such-group")
    assert code == 1
    assert "No GP data found" in err and "Traceback" not in err


def test_offline_fetch_is_one_line_saying_so(monkeypatch, capsys):
    monkeypatch.setenv("STATIONPLAN_CELESTRAK_URL", "http://127.0.0.1:9/gp.php")
    code, _, err = run_cli(capsys, "fetch", "--catnr", "48274")
    assert code == 1
    assert "cannot reach" in err and "offline" in err


def test_the_web_stores_a_fetch_with_its_source_and_keeps_working_offline(
    celestrak, tmp_path, monkeypatch
):
    app = create_app(f"sqlite:///{tmp_path / 'web.db'}", Access("t"))
    with TestClient(app) as client:
        headers = {"Authorization": "Bearer t"}
        stored = client.post("/api/fetch", json={"group": "stations"}, headers=headers)
        assert stored.status_code == 201, stored.text
        assert stored.json()["origin"].startswith(celestrak)
        assert {o["norad_id"] for o in stored.json()["objects"]} == set(tle_satrecs())
        monkeypatch.setenv("STATIONPLAN_CELESTRAK_URL", "http://127.0.0.1:9/gp.php")
        offline = client.post("/api/fetch", json={"catnr": 48274}, headers=headers)
        assert offline.status_code == 422 and "offline" in offline.json()["detail"]
        windows = client.get(
            "/api/windows",
            params={
                "elements": stored.json()["id"],
                "site": "jiuquan",
                "vehicle": "shenzhou",
                "start": "2024-07-06",
                "end": "2024-07-08",
                "norad": 48274,
            },
        )
        assert windows.status_code == 200 and windows.json()["opportunities"]
