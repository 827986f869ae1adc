"""Through the CLI `run` (the real Dagster job): a bad inbox is refused with the message a person needs,
and the edition in force is left exactly as it was; a hidden stale sheet is not what gets published."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import polars as pl
import pytest

from pipelines.cli import main
from tests.bad_inputs.faults import read_frame, write_xlsx
from tests.shared_homes import copy_run

pytestmark = pytest.mark.slow


def run(inbox: Path, home: Path) -> int:
    return main(["run", "--inbox", str(inbox), "--home", str(home), "--quiet"])


def hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture()
def in_force(handmade_published, tmp_path):
    """A private copy of the session's hand-made home (2026-draft in force) and its inbox."""
    own = copy_run(handmade_published, tmp_path / "in_force")
    return own.inbox, own.home


def _copy(inbox: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(inbox, tmp_path / "bad"))


def _header_only_labor_market(bad: Path) -> None:
    path = bad / "labor_market.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")


def _nan_enrolment(bad: Path) -> None:
    data = read_frame(bad / "school_majors.csv")
    enrolled = data.get_column("enrolled").to_list()
    enrolled[1] = "NaN"  # file row 3
    data.with_columns(pl.Series("enrolled", enrolled, dtype=pl.String)).write_csv(bad / "school_majors.csv")


@pytest.mark.parametrize(("fault", "says"), [
    (_header_only_labor_market, ["labor_market.csv", "只有表头，没有数据行"]),
    (_nan_enrolment, ["school_majors.csv", "第 3 行", "enrolled", "不是有限的数"]),
], ids=["labor_market_header_only", "school_majors_nan"])
def test_a_refused_inbox_leaves_the_edition_in_force_unchanged(in_force, tmp_path, capsys, monkeypatch, fault, says):
    inbox, home = in_force
    for var in ("MAJORWATCH_HOME", "DAGSTER_HOME", "MAJORWATCH_INBOX"):
        monkeypatch.setenv(var, "")
    published = home / "published"
    before_current, before = (published / "CURRENT").read_text(), hashes(published)
    bad = _copy(inbox, tmp_path)
    fault(bad)
    capsys.readouterr()
    assert run(bad, home) == 1
    err = capsys.readouterr().err
    assert all(word in err for word in says), err
    assert (published / "CURRENT").read_text() == before_current
    assert hashes(published) == before


def test_a_hidden_stale_sheet_is_not_published(in_force, tmp_path, monkeypatch):
    inbox, home = in_force
    for var in ("MAJORWATCH_HOME", "DAGSTER_HOME", "MAJORWATCH_INBOX"):
        monkeypatch.setenv(var, "")
    bad = _copy(inbox, tmp_path)
    majors = read_frame(bad / "专业目录.csv")
    (bad / "专业目录.csv").unlink()
    rows = [majors.columns, *[list(r) for r in majors.rows()]]
    stale = [rows[0], *[[r[0], "旧名称-" + r[1], *r[2:]] for r in rows[1:]]]
    write_xlsx(bad / "专业目录.xlsx", [("旧版（勿用）", stale, "hidden"), ("专业目录", rows, "visible")])
    assert run(bad, home) == 0
    published = home / "published"
    current = (published / "CURRENT").read_text().strip()
    names = pl.read_parquet(published / current / "guiding_catalog.parquet").get_column("major_name").to_list()
    assert names and not any(n.startswith("旧名称-") for n in names)
    assert sorted(names) == sorted(majors.get_column("专业名称").to_list())
