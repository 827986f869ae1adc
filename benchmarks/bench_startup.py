"""The fixed cost of a run: where the seconds go before the first asset starts.

    .venv/bin/python -m benchmarks.bench_startup [--source DIR] [--repeat 3]

Each figure comes from a fresh process (imports are cached per process): importing the definitions,
the heaviest libraries on their own, and the ten slowest imports under ``-X importtime``; then a real
`majorwatch run` on a sample inbox with a blocking contract failure (a duplicated key in
major_industry_map), read back from its event log: launch → Dagster's RUN_START (interpreter, imports,
instance) → the first step → the error. ``--source`` measures another checkout (e.g. the commit before a
change, unpacked with `git archive`), so before/after are measured in one session.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.runs import REPO, broken_copy, run_cli

IMPORTS = {
    "pipelines.definitions": "import pipelines.definitions",
    "dagster": "import dagster",
    "great_expectations": "import great_expectations",
    "sklearn.linear_model": "import sklearn.linear_model",
    "pandas": "import pandas",
}


def import_seconds(statement: str, source: Path, repeat: int) -> float:
    """Median seconds of ``statement`` in a fresh interpreter (``repeat`` interpreters)."""
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    times = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", code], cwd=source, env={"PYTHONPATH": str(source)},
                             capture_output=True, text=True, check=True)
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def slowest_imports(source: Path, top: int = 10) -> list[tuple[str, float]]:
    """The modules with the largest cumulative import time when importing the definitions."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", "import pipelines.definitions"], cwd=source,
                          env={"PYTHONPATH": str(source)}, capture_output=True, text=True, check=True)
    rows = []
    for line in proc.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            name = parts[2].strip()
            if "." not in name and name != "pipelines":  # top-level packages only: who pulls what
                rows.append((name, int(parts[1]) / 1e6))
    return sorted(rows, key=lambda r: -r[1])[:top]


def failing_run(source: Path, root: Path) -> dict:
    """A run on the sample inbox with a duplicated major_industry_map row: seconds to each milestone."""
    from sample_data.generator import write_sample_inbox

    write_sample_inbox(root / "inbox", scale=1)
    run = run_cli(broken_copy(root / "inbox", root / "broken"), root / "home", source=source)
    line = run.timeline
    return {"returncode": run.returncode, "wall_to_error": round(run.wall, 2),
            "to_run_start": round(line.get("to_run_start", float("nan")), 2),
            "to_first_step": round(line.get("to_first_step", float("nan")), 2),
            "ingest_step": line.get("steps", {}).get("ingest_inbox"), "peak_rss_mb": round(run.peak_rss_mb)}


def measure(source: Path, repeat: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="majorwatch-startup-") as tmp:
        return {
            "imports": {name: round(import_seconds(stmt, source, repeat), 3) for name, stmt in IMPORTS.items()},
            "slowest_imports": [(n, round(s, 3)) for n, s in slowest_imports(source)],
            "failing_run": failing_run(source, Path(tmp)),
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=REPO, help="the checkout to measure (default: this one)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    result = measure(args.source.resolve(), args.repeat)
    imports = result["imports"]
    print(f"source {args.source}")
    print(f"  import pipelines.definitions   {imports['pipelines.definitions']:6.2f} s (median of {args.repeat})")
    for name in ("dagster", "great_expectations", "sklearn.linear_model", "pandas"):
        share = imports[name] / imports["pipelines.definitions"]
        print(f"  import {name:<24}{imports[name]:6.2f} s  ({share:.2f}× the definitions' import, on its own)")
    print("  slowest top-level imports under the definitions: "
          + ", ".join(f"{n} {s:.2f} s" for n, s in result["slowest_imports"][:6]))
    run = result["failing_run"]
    print(f"  run with a blocking contract failure: launch → RUN_START {run['to_run_start']} s, → first step "
          f"{run['to_first_step']} s, → error (process exit) {run['wall_to_error']} s (exit {run['returncode']}), "
          f"peak RSS {run['peak_rss_mb']} MB")
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
