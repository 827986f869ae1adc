"""One published edition folder, read into memory: its catalogs, every school's scored offerings, its
changes and description, the files it offers for download, and what the trend charts need from it."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

log = logging.getLogger("majorwatch.portal.editions")

PUBLIC_FILES: dict[str, str] = {
    "guiding_catalog.csv": "专业指导性目录（CSV）",
    "guiding_catalog.xlsx": "专业指导性目录（Excel）",
    "guiding_catalog.parquet": "专业指导性目录（Parquet）",
    "restriction_list.csv": "禁限目录（CSV）",
    "restriction_list.xlsx": "禁限目录（Excel）",
    "restriction_list.parquet": "禁限目录（Parquet）",
    "changes.csv": "变动说明（CSV）",
    "datapackage.json": "数据包说明（JSON）",
    "SHA256SUMS": "文件校验值",
    "bulletin.html": "行业产业动态调整和人才供需状况（网页）",
    "bulletin.pdf": "行业产业动态调整和人才供需状况（PDF）",
    "matching_report.xlsx": "专业设置与产业发展匹配分析（Excel）",
    "guiding_catalog_basis.xlsx": "专业指导性目录详细依据（Excel）",
}
COMMISSION_FILES: dict[str, str] = {"school_major_scores.parquet": "各校专业评分（不公开，Parquet）",
                                    "技术附录.xlsx": "技术附录（数据组核对用，Excel）",
                                    "policy_comparisons.parquet": "政策比较（不公开，Parquet）",
                                    "专业调整行动清单.xlsx": "专业调整行动清单（不公开，Excel）",
                                    "骨干专业推荐名单.xlsx": "骨干专业推荐名单（不公开，Excel）",
                                    "actions.parquet": "专业调整行动清单（不公开，Parquet）",
                                    "backbone_candidates.parquet": "骨干专业推荐名单（不公开，Parquet）"}
COMPARISONS = ("policy_comparisons.parquet", ("policy", "policy_title", "major_code", "warning_level_now",
                                              "warning_level_new", "why"))
FRAMES = {
    "guiding": ("guiding_catalog.parquet", ("major_code", "major_name", "guidance", "warning_level",
                                            "risk_score", "reasons")),
    "restrictions": ("restriction_list.parquet", ("major_code", "restriction", "scope", "reasons")),
    "scores": ("school_major_scores.parquet", ("school_code", "school_name", "major_code", "risk_score",
                                                "warning_level", "guidance", "reasons")),
}
CODE_COLUMNS = ("school_code", "major_code")
CODE_HISTORY = "code_history.parquet"

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
    comparisons: pl.DataFrame | None = None  # the commission's what-if (None when the edition has none)
    former: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Major code → its earlier codes (code_history.parquet): a trend shows the years it had them."""


@dataclass(frozen=True)
class History:
    """What the trend charts need from one edition: each offering's own score and each major's score."""

    offerings: dict[tuple[str, str], float]
    majors: dict[str, float]


def read_frame(folder: Path, name: str, required: tuple[str, ...]) -> pl.DataFrame:
    frame = pl.read_parquet(folder / name)
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ValueError(f"{folder.name}/{name} lacks columns {missing}")
    casts = [pl.col(c).cast(pl.Utf8) for c in CODE_COLUMNS if c in frame.columns]
    return frame.with_columns(casts) if casts else frame


def load_edition(folder: Path) -> Edition:
    """Read one edition folder fully into memory (raises on a missing or malformed file)."""
    frames = {key: read_frame(folder, name, cols) for key, (name, cols) in FRAMES.items()}
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
        comparisons=read_frame(folder, *COMPARISONS) if (folder / COMPARISONS[0]).is_file() else None,
        former=former_codes(folder),
    )


def former_codes(folder: Path) -> dict[str, tuple[str, ...]]:
    """Major code → the codes it had in earlier catalogs (the edition's code_history; none when it has none)."""
    if not (folder / CODE_HISTORY).is_file():
        return {}
    pairs = read_frame(folder, CODE_HISTORY, ("new_code", "old_code")).select(
        pl.col("new_code").cast(pl.Utf8), pl.col("old_code").cast(pl.Utf8)).sort("new_code", "old_code")
    found: dict[str, tuple[str, ...]] = {}
    for new, old in pairs.iter_rows():
        found[new] = (*found.get(new, ()), old)
    return found


def _read_changes(path: Path) -> pl.DataFrame | None:
    """changes.csv as text columns (its headers are Chinese); None when the edition has none."""
    if not path.is_file():
        return None
    try:
        return pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    except Exception:
        log.exception("%s: unreadable, the changes are not shown", path)
        return None


def edition_files(folder: Path) -> tuple[EditionFile, ...]:
    listed = [(n, lbl, True) for n, lbl in PUBLIC_FILES.items()]
    listed += [(n, lbl, False) for n, lbl in COMMISSION_FILES.items()]
    return tuple(EditionFile(n, lbl, (folder / n).stat().st_size, pub)
                 for n, lbl, pub in listed if (folder / n).is_file())


def past_history(folder: Path) -> History:
    """An earlier edition's scores; a missing or unreadable file leaves that edition out of the trends."""
    found = []
    for name, columns, index in ((FRAMES["scores"][0], ("school_code", "major_code", "risk_score"), offering_index),
                                 (FRAMES["guiding"][0], ("major_code", "risk_score"), major_index)):
        try:
            found.append(index(read_frame(folder, name, columns)) if (folder / name).is_file() else {})
        except Exception:
            log.exception("edition %s: unreadable %s, left out of trends", folder.name, name)
            found.append({})
    return History(*found)


def offering_index(frame: pl.DataFrame) -> dict[tuple[str, str], float]:
    own = "school_risk_score" if "school_risk_score" in frame.columns else "risk_score"
    rows = frame.select("school_code", "major_code", pl.coalesce(own, "risk_score")).iter_rows()
    return {(s, m): float(r) for s, m, r in rows if r is not None}


def major_index(frame: pl.DataFrame) -> dict[str, float]:
    return {m: float(r) for m, r in frame.select("major_code", "risk_score").iter_rows() if r is not None}
