"""Load test of the portal: how fast does a school's own page (its JSON) answer, against a static file?

Builds a sample-sized home (default 100 schools × 15 majors, two editions) in a temporary folder,
starts the portal's app with uvicorn (httptools, uvloop, no access log) in a subprocess on loopback,
with one extra mount for this benchmark only: ``/bench-static/``, a static file of the same size as a
school's JSON, served by the same server (Starlette ``StaticFiles``), so the cost of the portal's own
work (token check, edition lookup, the school's rows) shows as a ratio against serving bytes. Issues
one token per school, then at 1, 10 and 100 concurrent keep-alive HTTP/1.1 clients (``--levels``)
runs a bounded number of requests (and at most ``--seconds`` each) against ``/api/school`` and the
static file, and prints p50/p95/p99 latency, throughput, the CPU the server and the client spent per
request, and verdicts against the targets (p99 ≤ 50 ms at 100 clients; throughput ≥ 50 % of the
static file's). It exits 0 whatever the figures (failed responses are counted and named). With
``--results`` the table is written into benchmarks/results.md (its own section) and results.json.

Client and server share the machine's cores, and with 100 clients always waiting the mean latency is
100 / throughput (Little's law): the figures depend on how busy the machine is, so compare runs made
one after another, not across sessions.

    .venv/bin/python -m benchmarks.bench_portal [--schools 100] [--majors 15] [--levels 1 10 100]
        [--requests 20000] [--seconds 30] [--results benchmarks/results]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
TARGET_P99_MS = 50.0
sys.path.insert(0, str(REPO))

from benchmarks.sections import put_section  # noqa: E402
from portal import tokens  # noqa: E402
from tests.portal_fixtures import scale_offerings, set_current, write_edition  # noqa: E402


def build(home: Path, n_schools: int, majors: int) -> dict[str, str]:
    """Two editions of the sample size; returns one token per school."""
    offerings, names, catalog = scale_offerings(n_schools, majors)
    for index, edition in enumerate(("2025", "2026")):
        write_edition(home, edition, index, offerings=offerings, names=names, majors=catalog)
    set_current(home, "2026")
    return {school: tokens.issue(home, school=school) for school in offerings}


def borrow(published_home: Path, home: Path, n_schools: int) -> dict[str, str]:
    """A home that reads ``published_home``'s editions (linked, never written) with its own token store; returns
    one token per school for the first ``n_schools`` schools of the current edition (0: every school)."""
    import polars as pl

    home.mkdir(parents=True)
    (home / "published").symlink_to((published_home / "published").resolve(), target_is_directory=True)
    current = (home / "published" / "CURRENT").read_text(encoding="utf-8").strip()
    schools = pl.scan_parquet(home / "published" / current / "school_major_scores.parquet") \
        .select(pl.col("school_code").cast(pl.String)).unique().sort("school_code").collect()["school_code"].to_list()
    return {school: tokens.issue(home, school=school) for school in schools[: n_schools or None]}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(home: Path, port: int, static: Path | None = None) -> subprocess.Popen:
    """The portal's app under uvicorn as `majorwatch portal` serves it, plus (for this benchmark only)
    ``static`` mounted at /bench-static/."""
    code = ("from pathlib import Path; import uvicorn; from starlette.staticfiles import StaticFiles; "
            "from portal.app import create_app; from portal.server import fast_runtime; "
            f"app = create_app(Path({str(home)!r})); "
            + (f"app.mount('/bench-static', StaticFiles(directory={str(static)!r})); " if static else "")
            + "http, loop = fast_runtime(); "
            f"uvicorn.run(app, host='127.0.0.1', port={port}, log_level='warning', access_log=False, "
            "server_header=False, proxy_headers=False, http=http, loop=loop)")
    env = {**os.environ, "PYTHONPATH": str(REPO), "MAJORWATCH_PORTAL_ENV": "development"}
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/signin", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("the portal did not start")


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> tuple[int, bytes]:
    """One keep-alive HTTP/1.1 GET on an open connection: (status, body)."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = next(int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:"))
    return status, await reader.readexactly(length)


def school_requests(port: int, school_tokens: dict[str, str]) -> list[tuple[bytes, bytes]]:
    """(request, bytes the answer must hold) per school: /api/school with that school's token."""
    return [((f"GET /api/school HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
              f"Authorization: Bearer {token}\r\n\r\n").encode(), f'"school_code":"{school}"'.encode())
            for school, token in school_tokens.items()]


def static_requests(port: int, name: str, token: str, marker: bytes) -> list[tuple[bytes, bytes]]:
    """The static file of the same size, with a token as a signed-in client would send it."""
    return [((f"GET /bench-static/{name} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
              f"Authorization: Bearer {token}\r\n\r\n").encode(), marker)]


async def load(port: int, requests: list[tuple[bytes, bytes]], clients: int, total: int, seconds: float,
               server_pid: int | None = None, warm_up: list[float] | None = None
               ) -> tuple[list[float], int, float, float, float]:
    """Run ``clients`` workers, each on its own keep-alive connection, until ``total`` requests are
    done or ``seconds`` have passed; returns latencies (s), failures, wall time and the CPU seconds the
    server and this client used in the measured phase (after the warm-up). The warm-up asks for every
    request once, one at a time; their latencies go to ``warm_up`` (on a fresh server: each school's first,
    uncached answer).

    The workers speak plain HTTP/1.1 over asyncio streams (like wrk) so that the client's own cost
    stays small: httpx's AsyncClient spends 3–4 ms of CPU per request here and, on a 2-core machine,
    measured itself (about 200 requests/s) rather than the portal."""
    latencies: list[float] = []
    failures = 0
    counter = iter(range(total))
    connections = [await asyncio.open_connection("127.0.0.1", port) for _ in range(clients)]
    stop = 0.0

    async def worker(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal failures
        for n in counter:
            request, marker = requests[n % len(requests)]
            started = time.perf_counter()
            status, body = await _get(reader, writer, request)
            latencies.append(time.perf_counter() - started)
            if status != 200 or marker not in body:
                failures += 1
            if started > stop:
                return

    try:
        for i, (request, _) in enumerate(requests):  # warm-up: every request once, every connection once
            started = time.perf_counter()
            await _get(*connections[i % clients], request)
            if warm_up is not None:
                warm_up.append(time.perf_counter() - started)
        await asyncio.gather(*(_get(r, w, requests[0][0]) for r, w in connections))
        server_before, client_before = cpu_seconds(server_pid) if server_pid else 0.0, time.process_time()
        started = time.perf_counter()
        stop = started + seconds
        await asyncio.gather(*(worker(r, w) for r, w in connections))
        wall = time.perf_counter() - started
        client_cpu = time.process_time() - client_before
        server_cpu = cpu_seconds(server_pid) - server_before if server_pid else 0.0
    finally:
        for _, writer in connections:
            writer.close()
    return latencies, failures, wall, server_cpu, client_cpu


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc), 0 when unavailable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def verdict(p99_ms: float, failures: int) -> str:
    """The one-line outcome against the target (the run exits 0 either way: it measures, it does not gate)."""
    side = "below" if p99_ms < TARGET_P99_MS else "above"
    line = f"p99 {p99_ms:.2f} ms: {side} the {TARGET_P99_MS:g} ms target"
    return line + (f" ({failures} failed responses)" if failures else "")


def run(coro):
    """Run the load with uvloop when it is installed (a cheaper client leaves more CPU to the server)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)


def figures(latencies: list[float], failures: int, wall: float, server_cpu: float, client_cpu: float) -> dict:
    ms = [v * 1000 for v in latencies]
    return {"requests": len(ms), "failures": failures, "p50_ms": round(percentile(ms, 50), 2),
            "p95_ms": round(percentile(ms, 95), 2), "p99_ms": round(percentile(ms, 99), 2),
            "max_ms": round(max(ms), 2), "mean_ms": round(statistics.fmean(ms), 2),
            "throughput_rps": round(len(ms) / wall, 1), "wall_s": round(wall, 2),
            "server_cpu_ms_per_request": round(server_cpu * 1000 / max(1, len(ms)), 3),
            "server_cpu_share": round(server_cpu / wall, 2),
            "client_cpu_ms_per_request": round(client_cpu * 1000 / max(1, len(ms)), 3),
            "client_cpu_share": round(client_cpu / wall, 2)}


PORTAL_HEADING = "Portal: a school's JSON against a static file of the same size (same server, loopback)"


def markdown(report: dict) -> str:
    """The portal's section of benchmarks/results.md."""
    lines = [f"## {PORTAL_HEADING}", "",
             f"Measured {report['measured']}, load average at start {report['load_average']}; "
             f"{report.get('edition', 'sample-sized fixture')}; {report['schools']:,} schools"
             + (f" × {report['majors_per_school']} majors" if report.get("majors_per_school") else "")
             + f", first school's JSON {report['body_bytes']:,} bytes. "
             "Each level: a bounded number of requests on keep-alive connections; the client shares the 2 cores.", "",
             "| clients | school JSON p50 / p99 ms | req/s | static p50 / p99 ms | req/s | JSON ÷ static throughput | server CPU ms/req (JSON, static) |",
             "|---|---|---|---|---|---|---|"]
    for level in report["levels"]:
        j, st = level["json"], level["static"]
        lines.append(f"| {level['clients']} | {j['p50_ms']} / {j['p99_ms']} | {j['throughput_rps']:,} | "
                     f"{st['p50_ms']} / {st['p99_ms']} | {st['throughput_rps']:,} | {level['throughput_ratio']:.2f} | "
                     f"{j['server_cpu_ms_per_request']}, {st['server_cpu_ms_per_request']} |")
    cold = report.get("first_answers")
    if cold:
        lines += ["", f"Each school's first answer (not cached yet: built from the edition's tables, which the very first "
                  f"answer loads, then validated and serialised), asked one at a time before the levels: {cold['schools']:,} schools, p50 "
                  f"{cold['p50_ms']} ms, p99 {cold['p99_ms']} ms, max {cold['max_ms']} ms. The levels above then "
                  "ask the same schools again."]
    lines += ["", *[f"- {line}" for line in report["verdicts"]], ""]
    return "\n".join(lines)


def write_results(base: Path, report: dict) -> None:
    """Put the portal's figures into <base>.json (key "portal") and its own section of <base>.md."""
    put_section(base, "portal", PORTAL_HEADING, report, markdown(report))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=100)
    parser.add_argument("--majors", type=int, default=15)
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 10, 100], help="concurrent clients")
    parser.add_argument("--requests", type=int, default=20000, help="at most this many requests per level")
    parser.add_argument("--seconds", type=float, default=30.0, help="and at most this long per level")
    parser.add_argument("--results", type=Path, help="write the table into <results>.md and <results>.json")
    parser.add_argument("--home", type=Path, help="serve this home's published editions (e.g. a scale-100 run's) "
                        "instead of building a sample-sized one; --schools then picks that many of its schools")
    args = parser.parse_args(argv)
    levels = []
    load_at_start = round(os.getloadavg()[0], 1)
    with tempfile.TemporaryDirectory(prefix="majorwatch-bench-") as tmp:
        home = Path(tmp) / "home"
        school_tokens = borrow(args.home, home, args.schools) if args.home else build(home, args.schools, args.majors)
        school, token = next(iter(school_tokens.items()))
        body = httpx_body(home, school, token)
        static = Path(tmp) / "static"
        static.mkdir()
        marker = b"bench-static"
        (static / "school.json").write_bytes(marker + body[len(marker):])
        port = free_port()
        server = start_server(home, port, static)
        cold: list[float] = []
        try:
            for clients in args.levels:
                level = {"clients": clients}
                for kind, requests in (("json", school_requests(port, school_tokens)),
                                       ("static", static_requests(port, "school.json", token, marker))):
                    first = kind == "json" and not levels  # the server has answered no school yet
                    level[kind] = figures(*run(load(port, requests, clients, args.requests, args.seconds,
                                                    server.pid, cold if first else None)))
                level["throughput_ratio"] = level["json"]["throughput_rps"] / level["static"]["throughput_rps"]
                levels.append(level)
                print(json.dumps(level, ensure_ascii=False), flush=True)
        finally:
            server.terminate()
            server.wait(timeout=10)
    top = levels[-1]
    # the body httpx_body sized the static file by came from an app in this process: the server starts cold
    cold_ms = sorted(v * 1000 for v in cold)
    first_answers = {"schools": len(cold_ms), "p50_ms": round(percentile(cold_ms, 50), 2),
                     "p99_ms": round(percentile(cold_ms, 99), 2), "max_ms": round(max(cold_ms), 2)} if cold_ms else None
    verdicts = [verdict(top["json"]["p99_ms"], top["json"]["failures"]) + f" at {top['clients']} clients",
                f"JSON throughput {top['throughput_ratio']:.0%} of the static file's at {top['clients']} clients "
                f"({'meets' if top['throughput_ratio'] >= 0.5 else 'below'} the ≥ 50 % target)"]
    report = {"measured": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "load_average": load_at_start,
              "schools": len(school_tokens), "majors_per_school": None if args.home else args.majors,
              "edition": describe(args.home) if args.home else "sample-sized fixture (two editions)",
              "body_bytes": len(body), "first_answers": first_answers,
              "levels": levels, "verdicts": verdicts}
    print("\n".join(verdicts))
    if args.results:
        write_results(args.results, report)
    return 0


def describe(home: Path) -> str:
    """The borrowed home's current edition, its size and where it came from (for the results table)."""
    import polars as pl

    current = (home / "published" / "CURRENT").read_text(encoding="utf-8").strip()
    scores = pl.scan_parquet(home / "published" / current / "school_major_scores.parquet")
    rows, schools = scores.select(pl.len(), pl.col("school_code").n_unique()).collect().row(0)
    origin = home / "ORIGIN"  # what bench_pipeline --keep says of a kept home (its path is a scratch folder)
    where = f"from {origin.read_text(encoding='utf-8').strip()}" if origin.is_file() else f"of {home}"
    return f"edition {current} {where}: {rows:,} school-major rows, {schools:,} schools"


def httpx_body(home: Path, school: str, token: str) -> bytes:
    """A school's /api/school body, from the app in this process (the static file is made this size)."""
    from fastapi.testclient import TestClient

    from portal.app import create_app

    with TestClient(create_app(home, secure_cookies=False)) as client:
        answer = client.get("/api/school", headers={"Authorization": f"Bearer {token}"})
        answer.raise_for_status()
        return answer.content


if __name__ == "__main__":
    raise SystemExit(main())
