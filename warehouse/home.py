"""The home folder: where the warehouse, raw inputs, editions, tokens and DAGSTER_HOME live."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOME = "var"


@dataclass(frozen=True)
class Home:
    """Paths under one MAJORWATCH_HOME. Creating a Home touches nothing on disk."""

    root: Path

    @classmethod
    def from_env(cls, override: str | os.PathLike | None = None) -> Home:
        value = override or os.environ.get("MAJORWATCH_HOME") or DEFAULT_HOME
        return cls(Path(value).expanduser().resolve())

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def published(self) -> Path:
        return self.root / "published"

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def models(self) -> Path:
        return self.root / "models"

    @property
    def second_opinions(self) -> Path:
        """great-expectations' reports, cached by what they are a function of (data_contracts.verdict)."""
        return self.root / "cache" / "great_expectations"

    @property
    def tokens(self) -> Path:
        return self.root / "tokens.json"

    @property
    def review_exports(self) -> Path:
        """Where the review store exports the overrides the pipeline reads (review/overrides.csv)."""
        return self.root / "review"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster"

    def partition(self, key: str | None) -> Home:
        """The home of one partition (a province in a national deployment): its own warehouse file,
        raw store, models and editions, so DuckDB's one-writer rule holds per partition."""
        return self if not key else Home(self.root / "partitions" / key)

    def ensure(self) -> Home:
        for path in (self.root, self.raw, self.published, self.models, self.dagster_home):
            path.mkdir(parents=True, exist_ok=True)
        return self
