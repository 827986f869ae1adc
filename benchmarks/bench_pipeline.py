"""The whole job at several sample scales, as multiples of the floor, in one run.

    .venv/bin/python -m benchmarks.bench_pipeline [--scales 1 10 100 500] [--postings N] [--results benchmarks/results]

Scale 500 is the national inbox: 50,000 schools, about 6 million offering-years and 10 million postings
(20,000 × scale unless ``--postings`` says otherwise; they are generated and written in batches).

For each scale: the sample inbox (``majorwatch sample --scale``), then ``majorwatch run`` on a fresh home
in a fresh process (wall time, the child's own peak RSS, and from the run's event log: launch → first
step, each stage's step time, and what follows the last step), then a second run on the same home with
the same inputs (every model should be reused; at scales 1 and 100 both three times on fresh homes, the median run
reported and every wall time kept), and the floor: DuckDB reading every input once and writing
the published files once (benchmarks/floor.py). Every figure is also given as a multiple of the floor
measured in the same session, since two-core machines shared with others are noisy. With two or more scales
of 10 and above, the growth exponents of time and peak memory between them (benchmarks/growth.py).

Writes ``<results>.md`` (the table) and ``<results>.json`` (the figures, the machine and the commit).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import growth
from benchmarks.floor import floor_seconds
from benchmarks.runs import REPO, broken_copy, run_cli
from sample_data.generator import write_sample_inbox

STAGE_ORDER = ("ingest", "models", "score", "publish")
DATA_PATH = ("ingest", "score", "publish")  # ingest → contracts → scoring → publication, model training apart
FAIL_FAST_SCALES = (1,)  # the acceptance-sized inbox, run again with a blocking contract failure
# scales whose first and second runs are repeated on fresh homes, the median reported: one scale-1 run on a
# shared two-core machine varied from 22.9 to 27.8 s within an hour, more than the target's margin; two scale-100
# runs of the same code ten minutes apart gave ingest -> publication 4.6x and 5.1x the floor (target 5x)
REPEATS = {1: 3, 100: 3}
# issue 13's targets: scale → (label, run, figure, at most)
TARGETS = {
    1: [("first run s", "first_run", "wall_s", 25.0), ("second run s", "second_run", "wall_s", 10.0),
        ("run with a blocking contract failure, s to the error", "fail_fast", "wall_s", 20.0)],
    100: [("first run s", "first_run", "wall_s", 45.0), ("first run peak RSS MB", "first_run", "peak_rss_mb", 2048),
          ("ingest → publication (models apart), × floor", "first_run", "data_path_x_floor", 5.0)],
    500: [("first run peak RSS MB", "first_run", "peak_rss_mb", 4096)],
}


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal")))
    return {"nproc": os.cpu_count(), "memory_gib": round(mem_kb / 1024**2, 1), "cpu_model": cpu,
            "python": platform.python_version(), "load_average_at_start": list(os.getloadavg())}


def commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True).stdout.strip()

    return git("rev-parse", "HEAD") + (" (with uncommitted changes)" if git("status", "--porcelain") else "")


def measure_scale(scale: int, root: Path, postings: int | None = None, keep: Path | None = None) -> dict:
    inbox, home = root / f"inbox-{scale}", root / f"home-{scale}"
    t0 = time.perf_counter()
    counts = write_sample_inbox(inbox, scale=scale, postings=postings)
    generated = time.perf_counter() - t0
    pairs = []
    for i in range(REPEATS.get(scale, 1)):
        home = root / f"home-{scale}-{i}"
        first = run_cli(inbox, home)
        if first.returncode:
            raise SystemExit(f"scale {scale}: the first run failed\n{first.stderr[-3000:]}")
        second = run_cli(inbox, home)
        if second.returncode:
            raise SystemExit(f"scale {scale}: the second run failed\n{second.stderr[-3000:]}")
        pairs.append((first, second, home))
    first, _, home = median_by(pairs, lambda p: p[0].wall)
    second = median_by(pairs, lambda p: p[1].wall)[1]
    failing = run_cli(broken_copy(inbox, root / f"broken-{scale}"), root / f"home-broken-{scale}") \
        if scale in FAIL_FAST_SCALES else None
    if failing is not None and failing.returncode != 1:
        raise SystemExit(f"scale {scale}: the run with a duplicated key exited {failing.returncode}, not 1")
    edition = max((p for p in (home / "published").iterdir() if p.is_dir() and not p.name.startswith(".")),
                  key=lambda p: p.stat().st_mtime)
    floor = floor_seconds(inbox, edition)
    base = floor["floor_s"]
    if keep is not None:  # the median run's editions, for the portal benchmark (the rest goes with ``root``)
        keep.mkdir(parents=True, exist_ok=True)
        shutil.move(home / "published", keep / "published")
        (keep / "ORIGIN").write_text(f"bench_pipeline's scale-{scale} run ({counts.get('job_postings', 0):,} postings)",
                                     encoding="utf-8")

    def run_figures(run) -> dict:
        line = run.timeline
        stages = line.get("stages", {})
        return {"wall_s": round(run.wall, 2), "x_floor": round(run.wall / base, 1),
                "peak_rss_mb": round(run.peak_rss_mb), "to_first_step_s": round(line.get("to_first_step", 0), 2),
                "after_last_step_s": round(line.get("after_last_step", 0), 2),
                "stages_s": {s: stages.get(s, 0.0) for s in STAGE_ORDER},
                "stages_x_floor": {s: round(stages.get(s, 0.0) / base, 1) for s in STAGE_ORDER},
                "data_path_x_floor": round(sum(stages.get(s, 0.0) for s in DATA_PATH) / base, 1),
                "steps_s": line.get("steps", {})}

    reused = [line for line in second.stdout.splitlines() if line.startswith("  = ")]
    return {"scale": scale, "rows": counts, "sample_generated_s": round(generated, 1), "floor": floor,
            "first_run": {**run_figures(first), "repeats_wall_s": [round(p[0].wall, 2) for p in pairs],
                          "repeats_data_path_x_floor": [run_figures(p[0])["data_path_x_floor"] for p in pairs]},
            # an unchanged inbox: the command observes the files and launches no run (nothing is stale)
            "second_run": {**run_figures(second), "launched": bool(second.timeline), "models_reused": len(reused),
                           "models_summary": reused,
                           "x_first_run": round(second.wall / first.wall, 2),
                           "repeats_wall_s": [round(p[1].wall, 2) for p in pairs]},
            **({"fail_fast": {**run_figures(failing), "returncode": failing.returncode}} if failing else {})}


def median_by(items: list, key):
    """The item whose ``key`` is the median (the lower middle one of an even count)."""
    ranked = sorted(items, key=key)
    return ranked[(len(ranked) - 1) // 2]


def verdicts(report: dict) -> list[str]:
    """One line per issue-13 target whose scale was measured: the figure, the target, met or by how much missed."""
    lines = []
    for r in report["scales"]:
        for label, run, figure, limit in TARGETS.get(r["scale"], []):
            if run in r:
                value = r[run][figure]
                verdict = "met" if value <= limit else f"missed by {value / limit:.2f}×"
                lines.append(f"- scale {r['scale']}, {label}: {value:,} against ≤ {limit:,}: {verdict}")
    return lines


def markdown(report: dict) -> str:
    m = report["machine"]
    lines = [
        "# majorwatch benchmark: the whole run as multiples of the floor", "",
        f"Measured {report['when']} on {m['nproc']} cores ({m['cpu_model']}), {m['memory_gib']} GiB, load average "
        f"at start {m['load_average_at_start'][0]:.1f}; commit {report['commit']}. The machine is shared: compare "
        "the ratios within this table, not seconds across runs.", "",
        "Floor = DuckDB reading every input once + writing every published table once (Parquet and CSV). "
        "Stages are the sums of their steps' times from the run's event log; *to first step* is the fixed cost "
        "(interpreter, imports, Dagster start-up) before the first asset starts.", "",
        "| scale | postings | offerings-years | floor s | first run s (× floor) | to first step s | ingest × | "
        "models × | score × | publish × | peak RSS MB | second run s (× floor, × first) | models reused |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in report["scales"]:
        f, s = r["first_run"], r["second_run"]
        x = f["stages_x_floor"]
        lines.append(
            f"| {r['scale']} | {r['rows'].get('job_postings', 0):,} | {r['rows'].get('school_majors', 0):,} | "
            f"{r['floor']['floor_s']:.2f} | {f['wall_s']:.1f} ({f['x_floor']}×) | {f['to_first_step_s']:.1f} | "
            f"{x['ingest']} | {x['models']} | {x['score']} | {x['publish']} | {f['peak_rss_mb']:,} | "
            f"{s['wall_s']:.1f} ({s['x_floor']}×, {s['x_first_run']}×) | "
            f"{str(s['models_reused']) + ' / 4' if s.get('launched', True) else 'no run: nothing stale'} |")
    repeated = [f"scale {r['scale']}: first runs {', '.join(f'{w:.1f}' for w in r['first_run']['repeats_wall_s'])} s"
                + (f" (ingest → publication {', '.join(f'{x}×' for x in r['first_run']['repeats_data_path_x_floor'])} "
                   "the floor)" if r["first_run"].get("repeats_data_path_x_floor") else "")
                + f", second runs {', '.join(f'{w:.1f}' for w in r['second_run']['repeats_wall_s'])} s"
                for r in report["scales"] if len(r["first_run"].get("repeats_wall_s", [])) > 1]
    if repeated:
        lines += ["", "Repeated on fresh homes, the median in the table (the machine is noisy): " + "; ".join(repeated)]
    lines += ["", "Second run, per stage (× floor): " + "; ".join(
        f"scale {r['scale']}: " + ", ".join(f"{k} {v}" for k, v in r["second_run"]["stages_x_floor"].items())
        for r in report["scales"])]
    fails = [f"scale {r['scale']}: {r['fail_fast']['wall_s']:.1f} s to the error (first step at "
             f"{r['fail_fast']['to_first_step_s']:.1f} s, ingest step {r['fail_fast']['stages_s']['ingest']:.1f} s)"
             for r in report["scales"] if "fail_fast" in r]
    if fails:
        lines += ["", "Run with a blocking contract failure (the inbox with one major_industry_map row twice, a fresh "
                  "home): " + "; ".join(fails)]
    lines += ["", "Against issue 13's targets:", *verdicts(report)]
    lines += growth.markdown(report.get("growth", []))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10],
                        help="sample scales (the generator's --scale); 100 or 500 for national-size inboxes")
    parser.add_argument("--postings", type=int, default=None,
                        help="job postings of every scale's inbox (default 20,000 × scale: 10 million at 500)")
    parser.add_argument("--results", type=Path, default=REPO / "benchmarks" / "results",
                        help="write <results>.md and <results>.json")
    parser.add_argument("--keep", nargs=2, metavar=("SCALE", "DIR"),
                        help="keep that scale's published editions in DIR/published (the portal benchmark serves them)")
    args = parser.parse_args(argv)
    keep_scale, keep_dir = (int(args.keep[0]), Path(args.keep[1])) if args.keep else (None, None)
    report = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(), "commit": commit(),
              "scales": []}
    with tempfile.TemporaryDirectory(prefix="majorwatch-bench-") as tmp:
        for scale in args.scales:
            result = measure_scale(scale, Path(tmp), args.postings, keep_dir if scale == keep_scale else None)
            report["scales"].append(result)
            f, s = result["first_run"], result["second_run"]
            print(f"scale {scale:>3}: floor {result['floor']['floor_s']:.2f} s; first run {f['wall_s']:.1f} s "
                  f"({f['x_floor']}× floor, peak {f['peak_rss_mb']} MB); second run {s['wall_s']:.1f} s "
                  f"({s['x_first_run']}× the first, " + (f"{s['models_reused']}/4 models reused)" if s["launched"]
                                                           else "no run launched: nothing stale)"), flush=True)
    report["growth"] = growth.growth(report["scales"])
    args.results.with_suffix(".json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    text = markdown(report)
    args.results.with_suffix(".md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
