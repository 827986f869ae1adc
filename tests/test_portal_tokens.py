"""Tokens: shown once, stored only as SHA-256 hashes in the review store, revocable, expiring, only for
schools of the current edition, audited; an old tokens.json imported once; the `majorwatch token` CLI."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from pipelines.cli import main as cli_main
from portal import token_rules, tokens
from portal.sessions import AuthCache
from portal.tokens import Principal
from review import audit
from review.db import open_store
from review.models import PortalToken
from tests.portal_fixtures import build_home


def TokenCache(home):  # noqa: N802 - the portal's view of the tokens, reading the store on every check
    return AuthCache(home, check_interval=0)


@pytest.fixture()
def tmp_path(tmp_path):
    """A home with a published edition (schools 0110001–0110003), so school tokens can be issued."""
    build_home(tmp_path)
    return tmp_path


def test_issue_stores_only_the_hash(tmp_path):
    token = tokens.issue(tmp_path, school="0110001", label="教务处")
    assert not (tmp_path / "tokens.json").exists(), "tokens live in the review store"
    assert token.encode() not in (tmp_path / "review.sqlite").read_bytes()
    with open_store(tmp_path).session() as s:
        record = s.scalars(select(PortalToken)).one()
    assert record.hash == hashlib.sha256(token.encode()).hexdigest()
    assert record.role == "school" and record.school_code == "0110001" and record.revoked_at is None
    assert record.id == record.hash[:12] and record.label == "教务处" and record.created_at
    assert len(token) >= 40


def test_an_old_tokens_json_is_imported_once_and_keeps_working(tmp_path):
    """A home from before the store kept tokens: its tokens.json (hashes only) is read on first use."""
    digest = hashlib.sha256(b"old-school-token").hexdigest()
    old = [{"id": digest[:12], "hash": digest, "role": "school", "school_code": "0110001", "label": "旧令牌",
            "created": "2025-12-01T00:00:00+00:00", "expires": "2099-12-01T00:00:00+00:00", "revoked": False},
           {"id": "abcdef123456", "hash": "f" * 64, "role": "commission", "school_code": None, "label": "",
            "created": "2025-12-02T00:00:00+00:00", "expires": "", "revoked": True}]
    (tmp_path / "tokens.json").write_text(json.dumps({"version": 1, "tokens": old}), encoding="utf-8")
    assert tokens.verify(tmp_path, "old-school-token").school_code == "0110001"
    assert not (tmp_path / "tokens.json").exists() and (tmp_path / "tokens.json.imported").exists()
    listed = tokens.list_tokens(tmp_path)
    assert [(r.token_id, r.revoked, r.label) for r in listed] == [(digest[:12], False, "旧令牌"),
                                                                  ("abcdef123456", True, "")]
    (tmp_path / "tokens.json").write_text(json.dumps({"version": 1, "tokens": old}), encoding="utf-8")
    assert len(tokens.list_tokens(tmp_path)) == 2, "a token already in the store is not added twice"
    assert [e.action for e in audit.entries(open_store(tmp_path), "token.import")] == ["token.import"] * 2


def test_verify_and_revoke(tmp_path):
    school = tokens.issue(tmp_path, school="0110001")
    staff = tokens.issue(tmp_path, commission=True)
    assert tokens.verify(tmp_path, school) == Principal("school", "0110001", tokens.hash_token(school)[:12])
    assert tokens.verify(tmp_path, staff).role == "commission"
    assert tokens.verify(tmp_path, staff).school_code is None
    assert tokens.verify(tmp_path, school + "x") is None
    assert tokens.verify(tmp_path, "") is None
    assert tokens.verify(tmp_path, "a" * 10_000) is None
    cache = TokenCache(tmp_path)
    assert cache.token(school) is not None
    assert tokens.revoke(tmp_path, tokens.hash_token(school)[:8])
    assert tokens.verify(tmp_path, school) is None
    assert cache.token(school) is None, "the portal's cache sees the revocation"
    assert tokens.verify(tmp_path, staff) is not None
    assert [r.revoked for r in tokens.list_tokens(tmp_path)] == [True, False]


def test_revoke_needs_a_unique_id(tmp_path):
    tokens.issue(tmp_path, commission=True)
    assert not tokens.revoke(tmp_path, "")
    assert not tokens.revoke(tmp_path, "abc")
    assert not tokens.revoke(tmp_path, "zzzzzzzzzzzz")


def test_issue_needs_exactly_one_role(tmp_path):
    with pytest.raises(ValueError):
        tokens.issue(tmp_path)
    with pytest.raises(ValueError):
        tokens.issue(tmp_path, school="0110001", commission=True)
    with pytest.raises(ValueError):
        tokens.issue(tmp_path, school="  ")


def test_tokens_are_unique(tmp_path):
    issued = {tokens.issue(tmp_path, commission=True) for _ in range(20)}
    assert len(issued) == 20
    assert len(tokens.list_tokens(tmp_path)) == 20


def test_cli_issue_list_revoke_in_chinese(tmp_path, capsys):
    assert cli_main(["token", "--home", str(tmp_path), "issue", "--school", "0110001"]) == 0
    out = capsys.readouterr().out
    token = out.splitlines()[1]
    assert "已为学校 0110001 签发令牌" in out and "只显示这一次" in out
    assert tokens.verify(tmp_path, token).school_code == "0110001"
    assert cli_main(["token", "issue", "--commission", "--label", "张老师", "--home", str(tmp_path)]) == 0
    capsys.readouterr()
    assert cli_main(["token", "list", "--home", str(tmp_path)]) == 0
    listing = capsys.readouterr().out
    assert "学校" in listing and "教委" in listing and "张老师" in listing and token not in listing
    token_id = tokens.hash_token(token)[:12]
    assert cli_main(["token", "revoke", token_id, "--home", str(tmp_path)]) == 0
    assert "已吊销" in capsys.readouterr().out
    assert tokens.verify(tmp_path, token) is None
    assert cli_main(["token", "revoke", "nonexistent", "--home", str(tmp_path)]) == 1
    assert "找不到" in capsys.readouterr().err


def test_cli_refuses_a_school_not_in_the_current_edition(tmp_path, capsys):
    assert cli_main(["token", "--home", str(tmp_path), "issue", "--school", "0999999"]) == 1
    assert "当前版次中没有学校代码 0999999" in capsys.readouterr().err
    assert [r.school_code for r in tokens.list_tokens(tmp_path)] == []
    assert cli_main(["token", "--home", str(tmp_path), "issue", "--school", "0110001", "--days", "30"]) == 0
    assert "有效期至" in capsys.readouterr().out


def test_school_tokens_need_a_published_edition(tmp_path_factory):
    empty = tmp_path_factory.mktemp("empty")
    with pytest.raises(tokens.TokenError, match="尚未发布"):
        tokens.issue(empty, school="0110001")
    assert tokens.issue(empty, commission=True)


def test_tokens_expire_default_one_year_and_configurable(tmp_path, monkeypatch):
    token = tokens.issue(tmp_path, school="0110001")
    record = tokens.list_tokens(tmp_path)[0]
    span = datetime.fromisoformat(record.expires) - datetime.fromisoformat(record.created)
    assert span == timedelta(days=365) and not record.expired
    monkeypatch.setenv(token_rules.VALID_DAYS_ENV, "7")
    tokens.issue(tmp_path, commission=True)
    r = tokens.list_tokens(tmp_path)[1]
    assert datetime.fromisoformat(r.expires) - datetime.fromisoformat(r.created) == timedelta(days=7)
    cache = TokenCache(tmp_path)
    assert cache.token(token) is not None
    with open_store(tmp_path).session() as s:
        s.execute(update(PortalToken).where(PortalToken.hash == tokens.hash_token(token))
                  .values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert tokens.verify(tmp_path, token) is None and cache.token(token) is None
    assert tokens.list_tokens(tmp_path)[0].expired
    with pytest.raises(tokens.TokenError, match="有效天数"):
        tokens.issue(tmp_path, commission=True, days=0)


def test_issue_and_revoke_are_in_the_audit_log(tmp_path):
    token = tokens.issue(tmp_path, school="0110001", label="教务处", actor="命令行（张三）")
    token_id = tokens.hash_token(token)[:12]
    tokens.revoke(tmp_path, token_id)
    log = audit.entries(open_store(tmp_path))
    assert [(e.action, e.subject) for e in log] == [("token.issue", f"token:{token_id}"),
                                                    ("token.revoke", f"token:{token_id}")]
    assert log[0].actor == "命令行（张三）" and '"school": "0110001"' in log[0].detail
    assert token not in "".join(e.detail for e in log)


def test_cli_refuses_both_roles(tmp_path):
    with pytest.raises(SystemExit):
        cli_main(["token", "--home", str(tmp_path), "issue", "--school", "1", "--commission"])
