"""Which majors could take the students and teachers of an offering that is merged, shrunk or closed.

Two majors are similar by three measures, averaged with fixed weights:
- the text of their name and 职业面向 (character 1–3 gram TF-IDF cosine, the vectorizer the mapping proposers
  use, ``ml/tfidf.py``);
- the occupations they lead to (Jaccard overlap in ``major_occupation_map``);
- the industries they serve (Jaccard overlap of their mapped industries at 大类 level, ``major_industry_map``).
A measure a major has no data for counts as 0 for it. Receiving offerings must be healthy (green, no
restriction, no exit, in a district that keeps vocational education) and similar enough (policy ``actions.receiving_min_similarity``); the same school's come
first, then the district's, each by similarity.
"""

from __future__ import annotations

import numpy as np
import polars as pl

WEIGHTS = {"text": 0.5, "occupation": 0.25, "industry": 0.25}
BLOCKING = ("停止新设", "限制")
EXIT_FLAG, NO_VOCATIONAL_FLAG = "退出", "不再举办职业教育"  # the school flags of scoring/schools.py


def major_texts(majors: pl.DataFrame) -> list[str]:
    description = pl.col("description") if "description" in majors.columns else pl.lit(None, pl.String)
    return majors.select(pl.concat_str(pl.col("major_name"), description.fill_null(""), separator=" ")
                         ).to_series().to_list()


def _jaccard(codes: list[str], pairs: pl.DataFrame, key: str) -> np.ndarray:
    """Jaccard overlap of each pair of majors' ``key`` sets (0 where either is empty)."""
    index = {c: i for i, c in enumerate(codes)}
    n = len(codes)
    if pairs.height == 0:
        return np.zeros((n, n))
    pairs = pairs.filter(pl.col("major_code").is_in(codes)).select("major_code", key).unique()
    values = {v: j for j, v in enumerate(pairs[key].unique().sort().to_list())}
    member = np.zeros((n, max(len(values), 1)))
    for major, value in pairs.iter_rows():
        member[index[major], values[value]] = 1.0
    both = member @ member.T
    size = member.sum(axis=1)
    either = size[:, None] + size[None, :] - both
    return np.divide(both, either, out=np.zeros_like(both), where=either > 0)


def similarity(majors: pl.DataFrame, major_occupation_map: pl.DataFrame | None,
               major_industry_map: pl.DataFrame | None, weights: dict[str, float] | None = None) -> pl.DataFrame:
    """major_code, other_code, similarity (0–1) for every ordered pair of distinct majors with any similarity."""
    weights = weights or WEIGHTS
    codes = majors["major_code"].to_list()
    if not codes:
        return pl.DataFrame(schema={"major_code": pl.String, "other_code": pl.String, "similarity": pl.Float64})
    # scikit-learn (through ml.tfidf) is imported here, when the action plan is built, not when the definitions
    # load: a run's own process keeps it out until then (tests/test_model_assets.py holds the rest of the run to it)
    from ml.tfidf import fit_vectorizer, transform

    texts = major_texts(majors)
    rows = transform(fit_vectorizer(texts), texts)
    text = np.asarray((rows @ rows.T).todense())
    empty = pl.DataFrame(schema={"major_code": pl.String, "code": pl.String})
    occupations = (major_occupation_map.select("major_code", pl.col("occupation_code").alias("code"))
                   if major_occupation_map is not None and major_occupation_map.height else empty)
    industries = (major_industry_map.select("major_code", pl.col("industry_code").str.slice(0, 2).alias("code"))
                  if major_industry_map is not None and major_industry_map.height else empty)
    total = (weights["text"] * text + weights["occupation"] * _jaccard(codes, occupations, "code")
             + weights["industry"] * _jaccard(codes, industries, "code"))
    np.fill_diagonal(total, 0.0)
    i, j = np.nonzero(total > 0)
    code = np.asarray(codes, dtype=object)
    return pl.DataFrame({"major_code": code[i].tolist(), "other_code": code[j].tolist(),
                         "similarity": np.round(total[i, j], 6)},
                        schema={"major_code": pl.String, "other_code": pl.String, "similarity": pl.Float64})


def healthy(offerings: pl.DataFrame) -> pl.Expr:
    """An offering that can take students: green, no restriction, not told to stop, not exiting, and in a
    district that still runs vocational education."""
    flags = pl.col("school_flags").fill_null("") if "school_flags" in offerings.columns else pl.lit("")
    return ((pl.col("warning_level") == "绿") & pl.col("restriction").is_null()
            & ~pl.col("guidance").is_in(BLOCKING) & ~flags.str.contains(EXIT_FLAG)
            & ~flags.str.contains(NO_VOCATIONAL_FLAG, literal=True))


def receiving_majors(affected: pl.DataFrame, offerings: pl.DataFrame, pairs: pl.DataFrame,
                     min_similarity: float, limit: int) -> pl.DataFrame:
    """For each affected (school_code, major_code): up to ``limit`` receiving offerings, same school first,
    then others in its district, each group by similarity (then code). Columns: school_code, major_code,
    receiving (list of `code 名称（本校 / 某区其他学校）` strings), receiving_codes (list of major codes)."""
    schema = {"school_code": pl.String, "major_code": pl.String, "receiving": pl.List(pl.String),
              "receiving_codes": pl.List(pl.String)}
    if affected.height == 0:
        return pl.DataFrame(schema=schema)
    able = offerings.filter(healthy(offerings)).select(
        pl.col("school_code").alias("to_school"), pl.col("school_name").alias("to_school_name"),
        pl.col("district").alias("to_district"), pl.col("major_code").alias("other_code"),
        pl.col("major_name").alias("other_name"))
    here = affected.select("school_code", "major_code", "district")
    ranked = (here.join(pairs.filter(pl.col("similarity") >= min_similarity), on="major_code")
              .join(able, on="other_code")
              .filter((pl.col("to_school") == pl.col("school_code")) | (pl.col("to_district") == pl.col("district")))
              .with_columns(same=pl.col("to_school") == pl.col("school_code"))
              .sort(["school_code", "major_code", "same", "similarity", "other_code", "to_school"],
                    descending=[False, False, True, True, False, False])
              .unique(["school_code", "major_code", "other_code"], keep="first", maintain_order=True)
              .group_by("school_code", "major_code", maintain_order=True).head(limit))
    # another school's offering is named by its district only: a school's page never names another school (or,
    # through it, that school's verdict); the commission finds it with the plan's district filter
    label = pl.concat_str(pl.col("other_code"), pl.lit(" "), pl.col("other_name"), pl.lit("（"),
                          pl.when(pl.col("same")).then(pl.lit("本校"))
                          .otherwise(pl.concat_str(pl.col("to_district"), pl.lit("其他学校"))), pl.lit("）"))
    found = ranked.group_by("school_code", "major_code", maintain_order=True).agg(
        receiving=label, receiving_codes=pl.col("other_code"))
    return here.drop("district").join(found, on=["school_code", "major_code"], how="left").select(list(schema))
