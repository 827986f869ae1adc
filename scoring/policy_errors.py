"""Pydantic validation errors of a policy file, in Chinese, each naming the dotted field."""

from __future__ import annotations

from typing import Any

_TYPES = {"float_type": "必须是数字", "int_type": "必须是整数", "int_from_float": "必须是整数",
          "bool_type": "必须是 true 或 false", "finite_number": "必须是有限的数字", "string_type": "必须是字符串",
          "missing": "缺失", "extra_forbidden": "未知的键", "too_short": "不能为空", "tuple_type": "必须是列表"}


def message(err: dict[str, Any]) -> str:
    """One pydantic error in Chinese, naming the dotted field (e.g. rules.employment_floor.value)."""
    if err["type"] == "value_error":
        return str(err["ctx"]["error"])
    loc = [str(x) for x in err["loc"] if not isinstance(x, int)]
    name = ".".join(loc) + (".value" if len(loc) == 2 and err["type"] != "missing" else "")
    value = f"，实际为 {err['input']!r}" if err["type"] != "missing" else ""
    ctx = err.get("ctx") or {}
    if "ge" in ctx or "le" in ctx:
        low, high = ctx.get("ge", "…"), ctx.get("le", "…")
        return f"{name}：必须在 {low} 到 {high} 之间{value}"
    return f"{name}：{_TYPES.get(err['type'], err['msg'])}{value}"


