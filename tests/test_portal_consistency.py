"""The portal and the publisher agree: on edition ids, and on which restriction a major carries."""

from __future__ import annotations

import polars as pl

from portal import views
from portal.editions import EDITION_ID
from warehouse.current import EDITION_RE, validate_edition


def test_every_id_the_publisher_accepts_the_portal_serves():
    for edition in ("2026", "2026-r2", "2026-tmpfix", "2026.v1_final", "9" * 64):
        validate_edition(edition)
        assert EDITION_ID.match(edition), edition
    for bad in (".tmp-2026-x", "9" * 65, "2026/..", "CURRENT"):
        assert not (EDITION_RE.fullmatch(bad) and EDITION_ID.match(bad) and bad != "CURRENT"), bad


def test_catalog_shows_the_citywide_restriction_with_its_own_scopes(monkeypatch):
    class Snap:
        pass

    snap, snap.current = Snap(), Snap()
    snap.current.guiding = pl.DataFrame({"major_code": ["460101", "470201", "510201"], "risk_score": [1.0, 2.0, 3.0]})
    snap.current.restrictions = pl.DataFrame({
        "major_code": ["460101", "460101", "470201"],
        "restriction": ["停止新设", "限制招生", "停止新设"],
        "scope": ["海淀区", "全市", "朝阳区"],
    })
    monkeypatch.setattr(views, "memo", lambda snap, key, build: build())
    rows = {r["major_code"]: r for r in views.catalog_rows(snap)}
    assert (rows["460101"]["restriction"], rows["460101"]["restriction_scope"]) == ("限制招生", "全市")
    assert (rows["470201"]["restriction"], rows["470201"]["restriction_scope"]) == ("停止新设", "朝阳区")
    assert rows["510201"]["restriction"] is None
