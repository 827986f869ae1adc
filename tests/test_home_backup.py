"""`majorwatch home backup` / `home restore`: a manifest of SHA-256 per file, a restore that refuses a changed,
missing or added file (in Chinese, writing nothing), stores on PostgreSQL dumped and restored, a run on the
restored home publishing the same bytes as one on the original; and a home made by the previous release
(def5610; there is no tag) opened by this one."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tarfile
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from pipelines.cli import main
from pipelines.home_backup import MANIFEST
from pipelines.instance import prepare_home
from review import audit
from review.audit import Actor
from review.db import open_store
from review.windows import open_review
from tests.shared_homes import copy_run, isolated_run

REPO = Path(__file__).resolve().parents[1]
PREVIOUS_RELEASE = Path(__file__).with_name("fixtures") / "home_def5610.tar.xz"
STAFF = Actor("教委甲", "commission", None, "tokC")


def small_home(root: Path, review_url: str | None, monkeypatch) -> Path:
    """A home with an edition folder, a raw file, a warehouse-like file and a review store with one window."""
    if review_url and review_url.startswith("postgresql"):
        monkeypatch.setenv("MAJORWATCH_REVIEW_URL", review_url)
    else:
        monkeypatch.delenv("MAJORWATCH_REVIEW_URL", raising=False)
    for var in ("MAJORWATCH_HOME", "DAGSTER_HOME", "MAJORWATCH_INBOX"):
        monkeypatch.setenv(var, "")
    (root / "published" / "2026-draft").mkdir(parents=True)
    (root / "published" / "2026-draft" / "guiding_catalog.csv").write_text("major_code\n510201\n", encoding="utf-8")
    (root / "published" / "CURRENT").write_text("2026-draft\n", encoding="utf-8")
    (root / "raw" / "majors").mkdir(parents=True)
    (root / "raw" / "majors" / "abc.csv").write_bytes(b"code,name\n510201,x\n")
    (root / "warehouse.duckdb").write_bytes(bytes(range(256)) * 10)
    (root / "tmp").mkdir()
    (root / "tmp" / "scratch").write_bytes(b"not kept")
    open_review(open_store(root), STAFF, "2026-draft", __import__("datetime").date(2099, 1, 1))
    return root


def cli(*argv: str) -> int:
    return isolated_run(list(argv))


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_backup_and_restore_keep_every_file_and_the_review_store(backend, tmp_path, monkeypatch, request):
    url = None
    if backend == "postgresql":
        server = request.getfixturevalue("postgres_server")
        url = server.url(server.new_database())
    home = small_home(tmp_path / "home", url, monkeypatch)
    assert cli("home", "backup", "--home", str(home), "--out", str(tmp_path / "bk")) == 0
    sums = (tmp_path / "bk" / MANIFEST).read_text(encoding="utf-8").splitlines()
    listed = {line.split("  ", 1)[1]: line.split("  ", 1)[0] for line in sums}
    assert listed["home/published/2026-draft/guiding_catalog.csv"] == hashlib.sha256(
        b"major_code\n510201\n").hexdigest()
    assert not any(name.startswith("home/tmp/") for name in listed)
    assert ("postgres/review.dump" in listed) == (backend == "postgresql")
    assert ("home/review.sqlite" in listed) == (backend == "sqlite")
    if backend == "postgresql":  # restore into another, empty database
        monkeypatch.setenv("MAJORWATCH_REVIEW_URL", server.url(server.new_database()))
    assert cli("home", "restore", str(tmp_path / "bk"), "--home", str(tmp_path / "new")) == 0
    for name in ("published/2026-draft/guiding_catalog.csv", "published/CURRENT", "raw/majors/abc.csv",
                 "warehouse.duckdb"):
        assert (tmp_path / "new" / name).read_bytes() == (home / name).read_bytes()
    assert not (tmp_path / "new" / "tmp").exists()
    restored = open_store(tmp_path / "new")
    assert [e.action for e in audit.entries(restored)] == ["review.open"]


@pytest.mark.parametrize("damage", ["changed", "missing", "added"])
def test_restore_refuses_a_backup_that_differs_from_its_manifest(damage, tmp_path, monkeypatch, capsys):
    home = small_home(tmp_path / "home", None, monkeypatch)
    assert cli("home", "backup", "--home", str(home), "--out", str(tmp_path / "bk")) == 0
    target = tmp_path / "bk" / "home" / "raw" / "majors" / "abc.csv"
    if damage == "changed":
        target.write_bytes(b"code,name\n510201,y\n")
    elif damage == "missing":
        target.unlink()
    else:
        (target.parent / "extra.csv").write_bytes(b"x")
    capsys.readouterr()
    assert cli("home", "restore", str(tmp_path / "bk"), "--home", str(tmp_path / "new")) == 1
    message = {"changed": "SHA-256 与校验清单不符", "missing": "不存在", "added": "清单之外的文件"}[damage]
    err = capsys.readouterr().err
    assert message in err and "raw/majors/" in err and "拒绝恢复" in err
    assert not (tmp_path / "new").exists()


def test_restore_refuses_to_leave_a_sqlite_review_store_behind_a_postgres_setting(tmp_path, monkeypatch, capsys):
    home = small_home(tmp_path / "home", None, monkeypatch)
    assert cli("home", "backup", "--home", str(home), "--out", str(tmp_path / "bk")) == 0
    monkeypatch.setenv("MAJORWATCH_REVIEW_URL", "postgresql+psycopg://u@127.0.0.1:1/none")
    assert cli("home", "restore", str(tmp_path / "bk"), "--home", str(tmp_path / "new")) == 1
    assert "复核库是主目录里的 SQLite 文件" in capsys.readouterr().err and not (tmp_path / "new").exists()


@pytest.mark.slow
def test_a_run_on_the_restored_home_publishes_the_same_bytes_as_on_the_original(handmade_published, tmp_path):
    original = copy_run(handmade_published, tmp_path / "original")
    assert cli("home", "backup", "--home", str(original.home), "--out", str(tmp_path / "bk")) == 0
    restored = tmp_path / "restored"
    assert cli("home", "restore", str(tmp_path / "bk"), "--home", str(restored)) == 0
    for home in (original.home, restored):
        assert cli("run", "--inbox", str(original.inbox), "--home", str(home), "--edition", "2027", "--quiet") == 0
    a, b = original.home / "published" / "2027-draft", restored / "published" / "2027-draft"
    data = sorted(p.name for p in a.iterdir() if p.suffix in (".parquet", ".csv"))
    assert {"guiding_catalog.parquet", "restriction_list.csv", "changes.csv"} <= set(data)
    assert {n: (a / n).read_bytes() for n in data} == {n: (b / n).read_bytes() for n in data}


def _token(home: Path) -> str:
    out = subprocess.run([sys.executable, "-m", "pipelines.cli", "token", "issue", "--commission", "--home", str(home)],
                         capture_output=True, text=True, check=True, cwd=REPO)
    return out.stdout.splitlines()[1].strip()


def test_a_home_made_by_the_previous_release_opens(tmp_path, monkeypatch, capsys):
    """The fixture is `majorwatch run --edition 2026` on tests/handmade_inbox.py, `edition open-review` and
    `token issue --commission`, all by def5610 (the last commit before this work; no release is tagged)."""
    with tarfile.open(PREVIOUS_RELEASE) as archive:
        archive.extractall(tmp_path, filter="data")
    home = tmp_path / "home"
    assert "pipelines.event_log" in (home / "dagster" / "dagster.yaml").read_text(encoding="utf-8")
    monkeypatch.delenv("MAJORWATCH_REVIEW_URL", raising=False)
    for var in ("MAJORWATCH_HOME", "DAGSTER_HOME", "MAJORWATCH_INBOX"):
        monkeypatch.setenv(var, "")
    assert main(["edition", "status", "2026-draft", "--home", str(home)]) == 0  # the review store, migrated
    assert "征求意见" in capsys.readouterr().out                            # the window def5610 opened
    prepare_home(home)                                                     # what every run and server does first
    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    from review.db import alembic_config, store_url

    head = ScriptDirectory.from_config(alembic_config(store_url(home))).get_current_head()
    with open_store(home).engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head
    assert "pipelines.event_log" not in (home / "dagster" / "dagster.yaml").read_text(encoding="utf-8")
    from portal.app import create_app

    client = TestClient(create_app(home, secure_cookies=False))
    headers = {"Authorization": f"Bearer {_token(home)}"}
    editions = client.get("/api/editions", headers=headers)
    assert editions.status_code == 200, editions.text
    assert "2026-draft" in editions.text
    catalog = client.get("/downloads/2026-draft/guiding_catalog.csv", headers=headers)
    assert catalog.status_code == 200
    assert catalog.content == (home / "published" / "2026-draft" / "guiding_catalog.csv").read_bytes()
    assert httpx.codes.is_success(client.get("/api/commission/majors", headers=headers).status_code)
