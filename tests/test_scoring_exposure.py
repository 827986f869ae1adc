"""Industry exposure: coverage down the tree, most specific entry wins, shares, scope, proposed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.exposure import CATEGORIES, industry_exposure, mapping_weights
from tests.scoring_fixtures import AS_OF, LIST_BAN, adjustments_frame, build

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "data" / "reference"


def _exposure(f, **kw):
    kw.setdefault("as_of", AS_OF)
    return industry_exposure(f.majors, f.industries, f.major_industry_map, f.industry_adjustments, f.proposed, **kw)


def _row(df: pl.DataFrame, code: str) -> dict:
    rows = df.filter(pl.col("major_code") == code).to_dicts()
    assert len(rows) == 1
    return rows[0]


def test_one_row_per_major_and_each_category_acts():
    f = build()
    e = _exposure(f)
    assert e["major_code"].to_list() == sorted(f.majors["major_code"].to_list())
    expected = {"470201": "prohibited", "510201": "high_end", "590301": "urban_service",
                "460103": "transforming", "530701": "relocated"}
    for major, cat in expected.items():
        r = _row(e, major)
        assert r[f"exposure_{cat}"] == pytest.approx(1.0)
        assert sum(r[f"exposure_{c}"] for c in CATEGORIES) == pytest.approx(1.0)
        assert r["mapping_source"] == "map" and r["mapping_confidence"] is None
    hits = _row(e, "470201")["list_hits"]
    assert hits == [{"category": "prohibited", "list_name": LIST_BAN, "share": pytest.approx(1.0)}]


def test_most_specific_entry_wins():
    e = _exposure(build())
    chip = _row(e, "460104")  # 小类 3911 listed 高精尖 under 大类 39 listed 调整转型
    assert chip["exposure_high_end"] == pytest.approx(1.0)
    assert chip["exposure_transforming"] == 0.0


def test_partial_dalei_share_is_proportional_to_xiaolei_covered():
    e = _exposure(build())
    grain = _row(e, "490101")  # mapped to 大类 13 (3 小类); only 小类 1311 is prohibited
    assert grain["exposure_prohibited"] == pytest.approx(1 / 3)


def test_mapping_to_dalei_with_mixed_xiaolei_entries():
    f = build()
    f = f.with_(major_industry_map=pl.DataFrame({"major_code": ["460103"], "industry_code": ["39"],
                                                 "weight": [None]}, schema_overrides={"weight": pl.Float64}))
    r = _row(_exposure(f), "460103")  # 39 → 3911 (高精尖 override) + 3912 (调整转型)
    assert r["exposure_high_end"] == pytest.approx(0.5)
    assert r["exposure_transforming"] == pytest.approx(0.5)


def test_section_entry_covers_everything_below_and_dalei_overrides_it():
    f = build().with_(industry_adjustments=adjustments_frame([
        ("门类清单", "transforming", "C", "全市"), ("大类清单", "high_end", "39", "全市")]))
    e = _exposure(f)
    assert _row(e, "470201")["exposure_transforming"] == pytest.approx(1.0)  # 26 is under C
    assert _row(e, "460104")["exposure_high_end"] == pytest.approx(1.0)      # 39 overrides C
    assert _row(e, "460104")["exposure_transforming"] == 0.0
    assert _row(e, "510201")["exposure_transforming"] == 0.0                 # 65 is under I, not C


def test_weights_and_missing_weights():
    f = build()
    m = pl.DataFrame({"major_code": ["470201", "470201", "510201", "510201", "510201"],
                      "industry_code": ["26", "65", "26", "65", "80"], "weight": [3.0, 1.0, 2.0, None, None]})
    e = _exposure(f.with_(major_industry_map=m))
    a = _row(e, "470201")
    assert (a["exposure_prohibited"], a["exposure_high_end"]) == (pytest.approx(0.75), pytest.approx(0.25))
    b = _row(e, "510201")  # missing weights take the mean of the given ones → equal thirds here
    assert b["exposure_prohibited"] == pytest.approx(1 / 3)
    assert b["exposure_urban_service"] == pytest.approx(1 / 3)


def test_scoped_entries_are_kept_apart_from_citywide():
    e = _exposure(build())
    r = _row(e, "540101")
    assert r["exposure_restricted"] == 0.0
    assert r["scoped_restrictions"] == [{"category": "restricted", "scope": "东城区", "share": pytest.approx(1.0),
                                         "list_names": [LIST_BAN]}]


def test_proposed_and_none_mapping_sources():
    e = _exposure(build())
    prop = _row(e, "470202")
    assert prop["mapping_source"] == "proposed"
    assert prop["mapping_confidence"] == pytest.approx(0.82)
    assert prop["exposure_prohibited"] == pytest.approx(1.0)
    none = _row(e, "610101")
    assert none["mapping_source"] == "none"
    assert all(none[f"exposure_{c}"] == 0.0 for c in CATEGORIES)
    assert none["scoped_restrictions"] == [] and none["list_hits"] == []


def test_proposed_never_overrides_a_confirmed_map():
    f = build()
    f = f.with_(proposed=pl.DataFrame({"major_code": ["510201"], "industry_code": ["26"], "score": [0.99]}))
    r = _row(_exposure(f), "510201")
    assert r["mapping_source"] == "map" and r["exposure_prohibited"] == 0.0


def test_chinese_categories_blank_scope_and_effective_date():
    f = build()
    adj = pl.DataFrame({"list_name": ["目录A", "目录B"], "category": ["禁止", "高精尖"], "industry_code": ["26", "26"],
                        "scope": [None, ""], "effective_from": [date(2018, 9, 1), date(2030, 1, 1)],
                        "note": [None, None]})
    e = _exposure(f.with_(industry_adjustments=adj), as_of=date(2026, 1, 1))
    r = _row(e, "470201")
    assert r["exposure_prohibited"] == pytest.approx(1.0) and r["exposure_high_end"] == 0.0
    both = _row(_exposure(f.with_(industry_adjustments=adj), as_of=date(2030, 1, 1)), "470201")  # same level: both
    assert both["exposure_prohibited"] == pytest.approx(1.0) and both["exposure_high_end"] == pytest.approx(1.0)


@pytest.mark.integration
def test_real_gbt4754_tree_resolves_shares():
    path = REFERENCE / "gbt4754" / "gbt4754_2017.csv"
    if not path.exists():
        pytest.skip(f"REFERENCE DATA MISSING: {path} not found; the real GB/T 4754-2017 tree is not tested")
    raw = pl.read_csv(path, infer_schema=False)
    industries = raw.select(pl.col("code").alias("industry_code"), pl.col("name").alias("industry_name"),
                            pl.col("parent").alias("parent_code"), pl.col("level").alias("industry_level"),
                            pl.col("menlei").alias("section"))
    xiaolei_13 = raw.filter((pl.col("level") == "小类") & (pl.col("dalei") == "13")).height
    xiaolei_c = raw.filter((pl.col("level") == "小类") & (pl.col("menlei") == "C")).height
    majors = pl.DataFrame({"major_code": ["490101", "460103"]})
    imap = pl.DataFrame({"major_code": ["490101", "460103"], "industry_code": ["13", "C"], "weight": [None, None]},
                        schema_overrides={"weight": pl.Float64})
    adj = adjustments_frame([(LIST_BAN, "prohibited", "1311", "全市"), ("清单", "transforming", "C", "全市"),
                             ("清单", "high_end", "13", "全市")])
    e = industry_exposure(majors, industries, imap, adj, as_of=AS_OF)
    grain, manuf = _row(e, "490101"), _row(e, "460103")
    assert grain["exposure_prohibited"] == pytest.approx(1 / xiaolei_13)
    assert grain["exposure_high_end"] == pytest.approx(1 - 1 / xiaolei_13)
    assert manuf["exposure_high_end"] == pytest.approx((xiaolei_13 - 1) / xiaolei_c)
    assert manuf["exposure_transforming"] == pytest.approx((xiaolei_c - xiaolei_13) / xiaolei_c)


def test_scoped_share_includes_citywide_entries_of_the_same_category():
    f = build()
    m = pl.DataFrame({"major_code": ["540101", "540101"], "industry_code": ["62", "26"], "weight": [None, None]},
                     schema_overrides={"weight": pl.Float64})
    adj = adjustments_frame([(LIST_BAN, "restricted", "62", "东城区"), ("市清单", "restricted", "26", "全市")])
    r = _row(_exposure(f.with_(major_industry_map=m, industry_adjustments=adj)), "540101")
    assert r["exposure_restricted"] == pytest.approx(0.5)
    assert r["scoped_restrictions"] == [{"category": "restricted", "scope": "东城区", "share": pytest.approx(1.0),
                                         "list_names": sorted([LIST_BAN, "市清单"])}]


@given(st.lists(st.floats(0.01, 1.0), min_size=3, max_size=6), st.integers(0, 2**31 - 1))
@settings(max_examples=40, deadline=None)
def test_the_shares_are_the_same_to_the_last_bit_whatever_order_the_rows_arrive_in(weights, seed):
    # a major spread over industries of one list: its share is a sum of weights, and a float sum depends on
    # the order it is taken in (0.1 + 0.2 + 0.3 is not 0.3 + 0.2 + 0.1), which polars' joins do not keep
    f = build()
    codes = ["2611", "2612", "261", "6210", "621", "1311", "5111", "5112"][:len(weights)]
    spread = pl.DataFrame({"major_code": ["540101"] * len(codes), "industry_code": codes, "weight": weights})
    mapped = pl.concat([f.major_industry_map.filter(pl.col("major_code") != "540101"), spread])

    def shuffled(frame: pl.DataFrame, salt: int) -> pl.DataFrame:
        return frame.sample(fraction=1.0, shuffle=True, seed=seed + salt)

    first = industry_exposure(f.majors, f.industries, mapped, f.industry_adjustments, f.proposed, as_of=AS_OF)
    again = industry_exposure(shuffled(f.majors, 1), shuffled(f.industries, 2), shuffled(mapped, 3),
                              shuffled(f.industry_adjustments, 4), f.proposed, as_of=AS_OF)
    assert again.equals(first)
    assert mapping_weights(shuffled(f.majors, 5), shuffled(mapped, 6)).equals(mapping_weights(f.majors, mapped))
