"""The shape of the rulebook: a term (Entry) with its definition and the rules (Clauses) that give it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from scoring.policy import Policy
from scoring.rulebook.text import fill, placeholders, public_source

SECTIONS = ("weights", "relief", "curves", "rules", "school", "evidence")


@dataclass(frozen=True)
class Facts:
    """What a major's verdict is judged on beyond its own row (computed once by scoring.rules)."""

    below: int = 0               # consecutive latest years with 毕业去向落实率 under the floor
    emp_red_floor: bool = False  # under the floor for employment_red_years years
    emp_bottom: bool = False     # in the city's bottom share for employment_red_years years (when enabled)
    emp_yellow: bool = False     # under the floor for employment_yellow_years years, and not red
    confirmed: bool = False      # the major–industry correspondence is confirmed (not model-proposed)
    city: str | None = None      # the citywide restriction kind, if any
    restricted: bool = False     # any restriction, citywide or scoped
    guidance: str | None = None  # the guidance decided
    falling: bool = False        # 求人倍率 fell at least rules.falling_demand_trend


Predicate = Callable[[Mapping[str, Any], Facts, Policy], bool]


def _always(_: Policy) -> bool:
    return True


@dataclass(frozen=True)
class Clause:
    """One rule: its id, its condition in words (policy fields only), the condition itself, and the
    sentence that records it in a verdict's basis (policy and row fields)."""

    id: str
    text: str
    fires: Predicate | None = None
    applies: Callable[[Policy], bool] = _always
    basis: str | None = None

    def keys(self) -> set[str]:
        return {k for k in placeholders(self.text) | placeholders(self.basis or "") if k.split(".")[0] in SECTIONS}


@dataclass(frozen=True)
class Entry:
    """A term of the mechanism: what it means, when it is given (its clauses), what a school may do
    (todo), what a reason asks (action), and named sentence templates (texts)."""

    id: str
    kind: str
    term: str
    definition: str
    clauses: tuple[Clause, ...] = ()
    todo: str | None = None
    action: str | None = None
    texts: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    threshold: str | None = None      # the condition in words where no clause gives it
    source: str | None = None         # a literal source where no policy value gives it
    policy_keys: tuple[str, ...] = ()  # policy keys read that no template names (lists, zones)
    follows: tuple[Entry, str] | None = None  # given exactly when another entry is (its condition, prefixed)
    joiner: str = "；或"

    def keys(self) -> tuple[str, ...]:
        """The policy keys this entry reads, in the order they first appear."""
        found: list[str] = list(self.policy_keys)
        for text in (self.definition, self.threshold or "", *self.texts.values(), self.todo or "", self.action or ""):
            found += sorted(k for k in placeholders(text) if k.split(".")[0] in SECTIONS)
        for c in self.clauses:
            found += sorted(c.keys())
        if self.follows:
            found += self.follows[0].keys()
        return tuple(dict.fromkeys(found))

    def condition(self, p: Policy) -> str:
        """The condition in force under ``p``, in words ('—' for a term no rule gives)."""
        if self.follows:
            return self.follows[1] + self.follows[0].condition(p)
        parts = [fill(c.text, p) for c in self.clauses if c.applies(p) and c.text]
        if parts:
            return self.joiner.join(parts)
        return fill(self.threshold, p) if self.threshold else "—"

    def meaning(self, p: Policy) -> str:
        return fill(self.definition, p)

    def text(self, name: str, p: Policy | None = None, **values: Any) -> str:
        return fill(self.texts[name], p, **values)

    def cited_source(self, p: Policy) -> str:
        """Where the rule comes from: the policy's source for its first value, else the literal source."""
        for key in self.keys():
            if key in p.sources:
                return public_source(p.sources[key])
        return public_source(self.source)

    def fired(self, row: Mapping[str, Any], facts: Facts, p: Policy) -> Clause | None:
        """The first clause that fires for this row under ``p`` (None: none does)."""
        for c in self.clauses:
            if c.fires is not None and c.applies(p) and c.fires(row, facts, p):
                return c
        return None
