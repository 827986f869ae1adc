"""`make bench`: every benchmark in one run, so their figures can be compared as ratios.

Each benchmark is a script that prints its own figures; this runs them one after the other in
fresh processes (so one's memory does not colour the next) and stops at the first failure.
``--scales`` goes to bench_pipeline (default 1 10; e.g. ``make bench SCALES="1 10 100 500"``, 500 being the
national inbox of 10 million postings), which writes
benchmarks/results.md and benchmarks/results.json. With scale 100 among them, that run's published editions
are kept (in a scratch folder removed at the end) and the portal benchmark serves them: issue 13 asks for the
school JSON's latency with the scale-100 edition. The documents are measured on the bundled sample's edition,
run for them in the scratch folder (so a fresh machine measures them too).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

PORTAL_SCALE = "100"  # issue 13: the portal's school JSON is measured on the scale-100 edition
PORTAL_SCHOOLS = "1000"  # distinct schools the clients ask for (each school's first answer is timed apart: cold)


def benchmarks(scales: list[str], scratch: Path) -> list[list[str]]:
    """The commands in order; with scale 100 among ``scales`` the pipeline keeps that edition in ``scratch`` and
    the portal serves it, otherwise the portal builds its sample-sized fixture."""
    keep = PORTAL_SCALE in scales
    edition_home = scratch / "portal-home"
    return [
        ["benchmarks/bench_startup.py", "--repeat", "3"],
        ["benchmarks/bench_pipeline.py", "--scales", *scales, *(["--keep", PORTAL_SCALE, str(edition_home)] if keep else [])],
        ["benchmarks/bench_contracts.py", "--postings", "1000000"],
        ["benchmarks/bench_classifier.py", "200000"],
        ["benchmarks/bench_mapping.py", "--results", "benchmarks/results"],
        ["benchmarks/bench_portal.py", "--results", "benchmarks/results",
         *(["--home", str(edition_home), "--schools", PORTAL_SCHOOLS] if keep else [])],
        ["benchmarks/bench_documents.py", "--home", str(scratch / "documents-home"), "--run-sample",
         "--results", "benchmarks/results"],
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="every benchmark in one run")
    parser.add_argument("--scales", nargs="+", default=["1", "10"])
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="majorwatch-bench-all-") as scratch:
        for command in benchmarks(args.scales, Path(scratch)):
            print(f"\n=== {' '.join(command)}", flush=True)
            module = command[0].removesuffix(".py").replace("/", ".")
            proc = subprocess.run([sys.executable, "-m", module, *command[1:]])
            if proc.returncode != 0:
                return proc.returncode
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
