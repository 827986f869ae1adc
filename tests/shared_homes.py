"""Homes that cost a whole pipeline run, built once per test session and shared by every xdist worker.

A shared home is READ-ONLY: a test that runs the pipeline again, opens a review, kills a run or edits the
inbox first takes its own copy (``copy_run``: copytree of the inbox and the home, a few milliseconds, where a
run takes tens of seconds). The first worker that asks builds it under a file lock in the session's base
temporary folder (pytest-xdist's documented ``getbasetemp().parent`` + ``filelock`` pattern); the others wait
for it and reuse it. Outside xdist the folder is the session's own base temporary folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from filelock import FileLock

RUN_ENV = ("MAJORWATCH_HOME", "DAGSTER_HOME", "MAJORWATCH_INBOX")
REPO = Path(__file__).resolve().parents[1]
DONE = ".built"


@dataclass(frozen=True)
class SharedRun:
    """An inbox and the home a run of it published; never change either (copy them with ``copy_run``)."""

    inbox: Path
    home: Path

    @property
    def published(self) -> Path:
        return self.home / "published"


def session_root(tmp_path_factory: pytest.TempPathFactory, config: pytest.Config) -> Path:
    """The folder every worker of this session shares (the workers' base folders sit side by side in it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if hasattr(config, "workerinput") else base


def build_once(root: Path, name: str, build: Callable[[Path], None]) -> Path:
    """``root/name``, built by ``build(folder)`` unless another worker already built it in this session.
    A build that failed part-way is started again from scratch by the next worker that asks."""
    folder = root / name
    with FileLock(str(root / f"{name}.lock")):
        if not (folder / DONE).exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            build(folder)
            (folder / DONE).write_text(json.dumps(digests(folder)), encoding="utf-8")
    return folder


def digests(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` (the build marker left out)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != DONE:
            with path.open("rb") as handle:
                found[path.relative_to(folder).as_posix()] = hashlib.file_digest(handle, "sha256").hexdigest()
    return found


def assert_unchanged(folder: Path) -> None:
    """Fail if a test changed a shared home instead of copying it (checked when each worker's session ends)."""
    built = json.loads((folder / DONE).read_text(encoding="utf-8"))
    now = digests(folder)
    changed = sorted(k for k in built.keys() | now.keys() if built.get(k) != now.get(k))
    assert not changed, f"a test changed the shared home {folder} instead of a copy: {changed[:10]}"


def isolated_run(argv: list[str]) -> int:
    """`majorwatch <argv>` in this process with the home/inbox variables it exports undone afterwards."""
    from pipelines.cli import main

    with pytest.MonkeyPatch.context() as mp:
        for var in RUN_ENV:
            mp.setenv(var, "")
        return main(argv)


def spy_on_reads(mp: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Record, while ``mp`` is active, every warehouse read of a step as (step, table), through both ways an
    asset can read: the IO manager's inputs and ``Warehouse.query``'s SQL."""
    import duckdb

    import assets.resources as resources_module

    reads: list[tuple[str, str]] = []
    load_input = resources_module.WarehouseIOManager.load_input
    query = resources_module.Warehouse.query

    def spy_load(self, context):
        reads.append((context.op_def.name, context.asset_key.to_user_string()))  # (consumer step, upstream table)
        return load_input(self, context)

    def spy_query(self, context, sql, params=None):
        reads.extend((context.assets_def.node_def.name, t) for t in duckdb.get_table_names(sql))
        return query(self, context, sql, params)

    mp.setattr(resources_module.WarehouseIOManager, "load_input", spy_load)
    mp.setattr(resources_module.Warehouse, "query", spy_query)
    return reads


def publish_handmade(folder: Path) -> None:
    """`majorwatch run --edition 2026` on the hand-made inbox (tests/handmade_inbox.py): 2026-draft in force.
    Every warehouse read of the run's steps is kept in reads.json (``read_reads``)."""
    from tests.handmade_inbox import write_handmade_inbox

    inbox = write_handmade_inbox(folder / "inbox")
    home = folder / "home"
    with pytest.MonkeyPatch.context() as mp:
        reads = spy_on_reads(mp)
        assert isolated_run(["run", "--inbox", str(inbox), "--home", str(home), "--edition", "2026", "--quiet"]) == 0
    assert (home / "published" / "CURRENT").read_text(encoding="utf-8").strip() == "2026-draft"
    (folder / "reads.json").write_text(json.dumps(reads), encoding="utf-8")


def publish_sample(folder: Path, trained: SharedRun) -> None:
    """`majorwatch run` on the sample inbox in a copy of the trained sample home (its models reused): the
    sample's 2026-draft in force, with every document. The command and what it printed: ``read_command``."""
    run = copy_run(trained, folder)
    record = recorded_run(folder, ["run", "--inbox", str(run.inbox), "--home", str(run.home), "--quiet"])
    assert record.code == 0, record.err[-2000:]


def read_reads(shared: SharedRun) -> list[tuple[str, str]]:
    """The (step, table) warehouse reads of the shared hand-made run, in the order they happened."""
    return [tuple(r) for r in json.loads((shared.home.parent / "reads.json").read_text(encoding="utf-8"))]


def copy_run(shared: SharedRun, dest: Path) -> SharedRun:
    """A private copy of a shared run (inbox and home side by side under ``dest``) that a test may change."""
    dest.mkdir(parents=True, exist_ok=True)
    inbox, home = dest / "inbox", dest / "home"
    shutil.copytree(shared.inbox, inbox, symlinks=True)
    shutil.copytree(shared.home, home, symlinks=True)
    return SharedRun(inbox, home)


SAMPLE_MODEL_ASSETS = ["proposed_major_industries", "proposed_major_occupations", "labor_forecasts",
                       "forecast_quality", "posting_industry_proposals", "backtest_verdicts", "model_calibration"]


def plain(value):
    """A metadata value as the shared run's JSON record keeps it (plain JSON types; any other object, such as
    a Dagster table schema, as its text), for comparisons with a record."""
    if value is None or type(value) in (bool, int, float, str):
        return value
    if type(value) is dict:
        return {str(k): plain(v) for k, v in value.items()}
    if type(value) in (list, tuple):
        return [plain(v) for v in value]
    return str(value)


def run_record(result) -> dict:
    """What a test reads from a materialize result: every asset's metadata and every check's verdict."""
    assets = {e.asset_key.path[-1]: {k: v.value for k, v in e.materialization.metadata.items()}
              for e in result.get_asset_materialization_events()}
    checks = {e.check_name: {"passed": e.passed, "metadata": {k: v.value for k, v in e.metadata.items()}}
              for e in result.get_asset_check_evaluations()}
    return plain({"success": result.success, "assets": assets, "checks": checks})


def ingest_and_train_sample(folder: Path, sample_inbox: Path) -> None:
    """Ingest the sample inbox and train every model on it in a fresh home (dg.materialize of the inputs and
    the model assets), keeping the run's record in record.json. It runs in a fresh Python, so the record can
    also say which heavy libraries the run's own process imported (``imported``: the fits belong in workers)."""
    shutil.copytree(sample_inbox, folder / "inbox")
    code = "import sys\nfrom tests.shared_homes import train_here\nif __name__ == '__main__':\n    train_here(sys.argv[1])"
    env = {**os.environ, **dict.fromkeys(RUN_ENV, "")}
    subprocess.run([sys.executable, "-c", code, str(folder)], cwd=REPO, env=env, check=True, timeout=600)


HEAVY = ("sklearn", "great_expectations", "pandas", "scipy", "matplotlib")


def train_here(folder: str) -> None:
    """``ingest_and_train_sample``'s run, in this process (a fresh one)."""
    from pipelines.instance import prepare_home
    from tests.dagster_helpers import INGEST, materialize

    inbox, home = Path(folder) / "inbox", Path(folder) / "home"
    prepare_home(home, home / "inbox")
    result = materialize([*INGEST, *SAMPLE_MODEL_ASSETS], home, inbox)
    record = {**run_record(result), "imported": sorted({m.split(".")[0] for m in sys.modules} & set(HEAVY))}
    (Path(folder) / "record.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")


def read_record(shared: SharedRun) -> dict:
    return json.loads((shared.home.parent / "record.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Command:
    """A `majorwatch <argv>` a shared home ran: its exit code and what it printed."""

    argv: list[str]
    code: int
    out: str
    err: str


def recorded_run(folder: Path, argv: list[str]) -> Command:
    """`majorwatch <argv>` in this process from the repository (as a user runs it), kept in command.json."""
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(REPO), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = isolated_run(argv)
    command = Command(argv, code, out.getvalue(), err.getvalue())
    (folder / "command.json").write_text(json.dumps(command.__dict__, ensure_ascii=False), encoding="utf-8")
    return command


def read_command(folder: Path) -> Command:
    """The command a shared home's build ran (``folder``: the shared run's folder, ``home.parent``)."""
    return Command(**json.loads((folder / "command.json").read_text(encoding="utf-8")))


def evaluate_sample(folder: Path, trained: SharedRun) -> None:
    """`majorwatch evaluate --inbox <the trained sample's inbox> --json` once: it ingests the inbox into a
    throw-away home and cross-validates every model (the README's command, whose figures the model assets'
    metadata must match)."""
    recorded_run(folder, ["evaluate", "--inbox", str(trained.inbox), "--json"])
