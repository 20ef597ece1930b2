"""Load on `stationplan serve`: 50 concurrent clients reading the dashboard and the windows
API for 30 s on loopback; errors and p50/p95 latency per kind (goals: p95 < 200 ms for
pages, < 500 ms for a windows query). Run by ``make bench``, never by ``make test``.

``python benchmarks/bench_web.py --clients 50 --seconds 30``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
#: A full public catalogue stored before the load, so the pages list a 26k-object upload
#: (skipped when ../shared/catalogs is absent).
CATALOG = ROOT.parent / "shared" / "catalogs" / "satcat-2024-07.3le"
TOKEN = "bench-token"
WINDOWS = {
    "site": "jiuquan",
    "vehicle": "shenzhou",
    "start": "2024-07-06",
    "end": "2024-07-13",
    "norad": "48274",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _client(
    base: str, until: float, k: int, results: dict[str, list[float]], errors: list[str]
) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        i = 0
        while time.monotonic() < until:
            kind = "page" if (i + k) % 2 == 0 else "windows"
            clock = time.perf_counter()
            try:
                if kind == "page":
                    response = await client.get("/")
                else:
                    response = await client.get("/api/windows", params=WINDOWS)
                if response.status_code != 200:
                    errors.append(f"{kind}: HTTP {response.status_code}")
            except httpx.HTTPError as exc:
                errors.append(f"{kind}: {type(exc).__name__}")
            results[kind].append(time.perf_counter() - clock)
            i += 1


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def run(clients: int, seconds: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "STATIONPLAN_TOKEN": TOKEN}
        command = [
            sys.executable,
            "-m",
            "stationplan",
            "serve",
            "--port",
            str(port),
            "--db",
            f"sqlite:///{folder}/bench.db",
        ]
        server = subprocess.Popen(
            command, cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            for _ in range(300):
                try:
                    if httpx.get(base + "/api/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            headers = {"Authorization": f"Bearer {TOKEN}"}
            toml = (ROOT / "examples" / "tiangong-2022.toml").read_text()
            httpx.post(
                base + "/api/campaigns", json={"name": "Tiangong", "toml": toml}, headers=headers
            )
            if CATALOG.exists():
                httpx.post(
                    base + "/api/element-sets",
                    files={"file": (CATALOG.name, CATALOG.read_bytes())},
                    headers=headers,
                    timeout=120,
                )
                print(f"stored {CATALOG.name} (the pages list it)")
            results: dict[str, list[float]] = {"page": [], "windows": []}
            errors: list[str] = []
            until = time.monotonic() + seconds

            async def everyone() -> None:
                await asyncio.gather(
                    *(_client(base, until, k, results, errors) for k in range(clients))
                )

            asyncio.run(everyone())
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(20)
    print(f"{clients} clients for {seconds:.0f} s on loopback: {len(errors)} error(s)")
    for kind, goal in (("page", 0.2), ("windows", 0.5)):
        values = results[kind]
        p50, p95 = _percentile(values, 50), _percentile(values, 95)
        print(
            f"  {kind:8s} {len(values):6d} requests  p50 {p50 * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms"
            f"  (goal p95 < {goal * 1000:.0f} ms: {'met' if p95 < goal else 'missed'})"
        )
    for message in sorted(set(errors))[:5]:
        print(f"  error: {message}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    args, _ = parser.parse_known_args()
    run(args.clients, args.seconds)


if __name__ == "__main__":
    main()
