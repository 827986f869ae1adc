"""Load the inbox contracts (contracts.yaml) into typed objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

CONTRACTS_FILE = Path(__file__).with_name("contracts.yaml")
COLUMN_TYPES = {"code", "text", "integer", "number", "date", "period"}


class ContractSpecError(ValueError):
    """The contracts file itself is malformed."""


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    type: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    pattern: str | None = None
    expected: str | None = None
    allowed: dict[str, str] | None = None
    default: str | None = None
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    references: tuple[str, str] | None = None  # (input, column)
    # 'reject': a code the referenced input lacks rejects the row; 'skip': the row is left out with a warning
    # (the commission's overrides of a major that has since left the catalog must not block a run)
    missing_reference: str = "reject"
    period_end: bool = False  # a date column naming the LAST day of a year/month ("2030-06" → 2030-06-30)
    # (pattern, reason): the first sub-pattern a bad code does NOT match (regexp search) says what is wrong
    explain: tuple[tuple[str, str], ...] = ()
    # 'major' | 'industry': a code of an earlier revision (code_changes of that kind; for majors also
    # majors.former_codes) is accepted besides the referenced codes: history or list entries that follow a new code
    former_codes: str | None = None


FORMER_KINDS = {"major", "industry"}
REVISIONS = "code_changes"  # the input naming old → new codes


@dataclass(frozen=True)
class Limits:
    """What one input may be before it is refused (sizes, rows) and how much of it is kept when it is."""

    file_bytes: int = 512 * 1024**2  # on disk, checked before the bytes are copied into the raw store
    unpacked_bytes: int = 1024**3  # an XLSX's members as declared in the ZIP directory, before parsing
    unpacked_ratio: float = 200.0  # declared unpacked size / packed size of any XLSX member
    rows: int = 5_000_000  # data rows of the file
    rejected_rows_kept: int = 10_000  # rows stored in rejected_rows per input and run; the rest counted
    min_share_of_previous: float | None = None  # fewer rows than this share of the previous run's blocks
    stream_bytes: int = 32 * 1024**2  # a Parquet or CSV file above this is staged by DuckDB (inbox/stream.py)

    @classmethod
    def parse(cls, raw: dict | None, base: Limits | None = None) -> Limits:
        values = dict((base or cls()).__dict__)
        for key, value in (raw or {}).items():
            if key not in values:
                raise ContractSpecError(f"unknown limit {key!r}")
            values[key] = value
        return cls(**values)


ROW_RULE_KINDS = {"fixed", "date_order"}


@dataclass(frozen=True)
class RowRule:
    """A rule over several columns. ``fixed``: SQL owned by the code (data_contracts.rules.ROW_RULES), named
    here; ``date_order``: two date columns, the first no later than the second (each read as the clean table
    reads it: a month or year is its first day, or its last in a ``period_end`` column), built from the data."""

    name: str
    columns: tuple[str, ...]
    reason: str
    kind: str = "fixed"


@dataclass(frozen=True)
class Contract:
    name: str
    title: str
    stems: tuple[str, ...]
    required: bool
    key: tuple[str, ...]
    max_rejected_share: float
    columns: dict[str, ColumnSpec]
    row_rules: tuple[RowRule, ...] = field(default_factory=tuple)
    limits: Limits = field(default_factory=Limits)
    needs: tuple[str, ...] = ()  # inputs its row rules read (ingested before it)

    def aliases(self) -> dict[str, str]:
        """Every accepted header (English name, Chinese alias) → contract column name."""
        out: dict[str, str] = {}
        for col in self.columns.values():
            out[col.name] = col.name
            for alias in col.aliases:
                out[alias] = col.name
        return out

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns.values() if c.required]

    @property
    def references(self) -> set[str]:
        refs = {c.references[0] for c in self.columns.values() if c.references} | set(self.needs)
        return refs | ({REVISIONS} if any(c.former_codes for c in self.columns.values()) else set())


def _column(name: str, raw: dict) -> ColumnSpec:
    ctype = raw.get("type")
    if ctype not in COLUMN_TYPES:
        raise ContractSpecError(f"column {name}: unknown type {ctype!r}")
    ref = raw.get("references")
    if ref is not None:
        parts = str(ref).split(".")
        if len(parts) != 2:
            raise ContractSpecError(f"column {name}: references must be input.column, got {ref!r}")
        ref = (parts[0], parts[1])
    allowed = raw.get("allowed")
    missing = raw.get("missing_reference", "reject")
    if missing not in ("reject", "skip") or (missing == "skip" and ref is None):
        raise ContractSpecError(f"column {name}: missing_reference must be reject or skip, on a reference")
    former = raw.get("former_codes")
    if former is not None and (former not in FORMER_KINDS or ref is None):
        raise ContractSpecError(f"column {name}: former_codes must be one of {sorted(FORMER_KINDS)}, on a reference")
    return ColumnSpec(
        name=name,
        type=ctype,
        aliases=tuple(raw.get("aliases", ())),
        required=bool(raw.get("required", False)),
        pattern=raw.get("pattern"),
        expected=raw.get("expected"),
        allowed={str(k): str(v) for k, v in allowed.items()} if allowed else None,
        default=raw.get("default"),
        min=raw.get("min"),
        max=raw.get("max"),
        min_exclusive=bool(raw.get("min_exclusive", False)),
        references=ref,
        missing_reference=missing,
        period_end=bool(raw.get("period_end", False)),
        explain=tuple((str(e["pattern"]), str(e["reason"])) for e in raw.get("explain", ())),
        former_codes=former,
    )


def _row_rule(raw: dict, columns: dict[str, ColumnSpec]) -> RowRule:
    rule = RowRule(raw["name"], tuple(raw["columns"]), raw["reason"], raw.get("kind", "fixed"))
    if rule.kind not in ROW_RULE_KINDS:
        raise ContractSpecError(f"row rule {rule.name}: unknown kind {rule.kind!r}")
    unknown = [c for c in rule.columns if c not in columns]
    if unknown:
        raise ContractSpecError(f"row rule {rule.name}: unknown columns {unknown}")
    if rule.kind == "date_order" and (len(rule.columns) != 2 or any(columns[c].type != "date" for c in rule.columns)):
        raise ContractSpecError(f"row rule {rule.name}: date_order takes two date columns (earlier, later)")
    return rule


def date_columns(contract: Contract) -> list[str]:
    return [c.name for c in contract.columns.values() if c.type == "date"]


def ordered_date_pairs(contract: Contract) -> set[tuple[str, str]]:
    """The pairs of date columns whose order the contract checks (earlier, later)."""
    return {(r.columns[0], r.columns[1]) for r in contract.row_rules if r.kind == "date_order"}


def parse_contracts(data: dict) -> dict[str, Contract]:
    contracts: dict[str, Contract] = {}
    limits = Limits.parse(data.get("limits"))
    for name, raw in (data.get("inputs") or {}).items():
        try:
            columns = {col: _column(col, spec) for col, spec in raw["columns"].items()}
            rules = tuple(_row_rule(r, columns) for r in raw.get("row_rules", ()))
            contracts[name] = Contract(
                name=name,
                title=raw["title"],
                stems=tuple(raw["stems"]),
                required=bool(raw.get("required", False)),
                key=tuple(raw.get("key", ())),
                max_rejected_share=float(raw.get("max_rejected_share", 0.0)),
                columns=columns,
                row_rules=rules,
                limits=Limits.parse(raw.get("limits"), limits),
                needs=tuple(raw.get("needs", ())),
            )
        except KeyError as exc:
            raise ContractSpecError(f"contract {name}: missing key {exc}") from exc
    for contract in contracts.values():
        for col in contract.columns.values():
            if col.references and col.references[0] not in contracts:
                raise ContractSpecError(f"{contract.name}.{col.name} references unknown input {col.references[0]}")
            if col.former_codes and REVISIONS not in contracts:
                raise ContractSpecError(f"{contract.name}.{col.name} accepts former codes but {REVISIONS} is no input")
        unknown = set(contract.needs) - set(contracts)
        if unknown:
            raise ContractSpecError(f"{contract.name} needs unknown inputs {sorted(unknown)}")
    return contracts


@cache
def load_contracts(path: Path = CONTRACTS_FILE) -> dict[str, Contract]:
    """The contracts in force, in dependency order (an input after the inputs it references)."""
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    contracts = parse_contracts(data)
    ordered: dict[str, Contract] = {}

    def visit(name: str, trail: tuple[str, ...] = ()) -> None:
        if name in ordered:
            return
        if name in trail:
            raise ContractSpecError(f"circular references: {' → '.join(trail + (name,))}")
        for dep in sorted(contracts[name].references - {name}):
            visit(dep, trail + (name,))
        ordered[name] = contracts[name]

    for name in contracts:
        visit(name)
    return ordered


def contracts_version(path: Path = CONTRACTS_FILE) -> str:
    with open(path, encoding="utf-8") as fh:
        return str(yaml.safe_load(fh).get("version", "unversioned"))
