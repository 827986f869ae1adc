"""Print as officials use it: the workbooks' printed sheets and the bulletin's pages and charts."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from documents import EditionInfo, charts, report_tables, write_edition_documents
from documents.workbooks import write_matching_report
from scoring.policy import load_policy
from tests.documents_fixtures import warehouse_tables

PACKAGE = {"inputs": [{"input": "majors", "file": "majors.csv", "rows": 4, "sha256": "ab" * 32,
                       "loaded_on": "2026-01-02"}],
           "contracts": [{"input": "majors", "passed": True, "rows_in": 4, "rows_rejected": 0}]}
PAGE_WIDTH_IN = 170 / 25.4  # the bulletin's type area


@pytest.fixture(scope="module")
def info():
    return EditionInfo.build("2026-draft", date(2025, 12, 31), load_policy())


def test_matching_report_columns_hold_what_their_headers_say(tmp_path: Path, info) -> None:
    tables = warehouse_tables()
    report = report_tables(tables)
    write_matching_report(tmp_path, report, info)
    book = openpyxl.load_workbook(tmp_path / "matching_report.xlsx")
    sheet = book["全市及各区匹配度"]
    headers = [c.value for c in sheet[4]]
    rows = [dict(zip(headers, (c.value for c in r), strict=True)) for r in sheet.iter_rows(min_row=5)]
    assert {r["名称"] for r in rows} == {"北京市", "朝阳区", "海淀区"}
    codes = {r["名称"]: r["行政区划代码"] for r in rows}
    assert codes == {"北京市": "110000", "朝阳区": "110105", "海淀区": "110108"}  # GB/T 2260, not the name again
    for column in headers[1:]:  # no two columns say the same thing in every row
        for other in headers[headers.index(column) + 1:]:
            assert any(r[column] != r[other] for r in rows), (column, other)
    majors = book["降低匹配度的专业"]
    assert "层次" in [c.value for c in majors[4]]
    assert report["matching_majors"]["level"].to_list() == ["中职"] * report["matching_majors"].height > []
    for ws in book.worksheets:  # every printed sheet has its own title, on the sheet and in every page's header
        assert ws["A3"].value and ws["A3"].value in ws.oddHeader.right.text, ws.title
        printed = [ws.row_dimensions[r].height for r in range(5, ws.max_row + 1)]
        assert min(printed, default=18) >= 18, ws.title  # a Chinese line needs more than the default 15 points


def test_every_chart_prints_its_text_at_8_points_or_more_and_no_legend_covers_a_bar_or_value(monkeypatch) -> None:
    from matplotlib.text import Text

    figures, covered = [], []
    real = charts._svg

    def check(fig):  # before the figure is closed: its legend against its bars and values, as drawn
        figures.append(fig)
        renderer = fig.canvas.get_renderer()
        fig.canvas.draw()
        for ax in fig.axes:
            if ax.get_legend() is not None:
                box = ax.get_legend().get_window_extent(renderer)
                covered.extend(a for a in [*ax.patches, *ax.texts] if a.get_window_extent(renderer).overlaps(box))
        return real(fig)

    monkeypatch.setattr(charts, "_svg", check)
    report = report_tables(warehouse_tables())
    edition = {**warehouse_tables(), **report}
    from documents.bulletin import district_summary

    catalog = edition["guiding_catalog"]
    charts.guidance_bars(catalog, ["限制", "改造升级", "优先发展", "正常"])
    charts.category_bars({"restricted": 3, "high_end": 12})
    charts.gap_bars(report["matching_groups"].filter(pl.col("gap").is_not_null()))
    charts.district_bars(district_summary(edition["school_major_scores"]))
    long_names = report["labour_market_summary"].with_columns(
        section_name=pl.when(pl.col("section_code") == "I").then(pl.lit("信息传输、软件和信息技术服务业"))
        .otherwise(pl.col("section_name")))
    charts.ratio_panels(long_names, sorted(set(long_names["section_code"])))
    from scoring.rulebook import TRACK
    from tests.test_track_record import planted_track_record

    charts.track_bars(planted_track_record(), dict(TRACK.texts), TRACK.text("chart", latest=2025), TRACK.texts["share"])
    assert len(figures) == 6 and not covered, "图例压住了条形或数值"
    for fig in figures:
        assert fig.get_size_inches()[0] <= PAGE_WIDTH_IN  # printed at its own size: its points are the page's
        texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
        small = [(t.get_text(), t.get_fontsize()) for t in texts if t.get_fontsize() < 8]
        assert not small, small
    titles = [t.get_text() for fig in figures for ax in fig.axes for t in [ax.title] if t.get_text()]
    assert "信息传输、软件和\n信息技术服务业" in titles or any(
        t.replace("\n", "") == "信息传输、软件和信息技术服务业" for t in titles)  # wrapped, never cut
    assert not any("…" in t for t in titles)


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="pdftoppm (poppler-utils) is not installed")
def test_bulletin_names_issuer_and_date_and_has_no_half_blank_page(tmp_path: Path, info) -> None:
    from PIL import Image

    write_edition_documents(tmp_path, warehouse_tables(), load_policy(), PACKAGE, None, info)
    page = (tmp_path / "bulletin.html").read_text(encoding="utf-8")
    assert 'class="sign"' in page and "北京市教育委员会" in page and "2025年12月31日" in page
    assert 'class="docno"' not in page  # a draft has no 文号
    assert page.count('class="tnote"') == page.count("<table>")  # units and 数据来源 under every table
    subprocess.run(["pdftoppm", "-r", "20", "-gray", "-png", str(tmp_path / "bulletin.pdf"), str(tmp_path / "p")],
                   check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    for path in pages[:-1]:
        image = Image.open(path).convert("L")
        width, height = image.size
        body = image.crop((0, 0, width, int(height * 0.9)))  # the footer's band left out
        inked = [y for y in range(body.size[1]) if min(body.crop((0, y, width, y + 1)).getdata()) < 200]
        assert inked and inked[-1] > 0.6 * height, f"{path.name} 半页空白"


@pytest.mark.slow
def test_a_final_bulletin_carries_its_doc_number_and_issue_date(tmp_path: Path) -> None:
    from tests.scoring_fixtures import confirmed_policy

    policy = confirmed_policy(tmp_path)
    final = EditionInfo.build("2026", date(2025, 12, 31), policy, state="正式", doc_number="京教职成〔2026〕3号",
                              issued_on="2026-01-15")
    out = tmp_path / "edition"
    out.mkdir()
    write_edition_documents(out, warehouse_tables(), policy, PACKAGE, None, final)
    page = (out / "bulletin.html").read_text(encoding="utf-8")
    assert '<p class="docno">京教职成〔2026〕3号</p>' in page and "征求意见稿" not in page
    assert '<div class="sign"><p>北京市教育委员会</p><p>2026年1月15日</p></div>' in page
    book = openpyxl.load_workbook(out / "guiding_catalog.xlsx")
    assert "文号：京教职成〔2026〕3号" in book["专业指导性目录"]["A2"].value
    assert "印发日期：2026年1月15日" in book["专业指导性目录"]["A2"].value
    assert (out / "2026年专业指导性目录.xlsx").exists()
