"""The scoring policy: weights, thresholds and rules the commission can change, loaded from YAML.

Every value in `policy.yaml` carries its `source` (which document or whose default it is). An
edition records `Policy.version` and `Policy.sha256`, so a published catalog can always be traced
back to the exact rules that produced it.
"""

from __future__ import annotations

import copy
import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

DEFAULT_PATH = Path(__file__).with_name("policy.yaml")
GUIDANCE = ("停止新设", "限制", "控制发展", "改造升级", "合作办学", "优先发展", "重点建设", "正常")
INF = math.inf

# section → key → (low, high, must_be_integer)
_NUMERIC: dict[str, dict[str, tuple[float, float, bool]]] = {
    "weights": {k: (0, 100, False) for k in (
        "prohibited", "restricted", "transforming", "relocated", "demand", "employment", "enrolment",
        "saturation")},
    "relief": {"high_end": (0, 100, False), "urban_service": (0, 100, False)},
    "curves": {
        "demand_ratio_no_risk": (0, INF, False), "demand_ratio_full_risk": (0, INF, False),
        "demand_trend_share": (0, 1, False), "demand_fall_full_risk": (0.001, 1, False),
        "employment_no_risk": (0, 1, False), "employment_full_risk": (0, 1, False),
        "employment_prev_share": (0, 1, False), "enrolment_drop_full_risk": (0.001, 1, False),
        "saturation_start": (0, INF, True), "scoped_exposure_factor": (0, 1, False)},
    "rules": {
        "employment_floor": (0, 1, False), "exit_zero_enrolment_years": (1, 20, True),
        "saturation_max_schools": (1, INF, True), "falling_demand_trend": (-1, 1, False),
        "prohibited_share": (0, 1, False), "restricted_share": (0, 1, False),
        "transforming_share": (0, 1, False), "relocated_share": (0, 1, False),
        "priority_high_end_min": (0, 1, False), "priority_ratio_min": (0, INF, False),
        "key_urban_service_min": (0, 1, False), "key_ratio_min": (0, INF, False),
        "control_score": (0, 100, False), "red_score": (0, 100, False), "yellow_score": (0, 100, False)},
    "school": {
        "employment_gap_points": (0, 100, False), "employment_gap_full": (0.001, 1, False),
        "exit_points": (0, 100, False), "district_points": (0, 100, False)},
}


class PolicyError(ValueError):
    """The policy file is malformed; the message names the offending key."""


@dataclass(frozen=True)
class Policy:
    """One version of the scoring policy. Mappings are read-only views."""

    version: str
    sha256: str
    path: Path
    weights: Mapping[str, float]
    relief: Mapping[str, float]
    curves: Mapping[str, float]
    rules: Mapping[str, float]
    school: Mapping[str, float]
    no_vocational_districts: tuple[str, ...]
    zones: Mapping[str, tuple[str, ...]]
    guidance_precedence: tuple[str, ...]
    sources: Mapping[str, str]
    _raw: Mapping[str, Any] = field(repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        """The whole policy as plain data (values, sources, descriptions) plus version and sha256."""
        out = copy.deepcopy(dict(self._raw))
        out["version"] = self.version
        out["sha256"] = self.sha256
        return out

    def districts_in(self, scope: str) -> tuple[str, ...]:
        """The districts a scope covers: a zone's districts, or the district itself."""
        return self.zones.get(scope, (scope,))


def load_policy(path: Path | None = None) -> Policy:
    """Read and validate a policy file (default: the bundled `scoring/policy.yaml`).

    Every error names the file and the key, in Chinese: the commission edits this file."""
    path = Path(path) if path is not None else DEFAULT_PATH
    try:
        return _load_policy(path)
    except PolicyError as exc:
        if str(exc).startswith("评分政策文件"):
            raise
        raise PolicyError(f"评分政策文件 {path}：{exc}") from exc


def _load_policy(path: Path) -> Policy:
    data = path.read_bytes()
    try:
        raw = yaml.safe_load(data.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise PolicyError(f"评分政策文件 {path} 不是有效的 UTF-8 YAML：{exc}") from exc
    if not isinstance(raw, dict):
        raise PolicyError(f"评分政策文件 {path}：顶层必须是键值映射")
    version = raw.get("version")
    if not isinstance(version, str) or not version.strip():
        raise PolicyError(f"评分政策文件 {path}：version 必须是加引号的非空字符串，例如 \"2026.1\"")
    sources: dict[str, str] = {}
    sections = {name: _numeric_section(raw, name, spec, sources) for name, spec in _NUMERIC.items()}
    _cross_check(sections)
    districts = _string_list(_item(raw, "districts", "no_vocational", sources), "districts.no_vocational")
    zones_item = _entry(raw, "zones", sources)
    if not isinstance(zones_item, dict) or not zones_item:
        raise PolicyError("zones.value：必须是“功能区 → [区名列表]”的映射")
    zones = {str(z): tuple(_string_list(d, f"zones.value.{z}")) for z, d in zones_item.items()}
    precedence = tuple(_string_list(_entry(raw, "guidance_precedence", sources), "guidance_precedence"))
    if sorted(precedence) != sorted(GUIDANCE):
        raise PolicyError(f"guidance_precedence.value：必须把 {'、'.join(GUIDANCE)} 各列出且只列出一次")
    return Policy(
        version=version.strip(), sha256=hashlib.sha256(data).hexdigest(), path=path,
        **{name: MappingProxyType(values) for name, values in sections.items()},
        no_vocational_districts=tuple(districts), zones=MappingProxyType(zones),
        guidance_precedence=precedence, sources=MappingProxyType(sources),
        _raw=MappingProxyType(raw))


def _entry(raw: dict, key: str, sources: dict[str, str]) -> Any:
    """A top-level {value, source} entry."""
    node = raw.get(key)
    if not isinstance(node, dict) or "value" not in node:
        raise PolicyError(f"{key}：缺失，或没有 value")
    _source(node, key, sources)
    return node["value"]


def _item(raw: dict, section: str, key: str, sources: dict[str, str]) -> Any:
    """A {value, source} entry inside a section."""
    block = raw.get(section)
    if not isinstance(block, dict):
        raise PolicyError(f"{section}：缺少这一节")
    node = block.get(key)
    name = f"{section}.{key}"
    if not isinstance(node, dict) or "value" not in node:
        raise PolicyError(f"{name}：缺失，或没有 value")
    _source(node, name, sources)
    return node["value"]


def _source(node: dict, name: str, sources: dict[str, str]) -> None:
    src = node.get("source")
    if not isinstance(src, str) or not src.strip():
        raise PolicyError(f"{name}.source：每个取值都必须写明出处")
    sources[name] = src.strip()


def _numeric_section(raw: dict, section: str, spec: dict[str, tuple[float, float, bool]],
                     sources: dict[str, str]) -> dict[str, float]:
    block = raw.get(section)
    if not isinstance(block, dict):
        raise PolicyError(f"{section}：缺少这一节")
    unknown = sorted(set(block) - set(spec))
    if unknown:
        raise PolicyError(f"{section}.{unknown[0]}：未知的键（应为 {'、'.join(spec)} 之一）")
    out: dict[str, float] = {}
    for key, (low, high, integer) in spec.items():
        value = _item(raw, section, key, sources)
        name = f"{section}.{key}.value"
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise PolicyError(f"{name}：必须是数字，实际为 {value!r}")
        if integer and value != int(value):
            raise PolicyError(f"{name}：必须是整数，实际为 {value!r}")
        if not low <= value <= high:
            raise PolicyError(f"{name}：必须在 {low} 到 {high} 之间，实际为 {value!r}")
        out[key] = float(value)
    return out


def _cross_check(s: dict[str, dict[str, float]]) -> None:
    total = sum(s["weights"].values())
    if abs(total - 100) > 1e-9:
        raise PolicyError(f"weights：各风险组成部分的分值合计必须为 100，实际为 {total:g}")
    c, r = s["curves"], s["rules"]
    if c["demand_ratio_no_risk"] <= c["demand_ratio_full_risk"]:
        raise PolicyError("curves.demand_ratio_no_risk：必须大于 curves.demand_ratio_full_risk")
    if c["employment_no_risk"] <= c["employment_full_risk"]:
        raise PolicyError("curves.employment_no_risk：必须大于 curves.employment_full_risk")
    if c["saturation_start"] >= r["saturation_max_schools"]:
        raise PolicyError("curves.saturation_start：必须小于 rules.saturation_max_schools")
    if r["yellow_score"] > r["red_score"]:
        raise PolicyError("rules.yellow_score：不能大于 rules.red_score")


def _string_list(value: Any, name: str) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise PolicyError(f"{name}: must be a non-empty list of names")
    return [v.strip() for v in value]
