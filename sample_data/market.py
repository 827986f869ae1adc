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
