"""The chance of a warning when this year's entrants graduate: P(红) and P(restriction) at graduation.

Business meaning: a student choosing a major now graduates in three years (中职, 高职专科) or four (职业本科). For
each major the market signals the rules read are simulated forward to that year and each simulated year is judged
by the rules in force (``scoring.risk.judge``, the same function the catalog's verdict comes from, never a copy):

* start: today's value drawn within its evidence interval (``scoring.evidence``: the 95 % interval of a rate
  or a ratio read as ± 1.96 standard deviations, on the log scale for ratios and trends);
* each further year: a random step, its spread the median year-on-year change of that signal over every major
  with the evidence (employment rate: the changes between the last three years; 求人倍率: the year-on-year
  trend); the employment rate also keeps half its recent yearly change each year (``TREND_KEPT``); the
  求人倍率's first step has the forecast's drift (``ratio_trend_forecast``, only where the
  forecast's back-test beat seasonal naive), else no drift;
* the rules read the simulated graduation year and the two years before it (the consecutive-year rules);
  list exposure,布点 and the policy stay as they are today (the lists in force).

A signal without evidence stays without evidence (no points, as today). ``p_red_at_graduation`` is the share of
draws judged 红; its interval is Wilson's 95 % interval on that share (how far the draws can be from the chance
they estimate). Deterministic for a seed: the same inputs give the same columns.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from scoring.policy import Policy

DRAWS = 200
TREND_KEPT = 0.5  # share of the employment rate's recent yearly change carried into each later year
FIRST_DRAWS = 25  # every major's first draws; only majors whose draws disagree get DRAWS
Z = 1.96
PROGRAM_YEARS = {"中职": 3, "高职专科": 3, "职业本科": 4, "职教本科": 4}  # 基本修业年限
OUTLOOK_COLUMNS = {"graduation_years": pl.Int32, "p_red_at_graduation": pl.Float64,
                   "p_red_at_graduation_low": pl.Float64, "p_red_at_graduation_high": pl.Float64,
                   "p_restriction_at_graduation": pl.Float64}
_RATES = ("employment_rate", "employment_rate_prev", "employment_rate_prev2")


def program_years(level: str | None) -> int:
    """Years from entry to graduation for a level (3 unless it is a 本科 level)."""
    return PROGRAM_YEARS.get(level or "", 4 if level and "本科" in level else 3)


def wilson(hits: np.ndarray, n: int, z: float = Z) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of hits/n (vectorised)."""
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def _values(df: pl.DataFrame, name: str) -> np.ndarray:
    return df[name].cast(pl.Float64).to_numpy().astype(float) if name in df.columns else np.full(df.height, np.nan)


def _spread(df: pl.DataFrame, name: str, shift: float | None) -> np.ndarray:
    """Standard deviation of today's value from its evidence interval (0 where there is none), on the scale
    log(shift + value) unless ``shift`` is None."""
    low, high = _values(df, f"{name}_low"), _values(df, f"{name}_high")
    if shift is not None:
        low, high = np.log(np.clip(shift + low, 1e-6, None)), np.log(np.clip(shift + high, 1e-6, None))
    return np.nan_to_num((high - low) / (2 * Z), nan=0.0).clip(0.0, None)


def _median_abs(values: np.ndarray) -> float:
    values = np.abs(values[np.isfinite(values)])
    return float(np.median(values)) if values.size else 0.0


def simulated_years(scored: pl.DataFrame, years: np.ndarray, draws: int, rng: np.random.Generator) -> pl.DataFrame:
    """``draws`` copies of each scored row (row i's copies at i*draws…), its signals replaced by one simulated
    graduation year each (and the two years before it for the employment rate)."""
    n = scored.height
    rep = np.repeat(np.arange(n), draws)
    horizon = np.repeat(years, draws).astype(float)
    out = {}
    rate = _values(scored, "employment_rate")
    prev = [_values(scored, c) for c in _RATES]
    step_e = _median_abs(np.concatenate([prev[0] - prev[1], prev[1] - prev[2]]))
    start = rate[rep] + rng.standard_normal(rep.size) * _spread(scored, "employment_rate", None)[rep]
    # the recent yearly change, half of it carried on each year (a trend that may fade), none without history
    changes = np.stack([prev[0] - prev[1], prev[1] - prev[2]])
    seen = np.isfinite(changes).sum(axis=0)
    drift = TREND_KEPT * np.divide(np.nansum(changes, axis=0), seen, out=np.zeros(n), where=seen > 0)
    path = [start]  # years 0 (today) … H; the graduation year is H, the rules also read H-1 and H-2
    for _ in range(int(years.max())):
        path.append(path[-1] + drift[rep] + rng.standard_normal(rep.size) * step_e)
    path = np.clip(np.stack(path), 0.0, 1.0)
    h = horizon.astype(int)
    cols = np.arange(rep.size)
    for k, name in enumerate(_RATES):
        out[name] = np.where(np.isnan(prev[k][rep]) & (k > 0), np.nan, path[np.clip(h - k, 0, None), cols])
    ratio = _values(scored, "demand_supply_ratio")
    trend = _values(scored, "ratio_trend")
    drift = np.log1p(np.nan_to_num(_values(scored, "ratio_trend_forecast"), nan=0.0).clip(-0.99, None))
    step_r = _median_abs(np.log1p(trend.clip(-0.99, None)))
    logs = [np.log(np.clip(ratio[rep], 1e-6, None))
            + rng.standard_normal(rep.size) * _spread(scored, "demand_supply_ratio", 0.0)[rep]]
    for year in range(1, int(years.max()) + 1):
        logs.append(logs[-1] + rng.standard_normal(rep.size) * step_r + (drift[rep] if year == 1 else 0.0))
    logs = np.stack(logs)
    at, before = logs[h, cols], logs[h - 1, cols]
    out["demand_supply_ratio"] = np.where(np.isnan(ratio[rep]), np.nan, np.exp(at))
    out["ratio_trend"] = np.where(np.isnan(trend[rep]) | np.isnan(ratio[rep]), np.nan, np.exp(at - before) - 1.0)
    enrol = _values(scored, "enrolment_trend")
    step_n = _median_abs(np.log1p(enrol.clip(-0.99, None)))
    sd_n = np.sqrt(_spread(scored, "enrolment_trend", 1.0)[rep] ** 2 + horizon * step_n ** 2)
    out["enrolment_trend"] = np.where(np.isnan(enrol[rep]), np.nan,
                                      np.expm1(np.log1p(enrol.clip(-0.99, None))[rep] + rng.standard_normal(rep.size) * sd_n))
    base = scored[rep.tolist()] if n else scored
    return base.with_columns(
        *[pl.Series(name, values, dtype=pl.Float64).fill_nan(None) for name, values in out.items()],
        ratio_trend_forecast=pl.lit(None, pl.Float64))  # the simulated trend is the trend the rules read


def _judged(rows: pl.DataFrame, years: np.ndarray, draws: int, p: Policy, rng: np.random.Generator
            ) -> tuple[np.ndarray, np.ndarray]:
    """Per row: how many of ``draws`` simulated graduation years the rules judge 红, and restrict."""
    from scoring.risk import judge

    verdicts = judge(simulated_years(rows, years, draws, rng), p, basis=False)
    red = (verdicts["warning_level"] == "红").to_numpy().reshape(rows.height, draws).sum(axis=1)
    restricted = verdicts["restriction"].is_not_null().to_numpy().reshape(rows.height, draws).sum(axis=1)
    return red, restricted


def graduation_outlook(scored: pl.DataFrame, majors: pl.DataFrame, p: Policy, seed: int = 0,
                       draws: int = DRAWS, first: int = FIRST_DRAWS) -> pl.DataFrame:
    """major_code, graduation_years, p_red_at_graduation (+ _low/_high), p_restriction_at_graduation.

    Every major gets ``first`` draws; the majors whose draws disagree (some 红 and some not, or some restricted and
    some not) get ``draws`` in all. The rules cost about a millisecond a draw, and most majors' draws all agree;
    their interval is Wilson's on the ``first`` draws they had, so it says they had fewer."""
    rows = scored.sort("major_code").join(majors.select("major_code", "level").unique("major_code"),
                                          on="major_code", how="left")
    if rows.height == 0:
        return pl.DataFrame(schema={"major_code": pl.String, **OUTLOOK_COLUMNS})
    years = np.array([program_years(level) for level in rows["level"].to_list()], dtype=np.int64)
    rows, rng = rows.drop("level"), np.random.default_rng(seed)
    first = min(first, draws)
    red, restricted = _judged(rows, years, first, p, rng)
    n = np.full(rows.height, first)
    mixed = np.flatnonzero(((red > 0) & (red < first)) | ((restricted > 0) & (restricted < first)))
    if mixed.size and draws > first:
        more_red, more_restricted = _judged(rows[mixed.tolist()], years[mixed], draws - first, p, rng)
        red[mixed] += more_red
        restricted[mixed] += more_restricted
        n[mixed] = draws
    low, high = wilson(red.astype(float), n)
    return pl.DataFrame({"major_code": rows["major_code"], "graduation_years": years.astype(np.int32),
                         "p_red_at_graduation": red / n, "p_red_at_graduation_low": low,
                         "p_red_at_graduation_high": high, "p_restriction_at_graduation": restricted / n},
                        schema={"major_code": pl.String, **OUTLOOK_COLUMNS})
