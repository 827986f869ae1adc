"""The portal and the pipeline together: publishing a new edition while schools and the commission are
reading never shows them an error or a half-switched answer, and the portal follows CURRENT without a
restart.

Edition 2026 is published from the hand-made inbox through the real CLI; the portal serves it with
uvicorn on a loopback port; then ``majorwatch run --edition 2027`` runs on an inbox where one school's
graduates found far fewer jobs, while a second thread keeps asking for that school's page and for the
commission's catalog. Every answer must be exactly the 2026 answer or exactly the 2027 answer, in that
order, and the 2027 answer must carry the changed figures.
"""

from __future__ import annotations

import csv
import shutil
import threading
import time
from pathlib import Path

import httpx
import pytest

from pipelines.cli import main
from portal import tokens
from portal.app import create_app
from tests.handmade_inbox import write_handmade_inbox
from tests.portal_fixtures import running_server

pytestmark = pytest.mark.slow

SCHOOL, MAJOR = "1111000003", "510201"        # a school offering 510201 with 49 of 50 graduates employed
EMPLOYED_2027, IN_FIELD_2027 = "15", "5"     # the changed inbox: 15 of 50 employed, 5 in their field
SCHOOL_PATH, CATALOG_PATH = "/api/school", "/api/commission/majors?limit=200"
CHECK_INTERVAL = 1.0                          # the store looks at CURRENT about once a second
SWITCH_TIMEOUT = 8.0


def publish(inbox: Path, home: Path, edition: str) -> int:
    """Publish `edition` as the final edition (the draft state and its review are not what this test is about);
    a final edition is issued under a confirmed policy only."""
    if main(["policy", "confirm", "--doc-number", "京教职成〔2026〕1号", "--home", str(home)]):
        return 1
    return main(["run", "--inbox", str(inbox), "--home", str(home), "--edition", edition, "--final", "--quiet"])


def changed_inbox(source: Path, target: Path) -> Path:
    """A copy of ``source`` where SCHOOL's MAJOR has far lower employment in every year."""
    shutil.copytree(source, target)
    path = target / "school_majors.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    changed = 0
    for row in rows:
        if row["school_code"] == SCHOOL and row["major_code"] == MAJOR:
            row["employed"], row["employed_in_field"] = EMPLOYED_2027, IN_FIELD_2027
            changed += 1
    assert changed >= 2, "the hand-made inbox no longer has the offering this test changes"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return target


class Poller(threading.Thread):
    """Asks for the school page and the commission catalog in turn until stopped; keeps every answer."""

    def __init__(self, base: str, school_token: str, commission_token: str) -> None:
        super().__init__(daemon=True, name="portal-poller")
        self.base, self.stop = base, threading.Event()
        self.requests = [("school", SCHOOL_PATH, school_token), ("catalog", CATALOG_PATH, commission_token)]
        self.seen: list[tuple[str, int | None, object]] = []

    def run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=10) as client:
            while not self.stop.is_set():
                for kind, path, token in self.requests:
                    try:
                        response = client.get(path, headers={"Authorization": f"Bearer {token}"})
                    except httpx.HTTPError as exc:
                        self.seen.append((kind, None, repr(exc)))
                        continue
                    ok = response.status_code == 200
                    self.seen.append((kind, response.status_code, response.json() if ok else response.text))
                time.sleep(0.03)  # leave the CPU to the pipeline: two cores for everything

    def editions(self) -> list[str]:
        return [body["edition"] for _, status, body in self.seen if status == 200]


def get_json(base: str, path: str, token: str) -> dict:
    response = httpx.get(base + path, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def offering(school_view: dict) -> dict:
    return next(m for m in school_view["majors"] if m["major_code"] == MAJOR)


def test_publishing_while_serving_switches_cleanly(tmp_path, home):
    inbox_2026 = write_handmade_inbox(tmp_path / "inbox-2026")
    assert publish(inbox_2026, home, "2026") == 0
    inbox_2027 = changed_inbox(inbox_2026, tmp_path / "inbox-2027")
    school_token = tokens.issue(home, school=SCHOOL, label="联系人")
    commission_token = tokens.issue(home, commission=True, label="教委")

    with running_server(create_app(home, check_interval=CHECK_INTERVAL)) as base:
        before = {"school": get_json(base, SCHOOL_PATH, school_token),
                  "catalog": get_json(base, CATALOG_PATH, commission_token)}
        poller = Poller(base, school_token, commission_token)
        poller.start()
        try:
            started = time.monotonic()
            assert publish(inbox_2027, home, "2027") == 0
            run_seconds = time.monotonic() - started
            assert (home / "published" / "CURRENT").read_text(encoding="utf-8").strip() == "2027"
            deadline = time.monotonic() + SWITCH_TIMEOUT
            while time.monotonic() < deadline and "2027" not in poller.editions()[-2:]:
                time.sleep(0.05)
            switched_after = time.monotonic() - started - run_seconds
            time.sleep(0.3)  # a few answers after the switch as well
        finally:
            poller.stop.set()
            poller.join(timeout=15)
        after = {"school": get_json(base, SCHOOL_PATH, school_token),
                 "catalog": get_json(base, CATALOG_PATH, commission_token)}

    failures = [(kind, status, body) for kind, status, body in poller.seen if status != 200]
    assert not failures, f"errors while publishing: {failures[:3]}"
    assert len(poller.seen) >= 20, f"only {len(poller.seen)} answers during a {run_seconds:.1f} s run"
    assert before["school"]["edition"] == before["catalog"]["edition"] == "2026"
    assert after["school"]["edition"] == after["catalog"]["edition"] == "2027", (
        f"still serving {after['school']['edition']} {switched_after:.1f} s after the run")
    assert switched_after < SWITCH_TIMEOUT
    for kind, _, body in poller.seen:  # exactly one edition's answer, never a mix of two
        assert body == before[kind] or body == after[kind], f"{kind} answer matches neither edition"
    editions = poller.editions()
    assert editions == sorted(editions) and editions[0] == "2026" and editions[-1] == "2027"

    old, new = offering(before["school"]), offering(after["school"])
    assert old["employment_rate"] == pytest.approx(49 / 50)
    assert new["employment_rate"] == pytest.approx(int(EMPLOYED_2027) / 50)
    assert new["risk_score"] > old["risk_score"]
    assert [p["edition"] for p in new["trend"]] == ["2026", "2027"]
    assert new["trend"][0]["risk_score"] == old["school_risk_score"]
    assert after["school"]["school_code"] == before["school"]["school_code"] == SCHOOL
    assert {m["major_code"] for m in after["school"]["majors"]} == {m["major_code"] for m in before["school"]["majors"]}
    print(f"run {run_seconds:.1f} s, switch seen {switched_after:.2f} s after it; answers: "
          f"{editions.count('2026')} from 2026, {editions.count('2027')} from 2027")
