"""The real major→occupation correspondence (MOHRSS 2023 guide) as the proposer's frames, read in place.

Read from ``../shared/data/reference`` (see each folder's SOURCE.md; nothing is copied into the project):
the 2021 vocational catalog with its K supplement (majors), the MOE 专业简介's 职业面向 (each major's
description), the guide's sheets (pairs) and the 2022 大典 (occupations: names, parents and, from its
markdown, each code's definition and 主要工作任务 as ``description``).
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "data" / "reference"
SHEETS = {"高职专科": "major_occupation_gaozhi_zhuanke.csv", "中职": "major_occupation_zhongzhi.csv",
          "职教本科": "major_occupation_zhijiao_benke.csv"}
_HEADING = re.compile(r"^#\s*(\d(?:-\d{2}){0,3})")
_SKIP = ("本职业包含", "主要工作任务", "本小类包括", "本中类包括", "本大类包括")
_NEXT_CODE = re.compile(r"\d-\d{2}(?:-\d{2})?(?:-\d{2})?[（(]GBM.*$")  # a heading the OCR lost the '#' of


class ReferenceMissing(FileNotFoundError):
    """A reference file is not there (a checkout without ../shared)."""


def read(*parts: str) -> pl.DataFrame:
    path = REFERENCE.joinpath(*parts)
    if not path.exists():
        raise ReferenceMissing(f"{path} is not there (../shared/data/reference)")
    return pl.read_csv(path, infer_schema=False)


def occupation_definitions() -> pl.DataFrame:
    """occupation_code, description: the text under each code's heading in the 大典's markdown (大类 1–6)."""
    texts: dict[str, list[str]] = {}
    for n in range(1, 7):
        path = REFERENCE / "occupation-classification-2022" / "md" / f"class_{n}.md"
        if not path.exists():
            raise ReferenceMissing(f"{path} is not there (../shared/data/reference)")
        code = None
        for line in path.read_text(encoding="utf-8").splitlines():
            heading = _HEADING.match(line)
            if heading:
                code = heading.group(1)
                texts.setdefault(code, [])
            elif code and not line.startswith("#") and line.strip() and not line.strip().startswith(_SKIP):
                texts[code].append(re.sub(r"\s+", "", line))
    return pl.DataFrame({"occupation_code": list(texts),
                         "description": [_NEXT_CODE.sub("", "".join(t)) for t in texts.values()]})


def frames(levels: tuple[str, ...] = ("高职专科",), definitions: bool = True
           ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """majors (the catalog's majors of ``levels``, 职业面向 as description), the guide's pairs of those levels,
    occupations (names, parents, definitions unless ``definitions`` is off)."""
    classes = read("occupation-classification-2022", "occupations_2022_classes1-6.csv")
    catalog = pl.concat([read("vocational-major-catalog", "vocational_majors.csv"),
                         read("vocational-major-catalog", "vocational_majors_k_supplement.csv")])
    profiles = read("vocational-major-profiles", "major_profiles.csv")
    majors = (catalog.filter(pl.col("层次").is_in(levels))
              .select(major_code="专业代码", major_name="专业名称", level="层次", category_name="专业大类",
                      class_name="专业类")
              .join(profiles.select("major_code", description="occupation_orientation"), on="major_code",
                    how="left"))
    mapping = pl.concat([read("major-occupation-mapping", SHEETS[level]) for level in levels])
    pairs = (mapping.select(major_code="专业代码", occupation_code="职业编码").unique()
             .filter(pl.col("major_code").is_in(majors["major_code"].implode())))
    named = classes.select(occupation_code="code", occupation_name="name", parent_code="parent")
    missing = (mapping.select(occupation_code="职业编码", occupation_name="职业名称").unique("occupation_code")
               .filter(~pl.col("occupation_code").is_in(named["occupation_code"].implode()))
               .with_columns(parent_code=pl.lit(None, pl.String)))
    occupations = pl.concat([named, missing])
    if definitions:
        occupations = occupations.join(occupation_definitions(), on="occupation_code", how="left")
    return majors, pairs, occupations
