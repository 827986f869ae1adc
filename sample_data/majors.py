"""The sample's major catalog at a scale: hand-written below national scales, the national catalog's size above.

Below ``NATIONAL_SCALE`` the catalog is the hand-written one of ``vocab_majors`` (481 majors; every planted
signal lives there). From ``NATIONAL_SCALE`` on it is extended with synthetic majors to the 1,490 majors of the
national catalog, with its level mix (``NATIONAL_COUNTS``) and its 47 国家控制专业 (K). The hand-written majors keep
their codes; a synthetic major gets the next free sequence number of a class at its level, a domain (so it has
industries, occupations, a profile and postings) and a name from ``vocab_national``. A class and domain of the
hand-written catalog receives synthetic majors in proportion to the majors it already has at that level, except the
``saturated`` domains (whose majors are offered by 30 % of the schools of their level: more of them would fill
every school). The extension uses no random numbers, so it is the same for every seed.
"""

from __future__ import annotations

from collections import Counter
from functools import cache

from sample_data.vocab_domains import DOMAINS
from sample_data.vocab_majors import CATEGORY_NAMES, CLASS_NAMES, LEVEL_OFFSET, LEVELS, Major, hand_catalog
from sample_data.vocab_national import K_CLASSES, NATIONAL_COUNTS, SUFFIXES, TOPICS

NATIONAL_SCALE = 100
"""From this ``--scale`` on, the sample catalog has the national catalog's size."""
_NO_EXTRAS = ("saturated",)
"""Profiles whose domains receive no synthetic majors."""


@cache
def major_catalog(scale: int = 1) -> tuple[Major, ...]:
    """Every major of the sample catalog at `scale`, 高职专科 first, then 中职, then 职业本科, by code."""
    base = hand_catalog()
    if scale < NATIONAL_SCALE:
        return base
    order = {level: i for i, level in enumerate(LEVELS)}
    return tuple(sorted(base + tuple(_Extender(base).majors()), key=lambda m: (order[m.level], m.code)))


class _Extender:
    """Allocates codes and names of the synthetic majors, never reusing one of the hand-written catalog's."""

    def __init__(self, base: tuple[Major, ...]) -> None:
        self.base = base
        self.names = {(m.level, m.name) for m in base}
        self.next_seq: Counter[tuple[str, str]] = Counter()
        for m in base:
            key = (m.level, _class_code(m))
            self.next_seq[key] = max(self.next_seq[key], int(m.code[4:6]) + 1)

    def majors(self) -> list[Major]:
        made = self._k_majors()
        for level in LEVELS:
            have = sum(m.level == level for m in self.base) + sum(m.level == level for m in made)
            for (class_code, domain), count in _shares(self.base, level, NATIONAL_COUNTS[level] - have):
                made += [self._make(level, class_code, domain, name) for name in self._names(level, domain, count)]
        return made

    def _k_majors(self) -> list[Major]:
        made: list[Major] = []
        for class_code, (domain, target, names) in K_CLASSES.items():
            have = sum(m.code.endswith("K") and _class_code(m) == class_code for m in self.base)
            fresh = [n for n in names if ("高职专科", n) not in self.names][: target - have]
            if len(fresh) < target - have:
                raise ValueError(f"K class {class_code} lacks names")
            made += [self._make("高职专科", class_code, domain, name, "K") for name in fresh]
        return made

    def _names(self, level: str, domain: str, count: int) -> list[str]:
        kind, topics = TOPICS[domain]
        suffixes = SUFFIXES[kind][level]
        names: list[str] = []
        for t in range(len(topics) * len(suffixes)):  # every (topic, suffix) once, rotating the suffixes
            i, r = t % len(topics), t // len(topics)
            suffix = suffixes[(r + i) % len(suffixes)]
            name = topics[i] + suffix
            if len(names) < count and (level, name) not in self.names and not _repeats(topics[i], suffix):
                names.append(name)
        if len(names) < count:
            raise ValueError(f"domain {domain} lacks names for {count} {level} majors")
        return names

    def _make(self, level: str, class_code: str, domain: str, name: str, suffix: str = "") -> Major:
        seq = max(self.next_seq[(level, class_code)], 1)
        if seq > 99:
            raise ValueError(f"class {class_code} has no free code at level {level}")
        self.next_seq[(level, class_code)] = seq + 1
        self.names.add((level, name))
        category = int(class_code[:2])
        code = f"{category + LEVEL_OFFSET[level]}{class_code[2:]}{seq:02d}{suffix}"
        return Major(code, name, level, CATEGORY_NAMES[category], CLASS_NAMES[class_code], domain)


def _repeats(topic: str, suffix: str) -> bool:
    """Whether a two-character word of `suffix` is already in `topic` (建筑检测 + 检测技术, 智能系统 + 智能技术)."""
    return any(suffix[j:j + 2] in topic for j in range(len(suffix) - 1))


def _class_code(major: Major) -> str:
    """The 高职专科 class code a major's code is numbered under (its own code less the level's offset)."""
    return f"{int(major.code[:2]) - LEVEL_OFFSET[major.level]}{major.code[2:4]}"


def _shares(base: tuple[Major, ...], level: str, total: int) -> list[tuple[tuple[str, str], int]]:
    """`total` split over the (class, domain) pairs of `level` in proportion to their majors (largest remainder)."""
    slots = Counter((_class_code(m), m.domain) for m in base
                    if m.level == level and DOMAINS[m.domain].profile not in _NO_EXTRAS)
    whole = sum(slots.values())
    exact = {slot: total * n / whole for slot, n in slots.items()}
    counts = {slot: int(x) for slot, x in exact.items()}
    by_remainder = sorted(slots, key=lambda s: (counts[s] - exact[s], s))
    for slot in by_remainder[: total - sum(counts.values())]:
        counts[slot] += 1
    return sorted(counts.items())
