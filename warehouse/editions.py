"""Choosing an edition id and gathering its provenance (inputs, contracts, policy) for datapackage.json."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import polars as pl

from warehouse.current import (
    CURRENT,
    current_edition,
    edition_state,
    list_editions,
    make_current,
    takes_force,
)
from warehouse.publish import EditionExistsError, EditionResult, publish_edition

MAX_REVISIONS = 99
DRAFT_SUFFIX = "-draft"
DRAFT_STATE, FINAL_STATE = "征求意见稿", "正式"  # datapackage.json "state"


def draft_edition_id(edition: str) -> str:
    """The draft (征求意见稿) of an edition: 2026 → 2026-draft."""
    return edition if edition.endswith(DRAFT_SUFFIX) else edition + DRAFT_SUFFIX


def final_edition_id(draft: str) -> str:
    """The final edition a draft becomes: 2026-draft → 2026 (ValueError for an id that is not a draft)."""
    if not draft.endswith(DRAFT_SUFFIX) or len(draft) == len(DRAFT_SUFFIX):
        raise ValueError(f"版次 {draft} 不是征求意见稿（应以 {DRAFT_SUFFIX} 结尾）")
    return draft[: -len(DRAFT_SUFFIX)]


VERSIONED_FILES = ("guiding_catalog.parquet", "restriction_list.parquet")  # what later editions and back-tests read


def editions_version(published: Path) -> str | None:
    """The published editions' data version (None before the first edition): SHA-256 over each complete edition
    folder's name, state and its catalog's and restriction list's SHA-256 (as its SHA256SUMS lists them), and
    the edition CURRENT names. An edition folder is never changed, so this changes exactly when an edition is
    published, put in force or removed; no table is read."""
    entries = []
    for name in list_editions(published):
        sums = dict(reversed(line.split("  ", 1)) for line in _lines(published / name / "SHA256SUMS"))
        entries.append("\t".join([name, edition_state(published, name) or "", *(sums.get(f, "") for f in VERSIONED_FILES)]))
    if not entries:
        return None
    entries.append(f"{CURRENT}\t{current_edition(published) or ''}")
    return hashlib.sha256("\n".join(entries).encode()).hexdigest()


def _lines(path: Path) -> list[str]:
    try:
        return [line for line in path.read_text(encoding="utf-8").splitlines() if "  " in line]
    except FileNotFoundError:
        return []


class OlderEditionError(RuntimeError):
    """An automatically chosen edition would be older than the one in force (CURRENT never moves back)."""


def _year(edition: str) -> int | None:
    head = edition[:4]
    return int(head) if head.isdigit() else None


def publication_id(edition: str, suffix: str = "") -> str:
    """The id ``publish_next`` publishes an edition under first (2026 → 2026-draft for a draft); it moves on to
    ``-rN`` only when that id holds other content."""
    return edition if edition.endswith(suffix) else edition + suffix


def publish_next(published: Path, edition: str, *, explicit: bool, suffix: str = "", **kwargs) -> EditionResult:
    """Publish `edition` and make it the edition in force (a draft only while no final is in force: see
    ``current.takes_force``; a draft beside a final is published and CURRENT stays on the final).

    Chosen automatically: an id that is CURRENT with the same content is a no-op; an id already used
    by an older edition is skipped (history only moves forward, even back to older content), and the
    next free `-rN` is taken; a folder a stopped run renamed into place but never put in force is put in
    force when its content is the same. Given explicitly: that id is published, or, if it already holds the same
    content, put back in force (a roll-back); different content under it is refused.
    """
    if explicit:
        result = publish_edition(published, publication_id(edition, suffix), **kwargs)
        if (current_edition(published) != result.edition and kwargs.get("put_in_force", True)
                and takes_force(published, kwargs["package"].get("state"))):
            make_current(published, result.edition)
            result = replace(result, in_force=True)
        return result
    current = current_edition(published)
    if current and _year(edition) is not None and _year(current) is not None and _year(edition) < _year(current):
        raise OlderEditionError(
            f"收件箱的数据只到 {int(edition) - 1 if edition.isdigit() else edition} 年，对应版本 {edition}，"
            f"早于现行版本 {current}：未发布，现行版本保持不变。如确需发布旧版，请用 --edition 明确指定版本号")
    for candidate in [publication_id(edition, suffix), *(f"{edition}-r{n}{suffix}" for n in range(2, MAX_REVISIONS + 1))]:
        if (published / candidate).exists() and candidate != current and not _never_in_force(published, candidate):
            continue
        try:
            return publish_edition(published, candidate, **kwargs)
        except EditionExistsError:
            continue
    raise EditionExistsError(f"版本 {edition} 已有 {MAX_REVISIONS} 次修订，请指定新的版本号")


def _never_in_force(published: Path, candidate: str) -> bool:
    """A folder written after the edition in force (its previous edition is CURRENT) that CURRENT never named:
    a run stopped between the rename and the switch. The same content puts it in force; other content is
    refused by publish_edition and the next id is tried."""
    try:
        manifest = json.loads((published / candidate / "datapackage.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return manifest.get("previous_edition") == current_edition(published)


def publication_package(input_files: pl.DataFrame, contract_results: pl.DataFrame, run_id: str, policy) -> dict:
    """Provenance for datapackage.json: the inputs with SHA-256, this run's contract results, the policy."""
    columns = ["input", "file", "sha256", "bytes", "encoding", "format", "rows", "source"]
    inputs = input_files.with_columns(
        loaded_on=pl.col("loaded_at").cast(pl.Date).cast(pl.String) if "loaded_at" in input_files.columns
        else pl.lit(None, dtype=pl.String))
    inputs = inputs.select([c for c in [*columns, "loaded_on"] if c in inputs.columns]).sort("input").to_dicts()
    # the verdict of the ingest that produced each input's rows in the warehouse (its latest check)
    results = contract_results
    if "checked_at" in results.columns:
        results = results.sort("checked_at").unique("input", keep="last")
    contracts = []
    keep = ["input", "passed", "severity", "rows_in", "rows_clean", "rows_rejected", "summary"]
    for row in results.select([c for c in keep if c in results.columns]).sort("input").to_dicts():
        summary = json.loads(row.pop("summary", None) or "{}")
        extra = {k: summary[k] for k in ("status", "sheet", "warnings") if summary.get(k)}
        contracts.append({**row, "violations_by_rule": summary.get("by_rule", {}), **extra})
    return {
        "run_id": run_id,
        "inputs": inputs,
        "contracts": contracts,
        # the whole policy in force (values, sources, descriptions), so an edition explains itself
        "policy": {"version": policy.version, "sha256": policy.sha256, "file": Path(policy.path).name
                   if getattr(policy, "path", None) else "policy.yaml",
                   "content": json.loads(json.dumps(policy.as_dict(), ensure_ascii=False, default=str))},
    }


def published_verdicts(published: Path, before_year: int) -> pl.DataFrame:
    """data_year, edition, major_code, warning_level: the verdicts as published for each data year before
    ``before_year`` (the 往年预警回溯 reads the flags people were really given). A data year published more than
    once is told by its final edition, else its last draft or revision in natural order."""
    chosen: dict[int, tuple[bool, str]] = {}
    for name in list_editions(published):
        try:
            manifest = json.loads((published / name / "datapackage.json").read_text(encoding="utf-8"))
            year = int(str(manifest["as_of"])[:4])
        except (OSError, ValueError, KeyError):
            continue
        final = str(manifest.get("state") or FINAL_STATE) == FINAL_STATE
        if year < before_year and (published / name / "guiding_catalog.parquet").is_file() and (
                year not in chosen or final or not chosen[year][0]):
            chosen[year] = (final, name)
    schema = {"data_year": pl.Int32, "edition": pl.String, "major_code": pl.String, "warning_level": pl.String}
    parts = [pl.read_parquet(published / name / "guiding_catalog.parquet", columns=["major_code", "warning_level"])
             .select(data_year=pl.lit(year, pl.Int32), edition=pl.lit(name),
                     major_code=pl.col("major_code").cast(pl.String), warning_level=pl.col("warning_level").cast(pl.String))
             for year, (_, name) in sorted(chosen.items())]
    return pl.concat(parts) if parts else pl.DataFrame(schema=schema)


FLAG_COLUMNS = {"origin": pl.Int32, "major_code": pl.String, "flagged": pl.Boolean, "edition": pl.String}


def published_flags(published: Path, before_year: int | None = None) -> pl.DataFrame:
    """``published_verdicts`` as the back-test's flags: origin (the edition's data year), major_code, flagged (红 or
    黄), edition: what the commission issued for each earlier year (its final, else its last draft)."""
    verdicts = published_verdicts(published, 10**4 if before_year is None else before_year)
    return verdicts.select(origin="data_year", major_code="major_code", flagged=pl.col("warning_level") != "绿",
                           edition="edition").cast(FLAG_COLUMNS)
