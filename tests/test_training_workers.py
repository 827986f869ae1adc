"""The training workers' fork server starts with the run only when no proposer has been trained yet."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PROBE = """
import sys, json, multiprocessing.forkserver as fs
import dagster as dg
from assets.resources import TrainingWorkers
TrainingWorkers(home=sys.argv[1]).setup_for_execution(dg.build_init_resource_context())
started = fs._forkserver._forkserver_pid is not None
preloaded = list(fs._forkserver._preload_modules)
print(json.dumps({"started": started, "preloaded": preloaded}))
"""


def _probe(home: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", PROBE, str(home)], cwd=REPO, capture_output=True, text=True,
                          check=True, timeout=120)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_home_without_trained_proposers_warms_the_fork_server_up(tmp_path):
    assert _probe(tmp_path / "home") == {"started": True, "preloaded": ["ml.mapping"]}


def test_a_home_with_a_trained_proposer_does_not(tmp_path):
    record = tmp_path / "home" / "models" / "mapping_industry" / "mapping_industry.json"
    record.parent.mkdir(parents=True)
    record.write_text("{}", encoding="utf-8")
    assert _probe(tmp_path / "home")["started"] is False
