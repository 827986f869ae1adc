"""Run a contract over a staging table in DuckDB: find violating rows, keep them, build the clean table.

The violations are counted in SQL so that millions of rows never pass through pandas.
Every violation names the file, the row (header = row 1), the column, the value and the reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import duckdb

from data_contracts.spec import ColumnSpec, Contract, load_contracts
from warehouse.db import ident, quote_any, table_exists

NUMBER_MANGLED = r"^[0-9]+\.[0-9]+$|^[0-9.]+[eE][+-]?[0-9]+$"
DATE_RE = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
PERIOD_RE = r"^[0-9]{4}(-Q[1-4])?$"
DATE_SQL = "TRY_STRPTIME({c}, ['%Y-%m-%d', '%Y-%m', '%Y'])::DATE"  # a year or month → its first day
# An end date given as a year or a month means its last day (the entry still applies then).
DATE_END_SQL = ("CASE length(trim({c})) WHEN 4 THEN make_date(year(" + DATE_SQL + "), 12, 31) "
                "WHEN 7 THEN last_day(" + DATE_SQL + ") ELSE " + DATE_SQL + " END")

# Row rules over several columns: fixed SQL owned by the code, named in contracts.yaml.
ROW_RULES: dict[str, tuple[str, str]] = {
    # name: (predicate that is TRUE for a violating row, column reported)
    "level_matches_code": (
        "regexp_full_match(major_code, '[2-7][0-9]{5}K?') AND level IS NOT NULL AND NOT ("
        "(substr(major_code, 1, 1) IN ('2', '3') AND level IN ('职业本科', '高职本科', '职教本科')) OR "
        "(substr(major_code, 1, 1) IN ('4', '5') AND level = '高职专科') OR "
        "(substr(major_code, 1, 1) IN ('6', '7') AND level = '中职'))",
        "level",
    ),
    "dalei_has_section": (
        "regexp_full_match(industry_code, '[0-9]{2}') AND "
        "(parent_code IS NULL OR NOT regexp_full_match(parent_code, '[A-T]'))",
        "parent_code",
    ),
    "employed_le_graduates": (
        "TRY_CAST(employed AS DOUBLE) > TRY_CAST(graduates AS DOUBLE)", "employed"),
    "in_field_le_employed": (
        "TRY_CAST(employed_in_field AS DOUBLE) > TRY_CAST(employed AS DOUBLE)", "employed_in_field"),
    "exactly_one_code": ("(industry_code IS NULL) = (occupation_code IS NULL)", "industry_code"),
    # keep in step with scoring.overrides.VALUES (a test checks it)
    "override_value_matches_field": (
        "field IS NOT NULL AND value IS NOT NULL AND NOT ("
        "(field IN ('guidance', '指导类别') AND value IN ('停止新设', '限制', '控制发展', '改造升级', '合作办学', '优先发展', "
        "'重点建设', '正常')) OR (field IN ('warning_level', '预警等级') AND value IN ('红', '黄', '绿')) OR "
        "(field IN ('restriction', '限制') AND value IN ('停止新设', '限制招生', '无')))",
        "value",
    ),
    "salary_min_le_max": (
        "TRY_CAST(salary_min AS DOUBLE) > TRY_CAST(salary_max AS DOUBLE)", "salary_min"),
}


@dataclass
class ContractOutcome:
    """What a contract found in one input."""

    input: str
    file: str
    rows_in: int
    rows_clean: int
    rows_rejected: int
    max_rejected_share: float
    by_rule: dict[str, int] = field(default_factory=dict)
    first: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def rejected_share(self) -> float:
        return self.rows_rejected / self.rows_in if self.rows_in else 0.0

    @property
    def passed(self) -> bool:
        if self.max_rejected_share <= 0:
            return self.rows_rejected == 0
        return self.rejected_share <= self.max_rejected_share

    @property
    def severity(self) -> str:
        if not self.passed:
            return "ERROR"
        return "WARN" if (self.rows_rejected or self.warnings) else "OK"

    def message(self) -> str:
        """A Chinese message a person can act on: the first violations with file, row and column."""
        if self.passed and not self.rows_rejected:
            return f"{self.file}：{self.rows_in} 行全部通过数据契约"
        head = (
            f"{self.file}：{self.rows_in} 行中有 {self.rows_rejected} 行不符合数据契约"
            f"（{self.rejected_share:.1%}，允许上限 {self.max_rejected_share:.0%}）"
        )
        lines = [head] + [
            f"  第 {v['row']} 行，列 {v['column']}（值 {v['value']!r}）：{v['reason']}" for v in self.first[:10]
        ]
        return "\n".join(lines)

    def to_json(self) -> str:
        return json.dumps(
            {"by_rule": self.by_rule, "first": self.first[:20], "warnings": self.warnings}, ensure_ascii=False
        )


def _header(col: ColumnSpec) -> str:
    return f"{col.name}（{col.aliases[0]}）" if col.aliases else col.name


def _column_checks(col: ColumnSpec, con) -> list[tuple[str, str, list, str]]:
    """(rule id, predicate, predicate params, Chinese reason) for one column; predicate TRUE = bad cell."""
    c = ident(col.name)
    checks: list[tuple[str, str, list, str]] = []
    if col.required:
        checks.append(("required", f"{c} IS NULL", [], "必填，不能为空"))
    if col.type == "code":
        checks.append((
            "number_mangled", f"{c} IS NOT NULL AND regexp_full_match({c}, ?)", [NUMBER_MANGLED],
            "代码被电子表格存成了数字（如 10101.0 或 1.1E+9），前导零可能已丢失；请把该列设为文本格式后重新导出",
        ))
        if col.pattern:
            checks.append((
                "pattern",
                f"{c} IS NOT NULL AND NOT regexp_full_match({c}, ?) AND NOT regexp_full_match({c}, ?)",
                [col.pattern, NUMBER_MANGLED], f"代码格式不对，应为{col.expected or col.pattern}",
            ))
    if col.type in ("integer", "number"):
        kind = "整数" if col.type == "integer" else "数字"
        checks.append(("type", f"{c} IS NOT NULL AND TRY_CAST({c} AS DOUBLE) IS NULL", [], f"应为{kind}"))
        if col.type == "integer":
            checks.append((
                "integer",
                f"TRY_CAST({c} AS DOUBLE) IS NOT NULL AND TRY_CAST({c} AS DOUBLE) <> floor(TRY_CAST({c} AS DOUBLE))",
                [], "应为整数",
            ))
        if col.min is not None:
            op, word = ("<=", "必须大于") if col.min_exclusive else ("<", "不能小于")
            checks.append(("min", f"TRY_CAST({c} AS DOUBLE) {op} ?", [col.min], f"{word} {col.min:g}"))
        if col.max is not None:
            checks.append(("max", f"TRY_CAST({c} AS DOUBLE) > ?", [col.max], f"不能大于 {col.max:g}"))
    if col.type == "date":
        checks.append((
            "date", f"{c} IS NOT NULL AND (NOT regexp_full_match({c}, ?) OR {DATE_SQL.format(c=c)} IS NULL)",
            [DATE_RE], "应为日期 YYYY-MM-DD、YYYY-MM 或 YYYY",
        ))
    if col.type == "period":
        checks.append(("period", f"{c} IS NOT NULL AND NOT regexp_full_match({c}, ?)", [PERIOD_RE],
                       "统计期应为 YYYY 或 YYYY-Qn（如 2025-Q3）"))
    if col.allowed:
        shown = "、".join(col.allowed)
        checks.append(("allowed", f"{c} IS NOT NULL AND NOT list_contains(?, {c})", [sorted(col.allowed)],
                       f"取值不在允许范围内：{shown}"))
    if col.references:
        ref_input, ref_col = col.references
        if reference_available(con, ref_input):
            checks.append((
                "reference",
                f"{c} IS NOT NULL AND {c} NOT IN (SELECT {ident(ref_col)} FROM {ident(ref_input)} "  # noqa: S608
                f"WHERE {ident(ref_col)} IS NOT NULL)",
                [], f"在{load_contracts()[ref_input].title}（{ref_input}）中找不到该代码",
            ))
    return checks


def reference_available(con, ref_input: str) -> bool:
    """Whether codes can be checked against `ref_input`: its table exists and it was not an absent
    optional input (an absent optional file leaves an empty table, against which every code would fail)."""
    if not table_exists(con, ref_input):
        return False
    row = con.execute("SELECT file FROM input_files WHERE input = ?", [ref_input]).fetchone()
    return row is None or bool(row[0])


def _normalised_view(con, contract: Contract, stg: str, present: set[str], extras: list[str]) -> str:
    """A view over the staging table: blanks as NULL, trimmed, absent optional columns as NULL."""
    parts = ['"_row"']
    for col in contract.columns.values():
        c = ident(col.name)
        parts.append(f"NULLIF(trim({c}), '') AS {c}" if col.name in present else f"NULL::VARCHAR AS {c}")
    parts += [quote_any(e) for e in extras]
    if "_problem" in present:
        parts.append('"_problem"')
    view = f"{stg}_n"
    con.execute(f"CREATE OR REPLACE TEMP VIEW {ident(view)} AS SELECT {', '.join(parts)} FROM {ident(stg)}")  # noqa: S608
    return view


def violations_sql(con, contract: Contract, view: str, present: set[str]) -> tuple[str, list]:
    """One UNION ALL query listing (row, col, value, rule, reason) for every bad cell."""
    selects: list[str] = []
    params: list = []
    for col in contract.columns.values():
        for rule, pred, pred_params, reason in _column_checks(col, con):
            selects.append(
                f"SELECT _row AS row, ? AS col, {ident(col.name)} AS value, ? AS rule, ? AS reason "  # noqa: S608
                f"FROM {ident(view)} WHERE {pred}"
            )
            params += [_header(col), f"{col.name}.{rule}", reason, *pred_params]
    for row_rule in contract.row_rules:
        pred, column = ROW_RULES[row_rule.name]
        selects.append(
            f"SELECT _row AS row, ? AS col, {ident(column)} AS value, ? AS rule, ? AS reason "  # noqa: S608
            f"FROM {ident(view)} WHERE {pred}"
        )
        params += [_header(contract.columns[column]), row_rule.name, row_rule.reason]
    if "_problem" in present:
        selects.append(
            f"SELECT _row, '（整行）', NULL, 'source_problem', _problem FROM {ident(view)} "  # noqa: S608
            "WHERE _problem IS NOT NULL"
        )
    if contract.key:
        keys = ", ".join(ident(k) for k in contract.key)
        key_names = "、".join(_header(contract.columns[k]) for k in contract.key)
        selects.append(
            f"SELECT _row, ?, concat_ws('|', {keys}), 'duplicate_key', "  # noqa: S608
            "'与第 ' || first_row || ' 行重复（键：' || ? || '）' FROM ("
            f"SELECT _row, {keys}, min(_row) OVER (PARTITION BY {keys}) AS first_row FROM {ident(view)}) "
            "WHERE _row <> first_row"
        )
        params += [key_names, key_names]
    return " UNION ALL ".join(selects), params


# Columns derived after the contract: fixed SQL run on the clean table.
DERIVED_SQL: dict[str, list[str]] = {
    "industries": [
        "ALTER TABLE industries ADD COLUMN industry_level VARCHAR",
        "ALTER TABLE industries ADD COLUMN section VARCHAR",
        "UPDATE industries SET industry_level = CASE length(industry_code) WHEN 1 THEN '门类' WHEN 2 THEN '大类' "
        "WHEN 3 THEN '中类' ELSE '小类' END",
        "UPDATE industries SET section = CASE WHEN length(industry_code) = 1 THEN industry_code "
        "WHEN length(industry_code) = 2 THEN parent_code END",
        "UPDATE industries AS i SET section = d.parent_code FROM industries AS d "
        "WHERE length(i.industry_code) > 2 AND d.industry_code = substr(i.industry_code, 1, 2)",
    ],
    "labor_market": [
        "ALTER TABLE labor_market ADD COLUMN year INTEGER",
        "ALTER TABLE labor_market ADD COLUMN quarter INTEGER",
        "UPDATE labor_market SET year = CAST(substr(period, 1, 4) AS INTEGER), "
        "quarter = CASE WHEN length(period) = 7 THEN CAST(substr(period, 7, 1) AS INTEGER) END",
    ],
}

_SQL_TYPES = {"integer": "BIGINT", "number": "DOUBLE"}


def _clean_select(contract: Contract, view: str, extras: list[str]) -> tuple[str, list]:
    parts: list[str] = []
    params: list = []
    for col in contract.columns.values():
        c = ident(col.name)
        expr = c
        if col.allowed:
            whens = " ".join("WHEN ? THEN ?" for _ in col.allowed)
            for raw, canonical in col.allowed.items():
                params += [raw, canonical]
            expr = f"CASE {c} {whens} END"
        if col.default is not None:
            expr = f"coalesce({expr}, ?)"
            params.append(col.default)
        if col.type in _SQL_TYPES:
            expr = f"CAST(TRY_CAST({expr} AS DOUBLE) AS {_SQL_TYPES[col.type]})"
        elif col.type == "date":
            expr = (DATE_END_SQL if col.period_end else DATE_SQL).format(c=expr)
        parts.append(f"{expr} AS {c}")
    parts += [quote_any(e) for e in extras]
    parts.append('"_row" AS source_row')
    sql = (
        f"SELECT {', '.join(parts)} FROM {ident(view)} "  # noqa: S608
        "WHERE _row NOT IN (SELECT row FROM _violations) ORDER BY _row"
    )
    return sql, params


def run_contract(
    con: duckdb.DuckDBPyConnection, contract: Contract, stg: str, file: str, run_id: str, sample: int = 50
) -> ContractOutcome:
    """Check the staging table `stg` against `contract`; write rejected_rows, the clean table and the result."""
    present = {r[0] for r in con.execute(f"DESCRIBE {ident(stg)}").fetchall()}  # noqa: S608
    extras = sorted(present - set(contract.columns) - {"_row", "_problem"})
    safe_extras = extras
    view = _normalised_view(con, contract, stg, present, safe_extras)
    sql, params = violations_sql(con, contract, view, present)
    con.execute("CREATE OR REPLACE TEMP TABLE _violations AS " + sql, params)
    rows_in = con.execute(f"SELECT count(*) FROM {ident(stg)}").fetchone()[0]  # noqa: S608
    rejected = con.execute("SELECT count(DISTINCT row) FROM _violations").fetchone()[0]
    by_rule = dict(con.execute("SELECT rule, count(*) FROM _violations GROUP BY rule ORDER BY rule").fetchall())
    first = [
        {"row": r, "column": c, "value": v, "rule": ru, "reason": re_}
        for r, c, v, ru, re_ in con.execute(
            "SELECT row, col, value, rule, reason FROM _violations ORDER BY row, col, rule LIMIT ?", [sample]
        ).fetchall()
    ]
    warnings = [f"未识别的列已原样保留：{'、'.join(extras)}"] if extras else []
    skipped = [
        f"{col.name} 引用的 {col.references[0]} 未提供，未检查引用"
        for col in contract.columns.values()
        if col.references and col.references[0] != contract.name and not reference_available(con, col.references[0])
    ]
    warnings += skipped
    clean_sql, clean_params = _clean_select(contract, view, safe_extras)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM rejected_rows WHERE input = ?", [contract.name])
        con.execute(
            "INSERT INTO rejected_rows SELECT ?, ?, row, col, value, rule, reason, ?, now() FROM _violations "
            "ORDER BY row",
            [contract.name, file, run_id],
        )
        con.execute(f"CREATE OR REPLACE TABLE {ident(contract.name)} AS " + clean_sql, clean_params)
        for statement in DERIVED_SQL.get(contract.name, []):
            con.execute(statement)
        rows_clean = con.execute(f"SELECT count(*) FROM {ident(contract.name)}").fetchone()[0]  # noqa: S608
        outcome = ContractOutcome(
            input=contract.name, file=file, rows_in=rows_in, rows_clean=rows_clean, rows_rejected=rejected,
            max_rejected_share=contract.max_rejected_share, by_rule=by_rule, first=first, warnings=warnings,
        )
        con.execute(
            "INSERT OR REPLACE INTO contract_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, now())",
            [contract.name, run_id, outcome.passed, outcome.severity, rows_in, rows_clean, rejected,
             outcome.to_json()],
        )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    con.execute("DROP TABLE IF EXISTS _violations")
    return outcome
