"""The edition's documents: print settings, 说明 against the policy, the matching figures by hand, the
bulletin's PDF and HTML, and figures recomputed from the published Parquet found in the documents."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import date
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from documents import EditionInfo, report_tables, write_edition_documents
from documents.explain import definitions, pending_items
from documents.workbooks import CATALOG_FOLDED, write_catalogs, write_province_lists
from scoring.catalog import CHINESE_HEADERS
from scoring.policy import load_policy
from tests.documents_fixtures import warehouse_tables

ISSUED = date(2025, 12, 31)
PACKAGE = {"inputs": [{"input": "majors", "file": "majors.csv", "rows": 4, "sha256": "ab" * 32}],
           "contracts": [{"input": "majors", "passed": True, "rows_in": 4, "rows_rejected": 0}]}


@pytest.fixture(scope="module")
def policy():
    return load_policy()


@pytest.fixture(scope="module")
def info(policy):
    return EditionInfo.build("2026", ISSUED, policy)


def test_matching_figures_by_hand() -> None:
    r = report_tables(warehouse_tables())
    g = {row["group_code"]: row for row in r["matching_groups"].iter_rows(named=True)}
    # 2025 demand: 13 → 104+105+106+107; 65 → 304..307 (its 中类 651 is inside it, not added again)
    assert g["13"]["demand"] == 422 and g["65"]["demand"] == 1222
    # 700102 (60) splits 50/50 over 13 and 14; 700101 (100) is all 13
    assert (g["13"]["enrolled"], g["14"]["enrolled"], g["65"]["enrolled"]) == (130, 30, 240)
    assert g["13"]["postings"] == 2 and g["65"]["postings"] == 6  # the posting with no industry is not counted
    d = {k: v["demand"] / 2066 for k, v in g.items()}
    assert g["13"]["deviation"] == pytest.approx((130 / 400) / d["13"] - 1)
    city = r["matching_scores"].filter(pl.col("unit_type") == "全市")["match"].item()
    assert city == pytest.approx(1 - 0.5 * sum(abs(g[k]["enrolled"] / 400 - d[k]) for k in g))
    s2 = r["matching_scores"].filter(pl.col("unit_code") == "S2")["match"].item()
    assert s2 == pytest.approx(1 - 0.5 * (d["13"] + d["14"] + (1 - d["65"])))  # all its enrolment is in 65


def test_catalog_is_a_printable_document(tmp_path: Path, policy, info) -> None:
    tables = warehouse_tables()
    write_catalogs(tmp_path, tables, policy, info)
    book = openpyxl.load_workbook(tmp_path / "guiding_catalog.xlsx")
    assert book.sheetnames == ["说明", "专业指导性目录", "名词解释"]  # the legend prints first, on one page
    sheet = book["专业指导性目录"]
    title = sheet["A1"].value
    assert title.startswith("北京市职业教育专业指导性目录（2026年版）")
    assert "征求意见稿" in title and pending_items(policy)  # the shipped policy still has 待市教委确认 values
    assert "北京市教育委员会" in sheet["A2"].value and "2025年12月31日" in sheet["A2"].value
    assert "2026" not in sheet["A2"].value.replace("2026年版", "")  # no internal edition id
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToHeight == (None if ws.title == "说明" else 0)  # 1 (one page tall) is the default
        assert ws.page_setup.fitToWidth in (None, 1)  # 1 is the default and left out
        assert ws.print_title_rows == "$4:$4"  # the header row under title, subtitle and the sheet's own title
        assert ws["A3"].value and ws["A3"].value in ws.oddHeader.right.text  # every page names its table
        assert title in ws.oddHeader.left.text
        assert "&P" in ws.oddFooter.right.text and "&N" in ws.oddFooter.right.text
    headers = [c.value for c in sheet[4]]
    basis = openpyxl.load_workbook(tmp_path / "guiding_catalog_basis.xlsx")
    assert basis.sheetnames == ["详细依据"] and basis["详细依据"]["A1"].value.startswith("北京市职业教育专业指导性目录详细依据")
    assert "依据" in headers and "详细依据" not in headers and "详细依据" in [c.value for c in basis["详细依据"][4]]
    # the print shows the reader's columns at a readable size: the details are folded away, still in the sheet
    letters = {h: openpyxl.utils.get_column_letter(i) for i, h in enumerate(headers, start=1)}
    dims = {d.min + i: d for d in sheet.column_dimensions.values() for i in range(d.max - d.min + 1)}
    hidden = {h for h in headers if dims[headers.index(h) + 1].hidden}
    assert hidden == {CHINESE_HEADERS["guiding_catalog"][c] for c in CATALOG_FOLDED} and "临界说明" in hidden
    assert all(dims[headers.index(h) + 1].outlineLevel == 1 for h in hidden)
    shown = sum(dims[headers.index(h) + 1].width for h in headers if h not in hidden)
    assert shown < 1.5 * 145 and {"依据", "求人倍率", "毕业去向落实率", "预警等级"} <= set(headers) - hidden
    assert any(c.value is not None for c in sheet[letters["禁止占比"]][4:])  # folded, not dropped
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=5)}
    rate = rows["700101"][headers.index("毕业去向落实率")]
    assert rate.value == 0.55 and rate.number_format == "0.0%"
    assert rows["700102"][headers.index("毕业去向落实率")].value == "无毕业生数据"  # a blank says why
    assert rows["710202"][headers.index("求人倍率")].value == "无供需数据"


def test_notes_state_the_thresholds_in_force(tmp_path: Path, policy) -> None:
    from tests.scoring_fixtures import confirmed_policy

    other = confirmed_policy(tmp_path, lambda text: text.replace("value: 0.60", "value: 0.65"))
    notes = {(r["kind"], r["term"]): r for r in definitions(other).iter_rows(named=True)}
    assert "连续两年低于 65%" in notes[("指导类别", "限制")]["threshold"]
    assert f"超过 {other.rules.prohibited_share * 100:.0f}%" in notes[("指导类别", "停止新设")]["threshold"]
    assert f"不低于 {other.rules.red_score:g}" in notes[("预警等级", "红")]["threshold"]
    terms = {t for _, t in notes}
    assert set(other.guidance_precedence) <= terms and {"红", "黄", "绿", "停止新设", "限制招生"} <= terms
    assert set(other.zones) <= terms
    final = EditionInfo.build("2026", ISSUED, other, state="正式")
    assert not final.is_draft and "征求意见稿" not in final.title("专业指导性目录")
    write_catalogs(tmp_path, warehouse_tables(), other, final)
    sheet = openpyxl.load_workbook(tmp_path / "guiding_catalog.xlsx")["说明"]
    cells = [c.value for row in sheet.iter_rows(min_row=5) for c in row]
    assert any("连续两年低于 65%" in (v or "") for v in cells)


def test_same_edition_gives_byte_identical_workbooks(tmp_path: Path, policy, info) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        write_catalogs(tmp_path / name, warehouse_tables(), policy, info)
        write_province_lists(tmp_path / name, warehouse_tables(), policy, info)
    for file in ("guiding_catalog.xlsx", "restriction_list.xlsx", "encouraged_list.xlsx", "restricted_list.xlsx"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()
    lists = openpyxl.load_workbook(tmp_path / "a" / "encouraged_list.xlsx").worksheets[1]
    assert [r[0].value for r in lists.iter_rows(min_row=5)] == ["710201"]  # 优先发展 + 重点建设 only


@pytest.fixture(scope="module")
def edition(tmp_path_factory, policy, info) -> Path:
    folder = tmp_path_factory.mktemp("edition")
    write_edition_documents(folder, warehouse_tables(), policy, PACKAGE, None, info)
    return folder


@pytest.mark.slow
def test_bulletin_pdf_has_pages_and_chinese_text(edition: Path) -> None:
    from PIL import Image, ImageStat

    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "2", str(edition / "bulletin.pdf"),
                    str(edition / "page")], check=True)
    pages = sorted(edition.glob("page-*.png"))
    assert len(pages) == 2
    for page in pages:
        stat = ImageStat.Stat(Image.open(page).convert("L"))
        assert stat.stddev[0] > 10 and stat.mean[0] < 250  # ink on the page, not a blank sheet
    text = subprocess.run(["pdftotext", "-layout", str(edition / "bulletin.pdf"), "-"], check=True,
                          capture_output=True, text=True).stdout
    compact = re.sub(r"\s+", "", text)
    assert "北京市职业教育行业产业动态调整和人才供需状况" in compact and "征求意见稿" in compact
    for heading in ("一、行业产业动态调整", "二、人才供需状况", "三、专业预警与指导类别", "四、临界专业观察名单",
                    "五、各区专业布点", "六、专业设置与产业发展匹配分析", "七、数据来源与说明"):
        assert heading in compact
    info = subprocess.run(["pdfinfo", str(edition / "bulletin.pdf")], capture_output=True, text=True).stdout
    assert "A4" in info


@pytest.mark.slow
def test_bulletin_html_is_self_contained(edition: Path) -> None:
    page = (edition / "bulletin.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:|#)""", page)
    assert not re.search(r"url\((?!data:|#)", page) and "<link" not in page and "@import" not in page
    assert not re.search(r"https?://(?!www\.w3\.org/)", page)  # only SVG namespace names
    assert "@font-face" in page and page.count("<svg") >= 4


@pytest.mark.slow
def test_figures_come_from_the_edition_tables(edition: Path) -> None:
    groups = pl.read_parquet(edition / "matching_groups.parquet")
    covered = groups.filter(pl.col("demand") > 0)
    d = covered["demand"] / covered["demand"].sum()
    s = covered["enrolled"] / covered["enrolled"].sum()
    match = 1 - 0.5 * (s - d).abs().sum()
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(edition / "bulletin.pdf"), "-"],
                                             capture_output=True, text=True, check=True).stdout)
    page = (edition / "bulletin.html").read_text(encoding="utf-8")
    assert f"匹配度为{match * 100:.1f}%" in text and f"匹配度为 {match * 100:.1f}%" in page
    scores = pl.read_parquet(edition / "school_major_scores.parquet") if (
        edition / "school_major_scores.parquet").exists() else warehouse_tables()["school_major_scores"]
    offerings = scores.filter(pl.col("district") == "朝阳区").height
    assert f"<td>朝阳区</td><td>2</td><td>{offerings}</td>" in page
    report = openpyxl.load_workbook(edition / "matching_report.xlsx")
    city = [r for r in report["全市及各区匹配度"].iter_rows(min_row=4, values_only=True) if r[0] == "全市"][0]
    assert city[-1] == pytest.approx(match)
    top = groups.filter(pl.col("gap") > 0).sort("gap", descending=True)["group_name"][0]
    assert report["供给偏多前十"]["B5"].value == top and top in page
    assert (edition / "2026年专业指导性目录（征求意见稿）.xlsx").read_bytes() == (
        edition / "guiding_catalog.xlsx").read_bytes()


def test_publish_lists_the_documents_and_says_first_edition(tmp_path: Path, policy, info) -> None:
    import csv
    import json

    from warehouse.publish import publish_edition

    tables = warehouse_tables()
    frames = {"guiding_catalog": tables["guiding_catalog"].drop("basis"), "restriction_list": tables["restriction_list"],
              "school_major_scores": tables["school_major_scores"]}
    seen = {}

    def documents(folder: Path, edition: str, published: dict, previous: dict | None) -> list[Path]:
        seen[len(seen)] = previous
        this = EditionInfo.build(edition, ISSUED, policy)
        written = write_catalogs(folder, {**tables, **published}, policy, this) + write_province_lists(
            folder, {**tables, **published}, policy, this)
        copy = folder / f"{edition}年专业指导性目录.xlsx"
        copy.write_bytes((folder / "guiding_catalog.xlsx").read_bytes())
        return [*written, copy]

    first = publish_edition(tmp_path, "2026", frames, CHINESE_HEADERS, {}, documents=documents)
    manifest = json.loads((first.folder / "datapackage.json").read_text(encoding="utf-8"))
    paths = {r["path"]: r for r in manifest["resources"]}
    assert paths["guiding_catalog.xlsx"]["table"] == "guiding_catalog" and "encouraged_list.xlsx" in paths
    sums = (first.folder / "SHA256SUMS").read_text(encoding="utf-8")
    assert "encouraged_list.xlsx" in sums and paths["encouraged_list.xlsx"]["sha256"] in sums
    assert openpyxl.load_workbook(first.folder / "guiding_catalog.xlsx").sheetnames[0] == "说明"
    assert paths["2026年专业指导性目录.xlsx"]["sha256"] == paths["guiding_catalog.xlsx"]["sha256"]
    assert all(re.fullmatch(r"[-a-z0-9._/]+", r["name"]) for r in manifest["resources"])  # Data Package names
    with open(first.folder / "changes.csv", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == 2 and "首版" in rows[1] and first.changes == 0
    moved = frames | {"guiding_catalog": frames["guiding_catalog"].with_columns(
        warning_level=pl.when(pl.col("major_code") == "700102").then(pl.lit("黄")).otherwise("warning_level"))}
    second = publish_edition(tmp_path, "2027", moved, CHINESE_HEADERS, {}, documents=documents)
    assert seen[0] is None and set(seen[1]) >= {"guiding_catalog", "restriction_list"}
    assert second.changes == 1
    title = openpyxl.load_workbook(second.folder / "guiding_catalog.xlsx").worksheets[0]["A1"].value
    assert "2027年版" in title


def test_the_bulletin_lists_the_watch_list_table_it_is_given() -> None:
    """The bulletin recomputes no watch list: it tells the edition's watch_list table (the catalog's 临界 rows)."""
    from documents.bulletin import watch_section
    from scoring.policy import load_policy

    watch = pl.DataFrame({"major_code": ["730605"], "major_name": ["农产品营销与储运"], "warning_level": ["红"],
                          "risk_score": [42.2], "risk_score_low": [38.7], "risk_score_high": [44.8],
                          "cause": ["毕业去向"], "watch_note": ["临界：上年毕业去向落实率区间跨越 60%"]})
    section = watch_section({"watch_list": watch}, load_policy())
    assert "共 1 个" in section["paragraphs"][0]
    assert [r[0] for r in section["tables"][0]["rows"]] == ["730605"]
    assert "共 0 个" in watch_section({"watch_list": watch.clear()}, load_policy())["paragraphs"][0]


@pytest.mark.slow
def test_quarterly_bulletin_has_the_labour_market_only(tmp_path: Path, policy, info) -> None:
    from documents import write_quarterly_bulletin

    files = write_quarterly_bulletin(tmp_path, warehouse_tables(), PACKAGE, policy, info)
    assert {f.name for f in files} == {"labour_market_summary.parquet", "quarterly_bulletin.html",
                                       "quarterly_bulletin.pdf"}
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(tmp_path / "quarterly_bulletin.pdf"), "-"],
                                             capture_output=True, text=True, check=True).stdout)
    assert "人才供需状况季报（2025年第4季度）" in text and "一、人才供需状况" in text
    assert "专业预警" not in text and "匹配分析" not in text
    # 2025 city demand: 13 and 14 each 104..107, 65 304..307 (651 lies inside 65)
    assert f"2025年全市岗位需求人数{422 * 2 + 1222:,}" in text


def test_list_changes_name_added_removed_and_rescoped_entries() -> None:
    from documents.labour import list_changes

    tables = warehouse_tables()
    before = tables["industry_adjustments"]
    now = pl.concat([
        before.filter(pl.col("industry_code") != "65"),  # 65 leaves the high-end list
        pl.DataFrame({"list_name": ["北京市新增产业的禁止和限制目录"], "category": ["prohibited"], "industry_code": ["14"],
                      "scope": ["中心城区"], "effective_from": [date(2025, 1, 1)], "note": [""]}),
    ]).with_columns(scope=pl.when(pl.col("industry_code") == "13").then(pl.lit("东城区")).otherwise("scope"))
    got = {(r["industry_code"], r["change"]): (r["scope_old"], r["scope_new"], r["category_name"])
           for r in list_changes(now, before, tables["industries"]).iter_rows(named=True)}
    assert got == {("65", "移除"): ("全市", None, "高精尖"), ("14", "新增"): (None, "中心城区", "禁止"),
                   ("13", "适用区域调整"): ("全市", "东城区", "限制")}
    assert list_changes(now, None, tables["industries"]).height == 0


def test_the_printed_page_naming_installed_faces_prints_like_the_page_with_the_font_cut_in(tmp_path: Path) -> None:
    """The bulletin goes to Chromium before its font is cut (documents/_bulletin): the PDF must not change.
    The pages fall back to a serif face here, so a face rule that does not take effect shows."""
    from PIL import Image, ImageChops

    from documents.render import print_pdf, render_html

    sections = [{"title": "一、行业产业调整", "paragraphs": ["禁止和限制发展产业对应专业 12 个，撤并 3 个；求人倍率 1.25。"],
                 "tables": []}]
    args = ("北京市人才供需状况公报", "2026年版", "征求意见稿", ["全市匹配度 87.5%。"], sections, "北京市教育委员会")
    html = {"embedded": render_html(*args), "local": render_html(*args, embed_fonts=False)}
    html["no_face"] = re.sub(r"@font-face\{[^}]*\}", "", html["local"])
    assert "@font-face{font-family:'MW CJK';font-weight:700;src:url(data:font/woff;base64," in html["embedded"]
    assert "@font-face{font-family:'MW CJK';font-weight:700;src:local('Noto Sans CJK SC Bold');}" in html["local"]
    pages = {}
    for name, page in html.items():
        (tmp_path / f"{name}.html").write_text(page.replace("'MW CJK', sans-serif", "'MW CJK', serif"), encoding="utf-8")
        print_pdf(tmp_path / f"{name}.html", tmp_path / f"{name}.pdf")
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(tmp_path / f"{name}.pdf"),
                        str(tmp_path / name)], check=True)
        pages[name] = Image.open(next(tmp_path.glob(f"{name}-*.png"))).convert("L")
    assert ImageChops.difference(pages["local"], pages["embedded"]).getbbox() is None
    assert ImageChops.difference(pages["local"], pages["no_face"]).getbbox() is not None  # the rules took effect


def test_the_cut_font_holds_the_glyphs_of_the_text_and_no_others() -> None:
    from fontTools.ttLib import TTFont

    from documents.fonts import ALWAYS, _face_number, font_path, subset_woff

    text = "北京市专业指导性目录（征求意见稿）第 3 页 求人倍率 1.25"
    full = TTFont(str(font_path()), fontNumber=_face_number(font_path()), lazy=True)
    full_cmap = full.getBestCmap()
    cut = TTFont(io.BytesIO(subset_woff(text)))
    assert cut.flavor == "woff" and "CFF " in cut
    cmap = cut.getBestCmap()
    assert set(cmap) == {ord(ch) for ch in set(text + ALWAYS)} & set(full_cmap)
    assert ord("鑫") not in cmap and ord("北") in cmap
    assert cut["name"].getDebugName(1) == "Noto Sans CJK SC"
    assert len(cut.getGlyphOrder()) < 200                                   # a cut, not the 65,535-glyph face


def test_match_index_per_unit_by_hand() -> None:
    """Each unit's 匹配度 is its own (units are numbered inside match_index and joined back by all their
    texts: two schools of the same name, and a unit without a district, keep their own figures)."""
    from documents.matching import match_index

    demand = pl.DataFrame({"group_code": ["13", "14", "65"], "demand_share": [0.5, 0.3, 0.2]})
    supply = pl.DataFrame({
        "unit_code": ["S1", "S1", "S2", "S3", "S3", "全市", "全市"],
        "unit_name": ["一校", "一校", "一校", "三校", "三校", "北京市", "北京市"],
        "district": ["东城区", "东城区", "东城区", "西城区", "西城区", None, None],
        "group_code": ["13", "65", "14", "13", "99", "13", "14"],
        "enrolled": [30.0, 10.0, 50.0, 20.0, 20.0, 7.0, 7.0],
    })
    out = match_index(supply, demand, ["unit_code", "unit_name", "district"])
    got = {row["unit_code"]: row["match"] for row in out.iter_rows(named=True)}
    d = dict(zip(demand["group_code"], demand["demand_share"], strict=True))

    def by_hand(shares: dict[str, float]) -> float:
        return 1 - 0.5 * sum(abs(shares.get(g, 0.0) - d[g]) for g in d)

    assert got == pytest.approx({"S1": by_hand({"13": 0.75, "65": 0.25}), "S2": by_hand({"14": 1.0}),
                                 "S3": by_hand({"13": 1.0}), "全市": by_hand({"13": 0.5, "14": 0.5})})
    assert out.filter(pl.col("unit_code") == "S3")["covered_share"].item() == pytest.approx(0.5)


def test_the_majors_lowering_the_match_do_not_depend_on_the_last_bits_of_the_sums() -> None:
    """Each major's lift is the difference of two match values near 0.9, so a sum's last bit (which moves
    with the order rows arrive in) is a large part of a small lift: the published figures and their order
    must be the same when every enrolment moves by one part in 2⁵² (or triples: the shares do not change)."""
    from documents.matching import majors_lowering_match

    n = 600
    codes = [f"{700000 + i}" for i in range(n)]
    supply = pl.DataFrame({"major_code": codes, "enrolled": [97.0 + (i * 37) % 101 for i in range(n)],
                           "graduates": [30.0] * n})
    weights = pl.DataFrame({"major_code": codes, "group_code": ["A" if i % 3 else "B" for i in range(n)],
                            "w": [1.0] * n})
    groups = pl.DataFrame({"group_code": ["A", "B"], "demand_share": [0.6, 0.4]})
    majors = pl.DataFrame({"major_code": codes, "major_name": [f"专业{i}" for i in range(n)]})
    base = majors_lowering_match(supply, weights, groups, majors)
    assert base["lift"].abs().max() < 2e-3 and base["lift"].n_unique() > 50  # small lifts, many ties
    for factor in (1 + 2**-52, 1 - 2**-53, 3.0):
        nudged = majors_lowering_match(supply.with_columns(pl.col("enrolled") * factor), weights, groups, majors)
        assert nudged.select("major_code", "lift").equals(base.select("major_code", "lift"))  # order and figures


def test_edition_facts_make_a_confirmed_final_official_and_leave_a_draft_a_draft(policy) -> None:
    """A final edition under a confirmed policy prints 正式 with its 文号 and 印发日期 and no 征求意见稿; the
    same policy unconfirmed, or a draft, still reads 征求意见稿 (and a draft carries no 文号)."""
    from datetime import date

    from documents.edition import EditionInfo

    day, issued = date(2025, 12, 31), date(2026, 3, 2)
    final = EditionInfo.build("2026", day, policy, state="正式", confirmed=True, doc_number="京教职成〔2026〕5号",
                              issued_on=issued)
    assert not final.is_draft and "征求意见稿" not in final.title("专业指导性目录")
    assert "征求意见稿" not in final.download_name("专业指导性目录", "xlsx")
    assert "文号：京教职成〔2026〕5号" in final.subtitle() and "印发日期：2026年3月2日" in final.subtitle()
    assert "征求意见稿" not in final.subtitle() and final.label == "2026年版"
    unconfirmed = EditionInfo.build("2026", day, policy, state="正式", doc_number="京教职成〔2026〕5号")
    assert unconfirmed.is_draft and "征求意见稿" in unconfirmed.title("专业指导性目录")
    draft = EditionInfo.build("2026-draft", day, policy, confirmed=True, doc_number="京教职成〔2026〕5号",
                              issued_on=issued)
    assert draft.is_draft and not draft.doc_number and "文号" not in draft.subtitle()


def test_a_sentence_every_row_repeats_is_told_once_under_the_table() -> None:
    from documents.bulletin import table

    action = "全市不得新设该专业；对依据有异议的，可在征求意见期内提出异议。"
    rows = [["430403", "甲", f"对应行业属禁止类。{action}"], ["430402", "乙", f"对应行业属禁止类，超过 50%。{action}"]]
    shown = table("红色预警专业", ["专业代码", "专业名称", "依据"], rows, "—", "本版专业指导性目录")
    assert [r[2] for r in shown["rows"]] == ["对应行业属禁止类。", "对应行业属禁止类，超过 50%。"]
    assert shown["note"].startswith(f"表中各专业的依据均含：{action}") and shown["note"].count(action) == 1
    # a row with nothing of its own keeps its text; one row is never shortened; other columns are left alone
    kept = [["1", "甲", action], ["2", "乙", f"另有原因。{action}"]]
    assert table("t", ["代码", "名称", "依据"], kept, "—", "x")["rows"] == kept
    assert table("t", ["代码", "名称", "依据"], rows[:1], "—", "x")["rows"] == rows[:1]
    assert table("t", ["代码", "名称", "说明"], rows, "—", "x")["rows"] == rows
