"""The blocking output checks: what each one refuses, and a run whose scores are broken stops before publishing
(CURRENT and every edition as they were)."""

from __future__ import annotations

import polars as pl
import pytest

from scoring import output_checks as oc
from scoring.counts import edition_counts
from tests.shared_homes import copy_run, digests, isolated_run

MAJOR = ["major_code"]


def _scores(**changes) -> pl.DataFrame:
    frame = pl.DataFrame({"major_code": ["510201", "510202", "510203"], "warning_level": ["红", "黄", "绿"],
                          "guidance": ["停止新设", "控制发展", "正常"], "risk_score": [75.0, 50.0, 10.0],
                          "risk_score_low": [70.0, 45.0, 5.0], "risk_score_high": [80.0, 55.0, 15.0],
                          "cause": ["产业清单", "布点过多", None], "reasons": ["禁止类产业", "开设学校过多", ""],
                          "certainty": ["确定", "临界", "确定"]})
    return frame.with_columns(**{k: pl.Series(v) for k, v in changes.items()})


def test_sound_scores_pass_every_check():
    s = _scores()
    assert oc.one_row_each(s, MAJOR, "x") == oc.scores_in_range(s, MAJOR, "x") == oc.reds_explained(s, MAJOR, "x") == []
    assert oc.catalog_agrees(s, s) == []


def test_a_major_scored_twice_is_refused():
    s = _scores()
    assert "重复" in oc.one_row_each(pl.concat([s, s.head(1)]), MAJOR, "风险评分")[0]


def test_a_score_out_of_range_or_outside_its_interval_is_refused():
    assert "超出 0–100" in oc.scores_in_range(_scores(risk_score=[130.0, 50.0, 10.0]), MAJOR, "x")[0]
    assert "超出 0–100" in oc.scores_in_range(_scores(risk_score_low=[-1.0, 45.0, 5.0]), MAJOR, "x")[0]
    assert "区间" in oc.scores_in_range(_scores(risk_score=[60.0, 50.0, 10.0]), MAJOR, "x")[0]
    assert "预警等级" in oc.scores_in_range(_scores(warning_level=["红", None, "绿"]), MAJOR, "x")[0]


def test_a_red_without_cause_or_reason_is_refused():
    assert oc.reds_explained(_scores(cause=[None, "布点过多", None]), MAJOR, "x")
    assert oc.reds_explained(_scores(reasons=[" ", "开设学校过多", ""]), MAJOR, "x")


def test_a_restriction_without_cause_or_reason_or_outside_the_catalog_is_refused():
    rows = pl.DataFrame({"major_code": ["510201"], "restriction": ["停止新设"], "scope": [None],
                         "cause": ["产业清单"], "reasons": ["禁止类产业"]})
    assert oc.restrictions_explained(rows) == []
    assert oc.restrictions_explained(rows.with_columns(reasons=pl.lit("")))
    assert "重复" in oc.restrictions_explained(pl.concat([rows, rows]))[0]
    assert oc.within_catalog(rows.with_columns(major_code=pl.lit("999999")), _scores(), "禁限目录")


def test_a_catalog_that_disagrees_with_the_scores_is_refused():
    s = _scores()
    assert oc.catalog_agrees(s.with_columns(guidance=pl.lit("正常")), s)
    assert oc.catalog_agrees(s.head(2), s)


def test_a_count_or_watch_list_that_is_not_the_tables_is_refused():
    catalog = _scores()
    restrictions = pl.DataFrame({"major_code": ["510201"], "restriction": ["停止新设"], "scope": [None]})
    offerings = catalog.with_columns(school_code=pl.lit("4111010001"), district=pl.lit("海淀区"))
    counts = edition_counts(catalog, restrictions, offerings)
    watch = catalog.filter(pl.col("certainty") == "临界")
    assert oc.counts_agree(counts, watch, catalog, restrictions, offerings) == []
    off_by_one = counts.with_columns(count=pl.when(pl.col("dimension") == "total").then(pl.col("count") + 1)
                                     .otherwise("count"))
    assert "计数" in oc.counts_agree(off_by_one, watch, catalog, restrictions, offerings)[0]
    assert "观察名单" in oc.counts_agree(counts, watch.clear(), catalog, restrictions, offerings)[0]


@pytest.mark.slow
def test_a_broken_score_table_stops_the_run_before_publishing(sample_published, tmp_path, monkeypatch, capsys):
    """The scores a run makes are broken on purpose (a score of 130, a red without its reason): the output checks
    fail, nothing is published, CURRENT and the editions stay byte for byte as they were. (Without the checks
    this run publishes 2027-draft: nothing else in publishing looks at a score's range.)"""
    import assets.score.majors as score_step

    run = copy_run(sample_published, tmp_path)
    published = run.home / "published"
    before = digests(published)
    real = score_step.score_majors

    def broken(*args, **kwargs):
        scored = real(*args, **kwargs)
        first = pl.int_range(pl.len()) == 0
        return scored.with_columns(risk_score=pl.when(first).then(130.0).otherwise("risk_score"),
                                   reasons=pl.when(pl.col("warning_level") == "红").then(pl.lit("")).otherwise("reasons"))

    monkeypatch.setattr(score_step, "score_majors", broken)
    assert isolated_run(["run", "--inbox", str(run.inbox), "--home", str(run.home), "--edition", "2027"]) == 1
    err = capsys.readouterr().err
    assert "发布前的输出检查未通过（检查 risk_scores_valid）" in err and "超出 0–100" in err and "没有主要原因或依据" in err
    assert digests(published) == before
    assert not (published / "2027-draft").exists()


def test_a_red_or_a_restriction_without_a_rulebook_rule_id_is_refused():
    named = _scores(restriction=["停止新设", None, None], rule_id=["red.stop", "yellow.guidance", None],
                    overridden=[False, False, False])
    assert oc.rules_named(named, MAJOR, "风险评分") == []
    assert "规则编号" in oc.rules_named(named.with_columns(rule_id=pl.Series([None, "yellow.guidance", None])),
                                       MAJOR, "风险评分")[0]
    assert oc.rules_named(named.with_columns(rule_id=pl.Series(["made.up", "yellow.guidance", None])), MAJOR, "x")
    # a verdict the commission set after review carries its decision, not a rule
    decided = named.with_columns(rule_id=pl.Series([None, "yellow.guidance", None]),
                                 overridden=pl.Series([True, False, False]))
    assert oc.rules_named(decided, MAJOR, "x") == []
