"""The action plan and the backbone list in a published edition: Parquet tables and the two workbooks."""

from __future__ import annotations

from datetime import date

import openpyxl
import polars as pl

from documents.actions import ACTIONS_FILE, BACKBONE_FILE, write_action_workbooks
from documents.edition import EditionInfo
from scoring import actions_text as t
from scoring.backbone import backbone_candidates
from scoring.catalog import school_major_scores
from scoring.policy import load_policy
from tests.scoring_fixtures import run
from tests.test_actions import plan_for, planted_frames


def test_workbooks_have_a_sheet_per_action_and_the_weights_in_force(tmp_path):
    policy = load_policy()
    frames = planted_frames()
    _, _, scored = run(frames)
    offers = school_major_scores(frames.schools, frames.majors, frames.school_majors, scored, policy)
    tables = {"actions": plan_for(frames), "backbone_candidates": backbone_candidates(
        offers, scored, frames.school_majors, policy)}
    info = EditionInfo.build("2026-draft", date(2026, 1, 5), policy)
    written = write_action_workbooks(tmp_path, tables, policy, info)
    assert [p.name for p in written] == [ACTIONS_FILE, BACKBONE_FILE]
    book = openpyxl.load_workbook(tmp_path / ACTIONS_FILE)
    expected = [a for a in t.ACTIONS if a in set(tables["actions"]["action"])]
    assert book.sheetnames == [*expected, "说明"]
    merge = book[t.MERGE]
    cells = [c.value for r in merge.iter_rows() for c in r if c.value is not None]
    assert "可承接专业" in cells and any(str(v).startswith("470202 精细化工技术（本校）") for v in cells)
    assert "学校代码" not in cells  # the school's name, not its internal code
    notes = [c.value for r in book["说明"].iter_rows() for c in r if c.value]
    assert t.DEFINITIONS[t.MERGE] in notes
    backbone = openpyxl.load_workbook(tmp_path / BACKBONE_FILE)
    text = [c.value for r in backbone["说明"].iter_rows() for c in r if c.value]
    assert f"满分{policy.backbone.industry_fit:g}分。" in text
    heads = [c.value for r in backbone["骨干专业推荐名单"].iter_rows(max_row=4) for c in r]
    assert "产业契合得分" in heads and "总分" in heads


def test_without_the_tables_nothing_is_written(tmp_path):
    policy = load_policy()
    info = EditionInfo.build("2026", date(2026, 1, 5), policy)
    assert write_action_workbooks(tmp_path, {"guiding_catalog": pl.DataFrame()}, policy, info) == []


def test_bulletin_section_counts_the_plan():
    from documents.actions import actions_section

    plan = plan_for(planted_frames())
    section = actions_section({"actions": plan})
    text = "".join(section["paragraphs"])
    down = plan.filter(pl.col("action").is_in(t.WINDING_DOWN))
    assert f"撤并、限制招生或撤销的专业点 {down.height} 个" in text
    assert f"在校生约 {int(down['students_in_school'].sum()):,} 人" in text
    assert "合作办学专业 1 个，其中 1 个有津冀地区对应行业的需求数据" in text and "留任缺口 1 个专业" in text
    rows = {r[0]: r for r in section["tables"][0]["rows"]}
    assert rows[t.MERGE][1] == str(plan.filter(pl.col("action") == t.MERGE).height)
    assert actions_section({}) is None
