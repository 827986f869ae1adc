"""The labor-market forecaster on synthetic series generated here (trend + seasonality + noise)."""

from __future__ import annotations

import numpy as np
import polars as pl

from ml.forecast import backtest, forecast
from ml.forecast_data import period_index, period_label


def _series(kind: str, n: int = 30, years: int = 8, seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(n):
        level, growth = rng.uniform(200, 2000), rng.uniform(0.06, 0.20) * rng.choice([-1, 1])
        amp, phase = rng.uniform(0.1, 0.3), rng.integers(4)
        walk_d = walk_s = 0.0
        for t in range(years * 4):
            q = t % 4
            if kind == "trend":
                season = 1 + amp * np.sin(2 * np.pi * (q + phase) / 4)
                d = level * np.exp(growth * t / 4) * season * np.exp(rng.normal(0, 0.03))
                sp = level * 0.9 * np.exp(growth * t / 4) * (1 + amp / 2 * np.cos(2 * np.pi * (q + phase) / 4)) \
                    * np.exp(rng.normal(0, 0.03))
            elif kind == "random_walk":
                walk_d, walk_s = walk_d + rng.normal(0, 0.08), walk_s + rng.normal(0, 0.08)
                d, sp = level * np.exp(walk_d), level * np.exp(walk_s)
            else:  # seasonal random walk: each quarter its own walk; seasonal naive is optimal
                d = (rows[-4]["demand"] if t >= 4 else level) * np.exp(rng.normal(0, 0.08))
                sp = (rows[-4]["supply"] if t >= 4 else level) * np.exp(rng.normal(0, 0.08))
            rows.append({"period": f"{2015 + t // 4}-Q{q + 1}", "industry_code": f"C{s:02d}",
                         "demand": int(d), "supply": int(sp)})
    return pl.DataFrame(rows)


def test_beats_seasonal_naive_on_trend_and_seasonality():
    result = backtest(_series("trend"), horizons=(1, 2, 3, 4), origins=4, seed=0)
    print(f"\ntrend+season MASE: {result['mase']}")
    for h in (1, 2, 3, 4):
        assert result["mase"]["model"][h] < 1.0
        assert result["mase"]["model"][h] < result["mase"]["seasonal_naive"][h]
    assert result["beats_seasonal_naive"] is True


def test_does_not_claim_a_win_on_random_walks():
    for kind in ("random_walk", "seasonal_walk"):
        result = backtest(_series(kind), horizons=(1, 2, 3, 4), origins=4, seed=0)
        print(f"\n{kind} MASE: {result['mase']}")
        assert result["beats_seasonal_naive"] is False


def test_forecast_frame_continues_each_series():
    labor = _series("trend", n=3, years=4)
    out = forecast(labor, h=4, seed=0)
    assert out.height == 12
    assert out.filter(pl.col("industry_code") == "C00")["period"].to_list() == ["2019-Q1", "2019-Q2", "2019-Q3",
                                                                                "2019-Q4"]
    assert (out["demand_hat"] >= 0).all()
    ratio = out["demand_hat"] / out["supply_hat"]
    assert np.allclose(ratio.to_numpy(), out["ratio_hat"].to_numpy())
    assert set(out["region"]) == {"北京市"}


def test_yearly_periods_and_labels():
    assert period_index("2023-Q3") == (2023 * 4 + 2, 4) and period_label(2023 * 4 + 2, 4) == "2023-Q3"
    assert period_index("2021") == (2021, 1) and period_label(2022, 1) == "2022"
    yearly = pl.DataFrame({"period": [str(y) for y in range(2010, 2020)], "occupation_code": ["2-02-10-01"] * 10,
                           "demand": list(range(100, 200, 10)), "supply": [100] * 10})
    out = forecast(yearly, h=2)
    assert out["period"].to_list() == ["2020", "2021"] and out["occupation_code"][0] == "2-02-10-01"
