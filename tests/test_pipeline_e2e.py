"""End to end through the real CLI and Dagster job: hand-made inbox → contracts → scores → edition."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import polars as pl
import pytest

from pipelines.cli import main
from tests.handmade_inbox import write_handmade_inbox
from tests.shared_homes import copy_run

pytestmark = pytest.mark.slow


def run(inbox: Path, home: Path, *extra: str) -> int:
    return main(["run", "--inbox", str(inbox), "--home", str(home), "--quiet", *extra])


def folder_hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture()
def published(handmade_published, tmp_path, home):
    """A private copy of the session's hand-made run (inbox, home, published folder) that the test may change."""
    own = copy_run(handmade_published, tmp_path / "own")
    return own.inbox, own.home, own.published


@pytest.fixture()
def published_once(handmade_published):
    """The session's published hand-made run, shared by the tests that only read it."""
    return handmade_published.inbox, handmade_published.home, handmade_published.published


def test_each_rule_and_category_acts(published_once):
    _, _, pub = published_once
    assert (pub / "CURRENT").read_text().strip() == "2026-draft"
    catalog = pl.read_parquet(pub / "2026-draft" / "guiding_catalog.parquet")
    by_code = {r["major_code"]: r for r in catalog.to_dicts()}
    assert catalog["major_code"].n_unique() == catalog.height == 12   # every major exactly once
    assert by_code["470201"]["guidance"] == "停止新设"                   # banned industries only
    assert by_code["510201"]["guidance"] == "优先发展"                   # 高精尖 with strong demand
    assert by_code["590301"]["guidance"] == "重点建设"                   # 城市服务紧缺
    assert by_code["460103"]["guidance"] == "改造升级"                   # 调整转型
    assert by_code["530701"]["guidance"] == "合作办学"                   # 疏解转移
    assert by_code["460104"]["exposure_high_end"] == 1.0                 # 小类 entry beats its 大类
    assert by_code["530101"]["warning_level"] == "红"                    # < 60% two years running
    assert by_code["530102"]["warning_level"] == "黄"                    # < 60% in the latest year
    assert "未找到专业—行业对应" in by_code["610101"]["basis"]                # the full basis says why
    restrictions = pl.read_parquet(pub / "2026-draft" / "restriction_list.parquet")
    scopes = {(r["major_code"], r["restriction"], r["scope"]) for r in restrictions.to_dicts()}
    assert ("470201", "停止新设", "全市") in scopes
    assert ("540101", "限制招生", "东城区") in scopes
    assert all(r["reasons"] and r["scope"] for r in restrictions.to_dicts())
    package = json.loads((pub / "2026-draft" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["policy"]["version"] == package["policy"]["content"]["version"] == "2026.1"
    assert package["policy"]["content"]["rules"]["employment_floor"]["value"] == 0.6
    assert {c["input"] for c in package["contracts"]} >= {"majors", "school_majors"}
    assert all(len(i["sha256"]) == 64 for i in package["inputs"] if i["file"])
    assert not any(code == "470202" for code, _, _ in scopes)            # model-only mapping: never restricted
    schools = pl.read_parquet(pub / "2026-draft" / "school_major_scores.parquet")
    flags = {(r["school_code"], r["major_code"]): r["school_flags"] for r in schools.to_dicts()}
    assert "退出" in flags[("1111000003", "540101")]                     # no enrolment three years
    assert "东城区" in flags[("1111000002", "510201")]                    # district rule


def test_csv_opens_as_excel_reads_it(published_once):
    _, _, pub = published_once
    raw = (pub / "2026-draft" / "guiding_catalog.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(pub / "2026-draft" / "guiding_catalog.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:4] == ["专业代码", "专业名称", "层次", "专业大类"]
    assert len(rows) == 13 and {r[0] for r in rows[1:]} >= {"470201", "610101"}


def test_rerun_is_idempotent_and_a_changed_input_shows_in_changes(published, tmp_path):
    inbox, home, pub = published
    before = pl.read_parquet(pub / "2026-draft" / "guiding_catalog.parquet")
    assert run(inbox, home) == 0                       # auto edition 2026: same content → no new edition
    assert sorted(p.name for p in pub.iterdir() if p.is_dir() and not p.name.startswith(".")) == ["2026-draft"]
    # 530102's graduates find work again: its yellow warning goes away
    path = inbox / "school_majors.csv"
    frame = pl.read_csv(path, infer_schema=False)
    frame = frame.with_columns(
        pl.when((pl.col("major_code") == "530102") & (pl.col("year") == "2025")).then(pl.lit("38"))
        .otherwise(pl.col("employed")).alias("employed"))
    frame.write_csv(path)
    assert run(inbox, home) == 0
    assert (pub / "CURRENT").read_text().strip() == "2026-r2-draft"
    changes = list(csv.DictReader(open(pub / "2026-r2-draft" / "changes.csv", encoding="utf-8-sig")))
    assert [r["专业代码"] for r in changes] == ["530102"]
    after = pl.read_parquet(pub / "2026-draft" / "guiding_catalog.parquet")
    assert before.equals(after)                        # an edition never changes afterwards


def test_failed_contract_publishes_nothing(published, capsys):
    inbox, home, pub = published
    current = (pub / "CURRENT").read_bytes()
    hashes = folder_hashes(pub / "2026-draft")
    path = inbox / "school_majors.csv"
    frame = pl.read_csv(path, infer_schema=False)
    frame = frame.with_columns(pl.when(pl.int_range(pl.len()) == 4).then(pl.lit("999"))
                               .otherwise(pl.col("employed")).alias("employed"))
    frame.write_csv(path)
    assert run(inbox, home) == 1
    err = capsys.readouterr().err
    assert "school_majors.csv" in err and "第 6 行" in err and "就业人数不能大于毕业生人数" in err
    assert (pub / "CURRENT").read_bytes() == current
    assert folder_hashes(pub / "2026-draft") == hashes
    assert sorted(p.name for p in pub.iterdir() if p.is_dir() and not p.name.startswith(".")) == ["2026-draft"]


def test_missing_required_column_fails_with_the_file_and_column(tmp_path, home, capsys):
    inbox = write_handmade_inbox(tmp_path / "inbox")
    frame = pl.read_csv(inbox / "major_industry_map.csv", infer_schema=False).drop("industry_code")
    frame.write_csv(inbox / "major_industry_map.csv")
    assert run(inbox, home) == 1
    err = capsys.readouterr().err
    assert "major_industry_map.csv" in err and "行业代码" in err
    assert not (home / "published" / "CURRENT").exists()
