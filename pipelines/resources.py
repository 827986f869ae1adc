"""Resources: where the warehouse and the inbox are. Paths come from the environment at run time."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from warehouse.db import Warehouse
from warehouse.home import Home


class Inbox(dg.ConfigurableResource):
    """The folder of input files for this run (default: the home folder's inbox/)."""

    path: str = ""

    def folder(self, home: Home) -> Path:
        return Path(self.path).expanduser().resolve() if self.path else home.inbox


class PolicyFile(dg.ConfigurableResource):
    """The scoring policy (YAML) in force; empty = the policy shipped in scoring/policy.yaml."""

    path: str = ""

    def load(self):
        from scoring.policy import load_policy

        return load_policy(Path(self.path) if self.path else None)


def resources() -> dict:
    return {
        "warehouse": Warehouse(home=dg.EnvVar("MAJORWATCH_HOME")),
        "inbox": Inbox(path=dg.EnvVar("MAJORWATCH_INBOX")),
        "policy": PolicyFile(),
    }
