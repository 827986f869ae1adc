"""Choosing the edition id: the last successful run is always the edition in force."""

from __future__ import annotations

import pytest

from tests.test_publish import CREATED, HEADERS, MAJORS, PACKAGE, tables
from warehouse.editions import publish_next
from warehouse.publish import current_edition


def publish(root, content, edition="2026", explicit=False):
    return publish_next(root, edition, explicit=explicit, tables=content, headers=HEADERS, package=PACKAGE,
                        created=CREATED)


def test_auto_ids_move_forward_even_back_to_older_content(tmp_path):
    root = tmp_path / "published"
    a, b = tables(), tables(MAJORS[:3])
    assert publish(root, a).edition == "2026"
    assert publish(root, a).edition == "2026"            # same content as CURRENT: a no-op
    assert publish(root, b).edition == "2026-r2"
    back = publish(root, a)                              # the commission reverts a correction
    assert back.edition == "2026-r3" and current_edition(root) == "2026-r3"
    assert sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")) == [
        "2026", "2026-r2", "2026-r3"]


def test_explicit_id_with_the_same_content_is_put_back_in_force(tmp_path):
    root = tmp_path / "published"
    publish(root, tables())
    publish(root, tables(MAJORS[:3]))
    assert current_edition(root) == "2026-r2"
    assert publish(root, tables(), edition="2026", explicit=True).edition == "2026"
    assert current_edition(root) == "2026"


def test_an_older_inbox_never_moves_current_backwards(tmp_path):
    """Data to 2024 after data to 2025: refused without --edition; published (and put in force) only when asked."""
    import pytest

    from warehouse.editions import OlderEditionError

    root = tmp_path / "published"
    publish(root, tables(), edition="2026")
    with pytest.raises(OlderEditionError, match="早于现行版本 2026"):
        publish(root, tables(MAJORS[:3]), edition="2025")
    assert current_edition(root) == "2026" and not (root / "2025").exists()
    assert publish(root, tables(MAJORS[:3]), edition="2025", explicit=True).edition == "2025"


def test_draft_and_final_edition_ids():
    from warehouse.editions import draft_edition_id, final_edition_id

    assert draft_edition_id("2026") == "2026-draft" == draft_edition_id("2026-draft")
    assert final_edition_id("2026-draft") == "2026" and final_edition_id("2026-r2-draft") == "2026-r2"
    for bad in ("2026", "-draft", "2026-draft-x"):
        with pytest.raises(ValueError, match="不是征求意见稿"):
            final_edition_id(bad)


def test_an_edition_renamed_into_place_but_never_put_in_force_is_put_in_force_by_the_rerun(tmp_path, monkeypatch):
    """A run killed between the rename and CURRENT leaves a complete folder that was never in force: the next
    run with the same content puts that folder in force instead of skipping it for a needless -r2 copy."""
    from warehouse import publish as publish_module

    root = tmp_path / "published"
    publish(root, tables(), edition="2025")
    with monkeypatch.context() as patch:
        patch.setattr(publish_module, "_switch_current", lambda root, edition: (_ for _ in ()).throw(KeyboardInterrupt))
        with pytest.raises(KeyboardInterrupt):
            publish(root, tables(MAJORS[:3]))
    assert current_edition(root) == "2025" and (root / "2026" / "SHA256SUMS").is_file()
    assert publish(root, tables(MAJORS[:3])).edition == "2026"
    assert current_edition(root) == "2026" and not (root / "2026-r2").exists()
    # an older edition of that id that WAS in force is still skipped (history moves forward)
    publish(root, tables())
    assert current_edition(root) == "2026-r2"


def test_a_draft_is_published_beside_the_final_in_force_and_never_replaces_it(tmp_path):
    """Before any final the newest draft serves; once a final is in force, every draft (automatic id, the same
    content again, or an explicit id) is published beside it and CURRENT stays on the final."""
    root = tmp_path / "published"
    draft = {**PACKAGE, "state": "征求意见稿"}

    def put(content, edition, package, explicit=False, suffix=""):
        return publish_next(root, edition, explicit=explicit, suffix=suffix, tables=content, headers=HEADERS,
                            package=package, created=CREATED)

    first = put(tables(), "2026", draft, suffix="-draft")
    assert first.edition == "2026-draft" and first.in_force and current_edition(root) == "2026-draft"
    assert put(tables(MAJORS[:3]), "2026", draft, suffix="-draft").edition == "2026-r2-draft"
    assert current_edition(root) == "2026-r2-draft"  # no final yet: the newest draft serves
    assert put(tables(MAJORS[:3]), "2026-r2", {**PACKAGE, "state": "正式"}, explicit=True).in_force
    assert current_edition(root) == "2026-r2"
    beside = put(tables(MAJORS[:2]), "2026", draft, suffix="-draft")
    assert beside.edition == "2026-r3-draft" and not beside.in_force and current_edition(root) == "2026-r2"
    again = put(tables(MAJORS[:2]), "2026", draft, suffix="-draft")  # the same draft again: reused, not in force
    assert again.edition == "2026-r3-draft" and again.unchanged and current_edition(root) == "2026-r2"
    assert not put(tables(MAJORS[:2]), "2026-r3-draft", draft, explicit=True).in_force
    assert current_edition(root) == "2026-r2"
