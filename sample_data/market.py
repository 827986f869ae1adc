"""Quarterly talent supply and demand in Beijing (`labor_market`), by industry and by occupation.

Each series is level × trend^t × seasonal factor × small noise, with the trend and the latest
demand/supply ratio of the profile of the domain that owns the code. Industry series are keyed
at the 大类/中类 level majors map to (a 小类 in the map is counted at its 中类). The latest year
is 2025; ``--scale N`` reaches 5·N years back (never before 2001).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from sample_data.profiles import DEMAND_SEASON, PROFILES, SUPPLY_SEASON, YEARS
from sample_data.vocab_domains import DOMAINS

FIRST_YEAR_FLOOR = 2001


def labor_code(industry_code: str) -> str:
    """The industry code a labour series is kept at: 小类 roll up to their 中类."""
    return industry_code[:3] if len(industry_code) == 4 else industry_code


def series_owners() -> tuple[dict[str, str], dict[str, str]]:
    """Domain key owning each industry series and each occupation series.

    Raises ValueError when two domains of different profiles would own one series, since its
    numbers could then not carry both signals.
    """
    owners: tuple[dict[str, str], dict[str, str]] = ({}, {})
    for domain in DOMAINS.values():
        keys = ([labor_code(c) for c, _ in domain.industries], list(domain.occupations))
        for owner, codes in zip(owners, keys, strict=True):
            for code in codes:
                previous = owner.setdefault(code, domain.key)
                if DOMAINS[previous].profile != domain.profile:
                    raise ValueError(f"series {code} claimed by {previous} and {domain.key}")
    return owners


def periods(scale: int) -> list[tuple[int, int]]:
    """(year, quarter) of every period written at this scale, oldest first."""
    first = max(FIRST_YEAR_FLOOR, YEARS[-1] - 5 * scale + 1)
    return [(y, q) for y in range(first, YEARS[-1] + 1) for q in range(1, 5)]


def labor_market_frame(scale: int, seed: int) -> pl.DataFrame:
    """Every industry series, then every occupation series, quarterly."""
    rng = np.random.default_rng([seed, 30, scale])
    by_industry, by_occupation = series_owners()
    keys = [("industry", c, d) for c, d in sorted(by_industry.items())]
    keys += [("occupation", c, d) for c, d in sorted(by_occupation.items())]
    spans = periods(scale)
    year = np.array([y for y, _ in spans], dtype=float)
    quarter = np.array([q for _, q in spans])
    t = year - YEARS[-1] + (quarter - 2.5) / 4
    demand_rows, supply_rows = [], []
    for kind, code, owner in keys:
        domain = DOMAINS[owner]
        profile = PROFILES[domain.profile]
        level = 700 * (0.5 + domain.popularity) * (2.5 if kind == "industry" and len(code) == 2 else 1.0)
        level *= float(rng.lognormal(0, 0.3))
        demand = level * (1 + profile.demand_growth) ** t * np.take(DEMAND_SEASON, quarter - 1)
        supply = (level / profile.ratio_latest) * (1 + profile.supply_growth) ** t
        supply = supply * np.take(SUPPLY_SEASON, quarter - 1)
        demand_rows.append(demand * rng.lognormal(0, 0.03, size=len(spans)))
        supply_rows.append(supply * rng.lognormal(0, 0.03, size=len(spans)))
    n = len(spans)
    labels = [f"{y}-Q{q}" for y, q in spans]
    return pl.DataFrame({
        "period": labels * len(keys),
        "industry_code": [c if k == "industry" else None for k, c, _ in keys for _ in range(n)],
        "occupation_code": [c if k == "occupation" else None for k, c, _ in keys for _ in range(n)],
        "demand": np.rint(np.concatenate(demand_rows)).astype(np.int64),
        "supply": np.rint(np.concatenate(supply_rows)).astype(np.int64),
        "region": ["北京市"] * (n * len(keys)),
    }, schema_overrides={"industry_code": pl.String, "occupation_code": pl.String})


# 津冀 rows (issue 28): demand for relocated industries in the regions that take them in. Logistics (大类 59)
# has rows for 天津市 and 河北省廊坊市, wholesale (大类 51) for 河北省保定市; steel (大类 31), also relocated,
# has none, so the plan must say 数据不足 for it. Quarterly, over the same periods as Beijing's rows.
PARTNER_SERIES = {"天津市": (("592", 900), ("591", 300)), "河北省廊坊市": (("592", 1300), ("543", 700)),
                  "河北省保定市": (("511", 800), ("512", 500))}


def partner_region_frame(scale: int, seed: int) -> pl.DataFrame:
    """labor_market rows for regions outside Beijing (demand above supply: they take the industries in)."""
    rng = np.random.default_rng([seed, 31, scale])
    spans = periods(scale)
    rows = []
    for region, series in PARTNER_SERIES.items():
        for code, level in series:
            for year, quarter in spans:
                demand = level * (1.08 ** (year - YEARS[-1])) * DEMAND_SEASON[quarter - 1] * rng.lognormal(0, 0.03)
                supply = demand / 1.4 * rng.lognormal(0, 0.03)
                rows.append((f"{year}-Q{quarter}", code, None, round(demand), round(supply), region))
    return pl.DataFrame(rows, orient="row", schema={"period": pl.String, "industry_code": pl.String,
                                                    "occupation_code": pl.String, "demand": pl.Int64,
                                                    "supply": pl.Int64, "region": pl.String})
