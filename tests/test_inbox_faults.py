"""Issue 26 (inbox side): links in the inbox, files written during the run, NUL bytes: each refused with a
Chinese error naming the file (and the place), nothing read through a link, nothing half ingested."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import inbox.ingest as ingest_module
from data_contracts.spec import load_contracts
from inbox.ingest import ingest_input
from tests.handmade_inbox import write_handmade_inbox
from warehouse.db import connect
from warehouse.errors import InputError

CONTRACTS = load_contracts()
SECRET = "root:$6$SECRET-FIRST-LINE:19000:0:99999:7:::"


@pytest.fixture()
def inbox(tmp_path) -> Path:
    return write_handmade_inbox(tmp_path / "inbox")


@pytest.fixture()
def con(tmp_path):
    c = connect(tmp_path / "w.duckdb")
    yield c
    c.close()


def ingest(con, folder: Path, raw: Path, *names: str) -> None:
    for name in names:
        ingest_input(con, folder, CONTRACTS[name], raw, "run-1")


# --- item 5: no input may be a link or leave the inbox ---

def _secret(tmp_path: Path) -> Path:
    target = tmp_path / "outside" / "shadow"
    target.parent.mkdir()
    target.write_text(SECRET + "\nbin:x:1:1::/:/sbin/nologin\n", encoding="utf-8")
    return target


@pytest.mark.parametrize("where", ["outside", "inside", "dangling"])
def test_a_linked_input_is_refused_without_reading_it(inbox, con, tmp_path, where):
    if where == "outside":
        target = _secret(tmp_path)
    elif where == "inside":
        target = inbox / "schools-copy.txt"
        target.write_bytes((inbox / "schools.csv").read_bytes())
    else:
        target = tmp_path / "gone.csv"
    (inbox / "schools.csv").unlink()
    (inbox / "schools.csv").symlink_to(target)
    with pytest.raises(InputError) as caught:
        ingest(con, inbox, tmp_path / "raw", "schools")
    text = str(caught.value)
    assert caught.value.file == "schools.csv" and "符号链接" in text and "未读取" in text
    assert "SECRET" not in text and "root" not in text
    assert not (tmp_path / "raw" / "schools").exists() or not any((tmp_path / "raw" / "schools").iterdir())


def test_an_inbox_sources_yaml_that_is_a_link_is_refused(inbox, con, tmp_path):
    (inbox / "sources.yaml").symlink_to(_secret(tmp_path))
    with pytest.raises(InputError, match="符号链接") as caught:
        ingest(con, inbox, tmp_path / "raw", "majors")
    assert "SECRET" not in str(caught.value)


def test_a_fifo_named_like_an_input_is_refused_not_opened(inbox, con, tmp_path):
    (inbox / "schools.csv").unlink()
    os.mkfifo(inbox / "schools.csv")  # opening it for reading would hang the run
    with pytest.raises(InputError, match="不是普通文件"):
        ingest(con, inbox, tmp_path / "raw", "schools")


# --- item 6: a file written during the run is refused, not half ingested ---

def _append_after(monkeypatch, target: str, path: Path) -> None:
    real = getattr(ingest_module, target)

    def wrapped(*args, **kwargs):
        out = real(*args, **kwargs)
        with path.open("ab") as handle:  # the data office's export is still being written
            handle.write("4111019999,迟到的学校,高职,海淀区\n".encode("gb18030"))
        return out

    monkeypatch.setattr(ingest_module, target, wrapped)


@pytest.mark.parametrize(("target", "when"), [("store_raw", "复制到原始存储期间"), ("run_contract", "入库期间")])
def test_a_file_written_during_the_run_is_refused(inbox, con, tmp_path, monkeypatch, target, when):
    _append_after(monkeypatch, target, inbox / "schools.csv")
    with pytest.raises(InputError) as caught:
        ingest(con, inbox, tmp_path / "raw", "schools")
    assert caught.value.file == "schools.csv"
    assert f"文件在{when}被修改" in str(caught.value) and "请等文件写完" in str(caught.value)
    assert not con.execute("SELECT count(*) FROM input_files WHERE input = 'schools'").fetchone()[0]


def test_an_unchanged_file_is_read_once_and_recorded_with_its_hash(inbox, con, tmp_path):
    ingest(con, inbox, tmp_path / "raw", "schools")
    sha, raw_path = con.execute("SELECT sha256, raw_path FROM input_files WHERE input = 'schools'").fetchone()
    import hashlib

    assert hashlib.sha256((inbox / "schools.csv").read_bytes()).hexdigest() == sha
    assert Path(raw_path).read_bytes() == (inbox / "schools.csv").read_bytes()


# --- item 8: an optional input left out never blocks, on a fresh home ---

@pytest.mark.slow
def test_leaving_out_the_optional_occupations_does_not_block_a_fresh_home(sample_inbox, home, tmp_path):
    """Issue 26 item 8: great-expectations got the absent occupations' empty table as the list of allowed codes
    and flagged every occupation code the engine had (rightly) left unchecked: the run was blocked."""
    import shutil

    from tests.dagster_helpers import INGEST, materialize

    inbox = Path(shutil.copytree(sample_inbox, tmp_path / "inbox"))
    (inbox / "occupations.csv").unlink()
    result = materialize(INGEST, home, inbox, raise_on_error=False)
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert result.success and all(e.passed for e in checks.values()), [
        e.description for e in checks.values() if not e.passed]
    note = checks["major_occupation_map_contract"].metadata["notes"].value
    assert "occupation_code 引用的 occupations 未提供，未检查引用" in note
