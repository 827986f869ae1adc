"""`majorwatch edition open-review/finalize/status` and `majorwatch override list/add/retire`, through
review.cli.register on a parser like the main one; finalize calls the pipeline's publish_final."""

from __future__ import annotations

import argparse
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
def home(tmp_path) -> Path:
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
    assert [e.action for e in audit.entries(store)] == ["review.open", "objection.file", "review.close",
                                                        "override.add", "objection.decide", "edition.finalize"]


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
