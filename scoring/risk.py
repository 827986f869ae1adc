"""The scored catalog rows: every major judged by the rules (scoring.judge), with its score interval and
certainty (scoring.uncertainty), what would change its verdict (scoring.change) and its reasons
(scoring.summary). The one entry point the score assets, the back-test and the what-if all call."""

from __future__ import annotations

import polars as pl

from scoring.change import what_would_change
from scoring.evidence import apply_evidence
from scoring.judge import PARTS, VERDICT_SCHEMA, judge, prepare, score_parts
from scoring.policy import Policy
from scoring.summary import short_reasons
from scoring.uncertainty import with_intervals

__all__ = ["PARTS", "VERDICT_SCHEMA", "judge", "prepare", "score_parts", "score_majors"]


def score_majors(majors: pl.DataFrame, exposure: pl.DataFrame, signals: pl.DataFrame, p: Policy,
                 explain: bool = True) -> pl.DataFrame:
    """One row per major: signals, parts, risk score and its interval, verdict, certainty, cause, reasons.

    Majors missing from `exposure` count as unmapped (all-zero exposure, mapping_source 'none');
    majors missing from `signals` have no market evidence (null signals, no points from them).
    `explain=False` skips the what-would-change search (the back-test scores many years).
    """
    df = judge(apply_evidence(prepare(majors, exposure, signals), p), p)
    df = with_intervals(df, p)
    if explain:
        df = what_would_change(df, p)
    df = short_reasons(df, p)
    return df.with_columns(policy_version=pl.lit(p.version)).sort("major_code")
