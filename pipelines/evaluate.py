"""`majorwatch evaluate`: hold an inbox to its contracts and cross-validate every model on it.

The inbox is ingested by materializing the ingest assets themselves (the `refresh_inputs` selection: raw
store, readers, contracts and their blocking checks) into a throw-away home, and the models are measured
with the same functions and seeds the model assets use, so the figures match the assets' metadata.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path


def ingest_frames(inbox: Path, home: Path) -> tuple[dict, list[str]]:
    """The inbox's inputs as the ingest assets leave them in ``home`` (a throw-away one), or the Chinese reasons
    the ingest failed (a blocking contract check, an unreadable file)."""
    import dagster as dg

    from assets.resources import resources
    from data_contracts.spec import load_contracts
    from pipelines.definitions import defs
    from pipelines.failures import failure_messages
    from warehouse.db import connect, read_frame
    from warehouse.home import Home

    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize(list(defs.assets), selection=dg.AssetSelection.groups("ingest"), instance=instance,
                                resources=resources(home=str(home), inbox=str(inbox)), raise_on_error=False)
        if not result.success:
            return {}, failure_messages(instance, result.run_id) or ["读入收件箱失败"]
    con = connect(Home(home).warehouse, read_only=True)
    try:
        return {name: read_frame(con, name) for name in load_contracts()}, []
    finally:
        con.close()


def evaluate_inbox(inbox: Path, as_json: bool = False, seed: int = 0, home: Path | None = None) -> int:
    """Print the models' measures on ``inbox``; with ``home``, the back-test takes the flags of the final editions
    published there for their years."""
    from ml.evaluate import evaluate_all, format_report
    from warehouse.editions import published_flags

    if not inbox.is_dir():
        print(f"错误：收件箱文件夹不存在：{inbox}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="majorwatch-eval-") as tmp:
        frames, problems = ingest_frames(inbox, Path(tmp))
    if problems:
        print("数据契约未通过，无法评估：\n" + "\n".join(problems), file=sys.stderr)
        return 1
    published = published_flags(Path(home) / "published") if home is not None else None
    metrics = evaluate_all(frames, seed=seed, published=published)
    if as_json:
        print(json.dumps(metrics, ensure_ascii=False, indent=2, default=str))
    else:
        print(format_report(metrics))
    return 0
