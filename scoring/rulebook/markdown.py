"""docs/rules.md: the rulebook as a page for people, with the thresholds of the bundled policy and every rule's
id, so a reader can find the clause a verdict's ``rule_id`` names."""

from __future__ import annotations

from scoring.policy import Policy
from scoring.rulebook import ENTRIES, definitions
from scoring.rulebook.text import fill

HEADER = """# 规则手册（rulebook；由 `scoring/rulebook/` 生成：`majorwatch docs`，请勿手工修改）

本页列出专业预警和退出机制的每一条规则和每一个术语，阈值取自随附的评分政策（`scoring/policy.yaml`，版本 {version}）。
目录的 说明 工作表、公报、门户的“政策与规则”页、新设专业预审和每条依据都由同一份规则手册生成。

## How to add or change a rule (for developers)

1. Add or edit one `Entry` (a term) or `Clause` (a rule) in `scoring/rulebook/verdicts.py` (warning levels,
   restriction kinds, guidance) or `scoring/rulebook/terms.py` (other terms). A clause holds its id, its condition
   in words (`text`, policy fields such as `{{rules.red_score:g}}` only), the condition itself (`fires`), when it
   applies under a policy (`applies`) and the sentence its verdicts record (`basis`).
2. A new threshold goes into `scoring/policy.yaml` (value, source, description) and its pydantic section in
   `scoring/policy.py`, and into `scoring/policies/*.yaml`.
3. Run `majorwatch docs` to regenerate this page; `tests/test_rulebook.py` checks that every telling (说明 sheet,
   portal, pre-check, reasons, chart lines) equals the rulebook under each bundled policy.
"""


def render(p: Policy) -> str:
    out = [HEADER.format(version=p.version), "## 术语与现行阈值\n", "| 类别 | 名称 | 含义 | 现行阈值 | 出处 |",
           "|---|---|---|---|---|"]
    out += [f"| {r['kind']} | {r['term']} | {r['definition']} | {r['threshold']} | {r['source']} |"
            for r in definitions(p)]
    out += ["\n## 规则编号（`rule_id`）\n", "| 规则编号 | 所属 | 条件 |", "|---|---|---|"]
    seen: set[str] = set()
    for e in ENTRIES:
        for c in e.clauses:
            if c.id in seen or not c.applies(p):
                continue
            seen.add(c.id)
            out.append(f"| `{c.id}` | {e.kind}：{e.term} | {fill(c.text, p) if c.text else e.condition(p)} |")
    return "\n".join(out) + "\n"
