"""Forecast talent demand, supply and their ratio (求人倍率) for each labor-market series.

Business meaning: the risk score looks at where the demand/supply ratio of a major's industries and
occupations is heading. One pooled model over all series predicts, for each horizon, the log growth
of the next periods against the same quarter of the last observed year (the seasonal-naive forecast),
from recent growth, momentum and the quarter. It is judged by a rolling-origin backtest against the
naive and seasonal-naive forecasts (MASE). It only claims to beat seasonal naive when it clearly beats
both baselines at every horizon: on a random walk the model can only reproduce the naive forecast,
which is persistence and no skill of its own, so it claims nothing there.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from sklearn.linear_model import Ridge

from ml.forecast_data import KEYS, VARIABLES, SeriesPanel, build_panels, period_label

MIN_WINDOWS = 20  # fewer training windows than this: fall back to seasonal naive


def window_matrix(logs: np.ndarray, rows: np.ndarray, ts: np.ndarray, h: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Signals known at origin ts[k] of series rows[k] for a forecast h periods ahead, one row per window,
    and which windows are usable (logs = log1p of the series, one row each; all windows at once)."""
    rows, ts = np.asarray(rows, dtype=np.int64), np.asarray(ts, dtype=np.int64)
    usable = (ts - 2 * m - 1 >= 0) & (ts < logs.shape[1])
    t = np.where(usable, ts, 2 * m + 1)  # unusable windows read harmless cells and are masked below

    def at(offset: int) -> np.ndarray:
        return logs[rows, t - offset]

    lags = range(min(m, 4)) if m > 1 else range(2)
    yoy = np.stack([at(j) - at(j + m) if m > 1 else at(j) - at(j + 1) for j in lags], axis=1)
    base = logs[rows, t + h - m * int(np.ceil(h / m))]
    season = np.zeros((t.size, m if m > 1 else 0))
    if m > 1:
        season[np.arange(t.size), (t + h) % m] = 1.0
    f = np.column_stack([yoy[:, 0], yoy.mean(axis=1), at(0) - at(1), at(0) - base, np.full(t.size, h / m), season])
    return f, usable & ~np.isnan(f).any(axis=1) & ~np.isnan(base)


def seasonal_base(logs: np.ndarray, rows: np.ndarray, ts: np.ndarray, h: int, m: int) -> np.ndarray:
    """Seasonal-naive forecast (in logs): the same season in the last observed year, per window."""
    return logs[rows, np.asarray(ts) + h - m * int(np.ceil(h / m))]


def _training_windows(origin: np.ndarray, h: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """(series, origin t) of every window whose target lies at or before the series' origin, series by series."""
    first = 2 * m + 1
    counts = np.maximum(origin.astype(np.int64) - h + 1 - first, 0)
    rows = np.repeat(np.arange(origin.size), counts)
    starts = np.cumsum(counts) - counts
    return rows, first + np.arange(rows.size) - np.repeat(starts, counts)


def fit_horizon(panel: SeriesPanel, h: int, origin: np.ndarray, seed: int) -> Ridge | None:
    """Pooled ridge regression for horizon h on all windows whose target lies at or before each origin."""
    rows, ts = _training_windows(origin, h, panel.m)
    xs, ys = [], []
    for var in VARIABLES:
        logs = panel.logs[var]
        f, ok = window_matrix(logs, rows, ts, h, panel.m)
        target = logs[rows, ts + h] if rows.size else np.empty(0)
        ok &= ~np.isnan(target)
        xs.append(f[ok])
        ys.append(target[ok] - seasonal_base(logs, rows[ok], ts[ok], h, panel.m))
    y = np.concatenate(ys)
    if y.size < MIN_WINDOWS:
        return None
    return Ridge(alpha=1.0, random_state=seed).fit(np.vstack(xs), y)


def predict(panel: SeriesPanel, model: Ridge | None, var: str, rows: np.ndarray, ts: np.ndarray, h: int) -> np.ndarray:
    """Forecasts of variable `var` for series rows[k], h periods after origin ts[k] (original units, ≥ 0)."""
    logs = panel.logs[var]
    base = seasonal_base(logs, rows, ts, h, panel.m)
    step = np.zeros(base.size)
    f, ok = window_matrix(logs, rows, ts, h, panel.m)
    if model is not None and ok.any():
        step[ok] = model.predict(f[ok])
    return np.where(np.isnan(base), np.nan, np.maximum(np.expm1(base + step), 0.0))


def backtest(labor: pl.DataFrame, horizons=(1, 2, 3, 4), origins: int = 4, seed: int = 0) -> dict:
    """Rolling-origin backtest: MASE per horizon for the model, naive and seasonal naive.

    MASE = |actual − forecast| divided by the series' in-sample mean seasonal-naive error (one-step,
    lag = season length, computed on the data before the origin), averaged over series, origins and
    both demand and supply.
    """
    horizons = tuple(sorted(horizons))
    errors: dict[str, dict[int, list[float]]] = {k: {h: [] for h in horizons} for k in ("model", "naive",
                                                                                          "seasonal_naive")}
    units: dict[int, list[str]] = {h: [] for h in horizons}  # series x variable, for clustered tests
    n_series = 0
    for panel in build_panels(labor):
        n_series += panel.n
        last = panel.last_index()
        for back in range(origins, 0, -1):
            origin = last - max(horizons) - back + 1
            models = {h: fit_horizon(panel, h, origin, seed) for h in horizons}
            for var in VARIABLES:
                values = panel.values[var]
                t = origin.astype(np.int64)
                scale = np.array([_mase_scale(values[i, : t[i] + 1], panel.m) if t[i] >= 0 else None
                                  for i in range(panel.n)], dtype=float)  # None (no usable history) → NaN
                for h in horizons:
                    lag = t + h - panel.m * int(np.ceil(h / panel.m))
                    rows = np.flatnonzero(~np.isnan(scale) & (t + h < values.shape[1]))
                    actual, now, sn = (values[rows, t[rows] + h], values[rows, t[rows]], values[rows, lag[rows]])
                    ok = ~np.isnan(actual) & ~np.isnan(now) & ~np.isnan(sn)
                    rows, actual, now, sn = rows[ok], actual[ok], now[ok], sn[ok]
                    units[h].extend(f"{panel.m}/{var}/{i}" for i in rows)
                    model_hat = predict(panel, models[h], var, rows, t[rows], h)
                    errors["model"][h].extend(np.abs(actual - model_hat) / scale[rows])
                    errors["naive"][h].extend(np.abs(actual - now) / scale[rows])
                    errors["seasonal_naive"][h].extend(np.abs(actual - sn) / scale[rows])
    mase = {k: {h: float(np.mean(v[h])) if v[h] else float("nan") for h in horizons} for k, v in errors.items()}
    wins = {h: _clear_win(errors["seasonal_naive"][h], errors["model"][h], units[h]) for h in horizons}
    wins_naive = {h: _clear_win(errors["naive"][h], errors["model"][h], units[h]) for h in horizons}
    beats_naive = bool(horizons) and all(wins_naive.values())
    return {"horizons": list(horizons), "origins": origins, "n_series": n_series,
            "n_forecasts": {h: len(errors["model"][h]) for h in horizons}, "mase": mase,
            "beats_seasonal_naive": bool(horizons) and all(wins.values()) and beats_naive,
            "beats_naive": beats_naive, "wins_over_seasonal_naive": wins, "wins_over_naive": wins_naive}


def forecast(labor: pl.DataFrame, h: int = 4, seed: int = 0) -> pl.DataFrame:
    """Next h periods of demand, supply and ratio (demand/supply) for every series, from its last period."""
    rows = []
    for panel in build_panels(labor):
        last = panel.last_index()
        models = {step: fit_horizon(panel, step, last, seed) for step in range(1, h + 1)}
        every = np.arange(panel.n)
        hats = {step: {var: predict(panel, models[step], var, every, last, step) for var in VARIABLES}
                for step in range(1, h + 1)}
        for i, key in enumerate(panel.keys):
            for step in range(1, h + 1):
                d, s = float(hats[step]["demand"][i]), float(hats[step]["supply"][i])
                rows.append({**key, "period": period_label(panel.start + int(last[i]) + step, panel.m),
                             "demand_hat": d, "supply_hat": s, "ratio_hat": d / s if s > 0 else None})
    schema = {**{k: pl.String for k in KEYS}, "period": pl.String, "demand_hat": pl.Float64,
              "supply_hat": pl.Float64, "ratio_hat": pl.Float64}
    return pl.DataFrame(rows, schema=schema)


def _mase_scale(history: np.ndarray, m: int) -> float | None:
    diffs = np.abs(history[m:] - history[:-m]) if history.size > m else np.array([])
    diffs = diffs[~np.isnan(diffs)]
    if diffs.size == 0 or diffs.mean() == 0:
        return None
    return float(diffs.mean())


def _clear_win(baseline: list[float], model: list[float], units: list[str]) -> bool:
    """The model's scaled errors are lower than the baseline's by more than two standard errors.

    Differences are first averaged per series and variable (forecasts from successive origins of one
    series are not independent), then tested across those units.
    """
    frame = pl.DataFrame({"unit": units, "d": np.asarray(baseline) - np.asarray(model)})
    d = frame.group_by("unit").agg(pl.col("d").mean())["d"].to_numpy()
    if d.size < 8:
        return False
    se = d.std(ddof=1) / np.sqrt(d.size)
    return bool(d.mean() > 0 and (se == 0 or d.mean() / se > 2.0))


LEVELS = ("industry_code", "occupation_code")


def backtest_by_level(labor: pl.DataFrame, horizons=(1, 2, 3, 4), origins: int = 4, seed: int = 0) -> dict:
    """The backtest run separately on the industry-keyed and the occupation-keyed quarterly series.

    Scoring trusts the forecast per level of data, so each level must earn it on its own.
    A level with no quarterly rows maps to None.
    """
    quarterly = labor.filter(pl.col("period").str.contains("Q")) if labor.height else labor
    out: dict[str, dict | None] = {}
    for level in LEVELS:
        if level not in quarterly.columns or quarterly.height == 0:
            out[level] = None
            continue
        part = quarterly.filter(pl.col(level).is_not_null())
        out[level] = backtest(part, horizons=horizons, origins=origins, seed=seed) if part.height else None
    return out


def fit_forecasts(labor: pl.DataFrame, horizon: int, seed: int) -> tuple[dict, dict]:
    """Backtest per level, forecast the levels that beat the seasonal naive forecast: (model, metrics)."""
    results = backtest_by_level(labor, horizons=tuple(range(1, horizon + 1)), origins=4, seed=seed)
    forecasts = {}
    for key, result in results.items():
        if result is not None and result["beats_seasonal_naive"]:
            part = labor.filter(pl.col("quarter").is_not_null() & pl.col(key).is_not_null())
            forecasts[key] = forecast(part, h=horizon, seed=seed)
    metrics = {key: None if r is None else {"beats_seasonal_naive": r["beats_seasonal_naive"], "mase": r["mase"]}
               for key, r in results.items()}
    return {"backtest": results, "forecasts": forecasts}, metrics
