"""What a publication states about itself beyond its tables: the policy confirmation it was issued under and,
for a final edition, its 文号 and 印发日期. A final edition under an unconfirmed policy is refused here, with a
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
class EditionFacts:
    confirmation: PolicyConfirmation | None
    doc_number: str = ""
    issued_on: date | None = None
    package: dict = field(default_factory=dict)  # what datapackage.json records of these facts


def edition_facts(config, policy, review_folder: Path) -> EditionFacts:
    """The facts of the edition `config` (PublishConfig) asks for under `policy` (the policy in force)."""
    confirmation = read_confirmation(review_folder, policy.sha256)
    package = {"policy_confirmation": confirmation.as_dict()} if confirmation else {}
    if config.state != FINAL:
        return EditionFacts(confirmation, package=package)
    pending = [] if confirmation else pending_items(policy)
    if pending:
        raise dg.Failure(
            description=unconfirmed_message(policy.version, pending),
            metadata={"待确认取值": dg.MetadataValue.md("\n".join(f"- {k}" for k in pending[:10])),
                      "下一步": CONFIRM_COMMAND})
    try:
        issued_on = date.fromisoformat(config.issued_on) if config.issued_on else date.today()
    except ValueError:
        raise dg.Failure(description=f"印发日期应为 YYYY-MM-DD，收到：{config.issued_on}") from None
    return EditionFacts(confirmation, confirmation.doc_number if confirmation else "", issued_on,
                        {**package, "doc_number": confirmation.doc_number if confirmation else "",
                         "issued_on": issued_on.isoformat()})
