"""What every document says about its edition: title, issuer, edition, date, state, file names.

``EditionFacts`` is what a person may read about an edition (its year, state, 文号 and 印发日期); ``edition_label``
is the one way an edition is named on a document or a school page: "2026年版" or "2026年版（征求意见稿）", never
its internal id ("2026-draft")."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from documents.explain import pending_items
from scoring.policy import Policy

DRAFT, FINAL = "征求意见稿", "正式"
DEFAULT_ISSUER = "北京市教育委员会"
DRAFT_SUFFIX = "-draft"  # warehouse.editions.DRAFT_SUFFIX (documents do not import the warehouse)


@dataclass(frozen=True)
class EditionFacts:
    """The facts an edition is named by: ``id`` (internal, never printed), ``year``, ``state`` (征求意见稿 / 正式),
    and for a final edition the ``doc_number`` (文号) and ``issued_on`` (印发日期) under which it was issued."""

    id: str
    year: str
    state: str = DRAFT
    doc_number: str | None = None
    issued_on: date | None = None

    @classmethod
    def from_id(cls, edition_id: str, state: str | None = None, doc_number: str | None = None,
                issued_on: date | str | None = None) -> EditionFacts:
        """From an edition id and what its datapackage.json says (a ``-draft`` id is a draft whatever it says)."""
        found = re.match(r"\d{4}", edition_id)
        draft = edition_id.endswith(DRAFT_SUFFIX) or state == DRAFT
        when = date.fromisoformat(issued_on[:10]) if isinstance(issued_on, str) and issued_on else issued_on
        return cls(edition_id, found.group(0) if found else "", DRAFT if draft else FINAL, doc_number or None,
                   when or None)

    @classmethod
    def from_package(cls, edition_id: str, package: Mapping[str, Any] | None) -> EditionFacts:
        """From an edition's datapackage.json (``state``, ``doc_number``, ``issued_on``; all optional)."""
        package = package or {}
        return cls.from_id(edition_id, package.get("state"), package.get("doc_number"), package.get("issued_on"))

    @property
    def revision(self) -> int:
        """0 for the first issue of a year; n − 1 for an id ``2026-rN`` (its (n − 1)-th re-issue)."""
        found = re.search(r"-r(\d+)", self.id)
        return int(found.group(1)) - 1 if found else 0

    @property
    def is_draft(self) -> bool:
        return self.state != FINAL


def chinese_date(day: date) -> str:
    """2026年1月15日, as official documents write a date."""
    return f"{day.year}年{day.month}月{day.day}日"


def edition_label(facts: EditionFacts | Mapping[str, Any], *, state: bool = True) -> str:
    """The edition as people read it: 2026年版, 2026年版（第1次修订）, 2026年版（征求意见稿）. ``facts`` is an
    EditionFacts or a mapping with ``id`` (and optionally year/state); ``state=False`` leaves the state out."""
    if not isinstance(facts, EditionFacts):
        facts = EditionFacts.from_id(str(facts.get("id") or facts.get("edition") or ""), facts.get("state"))
    if not facts.year:
        return "现行版本"  # an id without a year is never shown as it is
    label = f"{facts.year}年版" + (f"（第{facts.revision}次修订）" if facts.revision else "")
    return label + (f"（{DRAFT}）" if state and facts.is_draft else "")


@dataclass(frozen=True)
class EditionInfo:
    """The edition a document belongs to. ``issued`` is the edition's date: it is printed on every
    document and fixes the documents' internal timestamps, so the same inputs give the same bytes."""

    edition: str
    issued: date
    state: str = DRAFT
    issuer: str = DEFAULT_ISSUER
    pending: int = 0  # policy values still 待市教委确认 (0 once the commission confirmed the policy file)
    doc_number: str | None = None  # a final edition's 文号 (the policy confirmation's), e.g. 京教职成〔2026〕5号
    issued_on: date | None = None  # a final edition's 印发日期

    @classmethod
    def build(cls, edition: str, issued: date, policy: Policy, state: str = DRAFT,
              issuer: str = DEFAULT_ISSUER, *, confirmed: bool = False, doc_number: str | None = None,
              issued_on: date | str | None = None) -> EditionInfo:
        """`confirmed`: the commission confirmed this policy file (``majorwatch policy confirm``), so none of
        its values counts as pending; `doc_number` and `issued_on` are printed on a final edition."""
        if state not in (DRAFT, FINAL):
            raise ValueError(f"版次状态只能是“{DRAFT}”或“{FINAL}”，收到：{state!r}")
        pending = 0 if confirmed else len(pending_items(policy))
        when = date.fromisoformat(issued_on[:10]) if isinstance(issued_on, str) and issued_on else issued_on
        final = state == FINAL
        return cls(edition, issued, state, issuer or DEFAULT_ISSUER, pending,
                   (doc_number or None) if final else None, (when or None) if final else None)

    @property
    def facts(self) -> EditionFacts:
        return EditionFacts(self.edition, self.year, DRAFT if self.is_draft else FINAL,
                            None if self.is_draft else self.doc_number, None if self.is_draft else self.issued_on)

    @property
    def label(self) -> str:
        """2026年版 / 2026年版（征求意见稿）"""
        return edition_label(self.facts)

    @property
    def doc_number_shown(self) -> str | None:
        """The 文号 printed on the documents: a final edition's only (a draft has none)."""
        return self.facts.doc_number

    @property
    def date_shown(self) -> date:
        """印发日期 of a final edition when known, else the edition's date."""
        return self.facts.issued_on or self.issued

    @property
    def is_draft(self) -> bool:
        """A draft while the edition says so or any policy value still awaits the commission."""
        return self.state == DRAFT or self.pending > 0

    @property
    def year(self) -> str:
        found = re.match(r"\d{4}", self.edition)
        return found.group(0) if found else self.edition

    @property
    def timestamp(self) -> datetime:
        return datetime.combine(self.issued, time())

    def title(self, name: str) -> str:
        """北京市职业教育专业指导性目录（2026年版）（征求意见稿）"""
        facts = self.facts
        return f"北京市职业教育{name}（{edition_label(facts, state=False)}）" + (f"（{DRAFT}）" if facts.is_draft else "")

    def subtitle(self, number: bool = True) -> str:
        """发布单位：北京市教育委员会　　文号：京教职成〔2026〕3号　　印发日期：2026年12月31日 (a final edition);
        a draft says 征求意见稿 and carries no 文号."""
        facts = self.facts
        number = f"　　文号：{facts.doc_number}" if facts.doc_number and number else ""
        when = "印发日期" if facts.issued_on else "日期"
        state = f"　　{DRAFT}" if facts.is_draft else ""
        return f"发布单位：{self.issuer}{number}　　{when}：{chinese_date(self.date_shown)}{state}"

    def download_name(self, name: str, suffix: str) -> str:
        """The Chinese file name beside the English one, e.g. 2026年专业指导性目录（征求意见稿）.xlsx."""
        facts = self.facts
        rev = f"（第{facts.revision}次修订）" if facts.revision else ""
        return f"{self.year}年{name}{rev}" + (f"（{DRAFT}）" if facts.is_draft else "") + f".{suffix}"
