"""What an edition's documents cost: each part timed on a home that has run once, as ratios.

Reads the warehouse tables (read-only) and the edition in force of ``--home``, then writes the documents
into a temporary folder part by part: the report tables, the workbooks, the bulletin's charts and HTML
(with the font subset), and Chromium's PDF. Prints seconds per part and each part's share of the whole,
plus the whole against the plain publication (tables as CSV/XLSX/Parquet without documents).

    .venv/bin/python -m benchmarks.bench_documents --home var
    .venv/bin/python -m benchmarks.bench_documents --home /tmp/docs --run-sample --results benchmarks/results

``--run-sample`` first runs the job on the bundled sample inbox (scale 1) in ``--home`` when it has no edition yet,
so that `make bench` measures the documents on a fresh machine too (before, it skipped them there); ``--results``
puts the figures into their own section of ``<results>.md`` and the key "documents" of ``<results>.json``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

import documents as d
from benchmarks.runs import run_cli
from benchmarks.sections import put_section
from documents import bulletin as b
from scoring.catalog import CHINESE_HEADERS
from scoring.edition import edition_facts, latest_year
from scoring.policy import load_policy
from warehouse.db import query_frame
from warehouse.publish import current_edition, publish_edition

PUBLISHED = ("guiding_catalog", "restriction_list", "school_major_scores")
OPTIONAL = ("posting_industry_proposals", "labor_forecasts", "forecast_quality")


HEADING = "Documents: what an edition's documents cost against the plain publication"


def sample_edition(home: Path) -> str:
    """Run the job on the bundled sample inbox (scale 1) in ``home``, a fresh process as `majorwatch run`."""
    from sample_data.generator import write_sample_inbox

    inbox = home / "sample-inbox"
    write_sample_inbox(inbox, scale=1)
    run = run_cli(inbox, home)
    if run.returncode != 0:
        raise SystemExit(f"the sample run in {home} failed (exit {run.returncode}):\n{run.stderr[-2000:]}")
    return f"the bundled sample inbox (scale 1), run for this benchmark in {run.wall:.1f} s"


def markdown(report: dict) -> str:
    """The documents' section of benchmarks/results.md."""
    lines = [f"## {HEADING}", "", f"Measured {report['measured']} on edition {report['edition']} of "
             f"{report['source']}. The plain publication (the three published tables as CSV, XLSX and Parquet) took "
             f"{report['plain_s']:.2f} s.", "", "| part | seconds | share |", "|---|---|---|"]
    lines += [f"| {name} | {seconds:.2f} | {seconds / report['total_s']:.0%} |" for name, seconds in report["parts"].items()]
    lines += [f"| documents in all | {report['total_s']:.2f} | {report['total_s'] / report['plain_s']:.1f} × the plain "
              "publication |", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", default="var")
    parser.add_argument("--run-sample", action="store_true",
                        help="run the job on the bundled sample inbox in --home first if it has no edition")
    parser.add_argument("--results", type=Path, help="write the figures into <results>.md and <results>.json")
    args = parser.parse_args(argv)
    home = Path(args.home)
    source = f"the home {home}"
    edition = current_edition(home / "published")
    if edition is None and args.run_sample:
        source = sample_edition(home)
        edition = current_edition(home / "published")
    if edition is None:
        print(f"跳过：{home} 还没有发布的版次（先运行 majorwatch run --home {home}，或加 --run-sample）")
        return 0
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    present = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    tables = {n: query_frame(con, f'SELECT * FROM "{n}"')  # noqa: S608 - names from a fixed list
              for n in (*d.SOURCE_TABLES, *OPTIONAL) if n in present}
    con.close()
    folder = home / "published" / edition
    tables |= {n: pl.read_parquet(folder / f"{n}.parquet") for n in PUBLISHED}
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    policy = load_policy()
    info = d.EditionInfo.build(edition, edition_facts(latest_year(tables["school_majors"])).as_of, policy)
    times: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        start = time.perf_counter()
        publish_edition(out / "plain", "bench", {n: tables[n] for n in PUBLISHED}, CHINESE_HEADERS,
                        {"inputs": package.get("inputs", [])})
        plain = time.perf_counter() - start
        clock = time.perf_counter()

        def lap(name: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            times[name], clock = now - clock, now

        report = d.report_tables(tables)
        lap("report tables (polars)")
        edition_tables = {**{n: tables[n] for n in PUBLISHED}, **report}
        d.write_catalogs(out, edition_tables, policy, info)
        d.write_province_lists(out, edition_tables, policy, info)
        d.write_matching_report(out, report, info)
        lap("workbooks (xlsxwriter)")
        sections = [b.list_section(edition_tables, None), b.labour_section(edition_tables),
                    b.majors_section(edition_tables, None, list(policy.guidance_precedence)),
                    b.watch_section(edition_tables, policy), b.district_section(edition_tables),
                    b.matching_section(edition_tables), b.provenance_section(package, policy)]
        lap("bulletin sections and charts (matplotlib)")
        page = d.render_html("公报", info.subtitle(), None, [], sections, "页脚")
        (out / "bulletin.html").write_text(page, encoding="utf-8")
        lap("bulletin HTML with font subset (fontTools)")
        d.print_pdf(out / "bulletin.html", out / "bulletin.pdf")
        lap("bulletin PDF (Chromium)")
    total = sum(times.values())
    for name, seconds in times.items():
        print(f"{name:45s} {seconds:7.2f} s  {seconds / total:6.1%}")
    print(f"{'documents in all':45s} {total:7.2f} s  = {total / plain:.0f} × the plain publication ({plain:.2f} s)")
    if args.results:
        report = {"measured": datetime.now(UTC).isoformat(timespec="seconds"), "edition": edition, "source": source,
                  "parts": {n: round(t, 3) for n, t in times.items()}, "total_s": round(total, 3),
                  "plain_s": round(plain, 3)}
        put_section(args.results, "documents", HEADING, report, markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
