"""How the rulebook's templates are written and filled.

A template is Python's ``str.format`` text whose fields are policy values (``{rules.employment_floor:pct}``,
read from the policy in force) or values of the row being explained (``{share:pct}``). Format specs:

=========  =========================================  ======================
spec       meaning                                    example
=========  =========================================  ======================
``pct``    a share as a whole percent                 0.6 → 60%
``pct1``   a share as a percent with one decimal      0.523 → 52.3%
``g``      a number in its shortest form              70.0 → 70
``f2``     two decimals                               1.5 → 1.50
``cn``     a small whole number in Chinese            2 → 两
``years``  consecutive years, the latest included     1 → 最新一年, 2 → 连续两年
``list``   items joined with 、                       (东城区, 西城区) → 东城区、西城区
=========  =========================================  ======================
"""

from __future__ import annotations

import re
import string
from typing import Any

from scoring.policy import Policy

_CN = {1: "一", 2: "两", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九", 10: "十"}


def pct(x: float, digits: int = 0) -> str:
    """0.523 → '52%' (digits=0) or '52.3%' (digits=1)."""
    return f"{x * 100:.{digits}f}%"


def cn_number(n: int) -> str:
    """2 → '两' (numbers above ten stay in digits)."""
    return _CN.get(int(n), str(int(n)))


def consecutive_years(n: int) -> str:
    """1 → '最新一年', 3 → '连续三年' (the latest year included)."""
    return "最新一年" if int(n) <= 1 else f"连续{cn_number(n)}年"


class _Formatter(string.Formatter):
    def format_field(self, value: Any, spec: str) -> str:
        if spec == "pct":
            return pct(value)
        if spec == "pct1":
            return pct(value, 1)
        if spec == "cn":
            return cn_number(value)
        if spec == "years":
            return consecutive_years(value)
        if spec == "list":
            return "、".join(str(v) for v in value)
        if spec == "g":
            return f"{value:g}"
        if spec == "f2":
            return f"{value:.2f}"
        return super().format_field(value, spec)


_FORMATTER = _Formatter()


def policy_fields(p: Policy) -> dict[str, Any]:
    """The policy's sections under the names templates use."""
    return {"weights": p.weights, "relief": p.relief, "curves": p.curves, "rules": p.rules, "school": p.school,
            "evidence": p.evidence, "no_vocational": p.no_vocational_districts,
            "precedence": " > ".join(p.guidance_precedence)}


def fill(template: str, p: Policy | None = None, **values: Any) -> str:
    """The template with the policy's values and ``values`` in place (a row value wins over a policy name)."""
    fields = policy_fields(p) if p is not None else {}
    return _FORMATTER.vformat(template, (), {**fields, **values})


def placeholders(template: str) -> set[str]:
    """The field names a template reads ('rules.red_score', 'share', …)."""
    return {name for _, name, _, _ in _FORMATTER.parse(template) if name}


def public_source(text: str | None) -> str:
    """A rule's 出处 as people read it: no program name, no file of the repository."""
    if not text:
        return "—"
    text = re.sub(r"\s*majorwatch\s*默认值", "系统建议值", text)
    return re.sub(r"[，,；;]?\s*见\s*[\w./-]+\.ya?ml", "", text).strip() or "—"
