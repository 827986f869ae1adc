"""The majorwatch command line: sample, token and portal wiring (run and evaluate have their own tests)."""

from __future__ import annotations

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
    from portal import tokens
    assert len(tokens.list_tokens(home)) == 2  # in the review store of that home
    assert main(["token", "list", "--home", str(home)]) == 0
    assert "0110001" in capsys.readouterr().out


def test_parser_knows_every_command():
    parser = build_parser()
    for argv in (["run"], ["sample", "--out", "x"], ["evaluate", "--inbox", "x"], ["portal"], ["token", "list"]):
        assert parser.parse_args(argv).func


def test_the_command_passes_on_the_exit_code_and_its_whole_output(tmp_path):
    """``majorwatch`` (pipelines.cli.entry) ends the process without the last garbage collection: what the
    command printed must still all arrive, and its exit code must be the command's."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("MAJORWATCH_HOME", "DAGSTER_HOME", "MAJORWATCH_INBOX")}
    ok = subprocess.run([sys.executable, "-m", "pipelines.cli", "sample", "--out", str(tmp_path / "inbox")],
                        capture_output=True, text=True, env=env, timeout=120)
    assert ok.returncode == 0, ok.stderr
    lines = ok.stdout.strip().splitlines()
    assert lines[0].startswith("示例收件箱已写入") and len(lines) == 1 + len(list((tmp_path / "inbox").iterdir()))
    missing = subprocess.run([sys.executable, "-m", "pipelines.cli", "run", "--home", str(tmp_path / "home"),
                              "--inbox", str(tmp_path / "no-such-inbox")],
                             capture_output=True, text=True, env=env, timeout=120)
    assert missing.returncode == 2 and "收件箱文件夹不存在" in missing.stderr
