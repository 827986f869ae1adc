"""`make bench`: every benchmark in one run, so their figures can be compared as ratios.

Each benchmark is a script that prints its own figures; this runs them one after the other in
fresh processes (so one's memory does not colour the next) and stops at the first failure.
``--scales`` goes to bench_pipeline (default 1 10; e.g. ``make bench SCALES="1 10 100 500"``, 500 being the
national inbox of 10 million postings), which writes
benchmarks/results.md and benchmarks/results.json.
"""

from __future__ import annotations

import argparse
import subprocess
import sys


def benchmarks(scales: list[str]) -> list[list[str]]:
    return [
        ["benchmarks/bench_startup.py", "--repeat", "3"],
        ["benchmarks/bench_pipeline.py", "--scales", *scales],
        ["benchmarks/bench_contracts.py", "--postings", "1000000"],
        ["benchmarks/bench_classifier.py", "200000"],
        ["benchmarks/bench_portal.py", "--results", "benchmarks/results"],
        ["benchmarks/bench_documents.py", "--home", "var"],
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="every benchmark in one run")
    parser.add_argument("--scales", nargs="+", default=["1", "10"])
    args = parser.parse_args(argv)
    for command in benchmarks(args.scales):
        print(f"\n=== {' '.join(command)}", flush=True)
        module = command[0].removesuffix(".py").replace("/", ".")
        proc = subprocess.run([sys.executable, "-m", module, *command[1:]])
        if proc.returncode != 0:
            return proc.returncode
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
