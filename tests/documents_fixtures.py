"""A small, hand-made edition for the documents tests: three industry groups, four majors, three schools."""

from __future__ import annotations

from datetime import date

import polars as pl

from scoring.catalog import CATALOG_COLUMNS, RESTRICTION_COLUMNS, SCHOOL_COLUMNS


def warehouse_tables() -> dict[str, pl.DataFrame]:
    industries = pl.DataFrame({
        "industry_code": ["C", "I", "13", "14", "65", "651"],
        "industry_name": ["制造业", "信息传输、软件和信息技术服务业", "农副食品加工业", "食品制造业", "软件和信息技术服务业", "软件开发"],
        "parent_code": [None, None, "C", "C", "I", "65"],
        "industry_level": ["门类", "门类", "大类", "大类", "大类", "中类"],
        "section": ["C", "I", "C", "C", "I", "I"]})
    majors = pl.DataFrame({"major_code": ["700101", "700102", "710201", "710202"],
                           "major_name": ["食品加工技术", "食品检验", "软件技术", "云计算技术"],
                           "level": ["中职"] * 4, "category_name": ["食品药品与粮食大类"] * 2 + ["电子与信息大类"] * 2})
    # 700102 splits 50/50 between 13 and 14; 710202 maps to a 中类 under 65
    mapping = pl.DataFrame({"major_code": ["700101", "700102", "700102", "710201", "710202"],
                            "industry_code": ["13", "13", "14", "65", "651"], "weight": [None, 0.5, 0.5, 1.0, None]})
    schools = pl.DataFrame({"school_code": ["S1", "S2", "S3"], "school_name": ["第一职校", "第二职校", "第三职校"],
                            "level": ["中职"] * 3, "district": ["朝阳区", "朝阳区", "海淀区"]})
    school_majors = pl.DataFrame({
        "school_code": ["S1", "S1", "S2", "S3", "S3", "S1"], "major_code": ["700101", "700102", "710201", "710201", "710202", "700101"],
        "year": [2025, 2025, 2025, 2025, 2025, 2024], "enrolled": [100, 60, 40, 120, 80, 90],
        "graduates": [90, 50, 30, 100, 70, 80], "employed": [80, 40, 28, 90, 60, 70],
        "employed_in_field": [60, 30, 20, 70, 50, 50], "starting_salary": [5000.0] * 6})
    periods = [f"{y}-Q{q}" for y in (2024, 2025) for q in (1, 2, 3, 4)]
    rows = []
    for code, demand in (("13", 100), ("14", 100), ("65", 300), ("651", 999)):  # 651 is inside 65: not added
        for i, p in enumerate(periods):
            rows.append({"period": p, "year": int(p[:4]), "quarter": int(p[-1]), "industry_code": code,
                         "occupation_code": None, "demand": demand + i, "supply": 100, "region": "北京市"})
    labor = pl.DataFrame(rows)
    # the posting_demand asset's rows for postings 13 ×2 and 651 ×6 in 2025 (one with no industry is not counted)
    postings = pl.DataFrame({"industry_code": ["13", "651"], "year": [2025, 2025], "openings": [2, 6],
                             "postings": [1, 1], "proposed_openings": [0, 0]})
    adjustments = pl.DataFrame({"list_name": ["北京市新增产业的禁止和限制目录", "北京市“高精尖”产业活动类别"],
                                "category": ["restricted", "high_end"], "industry_code": ["13", "65"],
                                "scope": ["全市", "全市"], "effective_from": [date(2022, 1, 1)] * 2, "note": ["", ""]})
    return {"industries": industries, "majors": majors, "major_industry_map": mapping, "schools": schools,
            "school_majors": school_majors, "labor_market": labor, "posting_demand": postings,
            "industry_adjustments": adjustments, **published(majors)}


def published(majors: pl.DataFrame) -> dict[str, pl.DataFrame]:
    n = majors.height
    catalog = majors.with_columns(
        guidance=pl.Series(["限制", "改造升级", "优先发展", "正常"]), warning_level=pl.Series(["黄", "绿", "绿", "红"]),
        risk_score=pl.Series([47.5, 20.0, 5.0, 72.0]),
        **{c: pl.lit(0.0) for c in CATALOG_COLUMNS if c.startswith("exposure_")},
        demand_supply_ratio=pl.Series([1.0, 1.0, 3.0, None]), employment_rate=pl.Series([0.55, None, 0.9, 0.8]),
        reasons=pl.Series([f"依据{i}" for i in range(n)]), basis=pl.Series([f"详细依据{i}" for i in range(n)]),
    )
    catalog = catalog.with_columns(pl.lit(None, pl.String).alias(c) for c in CATALOG_COLUMNS if c not in catalog.columns)
    catalog = catalog.select(CATALOG_COLUMNS)
    restrictions = pl.DataFrame({"major_code": ["700101"], "major_name": ["食品加工技术"], "level": ["中职"],
                                 "restriction": ["限制招生"], "scope": ["全市"], "cause": ["产业清单"],
                                 "reasons": ["禁止、限制类合计超过 50%"]}).select(RESTRICTION_COLUMNS)
    scores = pl.DataFrame({
        "school_code": ["S1", "S1", "S2", "S3", "S3"], "school_name": ["第一职校", "第一职校", "第二职校", "第三职校", "第三职校"],
        "district": ["朝阳区", "朝阳区", "朝阳区", "海淀区", "海淀区"],
        "major_code": ["700101", "700102", "710201", "710201", "710202"], "warning_level": ["黄", "绿", "绿", "绿", "红"],
        "restriction": ["限制招生", None, None, None, None], "school_flags": [None] * 5,
        "enrolled": [100, 60, 40, 120, 80]})
    for c in SCHOOL_COLUMNS:
        if c not in scores.columns:
            scores = scores.with_columns(pl.lit(None, pl.String).alias(c))
    return {"guiding_catalog": catalog, "restriction_list": restrictions, "school_major_scores": scores.select(SCHOOL_COLUMNS)}
