"""Synthetic 2025 job postings (`job_postings`), generated vectorised in batches for tens of millions of rows.

Postings are made in batches of `POSTINGS_BATCH` rows (the batch number is part of each batch's random
seed, so the same count and seed give the same rows whatever writes them, and a file of ten million
postings never needs more than one batch in memory).

Each posting belongs to a domain (drawn in proportion to its demand); its title and description
use that domain's words, so a text classifier can learn the industry. About 70 % carry their
industry code. About 0.1 % are deliberately bad (salary_min > salary_max, openings 0, or an
industry code that does not exist) so the data contracts have something to reject.
Every column is text, as a scraped file would be.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import polars as pl

from sample_data.profiles import PROFILES
from sample_data.schools import DISTRICTS
from sample_data.vocab_domains import DOMAINS

POSTINGS_BATCH = 1_000_000
"""Rows generated (and written) at a time; part of the seed: another batch size gives other postings."""
LABELLED_SHARE = 0.70
BAD_SHARE = 0.001
UNKNOWN_INDUSTRY = "9999"
"""An industry code that GB/T 4754-2017 does not have (used by the bad rows)."""
_PREFIXES = ("", "", "", "资深", "初级", "高级", "储备")
_SUFFIXES = ("", "", "", "（五险一金）", "（应届生可投）", "（急招）", "（双休）")
_GENERIC = ("五险一金", "周末双休", "带薪年假", "团队氛围好", "有相关经验者优先", "沟通能力强",
            "责任心强", "接受应届毕业生", "提供住宿", "节日福利")
_DISTRICT_WEIGHT = np.array([5, 6, 18, 8, 3, 18, 1, 3, 7, 6, 7, 8, 1, 1, 1, 1], dtype=float)


def _pick(table: list[str], offsets: np.ndarray, counts: np.ndarray, dom: np.ndarray,
          rng: np.random.Generator, k: int = 1) -> list[pl.Series]:
    """`k` distinct entries of each posting's domain's slice of `table` (slices hold ≥ k)."""
    values = np.asarray(table, dtype=object)
    size = counts[dom]
    first = (rng.random(len(dom)) * size).astype(np.int64)
    steps = (1 + rng.random(len(dom)) * (size - 1) / k).astype(np.int64)
    return [pl.Series(values[offsets[dom] + (first + j * steps) % size], dtype=pl.String) for j in range(k)]


def _flatten(parts: list[tuple[str, ...]]) -> tuple[list[str], np.ndarray, np.ndarray]:
    counts = np.array([len(p) for p in parts], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
    return [x for p in parts for x in p], offsets, counts


def job_postings_frame(count: int, seed: int, batch: int = POSTINGS_BATCH) -> pl.DataFrame:
    """`count` postings posted in 2025, all columns as strings (nulls for blanks), in one frame."""
    return pl.concat(list(job_postings_batches(count, seed, batch)))


def job_postings_batches(count: int, seed: int, batch: int = POSTINGS_BATCH) -> Iterator[pl.DataFrame]:
    """The same postings as frames of at most `batch` rows, generated one at a time."""
    for number, start in enumerate(range(0, max(count, 1), batch)):
        yield _postings_batch(count, seed, number, start, min(batch, count - start))


def _postings_batch(total: int, seed: int, number: int, start: int, count: int) -> pl.DataFrame:
    """Batch `number` of a file of `total` postings: rows `start + 1` … `start + count`. The first batch
    draws from the seed a single-batch file always used, so files of up to one batch are unchanged."""
    rng = np.random.default_rng([seed, 40, total] + ([number] if number else []))
    domains = list(DOMAINS.values())
    demand = np.array([(0.5 + d.popularity) * (1 + PROFILES[d.profile].demand_growth) ** 3 for d in domains])
    dom = rng.choice(len(domains), size=count, p=demand / demand.sum())

    codes = np.empty(count, dtype=object)
    for i, domain in enumerate(domains):
        mask = dom == i
        weights = np.array([w for _, w in domain.industries])
        choices = np.array([c for c, _ in domain.industries], dtype=object)
        codes[mask] = choices[rng.choice(len(choices), size=int(mask.sum()), p=weights / weights.sum())]
    codes[rng.random(count) >= LABELLED_SHARE] = None

    titles, t_off, t_cnt = _flatten([d.titles for d in domains])
    words, w_off, w_cnt = _flatten([d.keywords for d in domains])
    g_table, g_off, g_cnt = _flatten([tuple(_GENERIC)])
    w1, w2, w3 = _pick(words, w_off, w_cnt, dom, rng, k=3)
    g1, g2 = _pick(g_table, g_off, g_cnt, np.zeros(count, dtype=np.int64), rng, k=2)
    prefix = np.asarray(_PREFIXES, dtype=object)[rng.integers(0, len(_PREFIXES), count)]
    suffix = np.asarray(_SUFFIXES, dtype=object)[rng.integers(0, len(_SUFFIXES), count)]
    frame = pl.DataFrame({
        "prefix": pl.Series(prefix, dtype=pl.String), "title": _pick(titles, t_off, t_cnt, dom, rng)[0],
        "suffix": pl.Series(suffix, dtype=pl.String), "w1": w1, "w2": w2, "w3": w3, "g1": g1, "g2": g2,
    })
    salary = np.array([d.salary for d in domains])[dom] * rng.lognormal(0.15, 0.25, count)
    salary_min = np.maximum(np.round(salary / 500) * 500, 2000)
    salary_max = np.round(salary_min * rng.uniform(1.2, 1.8, count) / 500) * 500
    openings = np.minimum(rng.geometric(0.45, count), 20)
    days = rng.integers(0, 365, count).astype("timedelta64[D]") + np.datetime64("2025-01-01")
    no_salary = rng.random(count) < 0.03

    bad = rng.choice(count, size=max(3, round(BAD_SHARE * count)), replace=False)
    kinds = np.arange(len(bad)) % 3
    salary_min[bad[kinds == 0]], salary_max[bad[kinds == 0]] = (salary_max[bad[kinds == 0]] + 1000,
                                                              salary_min[bad[kinds == 0]])
    no_salary[bad[kinds == 0]] = False
    openings[bad[kinds == 1]] = 0
    codes[bad[kinds == 2]] = UNKNOWN_INDUSTRY

    def money(values: np.ndarray) -> pl.Series:
        text = values.astype(np.int64).astype(str).astype(object)
        text[no_salary] = None
        return pl.Series(text.tolist(), dtype=pl.String)

    return frame.select(
        posting_id=pl.lit("BJ25") + pl.int_range(start + 1, start + count + 1).cast(pl.String).str.zfill(8),
        posted_on=pl.Series(days.astype(str), dtype=pl.String),
        title=pl.concat_str("prefix", "title", "suffix"),
        description=pl.when(pl.Series(rng.random(count) >= 0.05)).then(pl.concat_str([
            pl.lit("岗位职责：负责"), "w1", pl.lit("、"), "w2", pl.lit("相关工作；任职要求：熟悉"), "w3",
            pl.lit("，"), "g1", pl.lit("，"), "g2", pl.lit("。")])),
        industry_code=pl.Series(codes.tolist(), dtype=pl.String),
        district=pl.Series(np.asarray(DISTRICTS, dtype=object)[
            rng.choice(len(DISTRICTS), size=count, p=_DISTRICT_WEIGHT / _DISTRICT_WEIGHT.sum())],
            dtype=pl.String),
        openings=pl.Series(openings.astype(str), dtype=pl.String),
        salary_min=money(salary_min),
        salary_max=money(salary_max),
    )


# Earlier postings (issue 28): 2023 and 2024 postings of the transforming domains, whose wording shifts: the
# last two keywords of each such domain (钣金、工装夹具 for machining …) are rare before 2025 and common in the
# 2025 postings above, so the action plan finds them rising. They carry their industry code and count in the
# inbox's postings (a tenth of them, at most 300 per domain and year; their ids start with BJ23/BJ24).
EARLIER_PER_DOMAIN = 300
EARLIER_NEW_WEIGHT = {2023: 0.1, 2024: 0.3}


def _slots() -> int:
    return len(EARLIER_NEW_WEIGHT) * sum(d.profile == "transforming" for d in DOMAINS.values())


def earlier_count(total: int) -> int:
    """How many of an inbox's ``total`` postings are the earlier years' (whole domains × years)."""
    return min(EARLIER_PER_DOMAIN, total // 10 // _slots()) * _slots()


def earlier_postings_frame(total: int, seed: int) -> pl.DataFrame:
    """The earlier years' postings of an inbox of ``total`` postings (``earlier_count(total)`` rows)."""
    per_domain = earlier_count(total) // _slots()
    rng = np.random.default_rng([seed, 41])
    rows = []
    for year, weight in EARLIER_NEW_WEIGHT.items():
        number = 0
        for domain in (d for d in DOMAINS.values() if d.profile == "transforming"):
            words = list(domain.keywords)
            p = np.array([weight if i >= len(words) - 2 else 1.0 for i in range(len(words))])
            codes = [c for c, _ in domain.industries]
            for _ in range(per_domain):
                number += 1
                w1, w2, w3 = rng.choice(words, size=3, replace=False, p=p / p.sum())
                g1, g2 = rng.choice(_GENERIC, size=2, replace=False)
                rows.append((f"BJ{year % 100}{number:07d}", f"{year}-{rng.integers(1, 13):02d}-15",
                             str(rng.choice(domain.titles)), f"岗位职责：负责{w1}、{w2}相关工作；任职要求：熟悉{w3}，{g1}，{g2}。",
                             str(rng.choice(codes)), str(rng.choice(DISTRICTS)), str(int(rng.integers(1, 4))),
                             str(domain.salary), str(domain.salary + 2000)))
    return pl.DataFrame(rows, orient="row", schema=["posting_id", "posted_on", "title", "description",
                                                    "industry_code", "district", "openings", "salary_min",
                                                    "salary_max"])
