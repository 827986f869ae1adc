"""`majorwatch policy confirm`: the commission confirms the scoring policy in force under a document number.

The confirmation is one audit entry (who, which policy version and SHA-256, which 文号, when) and the file
``<home>/review/policy_confirmation.json`` that the next publication puts in datapackage.json and on the
final edition's documents (warehouse.confirmation). ``unconfirmed`` is what finalize refuses on.
"""

from __future__ import annotations

from pathlib import Path

from documents.explain import pending_items
from review.audit import Actor, ReviewError, now, record
from review.db import Store
from scoring.policy import Policy
from warehouse.confirmation import (
    PolicyConfirmation,
    read_confirmation,
    unconfirmed_message,
    valid_doc_number,
    write_confirmation,
)


def confirm_policy(store: Store, actor: Actor, folder: Path, policy: Policy, doc_number: str) -> PolicyConfirmation:
    """Record that `actor` confirmed `policy` (this exact file) under `doc_number`; audit entry first."""
    try:
        number = valid_doc_number(doc_number)
    except ValueError as exc:
        raise ReviewError(str(exc)) from None
    confirmation = PolicyConfirmation(policy.version, policy.sha256, number, actor.name, now().isoformat())
    with store.session() as s:
        record(s, actor, "policy.confirm", f"policy:{policy.version}", sha256=policy.sha256, doc_number=number,
               pending=len(pending_items(policy)))
        s.flush()
        write_confirmation(folder, confirmation)  # inside the transaction: a failed write records nothing
    return confirmation


def unconfirmed(folder: Path, policy: Policy) -> list[str]:
    """The policy values still 待市教委确认 that no confirmation of this policy file covers (empty: confirmed)."""
    if read_confirmation(folder, policy.sha256) is not None:
        return []
    return pending_items(policy)


def refusal(policy: Policy, pending: list[str]) -> str:
    """Why a final edition cannot be issued yet, and the command that lets it."""
    return unconfirmed_message(policy.version, pending) + "，再重新运行本命令。"
