"""Rules for issuing tokens: how long they are valid and which school codes may receive one."""

from __future__ import annotations

import math
import os
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

DEFAULT_VALID_DAYS = 365
VALID_DAYS_ENV = "MAJORWATCH_TOKEN_DAYS"


class TokenError(ValueError):
    """A token that cannot be issued; the message is Chinese and shown to the person."""


def valid_days() -> int:
    """How long a new token is valid: MAJORWATCH_TOKEN_DAYS, else one year."""
    try:
        days = int(os.environ.get(VALID_DAYS_ENV, "") or DEFAULT_VALID_DAYS)
    except ValueError:
        days = DEFAULT_VALID_DAYS
    return max(1, days)


def current_school_codes(home: Path) -> set[str] | None:
    """School codes of the edition in force, or None when nothing is published yet."""
    published = Path(home) / "published"
    try:
        edition = (published / "CURRENT").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    scores = published / edition / "school_major_scores.parquet"
    if not edition or not scores.exists():
        return None
    return set(pl.read_parquet(scores, columns=["school_code"])["school_code"].cast(pl.Utf8).to_list())


def deadline(expires: str) -> float:
    """An ISO expiry time as a Unix timestamp (no expiry: infinity; unreadable: already passed)."""
    if not expires:
        return math.inf
    try:
        return datetime.fromisoformat(expires).timestamp()
    except ValueError:
        return -math.inf


def is_expired(expires: str, now: datetime | None = None) -> bool:
    """Whether an ISO expiry time has passed (tokens from before expiry existed never expire)."""
    if not expires:
        return False
    try:
        when = datetime.fromisoformat(expires)
    except ValueError:
        return True
    return (now or datetime.now(UTC)) >= when
