"""One rulebook, told everywhere the same: the 说明 sheet, the portal's policy page and notes, the score chart's
lines, the pre-check, the reasons and docs/rules.md all equal what scoring.rulebook renders, under each of the
three bundled policies (and under Sichuan's, its own years)."""

from __future__ import annotations

import html
import json
import re
import warnings
from datetime import date

import openpyxl
import polars as pl
import pytest

from documents import EditionInfo
from documents.workbooks import write_catalogs
from portal import tokens
from portal.app import create_app
from portal.figures import trend_chart
from scoring import rulebook as rb
from scoring.policy import EXAMPLES, load_policy
from scoring.rulebook.markdown import render as rules_markdown
from scoring.rulebook.model import SECTIONS
from scoring.rulebook.text import placeholders
from tests.documents_fixtures import warehouse_tables
from tests.portal_fixtures import SCHOOL_A, build_home
from tests.scoring_fixtures import build, run

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx.*")
    from fastapi.testclient import TestClient

POLICIES = {"北京": None, "四川": EXAMPLES / "sichuan.yaml", "福建": EXAMPLES / "fujian.yaml"}
ROW_VALUES = {"share": 0.52, "lists": "《某清单》", "where": "", "scope": "全市", "n": 14, "ratio": 1.234,
              "shown": "55.0%、50.0%", "year": 2025, "rate": 0.5, "change": "，较上年下降 18%", "value": 0.6,
              "base": 2023, "drop": 0.2, "basis": "某依据", "first": 2023, "latest": 2025, "low": 0.4, "high": 0.7,
              "line_name": "红色预警线", "line": 70.0, "confidence": 0.8, "found": "某原因", "best": "绿", "worst": "红",
              "zone": "中心城区", "districts": ("东城区", "西城区"), "category": "高精尖类", "decided": "限制",
              "other": "优先发展", "since": 2024, "graduates": 2027,
              # 数据缺年 (issue 27)
              "what": "人才供需", "years": "2023", "before": 2022, "after": 2024, "trend": "招生趋势",
              # 求人倍率 by channel (issue 29)
              "industry": "软件和信息技术服务业", "openings": 1234, "growth": "，较上年同期增长 12.0%", "posting_year": 2025,
              "duplicates": 27, "units": 97, "pes_units": 55, "pes_share": 0.567, "posting_units": 50, "posting_share": 0.515,
              "occupations": 131, "occupation_units": 120, "occupation_share": 0.916, "compared": 5, "opposite": 1,
              "caption": "某表",
              "majors": 51, "source": "当年发布的目录",
              "declined": 30, "closed": 2, "recovered": 5, "still": 14, "lift": 3.1, "carry": "某基线的比较。",
              "carry_share": 0.5,
              "old": "560101", "guidance": "合作办学", "district": "东城区"}


@pytest.fixture(scope="module", params=list(POLICIES), ids=list(POLICIES))
def policy(request):
    return load_policy(POLICIES[request.param])


def test_every_template_fills_and_every_key_is_a_policy_value(policy):
    for e in rb.ENTRIES:
        for template in (e.definition, e.threshold or "", e.todo or "", e.action or "", *e.texts.values(),
                         *(c.text for c in e.clauses), *(c.basis or "" for c in e.clauses)):
            unknown = {k for k in placeholders(template) if k.split(".")[0] not in (*SECTIONS, "no_vocational",
                                                                                    "precedence", *ROW_VALUES)}
            assert not unknown, (e.id, unknown)
            text = rb.fill(template, policy, **ROW_VALUES)
            assert "{" not in text and "None" not in text, (e.id, text)
        for key in e.keys():
            assert key in policy.sources, (e.id, key)  # a key the policy file really has, with its source


def test_clause_ids_are_unique_across_the_rulebook():
    ids = [c.id for e in rb.ENTRIES for c in e.clauses]
    shared = {c.id for c in (*rb.restriction("限制招生").clauses,)} & {c.id for c in rb.level("红").clauses}
    assert len(set(ids)) == len(ids) - len(shared)  # the employment rule is one clause told in two terms


def _sheet_rows(sheet) -> list[dict]:
    header = next(i for i, row in enumerate(sheet.iter_rows(values_only=True), start=1)
                  if list(row[:5]) == list(rb.DEFINITION_HEADERS.values()))
    return [dict(zip(rb.DEFINITION_HEADERS, row[:5], strict=True))
            for row in sheet.iter_rows(min_row=header + 1, values_only=True) if row[0]]


def test_the_explanation_sheets_are_the_rulebook(tmp_path, policy):
    """The catalog's legend (说明, page 1: levels, guidance, restrictions, 撤并, 撤销, 新设专业) and its 名词解释 sheet
    together print every term of the rulebook once, in its words and with the thresholds in force."""
    write_catalogs(tmp_path, warehouse_tables(), policy, EditionInfo.build("2026", date(2025, 12, 31), policy))
    book = openpyxl.load_workbook(tmp_path / "guiding_catalog.xlsx")
    first, later = _sheet_rows(book["说明"]), _sheet_rows(book["名词解释"])
    key = lambda r: (r["kind"], r["term"])  # noqa: E731
    told = {key(r): r for r in rb.definitions(policy)}
    assert sorted(map(key, first + later)) == sorted(told)
    for row in first + later:
        assert row == told[key(row)], key(row)
    page_one = {r["kind"] for r in first}
    assert {"预警等级", "指导类别", "限制类型", "调整措施", "退出"} <= page_one
    assert {r["term"] for r in first} >= {"红", "黄", "绿", "撤并", "撤销（专业点退出）", "合作办学"}
    assert not any("majorwatch" in str(v) for r in first + later for v in r.values())


def test_employment_years_are_the_policy_s_years():
    sichuan = load_policy(POLICIES["四川"])
    assert sichuan.rules.employment_red_years == 3
    rows = {(r["kind"], r["term"]): r["threshold"] for r in rb.definitions(sichuan)}
    assert "毕业去向落实率连续三年低于 50%" in rows[("预警等级", "红")]
    assert "毕业去向落实率连续两年低于 50%" in rows[("预警等级", "黄")]  # its yellow years are 2
    assert "连续三年" in rows[("限制类型", "限制招生")]
    assert not any("连续两年" in v for (kind, _), v in rows.items() if kind != "预警等级")
    beijing = {(r["kind"], r["term"]): r["threshold"] for r in rb.definitions(load_policy())}
    assert "毕业去向落实率连续两年低于 60%" in beijing[("预警等级", "红")]
    assert "毕业去向落实率最新一年低于 60%" in beijing[("预警等级", "黄")]


def _edition_with_policy(root, policy):
    fixture = build_home(root)
    package = fixture.root / "published" / "2026" / "datapackage.json"
    meta = json.loads(package.read_text(encoding="utf-8"))
    meta["policy"]["content"] = json.loads(json.dumps(policy.as_dict(), ensure_ascii=False, default=str))
    package.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return fixture.root


def _cells(table_html: str) -> list[list[str]]:
    rows = re.findall(r"<tr>(.*?)</tr>", table_html, re.S)
    cells = [[html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]
             for r in rows]
    return [c for c in cells if c]  # the header row has no <td>


def test_the_portal_policy_page_and_notes_are_the_rulebook(tmp_path, policy):
    home = _edition_with_policy(tmp_path, policy)
    client = TestClient(create_app(home))
    auth = {"Authorization": f"Bearer {tokens.issue(home, school=SCHOOL_A)}"}
    page = client.get("/policy", headers=auth)
    assert page.status_code == 200
    table = re.search(r'<table class="cards" id="definitions">(.*?)</table>', page.text, re.S).group(1)
    told = [[r["kind"], r["term"], r["definition"], r["threshold"], r["source"]] for r in rb.definitions(policy)]
    assert _cells(table) == told
    notes = rb.school_notes(policy)
    text = html.unescape(page.text)
    for kind, label in (("指导类别", "指导类别"), ("禁限目录", "禁限目录"), ("本校提示", "本校提示")):
        for name, (meaning, todo) in notes[kind].items():
            assert f"{label}：{name}" in text and meaning in text and todo in text, name
    school = html.unescape(client.get("/school", headers=auth).text)
    for _, label, _ in rb.score_lines(policy):
        assert f">{label}</text>" in school  # each offering's trend draws the policy's own lines
    assert 'font-size="11">60</text>' not in school  # the old red line at 60 (the axis still has a 60 tick)


def test_the_trend_chart_draws_the_policy_s_lines():
    policy = load_policy()
    changed = policy.model_copy(update={"rules": policy.rules.model_copy(update={"red_score": 82.0})})
    svg = str(trend_chart("t", "历版", [("2026", 50.0)], ("2026",), rb.score_lines(changed)))
    assert "红色预警线 82" in svg and "黄色预警线 45" in svg and "红色预警线 70" not in svg


def test_reasons_and_rule_ids_come_from_the_rulebook(policy):
    scored = run(build(), policy)[2]
    clause_ids = {c.id for e in rb.ENTRIES for c in e.clauses}
    for r in scored.iter_rows(named=True):
        if r["warning_level"] != "绿" or r["restriction"]:
            assert r["rule_id"] in clause_ids, r["major_code"]
        for x in r["restrictions"]:
            assert x["rule_id"] in clause_ids
        if r["restriction"] and r["restriction_scope"] == "全市":
            action = rb.restriction(r["restriction"]).text("action", policy)
            assert action in r["reasons"], r["major_code"]
        if r["guidance"] in ("改造升级", "合作办学", "优先发展", "重点建设") and r["warning_level"] == "绿" \
                and not r["restriction"]:
            assert r["reasons"].endswith(rb.guidance(r["guidance"]).action + "。"), r["major_code"]
    employment = scored.filter(pl.col("rule_id") == "employment.red.floor")
    for r in employment.iter_rows(named=True):
        sentence = rb.fill("毕业去向落实率{rules.employment_red_years:years}低于 {rules.employment_floor:pct}", policy)
        assert sentence in r["basis"] and sentence in r["reasons"]


def test_docs_rules_page_is_current():
    from pipelines.tables_doc import RULES_DOC

    assert RULES_DOC.read_text(encoding="utf-8") == rules_markdown(load_policy()), "run `majorwatch docs`"


def test_overlapping_lists_are_all_named_with_the_one_that_decided_first():
    from scoring.summary import short_text

    policy = load_policy()
    r = {"major_code": "999901", "cause": "产业清单", "restriction": "限制招生", "restriction_scope": "全市",
         "guidance": "限制", "warning_level": "黄", "exposure_prohibited": 0.0, "exposure_restricted": 0.6,
         "demand_supply_ratio": 2.0, "certainty": "确定", "scoped_restrictions": [], "upcoming": [],
         "list_hits": [{"category": "restricted", "list_name": "限制目录", "share": 0.6},
                       {"category": "high_end", "list_name": "高精尖产业活动类别", "share": 0.4},
                       {"category": "transforming", "list_name": "调整转型清单", "share": 0.2}]}
    text = short_text(r, policy)
    first, second = text.index("《限制目录》"), text.index("另列入《高精尖产业活动类别》")
    assert first < second
    assert "另列入《高精尖产业活动类别》（高精尖类），因「限制」优先于「优先发展」，按限制处理" in text
    assert "另列入《调整转型清单》（调整转型类），因「限制」优先于「改造升级」，按限制处理" in text
    assert text.count("《限制目录》") == 1
    # the precedence is the policy's: put 优先发展 first and the sentence no longer says 限制 took precedence
    order = ("优先发展", *[g for g in policy.guidance_precedence if g != "优先发展"])
    reordered = policy.model_copy(update={"guidance_precedence": order})
    assert "因「限制」优先于「优先发展」" not in short_text(r, reordered)
