"""The contract's rules as DuckDB SQL: one query lists (row, column, value, rule, reason) for every bad cell.

Every rule here has a twin in ge_runner.py (great-expectations), so two validators see the same input.
Numbers are numbers as a person writes them (``12``, ``-3.5``, ``1.2e3``): ``NaN`` and ``inf`` are
refused as not finite, an integer beyond ±2⁵³ as out of range, each with its own reason.
"""

from __future__ import annotations

from data_contracts.normalize import INVISIBLE
from data_contracts.spec import ColumnSpec, Contract, RowRule
from warehouse.db import ident

NUMBER_MANGLED = r"^[0-9]+\.[0-9]+$|^[0-9.]+[eE][+-]?[0-9]+$"
NUMBER_TEXT = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"
INTEGER_LIMIT = 2**53 - 1  # every integer up to here is exact as a double and fits BIGINT
DATE_RE = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
SERIAL_DATE = r"^[0-9]{5}(\.0+)?$"
PERIOD_RE = r"^[0-9]{4}(-Q[1-4])?$"
DATE_SQL = "TRY_STRPTIME({c}, ['%Y-%m-%d', '%Y-%m', '%Y'])::DATE"
# An end date given as a year or a month means its last day (the entry still applies then).
DATE_END_SQL = ("CASE length(trim({c})) WHEN 4 THEN make_date(year(" + DATE_SQL + "), 12, 31) "
                "WHEN 7 THEN last_day(" + DATE_SQL + ") ELSE " + DATE_SQL + " END")
NUM = "TRY_CAST({c} AS DOUBLE)"

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
    # majors: a former code that is still a current code would be history of two majors at once
    "former_code_not_current": (
        "former_codes IS NOT NULL AND list_has_any(regexp_split_to_array(former_codes, '\\s*[、;；]\\s*'), "
        "(SELECT list(major_code) FROM {view} WHERE major_code IS NOT NULL))",
        "former_codes",
    ),
    # code_changes ({view}: the input's own normalised rows, for rules over several rows)
    "change_codes_match_kind": (
        "old_code IS NOT NULL AND new_code IS NOT NULL AND ("
        "(kind IN ('专业', 'major') AND NOT (regexp_full_match(old_code, '[2-7][0-9]{5}K?') "
        "AND regexp_full_match(new_code, '[2-7][0-9]{5}K?'))) OR "
        "(kind IN ('行业', 'industry') AND NOT (regexp_full_match(old_code, '[A-T]|[0-9]{2,4}') "
        "AND regexp_full_match(new_code, '[A-T]|[0-9]{2,4}'))))",
        "old_code",
    ),
    "change_new_code_known": (
        "new_code IS NOT NULL AND ("
        "(kind IN ('专业', 'major') AND new_code NOT IN (SELECT major_code FROM majors WHERE major_code IS NOT NULL)) OR "
        "(kind IN ('行业', 'industry') AND new_code NOT IN "
        "(SELECT industry_code FROM industries WHERE industry_code IS NOT NULL)))",
        "new_code",
    ),
    "change_old_code_current": (
        "kind IN ('专业', 'major') AND old_code IN (SELECT major_code FROM majors WHERE major_code IS NOT NULL)",
        "old_code",
    ),
    "change_split_shares": (
        "old_code IS NOT NULL AND (CASE WHEN kind IN ('专业', 'major') THEN 'major' ELSE 'industry' END || '|' || old_code) "
        "IN (SELECT CASE WHEN kind IN ('专业', 'major') THEN 'major' ELSE 'industry' END || '|' || old_code FROM {view} "
        "WHERE old_code IS NOT NULL GROUP BY ALL HAVING count(*) > 1 AND (count(share) < count(*) "
        "OR abs(sum(TRY_CAST(share AS DOUBLE)) - 1) > 0.001))",
        "share",
    ),
    # school_districts: the latest row of a school agrees with schools.district
    "latest_district_matches_school": (
        "school_code IS NOT NULL AND district IS NOT NULL AND (school_code || '|' || from_year || '|' || district) IN ("
        "SELECT l.school_code || '|' || l.from_year || '|' || l.district FROM (SELECT school_code, "
        "max_by(from_year, TRY_CAST(from_year AS DOUBLE)) AS from_year, max_by(district, TRY_CAST(from_year AS DOUBLE)) "
        "AS district FROM {view} WHERE school_code IS NOT NULL AND TRY_CAST(from_year AS DOUBLE) IS NOT NULL "
        "GROUP BY school_code) l JOIN schools s ON s.school_code = l.school_code WHERE s.district <> l.district)",
        "district",
    ),
}
# Codes of an earlier revision a column with ``former_codes`` accepts besides its reference (fixed SQL per kind):
# code_changes' old codes of the kind, and for majors the codes listed in majors.former_codes.
FORMER_SQL = {
    "major": ("SELECT old_code FROM code_changes WHERE kind = 'major' UNION ALL "
              "SELECT trim(unnest(regexp_split_to_array(former_codes, '[、;；]'))) FROM majors "
              "WHERE former_codes IS NOT NULL"),
    "industry": "SELECT old_code FROM code_changes WHERE kind = 'industry'",
}
FORMER_NOTE = {"major": "，也不是原专业代码（majors 的“原专业代码”或 code_changes 中的专业原代码）",
               "industry": "，也不是代码变更（code_changes）中的行业原代码"}

SKIPPED = "reference_skipped"  # a row left out (with a warning) because a code it refers to has gone
# (rule id, predicate TRUE = bad cell, predicate params, reason SQL, reason params)
Check = tuple[str, str, list, str, list]


def header(col: ColumnSpec) -> str:
    return f"{col.name}（{col.aliases[0]}）" if col.aliases else col.name


def has_invisible(c: str) -> str:
    """SQL: the cell holds an invisible character (one ``?``: INVISIBLE). Every such character is outside
    ASCII, so an all-ASCII cell (bytes = characters, most codes and numbers) skips the regular expression."""
    return f"(strlen({c}) > length({c}) AND regexp_matches({c}, ?))"


def _fixed(rule: str, pred: str, params: list, reason: str) -> Check:
    return rule, pred, params, "?", [reason]


def _code_checks(col: ColumnSpec, c: str) -> list[Check]:
    visible_only = f"NOT {has_invisible(c)}"
    might_be_mangled = f"(contains({c}, '.') OR contains({c}, 'e') OR contains({c}, 'E'))"  # NUMBER_MANGLED needs one
    checks = [_fixed(
        "number_mangled", f"{c} IS NOT NULL AND {might_be_mangled} AND regexp_full_match({c}, ?) AND {visible_only}",
        [NUMBER_MANGLED, INVISIBLE],
        "代码被电子表格存成了数字（如 10101.0 或 1.1E+9），前导零可能已丢失；请把该列设为文本格式后重新导出",
    )]
    if col.pattern:
        generic = f"代码格式不对，应为{col.expected or col.pattern}"
        whens = " ".join(f"WHEN NOT regexp_matches({c}, ?) THEN ?" for _ in col.explain)
        reason_params = [x for pattern, reason in col.explain for x in (pattern, f"代码格式不对，{reason}")]
        checks.append((
            "pattern",
            f"{c} IS NOT NULL AND NOT regexp_full_match({c}, ?) AND NOT regexp_full_match({c}, ?) AND {visible_only}",
            [col.pattern, NUMBER_MANGLED, INVISIBLE],
            f"CASE {whens} ELSE ? END" if whens else "?", [*reason_params, generic],
        ))
    return checks


def _number_checks(col: ColumnSpec, c: str) -> list[Check]:
    """One regex per cell (the shape); the other rules compare the cast value, finite ones only."""
    kind = "整数" if col.type == "integer" else "数字"
    num = NUM.format(c=c)
    finite = f"isfinite({num})"  # NULL (not selected) for text DuckDB cannot cast
    checks = [
        _fixed("type", f"{c} IS NOT NULL AND coalesce({finite}, true) AND NOT regexp_full_match({c}, ?)",
               [NUMBER_TEXT], f"应为{kind}"),
        _fixed("finite", f"{c} IS NOT NULL AND NOT {finite}", [],
               f"不是有限的数（NaN、无穷大或超出浮点数范围），应为{kind}"),
    ]
    if col.type == "integer":
        checks.append(_fixed("integer", f"{finite} AND {num} <> floor({num})", [], "应为整数"))
        checks.append(_fixed("range", f"{finite} AND abs({num}) > ?", [INTEGER_LIMIT],
                             f"数值过大，超出整数范围（绝对值不能超过 {INTEGER_LIMIT}）"))
    if col.min is not None:
        op, word = ("<=", "必须大于") if col.min_exclusive else ("<", "不能小于")
        checks.append(_fixed("min", f"{finite} AND {num} {op} ?", [col.min], f"{word} {col.min:g}"))
    if col.max is not None:
        checks.append(_fixed("max", f"{finite} AND {num} > ?", [col.max], f"不能大于 {col.max:g}"))
    return checks


def shown_exactly(col: ColumnSpec) -> bool:
    """Columns whose exact text matters (codes, closed lists, numbers, dates, required names): a hidden
    character there is refused. Optional free text (descriptions, notes) may carry one harmlessly."""
    return col.type != "text" or bool(col.allowed) or col.required


def column_checks(col: ColumnSpec, reference_title: str | None, former: str | None = None) -> list[Check]:
    """Every check of one column; ``reference_title`` is the referenced input's title when it is checked;
    ``former`` the SQL listing the earlier revision's codes the column also accepts (FORMER_SQL), when available."""
    c = ident(col.name)
    checks: list[Check] = []
    if col.required:
        checks.append(_fixed("required", f"{c} IS NULL", [], "必填，不能为空"))
    if shown_exactly(col):
        checks.append(_fixed("invisible", f"{c} IS NOT NULL AND {has_invisible(c)}", [INVISIBLE],
                             "含有看不见的字符（如零宽空格，值中显示为 ⟨U+200B⟩ 这样的记号），请删除后重新导出"))
    if col.type == "code":
        checks += _code_checks(col, c)
    if col.type in ("integer", "number"):
        checks += _number_checks(col, c)
    if col.type == "date":
        checks.append((
            "date", f"{c} IS NOT NULL AND (NOT regexp_full_match({c}, ?) OR {DATE_SQL.format(c=c)} IS NULL)",
            [DATE_RE], f"CASE WHEN regexp_full_match({c}, ?) THEN ? ELSE ? END",
            [SERIAL_DATE, "是 Excel 的日期序号（单元格格式丢失了日期），请把该列设为日期或文本格式，写成 YYYY-MM-DD",
             "应为日期 YYYY-MM-DD、YYYY-MM 或 YYYY"],
        ))
    if col.type == "period":
        checks.append(_fixed("period", f"{c} IS NOT NULL AND NOT regexp_full_match({c}, ?)", [PERIOD_RE],
                             "统计期应为 YYYY 或 YYYY-Qn（如 2025-Q3）"))
    if col.allowed:
        shown = "、".join(dict.fromkeys(col.allowed))
        checks.append(_fixed("allowed", f"{c} IS NOT NULL AND NOT list_contains(?, {c}) AND NOT {has_invisible(c)}",
                             [sorted(col.allowed), INVISIBLE], f"取值不在允许范围内：{shown}"))
    if col.references and reference_title:
        ref_input, ref_col = col.references
        skip = col.missing_reference == "skip"
        also = f" AND {c} NOT IN (SELECT f.code FROM ({former}) f(code) WHERE f.code IS NOT NULL)" if former else ""  # noqa: S608
        checks.append(_fixed(
            SKIPPED if skip else "reference",
            f"{c} IS NOT NULL AND {c} NOT IN (SELECT {ident(ref_col)} FROM {ident(ref_input)} "  # noqa: S608
            f"WHERE {ident(ref_col)} IS NOT NULL){also}",
            [], f"在{reference_title}（{ref_input}）中找不到该代码" + ("（已不在目录中），本行已跳过，未使用" if skip else "")
            + (FORMER_NOTE[col.former_codes] if former and col.former_codes else ""),
        ))
    return checks


def date_value_sql(col: ColumnSpec) -> str:
    """SQL: a date column's cell as the clean table reads it (a period end's year or month is its last day)."""
    return (DATE_END_SQL if col.period_end else DATE_SQL).format(c=ident(col.name))


def row_rule_check(contract: Contract, rule: RowRule, view: str = "") -> tuple[str, str, str, list]:
    """(predicate TRUE for a violating row, column reported, reason SQL, its params) of one row rule; ``view``
    is the input's normalised rows, for a rule over several rows."""
    if rule.kind == "date_order":
        early, late = (contract.columns[c] for c in rule.columns)
        pred = f"{date_value_sql(early)} > {date_value_sql(late)}"
        return pred, late.name, f"? || ? || {ident(early.name)} || '）'", [rule.reason, f"（{header(early)} 为 "]
    pred, column = ROW_RULES[rule.name]
    return pred.replace("{view}", ident(view)), column, "?", [rule.reason]


def violations_sql(contract: Contract, view: str, present: set[str], checked: dict[str, str],
                   former: dict[str, str] | None = None) -> tuple[str, list]:
    """One query listing (row, col, value, rule, reason) for every bad cell; ``checked`` maps each referenced
    input that is checked to its title.

    The rows are read once: one pass keeps the rows that break any cell or row rule (``suspect``, almost
    always a handful), and the per-rule lists are taken from those. Duplicate keys compare every row with
    every other, so they are looked for in the whole view."""
    rules: list[tuple[str, list, str, list]] = []  # (predicate, its params, select list, its params)
    for col in contract.columns.values():
        title = checked.get(col.references[0]) if col.references else None
        also = (former or {}).get(col.former_codes or "")
        for rule, pred, pred_params, reason_sql, reason_params in column_checks(col, title, also):
            rules.append((pred, pred_params, f"_row AS row, ? AS col, {ident(col.name)} AS value, ? AS rule, "
                          f"{reason_sql} AS reason", [header(col), f"{col.name}.{rule}", *reason_params]))
    for row_rule in contract.row_rules:
        pred, column, reason_sql, reason_params = row_rule_check(contract, row_rule, view)
        rules.append((pred, [], f"_row AS row, ? AS col, {ident(column)} AS value, ? AS rule, {reason_sql} AS reason",
                      [header(contract.columns[column]), row_rule.name, *reason_params]))
    if "_problem" in present:
        rules.append(("_problem IS NOT NULL", [], "_row, '（整行）', NULL, 'source_problem', _problem", []))
    selects: list[str] = [f"SELECT {columns} FROM suspect WHERE {pred}" for pred, _, columns, _ in rules]  # noqa: S608
    params: list = [p for pred, pred_params, _, _ in rules for p in pred_params]  # the suspect pass, first
    params += [p for _, pred_params, _, column_params in rules for p in (*column_params, *pred_params)]
    if contract.key:
        keys = ", ".join(ident(k) for k in contract.key)
        key_names = "、".join(header(contract.columns[k]) for k in contract.key)
        # the keys seen twice are found by hashing (a window over every row sorts them all); only their rows
        # are then numbered. NULL keys count as equal, as in PARTITION BY.
        same = " AND ".join(f"v.{ident(k)} IS NOT DISTINCT FROM d.{ident(k)}" for k in contract.key)
        v_keys = ", ".join(f"v.{ident(k)}" for k in contract.key)
        selects.append(
            f"SELECT _row, ?, concat_ws('|', {keys}), 'duplicate_key', "  # noqa: S608
            "'与第 ' || first_row || ' 行重复（键：' || ? || '）' FROM ("
            f"SELECT v._row, {v_keys}, min(v._row) OVER (PARTITION BY {v_keys}) AS first_row FROM {ident(view)} v "
            f"SEMI JOIN (SELECT {keys} FROM {ident(view)} GROUP BY {keys} HAVING count(*) > 1) d ON {same}) "
            "WHERE _row <> first_row"
        )
        params += [key_names, key_names]
    if not selects:
        return "SELECT NULL::BIGINT AS row, NULL AS col, NULL AS value, NULL AS rule, NULL AS reason WHERE false", []
    suspect = " OR ".join(f"({pred})" for pred, *_ in rules) or "false"
    return (f"WITH suspect AS MATERIALIZED (SELECT * FROM {ident(view)} WHERE {suspect}) "  # noqa: S608
            + " UNION ALL ".join(selects)), params
