"""The data team's UI: `dg dev` (what `make ui` runs) on a free loopback port, read and driven over its GraphQL API.

Reads the jobs, schedules, sensors, groups and blocking checks; launches the full job on a small inbox and
reads the published catalog's metadata back; then breaks one input, launches `refresh_inputs`, and finds
the failed check with its first rejected rows in the run's events and in logs/failures.log (written by the
failure_log sensor that the daemon runs).
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import polars as pl
import pytest

from assets.partitions import inbox_data_year
from tests.handmade_inbox import write_handmade_inbox

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
LOCATION = "pipelines.definitions"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Dagster:
    def __init__(self, port: int):
        self.url = f"http://127.0.0.1:{port}/graphql"

    def query(self, text: str, **variables) -> dict:
        response = httpx.post(self.url, json={"query": text, "variables": variables}, timeout=60)
        response.raise_for_status()
        body = response.json()
        assert "errors" not in body, body
        return body["data"]

    def add_edition(self, key: str) -> None:
        """Add an edition partition, as the data team does in the UI (or the sensor does for a new inbox)."""
        data = self.query(
            "mutation($r: RepositorySelector!, $k: String!) { addDynamicPartition(repositorySelector: $r, "
            'partitionsDefName: "edition", partitionKey: $k) { __typename } }',
            r={"repositoryLocationName": LOCATION, "repositoryName": "__repository__"}, k=key)
        assert data["addDynamicPartition"]["__typename"] == "AddDynamicPartitionSuccess", data

    def launch(self, job: str, partition: str | None = None) -> str:
        tags = [{"key": "dagster/partition", "value": partition}] if partition else []
        data = self.query(
            "mutation($p: ExecutionParams!) { launchRun(executionParams: $p) { __typename "
            "... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }",
            p={"selector": {"repositoryLocationName": LOCATION, "repositoryName": "__repository__", "jobName": job},
               "runConfigData": {}, "executionMetadata": {"tags": tags}})
        assert data["launchRun"]["__typename"] == "LaunchRunSuccess", data
        return data["launchRun"]["run"]["runId"]

    def wait(self, run_id: str, deadline: float) -> str:
        while time.monotonic() < deadline:
            status = self.query("query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }",
                                id=run_id)["runOrError"]["status"]
            if status in ("SUCCESS", "FAILURE", "CANCELED"):
                return status
            time.sleep(1)
        raise TimeoutError(f"run {run_id} did not finish")


@pytest.fixture(scope="module")
def dagster_dev(tmp_path_factory):
    root = tmp_path_factory.mktemp("ui")
    inbox = write_handmade_inbox(root / "inbox")
    home = root / "home"
    subprocess.run([sys.executable, "-c", "import sys; from pipelines.instance import prepare_home; "
                    "prepare_home(sys.argv[1], sys.argv[2])", str(home), str(inbox)], check=True)
    port = free_port()
    env = {**os.environ, "MAJORWATCH_HOME": str(home), "DAGSTER_HOME": str(home / "dagster"),
           "MAJORWATCH_INBOX": str(inbox)}
    log = open(root / "dagster-dev.log", "wb")
    proc = subprocess.Popen([str(Path(sys.executable).with_name("dg")), "dev", "-m", LOCATION,
                             "-h", "127.0.0.1", "-p", str(port)], cwd=root, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    client = Dagster(port)
    deadline = time.monotonic() + 300
    while True:
        try:
            client.query("{ version }")
            break
        except (httpx.HTTPError, AssertionError):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((root / "dagster-dev.log").read_text(errors="replace")[-3000:]) from None
            time.sleep(2)
    yield client, home, inbox
    # the home is thrown away: a short grace for `dagster dev` to stop its webserver and daemon (its own shutdown
    # waits for the daemon's threads, 5-15 s), then the whole process group goes
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=2)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    log.close()


def test_a_fresh_home_opens_the_ui_without_the_community_sign_up_dialog(dagster_dev):
    """Dagster asks a fresh instance's first visitor to join its community and leave an e-mail address, over the
    page; majorwatch's dagster.yaml turns that off (the data team works offline, on the city's machines)."""
    client, _, _ = dagster_dev
    assert client.query("{ shouldShowNux }")["shouldShowNux"] is False


def test_the_ui_shows_jobs_sensors_groups_and_blocking_checks(dagster_dev):
    client, _, _ = dagster_dev
    repo = client.query("{ repositoriesOrError { ... on RepositoryConnection { nodes { jobs { name } "
                        "schedules { name } sensors { name } assetGroups { groupName } } } } }")
    node = repo["repositoriesOrError"]["nodes"][0]
    assert {"majorwatch_job", "refresh_inputs", "score_and_publish", "evaluate_models"} <= {j["name"] for j in node["jobs"]}
    assert {s["name"] for s in node["sensors"]} == {"inbox_sensor", "failure_log"}
    assert [s["name"] for s in node["schedules"]] == ["yearly_catalog"]
    assert {g["groupName"] for g in node["assetGroups"]} == {"inbox", "ingest", "models", "score", "publish"}
    nodes = client.query("{ assetNodes { assetKey { path } assetChecksOrError { ... on AssetChecks { checks { "
                         "name blocking } } } } }")["assetNodes"]
    checks = {c["name"]: c["blocking"] for n in nodes for c in n["assetChecksOrError"]["checks"]}
    assert checks["school_majors_contract"] is True and len(checks) >= 10
    # every check blocks, but the one that names missing years (a warning: a gap is told, never a reason to stop)
    assert {name for name, blocking in checks.items() if not blocking} == {"gaps_named"}


def test_a_ui_launched_run_publishes_and_a_failed_contract_is_named_and_logged(dagster_dev):
    client, home, inbox = dagster_dev
    year = str(inbox_data_year(inbox))  # the edition partition: the inbox's data year
    client.add_edition(year)
    run_id = client.launch("majorwatch_job", year)
    assert client.wait(run_id, time.monotonic() + 600) == "SUCCESS"
    meta = {}
    for key in ("guiding_catalog", "published_edition"):
        asset = client.query(
            f'{{ assetOrError(assetKey: {{path: ["{key}"]}}) {{ ... on Asset {{ assetMaterializations(limit: 1) {{'
            " runId partition metadataEntries { label ... on TextMetadataEntry { text } "
            "... on IntMetadataEntry { intValue } } } } } }")
        materialization = asset["assetOrError"]["assetMaterializations"][0]
        assert materialization["runId"] == run_id and materialization["partition"] == year
        meta |= {e["label"]: e.get("text", e.get("intValue")) for e in materialization["metadataEntries"]}
    assert meta["edition"] == "2026-draft" and meta["dagster/row_count"] == 12 and meta["data_year"] == int(year)
    assert meta["outcome"] == "已发布版本 2026-draft（征求意见稿）" and meta["state"] == "征求意见稿"
    # the UI shows the editions as the partitions of the scoring and publishing assets, each with its checks
    node = client.query('{ assetNodeOrError(assetKey: {path: ["guiding_catalog"]}) { ... on AssetNode { '
                        "isPartitioned partitionKeys } } }")["assetNodeOrError"]
    assert node == {"isPartitioned": True, "partitionKeys": [year]}

    frame = pl.read_csv(inbox / "school_majors.csv", infer_schema=False)
    frame.with_columns(pl.when(pl.int_range(pl.len()) == 2).then(pl.lit("-5")).otherwise(pl.col("enrolled"))
                       .alias("enrolled")).write_csv(inbox / "school_majors.csv")
    failed = client.launch("refresh_inputs")
    assert client.wait(failed, time.monotonic() + 300) == "FAILURE"
    events = client.query(
        "query($id: ID!) { runOrError(runId: $id) { ... on Run { eventConnection { events { __typename "
        "... on AssetCheckEvaluationEvent { evaluation { checkName success severity metadataEntries { label "
        "... on MarkdownMetadataEntry { mdStr } } } } } } } } }", id=failed)
    evaluations = {e["evaluation"]["checkName"]: e["evaluation"]
                   for e in events["runOrError"]["eventConnection"]["events"] if "evaluation" in e}
    failed_check = evaluations["school_majors_contract"]
    assert failed_check["success"] is False and failed_check["severity"] == "ERROR"
    first = {m["label"]: m.get("mdStr") for m in failed_check["metadataEntries"]}["first_rejections"]
    assert "| 4 | enrolled（招生人数） | -5 |" in first
    log = home / "logs" / "failures.log"
    deadline = time.monotonic() + 180                     # the daemon runs the failure_log sensor every 10 s
    while not (log.exists() and failed in log.read_text(encoding="utf-8")) and time.monotonic() < deadline:
        time.sleep(1)
    text = log.read_text(encoding="utf-8")
    assert failed in text and "school_majors_contract" in text and "| 4 | enrolled（招生人数） | -5 |" in text
