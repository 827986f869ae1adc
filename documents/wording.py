"""Policy text as an official document or a school page prints it: no program name, no repository file, no key.

The policy file's sources say "majorwatch 默认值，待市教委确认" and its descriptions refer to other settings by key
("连续 employment_red_years 年"); a reader sees "系统建议值，待市教委确认" and the setting's value ("连续 2 年").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from scoring.rulebook.text import public_source

__all__ = ["public_source", "show_value", "resolve_keys", "policy_values", "public_rule"]

KEY = re.compile(r"\b([a-z]+(?:\.[a-z_]+)?(?:_[a-z]+)*)\b")


def show_value(value: Any) -> str:
    """A setting's value as a reader reads it: lists joined with 、, yes/no as 是/否, no trailing .0."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | tuple):
        return "、".join(show_value(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def resolve_keys(text: str, values: Mapping[str, Any]) -> str:
    """Each policy key named in ``text`` (``rules.saturation_max_schools`` or a bare ``employment_red_years``)
    replaced by its value; ``values`` maps both the dotted and the bare keys to values."""
    def value_of(match: re.Match) -> str:
        key = match.group(1)
        if key in values and ("_" in key or "." in key):
            return f" {show_value(values[key])} "
        return key
    text = re.sub(r"\btrue(?=[：:])", "是", re.sub(r"\bfalse(?=[：:])", "否", text or ""))
    return re.sub(r"\s{2,}", " ", KEY.sub(value_of, text)).strip()


def policy_values(content: Mapping[str, Any]) -> dict[str, Any]:
    """The policy content's settings by dotted key and by bare key: {'rules.red_score': 70, 'red_score': 70, …}."""
    out: dict[str, Any] = {}
    for section, items in content.items():
        if isinstance(items, Mapping) and "value" in items:
            out[section] = items["value"]
        elif isinstance(items, Mapping):
            for key, item in items.items():
                value = item.get("value") if isinstance(item, Mapping) else item
                out[f"{section}.{key}"] = value
                out.setdefault(key, value)
    return out


def public_rule(text: str | None) -> str:
    """A pre-check row's 依据规则 for a school: the rule's source without its policy key ("rules.x（出处）" → 出处)."""
    found = re.fullmatch(r"\s*[a-z_]+(?:\.[a-z_]+)*\s*（(.*)）\s*", text or "", flags=re.S)
    return public_source(found.group(1) if found else text)
