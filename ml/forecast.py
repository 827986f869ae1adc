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


def window_features(logs: np.ndarray, t: int, h: int, m: int) -> np.ndarray | None:
    """Signals known at origin t for a forecast h periods ahead (logs = log1p of one series)."""
    if t - 2 * m - 1 < 0 or t >= logs.size:
        return None
    x = logs
    yoy = [x[t - j] - x[t - j - m] for j in range(min(m, 4))] if m > 1 else [x[t] - x[t - 1], x[t - 1] - x[t - 2]]
    base = x[t + h - m * int(np.ceil(h / m))]
    season = np.zeros(m if m > 1 else 0)
    if m > 1:
        season[(t + h) % m] = 1.0
    f = np.concatenate([[yoy[0], np.mean(yoy), x[t] - x[t - 1], x[t] - base, h / m], season])
    return None if np.isnan(f).any() or np.isnan(base) else f


def seasonal_base(logs: np.ndarray, t: int, h: int, m: int) -> float:
    """Seasonal-naive forecast (in logs): the same season in the last observed year."""
    return float(logs[t + h - m * int(np.ceil(h / m))])


def fit_horizon(panel: SeriesPanel, h: int, origin: np.ndarray, seed: int) -> Ridge | None:
    """Pooled ridge regression for horizon h on all windows whose target lies at or before each origin."""
    xs, ys = [], []
    for logs_all in (panel.logs[v] for v in VARIABLES):
        for i, logs in enumerate(logs_all):
            for t in range(2 * panel.m + 1, int(origin[i]) - h + 1):
                f = window_features(logs, t, h, panel.m)
                if f is not None and not np.isnan(logs[t + h]):
                    xs.append(f)
                    ys.append(logs[t + h] - seasonal_base(logs, t, h, panel.m))
    if len(ys) < MIN_WINDOWS:
        return None
    return Ridge(alpha=1.0, random_state=seed).fit(np.asarray(xs), np.asarray(ys))


def predict(panel: SeriesPanel, model: Ridge | None, var: str, i: int, t: int, h: int) -> float:
    """Forecast of variable `var` for series i, h periods after origin t (original units, ≥ 0)."""
    logs = panel.logs[var][i]
    base = seasonal_base(logs, t, h, panel.m)
    f = window_features(logs, t, h, panel.m)
    step = 0.0 if model is None or f is None else float(model.predict(f[None, :])[0])
    return float(max(np.expm1(base + step), 0.0)) if not np.isnan(base) else float("nan")


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
                for i in range(panel.n):
                    values, t = panel.values[var][i], int(origin[i])
                    scale = _mase_scale(values[: t + 1], panel.m)
                    if scale is None:
                        continue
                    for h in horizons:
                        if t + h >= values.size or np.isnan(values[t + h]) or np.isnan(values[t]):
                            continue
                        sn = values[t + h - panel.m * int(np.ceil(h / panel.m))]
                        if np.isnan(sn):
                            continue
                        actual = values[t + h]
                        units[h].append(f"{panel.m}/{var}/{i}")
                        errors["model"][h].append(abs(actual - predict(panel, models[h], var, i, t, h)) / scale)
                        errors["naive"][h].append(abs(actual - values[t]) / scale)
                        errors["seasonal_naive"][h].append(abs(actual - sn) / scale)
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
        for i, key in enumerate(panel.keys):
            for step in range(1, h + 1):
                d = predict(panel, models[step], "demand", i, int(last[i]), step)
                s = predict(panel, models[step], "supply", i, int(last[i]), step)
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
