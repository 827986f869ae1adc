"""The edition's year end to end with the CLI and the portal's HTTP endpoints: draft → policy confirm →
open-review → objection → decision → close → finalize (documents say 正式 with the 文号) → a new CLI run
and a no-config `score_and_publish` launched through Dagster publish drafts while the final stays in force
→ open-review on the final is refused in Chinese."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta

import pytest

from pipelines.cli import main
from portal import tokens
from portal.app import create_app
from review import audit
from review.db import open_store
from tests.portal_fixtures import session_headers
from tests.shared_homes import copy_run

pytestmark = pytest.mark.slow
DOC_NUMBER = "京教职成〔2026〕5号"


def _current(published) -> str:
    return (published / "CURRENT").read_text(encoding="utf-8").strip()


def _texts(folder) -> dict[str, str]:
    """Every cell of every workbook and the bulletin's HTML of an edition, by file name."""
    from openpyxl import load_workbook

    found = {}
    for path in sorted(folder.glob("*.xlsx")):
        book = load_workbook(path, read_only=True)
        found[path.name] = "\n".join(str(v) for ws in book.worksheets
                                     for row in ws.iter_rows(max_row=6, values_only=True) for v in row if v)
        book.close()
    for path in sorted(folder.glob("*.html")):
        found[path.name] = path.read_text(encoding="utf-8")
    return found


def test_the_final_stays_in_force_through_every_kind_of_run(handmade_published, tmp_path, monkeypatch, capsys):
    import polars as pl
    from fastapi.testclient import TestClient

    for var in ("MAJORWATCH_HOME", "DAGSTER_HOME", "MAJORWATCH_INBOX", "MAJORWATCH_REVIEW_URL"):
        monkeypatch.setenv(var, "")
    run = copy_run(handmade_published, tmp_path)
    home, published = run.home, run.home / "published"
    draft = _current(published)
    assert draft == "2026-draft"
    at = ["--home", str(home)]

    # the shipped policy still has values 待市教委确认: finalize says what to run instead of issuing a draft as final
    assert main(["edition", "open-review", draft, "--until", (date.today() + timedelta(days=10)).isoformat(), *at]) == 0
    assert main(["edition", "close-review", draft, *at]) == 0
    capsys.readouterr()
    assert main(["edition", "finalize", draft, *at]) == 1
    err = capsys.readouterr().err
    assert "待市教委确认" in err and "majorwatch policy confirm --doc-number" in err and "Traceback" not in err
    assert _current(published) == draft
    assert main(["policy", "confirm", "--doc-number", "京教职成〔2026〕", *at]) == 1
    assert "格式不对" in capsys.readouterr().err
    assert main(["policy", "confirm", "--doc-number", DOC_NUMBER, "--by", "张三", *at]) == 0
    assert DOC_NUMBER in capsys.readouterr().out
    assert main(["edition", "open-review", draft, "--until", (date.today() + timedelta(days=10)).isoformat(), *at]) == 0

    # a school objects to a major's verdict on the portal, the commission accepts it
    scores = pl.read_parquet(published / draft / "school_major_scores.parquet")
    offering = scores.sort("school_code", "major_code").row(0, named=True)
    school, code = offering["school_code"], offering["major_code"]
    client = TestClient(create_app(home, signin_limit=10_000), follow_redirects=False)
    # browsers signed in: the cookie carries a session id, started as POST /signin does
    school_cookie = session_headers(client.app, tokens.issue(home, school=school, label="甲校"))
    staff_cookie = session_headers(client.app, tokens.issue(home, commission=True, label="教委审核员"))
    filed = client.post("/school/objections", headers=school_cookie,
                        files={"evidence": ("", b"", "application/octet-stream")},
                        data={"target": "major", "major_code": code, "contested": "guidance",
                              "text": "本校已与企业共建，请复核指导类别。"})
    assert filed.status_code == 303, filed.text
    objection_id = filed.headers["location"].rsplit("/", 1)[1]
    reason = "材料属实，调整为合作办学"
    decided = client.post(f"/commission/objections/{objection_id}/decision", headers=staff_cookie,
                          data={"outcome": "accept", "value": "合作办学", "reason": reason})
    assert decided.status_code == 303, decided.text
    # another school's objection on its own offering: the major's verdict stands, the offering is adjusted
    other = scores.filter((pl.col("school_code") != school) & (pl.col("major_code") != code)).sort(
        "school_code", "major_code").row(0, named=True)
    other_cookie = session_headers(client.app, tokens.issue(home, school=other["school_code"]))
    filed = client.post("/school/objections", headers=other_cookie,
                        files={"evidence": ("", b"", "application/octet-stream")},
                        data={"target": "offering", "major_code": other["major_code"], "contested": "warning_level",
                              "text": "本校就业数据有误，请复核。"})
    assert filed.status_code == 303, filed.text
    decided = client.post(f"/commission/objections/{filed.headers['location'].rsplit('/', 1)[1]}/decision",
                          headers=staff_cookie, data={"outcome": "accept", "value": "绿", "reason": "数据已更正"})
    assert decided.status_code == 303, decided.text
    assert main(["edition", "close-review", draft, *at]) == 0
    assert main(["edition", "finalize", draft, *at]) == 0
    assert _current(published) == "2026"
    meta = json.loads((published / "2026" / "datapackage.json").read_text(encoding="utf-8"))
    assert meta["state"] == "正式" and meta["doc_number"] == DOC_NUMBER and meta["issued_on"]
    assert meta["policy_confirmation"]["confirmed_by"] == "张三"
    assert meta["policy_confirmation"]["sha256"] == meta["policy"]["sha256"]

    # the final documents read as an official act: 正式 with the 文号, nowhere 征求意见稿
    final_files = [p.name for p in (published / "2026").iterdir()]
    assert not [n for n in final_files if "征求意见稿" in n]
    texts = _texts(published / "2026")
    assert "guiding_catalog.xlsx" in texts and "bulletin.html" in texts
    assert not {n for n, t in texts.items() if "征求意见稿" in t}
    assert {n for n, t in texts.items() if DOC_NUMBER in t} >= {"guiding_catalog.xlsx", "bulletin.html"}
    assert "征求意见稿" in _texts(published / draft)["guiding_catalog.xlsx"]  # the draft stays as it was

    # the decision is in the final edition: its catalog, changes.csv (复核调整) and the school's major page
    with open(published / "2026" / "changes.csv", encoding="utf-8-sig") as fh:
        changes = {r["专业代码"]: r for r in csv.DictReader(fh)}
    assert changes[code]["复核调整"] == "是" and reason in changes[code]["依据"]
    assert changes[other["major_code"]]["复核调整"] == "是" and "1 个专业点经市教委复核调整" in changes[
        other["major_code"]]["依据"] and other["school_code"] not in changes[other["major_code"]]["依据"]
    listed = next(r for r in meta["resources"] if r["path"] == "changes.csv")
    assert listed["overridden_rows"] == sum(r["复核调整"] == "是" for r in changes.values()) == 2
    client = TestClient(create_app(home, signin_limit=10_000), follow_redirects=False)  # serving the final
    page = client.get(f"/school/majors/{code}", headers=school_cookie)
    assert page.status_code == 200 and reason in page.text

    # a new run from the CLI and a no-config score_and_publish publish drafts beside the final in force
    capsys.readouterr()
    assert main(["run", "--inbox", str(run.inbox), "--quiet", *at]) == 0
    assert "现行正式版 2026 保持不变" in capsys.readouterr().out
    assert _current(published) == "2026"
    drafts = sorted(p.name for p in published.iterdir() if p.name.endswith("-draft"))
    assert drafts == ["2026-draft", "2026-r2-draft"]

    import dagster as dg

    from assets.partitions import edition_partition, inbox_data_year
    from pipelines.definitions import defs

    monkeypatch.setenv("MAJORWATCH_HOME", str(home))
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
    # as the UI launches it: "Materialize all" on the edition partition the data team picks, no run config
    with dg.DagsterInstance.get() as instance:
        year = edition_partition(instance, inbox_data_year(run.inbox))
        result = defs.resolve_job_def("score_and_publish").execute_in_process(
            instance=instance, partition_key=year, raise_on_error=False)
    assert result.success
    outcome = result.asset_materializations_for_node("publish_catalogs")[0].metadata["outcome"].value
    assert "2026-r2-draft" in outcome and "保持不变" in outcome
    assert _current(published) == "2026"

    # reviews open on drafts only; a final is refused with the next step, no traceback
    capsys.readouterr()
    assert main(["edition", "open-review", "2026", "--until", (date.today() + timedelta(days=10)).isoformat(),
                 *at]) == 1
    err = capsys.readouterr().err
    assert "正式版" in err and "majorwatch run" in err and "Traceback" not in err
    actions = [e.action for e in audit.entries(open_store(home))]
    for step in ("policy.confirm", "review.open", "objection.file", "objection.decide", "review.close",
                 "edition.finalize"):
        assert step in actions, step
