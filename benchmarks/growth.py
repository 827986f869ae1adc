"""Growth exponents of the pipeline benchmark: how time and memory grow with the inbox between scales.

For two scales with inbox sizes n1 < n2 and figures y1, y2 the exponent is log(y2 / y1) / log(n2 / n1): 1 is
linear growth, below 1 is a fixed cost being amortised, above 1 is worse than linear. The size n is the number
of job postings (the largest input; 20,000 × scale unless ``--postings`` says otherwise); the offering-years are
recorded beside it. Scales below ``MIN_SCALE`` are left out: their time is mostly the fixed start-up cost.
"""

from __future__ import annotations

import math

MIN_SCALE = 10
SIZE = "job_postings"
"""The inbox size n the exponents are taken against (a key of a scale's ``rows``)."""
FIGURES = {  # name → (label, figure of a scale's first run)
    "time": ("whole first run (wall)", lambda r: r["first_run"]["wall_s"]),
    "work": ("first run less the fixed cost before the first step",
             lambda r: r["first_run"]["wall_s"] - r["first_run"]["to_first_step_s"]),
    "memory": ("peak RSS of the first run", lambda r: r["first_run"]["peak_rss_mb"]),
}
TARGETS = {(100, 500): {"time": 1.05}}
"""Issue 13: from scale 100 to 500 the time grows with an exponent ≤ 1.05."""


def exponent(y1: float, y2: float, n1: float, n2: float) -> float | None:
    """log(y2 / y1) / log(n2 / n1), or None when it is undefined (a figure ≤ 0 or n1 == n2)."""
    if min(y1, y2, n1, n2) <= 0 or n1 == n2:
        return None
    return math.log(y2 / y1) / math.log(n2 / n1)


def growth(scales: list[dict]) -> list[dict]:
    """Exponents between each pair of consecutive scales ≥ MIN_SCALE, and from the smallest to the largest."""
    runs = sorted((r for r in scales if r["scale"] >= MIN_SCALE), key=lambda r: r["scale"])
    pairs = list(zip(runs, runs[1:], strict=False))
    if len(runs) > 2:
        pairs.append((runs[0], runs[-1]))
    out = []
    for a, b in pairs:
        n1, n2 = a["rows"][SIZE], b["rows"][SIZE]
        row = {"from_scale": a["scale"], "to_scale": b["scale"], "size": SIZE, "n_from": n1, "n_to": n2,
               "offering_years_from": a["rows"].get("school_majors"), "offering_years_to": b["rows"].get("school_majors")}
        for name, (_, figure) in FIGURES.items():
            value = exponent(figure(a), figure(b), n1, n2)
            row[f"{name}_exponent"] = None if value is None else round(value, 3)
        out.append(row)
    return out


def markdown(rows: list[dict]) -> list[str]:
    """The growth table (empty without two scales ≥ MIN_SCALE) and a verdict for each target."""
    if not rows:
        return []
    lines = ["", "Growth exponents log(y₂/y₁) / log(n₂/n₁), n = job postings (offering-years beside it); "
             + "; ".join(f"*{name}* = {label}" for name, (label, _) in FIGURES.items()) + ".", "",
             "| scales | postings | offering-years | " + " | ".join(f"{name} exponent" for name in FIGURES) + " |",
             "|---|---|---|" + "---|" * len(FIGURES)]
    for r in rows:
        values = " | ".join("–" if r[f"{name}_exponent"] is None else f"{r[f'{name}_exponent']:.2f}" for name in FIGURES)
        lines.append(f"| {r['from_scale']} → {r['to_scale']} | {r['n_from']:,} → {r['n_to']:,} | "
                     f"{r['offering_years_from'] or 0:,} → {r['offering_years_to'] or 0:,} | {values} |")
    for r in rows:
        for name, limit in TARGETS.get((r["from_scale"], r["to_scale"]), {}).items():
            value = r[f"{name}_exponent"]
            if value is not None:
                verdict = "met" if value <= limit else f"missed by {value - limit:.2f}"
                lines.append(f"- {name} exponent from scale {r['from_scale']} to {r['to_scale']}: {value:.2f} "
                             f"against ≤ {limit}: {verdict}")
    return lines
