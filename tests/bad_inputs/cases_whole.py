"""Issue 26's faults as corpus cases: single-input ones (reversed dates, NUL bytes) and whole-inbox ones, where
the fault needs other inputs present or absent, a link, a file written during the run, or the commission's
overrides. A whole-inbox case ingests the entire inbox into a fresh warehouse (a fresh home) and asks
great-expectations for its second opinion too, as a run does.

kind: "refused" (blocked, naming file and, where given, row and column), "noted" (passes, the note says what
a person must know), "passed" (passes with nothing to say).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import polars as pl

from tests.bad_inputs.faults import frame, path_of, save

SECRET = "root:$6$SECRET-FIRST-LINE:19000:0:99999:7:::"


def _cell_bytes(inbox: Path, name: str, row: int, column: str, insert: str) -> None:
    data = frame(inbox, name)
    values = data.get_column(column).to_list()
    values[row - 2] = values[row - 2][:2] + insert + values[row - 2][2:]
    save(inbox, name, data.with_columns(pl.Series(column, values, dtype=pl.String)))


def _reversed_range(inbox: Path) -> None:
    data = frame(inbox, "industry_adjustments")
    ends = [None] * data.height
    ends[5] = "2024-01-01"  # file row 7
    starts = data.get_column("生效日期").to_list()
    starts[5] = "2025-06-01"
    save(inbox, "industry_adjustments", data.with_columns(pl.Series("生效日期", starts, dtype=pl.String),
                                                          pl.Series("失效日期", ends, dtype=pl.String)))


def single_input_cases(case: type) -> list:
    """Added to the one-fault-per-input corpus (tests/bad_inputs/cases.py)."""
    return [
        case("adjustments_date_range_reversed", "industry_adjustments", _reversed_range, "生效日期晚于失效日期",
             row=7, column="effective_to"),
        case("csv_nul_byte_in_a_cell", "schools", lambda i: _cell_bytes(i, "schools", 7, "学校名称", "\x00"),
             "空字符", row=7, column="学校名称"),
        case("csv_nul_byte_far_down", "school_majors",
             lambda i: _cell_bytes(i, "school_majors", 500, "school_code", "\x00"), "空字符", row=500,
             column="school_code"),
    ]


@dataclass
class WholeCase:
    name: str
    fault: Callable[[Path], None]  # edits a copy of the whole inbox (may add, remove or link inputs)
    says: str
    kind: str = "refused"
    file: str | None = None
    row: int | None = None
    column: str | None = None
    never_says: str | None = None  # text that must not reach a person (a linked file's content)
    during: Callable[[Path], contextlib.AbstractContextManager] | None = None  # faults while the run reads


def _link_to_secret(inbox: Path) -> None:
    secret = inbox.parent / "elsewhere" / "shadow"
    secret.parent.mkdir()
    secret.write_text(SECRET + "\n", encoding="utf-8")
    path_of(inbox, "schools").unlink()
    path_of(inbox, "schools").symlink_to(secret)


def _overrides(*codes: str) -> Callable[[Path], None]:
    def write(inbox: Path) -> None:
        rows = [{"override_id": str(i), "major_code": code, "school_code": None, "field": "指导类别", "value": "正常",
                 "reason": "复核", "decided_by": "教委", "decided_at": "2026-06-01T10:00:00"}
                for i, code in enumerate(codes, 1)]
        pl.DataFrame(rows, schema={k: pl.String for k in rows[0]}).write_csv(inbox / "overrides.csv")
    return write


@contextlib.contextmanager
def _written_while_read(inbox: Path) -> Iterator[None]:
    import inbox.ingest as ingest

    real = ingest.store_raw

    def store_then_append(raw_dir, name, path, **kwargs):
        out = real(raw_dir, name, path, **kwargs)
        if name == "schools":  # the data office's export is still being written
            with open(path, "ab") as handle:
                handle.write("3111019999,迟到的学校,中职,海淀区\n".encode("gb18030"))
        return out

    with mock.patch.object(ingest, "store_raw", store_then_append):
        yield


def _remove(*names: str) -> Callable[[Path], None]:
    return lambda inbox: [path_of(inbox, name).unlink() for name in names]


WHOLE_CASES: list[WholeCase] = [
    WholeCase("whole_reversed_date_range", _reversed_range, "生效日期晚于失效日期", file="industry_adjustments.xlsx",
              row=7, column="effective_to"),
    WholeCase("whole_occupations_absent_on_a_fresh_home", _remove("occupations"), "occupations 未提供，未检查引用",
              kind="noted"),
    WholeCase("whole_optional_inputs_all_absent", _remove("occupations", "major_occupation_map", "job_postings"),
              "未提供", kind="noted"),
    WholeCase("whole_schools_is_a_link_outside_the_inbox", _link_to_secret, "符号链接", file="schools.csv",
              never_says="SECRET"),
    WholeCase("whole_schools_written_during_the_run", lambda inbox: None, "被修改", file="schools.csv",
              during=_written_while_read),
    WholeCase("whole_override_of_a_major_that_left_the_catalog", _overrides("510201", "590999"), "已跳过",
              kind="noted"),
    WholeCase("whole_override_with_a_malformed_code", _overrides("64 0103"), "代码格式不对", file="overrides.csv",
              row=2, column="major_code"),
    WholeCase("whole_nul_byte_in_schools", lambda i: _cell_bytes(i, "schools", 7, "学校名称", "\x00"), "空字符",
              file="schools.csv", row=7, column="学校名称"),
    WholeCase("whole_clean_sample", lambda inbox: None, "全部合格", kind="passed"),
]
