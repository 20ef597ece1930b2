"""The HTTP API of `stationplan serve` answers as the CLI does (FastAPI TestClient)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from cli_runner import run_cli
from stationplan.web.access import Access
from stationplan.web.app import create_app
from stationplan.web.db import Run, make_engine, migrate, session_factory
from stationplan.web.jobs import INTERRUPTED
from web_server import postgres_url, reset_postgres

ROOT = Path(__file__).resolve().parents[1]
STATIONS_TLE = ROOT / "src" / "stationplan" / "data" / "stations.tle"
TIANGONG = ROOT / "examples" / "tiangong-2022.toml"
TOKEN = "secret-token"
WRITE = {"Authorization": f"Bearer {TOKEN}"}
#: Shenzhou-14 moved before Tianzhou-4 can fly: a well-formed but infeasible campaign.
BROKEN_DATE = (
    "earliest = 2022-05-20, latest = 2022-06-25, preferred = 2022-06-05T02:44:10Z",
    "earliest = 2022-04-21, latest = 2022-04-24, preferred = 2022-04-22T00:00:00Z",
)


@pytest.fixture(params=["sqlite", "postgresql"])
def client(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'web.db'}"
    if request.param == "postgresql":
        url = postgres_url()  # type: ignore[assignment]
        if url is None:
            pytest.skip("no PostgreSQL server (STATIONPLAN_TEST_POSTGRES; .ci/run starts one)")
        reset_postgres(url)
    app = create_app(url, Access(TOKEN), max_upload_bytes=200_000)
    with TestClient(app) as found:
        yield found


def wait_for(client: TestClient, run_id: int, timeout_s: float = 120) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        run = client.get(f"/api/runs/{run_id}").json()
        if run["status"] not in ("queued", "running"):
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} still {run['status']} after {timeout_s} s")


def tle_epoch(line1: str) -> datetime:
    """Epoch from TLE line 1 columns 19–32 (two-digit year, day of year with fraction)."""
    year = int(line1[18:20])
    year += 2000 if year < 57 else 1900
    return datetime(year, 1, 1, tzinfo=UTC) + timedelta(days=float(line1[20:32]) - 1)


def test_an_upload_is_stored_with_the_epochs_of_every_object(client):
    response = client.post(
        "/api/element-sets",
        files={"file": ("stations.tle", STATIONS_TLE.read_bytes())},
        headers=WRITE,
    )
    assert response.status_code == 201, response.text
    stored = client.get(f"/api/element-sets/{response.json()['id']}").json()
    lines = STATIONS_TLE.read_text().splitlines()
    expected: dict[int, list[datetime]] = {}
    for line in lines:
        if line.startswith("1 "):
            expected.setdefault(int(line[2:7]), []).append(tle_epoch(line))
    assert {o["norad_id"] for o in stored["objects"]} == set(expected)
    for obj in stored["objects"]:
        got = [datetime.fromisoformat(e.replace("Z", "+00:00")) for e in obj["epochs_utc"]]
        want = sorted(expected[obj["norad_id"]])
        assert len(got) == len(want)
        assert all(abs((g - w).total_seconds()) < 1e-3 for g, w in zip(got, want, strict=True))
        assert obj["stale"] == (obj["age_days"] > 3)


def test_the_upload_list_carries_counts_and_the_newest_age_but_no_object_rows(client):
    created = client.post(
        "/api/element-sets",
        files={"file": ("stations.tle", STATIONS_TLE.read_bytes())},
        headers=WRITE,
    ).json()
    listed = client.get("/api/element-sets").json()
    row = next(u for u in listed if u["id"] == created["id"])
    assert "objects" not in row
    assert row["n_objects"] == created["n_objects"] == len(created["objects"])
    # The newest element set's age, from the stored summary, equals the smallest per-object
    # age of the full record (both taken "now", a few ms apart).
    assert row["newest_age_days"] == pytest.approx(
        min(o["age_days"] for o in created["objects"]), abs=0.01
    )


def test_a_binary_upload_is_refused_with_422_naming_the_line(client):
    response = client.post(
        "/api/element-sets", files={"file": ("x.tle", b"ok\n\x00bad")}, headers=WRITE
    )
    assert response.status_code == 422
    assert response.json()["line"] == 2


def test_an_upload_over_the_size_limit_is_refused(client):
    response = client.post(
        "/api/element-sets", files={"file": ("big.tle", b"0" * 300_000)}, headers=WRITE
    )
    assert response.status_code in (413, 422)
    assert "larger than" in response.json()["detail"]


def test_writes_need_the_token_and_cookie_forms_need_the_csrf_field(client):
    body = {"name": "x", "toml": TIANGONG.read_text()}
    assert client.post("/api/campaigns", json=body).status_code == 401
    assert (
        client.post("/api/campaigns", json=body, headers={"Authorization": "Bearer no"}).status_code
        == 401
    )
    client.cookies.set("stationplan_token", TOKEN)
    assert client.post("/element-sets", files={"file": ("a.tle", b"x")}).status_code == 403
    assert client.get("/api/campaigns").status_code == 200  # reads open on loopback


def test_reads_need_the_token_when_bound_beyond_loopback(tmp_path):
    app = create_app(f"sqlite:///{tmp_path / 'w.db'}", Access(TOKEN, reads_need_token=True))
    with TestClient(app) as client:
        assert client.get("/api/campaigns").status_code == 401
        assert client.get("/api/campaigns", headers=WRITE).status_code == 200


def test_every_version_of_a_campaign_is_kept_as_written(client):
    first = TIANGONG.read_text()
    second = first.replace('name = "Tiangong assembly 2022"', 'name = "Tiangong 2022, revised"')
    created = client.post("/api/campaigns", json={"name": "TG", "toml": first}, headers=WRITE)
    assert created.status_code == 201, created.text
    campaign = created.json()["id"]
    assert (
        client.post(
            f"/api/campaigns/{campaign}/versions", json={"toml": second}, headers=WRITE
        ).status_code
        == 201
    )
    versions = client.get(f"/api/campaigns/{campaign}/versions").json()
    assert [(v["number"], v["toml"]) for v in versions] == [(1, first), (2, second)]


def test_a_malformed_version_is_refused_with_the_field_and_its_line(client):
    good = TIANGONG.read_text()
    campaign = client.post(
        "/api/campaigns", json={"name": "TG", "toml": good}, headers=WRITE
    ).json()["id"]
    bad = good.replace(*BROKEN_DATE).replace("earliest = 2022-04-21", "earliest = 2022-04-19")
    response = client.post(f"/api/campaigns/{campaign}/versions", json={"toml": bad}, headers=WRITE)
    assert response.status_code == 422
    problem = response.json()
    assert problem["field"] == "missions[1].launch.earliest"
    assert "2022-04-19" in bad.splitlines()[problem["line"] - 1]
    assert len(client.get(f"/api/campaigns/{campaign}/versions").json()) == 1


def test_the_api_plan_is_the_cli_plan(client, capsys):
    code, out, err = run_cli(capsys, "plan", str(TIANGONG), "--format", "json")
    assert code == 0, err
    campaign = client.post(
        "/api/campaigns", json={"name": "TG", "toml": TIANGONG.read_text()}, headers=WRITE
    ).json()["id"]
    queued = client.post(f"/api/campaigns/{campaign}/plan", json={}, headers=WRITE)
    assert queued.status_code == 202
    run = wait_for(client, queued.json()["id"])
    assert run["status"] == "done", run["error"]
    cli = json.loads(out)
    web = run["result"]["schedule"]
    assert [m["name"] for m in web["missions"]] == [m["name"] for m in cli["missions"]]
    for a, b in zip(web["missions"], cli["missions"], strict=True):
        assert (a["launch_utc"], a["port"], a["departure_utc"]) == (
            b["launch_utc"],
            b["port"],
            b["departure_utc"],
        )
    assert run["inputs"]["version"] == 1 and run["duration_s"] > 0
    events = client.get(f"/api/runs/{run['id']}/events")
    assert events.headers["content-type"].startswith("text/event-stream")
    assert json.loads(events.text.removeprefix("data: "))["status"] == "done"


def test_an_infeasible_version_is_a_job_that_ends_infeasible_with_the_cli_explanation(
    client, capsys, tmp_path
):
    broken = TIANGONG.read_text().replace(*BROKEN_DATE)
    (tmp_path / "broken.toml").write_text(broken)
    code, _, err = run_cli(capsys, "plan", str(tmp_path / "broken.toml"))
    assert code == 2
    campaign = client.post(
        "/api/campaigns", json={"name": "TG", "toml": broken}, headers=WRITE
    ).json()["id"]
    run = wait_for(
        client, client.post(f"/api/campaigns/{campaign}/plan", json={}, headers=WRITE).json()["id"]
    )
    assert run["status"] == "infeasible"
    assert run["error"] in " ".join(err.split())


def test_an_infeasible_request_is_409_with_the_explanation(client):
    # Baikonur (45.9° N) lies above the CSS inclination (41.5°): no in-plane launch exists.
    response = client.get(
        "/api/rendezvous",
        params={
            "site": "baikonur",
            "vehicle": "soyuz-ms",
            "launch": "2024-07-06T00:00:00Z",
            "norad": 48274,
        },
    )
    assert response.status_code == 409
    assert "above the station's inclination" in response.json()["detail"]


def test_the_windows_api_is_the_windows_command(client, capsys):
    args = [
        "--site",
        "jiuquan",
        "--vehicle",
        "shenzhou",
        "--start",
        "2024-07-06",
        "--end",
        "2024-07-09",
    ]
    code, out, err = run_cli(
        capsys,
        "windows",
        "--elements",
        str(STATIONS_TLE),
        "--norad",
        "48274",
        *args,
        "--format",
        "json",
    )
    assert code == 0, err
    response = client.get(
        "/api/windows",
        params={
            "site": "jiuquan",
            "vehicle": "shenzhou",
            "start": "2024-07-06",
            "end": "2024-07-09",
            "norad": 48274,
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["opportunities"] == json.loads(out)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"site": "atlantis"}, None),
        ({"start": "2024-07-09", "end": "2024-07-06"}, "end"),
        ({"start": "1066-01-01"}, "start"),
        ({"start": "not a date"}, "start"),
    ],
)
def test_bad_window_requests_are_422_naming_the_problem(client, params, field):
    query = {
        "site": "jiuquan",
        "vehicle": "shenzhou",
        "start": "2024-07-06",
        "end": "2024-07-09",
        "norad": 48274,
    }
    response = client.get("/api/windows", params={**query, **params})
    assert response.status_code == 422
    if field:
        assert response.json()["field"] == field


def test_a_restart_marks_interrupted_jobs_failed(tmp_path):
    url = f"sqlite:///{tmp_path / 'web.db'}"
    engine = make_engine(url)
    migrate(engine)
    with session_factory(engine)() as session:
        session.add(Run(kind="plan", inputs={}, status="running", progress="", warnings=[]))
        session.commit()
    with TestClient(create_app(url, Access(TOKEN))) as client:
        run = client.get("/api/runs/1").json()
        assert (run["status"], run["error"]) == ("failed", INTERRUPTED)
        assert "interrupted" in client.get("/").text


def test_the_sqlite_store_runs_in_wal_mode_with_foreign_keys_at_the_newest_migration(client):
    engine = client.app.state.engine
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert (
            connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"
        )


def test_the_openapi_schema_lists_the_api(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/element-sets",
        "/api/windows",
        "/api/rendezvous",
        "/api/lunar/site",
        "/api/lunar/windows",
        "/api/campaigns/{campaign_id}/plan",
        "/api/runs/{run_id}",
    ):
        assert path in paths


def test_the_pages_render(client):
    client.post("/api/campaigns", json={"name": "TG", "toml": TIANGONG.read_text()}, headers=WRITE)
    assert "TG" in client.get("/").text
    assert "Campaign file" in client.get("/campaigns/1").text
    page = client.get(
        "/windows",
        params={
            "site": "jiuquan",
            "vehicle": "shenzhou",
            "start": "2024-07-06",
            "end": "2024-07-08",
        },
    )
    assert page.status_code == 200 and 'id="opportunities"' in page.text
    assert client.get("/campaigns/99").status_code == 404


SMALL_CATALOG = ROOT / "tests" / "data" / "screening" / "small.3le"


def test_a_screening_job_finds_the_cli_events_and_serves_their_cdms(client, capsys):
    args = ["--start", "2024-07-05", "--days", "1", "--threshold-km", "20"]
    code, out, err = run_cli(
        capsys, "screen", "--elements", str(SMALL_CATALOG), "--primary", "34119", *args,
        "--format", "json", "--workers", "1",
    )  # fmt: skip
    assert code == 0, err
    cli = [e for e in json.loads(out) if not e.get("attached")]
    upload = client.post(
        "/api/element-sets",
        files={"file": ("small.3le", SMALL_CATALOG.read_bytes())},
        headers=WRITE,
    ).json()
    body = {"elements": upload["id"], "primary": [34119], "start": "2024-07-05T00:00:00Z",
            "days": 1, "threshold_km": 20}  # fmt: skip
    queued = client.post("/api/screenings", json=body, headers=WRITE)
    assert queued.status_code == 202, queued.text
    run = wait_for(client, queued.json()["id"])
    assert run["status"] == "done", run["error"]
    web = run["result"]["events"]
    key = lambda e: (e["norad_1"], e["norad_2"], e["tca_utc"])  # noqa: E731
    assert len(cli) >= 3  # Cosmos 2251 debris passes near its neighbour several times a day
    assert sorted(map(key, web)) == sorted(map(key, cli))
    for k, event in enumerate(web):
        cdm = client.get(f"/api/runs/{run['id']}/cdm/{k}")
        assert cdm.status_code == 200
        assert cdm.text.startswith("CCSDS_CDM_VERS")
        assert str(event["norad_2"]) in cdm.text
    page = client.get("/screening", params={"run": run["id"]})
    assert page.status_code == 200 and page.text.count("/cdm/") == len(web)


def test_a_plan_job_runs_on_a_dask_cluster_as_on_the_threads(tmp_path, capsys):
    """`serve --dask ADDRESS`: the job is executed by a dask worker in another process,
    which reads and writes the same database, and gives the CLI's schedule."""
    distributed = pytest.importorskip("dask.distributed")
    code, out, err = run_cli(capsys, "plan", str(TIANGONG), "--format", "json")
    assert code == 0, err
    url = f"sqlite:///{tmp_path / 'web.db'}"
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        TestClient(
            create_app(url, Access(TOKEN), dask_address=cluster.scheduler_address)
        ) as client,
    ):
        campaign = client.post(
            "/api/campaigns", json={"name": "TG", "toml": TIANGONG.read_text()}, headers=WRITE
        ).json()["id"]
        queued = client.post(f"/api/campaigns/{campaign}/plan", json={}, headers=WRITE)
        assert queued.status_code == 202
        run = wait_for(client, queued.json()["id"])
    assert run["status"] == "done", run["error"]
    cli = json.loads(out)
    assert [
        (m["name"], m["launch_utc"], m["port"]) for m in run["result"]["schedule"]["missions"]
    ] == [(m["name"], m["launch_utc"], m["port"]) for m in cli["missions"]]


@pytest.fixture
def sqlite_client(tmp_path):
    app = create_app(f"sqlite:///{tmp_path / 'web.db'}", Access(TOKEN))
    with TestClient(app) as found:
        yield found


@pytest.mark.parametrize(
    ("path", "params", "cli"),
    [
        (
            "/api/lunar/site",
            {"lat": -88.8, "lon": 123.4, "start": "2026-01-01", "end": "2026-01-02", "step_hours": 6},
            ["lunar", "site", "--lat", "-88.8", "--lon", "123.4", "--start", "2026-01-01",
             "--end", "2026-01-02", "--step-hours", "6"],
        ),
        (
            "/api/lunar/site",
            {"lat": 0.67, "lon": 23.47, "at": ["1969-07-20T20:17:39Z", "1969-07-21T02:39:33Z"]},
            ["lunar", "site", "--lat", "0.67", "--lon", "23.47", "--at", "1969-07-20T20:17:39Z",
             "--at", "1969-07-21T02:39:33Z"],
        ),
        (
            "/api/lunar/windows",
            {"site": "wenchang", "launcher": "long-march-5", "start": "2024-05-02",
             "end": "2024-05-04"},
            ["lunar", "windows", "--site", "wenchang", "--launcher", "long-march-5", "--start",
             "2024-05-02", "--end", "2024-05-04"],
        ),
        (
            "/api/lunar/windows",
            {"site": "kennedy", "launcher": "saturn-v", "start": "1969-07-16T00:00:00+00:00",
             "end": "1969-07-17", "azimuth_min": 72, "azimuth_max": 96},
            ["lunar", "windows", "--site", "kennedy", "--launcher", "saturn-v", "--start",
             "1969-07-16", "--end", "1969-07-17", "--azimuth-min", "72", "--azimuth-max", "96"],
        ),
    ],
)  # fmt: skip
def test_the_api_lunar_answers_are_the_cli_json(sqlite_client, capsys, path, params, cli):
    code, out, err = run_cli(capsys, *cli, "--format", "json")
    assert code == 0, err
    response = sqlite_client.get(path, params=params)
    assert response.status_code == 200, response.text
    assert response.json() == json.loads(out) and response.json()


@pytest.mark.parametrize(
    ("path", "params", "field", "words"),
    [
        ("/api/lunar/site", {"lat": 95, "lon": 0, "at": "2020-01-01"}, "lat", "outside -90..90"),
        ("/api/lunar/site", {"lat": 0, "lon": 0, "start": "2020-01-02", "end": "2020-01-01"},
         "end", "span is empty"),
        ("/api/lunar/site", {"lat": 0, "lon": 0, "start": "1890-01-01", "end": "1890-01-02"},
         "start", "DE421"),
        ("/api/lunar/site", {"lat": 0, "lon": 0, "start": "2020-01-01", "end": "2030-01-01",
         "step_hours": 0.1}, "step_hours", "limit"),
        ("/api/lunar/site", {"lat": 0, "lon": 0, "at": "0001-01-01T00:30+01:00"}, "at", "DE421"),
        ("/api/lunar/windows", {"site": "nowhere", "launcher": "saturn-v", "start": "1969-07-16",
         "end": "1969-07-17"}, None, "nowhere"),
        ("/api/lunar/windows", {"site": "wenchang", "launcher": "saturn-v", "start": "1969-07-16",
         "end": "1969-07-17"}, "site", "does not fly from"),
        ("/api/lunar/windows", {"site": "kennedy", "launcher": "saturn-v", "start": "1969-07-16",
         "end": "1969-07-17", "azimuth_min": 72}, "azimuth_max", "give both"),
    ],
)  # fmt: skip
def test_bad_lunar_requests_are_422_naming_the_parameter(sqlite_client, path, params, field, words):
    response = sqlite_client.get(path, params=params)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert words in problem["detail"]
    if field is not None:
        assert problem["field"] == field


def test_the_dashboard_shows_the_age_of_the_newest_element_set_of_each_upload(sqlite_client):
    """The page's age column is the age of the upload's newest epoch (TLE line 1), computed
    by one aggregate query rather than from every object's row."""
    sqlite_client.post(
        "/api/element-sets",
        files={"file": ("stations.tle", STATIONS_TLE.read_bytes())},
        headers=WRITE,
    )
    newest = max(
        tle_epoch(line) for line in STATIONS_TLE.read_text().splitlines() if line.startswith("1 ")
    )
    age_days = (datetime.now(UTC) - newest).total_seconds() / 86400.0
    page = sqlite_client.get("/").text
    row = page[page.index('id="element-sets"') :]
    assert f"{age_days:.1f} d" in row or f"{age_days - 0.05:.1f} d" in row
    assert 'class="stale"' in row
