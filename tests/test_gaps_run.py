"""数据缺年 through a whole run (issue 27, item 3): one inbox with a year taken out of every input with a time axis
(专业点招生就业, 人才供需, 招聘信息), run once for this module; the run publishes, and the gap is named in the run
summary, the bulletin's data notes and the reasons it touches; the sample itself has no gap."""

from __future__ import annotations

import contextlib
import io

import polars as pl
import pytest

from tests.shared_homes import SharedRun, copy_run, isolated_run

GAP = 2024  # the sample's years: school_majors 2018–2025, labor_market 2021–2025, job_postings 2023–2025


def _plant(inbox) -> None:
    """The sample inbox without its 2024 rows in each input with a time axis."""
    sm = pl.read_csv(inbox / "school_majors.csv", infer_schema=False)
    sm.filter(pl.col("year") != str(GAP)).write_csv(inbox / "school_majors.csv")
    lm = pl.read_csv(inbox / "labor_market.csv", infer_schema=False)
    lm.filter(~pl.col("period").str.starts_with(str(GAP))).write_csv(inbox / "labor_market.csv")
    jp = pl.read_parquet(inbox / "job_postings.parquet")
    jp.filter(~pl.col("posted_on").cast(pl.String).str.starts_with(str(GAP))).write_parquet(
        inbox / "job_postings.parquet")


@pytest.fixture(scope="module")
def planted(sample_trained, tmp_path_factory) -> tuple[SharedRun, str, int]:
    run = copy_run(sample_trained, tmp_path_factory.mktemp("gaps"))
    _plant(run.inbox)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = isolated_run(["run", "--inbox", str(run.inbox), "--home", str(run.home), "--quiet"])
    return run, out.getvalue(), code


def _edition(run: SharedRun):
    return run.published / (run.published / "CURRENT").read_text(encoding="utf-8").strip()


def test_a_missing_year_in_every_input_publishes_and_the_run_summary_names_each(planted):
    run, printed, code = planted
    assert code == 0, printed  # a gap warns, it never blocks (nor crashes the forecast's backtest charts)
    line = printed.split("数据缺年：", 1)[1].splitlines()[1]
    for named in (f"招聘信息缺少{GAP}年数据", f"人才供需缺少{GAP}年数据", f"专业点招生就业（招生）缺少{GAP}年数据",
                  f"专业点招生就业（毕业去向）缺少{GAP}年数据"):
        assert named in line


def test_the_bulletin_data_notes_and_labour_section_tell_the_gap_never_a_zero(planted):
    run, _, _ = planted
    html = (_edition(run) / "bulletin.html").read_text(encoding="utf-8")
    assert f"下列数据缺少整年：招聘信息缺少{GAP}年数据；人才供需缺少{GAP}年数据" in html
    assert f"人才供需{GAP}年数据缺失，趋势按{GAP - 1}→{GAP + 1}年计算" in html  # the labour section's comparison
    assert f"{GAP}年 0.00" not in html and f"{GAP - 1}年求人倍率" in html


def test_the_reasons_of_the_majors_it_touches_say_the_trend_is_over_the_gap(planted):
    run, _, _ = planted
    catalog = pl.read_parquet(_edition(run) / "guiding_catalog.parquet")
    notes = {"人才需求": f"人才供需{GAP}年数据缺失，趋势按{GAP - 1}→{GAP + 1}年计算",
             "招生萎缩": f"招生{GAP}年数据缺失，趋势按{GAP - 1}→{GAP + 1}年计算",
             "毕业去向": f"毕业去向{GAP}年数据缺失，不作连续年份判断"}
    for cause, note in notes.items():
        assert catalog["basis"].str.contains(note, literal=True).any(), note  # the full basis names every gap
        if cause != "毕业去向":  # the short reason names a trend's gap only beside the figure that decided it
            told = catalog.filter(pl.col("reasons").str.contains(note, literal=True))
            assert (told["cause"] == cause).all(), note
    # the short reasons of the red majors no longer carry the same three gap notes each (told once, in the data notes)
    red = catalog.filter((pl.col("warning_level") == "红") & (pl.col("cause") != "毕业去向"))
    assert red.height and not red["reasons"].str.contains("数据缺失").any()
    html = (_edition(run) / "bulletin.html").read_text(encoding="utf-8")
    assert html.count(notes["人才需求"]) <= 1  # the labour section's comparison, not every table row
    with_trend = catalog.filter(pl.col("basis").str.contains("求人倍率") & pl.col("basis").str.contains("较"))
    assert with_trend.height and with_trend["basis"].str.contains(f"较{GAP - 1}年").all()


def test_the_sample_has_no_gap_and_says_so(sample_published):
    edition = _edition(sample_published)
    assert "各项按年报送的数据在其首末年份之间均无缺年。" in (edition / "bulletin.html").read_text(encoding="utf-8")
    assert not pl.read_parquet(edition / "guiding_catalog.parquet")["reasons"].str.contains("数据缺失").any()
