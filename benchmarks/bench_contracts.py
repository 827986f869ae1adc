"""How fast the job_postings contract runs on millions of rows: DuckDB engine vs great-expectations/pandas.

    .venv/bin/python -m benchmarks.bench_contracts [--postings 1000000] [--ge-rows 200000]

Prints the seconds of each stage measured in one run and the ratios between them (machines are
noisy: compare ratios, not seconds). The contract must stay fast on millions of postings, which is
why the engine counts violations in DuckDB and great-expectations only sees small inputs.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from data_contracts.engine import run_contract
from data_contracts.spec import load_contracts
from inbox.readers import read_input
from sample_data.generator import write_sample_inbox
from warehouse.db import connect, query_frame, replace_table


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=int, default=1_000_000)
    parser.add_argument("--ge-rows", type=int, default=200_000)
    args = parser.parse_args(argv)
    contracts = load_contracts()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        scale = max(1, args.postings // 200_000)
        t0 = time.perf_counter()
        write_sample_inbox(tmp / "inbox", scale=scale, postings_per_scale=args.postings // scale)
        gen = time.perf_counter() - t0
        con = connect(tmp / "w.duckdb")
        timings: dict[str, float] = {}
        for name in ("industries",):  # the reference the postings' industry codes are checked against
            result = read_input(tmp / "inbox" / "industries.csv", contracts[name])
            replace_table(con, f"stg_{name}", result.frame)
            run_contract(con, contracts[name], f"stg_{name}", "industries.csv", "bench")
        t0 = time.perf_counter()
        postings = read_input(tmp / "inbox" / "job_postings.parquet", contracts["job_postings"])
        timings["read"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        replace_table(con, "stg_job_postings", postings.frame)
        timings["stage"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        outcome = run_contract(con, contracts["job_postings"], "stg_job_postings", "job_postings.parquet", "bench")
        timings["contract_duckdb"] = time.perf_counter() - t0
        rows = outcome.rows_in
        # the same contract through great-expectations/pandas, on a slice it can still handle
        from data_contracts.ge_runner import validate

        sample = postings.frame.head(args.ge_rows)
        replace_table(con, "stg_ge_slice", sample)
        t0 = time.perf_counter()
        run_contract(con, contracts["job_postings"], "stg_ge_slice", "slice", "bench")
        duck_slice = time.perf_counter() - t0
        refs = {"industry_code": query_frame(con, "SELECT industry_code FROM industries")["industry_code"].to_list()}
        frame = sample.to_pandas()
        validate(frame.head(10), contracts["job_postings"], refs)  # import and warm-up, not timed
        t0 = time.perf_counter()
        report = validate(frame, contracts["job_postings"], refs)
        ge_slice = time.perf_counter() - t0
        con.close()
    print(f"postings: {rows:,} rows (sample generated in {gen:.1f} s), rejected {outcome.rows_rejected:,}")
    for key, seconds in timings.items():
        print(f"  {key:<16} {seconds:7.2f} s   {rows / seconds:12,.0f} rows/s")
    print(f"  slice of {len(sample):,} rows: DuckDB engine {duck_slice:.2f} s, great-expectations/pandas "
          f"{ge_slice:.2f} s (ran={report.ran}) → GE/DuckDB = {ge_slice / duck_slice:.1f}×")
    print(f"  peak RSS {peak_rss_mb():,.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
