"""The scoring policy: weights, thresholds and rules the commission can change, loaded from YAML.

Every value in `policy.yaml` is an entry `{value, source, description}`: `source` (which document or
whose default it is) is required. The file is validated by pydantic models, one per section, so code
reads `policy.rules.employment_floor`; an error names the file and the field in Chinese. An edition
records `Policy.version` and `Policy.sha256` and embeds `Policy.as_dict()` (the whole file).
"""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path
from typing import Annotated, Any, ClassVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, model_validator

from scoring.policy_errors import message as _message

DEFAULT_PATH = Path(__file__).with_name("policy.yaml")
EXAMPLES = Path(__file__).with_name("policies")
GUIDANCE = ("停止新设", "限制", "控制发展", "改造升级", "合作办学", "优先发展", "重点建设", "正常")

_INF = float("inf")


def _num(low: float, high: float = _INF) -> Any:
    return Annotated[float, Field(ge=low, le=high, strict=True, allow_inf_nan=False)]


def _int(low: int, high: int = 10**6) -> Any:
    return Annotated[int, Field(ge=low, le=high, strict=True)]


Share, Points = _num(0, 1), _num(0, 100)


class PolicyError(ValueError):
    """The policy file is malformed; the message names the file and the offending key."""


class _Section(BaseModel):
    """A section of `{key: {value, source, description}}` entries, validated as `{key: value}`."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: ClassVar[str]

    @model_validator(mode="before")
    @classmethod
    def _unwrap(cls, data: Any, info: ValidationInfo) -> Any:
        if not isinstance(data, dict):
            raise ValueError(f"{cls.name}：必须是键值映射")
        out = {}
        for key, node in data.items():
            if key not in cls.model_fields:
                raise ValueError(f"{cls.name}.{key}：未知的键（应为 {'、'.join(cls.model_fields)} 之一）")
            out[key] = _entry(node, f"{cls.name}.{key}", info)
        return out


def _entry(node: Any, name: str, info: ValidationInfo) -> Any:
    """The value of one `{value, source}` entry; records its source in the validation context."""
    if not isinstance(node, dict) or "value" not in node:
        raise ValueError(f"{name}：缺失，或没有 value")
    src = node.get("source")
    if not isinstance(src, str) or not src.strip():
        raise ValueError(f"{name}.source：每个取值都必须写明出处")
    if info.context is not None:
        info.context[name] = src.strip()
    return node["value"]


class Weights(_Section):
    name = "weights"
    prohibited: Points
    restricted: Points
    transforming: Points
    relocated: Points
    demand: Points
    employment: Points
    enrolment: Points
    saturation: Points

    @model_validator(mode="after")
    def _total(self) -> Weights:
        total = sum(self.model_dump().values())
        if abs(total - 100) > 1e-9:
            raise ValueError(f"weights：各风险组成部分的分值合计必须为 100，实际为 {total:g}")
        return self


class Relief(_Section):
    name = "relief"
    high_end: Points
    urban_service: Points


class Curves(_Section):
    name = "curves"
    demand_ratio_no_risk: _num(0)
    demand_ratio_full_risk: _num(0)
    demand_trend_share: Share
    demand_fall_full_risk: _num(0.001, 1)
    employment_no_risk: Share
    employment_full_risk: Share
    employment_prev_share: Share
    enrolment_drop_full_risk: _num(0.001, 1)
    saturation_start: _int(0)
    scoped_exposure_factor: Share

    @model_validator(mode="after")
    def _order(self) -> Curves:
        if self.demand_ratio_no_risk <= self.demand_ratio_full_risk:
            raise ValueError("curves.demand_ratio_no_risk：必须大于 curves.demand_ratio_full_risk")
        if self.employment_no_risk <= self.employment_full_risk:
            raise ValueError("curves.employment_no_risk：必须大于 curves.employment_full_risk")
        return self


class Rules(_Section):
    name = "rules"
    employment_floor: Share
    employment_yellow_years: _int(1, 5)
    employment_red_years: _int(1, 5)
    employment_bottom_share: _num(0, 0.5)
    exit_zero_enrolment_years: _int(1, 20)
    saturation_max_schools: _int(1)
    saturation_needs_falling_demand: Annotated[bool, Field(strict=True)]
    falling_demand_trend: _num(-1, 1)
    prohibited_share: Share
    restricted_share: Share
    transforming_share: Share
    relocated_share: Share
    priority_high_end_min: Share
    priority_ratio_min: _num(0)
    key_urban_service_min: Share
    key_ratio_min: _num(0)
    control_score: Points
    red_score: Points
    yellow_score: Points

    @model_validator(mode="after")
    def _order(self) -> Rules:
        if self.yellow_score > self.red_score:
            raise ValueError("rules.yellow_score：不能大于 rules.red_score")
        if self.employment_yellow_years > self.employment_red_years:
            raise ValueError("rules.employment_yellow_years：不能大于 rules.employment_red_years")
        return self


class School(_Section):
    name = "school"
    employment_gap_points: Points
    employment_gap_full: _num(0.001, 1)
    exit_points: Points
    district_points: Points


class Evidence(_Section):
    name = "evidence"
    pool_years: _int(1, 5)
    min_graduates: _int(0)
    min_demand: _int(0)
    min_enrolled: _int(0)
    interval_z: _num(0.5, 4)


class Districts(_Section):
    name = "districts"
    no_vocational: tuple[Annotated[str, Field(min_length=1)], ...] = Field(min_length=1)


class Actions(_Section):
    name = "actions"
    receiving_min_similarity: Share
    receiving_max: _int(1, 10)
    pay_lag_share: Share
    high_demand_ratio: _num(0)
    rising_min_growth: _num(0)
    rising_min_postings: _int(1)
    candidate_schools_max: _int(1, 20)


class Backbone(_Section):
    name = "backbone"
    industry_fit: Points
    employment: Points
    in_field: Points
    demand: Points
    enrolment_stability: Points
    pay: Points
    count: _int(1, 10000)
    min_graduates: _int(0)

    @model_validator(mode="after")
    def _total(self) -> Backbone:
        total = sum(v for k, v in self.model_dump().items() if k in BACKBONE_PARTS)
        if abs(total - 100) > 1e-9:
            raise ValueError(f"backbone：各组成部分的分值合计必须为 100，实际为 {total:g}")
        return self


BACKBONE_PARTS = ("industry_fit", "employment", "in_field", "demand", "enrolment_stability", "pay")


class Policy(BaseModel):
    """One version of the scoring policy (read-only)."""

    model_config = ConfigDict(frozen=True, extra="ignore", arbitrary_types_allowed=True)
    version: Annotated[str, Field(min_length=1, strict=True)]
    title: str = ""
    weights: Weights
    relief: Relief
    curves: Curves
    rules: Rules
    school: School
    evidence: Evidence
    districts: Districts
    zones: dict[str, tuple[str, ...]]
    guidance_precedence: tuple[str, ...]
    # optional: editions published before issue 28 embed policies without them
    actions: Actions | None = None
    backbone: Backbone | None = None
    sha256: str = ""
    path: Path = DEFAULT_PATH
    sources: dict[str, str] = Field(default_factory=dict)
    raw: dict[str, Any] = Field(default_factory=dict, repr=False)

    @model_validator(mode="before")
    @classmethod
    def _top(cls, data: Any, info: ValidationInfo) -> Any:
        if not isinstance(data, dict):
            raise ValueError("顶层必须是键值映射")
        version = data.get("version")
        if not isinstance(version, str) or not version.strip():
            raise ValueError("version：必须是加引号的非空字符串，例如 \"2026.1\"")
        data = {**data, "version": version.strip()}
        for key in ("zones", "guidance_precedence"):
            if key in data:
                data[key] = _entry(data[key], key, info)
        zones = data.get("zones")
        if not isinstance(zones, dict) or not zones:
            raise ValueError("zones.value：必须是“功能区 → [区名列表]”的映射")
        precedence = data.get("guidance_precedence")
        if not isinstance(precedence, list) or sorted(map(str, precedence)) != sorted(GUIDANCE):
            raise ValueError(f"guidance_precedence.value：必须把 {'、'.join(GUIDANCE)} 各列出且只列出一次")
        return data

    @model_validator(mode="after")
    def _across(self) -> Policy:
        if self.curves.saturation_start >= self.rules.saturation_max_schools:
            raise ValueError("curves.saturation_start：必须小于 rules.saturation_max_schools")
        return self

    @property
    def no_vocational_districts(self) -> tuple[str, ...]:
        return self.districts.no_vocational

    def as_dict(self) -> dict[str, Any]:
        """The whole policy as plain data (values, sources, descriptions) plus version and sha256."""
        out = copy.deepcopy(self.raw)
        out["version"] = self.version
        out["sha256"] = self.sha256
        return out

    def districts_in(self, scope: str) -> tuple[str, ...]:
        """The districts a scope covers: a zone's districts, or the district itself."""
        return self.zones.get(scope, (scope,))


def policy_from_dict(raw: dict[str, Any], name: str = "datapackage.json") -> Policy:
    """The policy embedded in an edition (`Policy.as_dict()`), validated the same way as the file."""
    raw = {k: v for k, v in raw.items() if k not in ("sha256",)}
    sources: dict[str, str] = {}
    try:
        policy = Policy.model_validate(raw, context=sources)
    except ValidationError as exc:
        raise PolicyError(f"评分政策（{name}）：" + "；".join(_message(e) for e in exc.errors())) from None
    return policy.model_copy(update={"sources": sources, "raw": raw})


def load_policy(path: Path | None = None) -> Policy:
    """Read and validate a policy file (default: the bundled `scoring/policy.yaml`).

    Every error names the file and the key, in Chinese: the commission edits this file."""
    path = Path(path) if path is not None else DEFAULT_PATH
    data = path.read_bytes()
    try:
        raw = yaml.safe_load(data.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise PolicyError(f"评分政策文件 {path} 不是有效的 UTF-8 YAML：{exc}") from exc
    sources: dict[str, str] = {}
    try:
        policy = Policy.model_validate(raw, context=sources)
    except ValidationError as exc:
        raise PolicyError(f"评分政策文件 {path}：" + "；".join(_message(e) for e in exc.errors())) from None
    return policy.model_copy(update={"sha256": hashlib.sha256(data).hexdigest(), "path": path,
                                     "sources": sources, "raw": raw})
