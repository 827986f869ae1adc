"""Market signals per major: talent demand (求人倍率), graduates' outcomes and enrolment trends.

* `demand_supply_ratio`: 求人倍率 (demand ÷ supply) of the latest labor-market year, averaged over
  the major's industries with the map's weights. A mapped code uses its own series if one exists,
  else the series below it summed (a 大类 from its 中类/小类 series), else the nearest series above
  it (a 大类 series serves its 小类). Quarterly rows are summed into their year; a yearly row for the
  same code and year takes precedence. When no industry series serves the major, its occupations
  (专业—职业对应) are used the same way. `ratio_trend` = latest ÷ previous year − 1, over the codes
  that have both years; when the previous year is missing from the whole table (数据缺年, scoring/gaps.py), the
  previous year is the nearest one present (`labor_prev_year`) and `labor_gap_years` names the gap crossed.
* `employment_rate` = Σ就业 ÷ Σ毕业 across Beijing schools in the latest year with outcome data
  (`employment_year`), `_prev` and `_prev2` the two years before; `graduates*`/`employed*` are the
  counts behind each rate (the sample for evidence minimums and Wilson intervals); `in_field_rate` =
  Σ对口就业 ÷ Σ就业. `demand_count`/`supply_count` (`_prev`) are the 需求人数/求职人数 behind 求人倍率.
* `enrolled_latest`, `enrolment_trend` (latest vs. two years before), `schools_offering` (schools
  enrolling > 0 in `latest_year`, the latest year of enrolment data); `first_enrolled_year` (the first year
  any school enrolled in the major) and `first_data_year` (the table's first year), for 新设专业.
* `enrolment_gap_years` / `outcome_gap_years`: the missing years inside the enrolment trend's span and the
  employment rates' run (never read as zero: a rate of a missing year is null, a trend over it says so).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from scoring.exposure import mapping_weights
from scoring.gaps import find_gaps, missing, previous_present, years_text
from scoring.hierarchy import ancestors, section_map

BEIJING = "北京市"
Series = dict[str, dict[int, tuple[float, float]]]


def market_signals(majors: pl.DataFrame, major_industry_map: pl.DataFrame,
                   major_occupation_map: pl.DataFrame | None, labor_market: pl.DataFrame,
                   school_majors: pl.DataFrame | SupplyTotals, proposed: pl.DataFrame | None = None,
                   industries: pl.DataFrame | None = None, trend_years: int = 3,
                   gaps: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per major with its demand, employment and enrolment signals (see module doc); ``school_majors``
    as rows, or as their ``SupplyTotals`` when the table is summed a group of schools at a time. ``gaps``: the
    inputs' missing years (``scoring.gaps``; found from these rows when None): 求人倍率's trend is measured
    from the nearest year present (``labor_prev_year``), and the gaps a trend or a run of rates crosses are
    named (``labor_gap_years``, ``enrolment_gap_years``, ``outcome_gap_years``) for the reasons."""
    if gaps is None:
        gaps = find_gaps({"labor_market": labor_market,
                          **({"school_majors": school_majors} if isinstance(school_majors, pl.DataFrame) else {})})
    labor_gaps = missing(gaps, "labor_market", "供需")
    demand = _demand(majors, major_industry_map, major_occupation_map, labor_market, proposed, industries,
                     labor_gaps)
    if isinstance(school_majors, pl.DataFrame):
        years = data_years(school_majors)
        school_majors = SupplyTotals(supply_totals(school_majors, years, trend_years), years, trend_years)
    elif school_majors.trend_years != trend_years:
        raise ValueError(f"supply totals were summed for {school_majors.trend_years} trend years, not {trend_years}")
    supply = _school_signals(school_majors)
    latest, emp_year = school_majors.years
    base = _base_year(latest, trend_years)
    crossed = {
        "labor_gap_years": pl.when(pl.col("ratio_trend").is_not_null()).then(pl.col("labor_gap_years")),
        "enrolment_gap_years": _within(missing(gaps, "school_majors", "招生"), base, latest),
        "outcome_gap_years": _within(missing(gaps, "school_majors", "毕业去向"),
                                     emp_year - 2 if emp_year else None, emp_year)}
    return (majors.select("major_code").unique().join(demand, on="major_code", how="left")
            .join(supply, on="major_code", how="left")
            .with_columns(pl.col("enrolled_latest").fill_null(0), pl.col("schools_offering").fill_null(0),
                          pl.col("demand_source").fill_null("none"),
                          latest_year=pl.lit(latest, pl.Int32),
                          employment_year=pl.lit(emp_year, pl.Int32))
            .with_columns(**crossed)
            .sort("major_code"))


def _within(gap_years: list[int], first: int | None, last: int | None) -> pl.Expr:
    """The gap years from ``first`` to ``last`` (inclusive) as text ('2023'), or null when none."""
    inside = [y for y in gap_years if first is not None and last is not None and first <= y <= last]
    return pl.lit(years_text(inside) if inside else None, pl.String)


def _demand(majors: pl.DataFrame, imap: pl.DataFrame, omap: pl.DataFrame | None, labor: pl.DataFrame,
            proposed: pl.DataFrame | None, industries: pl.DataFrame | None,
            gap_years: Iterable[int] = ()) -> pl.DataFrame:
    """求人倍率 per major; the trend's base is the nearest year before the latest that is not a gap."""
    sections = section_map(industries) if industries is not None else {}
    ind, occ, year = _series(labor, "industry_code"), _series(labor, "occupation_code"), _latest_labor_year(labor)
    prev = previous_present(year, gap_years) if year is not None else None
    crossed = years_text(y for y in gap_years if prev is not None and prev < y < year) or None
    iw = _weights(mapping_weights(majors, imap, proposed), "industry_code")
    ow: dict[str, list[tuple[str, float]]] = {}
    if omap is not None and omap.height:
        ow = _weights(mapping_weights(majors, omap.rename({"occupation_code": "industry_code"})), "industry_code")
    below = {"industry": _below(ind, sections), "occupation": _below(occ, sections)}
    rows = []
    for major in sorted(majors["major_code"].unique().to_list()):
        ratio, ratio_prev, trend, source, counts = None, None, None, "none", (None,) * 4
        if year is not None:
            for kind, table, weights in (("industry", ind, iw), ("occupation", occ, ow)):
                ratio, ratio_prev, trend = _major_ratio(weights.get(major, []), table, below[kind], year, sections,
                                                        prev)
                if ratio is not None:
                    source, counts = kind, _counts(weights.get(major, []), table, below[kind], year, sections, prev)
                    break
        rows.append((major, ratio, ratio_prev, trend, source, year, prev, crossed, *counts))
    return pl.DataFrame(rows, orient="row", schema={
        "major_code": pl.String, "demand_supply_ratio": pl.Float64, "ratio_prev": pl.Float64,
        "ratio_trend": pl.Float64, "demand_source": pl.String, "labor_year": pl.Int32, "labor_prev_year": pl.Int32,
        "labor_gap_years": pl.String, "demand_count": pl.Float64, "supply_count": pl.Float64,
        "demand_count_prev": pl.Float64, "supply_count_prev": pl.Float64})


def _counts(weights: list[tuple[str, float]], table: Series, below: dict[str, list[str]], year: int,
            sections: dict[str, str], prev: int) -> tuple[float | None, ...]:
    """需求人数 and 求职人数 behind the ratio (latest and previous year): the sample sizes of the signal."""
    used = sorted({c for code, _ in weights for c in _serving(code, table, below, sections)})
    out: list[float | None] = []
    for y in (year, prev):
        pairs = [table[c][y] for c in used if y in table[c]]
        out += [sum(d for d, _ in pairs), sum(s for _, s in pairs)] if pairs else [None, None]
    return tuple(out)


def _weights(w: pl.DataFrame, code: str) -> dict[str, list[tuple[str, float]]]:
    out: dict[str, list[tuple[str, float]]] = {}
    for major, c, weight in w.select("major_code", code, "w").iter_rows():
        out.setdefault(major, []).append((c, weight))
    return out


def _series(labor: pl.DataFrame, key: str) -> Series:
    """code → year → (demand, supply), Beijing rows only; yearly rows beat summed quarters."""
    if key not in labor.columns or labor.height == 0:
        return {}
    df = labor.filter(pl.col(key).is_not_null())
    if "region" in df.columns:
        df = df.filter(pl.col("region").is_null() | (pl.col("region") == BEIJING))
    year = pl.col("year") if "year" in df.columns else pl.col("period").str.slice(0, 4).cast(pl.Int32)
    quarter = pl.col("quarter") if "quarter" in df.columns else pl.lit(None, pl.Int32)
    df = (df.select(pl.col(key).alias("code"), year.alias("year"), quarter.is_null().alias("yearly"),
                    pl.col("demand").cast(pl.Float64), pl.col("supply").cast(pl.Float64))
          .filter(pl.col("yearly") == pl.col("yearly").max().over("code", "year"))
          .group_by("code", "year").agg(pl.col("demand").sum(), pl.col("supply").sum()))
    out: Series = {}
    for code, y, d, s in df.iter_rows():
        out.setdefault(code, {})[y] = (d, s)
    return out


def _below(table: Series, sections: dict[str, str]) -> dict[str, list[str]]:
    """code → the series codes strictly below it."""
    below: dict[str, list[str]] = {}
    for s in table:
        for anc in ancestors(s, sections)[1:]:
            below.setdefault(anc, []).append(s)
    return below


def _major_ratio(weights: list[tuple[str, float]], table: Series, below: dict[str, list[str]], year: int,
                 sections: dict[str, str], prev_year: int) -> tuple[float | None, float | None, float | None]:
    """Weighted latest and previous-year ratios, and the trend measured over codes with both years."""
    if not weights or not table:
        return None, None, None
    num = den = p_num = p_den = n_common = d_common = 0.0
    for code, w in weights:
        used = _serving(code, table, below, sections)
        latest, prev = _ratio(table, used, year), _ratio(table, used, prev_year)
        if prev is not None:
            p_num, p_den = p_num + w * prev, p_den + w
        if latest is None:
            continue
        num, den = num + w * latest, den + w
        if prev is not None:
            n_common, d_common = n_common + w * latest, d_common + w * prev
    if den == 0:
        return None, None, None
    return num / den, (p_num / p_den if p_den else None), (n_common / d_common - 1 if d_common else None)


def _serving(code: str, table: Series, below: dict[str, list[str]], sections: dict[str, str]) -> list[str]:
    """The series that speak for a mapped code: its own, else the top-most below it, else the nearest above."""
    if code in table:
        return [code]
    under = set(below.get(code, []))
    if under:
        return sorted(s for s in under if not any(a in under for a in ancestors(s, sections)[1:]))
    return next(([a] for a in ancestors(code, sections)[1:] if a in table), [])


def _ratio(table: Series, codes: list[str], year: int) -> float | None:
    pairs = [table[c][year] for c in codes if year in table[c]]
    supply = sum(s for _, s in pairs)
    return sum(d for d, _ in pairs) / supply if pairs and supply > 0 else None


def _latest_labor_year(labor: pl.DataFrame) -> int | None:
    if labor.height == 0:
        return None
    year = labor["year"] if "year" in labor.columns else labor["period"].str.slice(0, 4).cast(pl.Int32)
    return year.max()


def data_years(school_majors: pl.DataFrame) -> tuple[int | None, int | None]:
    """(latest year of data, latest year with graduates' outcomes) of these rows; None where there is none.
    The years of a whole table are the largest of its parts' (``combined_years``)."""
    latest = school_majors["year"].max() if school_majors.height else None
    emp_ok = school_majors.filter((pl.col("graduates") > 0) & pl.col("employed").is_not_null())
    emp_year = emp_ok["year"].max() if emp_ok.height else None
    return (None if latest is None else int(latest)), (None if emp_year is None else int(emp_year))


def combined_years(parts: Iterable[tuple[int | None, int | None]]) -> tuple[int | None, int | None]:
    """The ``data_years`` of a table from those of the parts it was read in."""
    found = list(parts)
    latest = [y for y, _ in found if y is not None]
    emp = [y for _, y in found if y is not None]
    return (max(latest) if latest else None), (max(emp) if emp else None)


@dataclass(frozen=True)
class SupplyTotals:
    """What market_signals reads of school_majors, for a table too large to hold: ``supply_totals`` of each
    group of schools, concatenated (the sums add up over disjoint groups), and the whole table's data years."""

    sums: pl.DataFrame
    years: tuple[int | None, int | None]
    trend_years: int = 3


def _base_year(latest: int | None, trend_years: int) -> int | None:
    return latest - (trend_years - 1) if latest is not None else None


def supply_totals(sm: pl.DataFrame, years: tuple[int | None, int | None], trend_years: int = 3) -> pl.DataFrame:
    """Per major, the sums behind the citywide employment and enrolment figures of these rows (``years``:
    the whole table's data years): graduates and employed with outcome data, employed in field, enrolment
    in the latest and base years, schools enrolling in the latest year."""
    latest, emp_year = years
    base_year = _base_year(latest, trend_years)
    grads_ok = (pl.col("graduates") > 0) & pl.col("employed").is_not_null()
    infield_ok = (pl.col("employed") > 0) & pl.col("employed_in_field").is_not_null()

    def sums(y: int | None, suffix: str) -> list[pl.Expr]:
        at = (pl.col("year") == y) if y is not None else pl.lit(False)
        return [pl.col("employed").filter(at & grads_ok).sum().alias(f"employed{suffix}"),
                pl.col("graduates").filter(at & grads_ok).sum().alias(f"graduates{suffix}"),
                pl.col("employed_in_field").filter(at & infield_ok).sum().alias(f"in_field{suffix}"),
                pl.col("employed").filter(at & infield_ok).sum().alias(f"in_field_of{suffix}")]

    at_latest = (pl.col("year") == latest) if latest is not None else pl.lit(False)
    at_base = (pl.col("year") == base_year) if base_year is not None else pl.lit(False)
    return sm.group_by("major_code").agg(
        *sums(emp_year, ""), *sums(emp_year - 1 if emp_year else None, "_prev"),
        *sums(emp_year - 2 if emp_year else None, "_prev2"),
        pl.col("enrolled").filter(at_latest).sum().alias("enrolled_latest"),
        pl.col("enrolled").filter(at_base).sum().alias("enrolled_base"),
        pl.col("school_code").filter(at_latest & (pl.col("enrolled") > 0)).n_unique().alias("schools_offering"),
        pl.col("year").filter(pl.col("enrolled") > 0).min().alias("first_enrolled_year"),
        pl.col("year").min().alias("first_reported_year"),
    )


def _school_signals(totals: SupplyTotals) -> pl.DataFrame:
    """Citywide employment and enrolment figures per major, from the sums of every group of schools."""
    t = totals.sums
    earliest = ("first_enrolled_year", "first_reported_year")  # the earliest of every group's, not their sum
    t = t.group_by("major_code").agg((pl.col(c).min() if c in earliest else pl.col(c).sum()).cast(t.schema[c])
                                     for c in t.columns[1:])
    first_data_year = t["first_reported_year"].min() if t.height else None
    rates = []
    for suffix in ("", "_prev", "_prev2"):
        rates += [(pl.col(f"employed{suffix}") / pl.col(f"graduates{suffix}")).fill_nan(None)
                  .alias(f"employment_rate{suffix}"),
                  *([(pl.col("in_field") / pl.col("in_field_of")).fill_nan(None).alias("in_field_rate")]
                    if not suffix else []),
                  pl.col(f"graduates{suffix}"), pl.col(f"employed{suffix}")]
    return t.select(
        "major_code", *rates, "enrolled_latest", "enrolled_base", "schools_offering",
        enrolment_trend=pl.when(pl.col("enrolled_base") > 0)
        .then(pl.col("enrolled_latest") / pl.col("enrolled_base") - 1),
        enrolment_base_year=pl.lit(_base_year(totals.years[0], totals.trend_years), pl.Int32),
        first_enrolled_year=pl.col("first_enrolled_year").cast(pl.Int32),
        first_data_year=pl.lit(first_data_year, pl.Int32),
    )
