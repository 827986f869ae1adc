"""Response models of the JSON API: exactly the fields each role may see (they feed the OpenAPI text)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    """Every error answer: a plain Chinese sentence, no stack trace."""

    detail: str = Field(description="错误说明（中文）")


class Me(BaseModel):
    """Who the token belongs to and which edition is in force."""

    role: Literal["school", "commission"]
    school_code: str | None = Field(description="学校令牌对应的学校代码；教委令牌为空")
    label: str
    edition: str | None


class Count(BaseModel):
    value: str
    count: int


class TrendPoint(BaseModel):
    """The offering's risk score in one edition."""

    edition: str
    risk_score: float


class ScorePart(BaseModel):
    """One part of an offering's score: a part of the major's score, or the school's own adjustment."""

    key: str = Field(description="part_* 或 school（本校情况 = 专业点风险分值 − 专业风险分值）")
    label: str
    value: float


class SchoolMajor(BaseModel):
    """One of a school's own majors: its own score and flags beside the major's, reasons, own vs city figures."""

    major_code: str
    major_name: str
    level: str | None
    category_name: str | None
    school_risk_score: float | None = Field(default=None, description="本专业点风险分值 0–100（本校）")
    school_flags: str | None = Field(default=None, description="本专业点提示（本校）")
    risk_score: float | None = Field(description="专业风险分值 0–100（全市）")
    warning_level: str | None = Field(description="预警等级：红 / 黄 / 绿")
    guidance: str | None = Field(description="指导类别")
    restriction: str | None = Field(description="本校适用的限制类型（如有）")
    certainty: str | None = Field(default=None, description="结论确定性：确定 / 临界（观察名单）/ 证据不足")
    cause: str | None = Field(default=None, description="主要原因（产业清单、人才需求、毕业去向、招生萎缩、布点过多、所在区、人工复核）")
    what_would_change: str | None = Field(default=None, description="如何改变结论（本专业点及全市专业）")
    short_reason: str | None = Field(default=None, description="简要依据")
    reasons: str | None = Field(description="依据")
    basis: str | None = Field(default=None, description="详细依据（版本提供时）")
    parts: list[ScorePart] | None = Field(default=None, description="分值构成（版本提供时）")
    p_red_at_graduation: float | None = Field(default=None, description="毕业时红色预警可能性 0–1（全市该专业，版本提供时）")
    p_red_at_graduation_low: float | None = Field(default=None, description="其下限")
    p_red_at_graduation_high: float | None = Field(default=None, description="其上限")
    latest_year: int | None
    enrolled: int | None
    enrolled_prev: int | None
    graduates: int | None
    employment_rate: float | None
    in_field_rate: float | None
    city_employment_rate: float | None
    city_in_field_rate: float | None
    city_avg_enrolled: float | None
    trend: list[TrendPoint] = Field(description="历版风险分值，按版本先后")


class SchoolSummary(BaseModel):
    """A school's summary, counted from all its offerings (not from one of them)."""

    offerings: int
    by_warning_level: list[Count]
    by_guidance: list[Count]
    exit: int = Field(description="提示“退出”的专业点数")
    restricted: int = Field(description="适用禁限目录的专业点数")
    flagged: int = Field(description="有本校提示的专业点数")
    employment_rate: float | None = Field(description="本校毕业去向落实率（按毕业生数加权）")
    city_employment_rate: float | None = Field(description="同样专业的全市落实率（按本校毕业生数加权）")
    employment_offerings: int
    below_city: int = Field(description="落实率低于全市同专业的专业点数")


class ActionRow(BaseModel):
    """One row of the edition's action plan (专业调整行动清单) about the school's own offering."""

    major_code: str
    major_name: str
    action: str = Field(description="调整措施：撤并 / 限制招生 / 撤销 / 改造升级 / 合作办学")
    students_in_school: int | None = Field(None, description="在校生（估算）")
    last_cohort_graduates: int | None = Field(None, description="末届毕业年份")
    receiving_majors: str | None = Field(None, description="可承接专业（本校优先，其次本区）")
    upgrade_toward: str | None = Field(None, description="改造升级方向")
    partner_regions: str | None = Field(None, description="合作地区")
    shortage_kind: str = Field(description="缺口类型：训练缺口 / 留任缺口 / 无缺口 / 数据不足")
    evidence: str = Field(description="依据")


class SchoolView(BaseModel):
    """A school's page: its own offerings only (a page of them)."""

    edition: str
    school_code: str
    school_name: str
    district: str | None
    summary: SchoolSummary
    total: int = Field(description="符合筛选条件的专业点数")
    limit: int
    offset: int
    majors: list[SchoolMajor]
    actions: list[ActionRow] = Field(default_factory=list, description="本校专业点的调整行动（专业调整行动清单中本校的行）")


class SchoolMajorDetail(BaseModel):
    """One of the school's own majors, on its own."""

    edition: str
    school_code: str
    major: SchoolMajor


class DownloadFile(BaseModel):
    name: str
    label: str
    bytes: int
    url: str
    public: bool


class EditionInfo(BaseModel):
    """An edition with the files the caller may download."""

    edition: str
    current: bool
    files: list[DownloadFile]


class EditionList(BaseModel):
    current: str
    editions: list[EditionInfo]


class CommissionSummary(BaseModel):
    """The commission's overview of the edition in force."""

    edition: str
    majors: int
    schools: int
    offerings: int
    restrictions: int
    by_guidance: list[Count]
    by_warning_level: list[Count]
    watch: int = Field(default=0, description="观察名单：结论确定性为“临界”的专业数")
    by_cause: list[Count] = Field(default_factory=list, description="预警或限制的专业按主要原因计数")
    editions: list[EditionInfo]


class CatalogMajor(BaseModel):
    """A row of the guiding catalog (专业指导性目录)."""

    major_code: str
    major_name: str
    level: str | None
    category_name: str | None
    guidance: str | None
    warning_level: str | None
    risk_score: float | None
    certainty: str | None = Field(default=None, description="结论确定性：确定 / 临界 / 证据不足")
    cause: str | None = Field(default=None, description="主要原因")
    what_would_change: str | None = Field(default=None, description="如何改变结论")
    watch_note: str | None = Field(default=None, description="临界说明")
    exposure_prohibited: float | None = None
    exposure_restricted: float | None = None
    exposure_transforming: float | None = None
    exposure_high_end: float | None = None
    exposure_urban_service: float | None = None
    exposure_relocated: float | None = None
    demand_supply_ratio: float | None = None
    employment_rate: float | None = None
    reasons: str | None
    restriction: str | None = Field(default=None, description="禁限目录中的限制类型（如有）")
    restriction_scope: str | None = None


class MajorPage(BaseModel):
    edition: str
    total: int
    limit: int
    offset: int
    items: list[CatalogMajor]


class SchoolListItem(BaseModel):
    """One school in the commission's list."""

    school_code: str
    school_name: str
    district: str | None
    majors: int
    red: int
    yellow: int
    exit: int = Field(description="提示“退出”的专业点数")
    max_school_risk_score: float | None = Field(description="最高的专业点风险分值")


class SchoolPage(BaseModel):
    edition: str
    total: int
    limit: int
    offset: int
    items: list[SchoolListItem]


class PrecheckCheck(BaseModel):
    """One answer of 新设专业预审: what was checked, the result, why, and the rule behind it."""

    check: str = Field(description="检查项")
    result: Literal["通过", "不通过", "提示"]
    why: str = Field(description="理由")
    rule: str = Field(description="依据的规则（政策键及出处）")


class PrecheckAnswer(BaseModel):
    """新设专业预审: may this school open this major in its district this year (the same answer as the CLI)."""

    edition: str
    school_code: str | None
    school_name: str | None
    district: str | None
    major_code: str | None = Field(description="拟新设专业代码（不在目录中时为空）")
    major_name: str | None
    verdict: Literal["可以", "不可以", "可以，但请注意提示"]
    checks: list[PrecheckCheck]
