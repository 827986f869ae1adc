"""The 说明 sheet: every term of the mechanism defined in plain Chinese with the thresholds in force, rendered
from the rulebook (scoring.rulebook) under the edition's policy, so the sheet cannot drift from the rules."""

from __future__ import annotations

import polars as pl

from scoring import rulebook
from scoring.policy import Policy

PENDING = "待市教委确认"
NOTE_HEADERS = rulebook.DEFINITION_HEADERS


def pending_items(policy: Policy) -> list[str]:
    """The policy values whose source still says 待市教委确认 (while any is left, the edition is a draft)."""
    return sorted(k for k, v in policy.sources.items() if PENDING in v)


def definitions(policy: Policy) -> pl.DataFrame:
    """kind, term, definition, threshold, source: the rulebook's terms, then the policy's version."""
    rows = rulebook.definitions(policy)
    rows.append({"kind": "政策", "term": "政策版本", "definition": f"评分政策 {policy.version}。",
                 "threshold": f"{len(pending_items(policy))} 项取值待市教委确认", "source": "—"})
    return pl.DataFrame(rows, schema={k: pl.String for k in NOTE_HEADERS})
