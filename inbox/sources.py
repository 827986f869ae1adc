"""Per-source settings (sources.yaml): map an official or scraped file onto an input contract.

Official files come with their own headers (``code, name, parent``) and scraped ones with their
own cell formats (``['大专']``, ``1-1.5万/月``). A source configuration renames, rewrites and
derives columns so that the file is read as it was published, and nobody edits it by hand.
The cell functions a configuration may name are in source_cells.py; this module loads and checks the
configurations, detects which one a file's headers fit, and applies it to a frame.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from inbox.source_cells import (
    DERIVE,
    TRANSFORMS,
    last_segment,
    openings,
    place_by_kind,
    posted_date,
    row_id,
    salary_monthly,
    strip,
    unwrap_list,
)
from warehouse.errors import InputError

# The cell functions are re-exported: callers (and tests) import them from here.
__all__ = [
    "DERIVE", "PROBLEM", "ROW", "SOURCES_FILE", "TRANSFORMS", "Realign", "SourceConfig", "apply_source",
    "detect_source", "last_segment", "load_sources", "normalize_header", "openings", "place_by_kind",
    "posted_date", "row_id", "salary_monthly", "strip", "unwrap_list",
]

SOURCES_FILE = Path(__file__).with_name("sources.yaml")
PROBLEM = "_problem"
ROW = "_row"
_SPACE = re.compile(r"\s+")


def normalize_header(header: str) -> str:
    """The form two headers are compared in: BOM and all whitespace removed, full-width → half-width
    (NFKC, so `（` = `(`), English case-folded."""
    text = unicodedata.normalize("NFKC", header.replace("\ufeff", ""))
    return _SPACE.sub("", text).casefold()


@dataclass(frozen=True)
class Realign:
    """Cells that may sit left of their column: ``slots`` are the columns involved, ``kinds`` say
    (in order) which column a value of a given shape belongs to."""

    slots: tuple[str, ...]
    kinds: tuple[tuple[str, re.Pattern[str]], ...]


@dataclass(frozen=True)
class SourceConfig:
    """One source's mapping onto the contract ``input``; see sources.yaml for the meaning of each part."""

    name: str
    input: str
    columns: dict[str, str] = field(default_factory=dict)
    transforms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    derive: dict[str, dict[str, Any]] = field(default_factory=dict)
    realign: Realign | None = None
    url: str | None = None
    encoding: str | None = None
    detect: bool = True
    description: str = ""
    sheet: str | None = None  # the worksheet to read from an XLSX workbook
    accept_fewer_rows: bool = False  # the input may have far fewer rows than the previous run's

    def needed_headers(self) -> set[str]:
        """The source headers this configuration reads (all must be present for it to apply)."""
        needed = set(self.columns) | set(self.transforms) | set(self.realign.slots if self.realign else ())
        needed |= {str(spec["from"]) for spec in self.derive.values() if spec.get("from")}
        return needed

    def matches(self, headers: Iterable[str]) -> bool:
        present = {normalize_header(h) for h in headers}
        return {normalize_header(h) for h in self.needed_headers()} <= present


def _parse(name: str, raw: Mapping[str, Any]) -> SourceConfig:
    transforms = {
        str(col): tuple([names] if isinstance(names, str) else names)
        for col, names in (raw.get("transforms") or {}).items()
    }
    for col, names in transforms.items():
        for tname in names:
            if tname not in TRANSFORMS:
                raise ValueError(f"source {name}: unknown transform {tname!r} for column {col}")
    derive = {str(col): dict(spec) for col, spec in (raw.get("derive") or {}).items()}
    for col, spec in derive.items():
        if spec.get("using") not in DERIVE:
            raise ValueError(f"source {name}: unknown derive function {spec.get('using')!r} for {col}")
    realign = None
    if raw.get("realign"):
        r = raw["realign"]
        realign = Realign(
            slots=tuple(r["slots"]),
            kinds=tuple((str(k["column"]), re.compile(k["pattern"])) for k in r["kinds"]),
        )
    encoding = raw.get("encoding")
    if encoding not in (None, "utf-8", "utf-8-sig", "gb18030"):
        raise ValueError(f"source {name}: encoding must be utf-8, utf-8-sig or gb18030, got {encoding!r}")
    return SourceConfig(
        name=name,
        input=str(raw["input"]),
        columns={str(k): str(v) for k, v in (raw.get("columns") or {}).items()},
        transforms=transforms,
        derive=derive,
        realign=realign,
        url=raw.get("url"),
        encoding=encoding,
        detect=bool(raw.get("detect", True)),
        description=str(raw.get("description", "")),
        sheet=str(raw["sheet"]) if raw.get("sheet") is not None else None,
        accept_fewer_rows=bool(raw.get("accept_fewer_rows", False)),
    )


@cache
def _load(path: Path, mtime_ns: int, size: int) -> dict[str, SourceConfig]:
    """Parsed once per version of the file (an inbox's sources.yaml may be edited between runs)."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
        return {str(name): _parse(str(name), raw) for name, raw in (data.get("sources") or {}).items()}
    except (KeyError, ValueError, TypeError, yaml.YAMLError) as exc:
        detail = f"缺少键 {exc}" if isinstance(exc, KeyError) else str(exc)
        raise InputError(path.name, f"来源配置文件有误：{detail}") from exc


def load_sources(path: Path | None = None) -> dict[str, SourceConfig]:
    """Every configured source by name (default: the sources.yaml next to this module)."""
    resolved = Path(path or SOURCES_FILE).resolve()
    stat = resolved.stat()
    return dict(_load(resolved, stat.st_mtime_ns, stat.st_size))


def detect_source(
    headers: Iterable[str], input_name: str, sources: Mapping[str, SourceConfig]
) -> SourceConfig | None:
    """The one auto-detectable source of ``input_name`` whose headers are all in the file, if exactly one."""
    headers = list(headers)
    found = [s for s in sources.values() if s.input == input_name and s.detect and s.matches(headers)]
    if len(found) > 1:  # prefer the most specific configuration
        found.sort(key=lambda s: len(s.needed_headers()), reverse=True)
        if len(found[0].needed_headers()) == len(found[1].needed_headers()):
            return None
    return found[0] if found else None


def _resolve(frame: pl.DataFrame, header: str) -> str | None:
    wanted = normalize_header(header)
    return next((c for c in frame.columns if normalize_header(c) == wanted), None)


def _map_cells(series: pl.Series, fn) -> pl.Series:
    return pl.Series(series.name, [fn(v) for v in series.to_list()], dtype=pl.String)


def _realign(frame: pl.DataFrame, realign: Realign) -> tuple[pl.DataFrame, int]:
    """Put shifted cells back into the column of their kind; rows that cannot be sorted out get a
    Chinese reason in ``_problem``. Returns the frame and how many rows were moved."""
    slots = [_resolve(frame, s) or s for s in realign.slots]
    targets = list(dict.fromkeys([*slots, *(col for col, _ in realign.kinds)]))
    source_cols = [c for c in frame.columns if c != ROW]
    out: dict[str, list[str | None]] = {c: [] for c in targets}
    problems: list[str | None] = []
    moved = 0
    columns = [frame.get_column(c).to_list() for c in slots]
    all_cols = frame.select(source_cols).rows()
    for i, values in enumerate(zip(*columns, strict=True)):
        placed, problem = place_by_kind(values, slots, realign.kinds)
        if all(v is None for v in all_cols[i]):
            problem = "该行所有单元格均为空"
        if problem is not None:
            placed = {s: v for s, v in zip(slots, values, strict=True)}
        elif any(placed.get(s) != v for s, v in zip(slots, values, strict=True)):
            moved += 1
        for col in targets:
            out[col].append(placed.get(col))
        problems.append(problem)
    frame = frame.with_columns(
        *(pl.Series(col, vals, dtype=pl.String) for col, vals in out.items()),
        pl.Series(PROBLEM, problems, dtype=pl.String),
    )
    return frame, moved


def apply_source(frame: pl.DataFrame, source: SourceConfig) -> tuple[pl.DataFrame, dict[str, str], int]:
    """Transform, realign, derive and rename a frame read under its own headers (all pl.String, with
    ``_row``). Returns the frame, {source header → contract column} for the renames, and the number of
    realigned rows."""
    for header, names in source.transforms.items():
        col = _resolve(frame, header)
        if col is not None:
            for tname in names:
                frame = frame.with_columns(_map_cells(frame.get_column(col), TRANSFORMS[tname]))
    moved = 0
    if source.realign is not None:
        frame, moved = _realign(frame, source.realign)
    rows = frame.get_column(ROW).to_list()
    derived = []
    for target, spec in source.derive.items():
        fn = DERIVE[spec["using"]]
        src = _resolve(frame, str(spec["from"])) if spec.get("from") else None
        values = frame.get_column(src).to_list() if src else [None] * frame.height
        derived.append(
            pl.Series(target, [fn(v, r, spec) for v, r in zip(values, rows, strict=True)], pl.String)
        )
    frame = frame.with_columns(derived) if derived else frame
    renames = {c: source.columns[h] for h in source.columns if (c := _resolve(frame, h)) is not None}
    return frame.rename(renames), renames, moved
