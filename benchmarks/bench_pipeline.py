"""The whole job (ingest → contracts → models → scores → publication) at several sample scales.

    .venv/bin/python -m benchmarks.bench_pipeline [--scales 1 5 10]

Each scale runs `majorwatch run` in a fresh process on a fresh home and reports wall time, the
child's peak memory and the ratio to scale 1 (compare ratios, machines are noisy).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sample_data.generator import write_sample_inbox


def run_once(scale: int, root: Path) -> tuple[float, float, dict[str, int]]:
    inbox = root / f"inbox-{scale}"
    counts = write_sample_inbox(inbox, scale=scale)
    home = root / f"home-{scale}"
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "run", "--inbox", str(inbox), "--home", str(home), "--quiet"],
        capture_output=True, text=True,
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"scale {scale} failed:\n{proc.stderr[-3000:]}")
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return wall, peak, counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 5, 10])
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for scale in args.scales:
            wall, peak, counts = run_once(scale, Path(tmp))
            results.append((scale, wall, peak, counts))
            print(f"scale {scale:>3}: {wall:7.1f} s, peak RSS ≤ {peak:,.0f} MB, "
                  f"{counts['school_majors']:,} offerings-years, {counts['job_postings']:,} postings", flush=True)
    base = results[0][1]
    for scale, wall, _, counts in results[1:]:
        rows = counts["job_postings"] / results[0][3]["job_postings"]
        print(f"scale {scale} / scale {results[0][0]}: time × {wall / base:.2f} for postings × {rows:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
