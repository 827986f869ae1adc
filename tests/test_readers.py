"""Reading inbox files: encodings, formats, header mapping, row numbers, per-source repairs, raw store."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import polars as pl
import pytest

from data_contracts.spec import load_contracts, parse_contracts
from inbox.raw_store import store_raw
from inbox.readers import find_input, read_input
from inbox.sources import load_sources, salary_monthly
from warehouse.errors import InputError

CONTRACTS = load_contracts()
MAJORS = CONTRACTS["majors"]
INDUSTRIES = CONTRACTS["industries"]
HEADER = "专业代码,专业名称,层次,专业大类\n"
ROWS = "610101,种子生产技术,中职,农林牧渔大类\n520101K,临床医学,高职专科,医药卫生大类\n"


def write(tmp_path, name: str, data: bytes | str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def codes(result) -> list[str]:
    return result.frame.get_column("major_code").to_list()


def test_utf8_csv_reads_every_cell_as_text(tmp_path):
    result = read_input(write(tmp_path, "majors.csv", HEADER + ROWS), MAJORS)
    assert result.encoding == "utf-8" and result.format == "csv"
    assert codes(result) == ["610101", "520101K"]
    assert all(dtype == pl.String for name, dtype in result.frame.schema.items() if name != "_row")
    assert result.frame.schema["_row"] == pl.Int64
    assert result.frame.get_column("_row").to_list() == [2, 3]
    assert result.header_map["专业代码"] == "major_code" and result.unmapped == []
    assert result.bytes == len((HEADER + ROWS).encode()) and len(result.sha256) == 64


def test_utf8_bom_is_recorded_and_stripped_from_the_header(tmp_path):
    result = read_input(write(tmp_path, "majors.csv", b"\xef\xbb\xbf" + (HEADER + ROWS).encode()), MAJORS)
    assert result.encoding == "utf-8-sig"
    assert codes(result) == ["610101", "520101K"]


@pytest.mark.parametrize("codec", ["gbk", "gb18030"])
def test_gbk_and_gb18030_without_bom_are_detected(tmp_path, codec):
    result = read_input(write(tmp_path, "majors.csv", HEADER + ROWS, codec), MAJORS)
    assert result.encoding == "gb18030"
    assert result.frame.get_column("major_name").to_list() == ["种子生产技术", "临床医学"]


def test_gb18030_with_its_own_bom(tmp_path):
    data = "\ufeff".encode("gb18030") + (HEADER + ROWS).encode("gb18030")
    assert data.startswith(b"\x84\x31\x95\x33")
    result = read_input(write(tmp_path, "majors.csv", data), MAJORS)
    assert result.encoding == "gb18030" and codes(result) == ["610101", "520101K"]


def test_gbk_bytes_after_a_utf8_bom_are_read_as_gb18030_with_a_note(tmp_path):
    """Decision: a "GBK with BOM" file (GBK bytes after a UTF-8 BOM) is decoded as GB18030 after
    stripping the BOM, because strict UTF-8 fails and strict GB18030 succeeds; a note says so."""
    data = b"\xef\xbb\xbf" + (HEADER + ROWS).encode("gbk")
    result = read_input(write(tmp_path, "majors.csv", data), MAJORS)
    assert result.encoding == "gb18030"
    assert result.frame.get_column("major_name").to_list() == ["种子生产技术", "临床医学"]
    assert any("GB18030" in note for note in result.warnings)


def test_undecodable_bytes_name_the_row_and_offset(tmp_path):
    data = (HEADER + ROWS).encode("utf-8") + b"610103,\xff\xfe\x80,\xe4\xb8\xad\xe8\x81\x8c,x\n"
    with pytest.raises(InputError) as info:
        read_input(write(tmp_path, "majors.csv", data), MAJORS)
    assert info.value.row == 4
    offset = data.index(b"\xff")
    assert f"第 {offset} 字节" in str(info.value) and "majors.csv" in str(info.value)


def test_headers_in_any_order_extra_columns_kept_and_english_case_ignored(tmp_path):
    text = "备注, 专业大类 ,LEVEL,专业名称,Major_Code\n附注一,农林牧渔大类,中职,种子生产技术,610101\n"
    result = read_input(write(tmp_path, "majors.csv", text), MAJORS)
    assert result.frame.columns == ["major_code", "major_name", "level", "category_name", "备注", "_row"]
    assert result.unmapped == ["备注"]
    assert result.header_map == {
        "专业大类": "category_name",
        "LEVEL": "level",
        "专业名称": "major_name",
        "Major_Code": "major_code",
    }
    assert result.frame.row(0) == ("610101", "种子生产技术", "中职", "农林牧渔大类", "附注一", 2)


def test_full_width_parentheses_in_headers_match():
    contract = parse_contracts(
        {
            "inputs": {
                "pay": {
                    "title": "薪酬",
                    "stems": ["pay"],
                    "columns": {"salary": {"aliases": ["起薪（元）"], "type": "number", "required": True}},
                }
            }
        }
    )["pay"]
    from inbox.readers import _plan

    assert _plan(["起薪(元)"], contract, None, "pay.csv")[0] == {"起薪(元)": "salary"}


def test_missing_required_column_names_it_and_the_headers_found(tmp_path):
    path = write(tmp_path, "majors.csv", "专业名称,层次,专业大类\n种子生产技术,中职,农林牧渔大类\n")
    with pytest.raises(InputError) as info:
        read_input(path, MAJORS)
    message = str(info.value)
    assert "专业代码" in message and "major_code" in message
    assert "专业名称、层次、专业大类" in message


def test_two_headers_for_one_column_are_refused(tmp_path):
    path = write(tmp_path, "majors.csv", "专业代码,major_code,专业名称,层次,专业大类\n1,2,3,4,5\n")
    with pytest.raises(InputError) as info:
        read_input(path, MAJORS)
    assert "专业代码" in str(info.value) and "major_code" in str(info.value)


def test_empty_file_and_header_only(tmp_path):
    with pytest.raises(InputError, match="文件为空"):
        read_input(write(tmp_path, "majors.csv", b""), MAJORS)
    with pytest.raises(InputError, match="文件为空"):
        read_input(write(tmp_path, "majors.csv", b"\xef\xbb\xbf\r\n"), MAJORS)
    result = read_input(write(tmp_path, "majors.csv", HEADER), MAJORS)
    assert result.frame.height == 0
    assert {"major_code", "major_name", "level", "category_name", "_row"} <= set(result.frame.columns)


def _xlsx_bytes(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_renamed_csv_and_csv_renamed_xlsx_and_garbage_parquet(tmp_path):
    with pytest.raises(InputError) as info:
        read_input(write(tmp_path, "majors.csv", _xlsx_bytes([["专业代码"], ["610101"]])), MAJORS)
    assert "扩展名为 .csv" in str(info.value) and "XLSX（ZIP）" in str(info.value)
    with pytest.raises(InputError, match="内容是文本"):
        read_input(write(tmp_path, "majors.xlsx", HEADER + ROWS), MAJORS)
    with pytest.raises(InputError, match="UTF-16"):
        read_input(write(tmp_path, "majors.csv", HEADER + ROWS, "utf-16"), MAJORS)
    with pytest.raises(InputError, match="扩展名为 .parquet"):
        read_input(write(tmp_path, "majors.parquet", HEADER + ROWS), MAJORS)


def test_xlsx_cells_numbers_as_a_machine_sees_them_dates_iso_trailing_rows_ignored(tmp_path):
    rows = [
        ["专业代码", "专业名称", "层次", "专业大类", "发布"],
        ["610101", "种子生产技术", "中职", "农林牧渔大类", dt.datetime(2021, 3, 12)],
        [610105, "数字化", "中职", "农林牧渔大类", dt.date(2021, 3, 1)],
        [None, None, None, None, None],
        ["520101K", 3.5, "高职专科", "医药卫生大类", None],
        [None, None, None, None, None],
    ]
    result = read_input(write(tmp_path, "专业目录.xlsx", _xlsx_bytes(rows)), MAJORS)
    assert result.format == "xlsx" and result.encoding is None
    assert codes(result) == ["610101", "610105.0", "520101K"]
    assert result.frame.get_column("major_name").to_list() == ["种子生产技术", "数字化", "3.5"]
    assert result.frame.get_column("发布").to_list() == ["2021-03-12", "2021-03-01", None]
    assert result.frame.get_column("_row").to_list() == [2, 3, 5]


def test_leading_zeros_are_kept_in_csv(tmp_path):
    text = "行业代码,行业名称,上级代码\nA,农、林、牧、渔业,\n01,农业,A\n011,谷物种植,01\n0111,稻谷种植,011\n"
    result = read_input(write(tmp_path, "industries.csv", text), INDUSTRIES)
    assert result.frame.get_column("industry_code").to_list() == ["A", "01", "011", "0111"]
    assert result.frame.get_column("parent_code").to_list() == [None, "A", "01", "011"]


def test_quoted_newlines_and_blank_lines_keep_row_numbers_right(tmp_path):
    text = (
        HEADER.rstrip("\n") + ",职业面向\r\n"
        '610101,种子生产技术,中职,农林牧渔大类,"面向农业，\r\n种子生产\r\n\r\n岗位"\r\n'
        "\r\n"
        "  ,  ,,\t,\r\n"
        '520101K,"临床,医学",高职专科,医药卫生大类,\r\n'
    )
    result = read_input(write(tmp_path, "majors.csv", text), MAJORS)
    expected = [
        i + 1
        for i, rec in enumerate(csv.reader(io.StringIO(text, newline="")))
        if i and any(c.strip() for c in rec)
    ]
    assert result.frame.get_column("_row").to_list() == expected == [2, 5]
    assert result.frame.get_column("description").to_list()[0] == "面向农业，\r\n种子生产\r\n\r\n岗位"
    assert result.frame.get_column("major_name").to_list() == ["种子生产技术", "临床,医学"]


def test_tab_separated_and_ragged_rows(tmp_path):
    tsv = HEADER.replace(",", "\t") + ROWS.replace(",", "\t")
    assert codes(read_input(write(tmp_path, "majors.csv", tsv), MAJORS)) == ["610101", "520101K"]
    trailing = HEADER + "610101,种子生产技术,中职,农林牧渔大类,,\n"
    assert codes(read_input(write(tmp_path, "majors.csv", trailing), MAJORS)) == ["610101"]
    with pytest.raises(InputError) as info:
        read_input(
            write(tmp_path, "majors.csv", HEADER + ROWS + "610102,作物,生产,中职,农林牧渔大类\n"), MAJORS
        )
    assert info.value.row == 4 and "多于表头" in str(info.value)


def test_data_without_a_header_is_refused(tmp_path):
    with pytest.raises(InputError, match="E 列"):
        read_input(write(tmp_path, "majors.csv", HEADER.rstrip("\n") + ",\n610101,a,中职,b,多出\n"), MAJORS)


def test_parquet_columns_are_cast_to_text(tmp_path):
    path = tmp_path / "majors.parquet"
    pl.DataFrame(
        {
            "专业代码": [610105, 610106],
            "专业名称": ["a", "b"],
            "层次": ["中职", None],
            "专业大类": ["c", "d"],
            "权重": [1.0, 2.5],
        }
    ).write_parquet(path)
    result = read_input(path, MAJORS)
    assert result.format == "parquet" and codes(result) == ["610105", "610106"]
    assert result.frame.get_column("权重").to_list() == ["1.0", "2.5"]
    assert result.frame.get_column("_row").to_list() == [2, 3]


def test_find_input_by_either_stem_and_two_files_refused(tmp_path):
    assert find_input(tmp_path, MAJORS) is None
    write(tmp_path, "专业目录.xlsx", _xlsx_bytes([["专业代码"]]))
    write(tmp_path, "~$专业目录.xlsx", b"lock")
    write(tmp_path, "schools.csv", "学校代码\n")
    assert find_input(tmp_path, MAJORS).name == "专业目录.xlsx"
    write(tmp_path, "Majors.CSV", HEADER)
    with pytest.raises(InputError) as info:
        find_input(tmp_path, MAJORS)
    assert "Majors.CSV" in str(info.value) and "专业目录.xlsx" in str(info.value)


def test_find_input_refuses_an_old_xls(tmp_path):
    write(tmp_path, "majors.xls", b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputError, match=r"\.xls"):
        find_input(tmp_path, MAJORS)


def test_cells_are_stripped_and_blank_cells_are_null(tmp_path):
    result = read_input(
        write(tmp_path, "majors.csv", HEADER.rstrip() + ",专业类\n 610101 ,名称,中职,大类,\u3000\n"), MAJORS
    )
    assert result.frame.row(0) == ("610101", "名称", "中职", "大类", None, 2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1-1.5万/月", ("10000", "15000")),
        ("8千-1万/月", ("8000", "10000")),
        ("15-25万/年", ("12500", "20833.33")),
        ("150元/天", ("3262.5", "3262.5")),
        ("100万以上/年", ("83333.33", None)),
        ("1.5千以下/月", (None, "1500")),
        ("面议", (None, None)),
        (None, (None, None)),
    ],
)
def test_salary_to_yuan_per_month(text, expected):
    assert salary_monthly(text, {"days_per_month": 21.75}) == expected


def test_51job_source_unwraps_realigns_derives_and_flags(tmp_path):
    header = "职位,薪资,公司,公司信息,公司地址,地区,工作经验,学历,人数,时间,岗位信息\n"
    rows = [
        "['数据工程师'],['1-1.5万/月'],['甲'],['民营公司| 50-150人| 计算机软件'],[],['北京-海淀区'],"
        "['2年工作经验'],['大专'],['招2人'],['09-12发布'],描述",
        "['分析师'],['8千-1万/月'],['乙'],['国企| 银行'],[],['上海'],['本科'],[],['若干人'],['2019-09-13'],",
        "['讲师'],['150元/天'],['丙'],['民营公司| 少于50人'],[],['广州'],['本科'],['硕士'],['3人'],"
        "['2019-09-13'],",
        "[],[],[],[],[],[],[],[],[],[],",
    ]
    path = write(tmp_path, "招聘信息.csv", header + "\n".join(rows) + "\n", "gb18030")
    result = read_input(path, CONTRACTS["job_postings"], load_sources()["51job"])
    f = result.frame
    assert result.encoding == "gb18030" and result.source == "51job" and result.realigned == 1
    assert f.get_column("posting_id").to_list() == ["51job-2", "51job-3", "51job-4", "51job-5"]
    assert f.get_column("title").to_list() == ["数据工程师", "分析师", "讲师", None]
    # row 3 is realigned; row 4 (two education values) is left as it was and flagged
    assert f.get_column("学历").to_list() == ["大专", "本科", "硕士", None]
    assert f.get_column("工作经验").to_list() == ["2年工作经验", None, "本科", None]
    assert f.get_column("openings").to_list() == ["2", None, "3", None]
    assert f.get_column("posted_on").to_list() == ["2019-09-12", "2019-09-13", "2019-09-13", None]
    assert f.get_column("salary_min").to_list() == ["10000", "8000", "3262.5", None]
    assert f.get_column("company_industry").to_list() == ["计算机软件", "银行", None, None]
    problems = f.get_column("_problem").to_list()
    assert problems[:2] == [None, None]
    assert "无法校正" in problems[2] and "学历" in problems[2]
    assert problems[3] == "该行所有单元格均为空"
    assert f.get_column("description").to_list()[0] == "描述"


def test_51job_source_is_detected_by_its_headers(tmp_path):
    header = "职位,薪资,公司,公司信息,公司地址,地区,工作经验,学历,人数,时间,岗位信息\n"
    path = write(tmp_path, "job_postings.csv", header + "['a'],[],[],[],[],[],[],['本科'],['1人'],[],\n")
    assert read_input(path, CONTRACTS["job_postings"]).source == "51job"
    with pytest.raises(InputError, match="岗位编号"):
        read_input(path, CONTRACTS["job_postings"], sources={})


def test_store_raw_keeps_bytes_as_received_idempotently(tmp_path):
    data = (HEADER + ROWS).encode("gbk")
    first = store_raw(tmp_path / "raw", "majors", data, file_name="upload/专业目录.csv")
    assert first.path.parent == tmp_path / "raw" / "majors"
    assert first.path.name == f"{first.sha256[:16]}-专业目录.csv" and first.path.read_bytes() == data
    mtime = first.path.stat().st_mtime_ns
    source = write(tmp_path, "majors.csv", data)
    second = store_raw(tmp_path / "raw", "majors", source, file_name="专业目录.csv")
    assert second == first and first.path.stat().st_mtime_ns == mtime
    read = read_input(first.path, MAJORS, name="专业目录.csv")
    assert read.sha256 == first.sha256 and read.file == "专业目录.csv" and read.encoding == "gb18030"
    other = store_raw(tmp_path / "raw", "majors", data + b"x", file_name="专业目录.csv")
    assert other.path != first.path and other.bytes == len(data) + 1
    assert sorted(p.name for p in (tmp_path / "raw" / "majors").iterdir()) == sorted(
        [first.path.name, other.path.name]
    )


def test_a_source_encoding_override_is_strict(tmp_path):
    from dataclasses import replace

    source = replace(load_sources()["gbt4754-2017"], encoding="utf-8")
    path = write(tmp_path, "industries.csv", "code,name,parent\n01,稻谷种植,A\n", "gbk")
    with pytest.raises(InputError, match="无法按 UTF-8 解码"):
        read_input(path, INDUSTRIES, source)
    gbk = replace(source, encoding="gb18030")
    result = read_input(path, INDUSTRIES, gbk)
    assert result.encoding == "gb18030" and result.frame.row(0) == ("01", "稻谷种植", "A", 2)


def test_gbk_text_that_is_also_valid_utf8_gets_a_warning(tmp_path):
    """「农业」 in GBK (C5 A9 D2 B5) is valid UTF-8 too: the reader says so rather than stay silent."""
    path = write(tmp_path, "industries.csv", "code,name,parent\n01,农业,A\n", "gbk")
    result = read_input(path, INDUSTRIES)
    assert result.encoding == "utf-8" and any("GBK" in w for w in result.warnings)
    assert not read_input(write(tmp_path, "industries.csv", "code,name,parent\n01,农业,A\n"), INDUSTRIES).warnings


def test_a_csv_title_row_is_skipped_by_rule_and_rows_keep_their_numbers(tmp_path):
    result = read_input(write(tmp_path, "majors.csv", "2025年专业目录\n" + HEADER + ROWS), MAJORS)
    assert codes(result) == ["610101", "520101K"]
    assert result.frame.get_column("_row").to_list() == [3, 4]
    assert any("第 1 行是标题行" in w for w in result.warnings)


def test_a_lone_title_row_without_a_header_below_is_named(tmp_path):
    with pytest.raises(InputError) as info:
        read_input(write(tmp_path, "majors.csv", "2025年专业目录\na,b,c,d\n1,2,3,4\n"), MAJORS)
    assert info.value.row == 1 and "像是标题行" in str(info.value)


def test_the_only_visible_sheet_is_read_and_recorded(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["本工作簿第二页为数据"])
    book.active.sheet_state = "hidden"
    data = book.create_sheet("数据")
    for row in [["专业代码", "专业名称", "层次", "专业大类"], ["610101", "种子生产技术", "中职", "农林牧渔大类"]]:
        data.append(row)
    path = tmp_path / "majors.xlsx"
    book.save(path)
    result = read_input(path, MAJORS)
    assert result.sheet == "数据" and codes(result) == ["610101"]
    assert any("隐藏的工作表：说明" in w for w in result.warnings)


def test_a_large_declared_unpacked_size_is_refused_before_parsing(tmp_path):
    from dataclasses import replace

    path = tmp_path / "majors.xlsx"
    path.write_bytes(_xlsx_bytes([["专业代码", "专业名称", "层次", "专业大类"], ["610101", "x", "中职", "y"]]))
    tiny = replace(MAJORS, limits=replace(MAJORS.limits, unpacked_bytes=1000))
    with pytest.raises(InputError, match="解压后共"):
        read_input(path, tiny)


def test_store_raw_stops_at_max_bytes_and_keeps_nothing(tmp_path):
    from inbox.raw_store import TooLarge

    src = write(tmp_path, "big.csv", b"x" * (3 << 20))
    with pytest.raises(TooLarge):
        store_raw(tmp_path / "raw", "majors", src, file_name="big.csv", max_bytes=1 << 20)
    assert not [p for p in (tmp_path / "raw" / "majors").iterdir()]


def test_a_gbk_line_in_a_utf8_file_is_refused_at_that_line_not_read_as_gb18030(tmp_path):
    """These bytes also decode as GB18030 (every UTF-8 name garbled): the file is UTF-8 with a broken line."""
    data = ("occupation_code,occupation_name\n1-01,电子商务\n").encode() + "1-02,种子生产\n".encode("gbk")
    data.decode("gb18030")  # the trap: a whole-file GB18030 read would succeed
    with pytest.raises(InputError) as info:
        read_input(write(tmp_path, "occupations.csv", data), CONTRACTS["occupations"])
    assert info.value.row == 3 and "UTF-8" in str(info.value) and "混用了编码" in str(info.value)
