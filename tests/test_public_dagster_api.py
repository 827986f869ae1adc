"""Public Dagster APIs only: no product module imports (or names as a module to load) anything under
`dagster._…`, whose layout changes between releases without notice; `make ui` runs `dg dev`, which prints no
SupersessionWarning (`dagster dev` does)."""

from __future__ import annotations

import ast
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[1]
PRODUCT = ("pipelines", "assets", "inbox", "data_contracts", "warehouse", "scoring", "ml", "documents", "review",
           "portal", "sample_data", "benchmarks")
PRIVATE = re.compile(r"^dagster(_\w+)?\._")  # dagster._core, dagster_shared._…, dagster_k8s._… alike


def private_uses(source: str) -> list[tuple[int, str]]:
    """(line, name) of every import of a private Dagster module, and every string naming one."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if PRIVATE.match(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.module and PRIVATE.match(node.module):
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and PRIVATE.match(node.value):
            found.append((node.lineno, node.value))
    return found


def test_the_scan_finds_a_private_import_in_each_form():
    source = ("import dagster._core.instance\nfrom dagster._core.storage import x\n"
              "PRELOAD = ['dagster._core.storage.sqlite_storage']\nimport dagster\nfrom dagster import asset\n")
    assert [line for line, _ in private_uses(source)] == [1, 2, 3]


def test_no_product_module_uses_a_private_dagster_module():
    offenders = [f"{path.relative_to(REPO)}:{line}: {name}"
                 for package in PRODUCT for path in sorted((REPO / package).rglob("*.py"))
                 for line, name in private_uses(path.read_text(encoding="utf-8"))]
    assert offenders == []


def _ui_command() -> list[str]:
    """The Dagster command of the Makefile's `ui` target, as it would run (make's variables resolved)."""
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^ui:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE).group(1)
    line = [ln for ln in recipe.splitlines() if " dev " in ln][0]
    words = line.split("$(BIN)/", 1)[1].split()
    return [str(Path(sys.executable).with_name(words[0])), *words[1:]]


def test_make_ui_runs_dg_dev_and_no_target_runs_a_superseded_dagster_command():
    command = _ui_command()
    assert Path(command[0]).name == "dg" and command[1:3] == ["dev", "-m"], command
    recipes = [ln for ln in (REPO / "Makefile").read_text(encoding="utf-8").splitlines() if ln.startswith("\t")]
    assert [ln for ln in recipes if "$(BIN)/dagster " in ln] == []   # dagster dev / definitions validate → dg


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_make_ui_starts_without_a_supersession_warning(tmp_path):
    from tests.test_dagster_ui import Dagster, free_port

    home = tmp_path / "home"
    subprocess.run([sys.executable, "-c", "import sys; from pipelines.instance import prepare_home; "
                    "prepare_home(sys.argv[1])", str(home)], check=True,
                   env={**os.environ, "PYTHONPATH": str(REPO)})
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO), "MAJORWATCH_HOME": str(home),
           "DAGSTER_HOME": str(home / "dagster"), "MAJORWATCH_INBOX": str(home / "inbox")}
    log_path = tmp_path / "ui.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([*_ui_command(), "-h", "127.0.0.1", "-p", str(port)], cwd=REPO, env=env,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            client, deadline = Dagster(port), time.monotonic() + 240
            while True:
                try:
                    assert client.query("{ version }")["version"]
                    break
                except (httpx.HTTPError, AssertionError):
                    assert proc.poll() is None and time.monotonic() < deadline, log_path.read_text(errors="replace")
                    time.sleep(1)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
    output = log_path.read_text(errors="replace")
    assert "Serving dagster-webserver" in output
    assert "SupersessionWarning" not in output, output[-2000:]
