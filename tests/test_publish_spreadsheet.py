"""The spreadsheet writers on their own: formula neutralisation, plain numbers, widths, determinism."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from warehouse.spreadsheet import (
    COLUMN_PADDING,
    MAX_WIDTH,
    PAGE_PIXELS,
    UNIT_PIXELS,
    Heading,
    Sheet,
    column_widths,
    display_width,
    fill_page,
    format_cell,
    safe_text,
    write_csv,
    write_workbook,
    write_xlsx,
)

HEADERS = {"code": "代码", "name": "名称", "risk_score": "风险分值", "ratio": "比值", "count": "人数",
           "flags": "标记", "active": "在办"}
CREATED = datetime(2026, 9, 1, tzinfo=UTC)


def frame() -> pl.DataFrame:
    return pl.DataFrame({
        "code": ["0101", "610105", "530101", "540101", "460101", "520101"],
        "name": ["=SUM(A1)", "+86 专线", "-1+2", "@cmd", "\tTab", "普通名称"],
        "risk_score": [12.25, -3.0, None, 99.95, 0.0, float("nan")],
        "ratio": [0.000012, -0.5, 1.23456789, 1e-9, 12345678.9, None],
        "count": [1, -2, 3, None, 5, 6],
        "flags": [["a", "b"], [], None, ["c"], ["=x"], ["d"]],
        "active": [True, False, None, True, True, False],
    })


@pytest.mark.parametrize("text", ["=SUM(A1)", "+86", "-1+2", "@cmd", "\tTab", "\rx"])
def test_formula_like_text_gets_a_quote(text: str) -> None:
    assert safe_text(text) == "'" + text


def test_codes_and_numbers_are_left_alone() -> None:
    assert safe_text("0101") == "0101" and safe_text("计算机") == "计算机"
    assert format_cell(-0.5, "ratio") == "-0.5000"  # a negative number stays a number
    assert format_cell(-2, "count") == "-2"
    assert format_cell(12.25, "risk_score") == "12.3" and format_cell(0.000012, "ratio") == "0.0000"
    assert format_cell(1e20, "ratio") == "100000000000000000000.0000"
    assert format_cell(float("nan"), "ratio") == "" and format_cell(None, "name") == ""
    assert format_cell(["a", "=b"], "flags") == "a；=b" and format_cell(["=b"], "flags") == "'=b"
    assert format_cell(True, "active") == "是"


def test_csv_is_what_excel_writes(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    write_csv(path, frame(), HEADERS)
    raw = path.read_bytes()
    assert raw[:3] == b"\xef\xbb\xbf" and raw.endswith(b"\r\n") and b"e-" not in raw
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == list(HEADERS.values())
    assert [r[1] for r in rows[1:]] == ["'=SUM(A1)", "'+86 专线", "'-1+2", "'@cmd", "'\tTab", "普通名称"]
    assert rows[2][2:5] == ["-3.0", "-0.5000", "-2"]
    assert rows[3][2] == "" and rows[6][2] == ""  # null and NaN are empty, never "nan"
    assert rows[5][3] == "12345678.9000" and rows[1][0] == "0101"


def test_missing_chinese_header_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="flags"):
        write_csv(tmp_path / "t.csv", frame(), {k: v for k, v in HEADERS.items() if k != "flags"})


def test_xlsx_cells_have_the_right_types(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write_xlsx(path, frame(), HEADERS, "测试", CREATED)
    sheet = openpyxl.load_workbook(path)["测试"]
    rows = list(sheet.iter_rows(min_row=2))
    assert [r[0].value for r in rows] == frame()["code"].to_list()
    assert all(r[0].data_type == "s" for r in rows)
    assert [r[1].value for r in rows][:3] == ["'=SUM(A1)", "'+86 专线", "'-1+2"]
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert rows[1][2].value == -3.0 and rows[1][2].data_type == "n"  # negative numbers stay numbers
    assert rows[1][2].number_format == "0.0" and rows[1][3].number_format == "0.0000"
    assert rows[2][2].value is None and rows[5][2].value is None
    assert rows[0][5].value == "a；b" and rows[4][5].value == "'=x" and rows[0][6].value == "是"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:G7"


def test_xlsx_bytes_are_deterministic_for_a_fixed_created_time(tmp_path: Path) -> None:
    for name in ("a.xlsx", "b.xlsx"):
        write_xlsx(tmp_path / name, frame(), HEADERS, "测试", CREATED)
    write_xlsx(tmp_path / "c.xlsx", frame(), HEADERS, "测试", datetime(2027, 1, 1, tzinfo=UTC))
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    assert (tmp_path / "a.xlsx").read_bytes() != (tmp_path / "c.xlsx").read_bytes()
    props = openpyxl.load_workbook(tmp_path / "a.xlsx").properties
    assert props.created.replace(tzinfo=None) == CREATED.replace(tzinfo=None)


def test_widths_count_cjk_double_and_are_capped() -> None:
    assert display_width("ab") == 2 and display_width("专业") == 4 and display_width("（，）") == 6
    df = pl.DataFrame({"code": ["0101"], "name": ["很长的依据" * 30], "cn": ["计算机应用技术"]})
    widths = column_widths(df, ["代码", "依据", "专业名称"])
    assert widths[1] == MAX_WIDTH
    assert widths[2] == display_width("计算机应用技术") + 2 > widths[0]


def test_a_printed_table_narrower_than_the_page_spans_it_and_its_title_keeps_to_one_line(tmp_path: Path) -> None:
    # the matching report's district sheet covered 60 % of the landscape page, its title wrapping inside it
    room = (PAGE_PIXELS - COLUMN_PADDING * 3) / UNIT_PIXELS
    assert fill_page([10, 20, 10]) == pytest.approx([room / 4, room / 2, room / 4], abs=0.01)
    assert fill_page([60, 60, 60]) == [60, 60, 60]                     # wider than the page: fitted by the printer
    df = pl.DataFrame({"code": ["110105"], "name": ["朝阳区"], "share": [0.5]})
    title = "北京市职业教育专业设置与产业发展匹配分析（2026年版）（征求意见稿）"
    write_workbook(tmp_path / "doc.xlsx", [Sheet("匹配度", df, {"code": "代码", "name": "名称", "share": "比例"})],
                   CREATED, Heading(title, "发布单位：北京市教育委员会"))
    sheet = openpyxl.load_workbook(tmp_path / "doc.xlsx")["匹配度"]
    spanned = sum(d.width * (d.max - d.min + 1) for d in sheet.column_dimensions.values())  # ranges of equal width
    assert spanned == pytest.approx(room, abs=3)  # each width as stored: xlsxwriter adds the 5 pixels of padding
    assert sheet.row_dimensions[1].height < 2 * 22                   # one line of 16-point text
