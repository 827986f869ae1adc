"""What every document says about its edition: title, issuer, edition, date, state, file names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from documents.explain import pending_items
from scoring.policy import Policy

DRAFT, FINAL = "征求意见稿", "正式"
DEFAULT_ISSUER = "北京市教育委员会"


@dataclass(frozen=True)
class EditionInfo:
    """The edition a document belongs to. ``issued`` is the edition's date: it is printed on every
    document and fixes the documents' internal timestamps, so the same inputs give the same bytes."""

    edition: str
    issued: date
    state: str = DRAFT
    issuer: str = DEFAULT_ISSUER
    pending: int = 0  # policy values still 待市教委确认 (0 once the commission confirmed the policy file)
    doc_number: str = ""  # a final edition's 文号 (the policy confirmation's), e.g. 京教职成〔2026〕5号
    issued_on: date | None = None  # a final edition's 印发日期

    @classmethod
    def build(cls, edition: str, issued: date, policy: Policy, state: str = DRAFT,
              issuer: str = DEFAULT_ISSUER, *, confirmed: bool = False, doc_number: str = "",
              issued_on: date | None = None) -> EditionInfo:
        """`confirmed`: the commission confirmed this policy file (``majorwatch policy confirm``), so none of
        its values counts as pending; `doc_number` and `issued_on` are printed on a final edition."""
        if state not in (DRAFT, FINAL):
            raise ValueError(f"版次状态只能是“{DRAFT}”或“{FINAL}”，收到：{state!r}")
        pending = 0 if confirmed else len(pending_items(policy))
        final = state == FINAL
        return cls(edition, issued, state, issuer or DEFAULT_ISSUER, pending,
                   doc_number if final else "", issued_on if final else None)

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
        return f"北京市职业教育{name}（{self.year}年版）" + (f"（{DRAFT}）" if self.is_draft else "")

    def subtitle(self) -> str:
        state = DRAFT if self.is_draft else FINAL
        why = f"，{self.pending} 项政策取值待市教委确认" if self.pending else ""
        number = f"　　文号：{self.doc_number}" if self.doc_number else ""
        day = f"印发日期：{self.issued_on:%Y年%m月%d日}" if self.issued_on else f"日期：{self.issued:%Y年%m月%d日}"
        return (f"发布单位：{self.issuer}{number}　　版次：{self.edition}　　{day}"
                f"　　状态：{state}{why}")

    def download_name(self, name: str, suffix: str) -> str:
        """The Chinese file name beside the English one, e.g. 2026年专业指导性目录.xlsx."""
        extra = f"（{DRAFT}）" if self.is_draft else ""
        revision = self.edition[len(self.year):].removesuffix("-draft").lstrip("-_.")  # the state says 征求意见稿
        rev = f"（{revision}）" if revision else ""
        return f"{self.year}年{name}{rev}{extra}.{suffix}"
