"""Run one corpus case: a copy of the sample inbox's file with its fault, ingested on a copy of a warehouse
that already holds the clean sample (so references and the previous run's row counts are there)."""

from __future__ import annotations

import dataclasses
import shutil
from dataclasses import dataclass
from pathlib import Path

from data_contracts.engine import ContractOutcome
from data_contracts.spec import load_contracts
from inbox.ingest import ingest_input
from sample_data.generator import FILES, write_sample_inbox
from tests.bad_inputs.faults import keep_rows
from warehouse.db import connect
from warehouse.errors import InputError

RUN_ID = "case-run"
BASE_ROWS = 600


@dataclass
class Result:
    refused: bool
    file: str | None
    row: int | None
    column: str | None
    text: str  # everything a person is told: the error, or the contract's message and notes
    outcome: ContractOutcome | None = None
    warned: bool = False  # a whole-inbox case: some verdict carries a note or rejected rows within the limit


def build_base(folder: Path) -> tuple[Path, Path]:
    """The sample inbox (scale 1, few postings) and a warehouse with all of it ingested once."""
    inbox, db = folder / "inbox", folder / "base.duckdb"
    write_sample_inbox(inbox, scale=1, postings_per_scale=200)
    for name in ("school_majors", "labor_market"):  # the first rows are enough for one fault, and faster
        keep_rows(inbox, name, BASE_ROWS)
    con = connect(db)
    try:
        for contract in load_contracts().values():
            ingest_input(con, inbox, contract, folder / "raw", "base-run")
    finally:
        con.close()
    return inbox, db


def run_case(case, base_inbox: Path, base_db: Path, tmp: Path) -> tuple[Result, object]:
    inbox = tmp / "inbox"
    inbox.mkdir(parents=True)
    shutil.copy(base_inbox / FILES[case.input], inbox / FILES[case.input])
    case.fault(inbox)
    shutil.copy(base_db, tmp / "w.duckdb")
    contract = load_contracts()[case.input]
    if case.limits:
        contract = dataclasses.replace(contract, limits=dataclasses.replace(contract.limits, **case.limits))
    con = connect(tmp / "w.duckdb")
    if case.setup:
        case.setup(con)
    try:
        done = ingest_input(con, inbox, contract, tmp / "raw", RUN_ID)
    except InputError as exc:
        return Result(True, exc.file, exc.row, exc.column, str(exc)), con
    o = done.outcome
    v = o.first[0] if o.first else {}
    text = "\n".join([o.message(), *o.warnings, *(f"{x['reason']} {x['value']}" for x in o.first)])
    return Result(not o.passed, o.file, v.get("row"), v.get("column"), text, o), con


def check(case, result: Result) -> None:
    """The message a person gets says what the case expects."""
    expected_file = FILES[case.input] if case.file is None else case.file
    assert case.says in result.text, result.text
    if case.kind == "refused":
        assert result.refused, f"not refused: {result.text}"
        assert expected_file in (result.file or "") if expected_file else True, result.text
        assert expected_file in result.text, result.text
    else:
        assert not result.refused, result.text
        assert result.outcome is not None and result.outcome.severity == "WARN", result.text
        if case.kind == "normalised":
            assert result.outcome.rows_rejected == 0, result.text
    if case.row is not None:
        assert result.row == case.row and f"第 {case.row} 行" in result.text, result.text
    if case.column is not None:
        assert case.column in (result.column or ""), result.text


def run_whole(case, base_inbox: Path, tmp: Path, ge_cache: Path) -> tuple[Result, object]:
    """A whole-inbox case: the entire inbox (with its fault) ingested into a fresh warehouse in dependency order,
    each input's verdict from both validators, as a run gives it (first blocking verdict, or every note)."""
    import contextlib

    from assets.ingest.inputs import ingest_order
    from data_contracts.engine import reference_values
    from data_contracts.verdict import contract_verdict, second_opinion

    inbox = Path(shutil.copytree(base_inbox, tmp / "inbox", symlinks=True))
    case.fault(inbox)
    contracts = load_contracts()
    con = connect(tmp / "home" / "warehouse.duckdb")
    verdicts = []
    with case.during(inbox) if case.during else contextlib.nullcontext():
        for name in ingest_order(contracts):
            contract = contracts[name]
            try:
                done = ingest_input(con, inbox, contract, tmp / "home" / "raw", RUN_ID)
            except InputError as exc:
                return Result(True, exc.file, exc.row, exc.column, str(exc)), con
            ge = second_opinion(done.stage, contract, reference_values(con, contract), cache=ge_cache) \
                if done.outcome.passed else None
            verdicts.append(contract_verdict(contract, done.outcome, done.file, ge))
    blocking = [v for v in verdicts if v.blocking]
    text = "\n".join(v.message for v in blocking + [v for v in verdicts if not v.blocking])  # what blocks first
    if blocking:
        first = blocking[0].first[0] if blocking[0].first else {}
        return Result(True, blocking[0].file, first.get("row"), first.get("column"), text), con
    return Result(False, None, None, None, text, warned=any(v.warning for v in verdicts)), con


def check_whole(case, result: Result) -> None:
    assert case.says in result.text, result.text
    if case.never_says:
        assert case.never_says not in result.text, result.text
    if case.kind == "refused":
        assert result.refused and case.file in (result.file or ""), result.text
    else:
        assert not result.refused, result.text
        if case.kind == "noted":
            assert result.warned, result.text
    if case.row is not None:
        assert result.row == case.row, result.text
    if case.column is not None:
        assert case.column in (result.column or ""), result.text
