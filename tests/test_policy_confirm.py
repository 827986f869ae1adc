"""`policy confirm`: one confirmation covers one policy file (its SHA-256), records who/which 文号/when in the
audit log and the file the next publication reads; a malformed 文号 is refused in Chinese."""

from __future__ import annotations

import pytest

from review import audit
from review.audit import Actor, ReviewError
from review.db import open_store
from review.policy import confirm_policy, unconfirmed
from scoring.policy import load_policy
from warehouse.confirmation import read_confirmation, valid_doc_number


def test_a_confirmation_covers_exactly_the_policy_file_it_names(tmp_path):
    policy = load_policy()
    folder = tmp_path / "review"
    assert unconfirmed(folder, policy)  # the shipped policy has values 待市教委确认
    with pytest.raises(ReviewError, match="格式不对"):
        confirm_policy(open_store(tmp_path), Actor("张三", "cli"), folder, policy, "2026年第5号")
    assert read_confirmation(folder) is None and not audit.entries(open_store(tmp_path))
    done = confirm_policy(open_store(tmp_path), Actor("张三", "cli"), folder, policy, "京教职成[2026]5号")
    assert done.doc_number == "京教职成〔2026〕5号" and done.sha256 == policy.sha256
    assert unconfirmed(folder, policy) == []
    assert read_confirmation(folder, policy.sha256) == done
    edited = policy.model_copy(update={"sha256": "0" * 64})  # the file changed since: unconfirmed again
    assert read_confirmation(folder, edited.sha256) is None and unconfirmed(folder, edited)
    (entry,) = audit.entries(open_store(tmp_path), action="policy.confirm")
    assert entry.actor == "张三" and policy.sha256 in entry.detail and "京教职成〔2026〕5号" in entry.detail


@pytest.mark.parametrize("text", ["京教职成〔2026〕", "〔2026〕5号", "京教职成〔26〕5号", "京教职成〔2026〕0号", ""])
def test_malformed_document_numbers_are_refused(text):
    with pytest.raises(ValueError, match="应如 京教职成〔2026〕5号"):
        valid_doc_number(text)
