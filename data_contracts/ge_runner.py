"""Run a contract's expectations with great-expectations 1.x (pandas data source, ephemeral context).

great-expectations is imported here, inside the call, never at module import (it costs ~6 s).
Large inputs (job postings by the million) are counted in DuckDB by the SQL engine instead:
through pandas they would cost ten times as much for the same answer.
"""

from __future__ import annotations

import calendar
import os
import re
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from data_contracts.normalize import INVISIBLE
from data_contracts.rules import DATE_RE, INTEGER_LIMIT, NUMBER_TEXT, PERIOD_RE, shown_exactly
from data_contracts.spec import ColumnSpec, Contract

if TYPE_CHECKING:
    import pandas as pd

GE_MAX_ROWS = 200_000
# What a worker process preloads to validate at once: this module (which turns great-expectations' usage
# analytics off before anything imports it), then great-expectations itself (~5 s of CPU).
GE_PRELOAD = ("data_contracts.ge_runner", "great_expectations")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
DOUBLE_MAX = sys.float_info.max  # the largest double (numpy's finfo, without importing numpy here)
PAIR_RULES = {  # row rule → (column that must be ≥, column that must be ≤)
    "employed_le_graduates": ("graduates", "employed"),
    "in_field_le_employed": ("employed", "employed_in_field"),
    "salary_min_le_max": ("salary_max", "salary_min"),
}


@dataclass
class GeReport:
    ran: bool
    success: bool
    results: list[dict] = field(default_factory=list)
    note: str = ""

    def markdown(self) -> str:
        if not self.ran:
            return self.note
        lines = ["| expectation | column | success | unexpected |", "|---|---|---|---|"]
        for r in self.results:
            mark = "✅" if r["success"] else "❌"
            lines.append(f"| {r['expectation']} | {r['column']} | {mark} | {r['unexpected_count']} |")
        return "\n".join(lines)


def build_suite(contract: Contract, reference_values: dict[str, list[str]]):
    """The contract as a great-expectations ExpectationSuite (built in one go: ``add_expectation`` compares
    each new expectation with every earlier one, quadratic in the contract's size)."""
    import great_expectations as gx

    e = gx.expectations
    wanted: list[tuple[type, dict]] = []
    for col in contract.columns.values():
        if col.required:
            wanted += [(e.ExpectColumnToExist, {"column": col.name}), (e.ExpectColumnValuesToNotBeNull, {"column": col.name})]
        if shown_exactly(col):
            wanted.append((e.ExpectColumnValuesToNotMatchRegex, {"column": col.name, "regex": INVISIBLE}))
        if col.pattern:
            wanted.append((e.ExpectColumnValuesToMatchRegex, {"column": col.name, "regex": col.pattern}))
        if col.allowed:
            wanted.append((e.ExpectColumnValuesToBeInSet, {"column": col.name, "value_set": sorted(col.allowed)}))
        if col.type in ("integer", "number"):
            wanted += _number_expectations(e, col)
        if col.type in ("date", "period"):
            regex = DATE_RE if col.type == "date" else PERIOD_RE
            wanted.append((e.ExpectColumnValuesToMatchRegex, {"column": col.name, "regex": regex}))
        if col.references and col.name in reference_values:
            wanted.append((e.ExpectColumnValuesToBeInSet, {"column": col.name, "value_set": reference_values[col.name]}))
    if len(contract.key) == 1:
        wanted.append((e.ExpectColumnValuesToBeUnique, {"column": contract.key[0]}))
    elif len(contract.key) > 1:
        wanted.append((e.ExpectCompoundColumnsToBeUnique, {"column_list": list(contract.key)}))
    for rule in contract.row_rules:
        if rule.kind == "date_order":  # the later date's day number ≥ the earlier's (both valid dates)
            early, late = rule.columns
            wanted.append((e.ExpectColumnPairValuesAToBeGreaterThanB, {
                "column_A": f"{late}__day", "column_B": f"{early}__day", "or_equal": True,
                "ignore_row_if": "either_value_is_missing"}))
        elif rule.name in PAIR_RULES:
            big, small = PAIR_RULES[rule.name]
            wanted.append((e.ExpectColumnPairValuesAToBeGreaterThanB, {
                "column_A": f"{big}__num", "column_B": f"{small}__num", "or_equal": True,
                "ignore_row_if": "either_value_is_missing"}))
    unique = {(kind.__name__, repr(sorted(kwargs.items()))): (kind, kwargs) for kind, kwargs in wanted}
    return gx.ExpectationSuite(name=f"{contract.name}_contract",
                               expectations=[kind(**kwargs) for kind, kwargs in unique.values()])


def _number_expectations(e, col: ColumnSpec) -> list[tuple[type, dict]]:
    """Numbers written as numbers (so NaN and inf fail the text), finite and within the column's range
    (an integer within ±2⁵³), and whole for integers: the engine's type, finite, range, min, max and
    integer rules."""
    bound = INTEGER_LIMIT if col.type == "integer" else DOUBLE_MAX
    low = max(col.min, -bound) if col.min is not None else -bound
    high = min(col.max, bound) if col.max is not None else bound
    out = [(e.ExpectColumnValuesToMatchRegex, {"column": col.name, "regex": NUMBER_TEXT}),
           (e.ExpectColumnValuesToBeBetween, {"column": f"{col.name}__num", "min_value": low, "max_value": high,
                                               "strict_min": col.min_exclusive and col.min is not None})]
    if col.type == "integer":
        out.append((e.ExpectColumnValuesToBeBetween, {"column": f"{col.name}__frac", "min_value": 0, "max_value": 0}))
    return out


def day_number(value, period_end: bool) -> float:
    """A date cell as a day number (proleptic ordinal), read as the engine reads it: a year or month is its
    first day, or its last in a ``period_end`` column; NaN for a blank or invalid date (other rules say so)."""
    from datetime import date

    match = re.fullmatch(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?", value.strip()) if isinstance(value, str) else None
    if match is None:
        return float("nan")
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        if day is None:
            month, day = (month, 1) if month else (1, 1)
            if period_end:
                month = month if match.group(2) else 12
                day = calendar.monthrange(year, month)[1]
        return float(date(year, month, day).toordinal())
    except ValueError:
        return float("nan")


def prepare(frame: pd.DataFrame, contract: Contract) -> pd.DataFrame:
    """Blank cells as nulls, trimmed text, a numeric twin of every number column and a day number of every
    date column."""
    import numpy as np
    import pandas as pd

    out = frame.copy()
    for col in contract.columns.values():
        if col.name not in out:
            out[col.name] = None
        s = out[col.name].astype("object").where(out[col.name].notna(), None)
        s = s.map(lambda v: v.strip() or None if isinstance(v, str) else v)
        out[col.name] = s
        if col.type in ("integer", "number"):
            num = pd.to_numeric(s, errors="coerce")
            out[f"{col.name}__num"] = num
            if col.type == "integer":
                out[f"{col.name}__frac"] = num - np.floor(num)
        if col.type == "date":
            out[f"{col.name}__day"] = s.map(lambda v, end=col.period_end: day_number(v, end)).astype("float64")
    return out


def left_to_duckdb(rows: int) -> GeReport:
    """The report for an input too large for pandas: the DuckDB engine's counts stand alone."""
    return GeReport(False, True, note=f"{rows} 行超过 {GE_MAX_ROWS} 行：由 DuckDB 计数校验，未经 pandas")


def not_run_after_failure(blocked: list[str]) -> GeReport:
    """The report when another input already failed its contract: the run stops at once (the data team
    hears of the failure in seconds); great-expectations' second opinion runs once the inputs are fixed."""
    return GeReport(False, True, note=f"未运行：{'、'.join(blocked)} 未通过数据契约，运行已停止；修正后再次运行时复核")


def validate(frame: pd.DataFrame, contract: Contract, reference_values: dict[str, list[str]],
             result_format: str = "BASIC") -> GeReport:
    """Validate a staging frame against the contract with great-expectations (``COMPLETE`` also lists
    the unexpected rows' positions in each result's ``rows``). ``BASIC`` gives every count the report
    keeps; ``SUMMARY``'s lists of sample values cost a third more and were never read."""
    if len(frame) > GE_MAX_ROWS:
        return left_to_duckdb(len(frame))
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    try:
        context.variables.progress_bars = {"globally": False}
    except Exception:  # noqa: BLE001 - progress bars are cosmetic
        pass
    source = context.data_sources.add_pandas(f"{contract.name}_source")
    batch_def = source.add_dataframe_asset(name=contract.name).add_batch_definition_whole_dataframe("all")
    batch = batch_def.get_batch(batch_parameters={"dataframe": prepare(frame, contract)})
    result = batch.validate(build_suite(contract, reference_values), result_format=result_format)
    rows = []
    for r in result.results:
        kwargs = r.expectation_config.kwargs
        column = kwargs.get("column") or ",".join(kwargs.get("column_list", []) or []) or (
            f"{kwargs.get('column_A')}≥{kwargs.get('column_B')}" if kwargs.get("column_A") else "")
        rows.append({
            "expectation": r.expectation_config.type,
            "column": str(column).replace("__num", "").replace("__frac", "").replace("__day", ""),
            "success": bool(r.success),
            "unexpected_count": int(r.result.get("unexpected_count") or 0) if r.result else 0,
            "rows": list((r.result or {}).get("unexpected_index_list") or []),
        })
    return GeReport(True, bool(result.success), rows)
