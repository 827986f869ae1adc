"""Official form: the documents of a published edition and every page a school sees name the edition as
"2026年版（征求意见稿）" and show no internal text (ids, keys, hashes, file names, English words, "None", model
jargon); the provenance is in the 技术附录, which the scan exempts and which holds it."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from documents import EditionInfo
from documents.edition import EditionFacts, edition_label
from tests.internal_tokens import document_texts, find_internal, html_text, report
from tests.shared_homes import copy_run

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) is not installed")


@pytest.mark.parametrize(("edition_id", "state", "label"), [
    ("2026-draft", None, "2026年版（征求意见稿）"), ("2026", "正式", "2026年版"), ("2026", "征求意见稿", "2026年版（征求意见稿）"),
    ("2026-r2-draft", None, "2026年版（第1次修订）（征求意见稿）"), ("2027-r3", "正式", "2027年版（第2次修订）")])
def test_one_label_for_an_edition(edition_id, state, label) -> None:
    assert edition_label(EditionFacts.from_id(edition_id, state)) == label
    assert edition_label({"id": edition_id, "state": state}) == label


def test_the_scan_finds_each_kind_of_internal_text() -> None:
    for text in ("版次：2026-draft", "rules.prohibited_share", "SHA-256 fc5259c1464d90da", "scoring/policy.yaml",
                 "无", "回测 MASE 0.98", "预测优于季节性朴素法", "命令行 majorwatch precheck", "值 None", "industries",
                 "districts.no_vocational", "2026-r2"):
        assert find_internal(text) or text == "无", text
    assert not find_internal("2026年版（征求意见稿） 求人倍率 1.07 单位：人 Excel PDF 2025-Q4 京教职成〔2026〕3号")


def test_a_final_edition_names_its_doc_number_and_date_and_a_draft_has_none(tmp_path: Path) -> None:
    from tests.scoring_fixtures import confirmed_policy

    policy = confirmed_policy(tmp_path)
    final = EditionInfo.build("2026", date(2025, 12, 31), policy, state="正式", doc_number="京教职成〔2026〕3号",
                              issued_on="2026-01-15")
    assert final.label == "2026年版" and "京教职成〔2026〕3号" in final.subtitle()
    assert "印发日期：2026年1月15日" in final.subtitle() and "征求意见稿" not in final.title("专业指导性目录")
    draft = EditionInfo.build("2026-draft", date(2025, 12, 31), policy, doc_number="京教职成〔2026〕3号")
    assert draft.label == "2026年版（征求意见稿）" and "文号" not in draft.subtitle() and "征求意见稿" in draft.subtitle()


@pytest.fixture(scope="module")
def published(handmade_published, tmp_path_factory) -> Path:
    """A copy of the hand-made inbox's published home (2026-draft in force)."""
    return copy_run(handmade_published, tmp_path_factory.mktemp("official")).home


def _edition(home: Path) -> Path:
    return home / "published" / (home / "published" / "CURRENT").read_text(encoding="utf-8").strip()


def test_official_documents_show_no_internal_text(published: Path) -> None:
    folder = _edition(published)
    texts = document_texts(folder)
    names = {k.split("!")[0] for k in texts}
    assert {"guiding_catalog.xlsx", "guiding_catalog_basis.xlsx", "restriction_list.xlsx", "matching_report.xlsx",
            "bulletin.html", "bulletin.pdf"} <= names
    found = report(texts)
    assert not found, "正式文件中有内部文字：\n" + "\n".join(found[:40])
    title = texts["guiding_catalog.xlsx!专业指导性目录!A1"]
    assert "2026年版" in title and "征求意见稿" in title
    assert "北京市教育委员会" in texts["bulletin.pdf"] and "征求意见稿" in texts["bulletin.pdf"]


def test_the_technical_appendix_holds_the_provenance(published: Path) -> None:
    folder = _edition(published)
    package = (folder / "datapackage.json").read_text(encoding="utf-8")
    assert "技术附录.xlsx" in package
    book = openpyxl.load_workbook(folder / "技术附录.xlsx")
    cells = " ".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value)
    assert re.search(r"\b[0-9a-f]{64}\b", cells) and "majors" in cells  # the inputs with their SHA-256
    assert "policy.yaml" in cells and "待市教委确认" in cells  # the policy file, its hash and the pending values
    assert {"输入文件", "数据契约", "预测模型", "评分政策"} <= set(book.sheetnames)


def test_school_pages_show_no_internal_text(published: Path) -> None:
    from fastapi.testclient import TestClient

    from portal import tokens
    from portal.app import create_app

    folder = _edition(published)
    scores = pl.read_parquet(folder / "school_major_scores.parquet")
    school = scores["school_code"][0]
    majors = scores.filter(pl.col("school_code") == school)["major_code"].to_list()
    token = tokens.issue(published, school=school)
    client = TestClient(create_app(published, secure_cookies=False))
    auth = {"Authorization": f"Bearer {token}"}
    flagged = pl.read_parquet(folder / "guiding_catalog.parquet").filter(pl.col("warning_level") != "绿")
    assert flagged.height  # a pre-check of a flagged major names its warning and the rule behind it
    paths = ["/school", "/catalog", "/policy", "/school/precheck", f"/school/precheck?major={majors[0]}",
             *(f"/school/precheck?major={m}" for m in flagged["major_code"].head(3)),
             "/school/objections", *(f"/school/majors/{m}" for m in majors)]
    pages = {}
    for path in paths:
        answer = client.get(path, headers=auth)
        assert answer.status_code == 200, (path, answer.status_code)
        pages[path] = html_text(answer.text)
    found = report(pages)
    assert not found, "学校页面中有内部文字：\n" + "\n".join(found[:40])
    assert "2026年版（征求意见稿）" in pages["/school"]


def test_the_reasons_and_basis_a_school_reads_show_no_internal_text() -> None:
    """The 依据 and 详细依据 texts (in the catalogs, the basis workbook and the school pages), including the forecast's
    note, which the hand-made inbox never reaches: the figures of the back-test are in the 技术附录."""
    from scoring.reasons import demand_note
    from tests.scoring_fixtures import build, run

    scored = run(build())[2]
    texts = {f"{r['major_code']}:{c}": r[c] for r in scored.iter_rows(named=True) for c in ("reasons", "basis")
             if isinstance(r.get(c), str)}
    texts["forecast"] = demand_note({"demand_supply_ratio": 1.2, "labor_year": 2025, "ratio_trend": -0.1,
                                     "ratio_trend_forecast": -0.2, "forecast_ratio": 1.05, "forecast_year": 2026,
                                     "forecast_mase": 0.98})
    assert "98%" in texts["forecast"]
    found = report(texts)
    assert not found, "\n".join(found[:20])
