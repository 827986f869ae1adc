"""The majorwatch command line: sample, token and portal wiring (run and evaluate have their own tests)."""

from __future__ import annotations

import json

from pipelines.cli import build_parser, main


def test_sample_writes_a_deterministic_inbox(tmp_path, capsys):
    assert main(["sample", "--out", str(tmp_path / "a"), "--seed", "7"]) == 0
    assert main(["sample", "--out", str(tmp_path / "b"), "--seed", "7"]) == 0
    out = capsys.readouterr().out
    assert "示例收件箱已写入" in out and "majors" in out
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir()) and "majors.csv" in names
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_token_issue_list_revoke_with_home_before_or_after_the_verb(tmp_path, capsys, monkeypatch):
    for var in ("MAJORWATCH_HOME", "DAGSTER_HOME", "MAJORWATCH_INBOX"):
        monkeypatch.setenv(var, "")
    home = tmp_path / "home"
    from tests.portal_fixtures import build_home
    build_home(home)
    assert main(["token", "issue", "--school", "0110001", "--home", str(home)]) == 0
    assert main(["token", "--home", str(home), "issue", "--commission"]) == 0
    capsys.readouterr()
    stored = json.loads((home / "tokens.json").read_text(encoding="utf-8"))
    entries = stored["tokens"] if isinstance(stored, dict) and "tokens" in stored else stored
    assert len(entries) == 2
    assert main(["token", "list", "--home", str(home)]) == 0
    assert "0110001" in capsys.readouterr().out


def test_parser_knows_every_command():
    parser = build_parser()
    for argv in (["run"], ["sample", "--out", "x"], ["evaluate", "--inbox", "x"], ["portal"], ["token", "list"]):
        assert parser.parse_args(argv).func
