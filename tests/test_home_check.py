"""`majorwatch home check [--repair]` and a run after the warehouse was damaged (issue 26 item 2): the home is
reported in Chinese, repaired without deleting what a person may need, and the next run publishes the same rows."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from pipelines.cli import main
from tests.shared_homes import copy_run


@pytest.fixture()
def own(handmade_published, tmp_path, monkeypatch):
    for var in ("MAJORWATCH_HOME", "DAGSTER_HOME", "MAJORWATCH_INBOX"):
        monkeypatch.setenv(var, os.environ.get(var, ""))
    return copy_run(handmade_published, tmp_path / "own")


def _check(home: Path, capsys, *extra: str) -> tuple[int, str]:
    code = main(["home", "check", "--home", str(home), *extra])
    return code, capsys.readouterr().out


def _published(home: Path) -> dict[str, str]:
    root = home / "published"
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.name.startswith(".")}


def _truncate(home: Path) -> None:
    path = home / "warehouse.duckdb"
    with open(path, "r+b") as handle:
        handle.truncate(path.stat().st_size // 2)


def test_a_healthy_home_is_reported_healthy(own, capsys):
    code, out = _check(own.home, capsys)
    assert code == 0 and "全部正常" in out
    assert "CURRENT 指向完整的版本 2026-draft" in out and "每个表的每一行都已读过" in out


def test_a_damaged_home_is_reported_then_repaired_without_deleting_anything(own, capsys):
    home = own.home
    _truncate(home)
    (home / "published" / ".tmp-2026-r9-abc").mkdir()
    (home / "cache" / "great_expectations" / "broken.json").write_text("{", encoding="utf-8")
    code, out = _check(home, capsys)
    assert code == 1
    assert "warehouse.duckdb 已损坏" in out and "已被截断" in out and "--repair" in out
    assert "1 个中断的发布留下的临时文件夹" in out and "1 个文件无法读取" in out
    assert (home / "published" / ".tmp-2026-r9-abc").exists()            # a check alone changes nothing
    code, out = _check(home, capsys, "--repair")
    assert code == 0 and "已全部修复" in out, out
    kept = list(home.glob("warehouse.duckdb.damaged-*"))
    assert len(kept) == 1 and not (home / "warehouse.duckdb").exists()   # set aside, not deleted
    assert not (home / "published" / ".tmp-2026-r9-abc").exists()
    code, out = _check(home, capsys)
    assert code == 0 and "仓库文件不存在：下一次运行从收件箱建立" in out


def test_current_naming_a_missing_edition_is_pointed_at_the_newest_complete_one(own, capsys):
    (own.home / "published" / "CURRENT").write_text("2031-draft\n", encoding="utf-8")
    code, out = _check(own.home, capsys)
    assert code == 1 and "CURRENT 指向的版本 2031-draft 不存在或不完整" in out and "2026-draft" in out
    code, out = _check(own.home, capsys, "--repair")
    assert code == 0 and "已改为最新的完整版本 2026-draft" in out
    assert (own.home / "published" / "CURRENT").read_text(encoding="utf-8").strip() == "2026-draft"


def test_a_busy_home_is_not_repaired(own, capsys):
    from pipelines.home_lock import exclusive_run
    from warehouse.home import Home

    with exclusive_run(Home(own.home), "/elsewhere/inbox", None):
        code, out = _check(own.home, capsys, "--repair")
    assert code == 1 and f"进程 {os.getpid()}" in out and "请等它结束后再检查" in out


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["deleted", "truncated"])
def test_a_run_after_the_warehouse_was_deleted_or_truncated_publishes_the_same_rows(own, capsys, damage):
    """Done-when of issue 26 item 2: unattended, and the edition in force is the same, byte for byte."""
    before = _published(own.home)
    if damage == "deleted":
        for path in own.home.glob("warehouse.duckdb*"):
            path.unlink()
    else:
        _truncate(own.home)
    assert main(["run", "--inbox", str(own.inbox), "--home", str(own.home), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "本次运行从收件箱重建仓库" in out and "内容未变，沿用版本 2026-draft" in out
    assert _published(own.home) == before


def _disk_full(*_args, **_kwargs):
    import errno

    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_at_the_run_boundary_is_said_in_chinese(own, capsys, monkeypatch):
    """Issue 26 item 11: a full disk gave English sqlite/duckdb tracebacks."""
    import pipelines.run

    monkeypatch.setattr(pipelines.run, "run_job", _disk_full)
    assert main(["run", "--inbox", str(own.inbox), "--home", str(own.home), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "磁盘空间已满" in err and "home check --repair" in err and "No space" not in err and "Traceback" not in err


@pytest.mark.slow
def test_a_full_disk_inside_a_step_is_said_in_chinese_and_publishes_nothing(own, capsys, monkeypatch):
    import inbox.ingest

    before = _published(own.home)
    (own.inbox / "schools.csv").write_bytes((own.inbox / "schools.csv").read_bytes() + b"\n")  # not memoised
    monkeypatch.setattr(inbox.ingest, "store_raw", _disk_full)
    assert main(["run", "--inbox", str(own.inbox), "--home", str(own.home), "--quiet"]) == 1
    summary = capsys.readouterr().err.split("运行失败，未发布任何目录")[-1]  # after Dagster's own log lines
    assert "步骤 ingest_inbox 失败：磁盘空间已满" in summary and "Errno" not in summary
    assert _published(own.home) == before


def test_a_warehouse_held_by_another_connection_is_left_alone(own):
    """A file DuckDB cannot open because it is in use is not damage: nothing is set aside or dropped."""
    import duckdb

    from warehouse.home import Home
    from warehouse.recovery import recover_warehouse, warehouse_state

    holder = duckdb.connect(str(own.home / "warehouse.duckdb"))  # as a run launched in the UI would
    try:
        assert warehouse_state(Home(own.home)).status == "busy"
        assert recover_warehouse(Home(own.home)) == []
    finally:
        holder.close()
    assert not list(own.home.glob("warehouse.duckdb.damaged-*")) and (own.home / "warehouse.duckdb").exists()
