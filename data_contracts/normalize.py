"""Cells whose meaning is certain are normalised before the contract sees them, and every change is
counted so the run summary can say it; cells whose meaning is not certain are left for the contract
to refuse. Invisible characters are never removed: they are shown (``⟨U+200B⟩``) in messages.

Certain: full-width digits and Latin letters in codes and numbers (``６１０１０５`` → ``610105``); in a
column with a closed list of values, spaces inside (``禁 止``), traditional characters (``調整轉型``)
and a trailing ``类`` (``禁止类``), when what remains is exactly one of the allowed values.
Surrounding whitespace is stripped by the readers, which count it (see ``strip_note``).
"""

from __future__ import annotations

import re
from functools import cache

import polars as pl

INVISIBLE = "[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]"
_INVISIBLE = re.compile(INVISIBLE)
_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")
_SPACES = re.compile(r"\s+")
NARROW = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
SUFFIXES = ("类",)
WIDE_TYPES = {"code", "integer", "number", "date", "period"}


def visible(value: object) -> object:
    """A value as a person must see it: invisible characters spelled out (``⟨U+200B⟩``)."""
    if not isinstance(value, str):
        return value
    return _INVISIBLE.sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", value)


@cache
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def _allowed_form(value: str, allowed: dict[str, str]) -> str | None:
    """The allowed value a cell certainly means, or None (already allowed, or not certain)."""
    if value in allowed:
        return None
    text = _t2s().convert(_SPACES.sub("", value.translate(NARROW)))
    if text in allowed:
        return text
    for suffix in SUFFIXES:
        if text.endswith(suffix) and text[: -len(suffix)] in allowed:
            return text[: -len(suffix)]
    return None


def normalise(frame: pl.DataFrame, contract) -> tuple[pl.DataFrame, list[str]]:
    """The frame with certain cells rewritten, and a Chinese note per kind of change (with counts)."""
    notes: list[str] = []
    for col in contract.columns.values():
        if col.name not in frame.columns:
            continue
        series = frame.get_column(col.name)
        if col.type in WIDE_TYPES:
            wide = series.str.contains(_FULL_WIDTH.pattern).fill_null(False)
            if wide.any():
                frame = frame.with_columns(
                    pl.when(wide).then(series.map_elements(lambda v: v.translate(NARROW).strip(),
                                                           return_dtype=pl.String))
                    .otherwise(series).alias(col.name)
                )
                notes.append(wide_note(col, int(wide.sum()), series.filter(wide)[0]))
        if col.allowed:
            frame, note = _normalise_allowed(frame, col)
            notes += note
    return frame, notes


def _normalise_allowed(frame: pl.DataFrame, col) -> tuple[pl.DataFrame, list[str]]:
    series = frame.get_column(col.name)
    mapping = allowed_mapping(col, series.drop_nulls().unique().to_list())
    if not mapping:
        return frame, []
    counts = series.filter(series.is_in(list(mapping))).value_counts(sort=True)
    replaced = series.replace(mapping)
    return frame.with_columns(replaced.alias(col.name)), [allowed_note(col, mapping, counts.rows())]


def allowed_mapping(col, values: list[str]) -> dict[str, str]:
    """{cell value → the allowed value it certainly means} for the values of ``col`` not allowed as they are."""
    return {v: m for v in values if v not in col.allowed and (m := _allowed_form(v, col.allowed)) is not None}


def wide_note(col, count: int, example: str) -> str:
    return (f"{_label(col)}：{count} 个单元格的全角字符已改为半角（如“{example}”→“"
            f"{example.translate(NARROW).strip()}”）")


def allowed_note(col, mapping: dict[str, str], counts: list[tuple[str, int]]) -> str:
    """The note for rewritten closed-list cells; ``counts`` (value, cells) most frequent first."""
    shown = "、".join(f"“{v}”→“{mapping[v]}”（{n} 处）" for v, n in counts)
    return f"{_label(col)}：已规范为允许的取值 {shown}"


def _label(col) -> str:
    return f"{col.aliases[0]}（{col.name}）" if col.aliases else col.name


def strip_note(changed: int) -> list[str]:
    return [f"{changed} 个单元格首尾的空格已去掉"] if changed else []
