"""Sample schools across Beijing's 16 districts and which majors each one offers.

About 100 × scale schools, 60 % 中职 and 40 % 高职. Each offers 8–25 majors of its level
(some 高职 also offer a few 职业本科 majors), drawn by popularity; the ``saturated`` majors are
offered by at least 30 % of the schools of their level and every other signal major by at least three.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from sample_data.catalog import PROFILES_OF
from sample_data.majors import major_catalog
from sample_data.vocab_domains import DOMAINS
from sample_data.vocab_majors import Major

DISTRICTS = ("东城区", "西城区", "朝阳区", "丰台区", "石景山区", "海淀区", "门头沟区", "房山区",
             "通州区", "顺义区", "昌平区", "大兴区", "怀柔区", "平谷区", "密云区", "延庆区")
_DISTRICT_WEIGHT = (4, 4, 10, 7, 3, 10, 2, 5, 7, 5, 7, 6, 2, 2, 2, 2)
_STEMS = ("电子科技", "信息", "财贸", "交通", "工业", "农业", "劳动保障", "社会管理", "卫生", "艺术",
          "体育", "政法", "经济管理", "城市", "科技", "现代", "商务", "旅游", "建筑", "汽车")
_CN_DIGITS = "零一二三四五六七八九"
_SIGNAL_MIN_SCHOOLS = 3
_SATURATED_SHARE = 0.3
"""A ``saturated`` major is offered by at least this share of the schools of its level."""
_MIN_OFFERED, _MAX_OFFERED = 8, 25


@dataclass(frozen=True)
class Schools:
    """The generated schools and their offerings (row-aligned arrays)."""

    frame: pl.DataFrame
    offer_school: np.ndarray
    """School index of each offering."""
    offer_major: list[Major]
    """Major of each offering."""


def _cn_number(n: int) -> str:
    """Chinese ordinal for 1–9999 as schools are numbered (第十二, 第一百零五)."""
    units = [(1000, "千"), (100, "百"), (10, "十"), (1, "")]
    out, zero = "", False
    for value, unit in units:
        digit = n // value % 10
        if digit:
            if zero and out:
                out += "零"
            out += ("" if (value == 10 and digit == 1 and not out) else _CN_DIGITS[digit]) + unit
            zero = False
        else:
            zero = True
    return out


def _school_names(levels: list[str], districts: list[str]) -> list[str]:
    names: list[str] = []
    gaozhi = 0
    numbering: dict[str, int] = {}
    for level, district in zip(levels, districts, strict=True):
        if level == "高职":
            stem = _STEMS[gaozhi % len(_STEMS)]
            if gaozhi < len(_STEMS):
                names.append(f"北京{stem}职业技术学院")
            else:
                numbering[district + level] = numbering.get(district + level, 0) + 1
                branch = _cn_number(numbering[district + level])
                names.append(f"北京{district[:-1]}{stem}职业技术学院第{branch}分院")
            gaozhi += 1
        else:
            numbering[district] = numbering.get(district, 0) + 1
            names.append(f"北京市{district}第{_cn_number(numbering[district])}职业学校")
    return names


def make_schools(scale: int, seed: int) -> Schools:
    """Schools (Chinese headers, as `schools.csv` carries them) and their offerings."""
    rng = np.random.default_rng([seed, 10, scale])
    count = 100 * scale
    levels = ["中职" if i % 5 < 3 else "高职" for i in range(count)]
    weights = np.array(_DISTRICT_WEIGHT, dtype=float) / sum(_DISTRICT_WEIGHT)
    district_idx = rng.choice(len(DISTRICTS), size=count, p=weights)
    district_idx[: 2 * len(DISTRICTS)] = np.tile(np.arange(len(DISTRICTS)), 2)
    districts = [DISTRICTS[i] for i in district_idx]
    suffix = np.sort(rng.choice(90000, size=count, replace=False) + 10000)
    prefixes = ["41110" if lv == "高职" else "31110" for lv in levels]
    codes = [prefix + f"{s:05d}" for prefix, s in zip(prefixes, suffix, strict=True)]
    frame = pl.DataFrame({"学校代码": codes, "学校名称": _school_names(levels, districts),
                          "办学层次": levels, "所在区": districts})
    offer_school, offer_major = _offerings(rng, levels, major_catalog(scale))
    return Schools(frame, offer_school, offer_major)


def _offerings(rng: np.random.Generator, levels: list[str],
               catalog: tuple[Major, ...]) -> tuple[np.ndarray, list[Major]]:
    pools = {lv: [m for m in catalog if m.level == lv] for lv in ("中职", "高职专科", "职业本科")}
    odds = {lv: _popularity(pool) for lv, pool in pools.items()}
    chosen: list[set[int]] = []  # indices into catalog, per school
    index = {m.code: i for i, m in enumerate(catalog)}
    for level in levels:
        lv = "中职" if level == "中职" else "高职专科"
        picks = _draw(rng, pools[lv], odds[lv], int(rng.integers(_MIN_OFFERED, _MAX_OFFERED - 2)))
        if level == "高职" and rng.random() < 0.25:
            picks += _draw(rng, pools["职业本科"], odds["职业本科"], int(rng.integers(1, 4)))
        chosen.append({index[m.code] for m in picks})
    holders: dict[int, set[int]] = {}  # schools offering each major
    for s, picks in enumerate(chosen):
        for i in picks:
            holders.setdefault(i, set()).add(s)
    for lv in ("中职", "高职专科"):  # 职业本科 majors have no floor
        eligible = [s for s, level in enumerate(levels) if (level == "中职") == (lv == "中职")]
        eligible_set = set(eligible)
        for major in pools[lv]:
            if PROFILES_OF[major.domain] in ("normal", "growing"):
                continue
            i = index[major.code]
            floor = _SIGNAL_MIN_SCHOOLS
            if PROFILES_OF[major.domain] == "saturated":
                floor = max(floor, int(np.ceil(_SATURATED_SHARE * len(eligible))))
            have = len(holders.get(i, set()) & eligible_set)
            if have >= floor:
                continue  # nothing to draw (a choice of size 0 would leave the generator as it is)
            lacking = [s for s in eligible if i not in chosen[s] and len(chosen[s]) < _MAX_OFFERED]
            for s in rng.choice(lacking, size=min(floor - have, len(lacking)), replace=False):
                chosen[int(s)].add(i)
                holders.setdefault(i, set()).add(int(s))
    school_idx = np.array([s for s, picks in enumerate(chosen) for _ in picks], dtype=np.int64)
    majors = [catalog[i] for picks in chosen for i in sorted(picks)]
    return school_idx, majors


def _popularity(pool: list[Major]) -> np.ndarray:
    """The chance of each major of `pool` to be drawn, in proportion to its domain's popularity."""
    weights = np.array([DOMAINS[m.domain].popularity for m in pool], dtype=float)
    return weights / weights.sum()


def _draw(rng: np.random.Generator, pool: list[Major], odds: np.ndarray, k: int) -> list[Major]:
    picks = rng.choice(len(pool), size=min(k, len(pool)), replace=False, p=odds)
    return [pool[i] for i in picks]
