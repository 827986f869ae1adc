"""Deterministic, realistic Beijing sample inbox: every input of the input contract.

`write_sample_inbox` writes the whole inbox; the same (scale, seed, postings) gives byte-identical files.
The postings are generated and written in batches, so ten million of them fit in bounded memory.
The numbers carry the signals scoring must find (see `vocab_domains` for the profiles and
`SIGNAL_MAJORS` for named examples).
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import chain
from pathlib import Path

import polars as pl

from sample_data import catalog
from sample_data.market import labor_market_frame, partner_region_frame
from sample_data.outcomes import school_majors_frame
from sample_data.postings import earlier_count, earlier_postings_frame, job_postings_batches
from sample_data.schools import make_schools
from sample_data.writers import write_csv, write_text_parquet_batches, write_text_xlsx

DEFAULT_SEED = 20261128

FILES: dict[str, str] = {
    "majors": "majors.csv", "industries": "industries.csv", "occupations": "occupations.csv",
    "major_occupation_map": "major_occupation_map.csv", "major_industry_map": "major_industry_map.csv",
    "industry_adjustments": "industry_adjustments.xlsx", "schools": "schools.csv",
    "school_majors": "school_majors.csv", "labor_market": "labor_market.csv",
    "job_postings": "job_postings.parquet",
}
"""File name of each input in the inbox."""

SIGNAL_MAJORS: dict[str, tuple[str, ...]] = {
    "prohibited_low_employment": ("430401", "430402", "480402", "420501", "630401"),
    "restricted_wholesale_low_employment": ("530604", "730604"),
    "high_end_ratio_above_2": ("510401", "510209", "460702", "490202", "460301", "310401"),
    "urban_service_shortage": ("590301", "590302", "590303", "590102"),
    "transforming_flat_demand": ("460101", "460102", "510104"),
    "relocated_logistics": ("530801", "530802", "500201"),
    "many_schools_falling_demand": ("530302", "530701", "530301", "730302", "730701"),
    "employment_low_latest_year_only": ("440701", "440702"),
}
"""Named majors whose numbers carry each planted signal, for scoring tests to target."""


def write_sample_inbox(out: Path, scale: int = 1, seed: int = DEFAULT_SEED,
                       postings_per_scale: int = 20000, postings: int | None = None) -> dict[str, int]:
    """Write a deterministic, realistic Beijing inbox into `out`; return {input_name: rows}.
    `postings` (default `postings_per_scale` × `scale`) is the number of job postings."""
    postings = posting_count(scale, postings_per_scale, postings)
    counts = write_frames(inbox_frames(scale, seed), Path(out))
    counts["job_postings"] = write_postings(Path(out), postings, seed)
    return counts


def posting_count(scale: int, postings_per_scale: int = 20000, postings: int | None = None) -> int:
    """The number of job postings of an inbox at `scale` (`postings` when given), checked."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    postings = postings_per_scale * scale if postings is None else postings
    if postings < 1:
        raise ValueError("postings must be at least 1")
    return postings


def inbox_frames(scale: int, seed: int) -> dict[str, pl.DataFrame]:
    """Every input of the inbox but the postings, as the files carry them, by input name."""
    frames = {
        "majors": catalog.majors_frame(seed, scale),
        "industries": catalog.industries_frame(),
        "occupations": catalog.occupations_frame(),
        "major_occupation_map": catalog.major_occupation_frame(seed, scale),
        "major_industry_map": catalog.major_industry_frame(seed, scale),
        "industry_adjustments": catalog.adjustments_frame(),
    }
    schools = make_schools(scale, seed)
    frames["schools"] = schools.frame
    frames["school_majors"] = school_majors_frame(schools, seed, scale)
    frames["labor_market"] = pl.concat([labor_market_frame(scale, seed), partner_region_frame(scale, seed)])
    return frames


def write_frames(frames: dict[str, pl.DataFrame], out: Path) -> dict[str, int]:
    """Write each frame as its file of the inbox (each in the encoding or format its reader path expects);
    return {input_name: rows}."""
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        path = out / FILES[name]
        if name == "majors":
            write_csv(frame, path, "utf-8-sig")
        elif name == "schools":
            write_csv(frame, path, "gb18030")
        elif name == "industry_adjustments":
            write_text_xlsx(frame, path, "产业调整清单")
        else:
            write_csv(frame, path)
    return {name: frame.height for name, frame in frames.items()}


def write_postings(out: Path, postings: int, seed: int,
                   shift: Callable[[pl.DataFrame], pl.DataFrame] | None = None) -> int:
    """Write `postings` job postings (each batch through `shift` when given) into `out`; return the rows."""
    earlier = earlier_count(postings)  # the 2023/2024 postings whose wording the 2025 ones shift from
    batches = chain(job_postings_batches(postings - earlier, seed),
                    [earlier_postings_frame(postings, seed)] if earlier else [])
    return write_text_parquet_batches(map(shift, batches) if shift else batches, out / FILES["job_postings"])
