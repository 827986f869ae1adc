"""新设专业预审 in the portal: the CLI, the API and the page give the same verdict and the same checks, a school
asks only about itself, and the commission asks about any school (on an edition scored by the real rules)."""

from __future__ import annotations

import html
import json
import re
import warnings

import pytest

from documents.wording import public_rule
from pipelines.cli import main
from portal import tokens
from portal.app import create_app
from tests.scored_edition import (
    BANNED,
    DONGCHENG,
    HAIDIAN,
    OPEN_OK,
    OTHER_LEVEL,
    UNKNOWN,
    write_scored_edition,
)

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx.*")
    from fastapi.testclient import TestClient

PAIRS = [(HAIDIAN, OPEN_OK, "可以"), (HAIDIAN, BANNED, "不可以"), (HAIDIAN, OTHER_LEVEL, "不可以"),
         (HAIDIAN, UNKNOWN, "不可以"), (DONGCHENG, OPEN_OK, "不可以")]
ROW = re.compile(r'<tr data-check="([^"]*)" data-result="([^"]*)">.*?class="why">(.*?)</td>\s*'
                 r'<td data-label="依据规则" class="rule">(.*?)</td></tr>', re.S)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    home = tmp_path_factory.mktemp("precheck")
    write_scored_edition(home)
    client = TestClient(create_app(home, secure_cookies=False))
    creds = {code: tokens.issue(home, school=code) for code in (HAIDIAN, DONGCHENG)}
    creds["commission"] = tokens.issue(home, commission=True)
    return home, client, creds


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _cli(home, school: str, major: str, capsys) -> tuple[dict, str]:
    assert main(["precheck", "--school", school, "--major", major, "--home", str(home), "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert main(["precheck", "--school", school, "--major", major, "--home", str(home)]) == 0
    return answer, capsys.readouterr().out


def _page_checks(text: str) -> tuple[str, list[dict]]:
    verdict = re.search(r'id="verdict" data-verdict="([^"]*)"', text).group(1)
    rows = [{"check": html.unescape(c), "result": html.unescape(r), "why": html.unescape(w),
             "rule": html.unescape(u)} for c, r, w, u in ROW.findall(text)]
    return html.unescape(verdict), rows


@pytest.mark.parametrize(("school", "major", "verdict"), PAIRS)
def test_cli_api_and_page_give_the_same_answer(site, capsys, school, major, verdict):
    home, client, creds = site
    cli, cli_text = _cli(home, school, major, capsys)
    api = client.get(f"/api/school/precheck?major={major}", headers=_bearer(creds[school]))
    assert api.status_code == 200, api.text
    assert api.json() == cli and cli["verdict"] == verdict and cli["school_code"] == school
    page = client.get(f"/school/precheck?major={major}", headers=_bearer(creds[school]))
    assert page.status_code == 200
    # the page names each rule by its source (a reader's words), the CLI also by its policy key
    printed = [{**c, "rule": public_rule(c["rule"])} for c in cli["checks"]]
    assert _page_checks(page.text) == (cli["verdict"], printed)
    for c in cli["checks"]:  # and the CLI's text says the same lines
        assert f"【{c['check']}】{c['result']}：{c['why']}" in cli_text and f"依据规则：{c['rule']}" in cli_text
    commission = client.get(f"/api/commission/precheck?school={school}&major={major}",
                            headers=_bearer(creds["commission"]))
    assert commission.json() == cli
    shown = client.get(f"/commission/precheck?school={school}&major={major}", headers=_bearer(creds["commission"]))
    assert _page_checks(shown.text) == (cli["verdict"], printed)


def test_the_failing_checks_name_their_reason(site):
    _, client, creds = site
    results = {}
    for major in (BANNED, OTHER_LEVEL, UNKNOWN):
        body = client.get(f"/api/school/precheck?major={major}", headers=_bearer(creds[HAIDIAN])).json()
        results[major] = {c["check"] for c in body["checks"] if c["result"] == "不通过"}
    assert results == {BANNED: {"禁限目录及适用区域"}, OTHER_LEVEL: {"专业目录与办学层次"}, UNKNOWN: {"专业目录"}}


def test_a_school_cannot_precheck_for_another_school(site):
    _, client, creds = site
    mine = _bearer(creds[HAIDIAN])
    # a school parameter (or header) naming another school is ignored: the answer is about the token's school
    for url in (f"/api/school/precheck?major={OPEN_OK}&school={DONGCHENG}",
                f"/api/school/precheck?school={DONGCHENG}&school_code={DONGCHENG}&major={OPEN_OK}"):
        body = client.get(url, headers={**mine, "X-School-Code": DONGCHENG}).json()
        assert body["school_code"] == HAIDIAN and body["verdict"] == "可以"
    page = client.get(f"/school/precheck?major={OPEN_OK}&school={DONGCHENG}", headers=mine)
    assert DONGCHENG not in page.text and "北京市东城职业学校" not in page.text and "学校位于海淀区" in page.text
    # the commission's endpoints and page are refused to a school
    assert client.get(f"/api/commission/precheck?school={DONGCHENG}&major={OPEN_OK}", headers=mine).status_code == 403
    assert client.get(f"/commission/precheck?school={DONGCHENG}&major={OPEN_OK}", headers=mine).status_code == 403
    # and nothing without a token
    assert client.get(f"/api/school/precheck?major={OPEN_OK}").status_code == 401


def test_bad_requests_get_plain_chinese_answers(site):
    _, client, creds = site
    staff = _bearer(creds["commission"])
    missing = client.get(f"/api/commission/precheck?school=0000000&major={OPEN_OK}", headers=staff)
    assert missing.status_code == 404 and "0000000" in missing.json()["detail"]
    empty = client.get("/api/school/precheck", headers=_bearer(creds[HAIDIAN]))
    assert empty.status_code == 422 and "专业代码" in empty.json()["detail"]
    too_long = client.get("/api/school/precheck?major=" + "1" * 40, headers=_bearer(creds[HAIDIAN]))
    assert too_long.status_code == 422
    form = client.get("/school/precheck", headers=_bearer(creds[HAIDIAN]))
    assert form.status_code == 200 and 'id="verdict"' not in form.text and '<label for="major">' in form.text


def test_an_edition_without_its_policy_cannot_be_prechecked(tmp_path, monkeypatch):
    from tests import portal_fixtures

    monkeypatch.setattr(portal_fixtures, "_policy_record", lambda: None)  # an edition from before policies were kept
    home = portal_fixtures.build_home(tmp_path).root
    client = TestClient(create_app(home))
    token = tokens.issue(home, school="0110001")
    answer = client.get("/api/school/precheck?major=510201", headers=_bearer(token))
    assert answer.status_code == 503 and "评分政策" in answer.json()["detail"]
