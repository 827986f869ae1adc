"""Override rows in the store: added by an accepted objection, the portal or the CLI; listed, retired and
exported for the pipeline (the ``overrides`` input contract)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from review.audit import Actor, NotFoundError, ReviewError, now, record
from review.db import Store
from review.models import Override
from scoring.overrides import FIELD_CN, OVERRIDE_SCHEMA, VALUES
from warehouse.spreadsheet import safe_text

EXPORT_FILE = "overrides.csv"
EXPORT_DIR = "review"  # <home>/review/overrides.csv: the file the pipeline's overrides input reads


MAJOR_CODE = re.compile(r"[2-7][0-9]{5}K?")  # the overrides contract's patterns (a test keeps them in step)
SCHOOL_CODE = re.compile(r"[0-9]{10}")


@dataclass(frozen=True)
class Catalog:
    """The codes of the edition in force: an override must name a major (and school) it holds."""

    edition: str
    majors: frozenset[str]
    schools: frozenset[str]


def catalog_in_force(home: Path) -> Catalog | None:
    """The majors and schools of the edition named in ``CURRENT`` (None before the first publication)."""
    from warehouse.current import current_edition

    published = Path(home) / "published"
    edition = current_edition(published)
    if edition is None or not (published / edition / "guiding_catalog.parquet").is_file():
        return None
    majors = pl.read_parquet(published / edition / "guiding_catalog.parquet", columns=["major_code"])
    offerings = published / edition / "school_major_scores.parquet"
    schools = pl.read_parquet(offerings, columns=["school_code"]) if offerings.is_file() else None
    return Catalog(edition, frozenset(majors["major_code"].to_list()),
                   frozenset(schools["school_code"].to_list()) if schools is not None else frozenset())


def check_codes(major_code: str, school_code: str | None, catalog: Catalog | None) -> None:
    """A ReviewError unless the codes are well formed and (with a catalog) held by the edition in force."""
    if not MAJOR_CODE.fullmatch(major_code):
        raise ReviewError(f"专业代码「{major_code}」格式不对：应为6位数字，可带K后缀，首位为2–7（如 510201）。")
    if school_code is not None and not SCHOOL_CODE.fullmatch(school_code):
        raise ReviewError(f"学校代码「{school_code}」格式不对：应为10位数字。")
    if catalog is None:
        return
    if major_code not in catalog.majors:
        raise ReviewError(f"专业代码 {major_code} 不在现行版本 {catalog.edition} 的专业目录中，请核对。")
    if school_code is not None and catalog.schools and school_code not in catalog.schools:
        raise ReviewError(f"学校代码 {school_code} 在现行版本 {catalog.edition} 中没有专业点，请核对。")


def export_path(home: Path) -> Path:
    return Path(home) / EXPORT_DIR / EXPORT_FILE


def new_override(s: Session, actor: Actor, major_code: str, school_code: str | None, field: str, value: str,
                 reason: str, expires: date | None = None, source_edition: str | None = None,
                 objection_id: int | None = None) -> Override:
    """Validate and add one override in the session `s` (with its audit entry)."""
    if not actor.is_commission:
        raise ReviewError("只有市教委可以设定复核调整。")
    if field not in VALUES:
        raise ReviewError(f"调整项应为 {'、'.join(FIELD_CN.values())} 之一。")
    if value not in VALUES[field]:
        raise ReviewError(f"{FIELD_CN[field]}只能调整为：{'、'.join(VALUES[field])}（收到「{value or '空'}」）。")
    if not (reason or "").strip():
        raise ReviewError("请填写调整理由。")
    if not (major_code or "").strip():
        raise ReviewError("请填写专业代码。")
    _one_active(s, major_code.strip(), (school_code or "").strip() or None, field)
    row = Override(major_code=major_code.strip(), school_code=(school_code or "").strip() or None, field=field,
                   value=value, reason=reason.strip(), decided_by=actor.name, decided_at=now(), expires=expires,
                   retired=False, source_edition=source_edition, objection_id=objection_id)
    s.add(row)
    s.flush()
    record(s, actor, "override.add", f"override:{row.id}", major=row.major_code, school=row.school_code,
           field=field, value=value, reason=row.reason, expires=expires, objection=objection_id)
    return row


def _one_active(s: Session, major_code: str, school_code: str | None, field: str) -> None:
    """Refuse a second override in force on the same major (or offering) and field: which one applied
    would otherwise depend on the order of rows. The commission retires the old one first."""
    today = now().date()
    q = select(Override).where(Override.major_code == major_code, Override.field == field,
                               Override.retired.is_(False), Override.expires.is_(None) | (Override.expires >= today),
                               Override.school_code.is_(None) if school_code is None
                               else Override.school_code == school_code)
    active = s.scalars(q.order_by(Override.id)).first()
    if active is not None:
        where = f"专业 {major_code}" + (f"（学校 {school_code}）" if school_code else "")
        raise ReviewError(f"{where}的{FIELD_CN[field]}已有生效的复核调整（编号 {active.id}，调整为「{active.value}」）；"
                          f"同一事项只能有一项生效的调整，如需改变请先停用编号 {active.id}。")


def add_override(store: Store, actor: Actor, major_code: str, field: str, value: str, reason: str,
                 school_code: str | None = None, expires: date | None = None,
                 source_edition: str | None = None, catalog: Catalog | None = None) -> Override:
    """A commission decision of its own (not answering an objection, whose codes come from the edition): its
    codes must be well formed and, with ``catalog``, in the edition in force."""
    check_codes((major_code or "").strip(), (school_code or "").strip() or None, catalog)
    with store.session() as s:
        return new_override(s, actor, major_code, school_code, field, value, reason, expires, source_edition)


def retire_override(store: Store, actor: Actor, override_id: int, reason: str = "") -> Override:
    """Stop an override from applying to the next editions (it stays in the store and the audit log)."""
    if not actor.is_commission:
        raise NotFoundError("复核调整")
    with store.session() as s:
        row = s.get(Override, override_id)
        if row is None:
            raise NotFoundError("复核调整")
        if row.retired:
            raise ReviewError(f"复核调整 {override_id} 已停用。")
        row.retired, row.retired_by, row.retired_at = True, actor.name, now()
        record(s, actor, "override.retire", f"override:{row.id}", reason=reason)
    return row


def list_overrides(store: Store, include_retired: bool = False, as_of: date | None = None) -> list[Override]:
    """Overrides, oldest first; without retired ones unless asked; with `as_of`, only those not expired."""
    q = select(Override).order_by(Override.id)
    if not include_retired:
        q = q.where(Override.retired.is_(False))
    if as_of is not None:
        q = q.where((Override.expires.is_(None)) | (Override.expires >= as_of))
    with store.session() as s:
        return list(s.scalars(q))


def overrides_frame(store: Store) -> pl.DataFrame:
    """Every override not retired, in the ``overrides`` contract's columns (expiry is applied by scoring)."""
    rows = [{"override_id": str(o.id), "major_code": o.major_code, "school_code": o.school_code, "field": o.field,
             "value": o.value, "reason": o.reason, "decided_by": o.decided_by,
             "decided_at": o.decided_at.isoformat(timespec="seconds"), "expires": o.expires}
            for o in list_overrides(store)]
    return pl.DataFrame(rows, schema=OVERRIDE_SCHEMA)


def export_overrides(store: Store, folder: Path) -> Path:
    """Write ``overrides.csv`` (UTF-8, contract column names) into `folder` for the pipeline to read."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / EXPORT_FILE
    tmp = folder / f".{EXPORT_FILE}.tmp"
    frame = overrides_frame(store)
    # a person may open it in Excel: a reason or name starting with = + - @ is written as text, not a formula
    frame.with_columns(pl.col(pl.String).map_elements(safe_text, return_dtype=pl.String)).write_csv(tmp)
    tmp.replace(path)
    return path
