"""What would change a verdict: for each flagged major, the smallest change of one input that moves it.

Computed by the same rules (`scoring.risk.judge`), one input at a time, the others held: the input is
moved along a grid of round values (0.1 percentage point for rates and shares, 0.01 for 求人倍率, one
school for 布点) towards its favourable end, and a bisection over the grid finds the first value at
which the warning level or the citywide restriction changes. Because every rule is monotone in each
input, the value found changes the verdict and the grid value just short of it does not.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from scoring import rulebook as rb
from scoring.judge import judge
from scoring.policy import Policy
from scoring.uncertainty import verdict_key

CHANGES_DTYPE = pl.List(pl.Struct({"signal": pl.String, "value": pl.Float64, "text": pl.String}))


@dataclass(frozen=True)
class Lever:
    """One input a school or the commission could move, its grid and how to apply a value."""

    signal: str
    current: Callable[[dict], float | None]
    step: float
    extreme: Callable[[float], float]
    apply: Callable[[pl.Expr], list[pl.Expr]]
    say: Callable[[float, dict, Policy], str]


def _banned_apply(v: pl.Expr) -> list[pl.Expr]:
    total = pl.col("exposure_prohibited") + pl.col("exposure_restricted")
    scale = pl.when(total > 0).then(v / total).otherwise(0.0)
    return [(pl.col("exposure_prohibited") * scale).alias("exposure_prohibited"),
            (pl.col("exposure_restricted") * scale).alias("exposure_restricted")]


def _enrolment_say(v: float, r: dict, p: Policy) -> str:
    base = r.get("enrolment_base_year")
    if v >= 0:
        return rb.cause("招生萎缩").text("recovered", p, base=base)
    return rb.cause("招生萎缩").text("counterfactual", p, base=base, drop=-v)


def _say(cause: str) -> Callable[[float, dict, Policy], str]:
    return lambda v, r, p: rb.cause(cause).text("counterfactual", p, value=v)


LEVERS = (
    Lever("毕业去向", lambda r: r.get("employment_rate"), 0.001, lambda cur: 1.0,
          lambda v: [v.alias("employment_rate")], _say("毕业去向")),
    Lever("人才需求", lambda r: r.get("demand_supply_ratio"), 0.01, lambda cur: max(5.0, cur),
          lambda v: [v.alias("demand_supply_ratio")], _say("人才需求")),
    Lever("产业清单", lambda r: (r["exposure_prohibited"] + r["exposure_restricted"]) or None, -0.001,
          lambda cur: 0.0, _banned_apply, _say("产业清单")),
    Lever("招生萎缩", lambda r: r.get("enrolment_trend") if (r.get("enrolment_trend") or 0) < 0 else None, 0.001,
          lambda cur: 0.0, lambda v: [v.alias("enrolment_trend")], _enrolment_say),
    Lever("布点过多", lambda r: float(r["schools_offering"]) or None, -1.0, lambda cur: 0.0,
          lambda v: [v.round(0).cast(pl.Int64).alias("schools_offering")], _say("布点过多")),
)


def _grid(cur: float, step: float, extreme: float) -> list[float]:
    """Round values strictly beyond `cur` in the favourable direction, up to `extreme`."""
    k0 = math.floor(cur / step + 1e-9) + 1
    k1 = math.floor(extreme / step + 1e-9)
    return [round(k * step, 6) for k in range(k0, k1 + 1)]


def _keys(rows: pl.DataFrame, lever: Lever, values: list[float], p: Policy) -> pl.DataFrame:
    """The verdict of each row with the lever's input set to that row's value."""
    out = judge(rows.with_columns(pl.Series("_v", values, dtype=pl.Float64)).with_columns(*lever.apply(pl.col("_v"))), p,
                basis=False)
    return out.select("warning_level", "restriction", key=verdict_key(pl.col("warning_level"), pl.col("restriction")))


def _effect(old: dict, new: dict) -> str:
    if new["warning_level"] != old["warning_level"]:
        return ("解除" + {"红": "红色", "黄": "黄色"}[old["warning_level"]] + "预警" if new["warning_level"] == "绿"
                else f"由{old['warning_level']}色预警降为{new['warning_level']}色预警")
    return f"解除{old['restriction']}" if new["restriction"] is None else f"改为{new['restriction']}"


def lever_grid(row: dict, lever: Lever) -> list[float]:
    """The candidate values of one lever for one major, nearest first."""
    cur = lever.current(row)
    if cur is None:
        return []
    if lever.step > 0:
        return _grid(cur, lever.step, lever.extreme(cur))
    return [-v for v in _grid(-cur, -lever.step, -lever.extreme(cur))]


def smallest_changes(rows: pl.DataFrame, lever: Lever, p: Policy) -> list[dict | None]:
    """For each row: the first grid value of `lever` that changes its verdict, with its text (None: none does)."""
    dicts = list(rows.iter_rows(named=True))
    grids = [lever_grid(r, lever) for r in dicts]
    live = [i for i, g in enumerate(grids) if g]
    out: list[dict | None] = [None] * len(dicts)
    if not live:
        return out
    sub = rows[live]
    now = sub.select(key=verdict_key(pl.col("warning_level"), pl.col("restriction")))["key"].to_list()
    last = _keys(sub, lever, [grids[i][-1] for i in live], p).to_dicts()
    state = {j: [-1, len(grids[i]) - 1, last[j]] for j, i in enumerate(live) if last[j]["key"] != now[j]}
    while any(hi - lo > 1 for lo, hi, _ in state.values()):
        todo = [j for j, (lo, hi, _) in state.items() if hi - lo > 1]
        mids = [(state[j][0] + state[j][1]) // 2 for j in todo]
        got = _keys(sub[todo], lever, [grids[live[j]][m] for j, m in zip(todo, mids, strict=True)], p).to_dicts()
        for j, m, g in zip(todo, mids, got, strict=True):
            if g["key"] == now[j]:
                state[j][0] = m
            else:
                state[j][1], state[j][2] = m, g
    for j, (_, hi, new) in state.items():
        r = dicts[live[j]]
        value = grids[live[j]][hi]
        out[live[j]] = {"signal": lever.signal, "value": value, "text": f"{lever.say(value, r, p)}可{_effect(r, new)}"}
    return out


def _scoped_text(r: dict, p: Policy) -> list[str]:
    """A district or zone restriction lifts when that place's banned share falls to the rule's threshold."""
    return [rb.restriction(x["restriction"]).text("lift", p, scope=x["scope"])
            for x in r["restrictions"] or [] if x["scope"] != "全市"]


def what_would_change(df: pl.DataFrame, p: Policy) -> pl.DataFrame:
    """Add `changes` (signal, value, text per lever) and `what_would_change` (the texts) to flagged majors."""
    flagged = (pl.col("warning_level") != "绿") | pl.col("restriction").is_not_null()
    rows = df.filter(flagged)
    found: dict[str, list[dict]] = {code: [] for code in rows["major_code"]}
    for lever in LEVERS:
        for code, c in zip(rows["major_code"], smallest_changes(rows, lever, p), strict=True):
            if c is not None:
                found[code].append(c)
    changes = pl.Series("changes", [found.get(code) for code in df["major_code"]], dtype=CHANGES_DTYPE)
    scoped = {r["major_code"]: _scoped_text(r, p) for r in rows.iter_rows(named=True)}
    text = [None if code not in found else ("；".join([c["text"] for c in found[code]] + scoped[code])
                                            or "单项指标的变化不足以改变结论，须多项同时改善或经人工复核")
            for code in df["major_code"]]
    return df.with_columns(changes, what_would_change=pl.Series(text, dtype=pl.String))
