"""`majorwatch evaluate`: hold an inbox to its contracts and cross-validate every model on it.

The inbox goes through the same ingest code as a run (raw store, readers, contracts) into a
throw-away warehouse, and the models are measured with the same functions and seeds the model
assets use, so the figures match the assets' metadata.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from data_contracts.spec import load_contracts
from inbox.ingest import ingest_input
from warehouse.db import connect, read_frame
from warehouse.errors import InputError


def evaluate_inbox(inbox: Path, as_json: bool = False, seed: int = 0) -> int:
    from ml.evaluate import evaluate_all, format_report

    if not inbox.is_dir():
        print(f"错误：收件箱文件夹不存在：{inbox}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="majorwatch-eval-") as tmp:
        con = connect(Path(tmp) / "evaluate.duckdb")
        try:
            for contract in load_contracts().values():
                try:
                    done = ingest_input(con, inbox, contract, Path(tmp) / "raw", "evaluate")
                except InputError as exc:
                    print(f"错误：{exc}", file=sys.stderr)
                    return 1
                if not done.outcome.passed:
                    print("数据契约未通过，无法评估：\n" + done.outcome.message(), file=sys.stderr)
                    return 1
            frames = {name: read_frame(con, name) for name in load_contracts()}
        finally:
            con.close()
    metrics = evaluate_all(frames, seed=seed)
    if as_json:
        print(json.dumps(metrics, ensure_ascii=False, indent=2, default=str))
    else:
        print(format_report(metrics))
    return 0
