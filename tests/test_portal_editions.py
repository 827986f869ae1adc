"""The edition store: serves CURRENT, switches to a new edition under load without a restart, keeps
serving the old one when the new one cannot be loaded, and lists editions for downloads and trends."""

from __future__ import annotations

import logging
import threading
import time
import warnings

import httpx

from portal import tokens
from portal.app import create_app
from portal.editions import EditionStore, edition_sort_key
from tests.portal_fixtures import (
    OFFERINGS,
    SCHOOL_A,
    build_home,
    major_risk,
    own_risk,
    risk,
    running_server,
    set_current,
    write_edition,
)

with warnings.catch_warnings():  # starlette's notice about httpx, raised at import time
    warnings.filterwarnings("ignore", message=".*httpx.*")
    from fastapi.testclient import TestClient

EDITION_INDEX = {"2024": 0, "2025": 1, "2026": 2, "2027": 3}


def wait_for(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def consistent(body: dict) -> bool:
    """Every figure of a school answer comes from the edition it names (no mix of two editions)."""
    edition = body["edition"]
    index = EDITION_INDEX[edition]
    for major in body["majors"]:
        if major["risk_score"] != risk(index, SCHOOL_A, major["major_code"]):
            return False
        if major["school_risk_score"] != own_risk(index, SCHOOL_A, major["major_code"]):
            return False
        if major["trend"][-1] != {"edition": edition, "risk_score": major["school_risk_score"]}:
            return False
        if [p["edition"] for p in major["trend"]] != [e for e in EDITION_INDEX if EDITION_INDEX[e] <= index]:
            return False
    return {m["major_code"] for m in body["majors"]} == set(OFFERINGS[SCHOOL_A])


def test_switch_under_load_serves_old_or_new_never_a_mix(tmp_path):
    home = build_home(tmp_path, current="2025").root
    token = tokens.issue(home, school=SCHOOL_A)
    app = create_app(home, check_interval=0.05)
    seen: list[tuple[int, str | None, bool]] = []
    stop = threading.Event()

    def hammer(base: str) -> None:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=10) as client:
            while not stop.is_set():
                response = client.get("/api/school")
                ok = response.status_code == 200
                body = response.json() if ok else {}
                seen.append((response.status_code, body.get("edition"), ok and consistent(body)))

    with running_server(app) as base:
        workers = [threading.Thread(target=hammer, args=(base,)) for _ in range(3)]
        for w in workers:
            w.start()
        assert wait_for(lambda: len(seen) > 50)
        write_edition(home, "2027", 3)
        set_current(home, "2027")
        switched = wait_for(lambda: any(e == "2027" for _, e, _ in seen[-20:]))
        count_at_switch = len(seen)
        wait_for(lambda: len(seen) > count_at_switch + 100)
        stop.set()
        for w in workers:
            w.join(timeout=10)
        after = httpx.get(f"{base}/api/school", headers={"Authorization": f"Bearer {token}"}).json()
    assert switched, "the new edition was not picked up"
    assert all(status == 200 for status, _, _ in seen), {s for s, _, _ in seen}
    assert {e for _, e, _ in seen} == {"2025", "2027"}
    assert all(ok for _, _, ok in seen), "an answer mixed two editions"
    first_new = next(i for i, (_, e, _) in enumerate(seen) if e == "2027")
    assert len(seen) > 200 and first_new > 50
    assert after["edition"] == "2027" and consistent(after)


def test_failed_load_keeps_serving_the_old_edition(tmp_path, caplog):
    home = build_home(tmp_path).root
    store = EditionStore(home, check_interval=0.0)
    assert store.snapshot().current.edition_id == "2026"
    broken = home / "published" / "2028"
    broken.mkdir()
    (broken / "datapackage.json").write_text("{}", encoding="utf-8")
    (broken / "guiding_catalog.parquet").write_bytes(b"not parquet")
    with caplog.at_level(logging.ERROR, logger="majorwatch.portal.editions"):
        set_current(home, "2028")
        store.refresh()
        assert store.snapshot().current.edition_id == "2026"
        set_current(home, "no-such-edition")
        store.refresh()
        set_current(home, "../../etc")
        store.refresh()
    assert store.snapshot().current.edition_id == "2026"
    assert sum("could not load" in r.message for r in caplog.records) == 3


def test_background_check_follows_current_and_retries_after_a_failure(tmp_path):
    home = build_home(tmp_path, current="2024").root
    store = EditionStore(home, check_interval=0.0)
    set_current(home, "2026")
    assert wait_for(lambda: store.snapshot().current.edition_id == "2026")
    set_current(home, "2025")
    assert wait_for(lambda: store.snapshot().current.edition_id == "2025")
    assert store.snapshot().editions == ("2024", "2025")


def test_edition_listing_skips_partial_and_temporary_folders(tmp_path):
    home = build_home(tmp_path, current="2025").root
    published = home / "published"
    (published / ".tmp-2027-abc").mkdir()
    (published / ".tmp-2027-abc" / "datapackage.json").write_text("{}", encoding="utf-8")
    # (an id like "2027.tmp" is a valid edition id for the publisher too, so it is not special here)
    (published / "2028").mkdir()  # no datapackage.json: not complete
    store = EditionStore(home)
    assert store.list_editions() == ["2024", "2025", "2026"]
    snap = store.snapshot()
    assert snap.editions == ("2024", "2025"), "editions after the current one are not offered"
    files = {f.name: f.public for f in snap.files["2024"]}
    assert files["guiding_catalog.csv"] and not files["school_major_scores.parquet"]


def test_trend_and_school_index(tmp_path):
    home = build_home(tmp_path).root
    snap = EditionStore(home).snapshot()
    assert snap.trend(SCHOOL_A, "460101") == [(e, own_risk(i, SCHOOL_A, "460101"))
                                              for e, i in EDITION_INDEX.items() if i <= 2]
    assert snap.major_trend("460101") == [(e, major_risk(i, "460101")) for e, i in EDITION_INDEX.items() if i <= 2]
    assert set(snap.current.by_school) == set(OFFERINGS)
    assert snap.current.by_school[SCHOOL_A]["school_code"].dtype.is_(snap.current.scores["major_code"].dtype)


def test_a_renumbered_major_s_trend_takes_its_old_code_s_editions(tmp_path):
    """An edition whose code_history says 460199 was 460101 draws 460199's trend (the major's and a school's
    offering) through the earlier editions' 460101 rows: one major, one history."""
    import polars as pl

    from tests.portal_fixtures import MAJORS

    home = build_home(tmp_path).root
    majors = {("460199" if c == "460101" else c): v for c, v in MAJORS.items()}
    offerings = {s: [("460199" if c == "460101" else c) for c in codes] for s, codes in OFFERINGS.items()}
    folder = write_edition(home, "2027", 3, offerings=offerings, majors=majors)
    pl.DataFrame({"new_code": ["460199"], "old_code": ["460101"], "share": [1.0], "year": [2027]}).write_parquet(
        folder / "code_history.parquet")
    set_current(home, "2027")
    snap = EditionStore(home).snapshot()
    assert snap.current.former == {"460199": ("460101",)}
    major = snap.major_trend("460199")
    assert [e for e, _ in major] == list(EDITION_INDEX) and major[:3] == [
        (e, major_risk(i, "460101")) for e, i in EDITION_INDEX.items() if i <= 2]
    assert major[3][1] == major_risk(3, "460199")
    assert [e for e, _ in snap.trend(SCHOOL_A, "460199")] == list(EDITION_INDEX)
    assert snap.trend(SCHOOL_A, "460199")[0] == ("2024", own_risk(0, SCHOOL_A, "460101"))


def test_natural_edition_order():
    ids = ["2026-r2", "2025", "2026", "2027", "2026-r10"]
    assert sorted(ids, key=edition_sort_key) == ["2025", "2026", "2026-r2", "2026-r10", "2027"]


def test_no_edition_yet_answers_503_in_chinese(tmp_path):
    token = tokens.issue(tmp_path, commission=True)
    client = TestClient(create_app(tmp_path))
    response = client.get("/api/commission", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 503
    assert response.json()["detail"] == "尚无已发布的目录版本，请稍后再试。"


def test_a_trend_shows_one_edition_per_year():
    """The year's last final (not the draft it finalized, nor a re-run's draft left beside it), the current edition
    in its own year, and a year's last edition when none of its editions was finalized."""
    from portal.editions import year_editions

    editions = ("2023-draft", "2024", "2024-draft", "2025", "2025-draft", "2025-r2-draft", "2026-draft")
    assert year_editions(editions, "2026-draft", {"2024", "2025"}) == ("2023-draft", "2024", "2025", "2026-draft")
    assert year_editions(("2025", "2025-draft", "2025-r2"), "2025-r2", {"2025", "2025-r2"}) == ("2025-r2",)
    assert year_editions(("2024", "2025-draft"), "2025-draft", set()) == ("2024", "2025-draft")
