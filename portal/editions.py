"""The edition store: the portal's in-memory copy of the published edition in force.

The portal never opens the warehouse. It reads ``<home>/published/CURRENT`` (an edition id) and that
edition's Parquet files. At most once per ``check_interval`` a request looks at CURRENT's stat; when
it changed, a background thread loads the new edition completely and then swaps one reference, so a
request sees either the old edition or the new one, never a half-loaded state. A failed load keeps
the old edition in service and logs why.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from portal.edition_files import (
    Edition,
    EditionFile,
    History,
    edition_files,
    load_edition,
    major_index,
    offering_index,
    past_history,
)
from warehouse.current import EDITION_RE, FINAL_STATE, edition_state

log = logging.getLogger("majorwatch.portal.editions")

# The publisher's rule (warehouse.publish.EDITION_RE): its temporary folders start with '.', so they never match.
EDITION_ID = EDITION_RE  # the publisher's own rule, so the two never disagree
RETRY_SECONDS = 30.0


def edition_sort_key(edition_id: str) -> tuple:
    """Natural order of edition ids: 2025 < 2026 < 2026-r2 < 2027."""
    parts = re.findall(r"\d+|\D+", edition_id)
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts)


@dataclass
class Snapshot:
    """What one request sees: the current edition, the editions before it, their files and scores."""

    current: Edition
    editions: tuple[str, ...]
    files: dict[str, tuple[EditionFile, ...]]
    history: dict[str, History]
    cache: dict = field(default_factory=dict)
    years: tuple[str, ...] = ()
    """The editions a trend shows, one per year (``year_editions``); every edition when not given."""

    @property
    def trend_editions(self) -> tuple[str, ...]:
        return self.years or self.editions

    def codes(self, major_code: str) -> tuple[str, ...]:
        """The major's code and the codes it had before a renumbering (the current edition's code_history): an
        earlier edition lists it under one of them."""
        return (major_code, *self.current.former.get(major_code, ()))

    def trend(self, school_code: str, major_code: str) -> list[tuple[str, float]]:
        """The offering's own score (专业点风险分值; the major's score where an edition has none) in each year's
        edition that has the offering (under its code then), oldest first."""
        found = []
        for e in self.trend_editions:
            scores = self.history[e].offerings
            score = next((scores[(school_code, c)] for c in self.codes(major_code) if (school_code, c) in scores),
                         None)
            if score is not None:
                found.append((e, score))
        return found

    def major_trend(self, major_code: str) -> list[tuple[str, float | None]]:
        """The major's risk score in each year's edition, under the code it had then (None where it does not
        list it), oldest first."""
        return [(e, next((self.history[e].majors[c] for c in self.codes(major_code) if c in self.history[e].majors),
                         None)) for e in self.trend_editions]


def year_editions(editions: tuple[str, ...], current: str, finals: set[str]) -> tuple[str, ...]:
    """One edition per year of ``editions`` (oldest first, up to ``current``), the one a trend shows for it: the
    current edition in its own year; before, the year's last final (a draft it finalized, or one a re-run left
    behind, was a proposal, not the year's act), or the year's last edition when none was finalized."""
    by_year: dict[str, list[str]] = {}
    for e in editions:
        by_year.setdefault(e[:4], []).append(e)
    chosen = []
    for group in by_year.values():
        issued = [e for e in group if e in finals]
        chosen.append(current if current in group else (issued or group)[-1])
    return tuple(chosen)


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
                 if p.is_dir() and EDITION_ID.fullmatch(p.name) and (p / "datapackage.json").is_file()]
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
        if not EDITION_ID.fullmatch(edition_id):
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
                history[e] = History(offering_index(current.scores), major_index(current.guiding))
            else:
                if e not in self._history_cache:
                    self._history_cache[e] = past_history(self.published / e)
                history[e] = self._history_cache[e]
        files = {e: edition_files(self.published / e) for e in editions}
        return Snapshot(current=current, editions=editions, files=files, history=history,
                        years=year_editions(editions, edition_id,
                                            {e for e in editions if edition_state(self.published, e) == FINAL_STATE}))
