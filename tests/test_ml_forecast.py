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


def _reference_window(logs: np.ndarray, t: int, h: int, m: int) -> np.ndarray | None:
    """The forecaster's signals for one window, written out one value at a time (the definition)."""
    if t - 2 * m - 1 < 0 or t >= logs.size:
        return None
    yoy = [logs[t - j] - logs[t - j - m] for j in range(min(m, 4))] if m > 1 else \
        [logs[t] - logs[t - 1], logs[t - 1] - logs[t - 2]]
    base = logs[t + h - m * int(np.ceil(h / m))]
    season = [1.0 if (t + h) % m == q else 0.0 for q in range(m)] if m > 1 else []
    f = np.array([yoy[0], sum(yoy) / len(yoy), logs[t] - logs[t - 1], logs[t] - base, h / m, *season])
    return None if np.isnan(f).any() or np.isnan(base) else f


def test_window_matrix_matches_the_one_window_definition():
    from ml.forecast import window_matrix

    rng = np.random.default_rng(3)
    for m in (4, 1):
        logs = np.log1p(rng.uniform(50, 500, size=(5, 24)))
        logs[1, 10] = np.nan  # a gap: the windows that read it are unusable
        rows, ts = np.repeat(np.arange(5), 24), np.tile(np.arange(24), 5)
        for h in (1, 3, 5):
            f, ok = window_matrix(logs, rows, ts, h, m)
            for k, (i, t) in enumerate(zip(rows, ts, strict=True)):
                expected = _reference_window(logs[i], int(t), h, m)
                assert ok[k] == (expected is not None), (m, h, i, t)
                if expected is not None:
                    np.testing.assert_allclose(f[k], expected, rtol=1e-12, atol=1e-12)


def test_training_windows_end_at_each_series_origin():
    from ml.forecast import _training_windows

    rows, ts = _training_windows(np.array([12, -1, 9, 20]), h=2, m=4)
    for i, origin in enumerate((12, -1, 9, 20)):
        assert ts[rows == i].tolist() == list(range(9, origin - 2 + 1))  # 2m+1 … origin-h


def test_series_too_short_for_the_origins_take_no_part_in_the_backtest():
    long = _series("trend", n=10, years=6)
    short = _series("trend", n=2, years=1, seed=9).with_columns(industry_code="S" + pl.col("industry_code"))
    alone, mixed = backtest(long, origins=4), backtest(pl.concat([long, short]), origins=4)
    assert mixed["n_forecasts"] == alone["n_forecasts"]  # a 4-quarter series has no history before its origins
    assert mixed["mase"] == alone["mase"]
