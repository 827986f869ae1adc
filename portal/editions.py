"""The edition store: the portal's in-memory copy of the published edition in force.

The portal never opens the warehouse. It reads ``<home>/published/CURRENT`` (an edition id) and that
edition's Parquet files. At most once per ``check_interval`` a request looks at CURRENT's stat; when
it changed, a background thread loads the new edition completely and then swaps one reference, so a
request sees either the old edition or the new one, never a half-loaded state. A failed load keeps
the old edition in service and logs why.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

log = logging.getLogger("majorwatch.portal.editions")

# The publisher's rule (warehouse.publish.EDITION_RE): its temporary folders start with '.', so they never match.
EDITION_ID = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_.-]{0,63}$")
PUBLIC_FILES: dict[str, str] = {
    "guiding_catalog.csv": "专业指导性目录（CSV）",
    "guiding_catalog.xlsx": "专业指导性目录（Excel）",
    "guiding_catalog.parquet": "专业指导性目录（Parquet）",
    "restriction_list.csv": "禁限目录（CSV）",
    "restriction_list.xlsx": "禁限目录（Excel）",
    "restriction_list.parquet": "禁限目录（Parquet）",
    "changes.csv": "变动说明（CSV）",
    "datapackage.json": "数据包说明（JSON）",
    "SHA256SUMS": "校验和（SHA256SUMS）",
    "bulletin.html": "行业产业动态调整和人才供需状况（网页）",
    "bulletin.pdf": "行业产业动态调整和人才供需状况（PDF）",
    "matching_report.xlsx": "专业设置与产业发展匹配分析（Excel）",
}
COMMISSION_FILES: dict[str, str] = {"school_major_scores.parquet": "各校专业评分（不公开，Parquet）"}
FRAMES = {
    "guiding": ("guiding_catalog.parquet", ("major_code", "major_name", "guidance", "warning_level",
                                            "risk_score", "reasons")),
    "restrictions": ("restriction_list.parquet", ("major_code", "restriction", "scope", "reasons")),
    "scores": ("school_major_scores.parquet", ("school_code", "school_name", "major_code", "risk_score",
                                                "warning_level", "guidance", "reasons")),
}
CODE_COLUMNS = ("school_code", "major_code")
RETRY_SECONDS = 30.0


def edition_sort_key(edition_id: str) -> tuple:
    """Natural order of edition ids: 2025 < 2026 < 2026-r2 < 2027."""
    parts = re.findall(r"\d+|\D+", edition_id)
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts)


@dataclass(frozen=True)
class EditionFile:
    """One downloadable file of an edition."""

    name: str
    label: str
    size: int
    public: bool


@dataclass
class Edition:
    """One loaded edition: its catalogs, every school's scored offerings, its changes and description."""

    edition_id: str
    path: Path
    created: str
    guiding: pl.DataFrame
    restrictions: pl.DataFrame
    scores: pl.DataFrame
    by_school: dict[str, pl.DataFrame]
    changes: pl.DataFrame | None = None
    meta: dict = field(default_factory=dict)


@dataclass(frozen=True)
class History:
    """What the trend charts need from one edition: each offering's own score and each major's score."""

    offerings: dict[tuple[str, str], float]
    majors: dict[str, float]


@dataclass
class Snapshot:
    """What one request sees: the current edition, the editions before it, their files and scores."""

    current: Edition
    editions: tuple[str, ...]
    files: dict[str, tuple[EditionFile, ...]]
    history: dict[str, History]
    cache: dict = field(default_factory=dict)

    def trend(self, school_code: str, major_code: str) -> list[tuple[str, float]]:
        """The offering's own score (专业点风险分值; the major's score where an edition has none) in every
        edition that has the offering, oldest first."""
        key = (school_code, major_code)
        return [(e, self.history[e].offerings[key]) for e in self.editions if key in self.history[e].offerings]

    def major_trend(self, major_code: str) -> list[tuple[str, float | None]]:
        """The major's risk score in every edition (None where the edition does not list it), oldest first."""
        return [(e, self.history[e].majors.get(major_code)) for e in self.editions]


def _read_frame(folder: Path, name: str, required: tuple[str, ...]) -> pl.DataFrame:
    frame = pl.read_parquet(folder / name)
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ValueError(f"{folder.name}/{name} lacks columns {missing}")
    casts = [pl.col(c).cast(pl.Utf8) for c in CODE_COLUMNS if c in frame.columns]
    return frame.with_columns(casts) if casts else frame


def load_edition(folder: Path) -> Edition:
    """Read one edition folder fully into memory (raises on a missing or malformed file)."""
    frames = {key: _read_frame(folder, name, cols) for key, (name, cols) in FRAMES.items()}
    meta = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    scores = frames["scores"]
    if "school_risk_score" not in scores.columns:
        scores = scores.with_columns(school_risk_score=pl.col("risk_score"))
    scores = scores.sort(["school_code", "school_risk_score", "risk_score", "major_code"],
                         descending=[False, True, True, False], nulls_last=True)
    parts = scores.partition_by("school_code", as_dict=True, maintain_order=True)
    return Edition(
        edition_id=folder.name, path=folder, created=str(meta.get("created", "")),
        guiding=frames["guiding"].sort("major_code"), restrictions=frames["restrictions"],
        scores=scores, by_school={str(k[0]): v for k, v in parts.items()},
        changes=_read_changes(folder / "changes.csv"), meta=meta,
    )


def _read_changes(path: Path) -> pl.DataFrame | None:
    """changes.csv as text columns (its headers are Chinese); None when the edition has none."""
    if not path.is_file():
        return None
    try:
        return pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    except Exception:
        log.exception("%s: unreadable, the changes are not shown", path)
        return None


def _edition_files(folder: Path) -> tuple[EditionFile, ...]:
    listed = [(n, lbl, True) for n, lbl in PUBLIC_FILES.items()]
    listed += [(n, lbl, False) for n, lbl in COMMISSION_FILES.items()]
    return tuple(EditionFile(n, lbl, (folder / n).stat().st_size, pub)
                 for n, lbl, pub in listed if (folder / n).is_file())


class EditionStore:
    """Serves the edition named by ``published/CURRENT`` and follows it without a restart."""

    def __init__(self, home: Path, check_interval: float = 1.0) -> None:
        self.published = Path(home) / "published"
        self.check_interval = check_interval
        self._snapshot: Snapshot | None = None
        self._signature: tuple[int, int, int] | None = None
        self._failed: tuple[tuple[int, int, int], float] | None = None
        self._lock = threading.Lock()
        self._loading = False
        self._last_check = time.monotonic()
        self._history_cache: dict[str, History] = {}
        self.refresh()

    def list_editions(self) -> list[str]:
        """Complete edition folders (with datapackage.json), oldest first."""
        if not self.published.is_dir():
            return []
        found = [p.name for p in self.published.iterdir()
                 if p.is_dir() and EDITION_ID.match(p.name) and (p / "datapackage.json").is_file()]
        return sorted(found, key=edition_sort_key)

    def snapshot(self) -> Snapshot | None:
        """The snapshot to answer this request from; checks CURRENT at most once per interval."""
        now = time.monotonic()
        if now - self._last_check >= self.check_interval:
            self._check(now)
        return self._snapshot

    def _current_signature(self) -> tuple[int, int, int] | None:
        try:
            st = (self.published / "CURRENT").stat()
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _check(self, now: float) -> None:
        if not self._lock.acquire(blocking=False):
            return
        try:
            if now - self._last_check < self.check_interval or self._loading:
                return
            self._last_check = now
            sig = self._current_signature()
            if sig is None or sig == self._signature:
                return
            if self._failed and self._failed[0] == sig and now < self._failed[1]:
                return
            self._loading = True
            threading.Thread(target=self._load_in_background, args=(sig,), daemon=True,
                             name="edition-loader").start()
        finally:
            self._lock.release()

    def _load_in_background(self, sig: tuple[int, int, int]) -> None:
        try:
            self._load(sig)
        finally:
            self._loading = False

    def refresh(self) -> bool:
        """Load the edition CURRENT names now (synchronously); True when one is in service."""
        sig = self._current_signature()
        if sig is None:
            log.warning("no published edition yet: %s missing", self.published / "CURRENT")
            return self._snapshot is not None
        return self._load(sig)

    def _load(self, sig: tuple[int, int, int]) -> bool:
        try:
            edition_id = (self.published / "CURRENT").read_text(encoding="utf-8").strip()
            self._snapshot = self._build(edition_id)
            self._signature, self._failed = sig, None
            log.info("serving edition %s", edition_id)
            return True
        except Exception:
            log.exception("could not load the edition named by CURRENT; keeping the previous one")
            self._failed = (sig, time.monotonic() + RETRY_SECONDS)
            return self._snapshot is not None

    def _build(self, edition_id: str) -> Snapshot:
        if not EDITION_ID.match(edition_id):
            raise ValueError(f"CURRENT holds an invalid edition id {edition_id!r}")
        all_editions = self.list_editions()
        if edition_id not in all_editions:
            raise ValueError(f"edition {edition_id!r} is not a complete folder under {self.published}")
        current = load_edition(self.published / edition_id)
        key = edition_sort_key(edition_id)
        editions = tuple(e for e in all_editions if edition_sort_key(e) <= key)
        history: dict[str, History] = {}
        for e in editions:
            if e == edition_id:
                history[e] = History(_offering_index(current.scores), _major_index(current.guiding))
            else:
                if e not in self._history_cache:
                    self._history_cache[e] = self._past_history(self.published / e)
                history[e] = self._history_cache[e]
        files = {e: _edition_files(self.published / e) for e in editions}
        return Snapshot(current=current, editions=editions, files=files, history=history)

    @staticmethod
    def _past_history(folder: Path) -> History:
        """An earlier edition's scores; a missing or unreadable file leaves that edition out of the trends."""
        found = []
        for name, columns, index in ((FRAMES["scores"][0], ("school_code", "major_code", "risk_score"), _offering_index),
                                     (FRAMES["guiding"][0], ("major_code", "risk_score"), _major_index)):
            try:
                found.append(index(_read_frame(folder, name, columns)) if (folder / name).is_file() else {})
            except Exception:
                log.exception("edition %s: unreadable %s, left out of trends", folder.name, name)
                found.append({})
        return History(*found)


def _offering_index(frame: pl.DataFrame) -> dict[tuple[str, str], float]:
    own = "school_risk_score" if "school_risk_score" in frame.columns else "risk_score"
    rows = frame.select("school_code", "major_code", pl.coalesce(own, "risk_score")).iter_rows()
    return {(s, m): float(r) for s, m, r in rows if r is not None}


def _major_index(frame: pl.DataFrame) -> dict[str, float]:
    return {m: float(r) for m, r in frame.select("major_code", "risk_score").iter_rows() if r is not None}
