"""The documents of an edition: print-ready catalogs and lists, the matching report and the bulletin.

Pure: polars frames, the policy and the edition's provenance in, files out; no Dagster, no warehouse.
``write_edition_documents`` is what the publish step calls inside the temporary edition folder, before
datapackage.json and SHA256SUMS are computed, so every file it writes is listed in both.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path

import polars as pl

from documents import bulletin as b
from documents.actions import actions_section, write_action_workbooks
from documents.appendix import write_technical_appendix
from documents.edition import DRAFT, EditionFacts, EditionInfo, chinese_date, edition_label
from documents.groups import industry_groups
from documents.labour import labour_series, list_changes
from documents.lists import PROVINCE_LISTS
from documents.matching import (
    demand_by_group,
    latest_supply,
    major_group_weights,
    majors_lowering_match,
    matching_groups,
    matching_scores,
)
from documents.render import PrintJob, print_pdf, render_html
from documents.workbooks import write_catalogs, write_matching_report, write_province_lists
from scoring.counts import count_of, edition_counts, edition_history
from scoring.exposure import in_force
from scoring.policy import Policy
from scoring.uncertainty import watch_list

__all__ = ["CHANNEL_TABLES", "COMPARISON_TABLES", "FIGURE_TABLES", "comparison_tables", "OUTCOME_TABLES", "REPORT_TABLES", "TRACK_TABLE", "figure_tables", "outcome_tables", "SOURCE_TABLES",
           "EditionFacts", "EditionInfo", "edition_label", "print_pdf", "publish_hook",
           "render_html", "report_tables", "write_catalogs", "write_edition_documents", "write_matching_report",
           "write_province_lists", "write_quarterly_bulletin"]

# Tables the edition publishes as Parquet beside the catalogs: every figure of the bulletin and the
# matching report is read from these (and from guiding_catalog / restriction_list / school_major_scores).
FIGURE_TABLES = ("labour_market_summary", "matching_groups", "matching_scores", "matching_majors")
OUTCOME_TABLES = ("watch_list", "district_summary", "edition_counts")
# 求人倍率 by channel (issue 29; assets/publish/channels.py): published when the run made them
CHANNEL_TABLES = ("demand_channels", "channel_coverage", "major_channels")
# What the edition tells against the edition before it (assets: assets/publish/comparisons.py); computed here only
# for documents made without a run, or when the publication compares with another edition than they did.
COMPARISON_TABLES = ("industry_list_changes", "edition_history")
TRACK_TABLE = "warning_track_record"  # 往年预警回溯 (an asset; absent from documents made without a run)
REPORT_TABLES = ("industry_adjustments", "industry_list_changes", "forecast_quality", *FIGURE_TABLES, *OUTCOME_TABLES,
                 *CHANNEL_TABLES, TRACK_TABLE, "edition_history")
# The warehouse tables they are computed from (labor_forecasts and forecast_quality may be absent).
SOURCE_TABLES = ("industries", "majors", "major_industry_map", "school_majors", "schools", "labor_market",
                 "posting_demand", "industry_adjustments")
BULLETIN = "行业产业动态调整和人才供需状况"
DOWNLOAD_NAMES = {"guiding_catalog.xlsx": "专业指导性目录", "guiding_catalog_basis.xlsx": "专业指导性目录详细依据",
                  "restriction_list.xlsx": "专业禁限目录",
                  "matching_report.xlsx": "专业设置与产业发展匹配分析", "bulletin.pdf": "行业产业动态调整和人才供需状况公报",
                  **{f"{k}.xlsx": v[1] for k, v in PROVINCE_LISTS.items()}}


def publish_hook(tables: dict[str, pl.DataFrame], policy: Policy, package: dict, info: EditionInfo
                 ) -> Callable[[Path, str, dict[str, pl.DataFrame], dict[str, pl.DataFrame] | None], list[Path]]:
    """What ``publish_edition(..., documents=...)`` calls inside the temporary edition folder; the
    edition id is the one actually published (publish_next may move on to 2026-r2)."""
    def write(folder: Path, edition: str, published: dict[str, pl.DataFrame],
              previous: dict[str, pl.DataFrame] | None) -> list[Path]:
        return write_edition_documents(folder, {**tables, **published}, policy, package, previous,
                                       replace(info, edition=edition))

    return write


def figure_tables(tables: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The edition's figures that need no previous edition, from the warehouse tables and the published
    catalogs (each is an asset of its own: assets/publish/figures.py)."""
    missing = [n for n in SOURCE_TABLES if n not in tables]
    if missing:
        raise ValueError(f"生成公报和匹配分析缺少数据表：{', '.join(missing)}")
    groups = industry_groups(tables["industries"])
    weights = major_group_weights(tables["major_industry_map"], groups)
    supply = latest_supply(tables["school_majors"])
    demand = demand_by_group(tables["labor_market"], tables["posting_demand"], groups)
    g = matching_groups(demand, supply, weights, groups)
    return {name: _stable(df) for name, df in {
        "labour_market_summary": labour_series(tables["labor_market"], tables.get("labor_forecasts"), groups),
        "matching_groups": g,
        "matching_scores": matching_scores(supply, weights, g, tables["schools"]),
        "matching_majors": majors_lowering_match(supply, weights, g, tables["majors"]),
    }.items()}


def outcome_tables(tables: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The figures told about the verdicts: the watch list, the districts and every count (assets too)."""
    return {"watch_list": watch_list(tables["guiding_catalog"]),
            "district_summary": b.district_summary(tables["school_major_scores"]),
            "edition_counts": edition_counts(tables["guiding_catalog"], tables["restriction_list"],
                                             tables["school_major_scores"])}


def report_tables(tables: dict[str, pl.DataFrame], previous: dict[str, pl.DataFrame] | None = None,
                  as_of: date | None = None) -> dict[str, pl.DataFrame]:
    """The derived tables an edition publishes for its documents: the figures passed in (the assets' own
    tables) or, when absent, computed by the same functions; the list changes against ``previous``. With
    ``as_of`` (the edition's reference date), the lists are the entries in force that day (现行: not a version
    that expired before it, nor one that takes effect after it), so the next edition compares with those."""
    figures = {n: tables[n] for n in FIGURE_TABLES} if all(n in tables for n in FIGURE_TABLES) \
        else figure_tables(tables)
    outcomes = {n: tables[n] for n in OUTCOME_TABLES} if all(n in tables for n in OUTCOME_TABLES) \
        else outcome_tables(tables) if "guiding_catalog" in tables else {}
    adjustments = adjustments_in_force(tables, as_of)
    quality = tables.get("forecast_quality")
    return {name: _stable(df) for name, df in {
        "industry_adjustments": adjustments,
        "industry_list_changes": tables["industry_list_changes"] if "industry_list_changes" in tables
        else list_changes(adjustments, (previous or {}).get("industry_adjustments"), tables["industries"]),
        "forecast_quality": quality if quality is not None else pl.DataFrame(
            schema={"level": pl.String, "usable": pl.Boolean, "n_series": pl.Int64, "relative_mase": pl.Float64}),
        **figures, **outcomes, **{n: tables[n] for n in CHANNEL_TABLES if n in tables},
        **({TRACK_TABLE: tables[TRACK_TABLE]} if TRACK_TABLE in tables else {}),
    }.items()}


def adjustments_in_force(tables: dict[str, pl.DataFrame], as_of: date | None) -> pl.DataFrame:
    """The industry lists the edition publishes: with ``as_of``, the entries in force that day."""
    adjustments = tables["industry_adjustments"].drop("source_row", strict=False)
    return in_force(adjustments, as_of) if as_of is not None else adjustments


def comparison_tables(tables: dict[str, pl.DataFrame], previous: dict[str, pl.DataFrame] | None, edition: str,
                      as_of: date, state: str) -> dict[str, pl.DataFrame]:
    """What an edition tells against the edition before it (``previous``: its Parquet tables by name, None for a
    first edition): the industry lists' changes and the majors by warning level in each year's edition. ``tables``:
    industry_adjustments, industries and edition_counts; ``edition``: the id it is published under."""
    previous = previous or {}
    return {"industry_list_changes": _stable(list_changes(adjustments_in_force(tables, as_of),
                                                          previous.get("industry_adjustments"), tables["industries"])),
            "edition_history": _stable(edition_history(tables["edition_counts"], previous.get("edition_history"),
                                                       edition, as_of.year, state))}


def _stable(df: pl.DataFrame) -> pl.DataFrame:
    """Floats rounded to 12 significant digits: sums whose order varies between runs differ only in the
    last bits, and the same inputs must give byte-identical files."""
    return df.with_columns(pl.col(pl.Float64).round_sig_figs(12))


def write_edition_documents(folder: Path, tables: dict[str, pl.DataFrame], policy: Policy, package: dict,
                            previous_tables: dict[str, pl.DataFrame] | None, info: EditionInfo) -> list[Path]:
    """Write every document of an edition into ``folder`` and return the files written.

    ``tables``: the warehouse tables in SOURCE_TABLES (plus the optional ones) and the three published
    frames (guiding_catalog, restriction_list, school_major_scores); ``previous_tables``: the previous
    edition's Parquet files by name (None for a first edition)."""
    folder = Path(folder)
    report = report_tables(tables, previous_tables, info.issued)
    report["edition_history"] = tables["edition_history"] if "edition_history" in tables else _stable(edition_history(
        report["edition_counts"], (previous_tables or {}).get("edition_history"), info.edition, info.issued.year,
        info.state))
    written = []
    for name, df in report.items():
        df.write_parquet(folder / f"{name}.parquet")
        written.append(folder / f"{name}.parquet")
    edition = {**{n: tables[n] for n in ("guiding_catalog", "restriction_list", "school_major_scores",
                                         "code_history") if n in tables}, **report}
    sections = [b.list_section(edition, previous_tables), b.labour_section(edition),
                b.majors_section(edition, previous_tables, list(policy.guidance_precedence)),
                b.watch_section(edition, policy), b.district_section(edition), b.matching_section(edition)]
    numbers = iter("七八九")  # the sections after 六 are numbered by which the edition has
    if TRACK_TABLE in edition:  # issue 29: how the flags of earlier years fared
        sections.append(b.track_section(edition, policy, f"{next(numbers)}、往年预警回溯"))
    if (plan := actions_section(tables)) is not None:  # issue 28: the action plan's section, when the edition has one
        sections.append({**plan, "title": f"{next(numbers)}、{plan['title'].split('、', 1)[1]}"})
    sections.append(b.provenance_section(package, policy, f"{next(numbers)}、数据来源与说明", tables.get("data_gaps")))
    with _bulletin(folder, "bulletin", info, info.title(BULLETIN), sections, summary(edition, info)) as bulletin:
        written += write_catalogs(folder, edition, policy, info)  # while Chromium prints the bulletin
        written += write_province_lists(folder, edition, policy, info)
        written.append(write_matching_report(folder, report, info))
        written.append(write_technical_appendix(folder, package, policy, tables.get("forecast_quality"), info))
        written += write_action_workbooks(folder, tables, policy, info)  # issue 28
    written += bulletin
    for english, chinese in DOWNLOAD_NAMES.items():
        if (folder / english).exists():
            target = folder / info.download_name(chinese, english.rsplit(".", 1)[1])
            shutil.copyfile(folder / english, target)
            written.append(target)
    return written


def write_quarterly_bulletin(folder: Path, tables: dict[str, pl.DataFrame], package: dict, policy: Policy,
                             info: EditionInfo) -> list[Path]:
    """The quarterly bulletin: the labour-market sections only, without a new catalog. It carries no
    scoring, so only its own state (not the policy's pending values) makes it a draft."""
    info = replace(info, pending=0)
    groups = industry_groups(tables["industries"])
    edition = {"labour_market_summary": labour_series(tables["labor_market"], tables.get("labor_forecasts"), groups),
               "forecast_quality": tables.get("forecast_quality")}
    last = edition["labour_market_summary"].filter(~pl.col("is_forecast"))["period"].max()
    year, _, quarter = last.partition("-Q")
    title = f"北京市人才供需状况季报（{year}年第{quarter}季度）" if quarter else f"北京市人才供需状况（{last}）"
    sections = [b.labour_section(edition, "一、人才供需状况"), b.provenance_section(package, policy, "二、数据来源与说明")]
    folder.mkdir(parents=True, exist_ok=True)
    edition["labour_market_summary"].write_parquet(folder / "labour_market_summary.parquet")
    with _bulletin(folder, "quarterly_bulletin", info, title, sections, []) as bulletin:
        pass
    return [folder / "labour_market_summary.parquet", *bulletin]


def summary(t: dict[str, pl.DataFrame], info: EditionInfo) -> list[str]:
    counted = t["edition_counts"]
    city = t["matching_scores"].filter(pl.col("unit_type") == "全市")["match"]
    return [f"本版目录 {count_of(counted, 'guiding_catalog', 'total')} 个专业，"
            f"红色预警 {count_of(counted, 'guiding_catalog', 'warning_level', '红')} 个，"
            f"禁限目录 {count_of(counted, 'restriction_list', 'total')} 条；"
            f"全市专业设置与产业需求匹配度 {b.pct(city[0] if city.len() else None)}。",
            "本公报与专业指导性目录、禁限目录、匹配分析报告同版发布，数字均可在本版次的数据表中复核。"]


@contextmanager
def _bulletin(folder: Path, stem: str, info: EditionInfo, title: str, sections: list, lines: list[str]
              ) -> Iterator[list[Path]]:
    """Start printing the bulletin (Chromium, another process), let the caller work meanwhile, then write the
    page with its font cut in and wait for the PDF. The page Chromium prints names the installed faces, so
    printing need not wait for the font; the PDF is the same. The yielded list holds the
    two files once the block ends."""
    html_path, pdf_path = folder / f"{stem}.html", folder / f"{stem}.pdf"
    page = (title.replace(f"（{DRAFT}）", ""), info.subtitle(number=False), DRAFT if info.is_draft else None, lines, sections,
            f"{info.issuer} · {info.label}")
    sign = {"issuer": info.issuer, "date": chinese_date(info.date_shown),
            **({"doc_number": info.doc_number_shown} if info.doc_number_shown else {})}
    files: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="mw-print-") as scratch:
        printable = Path(scratch) / f"{stem}.html"
        printable.write_text(render_html(*page, embed_fonts=False, sign=sign), encoding="utf-8")
        with PrintJob(printable, pdf_path) as job:
            yield files
            html_path.write_text(render_html(*page, sign=sign), encoding="utf-8")  # the font cut to the page's characters
            job.wait()
    files += [html_path, pdf_path]
