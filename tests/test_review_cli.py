"""`majorwatch edition open-review/finalize/status` and `majorwatch override list/add/retire`, through
review.cli.register on a parser like the main one; finalize calls the pipeline's publish_final."""

from __future__ import annotations

import argparse
import json
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from review import audit, cli
from review.audit import Actor
from review.db import open_store
from review.objections import decide, file_objection
from review.overrides import export_path
from tests.portal_fixtures import A_ONLY, SCHOOL_A, build_home, set_current, write_edition

UNTIL = (date.today() + timedelta(days=20)).isoformat()


def run(argv, publish_final=None) -> int:
    parser = argparse.ArgumentParser(prog="majorwatch")
    cli.register(parser.add_subparsers(dest="command", required=True), publish_final)
    args = parser.parse_args(argv)
    return args.func(args)


@pytest.fixture()
def home(tmp_path, review_url, monkeypatch) -> Path:
    """A home with a 2027 draft in force; its review store is the default SQLite file, or (marked `postgres`)
    a PostgreSQL database named by MAJORWATCH_REVIEW_URL."""
    if review_url.startswith("postgresql"):
        monkeypatch.setenv("MAJORWATCH_REVIEW_URL", review_url)
    else:
        monkeypatch.delenv("MAJORWATCH_REVIEW_URL", raising=False)
    root = build_home(tmp_path).root
    write_edition(root, "2027-draft", 2)
    set_current(root, "2027-draft")
    return root


def test_open_review_and_status(home, capsys):
    assert run(["edition", "open-review", "2027-draft", "--until", UNTIL, "--home", str(home)]) == 0
    assert f"已开放征求意见，截止 {UNTIL}" in capsys.readouterr().out
    assert run(["edition", "status", "2027-draft", "--home", str(home)]) == 0
    assert f"2027-draft：征求意见稿，征求意见截止 {UNTIL}" in capsys.readouterr().out
    assert run(["edition", "open-review", "1999", "--until", UNTIL, "--home", str(home)]) == 1
    assert "找不到已发布的版次 1999" in capsys.readouterr().err
    assert run(["edition", "open-review", "2027-draft", "--until", "2000-01-01", "--home", str(home)]) == 1
    assert "早于今天" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        run(["edition", "open-review", "2027-draft", "--until", "明天", "--home", str(home)])
    # build_home published a final edition 2026 (no state: issued directly): reviews open on drafts only
    assert run(["edition", "open-review", "2026", "--until", UNTIL, "--home", str(home)]) == 1
    err = capsys.readouterr().err
    assert "2026 是正式版，不能征求意见" in err and "majorwatch run" in err


def test_override_add_list_retire_and_export(home, capsys):
    assert run(["override", "add", "--major", A_ONLY, "--field", "限制", "--value", "无", "--reason", "教委决定",
                "--expires", "2028-12-31", "--home", str(home)]) == 0
    out = capsys.readouterr().out
    assert f"专业 {A_ONLY} 的限制调整为「无」" in out and "已导出" in out
    exported = pl.read_csv(export_path(home), infer_schema=False)
    assert exported.select("major_code", "field", "value", "expires").rows() == [
        (A_ONLY, "restriction", "无", "2028-12-31")]
    assert run(["override", "add", "--major", A_ONLY, "--field", "颜色", "--value", "红", "--reason", "x",
                "--home", str(home)]) == 1
    assert run(["override", "add", "--major", A_ONLY, "--field", "预警等级", "--value", "紫", "--reason", "x",
                "--home", str(home)]) == 1
    assert "预警等级只能调整为：红、黄、绿" in capsys.readouterr().err
    assert run(["override", "list", "--home", str(home)]) == 0
    assert "教委决定" in capsys.readouterr().out
    assert run(["override", "retire", "1", "--reason", "政策变化", "--home", str(home)]) == 0
    assert pl.read_csv(export_path(home), infer_schema=False).height == 0
    assert run(["override", "list", "--home", str(home)]) == 0
    assert "没有复核调整" in capsys.readouterr().out
    assert run(["override", "list", "--all", "--home", str(home)]) == 0
    assert "已停用" in capsys.readouterr().out
    assert run(["override", "retire", "1", "--home", str(home)]) == 1
    actions = [e.action for e in audit.entries(open_store(home))]
    assert actions == ["override.add", "override.retire"]


def test_finalize_exports_overrides_then_calls_the_pipeline(home, capsys):
    calls = []

    def publish_final(h: Path, draft: str) -> str:
        overrides = pl.read_csv(export_path(h), infer_schema=False)
        calls.append((h, draft, overrides.select("major_code", "school_code", "value").rows()))
        write_edition(h, "2027", 2)
        set_current(h, "2027")
        return "2027"

    assert run(["edition", "finalize", "2027-draft", "--home", str(home)], publish_final) == 1
    refused = capsys.readouterr().err  # the shipped policy has values 待市教委确认: confirm it first
    assert "待市教委确认" in refused and "majorwatch policy confirm --doc-number" in refused and not calls
    assert run(["policy", "confirm", "--doc-number", "京教职成〔2027〕3号", "--by", "李四", "--home", str(home)]) == 0
    assert run(["edition", "finalize", "2027-draft", "--home", str(home)], publish_final) == 1
    assert "尚未征求意见" in capsys.readouterr().err
    run(["edition", "open-review", "2027-draft", "--until", UNTIL, "--home", str(home)])
    store = open_store(home)
    school = Actor("甲校", "school", SCHOOL_A, "tokA")
    obj = file_objection(store, school, "2027-draft", "offering", A_ONLY, "guidance", "请复核",
                         offered={A_ONLY}, catalog={A_ONLY})
    assert run(["edition", "finalize", "2027-draft", "--home", str(home)], publish_final) == 1
    assert "才结束" in capsys.readouterr().err
    assert run(["edition", "close-review", "2027-draft", "--home", str(home)]) == 0
    assert "不再接受新的异议" in capsys.readouterr().out
    assert run(["edition", "finalize", "2027-draft", "--home", str(home)], publish_final) == 1
    assert "1 条异议未处理" in capsys.readouterr().err
    decide(store, Actor("教委甲", "commission", None, "tokC"), obj.id, True, "属实", value="正常")
    assert run(["edition", "finalize", "2027-draft", "--home", str(home)]) == 2  # no pipeline registered
    assert run(["edition", "finalize", "2027-draft", "--home", str(home)], publish_final) == 0
    assert "已正式发布为 2027（正式）" in capsys.readouterr().out
    assert calls == [(home, "2027-draft", [(A_ONLY, SCHOOL_A, "正常")])]
    assert (home / "published" / "CURRENT").read_text().strip() == "2027"
    assert run(["edition", "status", "2027", "--home", str(home)]) == 0
    assert "2027：正式" in capsys.readouterr().out
    assert run(["edition", "finalize", "2027-draft", "--home", str(home)], publish_final) == 1
    assert [e.action for e in audit.entries(store)] == ["policy.confirm", "review.open", "objection.file", "review.close",
                                                        "override.add", "objection.decide", "edition.finalize"]


@pytest.mark.parametrize("fault", ["store locked", "killed after the switch"])
def test_finalize_records_everything_or_nothing_and_a_rerun_finishes(home, capsys, monkeypatch, fault):
    """Finalize's records (edition folder, CURRENT, review state, audit) move together: a busy store at the end
    leaves CURRENT on the draft and the review a draft; a process killed between the switch and the store's
    commit is completed by the rerun, which reuses the final folder already written."""
    import sqlalchemy.exc

    import warehouse.current
    from review import windows

    published = home / "published"
    calls = []

    def publish_final(h: Path, draft: str) -> str:
        calls.append(draft)
        if not (published / "2027").exists():
            write_edition(h, "2027", 2)
            meta = json.loads((published / "2027" / "datapackage.json").read_text(encoding="utf-8"))
            meta.update(state="正式", draft_edition=draft)
            (published / "2027" / "datapackage.json").write_text(json.dumps(meta), encoding="utf-8")
        return "2027"

    run(["policy", "confirm", "--doc-number", "京教职成〔2027〕3号", "--home", str(home)])
    run(["edition", "open-review", "2027-draft", "--until", UNTIL, "--home", str(home)])
    run(["edition", "close-review", "2027-draft", "--home", str(home)])
    capsys.readouterr()
    with monkeypatch.context() as patch:
        if fault == "store locked":
            def locked(*args, **kwargs):
                raise sqlalchemy.exc.OperationalError("UPDATE", {}, Exception("database is locked"))
            patch.setattr(windows, "record", locked)
            assert run(["edition", "finalize", "2027-draft", "--home", str(home)], publish_final) == 1
            err = capsys.readouterr().err
            assert "审核数据库正忙" in err and "Traceback" not in err
            assert (published / "CURRENT").read_text().strip() == "2027-draft"  # nothing moved
        else:
            switch = warehouse.current.make_current

            def killed(root, edition):
                switch(root, edition)
                raise KeyboardInterrupt  # the process dies before the store commits
            patch.setattr(warehouse.current, "make_current", killed)
            with pytest.raises(KeyboardInterrupt):
                run(["edition", "finalize", "2027-draft", "--home", str(home)], publish_final)
            assert (published / "CURRENT").read_text().strip() == "2027"
            assert run(["edition", "status", "2027-draft", "--home", str(home)]) == 0
            assert "上次正式发布没有完成" in capsys.readouterr().out
    store = open_store(home)
    assert "edition.finalize" not in [e.action for e in audit.entries(store)]
    assert run(["edition", "status", "2027-draft", "--home", str(home)]) == 0
    assert "2027-draft：征求意见稿" in capsys.readouterr().out
    assert run(["edition", "finalize", "2027-draft", "--home", str(home)], publish_final) == 0  # the rerun
    assert calls == ["2027-draft"]  # the folder written by the first attempt is reused, not rebuilt
    assert (published / "CURRENT").read_text().strip() == "2027"
    assert run(["edition", "status", "2027-draft", "--home", str(home)]) == 0
    assert "2027-draft：正式" in capsys.readouterr().out and "没有完成" not in capsys.readouterr().out
    assert [e.action for e in audit.entries(store)].count("edition.finalize") == 1


def test_edition_audit_prints_the_log_with_chinese_columns(home, capsys):
    assert run(["edition", "audit", "--home", str(home)]) == 0
    assert "没有记录" in capsys.readouterr().out
    run(["policy", "confirm", "--doc-number", "京教职成[2027]3号", "--by", "李四", "--home", str(home)])
    run(["edition", "open-review", "2027-draft", "--until", UNTIL, "--home", str(home)])
    capsys.readouterr()
    assert run(["edition", "audit", "--home", str(home)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split("\t") == ["编号", "时间", "操作人", "操作", "对象", "详情"]
    assert lines[1].split("\t")[2:4] == ["李四", "确认评分政策"] and "文号：京教职成〔2027〕3号" in lines[1]
    assert lines[2].split("\t")[3:5] == ["开放征求意见", "2027-draft"] and f"截止：{UNTIL}" in lines[2]
    assert run(["edition", "audit", "--edition", "2027-draft", "--home", str(home)]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2


def test_override_add_refuses_a_malformed_code_or_one_not_in_the_edition_in_force(home, capsys):
    """Issue 26 item 7: `override add --major "64 0103"` was accepted and then blocked every run."""
    for code, says in [("64 0103", "格式不对"), ("999999", "格式不对"), ("590999", "不在现行版本 2027-draft 的专业目录中")]:
        assert run(["override", "add", "--major", code, "--field", "限制", "--value", "无", "--reason", "x",
                    "--home", str(home)]) == 1
        assert says in capsys.readouterr().err
    assert run(["override", "add", "--major", A_ONLY, "--school", "12345", "--field", "限制", "--value", "无",
                "--reason", "x", "--home", str(home)]) == 1
    assert "学校代码「12345」格式不对" in capsys.readouterr().err
    assert not export_path(home).exists() or pl.read_csv(export_path(home), infer_schema=False).height == 0
    assert [e.action for e in audit.entries(open_store(home))] == []


def test_the_exported_overrides_csv_carries_no_formula(home):
    """Issue 26 item 11: review/overrides.csv kept a reason starting with '=' as a formula for Excel."""
    assert run(["override", "add", "--major", A_ONLY, "--field", "限制", "--value", "无",
                "--reason", '=HYPERLINK("http://x","点我")', "--home", str(home)]) == 0
    text = export_path(home).read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and ',=HYPERLINK' not in text and '"=HYPERLINK' not in text


def test_override_code_patterns_are_the_overrides_contracts():
    from data_contracts.spec import load_contracts
    from review.overrides import MAJOR_CODE, SCHOOL_CODE

    columns = load_contracts()["overrides"].columns
    assert columns["major_code"].pattern == f"^{MAJOR_CODE.pattern}$"
    assert columns["school_code"].pattern == f"^{SCHOOL_CODE.pattern}$"


def test_override_list_says_an_expired_override_has_expired(home, capsys):
    """Issue 27: `override list` showed an override past its 有效期至 as 有效."""
    from datetime import date, timedelta

    yesterday = (date.today() - timedelta(days=1)).isoformat()
    assert run(["override", "add", "--major", A_ONLY, "--field", "限制", "--value", "无", "--reason", "教委决定",
                "--expires", yesterday, "--home", str(home)]) == 0
    capsys.readouterr()
    assert run(["override", "list", "--home", str(home)]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if A_ONLY in x)
    assert "已过期" in line and "有效 " not in line
