"""Corpus cases about spreadsheets (sheets, header rows, formulas, dates, numbers) and file structure."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.bad_inputs.faults import as_xlsx, frame, keep_rows, path_of, save, write_xlsx, zip_bomb


def _case(*args, **kwargs):
    from tests.bad_inputs.cases import Case

    return Case(*args, **kwargs)


def _majors_xlsx(inbox: Path, sheets) -> None:
    target, rows = as_xlsx(inbox, "majors", "专业目录")
    write_xlsx(target, sheets(rows))


def _hidden_stale(inbox: Path) -> None:
    def sheets(rows):
        stale = [rows[0]] + [[r[0], "旧名称-" + r[1], *r[2:]] for r in rows[1:]]
        return [("旧版（勿用）", stale, "hidden"), ("专业目录", rows, "visible")]
    _majors_xlsx(inbox, sheets)


def _two_visible(inbox: Path) -> None:
    _majors_xlsx(inbox, lambda rows: [("2024版", rows, "visible"), ("2025版", rows, "visible")])


def _chosen_by_sources(inbox: Path) -> None:
    _two_visible(inbox)
    (inbox / "sources.yaml").write_text("sources:\n  本校目录: {input: majors, sheet: 2025版}\n", encoding="utf-8")


def _merged_header(inbox: Path) -> None:
    def sheets(rows):
        head = list(rows[0])
        head[1] = None  # 专业名称 lost under a merged A1:B1
        return [("专业目录", [head, *rows[1:]], "visible")]
    target, rows = as_xlsx(inbox, "majors", "专业目录")
    write_xlsx(target, sheets(rows), merges={"专业目录": ["A1:B1"]})


def _title_row(inbox: Path) -> None:
    _majors_xlsx(inbox, lambda rows: [("专业目录", [["2025年北京市职业教育专业目录"], *rows], "visible")])


def _title_row_then_bad_code(inbox: Path) -> None:
    def sheets(rows):
        rows[5] = ["999999", *rows[5][1:]]  # data row 5 → file row 7 under the title row
        return [("专业目录", [["2025年北京市职业教育专业目录"], *rows], "visible")]
    _majors_xlsx(inbox, sheets)


def _two_header_rows(inbox: Path) -> None:
    group = ["专业信息", None, "分类", None] + [None] * (len(frame(inbox, "majors").columns) - 4)
    _majors_xlsx(inbox, lambda rows: [("专业目录", [group, *rows], "visible")])


def _formula_without_value(inbox: Path) -> None:
    def sheets(rows):
        rows[6] = [rows[6][0], "=A7&\"专业\"", *rows[6][2:]]  # file row 7
        return [("专业目录", rows, "visible")]
    _majors_xlsx(inbox, sheets)


def _codes_as_numbers(inbox: Path) -> None:
    def sheets(rows):
        rows[6] = [int(rows[6][0].rstrip("K")), *rows[6][1:]]
        return [("专业目录", rows, "visible")]
    _majors_xlsx(inbox, sheets)


def _serial_date(inbox: Path) -> None:
    path = path_of(inbox, "industry_adjustments")
    data = frame(inbox, "industry_adjustments")
    rows = [data.columns, *[list(r) for r in data.rows()]]
    rows[6][data.columns.index("生效日期")] = 44593  # 2022-02-01 as Excel stores it, the date format lost
    write_xlsx(path, [("产业调整清单", rows, "visible")])


def spreadsheet_cases() -> list:
    no_stale = _after_majors_clean
    return [
        _case("xlsx_hidden_stale_sheet", "majors", _hidden_stale, "已跳过隐藏的工作表：旧版（勿用）", file="专业目录.xlsx",
              kind="noted", after=no_stale),
        _case("xlsx_two_visible_sheets", "majors", _two_visible, "有 2 个可见工作表都可能是数据：2024版、2025版",
              file="专业目录.xlsx"),
        _case("xlsx_sheet_chosen_in_sources_yaml", "majors", _chosen_by_sources, "按来源配置读取工作表“2025版”",
              file="专业目录.xlsx", kind="noted"),
        _case("xlsx_merged_header_cells", "majors", _merged_header, "合并单元格 A1:B1", file="专业目录.xlsx"),
        _case("xlsx_title_row_skipped", "majors", _title_row, "第 1 行是标题行", file="专业目录.xlsx", kind="noted",
              after=_after_title_row),
        _case("xlsx_title_row_rows_still_right", "majors", _title_row_then_bad_code, "首位应为2–7",
              file="专业目录.xlsx", row=7, column="major_code"),
        _case("xlsx_two_header_rows", "majors", _two_header_rows, "两行表头", file="专业目录.xlsx", row=1),
        _case("xlsx_formula_without_value", "majors", _formula_without_value, "公式", file="专业目录.xlsx", row=7,
              column="B 列（专业名称）"),
        _case("xlsx_code_as_number", "majors", _codes_as_numbers, "存成了数字", file="专业目录.xlsx", row=7,
              column="major_code"),
        _case("xlsx_serial_date", "industry_adjustments", _serial_date, "日期序号", row=7, column="effective_from"),
    ]


def _after_majors_clean(con, tmp) -> None:
    names = [r[0] for r in con.execute("SELECT major_name FROM majors").fetchall()]
    assert names and not any(n.startswith("旧名称-") for n in names)
    assert con.execute("SELECT summary FROM contract_results WHERE input = 'majors'").fetchone()[0].count(
        '"sheet": "专业目录"') == 1


def _after_title_row(con, tmp) -> None:
    assert con.execute("SELECT min(source_row) FROM majors").fetchone()[0] == 3


def _header_only(name: str):
    return lambda inbox: save(inbox, name, frame(inbox, name).head(0))


def _two_files(inbox: Path) -> None:
    shutil.copy(path_of(inbox, "majors"), inbox / "专业目录.csv")


def _no_raw_copy(con, tmp) -> None:
    assert not list((tmp / "raw").rglob("*majors*")), "an oversized file must not be copied into raw/"


def _cap_kept(con, tmp) -> None:
    kept = con.execute("SELECT count(*) FROM rejected_rows WHERE input = 'majors' AND run_id = 'case-run'").fetchone()
    assert kept[0] == 5


def _many_bad_codes(inbox: Path) -> None:
    data = frame(inbox, "majors")
    save(inbox, "majors", data.with_columns(data.get_column("专业代码").str.replace(r"^.", "9")))


def structure_cases() -> list:
    return [
        _case("missing_required_file", "majors", lambda i: path_of(i, "majors").unlink(), "缺少必需的输入文件「专业目录」",
              file="inbox"),
        _case("zero_bytes", "majors", lambda i: path_of(i, "majors").write_bytes(b""), "文件为空（0 字节）"),
        _case("header_only_required", "labor_market", _header_only("labor_market"), "只有表头，没有数据行"),
        _case("header_only_schools_blames_schools", "schools", _header_only("schools"), "只有表头，没有数据行",
              file="schools.csv"),
        _case("far_fewer_rows_than_last_run", "labor_market", lambda i: keep_rows(i, "labor_market", 100),
              "不到上次运行"),
        _case("two_files_for_one_input", "majors", _two_files, "有多个文件"),
        _case("old_xls_format", "majors", lambda i: path_of(i, "majors").rename(i / "majors.xls"), "不支持的文件格式 .xls",
              file="majors.xls"),
        _case("oversized_file", "majors", lambda i: None, "超过上限", limits={"file_bytes": 10_000}, after=_no_raw_copy),
        _case("zip_bomb", "industry_adjustments", lambda i: zip_bomb(path_of(i, "industry_adjustments")), "压缩包炸弹"),
        _case("too_many_rows", "majors", lambda i: None, "数据行超过上限 100 行", limits={"rows": 100}),
        _case("rejected_rows_capped", "majors", _many_bad_codes, "只保存了前 5 个", limits={"rejected_rows_kept": 5},
              after=_cap_kept),
        _case("optional_absent", "occupations", lambda i: path_of(i, "occupations").unlink(), "未提供", file="",
              kind="noted"),
        _case("optional_header_only", "job_postings", _header_only("job_postings"), "只有表头、没有数据行",
              kind="noted"),
    ]


def _data_only_in_hidden_sheet(inbox: Path) -> None:
    _majors_xlsx(inbox, lambda rows: [("说明", [["数据见下一页"]], "visible"), ("专业目录", rows, "hidden")])


def _zero_width_in_header(inbox: Path) -> None:
    data = frame(inbox, "majors")
    save(inbox, "majors", data.rename({"专业代码": "专业代码\u200b"}))


def _notes_sheet_first(inbox: Path) -> None:
    notes = [["说明", "本表由教务处整理"], ["更新日期", "2025-12-01"]]
    _majors_xlsx(inbox, lambda rows: [("说明", notes, "visible"), ("专业目录", rows, "visible")])


def more_cases() -> list:
    return [
        _case("xlsx_notes_sheet_before_the_data", "majors", _notes_sheet_first,
              "工作表“专业目录”有本输入的表头，已读取；未读取：说明", file="专业目录.xlsx", kind="noted"),
        _case("xlsx_data_only_in_a_hidden_sheet", "majors", _data_only_in_hidden_sheet,
              "隐藏的工作表 专业目录 不会被读取", file="专业目录.xlsx"),
        _case("header_with_zero_width_space", "majors", _zero_width_in_header, "专业代码⟨U+200B⟩",
              column="major_code"),
    ]
