"""The numbers behind each domain profile (see `vocab_domains`): market trends and graduate outcomes.

Rates are the *city-level* targets a profile aims at; schools scatter around them a little, so
scoring has to aggregate to find them, as it would on real data.
"""

from __future__ import annotations

from dataclasses import dataclass

YEARS = (2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025)
"""The school years of `school_majors` (the latest is the year the catalog is scored for). Eight years, so
the back-test of past flags has six origin years; the `declining` profile is the planted true decline
(employment sinks below 60% from 2023 while enrolment keeps shrinking 18% a year)."""


@dataclass(frozen=True)
class Profile:
    """Market and outcome parameters of one domain profile."""

    demand_growth: float
    """Yearly growth of job demand (0.15 = +15 % a year)."""
    supply_growth: float
    """Yearly growth of job seekers."""
    ratio_latest: float
    """Demand / supply (求人倍率) over the latest year, 2025."""
    enrol_growth: float
    """Yearly growth of enrolment per school offering."""
    employment: tuple[float, ...]
    """City-level employment rate (毕业去向落实率) for each of `YEARS`."""
    in_field: float
    """Share of the employed who work in their field (对口就业)."""


def _flat(rate: float) -> tuple[float, ...]:
    return (rate,) * len(YEARS)


PROFILES: dict[str, Profile] = {
    "declining": Profile(-0.12, -0.04, 0.55, -0.18, (0.80, 0.77, 0.74, 0.70, 0.63, 0.56, 0.50, 0.46), 0.45),
    "restricted": Profile(-0.07, -0.02, 0.80, -0.10, (0.88, 0.86, 0.84, 0.82, 0.79, 0.76, 0.73, 0.70), 0.55),
    "transforming": Profile(0.0, 0.0, 1.0, -0.03, _flat(0.87), 0.65),
    "relocated": Profile(-0.05, -0.01, 0.85, -0.06, (0.90, 0.89, 0.87, 0.86, 0.84, 0.82, 0.80, 0.78), 0.60),
    "high_end": Profile(0.15, 0.04, 2.6, 0.10, _flat(0.96), 0.85),
    "urban_service": Profile(0.08, 0.02, 3.0, 0.06, _flat(0.96), 0.80),
    "saturated": Profile(-0.08, 0.03, 0.70, 0.02, (0.90, 0.90, 0.89, 0.88, 0.87, 0.85, 0.84, 0.82), 0.50),
    "late_drop": Profile(-0.10, 0.0, 0.80, -0.04, (0.85, 0.84, 0.84, 0.83, 0.81, 0.79, 0.77, 0.49), 0.50),
    "growing": Profile(0.07, 0.03, 1.6, 0.04, _flat(0.94), 0.75),
    "normal": Profile(0.03, 0.02, 1.3, 0.0, _flat(0.91), 0.70),
}

DEMAND_SEASON = (0.85, 1.0, 1.15, 1.0)
"""Quarterly demand factor: Q1 low (Spring Festival), Q3 high (graduation hiring)."""
SUPPLY_SEASON = (0.90, 1.05, 1.20, 0.85)
"""Quarterly supply factor: Q3 high (graduates enter the market), Q4 low."""
