"""`make bench`: every benchmark in one run, so their figures can be compared as ratios.

Each benchmark is a script that prints its own figures; this runs them one after the other in
fresh processes (so one's memory does not colour the next) and stops at the first failure.
"""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = [
    ["benchmarks/bench_contracts.py", "--postings", "1000000"],
    ["benchmarks/bench_classifier.py", "200000"],
    ["benchmarks/bench_pipeline.py", "--scales", "1", "5"],
    ["benchmarks/bench_portal.py"],
    ["benchmarks/bench_documents.py", "--home", "var"],
]


def main() -> int:
    for command in BENCHMARKS:
        print(f"\n=== {' '.join(command)}", flush=True)
        module = command[0].removesuffix(".py").replace("/", ".")
        proc = subprocess.run([sys.executable, "-m", module, *command[1:]])
        if proc.returncode != 0:
            return proc.returncode
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
