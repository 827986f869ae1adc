"""Schemathesis over the portal's OpenAPI description with a school token (issue 14, multi-tenant).

Every documented operation is called with generated and boundary values (schemathesis' coverage phase,
then a fixed, derandomized number of fuzzed cases) over HTTP on a loopback port (uvicorn, as in
production, so its request parsing is fuzzed too). Each answer must
match the description (status code, content type, headers, body schema), never be a 5xx, and never
contain another school's code or name, whatever the request names.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import warnings
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

with warnings.catch_warnings():  # starlette's notice about httpx, raised at import time
    warnings.filterwarnings("ignore", message=".*httpx.*")
    from portal import tokens
    from portal.app import create_app
from tests.portal_fixtures import SCHOOL_A, SCHOOL_NAMES, build_home, running_server

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

MAX_EXAMPLES = 60           # fuzzed cases per operation, after the coverage phase's boundary cases
OTHER_SCHOOLS = {code: name for code, name in SCHOOL_NAMES.items() if code != SCHOOL_A}
DOWNLOAD = "GET /downloads/{edition}/{file_name}"
CASES: Counter[str] = Counter()       # cases sent per documented operation (the report's figures)
STATUSES: Counter[tuple[str, int]] = Counter()


# The home, the token and the app exist at import: schemathesis builds its boundary cases at collection,
# with the token already in them (and pytest 9 broke its lazy `from_fixture` loader, which reads a
# removed `Function._nodeid`). The folder is removed when the test process ends.
HOME = build_home(Path(tempfile.mkdtemp(prefix="majorwatch-fuzz-"))).root
atexit.register(shutil.rmtree, HOME, ignore_errors=True)
TOKEN = tokens.issue(HOME, school=SCHOOL_A)
APP = create_app(HOME, signin_limit=1_000_000)
schema = schemathesis.openapi.from_dict(APP.openapi())    # the description the portal serves
# The portal ignores query parameters it does not document (on purpose: a parameter naming another school
# changes nothing), so an unknown parameter is not "negative data" it must refuse.
schema.config.generation.update(allow_extra_parameters=False)


@schema.auth()
class SchoolToken:
    """School A's token on every case, except those where schemathesis tests a request without it."""

    def get(self, case, context):
        return TOKEN

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@pytest.fixture(scope="module")
def base_url():
    with running_server(APP) as url:       # 127.0.0.1 only
        yield url


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=timedelta(seconds=2), derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_a_school_token_gets_documented_answers_and_nothing_of_another_school(case, base_url):
    response = case.call_and_validate(base_url=base_url, timeout=10)
    CASES[case.operation.label] += 1
    STATUSES[case.operation.label, response.status_code] += 1
    assert response.status_code < 500
    body = response.content.decode("utf-8", errors="replace")
    leaked = [f"{code} {name}" for code, name in OTHER_SCHOOLS.items() if code in body or name in body]
    assert not leaked, f"{case.method} {case.formatted_path} answered another school's data: {leaked}"


def test_the_fuzzing_reached_every_operation():
    """Runs after the fuzz test (same module, same worker): every documented operation was called."""
    if not CASES:
        pytest.skip("the fuzz test did not run in this session (selected alone)")
    # under pytest-xdist schemathesis' plugin collects one item for the first operation only: `make test`
    # runs this module in its own process (-p no:xdist); this assertion is what notices if that changes
    assert set(CASES) == {result.ok().label for result in schema.get_all_operations()}
    # the documented examples reached real answers: the school's own data, a public file, and the refusal
    # of the commission's file
    for label, status in [("GET /api/school", 200), ("GET /api/school/majors/{major_code}", 200),
                          (DOWNLOAD, 200), (DOWNLOAD, 403), ("GET /api/commission", 403)]:
        assert STATUSES[label, status], f"no {status} answer to {label}"
    print(f"\nschemathesis: {sum(CASES.values())} cases; per operation {dict(CASES)}; "
          f"statuses {sorted(STATUSES.items())}")
