"""Reference tables of the sample inbox: majors, industries, occupations and their mappings.

The majors and their maps have the hand-written catalog's 481 majors below national scales and the national
catalog's 1,490 from ``majors.NATIONAL_SCALE`` on; the industries and occupations do not grow with ``--scale``.
They depend on the seed only where the real catalogs have gaps (which majors lack a description, which ones the
correspondence guide leaves unmapped).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from sample_data.majors import major_catalog
from sample_data.profiles import PROFILES
from sample_data.vocab_adjustments import ADJUSTMENTS
from sample_data.vocab_domains import DOMAINS
from sample_data.vocab_industries import industry_rows
from sample_data.vocab_majors import Major
from sample_data.vocab_occupations import OCCUPATION_NAMES, occupation_rows

UNMAPPED_SHARE = 0.10
"""Share of majors left out of `major_industry_map` (the pipeline's model proposes industries)."""
_QUIET_PROFILES = ("normal", "growing")
"""Only majors of these profiles are left unmapped, so every planted signal stays visible."""


def _rng(seed: int, part: int) -> np.random.Generator:
    return np.random.default_rng([seed, part])


def description(major: Major) -> str:
    """The 职业面向 text of a major, built from its domain's occupations and work."""
    domain = DOMAINS[major.domain]
    occupations = "、".join(OCCUPATION_NAMES[c] for c in domain.occupations[:3])
    return (f"本专业培养掌握{major.name}专业知识和技术技能的高素质技术技能人才，"
            f"面向{occupations}等职业，从事{domain.work}等工作。")


def majors_frame(seed: int, scale: int = 1) -> pl.DataFrame:
    """The catalog with Chinese headers as `majors.csv` carries them; ~8% lack a description."""
    majors = major_catalog(scale)
    missing = _rng(seed, 1).random(len(majors)) < 0.08
    return pl.DataFrame({
        "专业代码": [m.code for m in majors],
        "专业名称": [m.name for m in majors],
        "层次": [m.level for m in majors],
        "专业大类": [m.category_name for m in majors],
        "专业类": [m.class_name for m in majors],
        "职业面向": [None if gap else description(m) for m, gap in zip(majors, missing, strict=True)],
    })


def industries_frame() -> pl.DataFrame:
    """GB/T 4754-2017 codes, names and parents (门类 letters for 大类, blank above)."""
    rows = industry_rows()
    return pl.DataFrame(rows, schema=["industry_code", "industry_name", "parent_code"], orient="row")


def occupations_frame() -> pl.DataFrame:
    """Occupation codes and names, every level."""
    return pl.DataFrame(occupation_rows(), schema=["occupation_code", "occupation_name"], orient="row")


def major_industry_frame(seed: int, scale: int = 1) -> pl.DataFrame:
    """Which industries each major prepares for; ~10% of the quiet majors are left out.

    Signal majors keep all their domain's industries (so a steel major maps only to 禁止 codes);
    quiet majors keep a random non-empty subset. About 5% of majors carry no weights.
    """
    rng = _rng(seed, 2)
    majors = major_catalog(scale)
    quiet = [i for i, m in enumerate(majors) if PROFILES_OF[m.domain] in _QUIET_PROFILES]
    unmapped = set(rng.choice(quiet, size=round(UNMAPPED_SHARE * len(majors)), replace=False).tolist())
    rows: list[tuple[str, str, float | None]] = []
    for i, major in enumerate(majors):
        if i in unmapped:
            continue
        pairs = list(DOMAINS[major.domain].industries)
        if i in quiet and len(pairs) > 1:
            keep = rng.random(len(pairs)) < 0.7
            keep[0] = keep[0] or not keep.any()
            pairs = [p for p, k in zip(pairs, keep, strict=True) if k]
        unweighted = rng.random() < 0.05
        for code, weight in pairs:
            jitter = float(rng.uniform(0.8, 1.2))
            rows.append((major.code, code, None if unweighted else round(weight * jitter, 2)))
    return pl.DataFrame(rows, schema={"major_code": pl.String, "industry_code": pl.String,
                                      "weight": pl.Float64}, orient="row")


def major_occupation_frame(seed: int, scale: int = 1) -> pl.DataFrame:
    """Which occupations each major prepares for (~92% of majors, 1–3 occupations each)."""
    rng = _rng(seed, 3)
    rows: list[tuple[str, str, float]] = []
    for major in major_catalog(scale):
        if rng.random() < 0.08:
            continue
        occupations = DOMAINS[major.domain].occupations
        count = int(rng.integers(1, min(3, len(occupations)) + 1))
        for rank, code in enumerate(occupations[:count]):
            rows.append((major.code, code, round(1.0 / (rank + 1), 2)))
    return pl.DataFrame(rows, schema={"major_code": pl.String, "occupation_code": pl.String,
                                      "weight": pl.Float64}, orient="row")


def adjustments_frame() -> pl.DataFrame:
    """The industry-adjustment lists with the Chinese headers of the official spreadsheets."""
    return pl.DataFrame(ADJUSTMENTS, schema=["清单名称", "类别", "行业代码", "适用区域", "生效日期", "说明"],
                        orient="row")


PROFILES_OF: dict[str, str] = {key: d.profile for key, d in DOMAINS.items()}
assert set(PROFILES_OF.values()) <= set(PROFILES), "every domain profile must be defined"
