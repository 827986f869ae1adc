"""The national sample's catalog: 1,490 majors with the real catalog's level mix, accepted by the contracts;
the city scales keep the hand-written catalog byte for byte. Only the catalog frames are built (no inbox)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from data_contracts.engine import run_contract
from data_contracts.spec import load_contracts
from sample_data import catalog
from sample_data.generator import DEFAULT_SEED
from sample_data.majors import NATIONAL_SCALE, major_catalog
from sample_data.schools import _MAX_OFFERED, _MIN_OFFERED, _offerings
from sample_data.vocab_national import NATIONAL_COUNTS
from sample_data.writers import write_csv
from warehouse.db import connect, replace_table

CONTRACTS = load_contracts()
REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "data" / "reference" / "vocational-major-catalog"
FIRST_DIGITS = {"职业本科": "23", "高职专科": "45", "中职": "67"}
HEADERS = {"专业代码": "major_code", "专业名称": "major_name", "层次": "level", "专业大类": "category_name",
           "专业类": "class_name", "职业面向": "description"}
SCALE_1_SHA256 = {  # the files as the generator wrote them before the national catalog (commit 8423077)
    "majors": "1c4e8ce301f6e2a8666b601849f537f223dcd8eb28be45bd9b0736f51a4b3077",
    "major_industry_map": "6bc571d1d4303be809c46bbd7519fc3a39f46389998ce5d87e0a182dfabef817",
    "major_occupation_map": "a6e37b44f6887c3ad3cefb38e9d018820b8119f4a3a4edbb137c23b4e0fa7add",
}


@pytest.fixture(scope="module")
def national() -> pl.DataFrame:
    return catalog.majors_frame(DEFAULT_SEED, scale=500).rename(HEADERS)


def test_national_catalog_has_1490_unique_majors_with_the_level_mix_and_valid_codes(national):
    assert national.height == 1490 == sum(NATIONAL_COUNTS.values())
    assert national["major_code"].is_unique().all()
    assert dict(national["level"].value_counts().iter_rows()) == NATIONAL_COUNTS
    pattern = re.compile(CONTRACTS["majors"].columns["major_code"].pattern)
    assert all(pattern.match(code) for code in national["major_code"])
    assert all(code[0] in FIRST_DIGITS[level] for code, level in national.select("major_code", "level").iter_rows())
    k = national.filter(pl.col("major_code").str.ends_with("K"))
    assert k.height == 47 and set(k["level"]) == {"高职专科"}
    assert national.select("level", "major_name").is_unique().all()       # no name twice at one level
    assert national["major_name"].str.contains(r"^[\u4e00-\u9fff（）与]+$").all()
    assert 0.85 < national["description"].is_not_null().mean() < 0.99
    assert national["category_name"].n_unique() == 19


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="reference catalog not present")
def test_the_level_mix_is_the_real_catalogs():
    files = ("vocational_majors.csv", "vocational_majors_k_supplement.csv")
    real = pl.concat([pl.read_csv(REFERENCE / f, infer_schema=False) for f in files])
    counts = dict(real["层次"].replace({"职教本科": "职业本科"}).value_counts().iter_rows())
    assert counts == NATIONAL_COUNTS
    assert real.filter(pl.col("专业代码").str.ends_with("K")).height == 47


def test_national_catalog_keeps_every_hand_written_major_and_is_the_same_below_national_scale():
    hand = major_catalog(1)
    assert len(hand) == 481 and major_catalog(NATIONAL_SCALE - 1) == hand
    assert set(hand) <= set(major_catalog(NATIONAL_SCALE)) and major_catalog(500) == major_catalog(NATIONAL_SCALE)


def test_scale_1_catalog_files_are_unchanged(tmp_path):
    frames = {"majors": catalog.majors_frame(DEFAULT_SEED), "major_industry_map": catalog.major_industry_frame(DEFAULT_SEED),
              "major_occupation_map": catalog.major_occupation_frame(DEFAULT_SEED)}
    for name, frame in frames.items():
        path = tmp_path / f"{name}.csv"
        write_csv(frame, path, "utf-8-sig" if name == "majors" else "utf8")
        assert hashlib.sha256(path.read_bytes()).hexdigest() == SCALE_1_SHA256[name], name


def test_the_contracts_accept_the_national_catalog_and_its_maps(tmp_path, national):
    frames = {"majors": national, "industries": catalog.industries_frame(), "occupations": catalog.occupations_frame(),
              "major_industry_map": catalog.major_industry_frame(DEFAULT_SEED, 500),
              "major_occupation_map": catalog.major_occupation_frame(DEFAULT_SEED, 500)}
    with connect(tmp_path / "w.duckdb") as con:
        for name, frame in frames.items():
            staged = frame.select(pl.all().cast(pl.String)).with_columns(
                _row=pl.int_range(2, frame.height + 2, dtype=pl.Int64))
            replace_table(con, f"stg_{name}", staged)
            outcome = run_contract(con, CONTRACTS[name], f"stg_{name}", f"{name}.csv", "run-1")
            assert outcome.passed and outcome.rows_rejected == 0, outcome.message()
    mapped = set(frames["major_industry_map"]["major_code"])
    assert 0.85 < len(mapped) / national.height < 0.95                   # ~10 % left to the model to propose
    assert set(frames["major_occupation_map"]["major_code"]) < set(national["major_code"])


def test_schools_offer_the_national_majors_within_their_bounds():
    majors = major_catalog(500)
    levels = ["中职" if i % 5 < 3 else "高职" for i in range(300)]
    school, offered = _offerings(np.random.default_rng(7), levels, majors)
    per_school = np.bincount(school, minlength=len(levels))
    assert per_school.min() >= _MIN_OFFERED and per_school.max() <= _MAX_OFFERED
    assert all((levels[s] == "中职") == (m.level == "中职") for s, m in zip(school, offered, strict=True))
    assert len({m.code for m in offered} - {m.code for m in major_catalog(1)}) > 300  # the new majors are taught
