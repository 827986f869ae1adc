"""The benchmark's floor reads every input once (whatever its format) and writes every published table once;
the growth exponents between scales, from made-up run records."""

from __future__ import annotations

import math

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmarks.floor import floor_seconds
from benchmarks.growth import exponent, growth
from benchmarks.growth import markdown as growth_markdown
from tests.handmade_inbox import write_handmade_inbox


def test_the_floor_reads_every_input_row_and_writes_every_published_row(tmp_path):
    inbox = write_handmade_inbox(tmp_path / "inbox")           # UTF-8 with BOM, GB18030, and Excel inputs
    expected_in = 0
    for path in inbox.iterdir():
        if path.suffix == ".xlsx":
            expected_in += pl.read_excel(path).height
        elif path.suffix == ".csv":
            expected_in += pl.read_csv(path, infer_schema=False, encoding="utf8-lossy").height
        elif path.suffix == ".parquet":
            expected_in += pl.read_parquet(path).height
    edition = tmp_path / "edition"
    edition.mkdir()
    pl.DataFrame({"major_code": ["510201", "510202", "510203"]}).write_parquet(edition / "guiding_catalog.parquet")
    pl.DataFrame({"major_code": ["510201"]}).write_parquet(edition / "restriction_list.parquet")
    floor = floor_seconds(inbox, edition, repeat=1)
    assert floor["rows_in"] == expected_in > 0
    assert floor["rows_out"] == 4
    assert floor["floor_s"] > 0 and abs(floor["floor_s"] - floor["read_inputs_s"] - floor["write_published_s"]) <= 0.002


def _record(scale: int, wall: float, rss: float, fixed: float = 0.0, postings: int | None = None) -> dict:
    rows = {"job_postings": 20000 * scale if postings is None else postings, "school_majors": 1200 * scale}
    return {"scale": scale, "rows": rows,
            "first_run": {"wall_s": wall, "to_first_step_s": fixed, "peak_rss_mb": rss}}


@given(k=st.floats(0.2, 2.0), c=st.floats(1e-4, 10.0), n1=st.integers(1_000, 10**6), factor=st.integers(2, 50))
def test_exponent_recovers_the_power_of_a_power_law(k, c, n1, factor):
    n2 = n1 * factor
    assert exponent(c * n1**k, c * n2**k, n1, n2) == pytest.approx(k, rel=1e-9)


def test_exponent_is_undefined_without_growth_or_with_a_zero_figure():
    assert exponent(1.0, 2.0, 100, 100) is None
    assert exponent(0.0, 2.0, 100, 1000) is None


def test_growth_pairs_consecutive_scales_from_10_and_the_whole_span():
    records = [_record(500, 400.0, 4000.0, fixed=20.0), _record(1, 30.0, 500.0), _record(10, 40.0, 800.0, fixed=20.0),
               _record(100, 100.0, 2000.0, fixed=20.0)]
    rows = growth(records)
    assert [(r["from_scale"], r["to_scale"]) for r in rows] == [(10, 100), (100, 500), (10, 500)]
    first, second, span = rows
    assert first["time_exponent"] == round(math.log(100 / 40) / math.log(10), 3)
    assert first["work_exponent"] == round(math.log(80 / 20) / math.log(10), 3)
    assert second["memory_exponent"] == round(math.log(2.0) / math.log(5), 3)
    assert span["n_from"] == 200_000 and span["n_to"] == 10_000_000 and span["size"] == "job_postings"
    assert span["offering_years_to"] == 600_000


def test_growth_is_taken_against_postings_when_they_are_set_apart_from_the_scale():
    rows = growth([_record(10, 10.0, 100.0, postings=1_000_000), _record(100, 20.0, 100.0, postings=2_000_000)])
    assert rows[0]["time_exponent"] == 1.0 and rows[0]["memory_exponent"] == 0.0


def test_growth_table_and_target_verdict():
    assert growth_markdown(growth([_record(1, 30.0, 500.0), _record(10, 40.0, 800.0)])) == []
    rows = growth([_record(100, 100.0, 2000.0), _record(500, 600.0, 3000.0)])
    text = "\n".join(growth_markdown(rows))
    assert "| 100 → 500 | 2,000,000 → 10,000,000 | 120,000 → 600,000 | 1.11 |" in text
    assert "time exponent from scale 100 to 500: 1.11 against ≤ 1.05: missed by 0.06" in text


def test_the_portal_bench_borrows_a_published_home_without_writing_into_it(tmp_path):
    from benchmarks.bench_portal import borrow, describe
    from portal import tokens
    from tests.portal_fixtures import scale_offerings, set_current, write_edition

    published_home = tmp_path / "run-home"
    offerings, names, catalog = scale_offerings(7, 3)
    write_edition(published_home, "2026", 0, offerings=offerings, names=names, majors=catalog)
    set_current(published_home, "2026")
    before = sorted(p.relative_to(published_home) for p in published_home.rglob("*"))
    issued = borrow(published_home, tmp_path / "bench-home", 5)
    assert list(issued) == sorted(offerings)[:5]  # the current edition's first schools, one token each
    assert all(tokens.verify(tmp_path / "bench-home", token).school_code == school for school, token in issued.items())
    assert sorted(p.relative_to(published_home) for p in published_home.rglob("*")) == before
    assert "edition 2026" in describe(published_home) and "7 schools" in describe(published_home)
    (published_home / "ORIGIN").write_text("bench_pipeline's scale-100 run", encoding="utf-8")
    assert describe(published_home).startswith("edition 2026 from bench_pipeline's scale-100 run: ")


def test_the_broken_copy_repeats_one_key_and_leaves_the_inbox_as_it_was(tmp_path):
    from benchmarks.runs import broken_copy

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    pl.DataFrame({"major_code": ["510201", "510202"], "industry_code": ["C39", "I65"]}).write_csv(
        inbox / "major_industry_map.csv")
    (inbox / "majors.csv").write_text("major_code\n510201\n", encoding="utf-8")
    copy = broken_copy(inbox, tmp_path / "broken")
    table = pl.read_csv(copy / "major_industry_map.csv", infer_schema=False)
    assert table.height == 3 and table.row(0) == table.row(2) == ("510201", "C39")   # codes stay text
    assert pl.read_csv(inbox / "major_industry_map.csv").height == 2
    assert (copy / "majors.csv").read_bytes() == (inbox / "majors.csv").read_bytes()


def test_verdicts_compare_each_measured_figure_with_its_target():
    from benchmarks.bench_pipeline import verdicts

    report = {"scales": [
        {"scale": 1, "first_run": {"wall_s": 30.0}, "second_run": {"wall_s": 9.5}, "fail_fast": {"wall_s": 12.0}},
        {"scale": 100, "first_run": {"wall_s": 45.0, "peak_rss_mb": 2100, "data_path_x_floor": 4.0}},
        {"scale": 10, "first_run": {"wall_s": 99.0}},                                   # no target at scale 10
    ]}
    lines = verdicts(report)
    assert lines == [
        "- scale 1, first run s: 30.0 against ≤ 25.0: missed by 1.20×",
        "- scale 1, second run s: 9.5 against ≤ 10.0: met",
        "- scale 1, run with a blocking contract failure, s to the error: 12.0 against ≤ 20.0: met",
        "- scale 100, first run s: 45.0 against ≤ 45.0: met",
        "- scale 100, first run peak RSS MB: 2,100 against ≤ 2,048: missed by 1.03×",
        "- scale 100, ingest → publication (models apart), × floor: 4.0 against ≤ 5.0: met",
    ]
    assert verdicts({"scales": [{"scale": 1, "first_run": {"wall_s": 20.0}, "second_run": {"wall_s": 5.0}}]})[-1] \
        == "- scale 1, second run s: 5.0 against ≤ 10.0: met"                       # no failing run measured


def test_a_repeated_scale_reports_the_median_run_whole():
    """The first run reported is the median one, with its own stages and peak (not a mix of runs)."""
    from benchmarks.bench_pipeline import median_by

    runs = [{"wall": 27.8, "peak": 1}, {"wall": 22.9, "peak": 2}, {"wall": 25.5, "peak": 3}]
    assert median_by(runs, lambda r: r["wall"]) == {"wall": 25.5, "peak": 3}
    assert median_by(runs[:2], lambda r: r["wall"]) == {"wall": 22.9, "peak": 2}   # an even count: the lower
    assert median_by(runs[:1], lambda r: r["wall"]) == runs[0]


def test_make_bench_serves_the_scale_100_edition_to_the_portal_benchmark(tmp_path):
    """Issue 13 measures the school JSON with the scale-100 edition: with 100 among the scales the pipeline keeps
    that run's editions where the portal benchmark then reads them; without it, the portal builds its fixture."""
    from benchmarks.run_all import benchmarks

    commands = {c[0].rsplit("/", 1)[-1]: c[1:] for c in benchmarks(["1", "100"], tmp_path)}
    kept = commands["bench_pipeline.py"][commands["bench_pipeline.py"].index("--keep") + 1:][:2]
    assert kept == ["100", str(tmp_path / "portal-home")]
    portal = commands["bench_portal.py"]
    assert portal[portal.index("--home") + 1] == str(tmp_path / "portal-home")
    plain = {c[0].rsplit("/", 1)[-1]: c[1:] for c in benchmarks(["1", "10"], tmp_path)}
    assert "--keep" not in plain["bench_pipeline.py"] and "--home" not in plain["bench_portal.py"]


def test_the_portal_load_times_each_first_request_apart_from_the_measured_ones():
    """The warm-up asks for every request once, one at a time, and keeps those latencies (each school's first,
    uncached answer); the measured phase's requests are counted separately and checked for their marker."""
    import asyncio

    from benchmarks.bench_portal import load

    answered: list[bytes] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                break
            path = head.split(b" ", 2)[1]
            answered.append(path)
            body = b'{"school_code":"' + path.rsplit(b"/", 1)[-1] + b'"}'
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            await writer.drain()
        writer.close()

    async def main() -> tuple:
        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        requests = [(f"GET /s/{code} HTTP/1.1\r\nHost: x\r\n\r\n".encode(), f'"school_code":"{code}"'.encode())
                    for code in ("S1", "S2", "S3")]
        warm: list[float] = []
        async with server:
            result = await load(port, requests, clients=2, total=10, seconds=5.0, warm_up=warm)
        return result, warm

    (latencies, failures, wall, _, _), warm = asyncio.run(main())
    assert len(warm) == 3 and all(v > 0 for v in warm)
    assert answered[:3] == [b"/s/S1", b"/s/S2", b"/s/S3"]      # the warm-up: each request once, in order
    assert len(latencies) == 10 and failures == 0 and wall > 0


def test_the_portal_section_states_the_first_answers_when_measured():
    from benchmarks.bench_portal import markdown

    level = {"clients": 1, "throughput_ratio": 2.0,
             "json": {"p50_ms": 1.0, "p99_ms": 2.0, "throughput_rps": 100.0, "server_cpu_ms_per_request": 0.1},
             "static": {"p50_ms": 1.0, "p99_ms": 2.0, "throughput_rps": 50.0, "server_cpu_ms_per_request": 0.2}}
    report = {"measured": "now", "load_average": 0.5, "schools": 1000, "majors_per_school": None, "body_bytes": 10,
              "edition": "edition 2026 of X", "levels": [level], "verdicts": ["ok"],
              "first_answers": {"schools": 1000, "p50_ms": 0.7, "p99_ms": 1.9, "max_ms": 115.1}}
    text = markdown(report)
    assert "1,000 schools, p50 0.7 ms, p99 1.9 ms, max 115.1 ms" in text
    assert "first answer" not in markdown({**report, "first_answers": None})


def test_a_repeated_scale_lists_each_runs_ingest_to_publication_ratio():
    """The ratio that decides the scale-100 target is listed for every repeat, beside the wall times."""
    from benchmarks.bench_pipeline import markdown

    stages = {"ingest": 2.0, "models": 3.0, "score": 1.0, "publish": 1.5}
    first = {"wall_s": 25.2, "x_floor": 9.1, "to_first_step_s": 1.6, "stages_x_floor": stages, "peak_rss_mb": 1710,
             "data_path_x_floor": 5.3, "repeats_wall_s": [24.5, 25.2, 25.3], "repeats_data_path_x_floor": [4.9, 5.3, 5.0]}
    second = {"wall_s": 7.4, "x_floor": 2.7, "x_first_run": 0.29, "models_reused": 4, "stages_x_floor": stages,
              "repeats_wall_s": [7.4, 8.0, 7.0]}
    report = {"when": "now", "commit": "abc", "growth": [],
              "machine": {"nproc": 2, "cpu_model": "cpu", "memory_gib": 23.5, "load_average_at_start": [0.9, 1, 1]},
              "scales": [{"scale": 100, "rows": {"job_postings": 2_000_000, "school_majors": 1_278_088},
                          "floor": {"floor_s": 2.79}, "first_run": first, "second_run": second}]}
    text = markdown(report)
    assert ("scale 100: first runs 24.5, 25.2, 25.3 s (ingest → publication 4.9×, 5.3×, 5.0× the floor), "
            "second runs 7.4, 8.0, 7.0 s") in text
    assert "- scale 100, ingest → publication (models apart), × floor: 5.3 against ≤ 5.0: missed by 1.06×" in text


def test_each_benchmark_replaces_its_own_section_and_keeps_the_others(tmp_path):
    """make bench: the pipeline writes results.md whole, then the portal and the documents each put their section
    in; running the portal benchmark again alone must not cut the documents' section off (it used to keep only
    what stood before its own heading)."""
    import json

    from benchmarks.sections import put_section, replace_section

    base = tmp_path / "results"
    base.with_suffix(".md").write_text("# table\n\n| a |\n|---|\n", encoding="utf-8")
    base.with_suffix(".json").write_text(json.dumps({"scales": {"1": {}}}), encoding="utf-8")
    put_section(base, "portal", "Portal: x", {"p99": 1}, "## Portal: x\n\nfirst portal\n")
    put_section(base, "documents", "Documents: y", {"total": 2}, "## Documents: y\n\ndocs\n")
    put_section(base, "portal", "Portal: x", {"p99": 3}, "## Portal: x\n\nsecond portal\n")
    assert base.with_suffix(".md").read_text(encoding="utf-8") == (
        "# table\n\n| a |\n|---|\n\n## Portal: x\n\nsecond portal\n\n## Documents: y\n\ndocs\n")
    assert json.loads(base.with_suffix(".json").read_text(encoding="utf-8")) == {
        "scales": {"1": {}}, "portal": {"p99": 3}, "documents": {"total": 2}}
    assert replace_section("", "A", "## A\nx") == "## A\nx\n"
    assert replace_section("## A\nold\n## B\nb\n", "A", "## A\nnew") == "## A\nnew\n\n## B\nb\n"
    with pytest.raises(AssertionError):
        put_section(base, "documents", "Documents: y", {}, "no heading\n")


def test_make_bench_measures_the_documents_on_a_sample_edition_it_runs_itself(tmp_path):
    """Before, bench_documents read the developer's `var` and skipped on a fresh machine; now make bench gives it a
    scratch home and --run-sample, and its figures go into results.md."""
    from benchmarks.run_all import benchmarks

    for scales in (["1"], ["1", "100"]):
        documents = {c[0].rsplit("/", 1)[-1]: c[1:] for c in benchmarks(scales, tmp_path)}["bench_documents.py"]
        assert documents[documents.index("--home") + 1] == str(tmp_path / "documents-home")
        assert "--run-sample" in documents and documents[documents.index("--results") + 1] == "benchmarks/results"


def test_the_documents_section_gives_each_part_its_share_and_the_whole_against_the_plain_publication():
    from benchmarks.bench_documents import HEADING, markdown

    text = markdown({"measured": "2026-12-01T04:15:22+00:00", "edition": "2026-draft", "source": "the sample",
                     "parts": {"workbooks (xlsxwriter)": 0.5, "bulletin PDF (Chromium)": 1.5}, "total_s": 2.0,
                     "plain_s": 0.25})
    assert text.startswith(f"## {HEADING}\n")
    assert "| workbooks (xlsxwriter) | 0.50 | 25% |" in text and "| bulletin PDF (Chromium) | 1.50 | 75% |" in text
    assert "| documents in all | 2.00 | 8.0 × the plain publication |" in text
    assert "edition 2026-draft of the sample" in text and "took 0.25 s" in text
