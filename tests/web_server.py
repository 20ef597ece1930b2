"""A real `stationplan serve` process on a free loopback port (durability, browser, load)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
STATIONS_TLE = ROOT / "src" / "stationplan" / "data" / "stations.tle"
TIANGONG = ROOT / "examples" / "tiangong-2022.toml"
TOKEN = "test-token-for-the-web-suite"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def postgres_url() -> str | None:
    """``STATIONPLAN_TEST_POSTGRES`` (set by .ci/run), when a server answers there."""
    url = os.environ.get("STATIONPLAN_TEST_POSTGRES")
    if not url:
        return None
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3):
            return url
    except Exception:
        return None


def reset_postgres(url: str) -> None:
    """Drop every table so a test starts from an empty database."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("DROP SCHEMA public CASCADE")
        connection.execute("CREATE SCHEMA public")


class Server:
    """`stationplan serve` in a child process; ``kill()`` sends SIGKILL."""

    def __init__(self, db_url: str, folder: Path) -> None:
        self.db_url = db_url
        self.folder = folder
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Server:
        env = {**os.environ, "STATIONPLAN_TOKEN": TOKEN}
        command = [
            sys.executable,
            "-m",
            "stationplan",
            "serve",
            "--port",
            str(self.port),
            "--db",
            self.db_url,
        ]
        self.log = open(self.folder / f"server-{self.port}-{time.time_ns()}.log", "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            command, cwd=self.folder, env=env, stdout=self.log, stderr=self.log
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {(self.folder / self.log.name).read_text()}")
            try:
                if httpx.get(self.base + "/api/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("server did not start within 60 s")

    def client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.base, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60
        )

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


def chromium() -> str | None:
    """Debian's chromium (Playwright drives it through executable_path), if installed."""
    return shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
