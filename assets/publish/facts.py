"""How a publication is issued, beyond its edition facts (``scoring.edition``): the policy confirmation it was
issued under and, for a final edition, its 文号 and 印发日期. A final edition under an unconfirmed policy is refused here, with a
``dg.Failure`` whose description and metadata say why in Chinese and what to run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import dagster as dg

from documents.edition import FINAL
from documents.explain import pending_items
from warehouse.confirmation import CONFIRM_COMMAND, PolicyConfirmation, read_confirmation, unconfirmed_message


@dataclass(frozen=True)
class Issuance:
    confirmation: PolicyConfirmation | None
    doc_number: str = ""
    issued_on: date | None = None
    package: dict = field(default_factory=dict)  # what datapackage.json records of these facts


def issuance(state: str, issued_on: str, policy, review_folder: Path) -> Issuance:
    """How an edition in ``state`` is issued under ``policy`` (the policy in force); ``issued_on`` as configured."""
    confirmation = read_confirmation(review_folder, policy.sha256)
    package = {"policy_confirmation": confirmation.as_dict()} if confirmation else {}
    if state != FINAL:
        return Issuance(confirmation, package=package)
    pending = [] if confirmation else pending_items(policy)
    if pending:
        raise dg.Failure(
            description=unconfirmed_message(policy.version, pending),
            metadata={"待确认取值": dg.MetadataValue.md("\n".join(f"- {k}" for k in pending[:10])),
                      "下一步": CONFIRM_COMMAND})
    try:
        day = date.fromisoformat(issued_on) if issued_on else date.today()
    except ValueError:
        raise dg.Failure(description=f"印发日期应为 YYYY-MM-DD，收到：{issued_on}") from None
    return Issuance(confirmation, confirmation.doc_number if confirmation else "", day,
                        {**package, "doc_number": confirmation.doc_number if confirmation else "",
                         "issued_on": day.isoformat()})
