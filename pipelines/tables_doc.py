"""docs/tables.md, generated from the Definitions: every table asset, its stage, inputs, checks and columns.

``majorwatch docs`` writes it; a test fails when the file and the definitions disagree, so it cannot drift.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from assets.metadata import column_labels
from data_contracts.spec import load_contracts
from scoring.catalog import CHINESE_HEADERS
from scoring.policy import load_policy
from scoring.rulebook import markdown as rulebook_markdown

GROUPS = [("inbox", "收件箱文件（可观测的源资产，不是表）"), ("ingest", "读取与数据契约"), ("models", "模型"), ("score", "评分"), ("publish", "发布")]
DOC = Path(__file__).resolve().parents[1] / "docs" / "tables.md"
RULES_DOC = DOC.with_name("rules.md")
HEADER = """# Warehouse tables (generated from the asset graph: `majorwatch docs`; do not edit by hand)

Every table in `MAJORWATCH_HOME/warehouse.duckdb` is an asset of the same name. What an asset reads is
its declared inputs (polars frames through the warehouse IO manager, or DuckDB SQL checked against its
inputs). Codes are always `VARCHAR`. Clean input tables hold only the rows that passed their contract;
the others are in `rejected_rows`. An input's `inbox/<input>` is its file in the inbox, an observable source
asset whose data version is the file's SHA-256. A table is stale when an input's data version or its stage's
code version changed since it was materialized; `majorwatch run` materializes the stale tables alone.
"""


def _columns(name: str) -> str:
    if name.startswith("inbox/"):
        return "the file's bytes as received (data version: their SHA-256)"
    contracts = load_contracts()
    labels = column_labels()
    if name in contracts:
        cols = contracts[name].columns.values()
        return ", ".join(f"`{c.name}` {labels.get(c.name, '')} ({c.type})" for c in cols)
    if name in CHINESE_HEADERS:
        return ", ".join(f"`{c}` {label}" for c, label in CHINESE_HEADERS[name].items())
    return "see the asset's column schema in the UI (`dagster/column_schema`)"


def render(defs: dg.Definitions) -> str:
    graph = defs.resolve_asset_graph()
    specs = {s.key: s for s in defs.resolve_all_asset_specs()}
    checks: dict[dg.AssetKey, list[str]] = {}
    for check_key in graph.asset_check_keys:
        spec = graph.get_check_spec(check_key)
        checks.setdefault(check_key.asset_key, []).append(f"`{check_key.name}`" + ("（阻断）" if spec.blocking else ""))
    out = [HEADER]
    for group, title in GROUPS:
        out += [f"\n## {title} (group `{group}`)\n", "| table | what it holds | inputs | checks | columns |",
                "|---|---|---|---|---|"]
        for key in sorted((k for k, s in specs.items() if s.group_name == group), key=lambda k: k.to_user_string()):
            parents = sorted(p.to_user_string() for p in graph.get(key).parent_keys)
            name = key.to_user_string()
            description = (specs[key].description or "").replace("\n", " ").replace("|", "\\|")
            out.append(f"| `{name}` | {description} | {', '.join(f'`{p}`' for p in parents) or '—'} | "
                       f"{'、'.join(checks.get(key, [])) or '—'} | {_columns(name)} |")
    return "\n".join(out) + "\n"


def write_rules(path: Path = RULES_DOC) -> Path:
    """docs/rules.md from the rulebook, with the bundled policy's thresholds."""
    path.write_text(rulebook_markdown.render(load_policy()), encoding="utf-8")
    return path


def write(defs: dg.Definitions, path: Path = DOC) -> Path:
    path.write_text(render(defs), encoding="utf-8")
    return path
