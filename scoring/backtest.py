"""How past flags fared: score each earlier year with only the data then available, then look ahead.

For every origin year Y with a year of history before it and `horizon` years after it, the same
rules score the majors from the school and labour-market rows up to Y (list entries in force by the
end of Y). A major offered in Y "declined" when its citywide enrolment fell by at least `enrol_drop`
by Y + horizon, or its 毕业去向落实率 fell by at least `employment_drop` (both years on enough
graduates). Over all (major, origin) pairs: precision = declined among flagged (红/黄), recall =
flagged among declined, lift = precision ÷ the base rate of declines; Wilson intervals for the
first two, a seeded bootstrap over pairs for lift. Short histories are reported as such.

The thresholds of a decline are the rulebook's (``scoring.rulebook.terms.DECLINE_*``, told by the bulletin's
往年预警回溯); ``scored_years`` scores each year once for this back-test, the calibration and the track record.

Where the home holds the final editions of earlier years (``published``: the flags they issued, read by
``warehouse.editions.published_flags``), an origin year with one takes its flags from that edition, as the
commission really issued them (overrides included), instead of re-scoring; the others are re-scored. A code a
revision renumbered since (``majors.former_codes``) is followed to its new code.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import polars as pl

from scoring.evidence import wilson
from scoring.exposure import industry_exposure
from scoring.policy import Policy
from scoring.revisions import major_revisions, with_revisions
from scoring.risk import score_majors
from scoring.rulebook.terms import DECLINE_EMPLOYMENT, DECLINE_ENROLMENT
from scoring.signals import market_signals

MIN_ORIGINS, MIN_FLAGGED, MIN_DECLINES = 2, 10, 10
PUBLISHED, RESCORED = "已发布", "回算"  # where an origin year's flags come from


def outcomes(sm: pl.DataFrame, year: int, horizon: int, min_graduates: int, enrol_drop: float = DECLINE_ENROLMENT,
             employment_drop: float = DECLINE_EMPLOYMENT) -> pl.DataFrame:
    """major_code, declined, closed (bools) for the majors enrolling in ``year``, ``horizon`` years on: closed = no
    citywide enrolment then; declined = closed, or enrolment down by ``enrol_drop``, or 毕业去向落实率 down by
    ``employment_drop`` (both years on at least ``min_graduates`` graduates)."""
    ok = (pl.col("graduates") > 0) & pl.col("employed").is_not_null()

    def at(y: int, tag: str) -> pl.DataFrame:
        return sm.filter(pl.col("year") == y).group_by("major_code").agg(
            pl.col("enrolled").sum().alias(f"enrolled_{tag}"),
            pl.col("employed").filter(ok).sum().alias(f"employed_{tag}"),
            pl.col("graduates").filter(ok).sum().alias(f"graduates_{tag}"))

    df = at(year, "then").join(at(year + horizon, "after"), on="major_code", how="left").filter(
        pl.col("enrolled_then") > 0)
    rate = lambda tag: pl.col(f"employed_{tag}") / pl.col(f"graduates_{tag}")  # noqa: E731
    enough = (pl.col("graduates_then") >= min_graduates) & (pl.col("graduates_after") >= min_graduates)
    return df.select("major_code", declined=(
        (pl.col("enrolled_after").fill_null(0) <= (1 - enrol_drop) * pl.col("enrolled_then"))
        | (enough & (rate("after") <= rate("then") - employment_drop)).fill_null(False)),
        closed=pl.col("enrolled_after").fill_null(0) <= 0)


def _followed(flags: pl.DataFrame, frames: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Published flags under each code a revision renumbered since moved to the current code(s) it became
    (``scoring.revisions.major_revisions``: ``majors.former_codes`` and ``code_changes``; a split old code's flag goes
    to every major it became)."""
    revisions = major_revisions(frames["majors"], frames.get("code_changes")).select("old_code", "new_code")
    moved = flags.join(revisions, left_on="major_code", right_on="old_code", how="left").with_columns(
        major_code=pl.coalesce("new_code", "major_code")).drop("new_code")
    return moved.select(flags.columns)


def scored_at(frames: dict[str, pl.DataFrame], p: Policy, year: int) -> pl.DataFrame:
    """The rules' verdicts with only the data up to ``year`` (list entries in force at its end)."""
    sm, labor = frames["school_majors"], frames["labor_market"]
    labor_year = labor["year"] if "year" in labor.columns else labor["period"].str.slice(0, 4).cast(pl.Int32)
    exposure = industry_exposure(frames["majors"], frames["industries"], frames["major_industry_map"],
                                 frames["industry_adjustments"], frames.get("proposed"), as_of=date(year, 12, 31),
                                 crosswalk=frames.get("crosswalk"))
    signals = market_signals(frames["majors"], frames["major_industry_map"], frames.get("major_occupation_map"),
                             labor.filter(labor_year <= year), sm.filter(pl.col("year") <= year),
                             frames.get("proposed"), frames["industries"])
    return score_majors(frames["majors"], exposure, signals, p, explain=False)


def scored_years(frames: dict[str, pl.DataFrame], p: Policy) -> dict[int, pl.DataFrame]:
    """``scored_at`` for every year with a year of history before it: what each past year's rules said (history
    under former codes followed to the current ones, ``scoring.revisions.with_revisions``)."""
    frames = with_revisions(frames)
    years = sorted(frames["school_majors"]["year"].unique().to_list())
    return {y: scored_at(frames, p, y) for y in years if y - 1 >= years[0]}


def past_verdicts(scored: dict[int, pl.DataFrame]) -> pl.DataFrame:
    """One row per (data year, major): the warning level the rules gave with only the data up to that year."""
    parts = [s.select("major_code", "warning_level").with_columns(data_year=pl.lit(y, pl.Int32))
             for y, s in sorted(scored.items())]
    schema = {"data_year": pl.Int32, "major_code": pl.String, "warning_level": pl.String}
    return pl.concat(parts).select(list(schema)) if parts else pl.DataFrame(schema=schema)


def flags_and_outcomes(frames: dict[str, pl.DataFrame], p: Policy, horizon: int = 1,
                       scored: dict[int, pl.DataFrame] | None = None,
                       published: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per (origin year, major offered then): flagged (红/黄 then), declined (after) and source: 已发布
    (the flag the year's edition issued, from ``published``) or 回算 (re-scored from the data up to then)."""
    frames = with_revisions(frames)
    sm = frames["school_majors"]
    years = sorted(sm["year"].unique().to_list())
    issued = _followed(published, frames) if published is not None else None
    issued_years = set() if issued is None else set(issued["origin"].to_list())
    rows = []
    for y in [y for y in years if (y - 1 >= years[0] or y in issued_years) and y + horizon <= years[-1]]:
        out = outcomes(sm, y, horizon, p.evidence.min_graduates).drop("closed")
        if y in issued_years:
            flags = issued.filter(pl.col("origin") == y).select("major_code", "flagged").unique("major_code")
            source = PUBLISHED
        else:
            verdicts = scored[y] if scored is not None and y in scored else scored_at(frames, p, y)
            flags, source = verdicts.select("major_code", flagged=pl.col("warning_level") != "绿"), RESCORED
        rows.append(out.join(flags, on="major_code").with_columns(origin=pl.lit(y, pl.Int32), source=pl.lit(source)))
    schema = {"major_code": pl.String, "declined": pl.Boolean, "flagged": pl.Boolean, "origin": pl.Int32,
              "source": pl.String}
    return pl.concat(rows) if rows else pl.DataFrame(schema=schema)


def measure(pairs: pl.DataFrame, z: float = 1.96, seed: int = 0, reps: int = 1000) -> dict[str, Any]:
    """Precision, recall and lift with intervals, per origin counts, and a plain verdict."""
    n = pairs.height
    f = pairs["flagged"].to_numpy().astype(bool) if n else np.zeros(0, bool)
    d = pairs["declined"].to_numpy().astype(bool) if n else np.zeros(0, bool)
    tp, flagged, declined = int((f & d).sum()), int(f.sum()), int(d.sum())
    out: dict[str, Any] = {"pairs": n, "origins": sorted(pairs["origin"].unique().to_list()) if n else [],
                           "flagged": flagged, "declined": declined, "true_positives": tp}
    out["published_origins"] = sorted(pairs.filter(pl.col("source") == PUBLISHED)["origin"].unique().to_list()) if (
        n and "source" in pairs.columns) else []
    out["precision"] = tp / flagged if flagged else None
    out["precision_interval"] = wilson(tp, flagged, z) if flagged else None
    out["recall"] = tp / declined if declined else None
    out["recall_interval"] = wilson(tp, declined, z) if declined else None
    base = declined / n if n else None
    out["base_rate"] = base
    out["lift"] = out["precision"] / base if out["precision"] is not None and base else None
    out["lift_interval"] = _bootstrap_lift(f, d, seed, reps) if out["lift"] is not None else None
    out["verdict"] = _verdict(out)
    return out


def _bootstrap_lift(f: np.ndarray, d: np.ndarray, seed: int, reps: int) -> tuple[float, float] | None:
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(f), size=(reps, len(f)))
    ff, dd = f[idx], d[idx]
    flagged, base = ff.sum(axis=1), dd.mean(axis=1)
    ok = (flagged > 0) & (base > 0)
    if not ok.any():
        return None
    lift = (ff & dd).sum(axis=1)[ok] / flagged[ok] / base[ok]
    return float(np.quantile(lift, 0.025)), float(np.quantile(lift, 0.975))


def _verdict(m: dict[str, Any]) -> str:
    if len(m["origins"]) < MIN_ORIGINS or m["flagged"] < MIN_FLAGGED or m["declined"] < MIN_DECLINES:
        return (f"历史太短或样本太少，不足以判断预警是否有效（回测年份 {len(m['origins'])} 个，被预警 {m['flagged']} 个，"
                f"随后下降 {m['declined']} 个；至少需要 {MIN_ORIGINS} 个年份、各 {MIN_FLAGGED} 个）")
    low = m["lift_interval"][0] if m["lift_interval"] else None
    if low is not None and low > 1:
        return (f"被预警专业随后下降的比例是全部专业的 {m['lift']:.2f} 倍（95%区间下限 {low:.2f} 高于 1），"
                "预警对后来的下降有提示作用")
    return f"提升度 {m['lift']:.2f} 的区间包含 1，尚不能证明预警优于随机"


def backtest(frames: dict[str, pl.DataFrame], p: Policy, horizon: int = 1, seed: int = 0,
             scored: dict[int, pl.DataFrame] | None = None,
             published: pl.DataFrame | None = None) -> dict[str, Any]:
    """`flags_and_outcomes` measured; per-origin figures (and where their flags came from) under `by_origin`."""
    pairs = flags_and_outcomes(frames, p, horizon, scored, published)
    out = measure(pairs, p.evidence.interval_z, seed)
    out["horizon"] = horizon
    out["by_origin"] = [
        {"origin": y, **{k: v for k, v in measure(pairs.filter(pl.col("origin") == y), p.evidence.interval_z,
                                                     seed, 200).items() if k in ("pairs", "flagged", "declined",
                                                                                 "precision", "lift")},
         "source": PUBLISHED if y in out["published_origins"] else RESCORED}
        for y in out["origins"]]
    return out


def format_backtest(m: dict[str, Any]) -> list[str]:
    """Chinese lines for `majorwatch evaluate` and the bulletin."""
    if m.get("skipped"):
        return [f"  未评估：{m['skipped']}"]
    years = "、".join(str(y) for y in m["origins"]) or "无"
    lines = [f"  回测起点年份：{years}（每年只用当年及以前的数据评分，看其后 {m['horizon']} 年）",
             f"  专业·年份 {m['pairs']} 个，被预警（红/黄）{m['flagged']} 个，随后招生或落实率下降 {m['declined']} 个"]
    issued = m.get("published_origins") or []
    rescored = [y for y in m["origins"] if y not in issued]
    if issued:
        lines.append(f"  预警结论来源：{'、'.join(map(str, issued))} 年取当年正式版实际发布的预警等级"
                     + (f"，{'、'.join(map(str, rescored))} 年按当时可得数据回算" if rescored else ""))

    def show(name: str, key: str, pct: bool = True) -> None:
        v, ci = m[key], m.get(f"{key}_interval")
        if v is None:
            lines.append(f"  {name}：无法计算")
            return
        f = (lambda x: f"{x * 100:.1f}%") if pct else (lambda x: f"{x:.2f}")
        lines.append(f"  {name}：{f(v)}" + (f"（95%区间 {f(ci[0])}–{f(ci[1])}）" if ci else ""))

    show("精确率（被预警中随后下降的比例）", "precision")
    show("召回率（随后下降中事先被预警的比例）", "recall")
    show("提升度（精确率 ÷ 全部专业的下降比例）", "lift", pct=False)
    lines.append(f"  结论：{m['verdict']}")
    return lines
