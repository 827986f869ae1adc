"""Industry exposure: how much of each major's industries the city's adjustment lists touch.

For every major, the share (0–1) of the industries it prepares for that the city lists as prohibited,
restricted, transforming, 高精尖, 城市服务紧缺 or to be relocated. Resolution rules:

* every mapped code is spread over the finest codes (小类) below it, equally, so a major mapped to a
  大类 whose list entries cover only some of its 小类 gets a share proportional to the 小类 covered;
* a list entry on any level covers everything below it, and for each 小类 the MOST SPECIFIC entry
  wins (a 小类 listed 高精尖 under a 大类 listed 调整转型 counts as 高精尖 only); entries at the same
  level in different categories all count;
* citywide entries (scope 全市) give the `exposure_*` columns; district/zone entries are resolved the
  same way per scope and reported apart in `scoped_restrictions`, whose share for a scope counts the
  小类 prohibited (or restricted) there by the scope's own entries or citywide ones (their union), so
  it says how much of the major is banned in that place; district/zone entries of the other categories
  (调整转型, 疏解转移, 高精尖, 城市服务紧缺) are resolved the same way into `scoped_lists`, which give the
  guidance in that place (a scoped 疏解转移 entry makes 合作办学 there: scoring.rules).

Dates: an entry applies from ``effective_from`` (year, month or day; none → always) to ``effective_to``
(none → no end) as seen on the edition's reference date ``as_of``. Entries taking effect within
``upcoming_years`` after ``as_of`` are not scored; each major's share of them is returned in ``upcoming``
(and :func:`upcoming_entries` lists them) so the reasons can say "2030年1月起相关行业列入禁止类". Entries
that have ended, or start later than the window, are ignored.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from scoring.dates import horizon_end, period_end, period_start
from scoring.hierarchy import leaf_table, section_map
from scoring.revisions import crosswalk_tree

CATEGORIES = ("prohibited", "restricted", "transforming", "high_end", "urban_service", "relocated")
CATEGORY_ALIASES = {"禁止": "prohibited", "限制": "restricted", "调整转型": "transforming",
                    "高精尖": "high_end", "城市服务紧缺": "urban_service", "疏解转移": "relocated"}
CITYWIDE = "全市"
BANNED = ("prohibited", "restricted")  # scoped entries of these restrict offerings there (scoped_restrictions)
GUIDING = ("transforming", "relocated", "high_end", "urban_service")  # scoped: the guidance there (scoped_lists)
SCOPED_DTYPE = pl.List(pl.Struct({"category": pl.String, "scope": pl.String, "share": pl.Float64,
                                  "list_names": pl.List(pl.String)}))
HITS_DTYPE = pl.List(pl.Struct({"category": pl.String, "list_name": pl.String, "share": pl.Float64}))
UPCOMING_DTYPE = pl.List(pl.Struct({"category": pl.String, "list_name": pl.String, "scope": pl.String,
                                    "effective_from": pl.Date, "share": pl.Float64}))
UPCOMING_YEARS = 2


def industry_exposure(majors: pl.DataFrame, industries: pl.DataFrame, major_industry_map: pl.DataFrame,
                      industry_adjustments: pl.DataFrame, proposed: pl.DataFrame | None = None, *,
                      as_of: date, upcoming_years: int = UPCOMING_YEARS,
                      crosswalk: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per major: exposure shares, scoped restrictions, mapping source, the lists hit and the
    entries coming into force within `upcoming_years` (column `upcoming`, never scored).

    `proposed` (major_code, industry_code, score) is used only for majors with no row in the map;
    `as_of` is the edition's reference date (see the module doc); `crosswalk` (old_code, new_code: GB/T 4754
    codes of an older revision and the newer ones they became, scoring.revisions.industry_crosswalk) lets the
    entries on an older code cover the newer one.
    """
    # Every sum below adds its values sorted: polars' joins leave rows in no fixed order, and a float sum's last bit
    # depends on the order it is taken in, which let a share at a threshold (0.5) fall either side of it by run.
    weights = mapping_weights(majors, major_industry_map, proposed)
    sections = section_map(industries)
    tree = leaf_table(industries["industry_code"].to_list() + weights["industry_code"].to_list(), sections)
    if crosswalk is not None:
        tree = crosswalk_tree(tree, crosswalk, sections)
    leaf_w = (weights.join(tree, left_on="industry_code", right_on="ancestor")
              .with_columns(w=pl.col("w") / pl.len().over("major_code", "industry_code"))
              .group_by("major_code", "leaf").agg(pl.col("w").sort().sum()))
    hits = leaf_w.join(_resolve(normalize_adjustments(industry_adjustments, as_of), tree), on="leaf")
    ahead = upcoming_entries(industry_adjustments, as_of, upcoming_years)
    upcoming = (leaf_w.join(_resolve(ahead, tree, ("effective_from",)), on="leaf")
                .group_by("major_code", "category", "list_name", "scope", "effective_from")
                .agg(pl.col("w").filter(pl.col("leaf").is_first_distinct()).sort().sum().clip(0, 1).alias("share"))
                .sort("major_code", "effective_from", "category", "list_name", "scope")
                .group_by("major_code", maintain_order=True)
                .agg(pl.struct("category", "list_name", "scope", "effective_from", "share").alias("upcoming")))
    city = hits.filter(pl.col("scope") == CITYWIDE)
    shares = (city.unique(["major_code", "leaf", "category"])
              .group_by("major_code", "category").agg(pl.col("w").sort().sum().clip(0, 1).alias("share")))
    list_hits = (city.unique(["major_code", "leaf", "category", "list_name"])
                 .group_by("major_code", "category", "list_name").agg(pl.col("w").sort().sum().clip(0, 1).alias("share"))
                 .sort("major_code", "category", "list_name")
                 .group_by("major_code", maintain_order=True)
                 .agg(pl.struct("category", "list_name", "share").alias("list_hits")))
    scoped = _scoped(hits, BANNED, "scoped_restrictions")
    scoped_lists = _scoped(hits, GUIDING, "scoped_lists")
    wide = majors.select("major_code").unique().sort("major_code")
    for cat in CATEGORIES:
        part = shares.filter(pl.col("category") == cat).select("major_code", pl.col("share").alias(f"exposure_{cat}"))
        wide = wide.join(part, on="major_code", how="left")
    source = weights.group_by("major_code").agg(pl.col("mapping_source").first(),
                                                pl.col("confidence").max().alias("mapping_confidence"))
    return (wide.join(scoped, on="major_code", how="left").join(scoped_lists, on="major_code", how="left")
            .join(source, on="major_code", how="left")
            .join(list_hits, on="major_code", how="left").join(upcoming, on="major_code", how="left")
            .with_columns(pl.col("upcoming").fill_null(pl.lit([], UPCOMING_DTYPE)),
                          *[pl.col(f"exposure_{c}").fill_null(0.0) for c in CATEGORIES],
                          pl.col("scoped_restrictions").fill_null(pl.lit([], SCOPED_DTYPE)),
                          pl.col("scoped_lists").fill_null(pl.lit([], SCOPED_DTYPE)),
                          pl.col("mapping_source").fill_null("none"),
                          pl.col("list_hits").fill_null(pl.lit([], HITS_DTYPE)))
            .select("major_code", *[f"exposure_{c}" for c in CATEGORIES], "scoped_restrictions", "scoped_lists",
                    "mapping_source", "mapping_confidence", "list_hits", "upcoming")
            .sort("major_code"))


def _scoped(hits: pl.DataFrame, categories: tuple[str, ...], name: str) -> pl.DataFrame:
    """major_code, ``name``: per district/zone scope with an entry of ``categories``, each category's share of the
    major there: the 小类 its scope's own entries or citywide ones cover (their union)."""
    chosen = hits.filter(pl.col("category").is_in(list(categories)))
    local = chosen.filter(pl.col("scope") != CITYWIDE)
    also_city = (chosen.filter(pl.col("scope") == CITYWIDE).drop("scope")
                 .join(local.select("major_code", "scope").unique(), on="major_code").select(local.columns))
    return (pl.concat([local, also_city])
            .group_by("major_code", "scope", "category")
            .agg(pl.col("w").filter(pl.col("leaf").is_first_distinct()).sort().sum().clip(0, 1).alias("share"),
                 pl.col("list_name").unique().sort().alias("list_names"))
            .sort("major_code", "scope", "category")
            .group_by("major_code", maintain_order=True)
            .agg(pl.struct("category", "scope", "share", "list_names").alias(name)))


def mapping_weights(majors: pl.DataFrame, major_industry_map: pl.DataFrame,
                    proposed: pl.DataFrame | None = None) -> pl.DataFrame:
    """(major_code, industry_code, w, mapping_source, confidence): each major's industries, w summing to 1.

    Confirmed map rows win; a missing weight takes the mean of the major's given weights (equal shares
    when none is given). Majors without map rows take the model's proposals, weighted by score.
    """
    known = majors["major_code"].unique().implode()
    m = (major_industry_map.filter(pl.col("major_code").is_in(known))
         .select("major_code", "industry_code",
                 (pl.col("weight") if "weight" in major_industry_map.columns else pl.lit(None))
                 .cast(pl.Float64).alias("w"))
         .with_columns(pl.col("w").fill_null(pl.col("w").sort().mean().over("major_code")).fill_null(1.0))
         .filter(pl.col("w") > 0)
         .with_columns(mapping_source=pl.lit("map"), confidence=pl.lit(None, pl.Float64)))
    if proposed is not None and proposed.height:
        code = "industry_code" if "industry_code" in proposed.columns else "target_code"
        p = (proposed.filter(pl.col("major_code").is_in(known) & ~pl.col("major_code").is_in(
                m["major_code"].unique().implode()))
             .select("major_code", pl.col(code).alias("industry_code"), pl.col("score").cast(pl.Float64).alias("w"))
             .filter(pl.col("w") > 0)
             .with_columns(mapping_source=pl.lit("proposed"), confidence=pl.col("w").max().over("major_code")))
        m = pl.concat([m, p])
    return (m.group_by("major_code", "industry_code", "mapping_source")
            .agg(pl.col("w").sort().sum(), pl.col("confidence").first())
            .with_columns(w=pl.col("w") / pl.col("w").sort().sum().over("major_code"))
            .sort("major_code", "industry_code"))


def normalize_adjustments(adjustments: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """(list_name, category, industry_code, scope) of the entries in force on `as_of`: English
    categories, blank scope → 全市."""
    return _normalize(in_force(adjustments, as_of))


def in_force(adjustments: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """The list entries in force on `as_of` (from ``effective_from``, to ``effective_to``), as they are."""
    dated = _dated(adjustments)
    return dated.filter((pl.col("_from").is_null() | (pl.col("_from") <= as_of))
                        & (pl.col("_to").is_null() | (pl.col("_to") >= as_of))).drop("_from", "_to")


def upcoming_entries(adjustments: pl.DataFrame, as_of: date, years: int = UPCOMING_YEARS) -> pl.DataFrame:
    """(list_name, category, industry_code, scope, effective_from) of the entries that take effect after
    `as_of` and no later than `years` after it: not scored, but announced so schools can plan."""
    dated = _dated(adjustments)
    window = dated.filter((pl.col("_from") > as_of) & (pl.col("_from") <= horizon_end(as_of, years))
                          & (pl.col("_to").is_null() | (pl.col("_to") >= pl.col("_from"))))
    return _normalize(window, extra=(pl.col("_from").alias("effective_from"),)).sort(
        "effective_from", "category", "industry_code", "scope")


def _dated(adjustments: pl.DataFrame) -> pl.DataFrame:
    return adjustments.with_columns(_from=period_start(adjustments, "effective_from"),
                                    _to=period_end(adjustments, "effective_to"))


def _normalize(df: pl.DataFrame, extra: tuple[pl.Expr, ...] = ()) -> pl.DataFrame:
    scope = pl.col("scope") if "scope" in df.columns else pl.lit(None, pl.String)
    scope = scope.str.strip_chars()
    return df.select(
        pl.col("list_name").fill_null(""),
        pl.col("category").str.strip_chars().replace(CATEGORY_ALIASES),
        "industry_code",
        pl.when(scope.is_null() | scope.is_in(["", "北京市", CITYWIDE])).then(pl.lit(CITYWIDE))
        .otherwise(scope).alias("scope"),
        *extra,
    ).filter(pl.col("category").is_in(CATEGORIES))


def _resolve(adj: pl.DataFrame, tree: pl.DataFrame, extra: tuple[str, ...] = ()) -> pl.DataFrame:
    """(leaf, scope, category, list_name, *extra): per finest code and scope (and `extra`, e.g. the date
    an upcoming entry starts), the most specific entries."""
    return (adj.join(tree, left_on="industry_code", right_on="ancestor")
            .filter(pl.col("depth") == pl.col("depth").max().over("leaf", "scope", *extra))
            .select("leaf", "scope", "category", "list_name", *extra))
