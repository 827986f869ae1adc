"""Every figure a person reads is a published table's: the numbers of bulletin.html and of the commission's
overview are read back and each is found equal to the table it comes from; the watch list is one table,
told the same by the catalog, the bulletin and the portal (on the published sample edition)."""

from __future__ import annotations

import json
import re
import warnings
from html import unescape

import polars as pl
import pytest

from portal import tokens
from portal.app import create_app
from scoring.counts import count_of, counts_of
from scoring.palette import WARNING_ORDER
from scoring.policy import load_policy
from tests.shared_homes import copy_run

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx.*")
    from fastapi.testclient import TestClient

pytestmark = pytest.mark.slow
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?%?")


def numbers(text: str) -> list[str]:
    return NUMBER.findall(text)


def cells(html: str) -> list[list[str]]:
    return [[unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", html, re.S) if "<td" in row]


@pytest.fixture(scope="module")
def own(sample_published, tmp_path_factory):
    """A copy of the shared home (a token and the Dagster instance's reads write into a home)."""
    return copy_run(sample_published, tmp_path_factory.mktemp("figures"))


@pytest.fixture(scope="module")
def portal(own):
    """The commission's client."""
    home = own.home
    client = TestClient(create_app(home, secure_cookies=False))
    return client, {"Authorization": f"Bearer {tokens.issue(home, commission=True)}"}


@pytest.fixture(scope="module")
def edition(sample_published):
    folder = sample_published.home / "published" / "2026-draft"
    page = re.sub(r"<style.*?</style>|<svg.*?</svg>|<script.*?</script>", "",
                  (folder / "bulletin.html").read_text(encoding="utf-8"), flags=re.S)
    sections = {re.search(r"<h2>(.*?)</h2>", s).group(1): s for s in re.findall(r"<section>(.*?)</section>", page, re.S)}
    paragraphs = {title: [unescape(re.sub(r"<[^>]+>", "", p)) for p in re.findall(r"<p>(.*?)</p>", s, re.S)]
                  for title, s in sections.items()}
    summary = unescape(re.sub(r"<[^>]+>", "", re.search(r'<div class="summary">(.*?)</div>', page, re.S).group(1)))
    tables = {name: pl.read_parquet(path) for name in (
        "guiding_catalog", "restriction_list", "school_major_scores", "edition_counts", "watch_list",
        "district_summary", "matching_scores", "industry_adjustments") for path in [folder / f"{name}.parquet"]}
    return folder, sections, paragraphs, summary, tables


def test_the_summary_and_the_majors_section_are_the_published_counts(edition):
    _, _, paragraphs, summary, t = edition
    counts = t["edition_counts"]
    city = t["matching_scores"].filter(pl.col("unit_type") == "全市")["match"][0]
    assert numbers(summary)[:4] == [str(count_of(counts, "guiding_catalog", "total")),
                                    str(count_of(counts, "guiding_catalog", "warning_level", "红")),
                                    str(count_of(counts, "restriction_list", "total")), f"{city * 100:.1f}%"]
    levels = counts_of(counts, "guiding_catalog", "warning_level")
    guidance = counts_of(counts, "guiding_catalog", "guidance")
    order = [g for g in load_policy().guidance_precedence if guidance.get(g)]
    majors = paragraphs["三、专业预警与指导类别"][0]
    assert numbers(majors) == [str(count_of(counts, "guiding_catalog", "total")),
                               *[str(levels.get(lv, 0)) for lv in WARNING_ORDER], *[str(guidance[g]) for g in order]]
    # and those counts are the catalog's own (the output check holds this in the run too)
    assert count_of(counts, "guiding_catalog", "total") == t["guiding_catalog"].height
    assert levels == dict(t["guiding_catalog"].group_by("warning_level").len().iter_rows())


def test_the_watch_list_is_one_table_told_the_same_everywhere(edition, portal):
    _, sections, paragraphs, _, t = edition
    watch, catalog = t["watch_list"], t["guiding_catalog"]
    on_watch = catalog.filter(pl.col("certainty") == "临界")["major_code"].sort().to_list()
    assert watch.height >= 1, "the sample edition has a 临界 major: the agreement below must not be 0 = 0"
    assert sorted(watch["major_code"]) == on_watch
    assert count_of(t["edition_counts"], "guiding_catalog", "certainty", "临界") == watch.height
    said = paragraphs["四、临界专业观察名单"][0]
    assert re.search(r"共 (\d+) 个", said).group(1) == str(watch.height)
    assert [row[0] for row in cells(sections["四、临界专业观察名单"])] == watch["major_code"].head(25).to_list()
    client, auth = portal
    assert client.get("/api/commission", headers=auth).json()["watch"] == watch.height
    page = client.get("/commission", headers=auth).text
    assert re.search(r'id="watch-count"[^>]*>(\d+)<', page).group(1) == str(watch.height)


def test_the_districts_section_is_the_district_table(edition):
    _, sections, paragraphs, _, t = edition
    d = t["district_summary"]
    rows = [[r["district"], str(r["schools"]), str(r["offerings"]), f"{r['enrolled']:,.0f}", str(r["flagged"]),
             str(r["n_红"]), str(r["n_黄"])] for r in d.iter_rows(named=True)]
    assert cells(sections["五、各区专业布点"]) == rows
    assert numbers(paragraphs["五、各区专业布点"][0]) == [
        str(d["schools"].sum()), str(d["offerings"].sum()), f"{d['enrolled'].sum():,.0f}", str(d["flagged"].sum())]
    assert d["offerings"].sum() == count_of(t["edition_counts"], "school_major_scores", "total")


def test_the_list_section_counts_the_published_list(edition):
    _, _, paragraphs, _, t = edition
    adj = t["industry_adjustments"]
    by = adj.group_by("category").len()
    said = numbers(paragraphs["一、行业产业动态调整"][0])
    assert said[0] == str(adj.height) and sorted(said[1:]) == sorted(str(n) for n in by["len"])


def test_the_commission_overview_is_the_published_counts(edition, portal):
    _, _, _, _, t = edition
    counts = t["edition_counts"]
    client, auth = portal
    got = client.get("/api/commission", headers=auth).json()
    assert (got["majors"], got["offerings"], got["restrictions"]) == (
        count_of(counts, "guiding_catalog", "total"), count_of(counts, "school_major_scores", "total"),
        count_of(counts, "restriction_list", "total"))
    assert {c["value"]: c["count"] for c in got["by_warning_level"]} == \
        {k: v for k, v in counts_of(counts, "guiding_catalog", "warning_level").items() if v}
    assert {c["value"]: c["count"] for c in got["by_guidance"]} == \
        {k: v for k, v in counts_of(counts, "guiding_catalog", "guidance").items() if v}
    page = client.get("/commission", headers=auth).text
    big = [int(n) for n in re.findall(r'<p class="big">(\d+)</p>', page)]
    assert big == [count_of(counts, "guiding_catalog", "total"), got["schools"]]
    assert got["schools"] == t["school_major_scores"]["school_code"].n_unique()
    level_links = re.findall(r'href="/commission/majors\?warning_level=[^"]+">(\d+)</a>', page)
    assert [int(n) for n in level_links] == [c["count"] for c in got["by_warning_level"]]


def test_the_manifest_lists_every_figure_table(edition):
    folder, *_ = edition
    names = {r["name"] for r in json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))["resources"]}
    assert {"edition_counts-parquet", "watch_list-parquet", "district_summary-parquet"} <= names


def test_the_edition_is_the_partition_of_its_materializations_and_checks(own, edition):
    """The run kept its edition as a Dagster partition (the data year): the UI lists it, and the scoring and
    publishing materializations and their output checks are filed under it; the facts name the same year."""
    import dagster as dg

    folder, *_ = edition
    as_of = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))["as_of"]
    with dg.DagsterInstance.from_config(str(own.home / "dagster")) as instance:
        assert instance.get_dynamic_partitions("edition") == [as_of[:4]]
        for key in ("edition_facts", "major_risk_scores", "guiding_catalog", "published_edition"):
            event = instance.get_latest_materialization_event(dg.AssetKey(key))
            assert event.dagster_event.partition == as_of[:4], key
        facts = instance.get_latest_materialization_event(dg.AssetKey("edition_facts")).asset_materialization
        assert facts.metadata["as_of"].value == as_of and facts.metadata["edition"].value == "2026"


def test_every_warehouse_table_is_an_asset_or_a_record_of_ingest(own):
    """No staging table (stg_*) outlives its step: what persists in the warehouse is an asset's table or
    one of ingest's records (input files, contract results, rejected rows)."""
    import duckdb

    from pipelines.definitions import defs

    con = duckdb.connect(str(own.home / "warehouse.duckdb"), read_only=True)
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                            "WHERE table_schema = 'main'").fetchall()}
    finally:
        con.close()
    assets = {key.path[-1] for key in defs.resolve_asset_graph().get_all_asset_keys()}
    assert not {t for t in tables if t.startswith("stg_")}
    assert tables - assets <= {"input_files", "contract_results", "rejected_rows"}, tables - assets


def tables_of(section: str) -> list[tuple[list[str], list[list[str]]]]:
    """Each table of a section: its headers and its rows of cells."""
    return [([unescape(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", t, re.S)], cells(t))
            for t in re.findall(r"<table>(.*?)</table>", section, re.S)]


def ratio(text: str) -> float:
    return float(text.replace(",", ""))


def test_each_channel_the_bulletin_prints_is_the_channel_table_and_every_ratio_is_demand_over_supply(edition):
    """Issue 29: the channels' figures and coverage in the 人才供需 section are the published channel tables; every
    求人倍率 printed in a table is its row's 需求人数 ÷ 求职人数 (a rank or a posting count is never shown as one)."""
    folder, sections, paragraphs, _, _ = edition
    channels = pl.read_parquet(folder / "demand_channels.parquet")
    coverage = {r["level"]: r for r in pl.read_parquet(folder / "channel_coverage.parquet").iter_rows(named=True)}
    industries, jobs = coverage["行业大类"], coverage["职业"]
    groups = channels.filter(pl.col("level") == "行业大类")
    assert industries["units"] == groups.height and industries["pes_units"] == groups["pes_demand"].is_not_null().sum()
    assert industries["posting_units"] == groups["posting_openings"].is_not_null().sum() > 0
    note = next(p for p in paragraphs["二、人才供需状况"] if p.startswith("需求数据有两个渠道"))
    assert numbers(note) == [
        str(groups["posting_year"].max()), f"{groups['posting_openings'].sum():,}", f"{groups['posting_duplicates'].sum():,}",
        str(industries["units"]), str(industries["pes_units"]), f"{industries['pes_share'] * 100:.1f}%",
        str(industries["posting_units"]), f"{industries['posting_share'] * 100:.1f}%",
        str(jobs["units"]), str(jobs["pes_units"]), f"{jobs['pes_share'] * 100:.1f}%"]
    direction = next(p for p in paragraphs["二、人才供需状况"] if p.startswith("两个渠道都有上年同期数据"))
    assert numbers(direction) == [str(industries["compared_units"]), str(industries["opposite_units"])]
    assert industries["compared_units"] == groups["direction"].is_not_null().sum() >= 1

    (_, section_rows), (channel_head, channel_rows) = tables_of(sections["二、人才供需状况"])
    for row in section_rows:  # 行业门类, 需求人数, 求职人数, 求人倍率, …
        assert row[3] == f"{ratio(row[1]) / ratio(row[2]):.2f}", row
    assert channel_head[1] == "求人倍率"
    by_name = {r["name"]: r for r in groups.iter_rows(named=True)}
    assert channel_rows and [r[5] for r in channel_rows][0] == ("反向" if industries["opposite_units"] else "同向")
    for row in channel_rows:
        published = by_name[row[0]]
        assert row[1] == f"{published['pes_demand'] / published['pes_supply']:.2f}", row
        assert row[3] == f"{published['posting_openings']:,}" and row[5] == (published["direction"] or "—")


def test_the_full_basis_names_the_channels_behind_each_majors_industries(edition):
    """guiding_catalog_basis.xlsx prints major_channels; each 求人倍率 in it is its 大类's demand ÷ supply."""
    import openpyxl

    folder, *_ = edition
    channels = dict(pl.read_parquet(folder / "major_channels.parquet").iter_rows())
    groups = {r["name"]: r for r in pl.read_parquet(folder / "demand_channels.parquet").filter(
        pl.col("level") == "行业大类").iter_rows(named=True)}
    sheet = openpyxl.load_workbook(folder / "guiding_catalog_basis.xlsx", read_only=True)["详细依据"]
    rows = list(sheet.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r[0] == "专业代码")
    column = rows[head].index("对应行业大类的需求渠道")
    printed = {r[0]: r[column] for r in rows[head + 1:] if r[0]}
    assert channels and all(printed[code] == text for code, text in channels.items())
    checked = 0
    for text in channels.values():
        for name, shown in re.findall(r"(?:^|；)([^：；]+)：求人倍率 ([\d.]+)", text):
            assert shown == f"{groups[name]['pes_demand'] / groups[name]['pes_supply']:.2f}", (name, shown)
            checked += 1
    assert checked > 0


def test_the_track_record_section_is_the_track_record_table(edition):
    """往年预警回溯 (issue 29 item 3): each year's sentence and the table carry the published table's figures."""
    folder, sections, paragraphs, _, _ = edition
    track = pl.read_parquet(folder / "warning_track_record.parquet")
    title = next(t for t in sections if t.endswith("往年预警回溯"))
    flags = track.filter(pl.col("method") == "flags").sort("years_ago")
    assert flags.height >= 1 and flags["majors"].sum() > 0, "the sample's history must give a track record to read"
    said = paragraphs[title][1:]  # the first paragraph defines the terms
    assert len(said) == flags.height
    for line, f in zip(said, flags.iter_rows(named=True), strict=True):
        row = {r["method"]: r for r in track.filter(pl.col("years_ago") == f["years_ago"]).iter_rows(named=True)}
        expected = [str(f["data_year"]), str(f["years_ago"])]
        if f["majors"]:
            carry = row["carry_forward"]
            expected += [str(f["majors"]), str(f["latest_year"]), str(f["declined"]), str(f["closed"]),
                         str(f["recovered"]), str(f["still_flagged"]), f"{f['decline_share'] * 100:.1f}%",
                         f"{row['base_rate']['decline_share'] * 100:.1f}%",
                         *([f"{f['lift']:.2f}"] if f["lift"] is not None else []),
                         *([f"{carry['decline_share'] * 100:.1f}%"] if carry["majors"] else [])]
        assert numbers(line) == expected, line
    assert [row[2:] for row in cells(sections[title])] == [
        [str(r["majors"]), str(r["declined"]), str(r["closed"]), str(r["recovered"]), str(r["still_flagged"]),
         "无数据" if r["decline_share"] is None else f"{r['decline_share'] * 100:.1f}%",
         "—" if r["lift"] is None else f"{r['lift']:.2f}"] for r in track.iter_rows(named=True)]


def test_the_published_run_reused_the_trained_home_s_back_test(own):
    """The sample's publishing run started from the trained home, whose back-test of past warnings is kept: the
    same inputs, policy and scoring code reuse it instead of scoring every past year again."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(own.home / "dagster")) as instance:
        event = instance.get_latest_materialization_event(dg.AssetKey("backtest_verdicts"))
        assert event.asset_materialization.metadata["reused"].value is True
