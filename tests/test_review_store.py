"""The review store: Alembic from empty, WAL, windows, objections scoped by school, decisions, overrides,
append-only audit log."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import DatabaseError

from review import audit
from review.audit import Actor, NotFoundError, ReviewError
from review.db import alembic_config, migrate, open_store, store_url
from review.models import ACCEPTED, FINAL, PENDING, REJECTED, AppendOnlyError, AuditEntry, Base
from review.objections import decide, evidence_file, file_objection, get_objection, list_objections
from review.overrides import add_override, export_overrides, list_overrides, overrides_frame, retire_override
from review.windows import close_review, finalize, is_open, open_review, state_of

TODAY = date(2026, 3, 1)
A = Actor("学校甲联系人", "school", "4111010001", "tokA")
B = Actor("学校乙联系人", "school", "4111010002", "tokB")
STAFF = Actor("教委甲", "commission", None, "tokC")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture()
def store(tmp_path, review_url):
    """The store on each backend (SQLite, then PostgreSQL marked `postgres`: tests/postgres_server.py)."""
    return open_store(tmp_path, url=review_url)


@pytest.fixture()
def opened(store):
    open_review(store, STAFF, "2026-draft", date(2026, 3, 31), today=TODAY)
    return store


def _file(store, actor=A, code="510201", target="offering", **kw):
    return file_objection(store, actor, "2026-draft", target, code, kw.pop("contested", "restriction"),
                          kw.pop("text", "本校该专业已转向新能源汽车方向"), offered={"510201", "460103"},
                          catalog={"510201", "460103", "470201"}, today=kw.pop("today", TODAY), **kw)


def _revisions(url: str) -> list[str]:
    """Every Alembic revision of the store, oldest first (whatever migrations exist)."""
    return [r.revision for r in reversed(list(ScriptDirectory.from_config(alembic_config(url)).walk_revisions()))]


def _schema(engine) -> dict[str, set[str]]:
    found = inspect(engine)
    return {name: {c["name"] for c in found.get_columns(name)} for name in found.get_table_names()}


def test_alembic_upgrade_from_empty_matches_the_models(review_url):
    migrate(review_url)
    engine = create_engine(review_url)
    assert _schema(engine) == {name: {c.name for c in table.columns} for name, table in Base.metadata.tables.items()} | {
        "alembic_version": {"version_num"}}
    with engine.connect() as c:
        assert c.execute(text("SELECT version_num FROM alembic_version")).scalar() == _revisions(review_url)[-1]
        if engine.dialect.name == "sqlite":
            assert c.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    migrate(review_url)  # idempotent
    engine.dispose()


def test_every_migration_goes_up_and_down_and_up_again(review_url, tmp_path):
    """Each revision in turn: up one step, down to the one before (the schema as it was), up again; at the end
    down to nothing leaves an empty database (the append-only trigger and its function go with it)."""
    engine = create_engine(review_url)
    cfg = alembic_config(review_url)
    before = _schema(engine)
    assert before == {}
    for revision in _revisions(review_url):
        command.upgrade(cfg, revision)
        after = _schema(engine)
        assert after != before, revision
        command.downgrade(cfg, "-1")
        assert {k: v for k, v in _schema(engine).items() if k != "alembic_version"} == {
            k: v for k, v in before.items() if k != "alembic_version"}, revision
        command.upgrade(cfg, revision)
        assert _schema(engine) == after
        before = after
    command.downgrade(cfg, "base")
    assert set(_schema(engine)) <= {"alembic_version"}
    with engine.connect() as c:
        if engine.dialect.name == "postgresql":
            assert c.execute(text("SELECT count(*) FROM pg_proc WHERE proname = 'audit_log_append_only'")).scalar() == 0
        else:
            assert c.execute(text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")).scalar() == 0
    command.upgrade(cfg, "head")  # and back up from nothing: the store opens and works
    assert audit.entries(open_store(tmp_path, url=review_url)) == []
    engine.dispose()


def test_portal_auth_migration_goes_up_from_0001_and_down_again(tmp_path):
    from alembic import command

    from review.db import alembic_config

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    migrate(url, "0001")
    engine = create_engine(url)
    assert "portal_tokens" not in inspect(engine).get_table_names()
    migrate(url)
    assert {"portal_tokens", "portal_sessions"} <= set(inspect(engine).get_table_names())
    command.downgrade(alembic_config(url), "0001")
    assert not {"portal_tokens", "portal_sessions"} & set(inspect(engine).get_table_names())
    assert "objections" in inspect(engine).get_table_names()


def test_default_url_is_a_file_in_the_home_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("MAJORWATCH_REVIEW_URL", raising=False)
    assert store_url(tmp_path) == f"sqlite:///{tmp_path / 'review.sqlite'}"
    monkeypatch.setenv("MAJORWATCH_REVIEW_URL", "postgresql+psycopg://u@localhost/mw")
    assert store_url(tmp_path) == "postgresql+psycopg://u@localhost/mw"


def test_objections_only_while_the_review_is_open(store):
    with pytest.raises(ReviewError, match="不在征求意见期"):
        _file(store)
    open_review(store, STAFF, "2026-draft", date(2026, 3, 31), today=TODAY)
    assert _file(store).status == PENDING
    assert is_open(open_review(store, STAFF, "2026-draft", date(2026, 3, 31), today=TODAY), date(2026, 3, 31))
    with pytest.raises(ReviewError, match="不在征求意见期"):
        _file(store, today=date(2026, 4, 1))
    close_review(store, STAFF, "2026-draft")
    with pytest.raises(ReviewError, match="不在征求意见期"):
        _file(store)


def test_a_school_objects_only_to_its_own_offerings_and_to_catalog_majors(opened):
    with pytest.raises(ReviewError, match="不是本校"):
        _file(opened, code="470201")
    assert _file(opened, code="470201", target="major", contested="guidance").target == "major"
    with pytest.raises(ReviewError, match="只有学校"):
        _file(opened, actor=STAFF)
    with pytest.raises(ReviewError, match="异议理由"):
        _file(opened, text="  ")


def test_two_schools_never_see_or_act_on_each_others_objections(opened):
    mine = _file(opened, evidence=("证明.pdf", PDF))
    _file(opened, actor=B)
    assert [o.id for o in list_objections(opened, A)] == [mine.id]
    assert mine.id not in [o.id for o in list_objections(opened, B)]
    assert len(list_objections(opened, STAFF)) == 2
    for call in (lambda: get_objection(opened, B, mine.id), lambda: evidence_file(opened, B, mine.id),
                 lambda: decide(opened, B, mine.id, False, "无理")):
        with pytest.raises(NotFoundError):
            call()
    assert list_objections(opened, B, school_code="4111010001") == []
    path, name = evidence_file(opened, A, mine.id)
    assert path.read_bytes() == PDF and name == "证明.pdf"


@pytest.mark.parametrize("name,data,match", [
    ("x.exe", b"MZ", "类型不受支持"), ("x.pdf", b"not a pdf", "内容不是PDF"), ("x.pdf", b"", "x.pdf」是空文件"), ("", b"", None),
    ("x.png", PDF, "内容不是PNG"), ("x.xlsx", b"PK\x03\x04junk", "内容不是Excel"),
    ("big.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024), "超过上限")])
def test_evidence_is_size_limited_and_type_checked(opened, name, data, match):
    if match is None:  # no file chosen (no name, no bytes) means no evidence; an empty named file is refused
        assert _file(opened, evidence=(name, data)).evidence_path is None
        return
    with pytest.raises(ReviewError, match=match):
        _file(opened, evidence=(name, data))
    assert list_objections(opened, STAFF) == []


def test_accept_creates_an_override_and_reject_keeps_the_verdict(opened):
    a = _file(opened)
    b = _file(opened, actor=B, code="460103", contested="guidance")
    with pytest.raises(ReviewError, match="只能调整为"):
        decide(opened, STAFF, a.id, True, "理由", value="取消")
    d = decide(opened, STAFF, a.id, True, "已核实转向新能源方向", value="无", expires=date(2027, 12, 31))
    assert d.outcome == ACCEPTED and d.override.value == "无" and d.override.school_code == A.school_code
    decide(opened, STAFF, b.id, False, "就业数据不支持")
    assert get_objection(opened, B, b.id).status == REJECTED
    assert get_objection(opened, A, a.id).decision.reason == "已核实转向新能源方向"
    with pytest.raises(ReviewError, match="已处理"):
        decide(opened, STAFF, a.id, False, "再次")
    frame = overrides_frame(opened)
    assert frame.select("major_code", "school_code", "field", "value", "expires").rows() == [
        ("510201", "4111010001", "restriction", "无", date(2027, 12, 31))]


def test_overrides_add_list_retire_and_export(opened, tmp_path):
    o = add_override(opened, STAFF, "470201", "guidance", "正常", "市教委决定")
    with pytest.raises(ReviewError, match="指导类别只能调整为"):
        add_override(opened, STAFF, "470201", "guidance", "红", "x")
    with pytest.raises(ReviewError, match="只有市教委"):
        add_override(opened, A, "470201", "guidance", "正常", "x")
    assert [x.id for x in list_overrides(opened)] == [o.id]
    path = export_overrides(opened, tmp_path / "out")
    assert pl.read_csv(path, infer_schema=False)["major_code"].to_list() == ["470201"]
    retire_override(opened, STAFF, o.id, "政策调整")
    assert list_overrides(opened) == [] and len(list_overrides(opened, include_retired=True)) == 1
    with pytest.raises(NotFoundError):
        retire_override(opened, STAFF, 999)


def test_finalize_waits_for_the_window_and_every_objection(opened):
    obj = _file(opened)
    published = []

    def publish(draft):
        published.append(draft)
        return "2026"

    with pytest.raises(ReviewError, match="才结束"):
        finalize(opened, STAFF, "2026-draft", publish, today=TODAY)
    with pytest.raises(ReviewError, match="1 条异议未处理"):
        finalize(opened, STAFF, "2026-draft", publish, today=date(2026, 4, 1))
    decide(opened, STAFF, obj.id, False, "不予采纳")
    assert finalize(opened, STAFF, "2026-draft", publish, today=date(2026, 4, 1)) == "2026"
    assert published == ["2026-draft"]
    assert state_of(opened, "2026-draft") == FINAL and state_of(opened, "2026") == FINAL
    assert state_of(opened, "2025") is None  # never reviewed: its datapackage.json says
    with pytest.raises(ReviewError, match="已正式发布"):
        open_review(opened, STAFF, "2026-draft", date(2026, 5, 1), today=date(2026, 4, 2))


def test_the_audit_log_holds_every_step_and_is_append_only(opened):
    obj = _file(opened, evidence=("a.pdf", PDF))
    decide(opened, STAFF, obj.id, True, "采纳", value="限制招生")
    audit.log(opened, STAFF, "token.issue", "token:abc", school="4111010001")
    log = audit.entries(opened)
    assert [e.action for e in log] == ["review.open", "objection.file", "override.add", "objection.decide",
                                       "token.issue"]
    assert [e.token_id for e in log[1:4]] == ["tokA", "tokC", "tokC"]
    with opened.session() as s, pytest.raises(AppendOnlyError):
        s.get(AuditEntry, log[0].id).action = "forged"
        s.flush()
    with opened.engine.begin() as c, pytest.raises(DatabaseError, match="append-only"):
        c.execute(text("DELETE FROM audit_log"))
    assert len(audit.entries(opened)) == 5
