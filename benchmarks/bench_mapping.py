"""The mapping proposers' quality and cost on real data: recall@10 on the MOHRSS 2023 major→occupation guide.

Protocol (as tests/test_ml_mapping_real.py): the guide's 高职专科 sheet (680 majors, 3,251 pairs), five folds by
major (KFold, shuffled, seed 0); each held-out major has every pair hidden from training; recall@10 = the share
of its true occupations among its top ten, averaged over majors; MRR of its best-ranked true occupation.
Three settings: the names only (the inputs the earlier measurement had), with the 大典's definitions, and with
the definitions and the guide's 中职 and 职教本科 sheets as further training pairs (as a run has them: the
pipeline trains on every level's pairs), only 高职专科 majors held out and scored. The industry proposer has no
real correspondence to be measured on (the MOE table of industry codes is not machine-readable), so it is
reported on the bundled sample's inbox, the figure ``majorwatch evaluate`` prints.

``--results benchmarks/results`` puts its section in results.md and the key ``mapping`` in results.json.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import polars as pl

from benchmarks.reference_mapping import SHEETS, ReferenceMissing, frames
from benchmarks.sections import put_section
from ml.mapping import evaluate_mapping, fit_mapping_proposer

HEADING = "Mapping proposers (real 高职专科 guide)"


def _timed(fn, *args, **kwargs):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    return out, round(time.perf_counter() - wall, 1), round(time.process_time() - cpu, 1)


def occupation_settings(seed: int = 0) -> dict[str, dict]:
    out = {}
    for key, levels, definitions in (("names_only", ("高职专科",), False), ("definitions", ("高职专科",), True),
                                     ("definitions_all_sheets", tuple(SHEETS), True)):
        majors, pairs, occupations = frames(levels, definitions)
        among = majors.filter(pl.col("level") == "高职专科")["major_code"].to_list()
        metrics, wall, cpu = _timed(evaluate_mapping, majors, pairs, occupations, folds=5, seed=seed, among=among)
        _, fit_wall, fit_cpu = _timed(fit_mapping_proposer, majors, pairs, occupations, seed=seed)
        out[key] = {**metrics, "cv_wall_s": wall, "cv_cpu_s": cpu, "fit_wall_s": fit_wall, "fit_cpu_s": fit_cpu,
                    "training_majors": pairs["major_code"].n_unique()}
        print(key, out[key], flush=True)
    return out


def industry_on_sample(seed: int = 0) -> dict:
    from sample_data.catalog import industries_frame, major_industry_frame, majors_frame

    majors = majors_frame(seed).rename({"专业代码": "major_code", "专业名称": "major_name", "层次": "level",
                                        "专业大类": "category_name", "专业类": "class_name", "职业面向": "description"})
    pairs, industries = major_industry_frame(seed), industries_frame()
    metrics, wall, cpu = _timed(evaluate_mapping, majors, pairs, industries, folds=5, seed=seed)
    return {**metrics, "cv_wall_s": wall, "cv_cpu_s": cpu}


def section(report: dict) -> str:
    names = {"names_only": "names and 职业面向 only (the earlier inputs)",
             "definitions": "+ the 大典's definitions and 主要工作任务",
             "definitions_all_sheets": "+ definitions, 中职 and 职教本科 sheets also train"}
    lines = [f"## {HEADING}", "",
             "Five folds by major, seed 0, 高职专科 majors held out (all their pairs hidden) and scored. "
             "CPU seconds of this process (the folds run one after another).", "",
             "| occupation proposer | majors scored | training majors | recall@10 | MRR | CV CPU s | final fit CPU s |",
             "|---|---|---|---|---|---|---|"]
    for key, label in names.items():
        m = report["occupation"][key]
        lines.append(f"| {label} | {m['n_majors']} | {m['training_majors']} | {m['recall_at_10']:.3f} | "
                     f"{m['mrr']:.3f} | {m['cv_cpu_s']} | {m['fit_cpu_s']} |")
    i = report["industry_sample"]
    lines += ["", f"Industry proposer (no real correspondence exists; bundled sample, {i['n_majors']} majors, "
              f"{i['n_pairs']} pairs): recall@10 {i['recall_at_10']:.3f}, MRR {i['mrr']:.3f}, CV CPU {i['cv_cpu_s']} s.",
              ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, help="e.g. benchmarks/results: write its section there")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    industry = industry_on_sample(args.seed)
    print("industry on the sample", industry, flush=True)
    try:
        report = {"occupation": occupation_settings(args.seed), "industry_sample": industry}
    except ReferenceMissing as exc:  # a checkout without ../shared: say so, keep the other benchmarks going
        print(f"REFERENCE DATA MISSING, mapping benchmark skipped: {exc}")
        return 0
    text = section(report)
    print(text)
    if args.results:
        put_section(args.results, "mapping", HEADING, report, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
