"""Every command the README's table shows works as written on the sample: the table's commands are read from
README.md and each must have its runnable form below (a new README command fails this test until it is added);
they run in order on the sample, ending with the final edition in force. Two of them ran once for the whole
session (tests/shared_homes.py) and are read from there: the first `run` (the published sample is that command
run on a copy of the trained sample home; the other commands go on in a copy of its result) and `evaluate`."""

from __future__ import annotations

import re

import pytest

from pipelines.cli import main
from tests.shared_homes import REPO, copy_run, read_command

pytestmark = pytest.mark.slow
SERVERS = {"make ui", "make portal"}  # long-running servers: their Makefile targets are checked, not started
# README snippet → its argv ({inbox}, {home}, {out}, {school}, {major}, {token} filled in; placeholders such as DIR
# or CODE in the README stand for these). Run in this order.
COMMANDS = {
    ".venv/bin/majorwatch run --inbox DIR [--edition 2026] [--final] [--home DIR]":
        ["run", "--inbox", "{inbox}", "--home", "{home}", "--quiet"],
    ".venv/bin/majorwatch docs": ["docs"],
    ".venv/bin/majorwatch token issue --school 3111010422": ["token", "issue", "--school", "3111010422"],
    "token issue --commission": ["token", "issue", "--commission"],
    "token list": ["token", "list"],
    "token revoke ID": ["token", "revoke", "{token}"],
    "majorwatch whatif --policy scoring/policies/sichuan.yaml": ["whatif", "--policy", "scoring/policies/sichuan.yaml"],
    "majorwatch precheck --school CODE --major CODE": ["precheck", "--school", "{school}", "--major", "{major}"],
    "majorwatch policy confirm --doc-number 京教职成〔2026〕5号 --by 张三":
        ["policy", "confirm", "--doc-number", "京教职成〔2026〕5号", "--by", "张三"],
    "majorwatch edition open-review 2026-draft --until 2026-12-31":
        ["edition", "open-review", "2026-draft", "--until", "2026-12-31"],
    "majorwatch edition status 2026-draft": ["edition", "status", "2026-draft"],
    "majorwatch edition close-review 2026-draft": ["edition", "close-review", "2026-draft"],
    "majorwatch edition finalize 2026-draft": ["edition", "finalize", "2026-draft"],
    "majorwatch edition audit": ["edition", "audit"],
    "majorwatch override list": ["override", "list"],
    ".venv/bin/majorwatch sample --out DIR [--scale N] [--seed S]": ["sample", "--out", "{out}"],
    ".venv/bin/majorwatch evaluate --inbox DIR [--json]": ["evaluate", "--inbox", "{inbox}", "--json"],
}
HOMELESS = {"docs", "sample", "evaluate"}  # commands without a --home option


def readme_commands() -> list[str]:
    """The backquoted commands in the README's table of what a user does next."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    table = text[text.index("## What a user does next"):]
    table = table[:table.index("\n\n", table.index("|"))]
    snippets = re.findall(r"`([^`]+)`", table)
    return [s for s in snippets if re.match(r"(\.venv/bin/)?majorwatch |make |token |edition |override ", s)]


def test_the_readme_table_and_this_list_name_the_same_commands():
    shown = readme_commands()
    assert shown, "the README's command table was not found"
    assert sorted(set(shown) - SERVERS) == sorted(COMMANDS), "README commands without a runnable form here (or gone)"
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert all(re.search(rf"^{s.split()[1]}:", makefile, re.M) for s in SERVERS)


def test_every_readme_command_works_on_the_sample(sample_trained, sample_published, sample_evaluated, tmp_path,
                                                  monkeypatch, capsys):
    import polars as pl

    from pipelines import tables_doc

    for var in ("MAJORWATCH_HOME", "DAGSTER_HOME", "MAJORWATCH_INBOX", "MAJORWATCH_REVIEW_URL"):
        monkeypatch.setenv(var, "")
    monkeypatch.chdir(REPO)
    write = tables_doc.write
    monkeypatch.setattr(tables_doc, "write", lambda defs, path=tmp_path / "tables.md": write(defs, path))
    run = copy_run(sample_published, tmp_path / "sample")
    values = {"inbox": str(run.inbox), "home": str(run.home), "out": str(tmp_path / "sample-out")}
    # the commands run once per session, each on the shared sample (run.inbox and run.home are its copies)
    shared = {"run": (read_command(sample_published.home.parent),
                      {"inbox": str(sample_published.inbox), "home": str(sample_published.home)}),
              "evaluate": (sample_evaluated, {"inbox": str(sample_trained.inbox)})}
    for snippet, template in COMMANDS.items():
        if snippet == "majorwatch precheck --school CODE --major CODE":
            scores = pl.read_parquet(run.published / "2026-draft" / "school_major_scores.parquet")
            values["school"], values["major"] = scores.sort("school_code", "major_code").row(0)[:2]
        argv = [part.format(**values) for part in template]
        if argv[0] not in HOMELESS and "--home" not in argv:
            argv += ["--home", values["home"]]
        if argv[0] in shared:
            command, paths = shared[argv[0]]
            assert command.argv == [part.format(**{**values, **paths}) for part in template]
            code, out, err = command.code, command.out, command.err
        else:
            code = main(argv)
            out, err = capsys.readouterr()
        assert code == 0, f"`{snippet}` as {argv} exited {code}: {err[-2000:]}"
        assert "Traceback" not in err, snippet
        if argv[:2] == ["token", "list"]:
            values["token"] = re.findall(r"^\s*(\S+)", out.splitlines()[-1])[0]
        if argv[0] == "run":
            assert (run.published / "CURRENT").read_text(encoding="utf-8").strip() == "2026-draft", out
    assert (run.published / "CURRENT").read_text(encoding="utf-8").strip() == "2026"
    assert main(["next-steps", "--home", values["home"]]) == 0
    steps = capsys.readouterr().out
    assert "token issue --school" in steps and "make portal" in steps


def test_next_steps_name_a_real_school_and_the_draft_still_to_review(tmp_path):
    from datetime import date

    from pipelines.next_steps import next_steps
    from tests.portal_fixtures import SCHOOL_A, build_home, write_edition
    from warehouse.home import Home

    home = Home(build_home(tmp_path).root)  # the final 2026 in force
    steps = "\n".join(next_steps(home, today=date(2026, 12, 7)))
    assert f"token issue --school {SCHOOL_A} --home {home.root}" in steps and "open-review" not in steps
    write_edition(home.root, "2027-draft", 2)  # a draft beside it, not yet finalized
    steps = "\n".join(next_steps(home, today=date(2026, 12, 7)))
    assert f"edition open-review 2027-draft --until 2027-01-06 --home {home.root}" in steps
    assert "现行版本：2026（正式）" in steps and next_steps(Home(tmp_path / "empty")) == []
