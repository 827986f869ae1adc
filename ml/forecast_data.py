"""Turn the labor_market table into aligned series panels (one per frequency) for the forecaster.

A series is one (industry_code or occupation_code, region); quarterly rows ('YYYY-Qn') and yearly
rows ('YYYY') form separate panels with season length 4 and 1. Missing periods are NaN.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import polars as pl

KEYS = ("industry_code", "occupation_code", "region")
VARIABLES = ("demand", "supply")
_PERIOD = re.compile(r"^(\d{4})(?:-Q([1-4]))?$")


@dataclass
class SeriesPanel:
    """Series of one frequency on a common time axis: values[var] is (series x periods)."""

    keys: list[dict]
    m: int  # season length: 4 for quarters, 1 for years
    start: int  # time index of column 0 (year*4+quarter-1, or the year)
    values: dict[str, np.ndarray]
    logs: dict[str, np.ndarray]

    @property
    def n(self) -> int:
        return len(self.keys)

    def last_index(self) -> np.ndarray:
        """Each series' last column where both demand and supply are known."""
        ok = ~np.isnan(self.values["demand"]) & ~np.isnan(self.values["supply"])
        last = ok.shape[1] - 1 - np.argmax(ok[:, ::-1], axis=1)
        return np.where(ok.any(axis=1), last, -1)


def period_index(period: str) -> tuple[int, int]:
    """(time index, season length) of 'YYYY-Qn' or 'YYYY'."""
    match = _PERIOD.match(period.strip())
    if not match:
        raise ValueError(f"period must be YYYY or YYYY-Qn: {period!r}")
    year, quarter = int(match.group(1)), match.group(2)
    return (year * 4 + int(quarter) - 1, 4) if quarter else (year, 1)


def period_label(index: int, m: int) -> str:
    """Inverse of period_index."""
    return f"{index // 4}-Q{index % 4 + 1}" if m == 4 else str(index)


def build_panels(labor: pl.DataFrame) -> list[SeriesPanel]:
    """One panel per frequency present in the labor_market frame."""
    frame = labor.with_columns(
        [pl.col(k).cast(pl.String) if k in labor.columns else pl.lit(None, pl.String).alias(k) for k in KEYS]
    ).with_columns(pl.col("region").fill_null("北京市"))
    parsed = [period_index(p) for p in frame["period"].cast(pl.String).to_list()]
    frame = frame.with_columns(_t=pl.Series([p[0] for p in parsed], dtype=pl.Int64),
                               _m=pl.Series([p[1] for p in parsed], dtype=pl.Int64))
    panels = []
    for (m,), part in frame.group_by("_m", maintain_order=True):
        part = part.group_by([*KEYS, "_t"]).agg(pl.col("demand").sum(), pl.col("supply").sum())
        keys = part.select(KEYS).unique(maintain_order=True).sort(KEYS, nulls_last=True)
        start, width = int(part["_t"].min()), int(part["_t"].max() - part["_t"].min() + 1)
        row = {tuple(k.values()): i for i, k in enumerate(keys.iter_rows(named=True))}
        values = {v: np.full((keys.height, width), np.nan) for v in VARIABLES}
        for rec in part.iter_rows(named=True):
            i, j = row[tuple(rec[k] for k in KEYS)], rec["_t"] - start
            for v in VARIABLES:
                values[v][i, j] = np.nan if rec[v] is None else float(rec[v])
        logs = {v: np.log1p(np.clip(values[v], 0, None)) for v in VARIABLES}
        panels.append(SeriesPanel(keys.to_dicts(), int(m), start, values, logs))
    return panels
