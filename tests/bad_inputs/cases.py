"""The corpus: one fault each, and what the message a person gets must say (file, row, column, words).

kind: "refused"    the input is refused (an InputError, or the contract fails) with that message;
      "normalised" the meaning is certain: the input passes, the change is said in the outcome;
      "noted"      the input passes and the outcome says what a person must know (sheet read, absent input).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.bad_inputs.faults import (
    as_xlsx,
    copy_row,
    frame,
    keep_rows,
    path_of,
    save,
    set_cell,
    write_xlsx,
    zip_bomb,
)


@dataclass
class Case:
    name: str
    input: str
    fault: Callable[[Path], None]
    says: str  # words the message must contain
    file: str | None = None  # the file named (default: the input's sample file)
    row: int | None = None
    column: str | None = None  # a fragment of the column named
    kind: str = "refused"
    limits: dict = field(default_factory=dict)  # contract limits changed for this case
    setup: Callable | None = None  # (con) → None, run on the warehouse before the ingest
    after: Callable | None = None  # (con, tmp) → None, extra assertions after the ingest


def cell(name: str, row: int, column: str, value: str | None) -> Callable[[Path], None]:
    return lambda inbox: set_cell(inbox, name, row, column, value)


def _cases_contract() -> list[Case]:
    """Every contract rule of every file, one bad cell each."""
    return [
        Case("majors_code_blank", "majors", cell("majors", 7, "专业代码", None), "必填", row=7, column="major_code"),
        Case("majors_code_999999", "majors", cell("majors", 7, "专业代码", "999999"), "首位应为2–7", row=7,
             column="major_code"),
        Case("majors_code_five_digits", "majors", cell("majors", 7, "专业代码", "51020"), "应为6位数字", row=7,
             column="major_code"),
        Case("majors_code_as_float", "majors", cell("majors", 7, "专业代码", "510201.0"), "存成了数字", row=7,
             column="major_code"),
        Case("majors_duplicate_code", "majors", lambda i: copy_row(i, "majors", 3, 7), "与第 3 行重复", row=7),
        Case("majors_name_blank", "majors", cell("majors", 7, "专业名称", None), "必填", row=7, column="major_name"),
        Case("majors_level_unknown", "majors", cell("majors", 7, "层次", "高职"), "取值不在允许范围内", row=7,
             column="level"),
        Case("majors_level_contradicts_code", "majors", _level_mismatch, "首位与层次不符", row=7, column="level"),
        Case("majors_category_blank", "majors", cell("majors", 7, "专业大类", None), "必填", row=7,
             column="category_name"),
        Case("industries_code_pattern", "industries", cell("industries", 7, "industry_code", "Z9"), "代码格式不对",
             row=7, column="industry_code"),
        Case("industries_dalei_without_section", "industries", _dalei_without_section, "门类字母",
             column="parent_code"),
        Case("industries_duplicate", "industries", lambda i: copy_row(i, "industries", 5, 7), "与第 5 行重复", row=7),
        Case("occupations_code_pattern", "occupations", cell("occupations", 7, "occupation_code", "2-2-2"),
             "代码格式不对", row=7, column="occupation_code"),
        Case("major_industry_weight_zero", "major_industry_map", cell("major_industry_map", 7, "weight", "0"),
             "必须大于 0", row=7, column="weight"),
        Case("major_industry_weight_text", "major_industry_map", cell("major_industry_map", 7, "weight", "高"),
             "应为数字", row=7, column="weight"),
        Case("adjustments_category_unknown", "industry_adjustments",
             cell("industry_adjustments", 7, "类别", "鼓励"), "取值不在允许范围内", row=7, column="category"),
        Case("adjustments_scope_unknown", "industry_adjustments", cell("industry_adjustments", 7, "适用区域", "河北省"),
             "取值不在允许范围内", row=7, column="scope"),
        Case("adjustments_date_impossible", "industry_adjustments",
             cell("industry_adjustments", 7, "生效日期", "2022-13-01"), "应为日期", row=7, column="effective_from"),
        Case("schools_code_nine_digits", "schools", cell("schools", 7, "学校代码", "311101042"), "10位数字", row=7,
             column="school_code"),
        Case("schools_district_unknown", "schools", cell("schools", 7, "所在区", "雄安新区"), "取值不在允许范围内",
             row=7, column="district"),
        Case("schools_level_unknown", "schools", cell("schools", 7, "办学层次", "本科"), "取值不在允许范围内", row=7,
             column="level"),
        Case("school_majors_year_above_2100", "school_majors", cell("school_majors", 7, "year", "2200"),
             "不能大于 2100", row=7, column="year"),
        Case("school_majors_enrolled_negative", "school_majors", cell("school_majors", 7, "enrolled", "-1"),
             "不能小于 0", row=7, column="enrolled"),
        Case("school_majors_enrolled_fraction", "school_majors", cell("school_majors", 7, "enrolled", "3.5"),
             "应为整数", row=7, column="enrolled"),
        Case("school_majors_employed_above_graduates", "school_majors", _employed_above_graduates,
             "就业人数不能大于毕业生人数", row=7, column="employed"),
        Case("school_majors_in_field_above_employed", "school_majors", _in_field_above_employed,
             "对口就业人数不能大于就业人数", row=7, column="employed_in_field"),
        Case("labor_market_period_q5", "labor_market", cell("labor_market", 7, "period", "2025-Q5"), "统计期应为",
             row=7, column="period"),
        Case("labor_market_both_codes", "labor_market", cell("labor_market", 7, "occupation_code", "2-02-10-01"),
             "必须且只能填写一个", row=7, column="industry_code"),
        Case("postings_salary_min_above_max", "job_postings", cell("job_postings", 7, "salary_min", "99999"),
             "最低月薪不能高于最高月薪", row=7, column="salary_min", kind="noted"),
    ]


def _level_mismatch(inbox: Path) -> None:
    code = frame(inbox, "majors").get_column("专业代码")[5]
    set_cell(inbox, "majors", 7, "层次", "中职" if code[0] in "2345" else "高职专科")


def _dalei_without_section(inbox: Path) -> None:
    data = frame(inbox, "industries")
    row = next(i + 2 for i, c in enumerate(data.get_column("industry_code")) if len(c) == 2)
    set_cell(inbox, "industries", row, "parent_code", None)


def _employed_above_graduates(inbox: Path) -> None:
    graduates = frame(inbox, "school_majors").get_column("graduates")[5]
    set_cell(inbox, "school_majors", 7, "employed", str(int(graduates) + 5))


def _in_field_above_employed(inbox: Path) -> None:
    employed = frame(inbox, "school_majors").get_column("employed")[5]
    set_cell(inbox, "school_majors", 7, "employed_in_field", str(int(employed) + 5))


def _cases_references() -> list[Case]:
    return [
        Case("map_unknown_major", "major_industry_map", cell("major_industry_map", 7, "major_code", "590399"),
             "在专业目录（majors）中找不到该代码", row=7, column="major_code"),
        Case("map_unknown_occupation", "major_occupation_map",
             cell("major_occupation_map", 7, "occupation_code", "9-99-99-99"), "在职业分类（occupations）中找不到",
             row=7, column="occupation_code"),
        Case("school_majors_unknown_school", "school_majors", cell("school_majors", 7, "school_code", "3111019999"),
             "在学校（schools）中找不到该代码", row=7, column="school_code"),
        Case("labor_market_unknown_industry", "labor_market", cell("labor_market", 7, "industry_code", "9999"),
             "在行业分类（industries）中找不到该代码", row=7, column="industry_code"),
        Case("school_majors_against_empty_schools", "school_majors", lambda inbox: None,
             "学校（schools）没有任何合格的数据行", file="schools.csv", setup=_empty_schools),
    ]


def _empty_schools(con) -> None:
    con.execute("DELETE FROM schools")


def _numbers() -> list[Case]:
    return [
        Case("enrolled_nan", "school_majors", cell("school_majors", 7, "enrolled", "NaN"), "不是有限的数", row=7,
             column="enrolled"),
        Case("demand_inf", "labor_market", cell("labor_market", 7, "demand", "inf"), "不是有限的数", row=7,
             column="demand"),
        Case("salary_minus_inf", "school_majors", cell("school_majors", 7, "starting_salary", "-inf"),
             "不是有限的数", row=7, column="starting_salary"),
        Case("enrolled_1e30", "school_majors", cell("school_majors", 7, "enrolled", "1e30"), "超出整数范围", row=7,
             column="enrolled"),
    ]


def _content() -> list[Case]:
    return [
        Case("category_spaced", "industry_adjustments", cell("industry_adjustments", 7, "类别", "禁 止"),
             "“禁 止”→“禁止”（1 处）", kind="normalised"),
        Case("category_suffixed", "industry_adjustments", cell("industry_adjustments", 7, "类别", "禁止类"),
             "“禁止类”→“禁止”（1 处）", kind="normalised"),
        Case("category_traditional", "industry_adjustments", _traditional_category, "“調整轉型”→“调整转型”",
             kind="normalised"),
        Case("district_traditional", "schools", cell("schools", 7, "所在区", "東城區"), "“東城區”→“东城区”",
             kind="normalised"),
        Case("code_full_width_digits", "majors", _full_width_code, "全角字符已改为半角", kind="normalised"),
        Case("name_trailing_spaces", "schools", _trailing_space, "首尾的空格已去掉", kind="normalised"),
        Case("code_zero_width_space", "majors", _zero_width, "⟨U+200B⟩", row=7, column="major_code"),
        Case("category_ambiguous", "industry_adjustments", cell("industry_adjustments", 7, "类别", "禁止或限制"),
             "取值不在允许范围内", row=7, column="category"),
    ]


def _traditional_category(inbox: Path) -> None:
    set_cell(inbox, "industry_adjustments", 7, "类别", "調整轉型")


def _full_width_code(inbox: Path) -> None:
    code = frame(inbox, "majors").get_column("专业代码")[5]
    set_cell(inbox, "majors", 7, "专业代码", code.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)}))


def _trailing_space(inbox: Path) -> None:
    name = frame(inbox, "schools").get_column("学校名称")[5]
    set_cell(inbox, "schools", 7, "学校名称", name + "  ")


def _zero_width(inbox: Path) -> None:
    code = frame(inbox, "majors").get_column("专业代码")[5]
    set_cell(inbox, "majors", 7, "专业代码", code + "\u200b")


def _encodings() -> list[Case]:
    return [
        Case("csv_utf16", "occupations", _utf16, "UTF-16"),
        Case("csv_gbk_line_in_utf8", "occupations", _gbk_line, "不是有效的 UTF-8 字符", row=7),
        Case("csv_binary_junk", "occupations", lambda i: path_of(i, "occupations").write_bytes(b"\x00\x01" * 500),
             "无法识别的二进制数据"),
    ]


def _utf16(inbox: Path) -> None:
    path = path_of(inbox, "occupations")
    path.write_bytes(path.read_bytes().decode("utf-8").encode("utf-16"))


def _gbk_line(inbox: Path) -> None:
    path = path_of(inbox, "occupations")
    lines = path.read_bytes().decode("utf-8").split("\n")
    path.write_bytes(b"\n".join(line.encode("gbk") if i == 6 else line.encode("utf-8") for i, line in enumerate(lines)))


from tests.bad_inputs.cases_sheets import more_cases, spreadsheet_cases, structure_cases  # noqa: E402
from tests.bad_inputs.cases_whole import single_input_cases  # noqa: E402

CASES: list[Case] = [
    *_cases_contract(), *_cases_references(), *_numbers(), *_content(), *_encodings(),
    *spreadsheet_cases(), *structure_cases(), *more_cases(), *single_input_cases(Case),
]
__all__ = ["CASES", "Case", "as_xlsx", "keep_rows", "save", "write_xlsx", "zip_bomb"]
