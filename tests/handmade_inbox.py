"""Write the scoring fixtures (tests/scoring_fixtures.py) as a real inbox of files, as a school data office would."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from tests import scoring_fixtures as fx

CATEGORY_CN = {"prohibited": "禁止", "restricted": "限制", "transforming": "调整转型", "high_end": "高精尖",
               "urban_service": "城市服务紧缺", "relocated": "疏解转移"}


def write_handmade_inbox(folder: Path, frames: fx.Frames | None = None) -> Path:
    frames = frames or fx.build()
    folder.mkdir(parents=True, exist_ok=True)
    frames.majors.drop("description").rename({
        "major_code": "专业代码", "major_name": "专业名称", "level": "层次", "category_name": "专业大类",
        "class_name": "专业类"}).write_csv(folder / "专业目录.csv", include_bom=True)
    frames.industries.select("industry_code", "industry_name", "parent_code").write_csv(folder / "industries.csv")
    frames.major_industry_map.write_csv(folder / "major_industry_map.csv")
    adjustments = frames.industry_adjustments.with_columns(
        pl.col("category").replace_strict(CATEGORY_CN), pl.col("effective_from").cast(pl.String))
    adjustments.rename({"list_name": "清单名称", "category": "类别", "industry_code": "行业代码",
                        "scope": "适用区域", "effective_from": "生效日期", "note": "说明"}).write_csv(
        folder / "产业调整清单.csv")
    frames.schools.rename({"school_code": "学校代码", "school_name": "学校名称", "level": "办学层次",
                           "district": "所在区"}).write_csv(folder / "schools.csv.tmp")
    # schools as Excel on Chinese Windows saves it: GB18030
    text = (folder / "schools.csv.tmp").read_text(encoding="utf-8")
    (folder / "schools.csv").write_bytes(text.encode("gb18030"))
    (folder / "schools.csv.tmp").unlink()
    frames.school_majors.write_csv(folder / "school_majors.csv")
    frames.labor_market.drop("year", "quarter").write_csv(folder / "labor_market.csv")
    return folder
