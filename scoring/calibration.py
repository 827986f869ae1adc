"""How well P(红) at graduation foretold past graduations, beside two simple baselines.

For every origin year Y with a year of history before it and the major's program length H (3 or 4 years) of
history after it, the majors are scored with only the data up to Y (as ``scoring.backtest`` does), P(红) at
graduation is computed from that scoring (``scoring.outlook``), and the outcome is the rules' verdict in Y + H
scored with the data up to Y + H: 红 or not. Each (major offered in Y, origin) pair is one forecast. Baselines:
``carry_forward`` says 1 when the major is 红 in Y, else 0; ``base_rate`` says, for every major, the share of
红 among the majors in Y. Brier score (mean squared error of the probability; lower is better), a reliability
table (predicted mean against observed frequency per tenth), and as flags (model: P ≥ 0.5; carry-forward: 红
now; base rate: flags each major with that share, so its precision is the share of 红 at graduation) the
precision, recall and lift against 红 at graduation.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from scoring.backtest import backtest, past_verdicts, scored_at, scored_years
from scoring.outlook import graduation_outlook, program_years
from scoring.policy import Policy
from scoring.revisions import with_revisions

BACKTEST_INPUTS = ("majors", "industries", "major_industry_map", "industry_adjustments", "labor_market",
                   "school_majors")
BINS = 10
FLAG_AT = 0.5  # a probability flags a major when 红 is more likely than not
METHODS = {"model": "模型（毕业时红色预警可能性）", "carry_forward": "基线：沿用当年结论", "base_rate": "基线：当年红色预警比例"}


def forecasts_and_outcomes(frames: dict[str, pl.DataFrame], p: Policy, seed: int = 0,
                           scored: dict[int, pl.DataFrame] | None = None) -> pl.DataFrame:
    """One row per (origin, major offered then): origin, major_code, p_red (model), red_now, base_rate, red_after.
    ``scored``: the years already scored (``scoring.backtest.scored_years``), the others are scored here."""
    frames = with_revisions(frames)
    sm, majors = frames["school_majors"], frames["majors"]
    years = sorted(sm["year"].unique().to_list())
    length = {c: program_years(lv) for c, lv in zip(majors["major_code"], majors["level"], strict=True)}
    longest, shortest = max(length.values(), default=3), min(length.values(), default=3)
    origins = [y for y in years if y - 1 >= years[0] and y + shortest <= years[-1]]
    done = scored or {}
    scored = {y: done[y] if y in done else scored_at(frames, p, y)
              for y in sorted({*origins, *[y + h for y in origins for h in range(shortest, longest + 1)]})
              if y <= years[-1]}
    red = {y: dict(zip(s["major_code"], s["warning_level"] == "红", strict=True)) for y, s in scored.items()}
    rows = []
    for y in origins:
        offered = set(sm.filter((pl.col("year") == y) & (pl.col("enrolled") > 0))["major_code"])
        outlook = graduation_outlook(scored[y], majors, p, seed=seed)
        share = float(np.mean(list(red[y].values()))) if red[y] else 0.0
        for code, chance in zip(outlook["major_code"], outlook["p_red_at_graduation"], strict=True):
            after = y + length.get(code, 3)
            if code in offered and after in red:
                rows.append((y, code, chance, float(red[y][code]), share, float(red[after][code])))
    schema = {"origin": pl.Int32, "major_code": pl.String, "p_red": pl.Float64, "red_now": pl.Float64,
              "base_rate": pl.Float64, "red_after": pl.Float64}
    return pl.DataFrame(rows, schema=schema, orient="row")


def reliability(predicted: np.ndarray, observed: np.ndarray, bins: int = BINS) -> list[dict[str, Any]]:
    """Per tenth of the predicted probability (non-empty only): its range, mean prediction, observed share, count."""
    which = np.minimum((predicted * bins).astype(int), bins - 1)
    out = []
    for b in range(bins):
        hit = which == b
        if hit.any():
            out.append({"bin": f"{b / bins:.1f}–{(b + 1) / bins:.1f}", "predicted": float(predicted[hit].mean()),
                        "observed": float(observed[hit].mean()), "count": int(hit.sum())})
    return out


def _flags(flagged: np.ndarray, observed: np.ndarray, prevalence: float) -> dict[str, float | None]:
    tp, n_flagged, n_red = float((flagged * observed).sum()), float(flagged.sum()), float(observed.sum())
    precision = tp / n_flagged if n_flagged else None
    return {"flagged": n_flagged, "precision": precision, "recall": tp / n_red if n_red else None,
            "lift": precision / prevalence if precision is not None and prevalence else None}


def measure(pairs: pl.DataFrame) -> dict[str, Any]:
    """Brier, reliability and flag figures of the model and both baselines on forecasts_and_outcomes' rows."""
    observed = pairs["red_after"].to_numpy()
    prevalence = float(observed.mean()) if pairs.height else 0.0
    out: dict[str, Any] = {"pairs": pairs.height, "origins": sorted(pairs["origin"].unique().to_list()),
                           "observed_red_rate": prevalence, "methods": {}}
    for name, column in (("model", "p_red"), ("carry_forward", "red_now"), ("base_rate", "base_rate")):
        predicted = pairs[column].to_numpy()
        flags = (_flags(predicted >= FLAG_AT, observed, prevalence) if name != "base_rate" else
                 {"flagged": float(predicted.sum()), "precision": prevalence,
                  "recall": float(predicted.mean()) if pairs.height else None, "lift": 1.0 if prevalence else None})
        out["methods"][name] = {"brier": float(np.mean((predicted - observed) ** 2)) if pairs.height else None,
                                "reliability": reliability(predicted, observed), **flags}
    briers = {k: v["brier"] for k, v in out["methods"].items()}
    out["model_beats_baselines"] = bool(pairs.height) and all(
        briers["model"] < briers[b] for b in ("carry_forward", "base_rate"))
    return out


def calibration(frames: dict[str, pl.DataFrame], p: Policy, seed: int = 0,
                scored: dict[int, pl.DataFrame] | None = None) -> dict[str, Any]:
    """``measure`` of ``forecasts_and_outcomes``, or ``skipped`` (Chinese) when the history is too short."""
    pairs = forecasts_and_outcomes(frames, p, seed, scored)
    if pairs.height == 0:
        return {"skipped": "历史年份不足：需要起点前一年和其后一个完整学制（3 或 4 年）的数据"}
    return measure(pairs)


def format_calibration(m: dict[str, Any]) -> list[str]:
    """Chinese lines for `majorwatch evaluate`."""
    if m.get("skipped"):
        return [f"  未评估：{m['skipped']}"]
    lines = [f"  起点年份：{'、'.join(str(y) for y in m['origins'])}；专业·年份 {m['pairs']} 个，"
             f"毕业当年为红色预警的比例 {m['observed_red_rate'] * 100:.1f}%",
             "  方法 | 布赖尔分数（越小越好） | 精确率 | 召回率 | 提升度"]
    pct = lambda v: "—" if v is None else f"{v * 100:.1f}%"  # noqa: E731
    for key, label in METHODS.items():
        x = m["methods"][key]
        lift = "—" if x["lift"] is None else f"{x['lift']:.2f}"
        lines.append(f"  {label} | {x['brier']:.4f} | {pct(x['precision'])} | {pct(x['recall'])} | {lift}")
    lines.append("  可靠性（模型）：预测区间 | 平均预测 | 实际比例 | 个数")
    lines += [f"  {r['bin']} | {r['predicted']:.3f} | {r['observed']:.3f} | {r['count']}"
              for r in m["methods"]["model"]["reliability"]]
    verdict = "是" if m["model_beats_baselines"] else "否"
    lines.append(f"  模型的布赖尔分数低于两个基线：{verdict}")
    return lines


def calibration_table(m: dict[str, Any]) -> pl.DataFrame:
    """``measure``'s figures as a table: one row per method (model and both baselines); none when skipped."""
    schema = {"method": pl.String, "method_name": pl.String, "pairs": pl.Int64, "brier": pl.Float64,
              "flagged": pl.Float64, "precision": pl.Float64, "recall": pl.Float64, "lift": pl.Float64}
    if m.get("skipped"):
        return pl.DataFrame(schema=schema)
    return pl.DataFrame([{"method": k, "method_name": name, "pairs": m["pairs"],
                          **{c: m["methods"][k][c] for c in ("brier", "flagged", "precision", "recall", "lift")}}
                         for k, name in METHODS.items()], schema=schema)


def reliability_table(m: dict[str, Any]) -> pl.DataFrame:
    """The reliability tables of every method, one row per (method, non-empty tenth)."""
    schema = {"method": pl.String, "bin": pl.String, "predicted": pl.Float64, "observed": pl.Float64,
              "count": pl.Int64}
    rows = [] if m.get("skipped") else [{"method": k, **r} for k in METHODS for r in m["methods"][k]["reliability"]]
    return pl.DataFrame(rows, schema=schema)


def backtest_warnings(frames: dict[str, pl.DataFrame], p: Policy, seed: int = 0,
                      published: pl.DataFrame | None = None) -> dict[str, Any]:
    """The back-test of past flags (``scoring.backtest``), P(红) at graduation against two baselines (``calibration``)
    and the past verdicts they rest on, each past year scored once: what `majorwatch evaluate` prints and the
    ``warning_backtest`` asset records (the same call). Each holds ``skipped`` (Chinese) when an input is missing."""
    missing = [n for n in BACKTEST_INPUTS if frames.get(n) is None or frames[n].height == 0]
    if missing:
        skipped = {"skipped": f"缺少 {'、'.join(missing)} 表，无法回测"}
        return {"flags_backtest": skipped, "graduation_calibration": skipped, "verdicts": past_verdicts({})}
    scored = scored_years(frames, p)
    return {"flags_backtest": backtest(frames, p, seed=seed, scored=scored, published=published),
            "graduation_calibration": calibration(frames, p, seed, scored), "verdicts": past_verdicts(scored)}
