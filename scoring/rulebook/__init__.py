"""The rulebook: every rule and term of the early-warning mechanism declared once.

Each entry (``scoring.rulebook.model.Entry``) holds a term's id, its definition, the rules (clauses) that
give it with their conditions and policy keys, what a school may do, what a reason asks, and its named
sentence templates. scoring.rules judges by the clauses; reasons, what-would-change, the pre-check, the
说明 sheet, the bulletin, the portal's policy page and chart lines, and docs/rules.md are all rendered
from here with the policy in force (``scoring.rulebook.text.fill``). docs/rules.md says how to add a rule.
"""

from __future__ import annotations

from scoring.palette import CATEGORY_COLORS, WARNING_COLORS
from scoring.policy import Policy
from scoring.rulebook.model import Clause, Entry, Facts
from scoring.rulebook.terms import (
    CAUSES,
    CERTAINTY,
    CHANNELS,
    CITYWIDE,
    DATA_GAP,
    DISTRICT,
    EXIT,
    FIGURES,
    MERGE,
    NEW_MAJOR,
    NO_VOCATIONAL,
    OBJECTION,
    RENUMBERED,
    SCHOOL_EMPLOYMENT,
    TRACK,
    ZONE,
)
from scoring.rulebook.text import fill, public_source
from scoring.rulebook.verdicts import GUIDANCE, LEVELS, LIMIT, PRECEDENCE, RESTRICTIONS, STOP

__all__ = ["Clause", "Entry", "Facts", "STOP", "LIMIT", "ENTRIES", "entry", "guidance", "level", "restriction",
           "cause", "certainty", "definitions", "TRACK", "school_notes", "score_lines", "cite", "fill", "DEFINITION_HEADERS"]

ENTRIES: tuple[Entry, ...] = (*GUIDANCE, PRECEDENCE, *LEVELS, *RESTRICTIONS, MERGE, EXIT, NEW_MAJOR, RENUMBERED, DATA_GAP,
                              CITYWIDE, ZONE, DISTRICT, NO_VOCATIONAL, SCHOOL_EMPLOYMENT,
                              *CERTAINTY, *CAUSES, *FIGURES, *CHANNELS, OBJECTION, TRACK)
_BY_ID = {e.id: e for e in ENTRIES}
assert len(_BY_ID) == len(ENTRIES), "rulebook ids must be unique"
_GUIDANCE = {e.term: e for e in GUIDANCE}
_LEVELS = {e.term: e for e in LEVELS}
_RESTRICTIONS = {e.term: e for e in RESTRICTIONS}
_CAUSES = {e.term: e for e in CAUSES}
_CERTAINTY = {e.term: e for e in CERTAINTY}
CAUSE_NAMES: tuple[str, ...] = tuple(_CAUSES)
CERTAINTY_NAMES: tuple[str, ...] = tuple(_CERTAINTY)
DEFINITION_HEADERS = {"kind": "类别", "term": "名称", "definition": "含义", "threshold": "现行阈值", "source": "出处"}


def entry(entry_id: str) -> Entry:
    return _BY_ID[entry_id]


def guidance(name: str) -> Entry:
    return _GUIDANCE[name]


def level(name: str) -> Entry:
    return _LEVELS[name]


def restriction(name: str) -> Entry:
    return _RESTRICTIONS[name]


def cause(name: str) -> Entry:
    return _CAUSES[name]


def certainty(name: str) -> Entry:
    return _CERTAINTY[name]


def new_major_note(r: dict) -> str | None:
    """'2024年增补专业，首届毕业生预计2027年' for a 新设专业 row (None for any other)."""
    if not r.get("is_new"):
        return None
    return NEW_MAJOR.text(r["new_kind"], since=r["new_since"], graduates=r["first_graduates_year"])


def _row(e: Entry, p: Policy, term: str | None = None, definition: str | None = None) -> dict[str, str]:
    return {"kind": e.kind, "term": term or e.term, "definition": definition or e.meaning(p),
            "threshold": e.condition(p), "source": e.cited_source(p)}


def definitions(p: Policy) -> list[dict[str, str]]:
    """kind, term, definition, threshold, source: one row per term, with the thresholds in force under ``p``."""
    rows = [_row(e, p) for e in (*GUIDANCE, PRECEDENCE, *LEVELS, *RESTRICTIONS, MERGE, EXIT, NEW_MAJOR, RENUMBERED,
                                  DATA_GAP, CITYWIDE)]
    rows += [_row(ZONE, p, zone, fill(ZONE.definition, p, districts=districts)) for zone, districts in p.zones.items()]
    rows += [_row(e, p) for e in (DISTRICT, NO_VOCATIONAL, SCHOOL_EMPLOYMENT)]
    weights, relief = p.weights.model_dump(), p.relief.model_dump()
    for key, (label, _) in CATEGORY_COLORS.items():
        sign, weight = ("减", relief[key]) if key in relief else ("加", weights[key])
        rows.append({"kind": "行业清单类别", "term": f"{label}类",
                     "definition": f"对应行业在{label}类清单中的比例，按比例{sign}风险分值。",
                     "threshold": f"满分 {weight:g} 分",
                     "source": public_source(p.sources.get(f"weights.{key}") or p.sources.get(f"relief.{key}"))})
    rows += [_row(e, p) for e in (*CERTAINTY, *CAUSES, *FIGURES, *CHANNELS, OBJECTION, TRACK)]
    return rows


def school_notes(p: Policy) -> dict[str, dict[str, tuple[str, str]]]:
    """What each verdict a school can receive means and what it may do: {kind: {name: (meaning, todo)}}."""
    return {"指导类别": {e.term: (e.meaning(p), fill(e.todo or "", p)) for e in GUIDANCE},
            "禁限目录": {e.term: (e.meaning(p), fill(e.todo or "", p)) for e in RESTRICTIONS},
            "本校提示": {e.texts["flag"]: (e.meaning(p), fill(e.todo or "", p))
                       for e in (EXIT, NO_VOCATIONAL, SCHOOL_EMPLOYMENT)}}


def score_lines(p: Policy) -> tuple[tuple[float, str, str], ...]:
    """The warning lines a score chart draws: (score, label, colour), from the policy in force."""
    return ((p.rules.red_score, f"红色预警线 {p.rules.red_score:g}", WARNING_COLORS["红"][0]),
            (p.rules.yellow_score, f"黄色预警线 {p.rules.yellow_score:g}", WARNING_COLORS["黄"][0]))


def cite(e: Entry, p: Policy) -> str:
    """A rule as a pre-check or a document cites it: '限制招生：… （出处：…）'."""
    return f"{e.term}：{e.condition(p)}（出处：{e.cited_source(p)}）"
