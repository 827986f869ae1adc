"""Run a contract over a staging table in DuckDB: find violating rows, keep them, build the clean table.

The violations are counted in SQL so that millions of rows never pass through pandas.
Every violation names the file, the row (header = row 1), the column, the value and the reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import duckdb

from data_contracts.normalize import visible
from data_contracts.rules import DATE_END_SQL, DATE_SQL, FORMER_SQL, SKIPPED, violations_sql
from data_contracts.spec import REVISIONS, Contract, load_contracts
from warehouse.db import ident, quote_any, sort_unless_ordered, table_exists
from warehouse.errors import InputError

STATUS_TEXT = {"absent": "未提供", "empty": "只有表头、没有数据行"}


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
    status: str = "provided"  # 'provided' | 'absent' (optional input not given) | 'empty' (header only)
    rejected_kept: int = 0  # violations stored in rejected_rows (at most the contract's limit)
    meta: dict = field(default_factory=dict)  # what the reader knows: sheet, encoding, normalisations

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
        if self.status == "absent":
            return f"{self.input}：未提供（可选输入），按无数据处理"
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
            {"by_rule": self.by_rule, "first": self.first[:20], "warnings": self.warnings, "status": self.status,
             "rejected_kept": self.rejected_kept, "rejected_not_kept": self.rejected_not_kept, **self.meta},
            ensure_ascii=False, default=str,
        )

    @property
    def rejected_not_kept(self) -> int:
        return max(sum(self.by_rule.values()) - self.rejected_kept, 0)


def reference_available(con, ref_input: str) -> bool:
    """Whether codes can be checked against `ref_input`: its table exists and it was not an absent
    optional input (an absent optional file leaves an empty table, against which every code would fail)."""
    if not table_exists(con, ref_input):
        return False
    row = con.execute("SELECT file FROM input_files WHERE input = ?", [ref_input]).fetchone()
    return row is None or bool(row[0])


def former_codes_sql(con, contract: Contract) -> dict[str, str]:
    """{kind: SQL listing the earlier revision's codes} for the kinds the contract's columns accept, when
    code_changes is there to read (majors' own former_codes are read too, for majors)."""
    kinds = {c.former_codes for c in contract.columns.values() if c.former_codes}
    if not kinds or not table_exists(con, REVISIONS):
        return {}
    has_former = "former_codes" in {r[0] for r in con.execute("DESCRIBE majors").fetchall()} \
        if table_exists(con, "majors") else False
    return {kind: FORMER_SQL[kind] if kind != "major" or has_former else FORMER_SQL[kind].split(" UNION ALL ")[0]
            for kind in kinds}


def reference_values(con, contract: Contract) -> dict[str, list[str]]:
    """{column: the codes it may hold} for great-expectations, for exactly the references the engine checks:
    an absent optional input (an empty table) is no list of allowed codes, it is an unchecked reference."""
    out: dict[str, list[str]] = {}
    for col in contract.columns.values():  # a reference whose missing codes are skipped is the engine's alone
        if col.references and col.missing_reference == "reject" and reference_available(con, col.references[0]):
            ref_input, ref_col = col.references
            rows = con.execute(f"SELECT DISTINCT {ident(ref_col)} FROM {ident(ref_input)} "  # noqa: S608
                               f"WHERE {ident(ref_col)} IS NOT NULL").fetchall()
            out[col.name] = [r[0] for r in rows]
            former = former_codes_sql(con, contract).get(col.former_codes or "")
            if former:  # the earlier revision's codes the engine accepts too
                out[col.name] = sorted(set(out[col.name]) | {r[0] for r in con.execute(former).fetchall() if r[0]})
    return out


def _normalised_view(con, contract: Contract, stg: str, present: set[str], extras: list[str],
                     stripped: bool = False) -> str:
    """A view over the staging table: blanks as NULL, trimmed, absent optional columns as NULL. A table
    staged by DuckDB (``stripped``: every cell already stripped of Unicode whitespace, blanks already NULL)
    is not trimmed again: at 2 million postings, trimming every cell in both passes cost about a second."""
    parts = ['"_row"']
    for col in contract.columns.values():
        c = ident(col.name)
        cell = c if stripped else f"NULLIF(trim({c}), '')"
        parts.append(f"{cell} AS {c}" if col.name in present else f"NULL::VARCHAR AS {c}")
    parts += [quote_any(e) for e in extras]
    if "_problem" in present:
        parts.append('"_problem"')
    view = f"{stg}_n"
    con.execute(f"CREATE OR REPLACE TEMP VIEW {ident(view)} AS SELECT {', '.join(parts)} FROM {ident(stg)}")  # noqa: S608
    return view


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


def _clean_select(contract: Contract, view: str, extras: list[str], rejected: bool = True) -> tuple[str, list]:
    """The clean table's query: typed columns, the rejected rows left out, in row order. With no rejected
    row (``rejected`` false) it is a plain projection of the staging table, already in row order: the
    anti-join and the sort of every row (about two seconds for 2 million postings) are not needed."""
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
    sql = f"SELECT {', '.join(parts)} FROM {ident(view)}"  # noqa: S608
    if rejected:
        sql += " WHERE _row NOT IN (SELECT row FROM _violations) ORDER BY _row"
    return sql, params


def _checked_references(con, contract: Contract, stg: str) -> tuple[dict[str, str], list[str]]:
    """{referenced input: title} for the references that can be checked, and warnings for those that
    cannot. A referenced input that was provided but has no rows is the cause of every code it would
    reject: that is an InputError naming the referenced file, not thousands of rejected rows here."""
    contracts = load_contracts()
    checked: dict[str, str] = {}
    skipped: list[str] = []
    for col in contract.columns.values():
        if not col.references or col.references[0] == contract.name:
            continue
        ref_input, ref_col = col.references
        title = contracts[ref_input].title if ref_input in contracts else ref_input
        if not reference_available(con, ref_input):
            skipped.append(f"{col.name} 引用的 {ref_input} 未提供，未检查引用")
            continue
        checked[ref_input] = title
        ref_rows = con.execute(f"SELECT count({ident(ref_col)}) FROM {ident(ref_input)}").fetchall()[0][0]  # noqa: S608
        if ref_rows:
            continue
        used = con.execute(f"SELECT count({ident(col.name)}) FROM {ident(stg)}").fetchall()[0][0]  # noqa: S608
        if used:
            found = con.execute("SELECT file FROM input_files WHERE input = ?", [ref_input]).fetchall()
            row = found[0] if found else None
            raise InputError(
                (row[0] if row and row[0] else ref_input),
                f"{title}（{ref_input}）没有任何合格的数据行，无法核对 {contract.title}中 {used} 行的"
                f"“{col.aliases[0] if col.aliases else col.name}”；请先补全或修正{title}文件",
            )
    return checked, skipped


def run_contract(
    con: duckdb.DuckDBPyConnection, contract: Contract, stg: str, file: str, run_id: str, sample: int = 50,
    *, input_sha256: str | None = None, status: str = "provided", warnings: list[str] | None = None,
    meta: dict | None = None, stripped: bool = False,
) -> ContractOutcome:
    """Check the staging table `stg` against `contract`; write rejected_rows, the clean table and the result.

    Rejected cells are kept per run (with the run id and the input's SHA-256): a later run never
    deletes an earlier run's, and at most the contract's ``rejected_rows_kept`` are stored (the rest
    are counted). ``warnings`` and ``meta`` (sheet, normalisations…) from the reader go into the result.
    ``stripped``: the staging table's cells are stripped already, blanks NULL (staged by DuckDB, inbox/stream.py).
    """
    present = {r[0] for r in con.execute(f"DESCRIBE {ident(stg)}").fetchall()}  # noqa: S608
    extras = sorted(present - set(contract.columns) - {"_row", "_problem"})
    view = _normalised_view(con, contract, stg, present, extras, stripped)
    checked, unchecked = _checked_references(con, contract, stg)
    sql, params = violations_sql(contract, view, present, checked, former_codes_sql(con, contract))
    con.execute("CREATE OR REPLACE TEMP TABLE _violations AS " + sql, params)
    rows_in = con.execute(f"SELECT count(*) FROM {ident(stg)}").fetchone()[0]  # noqa: S608
    left_out = con.execute("SELECT count(DISTINCT row) FROM _violations").fetchone()[0]
    skipped = [r[0] for r in con.execute(  # rows whose only fault is a code that has left the referenced input
        "SELECT row FROM _violations GROUP BY row HAVING bool_and(ends_with(rule, ?)) ORDER BY row",
        ["." + SKIPPED]).fetchall()]
    rejected = left_out - len(skipped)
    by_rule = dict(con.execute("SELECT rule, count(*) FROM _violations GROUP BY rule ORDER BY rule").fetchall())
    first = [
        {"row": r, "column": c, "value": visible(v), "rule": ru, "reason": re_}
        for r, c, v, ru, re_ in con.execute(
            "SELECT row, col, value, rule, reason FROM _violations WHERE NOT ends_with(rule, ?) "
            "ORDER BY row, col, rule LIMIT ?", ["." + SKIPPED, sample]
        ).fetchall()
    ]
    notes = list(warnings or [])
    if status in STATUS_TEXT:
        notes.insert(0, f"{contract.title}（{contract.name}）{STATUS_TEXT[status]}：相关信号按无数据处理")
    if extras:
        notes.append(f"未识别的列已原样保留：{'、'.join(extras)}")
    notes += unchecked
    if skipped:
        shown = "、".join(f"第 {r} 行" for r in skipped[:10]) + ("等" if len(skipped) > 10 else "")
        notes.append(f"{len(skipped)} 行引用的代码已不在所引用的输入中（{shown}），这些行已跳过、未使用，"
                     "详见 rejected_rows")
    keep = contract.limits.rejected_rows_kept
    clean_sql, clean_params = _clean_select(contract, view, extras, rejected=left_out > 0)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM rejected_rows WHERE input = ? AND run_id = ?", [contract.name, run_id])
        con.execute(
            'INSERT INTO rejected_rows (input, file, "row", "column", "value", rule, reason, run_id, loaded_at, '
            "input_sha256) SELECT ?, ?, row, col, value, rule, reason, ?, now(), ? FROM _violations "
            "ORDER BY row, col, rule LIMIT ?",
            [contract.name, file, run_id, input_sha256, keep],
        )
        kept = min(sum(by_rule.values()), keep)
        if kept < sum(by_rule.values()):
            notes.append(f"不合格单元格共 {sum(by_rule.values())} 个，只保存了前 {kept} 个（其余已计数）")
        con.execute(f"CREATE OR REPLACE TABLE {ident(contract.name)} AS " + clean_sql, clean_params)
        if not left_out:
            sort_unless_ordered(con, contract.name, "source_row")  # a staging table is in row order
        for statement in DERIVED_SQL.get(contract.name, []):
            con.execute(statement)
        rows_clean = con.execute(f"SELECT count(*) FROM {ident(contract.name)}").fetchone()[0]  # noqa: S608
        outcome = ContractOutcome(
            input=contract.name, file=file, rows_in=rows_in, rows_clean=rows_clean, rows_rejected=rejected,
            max_rejected_share=contract.max_rejected_share, by_rule=by_rule, first=first, warnings=notes,
            status=status, rejected_kept=kept, meta=dict(meta or {}),
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
