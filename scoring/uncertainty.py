"""How sure a verdict is: the risk score's interval and the 临界 (watch band) mark, by the same rules.

Every score part is monotone in its own signal, so the score's interval is the score at two corners:
every input at the favourable end of its interval (rates and 求人倍率 at their upper bound, trends
at their upper bound, list shares of a model-proposed mapping lowered by 1 − confidence) and every
input at the unfavourable end. The verdict (warning level and citywide restriction) is judged at both
corners; when they differ the verdict sits on a threshold and is 临界. Otherwise it is 证据不足 when a
market signal lacked the evidence to be used, else 确定. The published score keeps its meaning; the
interval goes beside it.
"""

from __future__ import annotations

import polars as pl

from scoring import rulebook as rb
from scoring.evidence import INSUFFICIENT, RATE_YEARS
from scoring.judge import judge
from scoring.policy import Policy

SURE, WATCH, THIN = rb.CERTAINTY_NAMES
CERTAINTY_RANK = {THIN: 0, WATCH: 1, SURE: 2}
_BANNED = ("prohibited", "restricted", "transforming", "relocated")
_GOOD = ("high_end", "urban_service")


def _corner(df: pl.DataFrame, favourable: bool) -> pl.DataFrame:
    up, down = ("_high", "_low") if favourable else ("_low", "_high")
    slack = pl.when(pl.col("mapping_source") == "proposed").then(
        1.0 - pl.col("mapping_confidence").fill_null(0.0).clip(0.0, 1.0)).otherwise(0.0)
    sign = -1.0 if favourable else 1.0
    return df.with_columns(
        *[pl.col(f"employment_rate{s}{up}").alias(f"employment_rate{s}") for s in RATE_YEARS],
        pl.col(f"demand_supply_ratio{up}").alias("demand_supply_ratio"),
        pl.col(f"ratio_trend{up}").alias("ratio_trend"),
        pl.col(f"enrolment_trend{up}").alias("enrolment_trend"),
        *[(pl.col(f"exposure_{c}") + sign * slack).clip(0.0, 1.0).alias(f"exposure_{c}") for c in _BANNED],
        *[(pl.col(f"exposure_{c}") - sign * slack).clip(0.0, 1.0).alias(f"exposure_{c}") for c in _GOOD],
    )


def verdict_key(level: pl.Expr, restriction: pl.Expr) -> pl.Expr:
    return pl.concat_str([level, restriction.fill_null("无")], separator="/")


def with_intervals(df: pl.DataFrame, p: Policy) -> pl.DataFrame:
    """Add risk_score_low/high, certainty (确定/临界/证据不足) and watch_note (why 临界)."""
    best, worst = judge(_corner(df, True), p, basis=False), judge(_corner(df, False), p, basis=False)
    df = df.with_columns(
        risk_score_low=best["risk_score"], risk_score_high=worst["risk_score"],
        verdict_best=verdict_key(best["warning_level"], best["restriction"]),
        verdict_worst=verdict_key(worst["warning_level"], worst["restriction"]),
        level_best=best["warning_level"], level_worst=worst["warning_level"])
    thin = pl.any_horizontal(*[pl.col(f"{k}_evidence") == INSUFFICIENT for k in ("employment", "demand", "enrolment")])
    df = df.with_columns(certainty=pl.when(pl.col("verdict_best") != pl.col("verdict_worst")).then(pl.lit(WATCH))
                         .when(thin).then(pl.lit(THIN)).otherwise(pl.lit(SURE)))
    notes = [_watch_note(r, p) if r["certainty"] == WATCH else None for r in df.iter_rows(named=True)]
    return df.with_columns(watch_note=pl.Series(notes, dtype=pl.String))


def _watch_note(r: dict, p: Policy) -> str:
    """Which interval straddles which threshold, in the rulebook's words."""
    watch = rb.certainty(WATCH)
    parts = []
    floor = p.rules.employment_floor
    years = max(p.rules.employment_red_years, p.rules.employment_yellow_years)
    for s, year in list(zip(RATE_YEARS, ("", "上年", "前年"), strict=True))[:years]:
        low, high = r.get(f"employment_rate{s}_low"), r.get(f"employment_rate{s}_high")
        if low is not None and high is not None and low < floor <= high:
            parts.append(watch.text("rate", p, year=year, low=low, high=high))
    for level, line in (("黄", p.rules.yellow_score), ("红", p.rules.red_score)):
        if r["risk_score_low"] < line <= r["risk_score_high"]:
            parts.append(watch.text("score", p, low=r["risk_score_low"], high=r["risk_score_high"],
                                    line_name=f"{'黄色' if level == '黄' else '红色'}预警线", line=line))
            break
    if r["mapping_source"] == "proposed":
        conf = r.get("mapping_confidence")
        parts.append(watch.text("mapping", p, confidence=conf) if conf is not None else watch.text("mapping_unknown", p))
    found = "；".join(parts) or watch.text("fallback", p)
    return watch.text("note", p, found=found, best=r["level_best"], worst=r["level_worst"])


def watch_list(scored: pl.DataFrame) -> pl.DataFrame:
    """The majors whose verdict sits on a threshold (临界), most at risk first."""
    cols = [c for c in ("major_code", "major_name", "warning_level", "risk_score", "risk_score_low",
                        "risk_score_high", "cause", "watch_note") if c in scored.columns]
    return scored.filter(pl.col("certainty") == WATCH).sort("risk_score", descending=True).select(cols)
