"""The commission's server layout (deploy/) starts: the three systemd units' commands (`home prepare`, then the
Dagster webserver, the daemon and the portal), run as subprocesses with the settings file's variables on
loopback and on PostgreSQL; a run launched through the webserver's GraphQL is taken by the daemon and
succeeds; a commission token reads the published edition through the portal's HTTP."""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from assets.partitions import inbox_data_year
from tests.handmade_inbox import write_handmade_inbox
from tests.test_dagster_ui import Dagster, free_port

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy"
UNITS = ("webserver", "daemon", "portal")


def settings() -> dict[str, str]:
    """deploy/majorwatch.env as systemd reads it (KEY=VALUE lines, # comments)."""
    pairs = (line.split("=", 1) for line in (DEPLOY / "majorwatch.env").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.lstrip().startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def unit_commands(unit: str, env: dict[str, str]) -> tuple[list[list[str]], list[str]]:
    """(ExecStartPre commands, ExecStart command) of deploy/systemd/majorwatch-<unit>.service, with ${VAR}
    expanded from `env` as systemd does."""
    text = (DEPLOY / "systemd" / f"majorwatch-{unit}.service").read_text(encoding="utf-8")
    assert "EnvironmentFile=/etc/majorwatch/majorwatch.env" in text

    def expand(line: str) -> list[str]:
        return shlex.split(re.sub(r"\$\{(\w+)\}", lambda m: env[m.group(1)], line))

    pre = [expand(m) for m in re.findall(r"^ExecStartPre=(.*)$", text, re.MULTILINE)]
    (start,) = re.findall(r"^ExecStart=(.*)$", text, re.MULTILINE)
    return pre, expand(start)


def test_every_setting_a_unit_names_is_in_the_settings_file():
    env = settings()
    for unit in UNITS:
        text = (DEPLOY / "systemd" / f"majorwatch-{unit}.service").read_text(encoding="utf-8")
        assert set(re.findall(r"\$\{(\w+)\}", text)) <= set(env), unit
    assert env["MAJORWATCH_DAGSTER_PG_URL"].startswith("postgresql+psycopg2://")
    assert env["MAJORWATCH_REVIEW_URL"].startswith("postgresql+psycopg://")


def test_the_compose_file_runs_what_the_units_run():
    import yaml

    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    env = {**settings(), "MAJORWATCH_VENV": "/venv"}
    for unit in UNITS:
        service = compose["services"][unit]
        script = service["command"][-1]
        assert script.startswith("majorwatch home prepare && exec ")
        _, start = unit_commands(unit, env)
        program, *args = script.split("exec ", 1)[1].split()
        assert Path(start[0]).name == program                  # the same program …
        options = [a for a in start[1:] if a.startswith("-")]
        assert options == [a for a in args if a.startswith("-")], unit  # … with the same options
        assert service["volumes"] == ["majorwatch-home:/var/lib/majorwatch"]
        assert service["environment"]["MAJORWATCH_DAGSTER_PG_URL"].startswith("postgresql+psycopg2://")
    assert set(compose["services"]) == {*UNITS, "postgres", "nginx"}


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.timeout(900)
def test_the_production_layout_runs_and_the_portal_serves_the_edition(tmp_path, postgres_server):
    root = tmp_path / "srv"
    env = {**os.environ, **settings()}
    env.update({
        "MAJORWATCH_VENV": str(Path(sys.executable).parent.parent), "PYTHONPATH": str(REPO),
        "MAJORWATCH_HOME": str(root / "home"), "DAGSTER_HOME": str(root / "home" / "dagster"),
        "MAJORWATCH_INBOX": str(root / "inbox"),
        "MAJORWATCH_REVIEW_URL": postgres_server.url(postgres_server.new_database()),
        "MAJORWATCH_DAGSTER_PG_URL": postgres_server.url(postgres_server.new_database(), "postgresql+psycopg2"),
        "DAGSTER_WEBSERVER_PORT": str(free_port()), "MAJORWATCH_PORTAL_PORT": str(free_port()),
    })
    write_handmade_inbox(root / "inbox")
    procs, logs = {}, {}
    try:
        for unit in UNITS:
            pre, start = unit_commands(unit, env)
            for command in pre:
                subprocess.run(command, env=env, cwd=root, check=True, capture_output=True, text=True)
            logs[unit] = open(root / f"{unit}.log", "wb")
            procs[unit] = subprocess.Popen(start, env=env, cwd=root, stdout=logs[unit], stderr=subprocess.STDOUT,
                                           start_new_session=True)
        assert "env: MAJORWATCH_DAGSTER_PG_URL" in (root / "home" / "dagster" / "dagster.yaml").read_text()
        dagster = Dagster(int(env["DAGSTER_WEBSERVER_PORT"]))
        dagster.url = dagster.url.replace("/graphql", "/dagster/graphql")  # the unit's --path-prefix
        portal = f"http://127.0.0.1:{env['MAJORWATCH_PORTAL_PORT']}"
        deadline = time.monotonic() + 300
        while True:
            try:
                dagster.query("{ version }")
                httpx.get(portal + "/api/editions", timeout=10)
                break
            except (httpx.HTTPError, AssertionError):
                dead = [u for u, p in procs.items() if p.poll() is not None]
                assert not dead and time.monotonic() < deadline, _tail(root, dead or UNITS)
                time.sleep(2)
        year = str(inbox_data_year(root / "inbox"))  # the edition partition, as the data team picks it in the UI
        dagster.add_edition(year)
        run_id = dagster.launch("majorwatch_job", year)   # queued: the daemon takes it
        assert dagster.wait(run_id, time.monotonic() + 600) == "SUCCESS", _tail(root, UNITS)
        edition = (root / "home" / "published" / "CURRENT").read_text(encoding="utf-8").strip()
        token = subprocess.run([env["MAJORWATCH_VENV"] + "/bin/majorwatch", "token", "issue", "--commission"],
                               env=env, cwd=root, check=True, capture_output=True, text=True).stdout.splitlines()[1]
        headers = {"Authorization": f"Bearer {token.strip()}"}
        deadline = time.monotonic() + 60   # the portal notices the new CURRENT on a request, loads it meanwhile
        while (editions := httpx.get(portal + "/api/editions", headers=headers, timeout=30)).status_code == 503:
            assert time.monotonic() < deadline, editions.text
            time.sleep(1)
        assert editions.status_code == 200 and edition in editions.text, editions.text
        catalog = httpx.get(f"{portal}/downloads/{edition}/guiding_catalog.csv", headers=headers, timeout=30)
        assert catalog.status_code == 200
        assert catalog.content == (root / "home" / "published" / edition / "guiding_catalog.csv").read_bytes()
        assert httpx.get(f"{portal}/downloads/{edition}/guiding_catalog.csv", timeout=30).status_code == 401
        assert not list((root / "home" / "dagster").rglob("*.db"))  # the run history is in PostgreSQL
    finally:
        for proc in procs.values():
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
        for log in logs.values():
            log.close()


def _tail(root: Path, units) -> str:
    return "\n".join(f"== {u} ==\n" + (root / f"{u}.log").read_text(errors="replace")[-2500:] for u in units)
