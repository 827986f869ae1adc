"""Publishing an edition: the files of the output contract, atomic switch, immutability, changes.

The fixture builder makes the three tables with the output contract's columns; the tests read the
files back the way a person's software does (openpyxl for XLSX, the csv module with utf-8-sig as Excel
does, ``sha256sum -c``) and inject failures to show that nothing earlier is ever touched.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from warehouse import publish, spreadsheet
from warehouse.publish import EditionExistsError, current_edition, list_editions, publish_edition, rows_hash

CREATED = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)

CATALOG_HEADERS = {
    "major_code": "专业代码", "major_name": "专业名称", "level": "层次", "category_name": "专业大类",
    "guidance": "指导类别", "warning_level": "预警等级", "risk_score": "风险分值",
    "exposure_prohibited": "禁止类占比", "exposure_restricted": "限制类占比",
    "exposure_transforming": "调整转型占比", "exposure_high_end": "高精尖占比",
    "exposure_urban_service": "城市服务紧缺占比", "exposure_relocated": "疏解转移占比",
    "demand_supply_ratio": "求人倍率", "employment_rate": "毕业去向落实率", "reasons": "依据",
}
RESTRICTION_HEADERS = {
    "major_code": "专业代码", "major_name": "专业名称", "level": "层次",
    "restriction": "限制类型", "scope": "适用区域", "reasons": "依据",
}
HEADERS = {"guiding_catalog": CATALOG_HEADERS, "restriction_list": RESTRICTION_HEADERS}
PACKAGE = {
    "run_id": "run-0001",
    "policy": {"version": "2026.1", "sha256": "ab" * 32},
    "inputs": [{"name": "majors", "file": "majors.csv", "sha256": "cd" * 32, "bytes": 1234, "encoding": "utf-8"}],
    "contracts": [{"name": "majors_codes_unique", "passed": True}],
}

# code, name, level, category, guidance, warning, score, prohibited, restricted, ratio, employment, reasons
MAJORS = [
    ("610105", "计算机应用技术", "高职专科", "电子与信息大类", "优先发展", "绿", 12.5, 0.0, 0.0, 2.31, 0.9612,
     "高精尖产业占比 80%；求人倍率 2.31"),
    ("0101", "机械加工技术", "中职", "装备制造大类", "限制", "红", 81.25, 0.6, 0.2, 0.42, 0.5521,
     "禁止类产业占比 60%，达到 60% 规则；毕业去向落实率连续两年低于 60%"),
    ("530101", "=SUM(A1)", "高职专科", "财经商贸大类", "正常", "绿", 30.0, 0.0, 0.0, 1.05, 0.88,
     "未发现风险"),
    ("460101", "化工技术, \"精细\"方向", "高职专科", "生物与化工大类", "停止新设", "红", 92.0, 0.8, 0.1,
     0.000012, 0.41, "禁止类产业占比 80%\n连续三年无招生"),
    ("540101", "建筑工程技术", "高职专科", "土木建筑大类", "控制发展", "黄", 55.0, 0.1, 0.3, 0.85, 0.7,
     "限制类产业占比 30%"),
]


def catalog(majors: list[tuple] = MAJORS) -> pl.DataFrame:
    """The guiding catalog: one row per major, with its exposures and market figures."""
    rows = [{
        "major_code": m[0], "major_name": m[1], "level": m[2], "category_name": m[3], "guidance": m[4],
        "warning_level": m[5], "risk_score": m[6], "exposure_prohibited": m[7], "exposure_restricted": m[8],
        "exposure_transforming": 0.0, "exposure_high_end": 0.8 if m[4] == "优先发展" else 0.0,
        "exposure_urban_service": 0.0, "exposure_relocated": -0.0, "demand_supply_ratio": m[9],
        "employment_rate": m[10], "reasons": m[11],
    } for m in majors]
    return pl.DataFrame(rows)


def restrictions(entries: list[tuple[str, str, str]] | None = None) -> pl.DataFrame:
    """The restriction list: (major_code, restriction, scope) rows for majors of MAJORS."""
    names = {m[0]: m for m in MAJORS}
    entries = entries if entries is not None else [("0101", "限制招生", "全市"), ("460101", "停止新设", "全市"),
                                                   ("460101", "限制招生", "朝阳区")]
    rows = [{"major_code": c, "major_name": names[c][1], "level": names[c][2], "restriction": r, "scope": s,
             "reasons": names[c][11]} for c, r, s in entries]
    return pl.DataFrame(rows, schema={k: pl.String for k in RESTRICTION_HEADERS})


def school_scores() -> pl.DataFrame:
    """Every school's offerings with the major's score beside the school's own figures."""
    rows = []
    for school, district in (("1111010001", "朝阳区"), ("1111010002", "海淀区")):
        for m in MAJORS[:3]:
            rows.append({
                "school_code": school, "school_name": f"北京市第{school[-1]}职业学校", "district": district,
                "major_code": m[0], "major_name": m[1], "level": m[2], "risk_score": m[6], "warning_level": m[5],
                "guidance": m[4], "restriction": None, "reasons": m[11], "latest_year": 2025, "enrolled": 40,
                "employment_rate": 0.9, "city_employment_rate": m[10], "school_flags": ["招生下降"],
            })
    return pl.DataFrame(rows)


def tables(majors: list[tuple] = MAJORS, entries: list[tuple[str, str, str]] | None = None) -> dict:
    return {"guiding_catalog": catalog(majors), "restriction_list": restrictions(entries),
            "school_major_scores": school_scores()}


# ---------------------------------------------------------------- helpers

def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under the publish folder with its bytes (the lock file aside)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != ".publish.lock"}


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


@pytest.fixture
def published(tmp_path: Path) -> Path:
    return tmp_path / "home" / "published"


@pytest.fixture
def first(published: Path) -> publish.EditionResult:
    return publish_edition(published, "2026", tables(), HEADERS, PACKAGE, created=CREATED)


# ---------------------------------------------------------------- the folder

def test_edition_has_exactly_the_contract_files(first: publish.EditionResult, published: Path) -> None:
    names = sorted(p.name for p in first.folder.iterdir())
    assert names == sorted([
        "guiding_catalog.csv", "guiding_catalog.xlsx", "guiding_catalog.parquet",
        "restriction_list.csv", "restriction_list.xlsx", "restriction_list.parquet",
        "school_major_scores.parquet", "changes.csv", "datapackage.json", "SHA256SUMS"])
    assert [f.name for f in first.files] == sorted(names)
    assert current_edition(published) == "2026"
    assert (published / "CURRENT").read_text(encoding="utf-8") == "2026\n"
    assert not list(published.glob(".tmp-*")) and not list(published.glob(".CURRENT.*"))
    assert first.folder.stat().st_mode & 0o777 == 0o755
    assert (published / "CURRENT").stat().st_mode & 0o777 == 0o644   # a portal run as another user reads it
    assert first.previous is None and first.changes == 0


def test_sha256sums_checks_with_coreutils(first: publish.EditionResult) -> None:
    done = subprocess.run(["sha256sum", "-c", "--strict", "SHA256SUMS"], cwd=first.folder,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    listed = [line.split("  ", 1)[1] for line in (first.folder / "SHA256SUMS").read_text().splitlines()]
    others = sorted(p.name for p in first.folder.iterdir() if p.name != "SHA256SUMS")
    assert listed == others
    (first.folder / "restriction_list.csv").write_bytes(b"tampered")
    tampered = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=first.folder, capture_output=True)
    assert tampered.returncode != 0


def test_xlsx_reads_back_as_a_person_sees_it(first: publish.EditionResult) -> None:
    book = openpyxl.load_workbook(first.folder / "guiding_catalog.xlsx")
    assert book.sheetnames == ["专业指导性目录"]
    sheet = book["专业指导性目录"]
    header = [c.value for c in sheet[1]]
    assert header == list(CATALOG_HEADERS.values())
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:P{len(MAJORS) + 1}"
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {m[0] for m in MAJORS}
    assert all(isinstance(code, str) for code in rows)  # '0101' kept its leading zero, not 101
    formula_cell = next(c for c in sheet["B"] if c.value and "SUM" in str(c.value))
    assert formula_cell.value == "'=SUM(A1)" and formula_cell.data_type == "s"
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert rows["0101"][6] == pytest.approx(81.25) and isinstance(rows["0101"][6], float)
    assert rows["460101"][1] == '化工技术, "精细"方向'
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCDEFGHIJKLMNOP"}
    assert all(w and w > 0 for w in widths.values())
    assert widths["P"] > widths["A"]  # the reasons are wider than a code
    assert max(widths.values()) <= spreadsheet.MAX_WIDTH + 1
    limits = openpyxl.load_workbook(first.folder / "restriction_list.xlsx")
    assert limits.sheetnames == ["禁限目录"]
    assert [c.value for c in limits["禁限目录"][1]] == list(RESTRICTION_HEADERS.values())


def test_csv_reads_back_as_excel_reads_it(first: publish.EditionResult) -> None:
    raw = (first.folder / "guiding_catalog.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\r\n") >= len(MAJORS) + 1 and b"e-" not in raw and b"E-" not in raw
    rows = read_csv(first.folder / "guiding_catalog.csv")
    assert rows[0] == list(CATALOG_HEADERS.values())
    body = {r[0]: r for r in rows[1:]}
    assert [r[0] for r in rows[1:]] == sorted(m[0] for m in MAJORS)
    assert body["460101"][1] == '化工技术, "精细"方向'
    assert body["460101"][15] == "禁止类产业占比 80%\n连续三年无招生"
    assert body["460101"][13] == "0.0000"  # 0.000012 plainly, never 1.2e-05
    assert body["530101"][1] == "'=SUM(A1)"
    assert body["0101"][6] == "81.3" and body["0101"][7] == "0.6000"
    assert body["0101"][12] == "0.0000"  # -0.0 is not shown as a negative
    assert b'"\xe5\x8c\x96\xe5\xb7\xa5\xe6\x8a\x80\xe6\x9c\xaf, ""' in raw  # quoted, quotes doubled
    limits = read_csv(first.folder / "restriction_list.csv")
    assert limits[0] == list(RESTRICTION_HEADERS.values())
    assert [r[:5:4] for r in limits[1:]] == [["0101", "全市"], ["460101", "全市"], ["460101", "朝阳区"]]


def test_parquet_is_sorted_with_codes_as_text(first: publish.EditionResult) -> None:
    df = pl.read_parquet(first.folder / "guiding_catalog.parquet")
    assert df.schema["major_code"] == pl.String and df.columns == catalog().columns
    assert df["major_code"].to_list() == sorted(m[0] for m in MAJORS)
    scores = pl.read_parquet(first.folder / "school_major_scores.parquet")
    keys = scores.select("school_code", "major_code").rows()
    assert keys == sorted(keys) and scores["school_flags"].to_list()[0] == ["招生下降"]


def test_row_hashes_are_the_same_on_the_thread_and_after_the_documents(tmp_path: Path, monkeypatch) -> None:
    """Tables small enough are hashed on a thread while the documents are written, larger ones after them:
    the manifest holds the same hashes either way."""
    def hashes(folder: Path) -> dict[str, str]:
        manifest = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        return {r["path"]: r["rows_hash"] for r in manifest["resources"] if "rows_hash" in r}

    threaded = publish_edition(tmp_path / "a", "2026", tables(), HEADERS, PACKAGE, created=CREATED)
    monkeypatch.setattr(publish, "IN_MEMORY_BYTES", 0)  # every table "national": hashed after the documents
    after = publish_edition(tmp_path / "b", "2026", tables(), HEADERS, PACKAGE, created=CREATED)
    assert hashes(threaded.folder) == hashes(after.folder)
    assert hashes(after.folder)["school_major_scores.parquet"] == rows_hash(school_scores())


def test_datapackage_describes_every_file(first: publish.EditionResult) -> None:
    manifest = json.loads((first.folder / "datapackage.json").read_text(encoding="utf-8"))
    assert manifest["edition"] == "2026" and manifest["previous_edition"] is None
    assert manifest["created"] == "2026-09-01T08:00:00+00:00"
    assert manifest["run_id"] == PACKAGE["run_id"] and manifest["inputs"] == PACKAGE["inputs"]
    assert manifest["policy"]["version"] == "2026.1" and manifest["contracts"] == PACKAGE["contracts"]
    on_disk = {f.name: f for f in first.files}
    paths = [r["path"] for r in manifest["resources"]]
    assert sorted(paths) == sorted(set(on_disk) - {"datapackage.json", "SHA256SUMS"})
    for resource in manifest["resources"]:
        assert resource["bytes"] == on_disk[resource["path"]].bytes
        assert resource["sha256"] == on_disk[resource["path"]].sha256
    by_path = {r["path"]: r for r in manifest["resources"]}
    assert by_path["guiding_catalog.xlsx"]["rows"] == len(MAJORS)
    assert by_path["guiding_catalog.parquet"]["rows_hash"] == rows_hash(catalog())
    assert by_path["school_major_scores.parquet"]["rows"] == school_scores().height
    assert by_path["guiding_catalog.csv"]["schema"]["fields"][0] == {
        "name": "major_code", "title": "专业代码", "type": "string"}
    text = (first.folder / "datapackage.json").read_text(encoding="utf-8")
    assert "专业代码" in text and text == json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


# ---------------------------------------------------------------- atomicity and immutability

def test_current_is_switched_last_and_atomically(first: publish.EditionResult, published: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, str]] = []
    real_replace = os.replace

    def watching_replace(src: os.PathLike, dst: os.PathLike) -> None:
        src, dst = Path(src), Path(dst)
        if dst.name == "CURRENT":
            folder = published / "2027"
            check = subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=folder, capture_output=True)
            assert check.returncode == 0  # the edition is complete before it is named
            assert not list(published.glob(".tmp-*"))
            assert current_edition(published) == "2026"  # readers still see the old edition
            seen.append((src.name, src.read_text(encoding="utf-8")))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", watching_replace)
    result = publish_edition(published, "2027", tables(), HEADERS, PACKAGE, created=CREATED)
    assert [(name.startswith(".CURRENT.") and name.endswith(".tmp"), text) for name, text in seen] == [(True, "2027\n")]
    assert current_edition(published) == "2027" and result.previous == "2026"


@pytest.mark.parametrize("table", ["guiding_catalog", "restriction_list"])
def test_failed_publish_leaves_current_and_earlier_editions_untouched(
        first: publish.EditionResult, published: Path, monkeypatch: pytest.MonkeyPatch, table: str) -> None:
    before = snapshot(published)
    real_xlsx = spreadsheet.write_xlsx

    def failing_xlsx(path: Path, *args: object, **kwargs: object) -> None:
        if path.name.startswith(table):
            assert path.parent.name.startswith(".tmp-2027-")  # written beside, never in place
            raise OSError("disk full (injected)")
        real_xlsx(path, *args, **kwargs)

    monkeypatch.setattr(spreadsheet, "write_xlsx", failing_xlsx)
    with pytest.raises(OSError, match="injected"):
        publish_edition(published, "2027", tables(), HEADERS, PACKAGE, created=CREATED)
    assert snapshot(published) == before
    assert not (published / "2027").exists() and not list(published.glob(".tmp-*"))
    assert list_editions(published) == ["2026"] and current_edition(published) == "2026"


def test_interrupted_switch_is_completed_by_the_rerun(first: publish.EditionResult, published: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def dying_switch(root: Path, edition: str) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(publish, "_switch_current", dying_switch)
        with pytest.raises(KeyboardInterrupt):
            publish_edition(published, "2027", tables(), HEADERS, PACKAGE, created=CREATED)
    assert current_edition(published) == "2026" and (published / "2027" / "SHA256SUMS").exists()
    again = publish_edition(published, "2027", tables(), HEADERS, PACKAGE, created=CREATED)
    assert current_edition(published) == "2027" and again.previous == "2026"


def test_stale_temporary_folder_of_a_killed_run_is_cleared(first: publish.EditionResult, published: Path) -> None:
    stale = published / ".tmp-2027-dead"
    stale.mkdir()
    (stale / "guiding_catalog.csv").write_text("half", encoding="utf-8")
    publish_edition(published, "2027", tables(), HEADERS, PACKAGE, created=CREATED)
    assert not stale.exists() and list_editions(published) == ["2026", "2027"]


def test_republishing_the_same_rows_is_a_no_op(first: publish.EditionResult, published: Path) -> None:
    before = snapshot(published)
    shuffled = {name: df.sample(fraction=1.0, shuffle=True, seed=7) for name, df in tables().items()}
    later = datetime(2026, 9, 2, tzinfo=UTC)
    again = publish_edition(published, "2026", shuffled, HEADERS, {**PACKAGE, "run_id": "run-0002"}, created=later)
    assert again == dataclasses.replace(first, unchanged=True) and not first.unchanged
    assert snapshot(published) == before


def test_republishing_other_rows_under_the_same_id_is_refused(first: publish.EditionResult, published: Path) -> None:
    before = snapshot(published)
    changed = [("0101", *MAJORS[1][1:4], "改造升级", *MAJORS[1][5:]), *MAJORS[2:]]
    with pytest.raises(EditionExistsError, match="不可更改"):
        publish_edition(published, "2026", tables(changed), HEADERS, PACKAGE, created=CREATED)
    other_headers = {**HEADERS, "restriction_list": {**RESTRICTION_HEADERS, "scope": "区域"}}
    with pytest.raises(EditionExistsError):
        publish_edition(published, "2026", tables(), other_headers, PACKAGE, created=CREATED)
    assert snapshot(published) == before


def test_same_frames_give_the_same_rows_and_bytes_in_two_editions(first: publish.EditionResult,
                                                                  published: Path) -> None:
    reordered = {name: df.reverse() for name, df in tables().items()}
    second = publish_edition(published, "2026-r2", reordered, HEADERS, PACKAGE, created=CREATED)
    for name in ("guiding_catalog.csv", "guiding_catalog.xlsx", "restriction_list.xlsx",
                 "guiding_catalog.parquet", "school_major_scores.parquet"):
        assert (first.folder / name).read_bytes() == (second.folder / name).read_bytes(), name
    hashes = [{r["path"]: r["rows_hash"] for r in json.loads((f / "datapackage.json").read_text())["resources"]}
              for f in (first.folder, second.folder)]
    assert hashes[0] == hashes[1]
    assert second.changes == 0 and read_csv(second.folder / "changes.csv")[1:] == []


# ---------------------------------------------------------------- changes.csv

def test_changes_list_exactly_the_majors_that_moved(first: publish.EditionResult, published: Path) -> None:
    moved = [
        ("610105", *MAJORS[0][1:4], "重点建设", *MAJORS[0][5:11], "高精尖产业占比 85%"),  # guidance
        ("0101", *MAJORS[1][1:5], "黄", *MAJORS[1][6:]),  # warning level
        ("530101", *MAJORS[2][1:6], 33.0, *MAJORS[2][7:]),  # only the score moved: not a change
        MAJORS[3],  # its 朝阳区 restriction is lifted below
        ("520101", "护理", "高职专科", "医药卫生大类", "优先发展", "绿", 8.0, 0.0, 0.0, 3.2, 0.98, "城市服务紧缺"),
    ]  # 540101 is gone
    entries = [("0101", "限制招生", "全市"), ("460101", "停止新设", "全市")]
    second = publish_edition(published, "2027", tables(moved, entries), HEADERS, PACKAGE, created=CREATED)
    rows = read_csv(second.folder / "changes.csv")
    assert rows[0] == list(publish.CHANGE_HEADERS.values())
    got = {r[0]: dict(zip(publish.CHANGE_HEADERS, r, strict=True)) for r in rows[1:]}
    assert sorted(got) == ["0101", "460101", "520101", "540101", "610105"]
    assert second.changes == 5 and second.previous == "2026"
    assert got["610105"] == {
        "major_code": "610105", "major_name": "计算机应用技术", "change": "变化", "guidance_old": "优先发展",
        "guidance_new": "重点建设", "warning_level_old": "绿", "warning_level_new": "绿",
        "restriction_old": "", "restriction_new": "", "overridden": "", "reasons": "高精尖产业占比 85%"}
    assert (got["0101"]["warning_level_old"], got["0101"]["warning_level_new"]) == ("红", "黄")
    assert got["0101"]["restriction_old"] == got["0101"]["restriction_new"] == "限制招生（全市）"
    assert got["460101"]["restriction_old"] == "停止新设（全市）；限制招生（朝阳区）"
    assert got["460101"]["restriction_new"] == "停止新设（全市）"
    assert (got["520101"]["change"], got["520101"]["guidance_old"], got["520101"]["guidance_new"]) == (
        "新增", "", "优先发展")
    assert got["540101"]["change"] == "移除" and got["540101"]["reasons"] == "专业不再出现在目录中"
    assert (got["540101"]["guidance_old"], got["540101"]["guidance_new"]) == ("控制发展", "")
    manifest = json.loads((second.folder / "datapackage.json").read_text(encoding="utf-8"))
    assert manifest["previous_edition"] == "2026"


def test_changes_computed_before_are_written_only_for_the_id_and_previous_edition_they_were_computed_for(
        first: publish.EditionResult, published: Path) -> None:
    """changes.csv takes the rows computed before publication (the edition_changes asset) when they compare this
    id with the edition in force; computed against another edition they are computed again."""
    moved = tables([("610105", *MAJORS[0][1:4], "重点建设", *MAJORS[0][5:]), *MAJORS[1:]])
    old = {n: pl.read_parquet(first.folder / f"{n}.parquet") for n in ("guiding_catalog", "restriction_list")}
    rows = publish.compute_changes(old, moved)  # 2027 against 2026: 610105 moved
    assert rows.height == 1
    stale = publish.Comparison("2027", "2025", {"edition_changes": rows.clear()})  # against another edition
    second = publish_edition(published, "2027", moved, HEADERS, PACKAGE, created=CREATED, compared=stale)
    assert second.changes == 1 and read_csv(second.folder / "changes.csv")[1][0] == "610105"
    # 2028 has 2027's catalog: nothing moved, yet rows given for its very id and previous edition are taken as given
    given = publish.Comparison("2028", "2027", {"edition_changes": rows})
    third = publish_edition(published, "2028", moved, HEADERS, PACKAGE, created=CREATED, compared=given)
    assert third.changes == 1 and read_csv(third.folder / "changes.csv")[1:] == read_csv(second.folder / "changes.csv")[1:]
    unasked = publish_edition(published, "2029", moved, HEADERS, PACKAGE, created=CREATED, compared=given)
    assert unasked.changes == 0  # another id: computed at publication


def test_changes_mark_overridden_majors_even_when_nothing_else_moved(
        first: publish.EditionResult, published: Path) -> None:
    moved = [("610105", *MAJORS[0][1:4], "重点建设", *MAJORS[0][5:]), *MAJORS[1:]]
    second = publish_edition(published, "2027", tables(moved), HEADERS, PACKAGE, created=CREATED,
                             overridden={"610105", "0101"})
    rows = read_csv(second.folder / "changes.csv")
    got = {r[0]: dict(zip(publish.CHANGE_HEADERS, r, strict=True)) for r in rows[1:]}
    assert sorted(got) == ["0101", "610105"]
    assert (got["610105"]["change"], got["610105"]["overridden"]) == ("变化", "是")
    assert (got["0101"]["change"], got["0101"]["overridden"]) == ("复核调整", "是")
    assert rows[0][list(publish.CHANGE_HEADERS).index("overridden")] == "复核调整"
    assert second.adjusted == 2  # counted for the asset metadata (review_adjustments)
    listed = json.loads((second.folder / "datapackage.json").read_text(encoding="utf-8"))["resources"]
    assert next(r for r in listed if r["path"] == "changes.csv")["overridden_rows"] == 2


def test_an_offering_adjusted_after_review_marks_its_major_in_changes_without_naming_the_school() -> None:
    """An accepted objection on one school's offering leaves the major's verdict: changes.csv still lists the
    major as 复核调整, saying how many offerings were adjusted (the school is not named in a public file)."""
    from warehouse.changes import compute_changes, overridden_notes

    majors = pl.DataFrame({"major_code": ["0101", "0102"], "overridden": [True, False]})
    scores = pl.DataFrame({"school_code": ["S1", "S2", "S1"], "major_code": ["0101", "0102", "0102"],
                           "overridden": [True, True, False]})
    notes = overridden_notes(majors, scores)
    assert notes == {"0101": "", "0102": "其中 1 个专业点经市教委复核调整"}
    frames = {"guiding_catalog": pl.DataFrame({"major_code": ["0101", "0102"], "major_name": ["甲", "乙"],
                                               "guidance": ["正常", "正常"], "warning_level": ["绿", "绿"],
                                               "reasons": ["理由甲", "理由乙"]}),
              "restriction_list": pl.DataFrame(schema={"major_code": pl.String, "restriction": pl.String,
                                                       "scope": pl.String, "reasons": pl.String})}
    got = {r["major_code"]: r for r in compute_changes(frames, frames, notes).to_dicts()}
    assert got["0102"]["change"] == "复核调整" and got["0102"]["overridden"] == "是"
    assert got["0102"]["reasons"] == "理由乙；其中 1 个专业点经市教委复核调整" and "S2" not in str(got)
    assert got["0101"]["reasons"] == "理由甲"


def test_a_renumbered_major_is_one_change_naming_its_old_code() -> None:
    """A major renumbered since the previous edition (code_history names its old code) is one 代码变更 row
    comparing the old code's verdict with the new code's, not 移除 of the old code and 新增 of the new; a split
    old code (two new codes) stays 移除 and 新增, and without code_history a renumbering is 移除 and 新增."""
    from warehouse.changes import compute_changes

    def frames(codes, levels, reasons):
        return {"guiding_catalog": pl.DataFrame({"major_code": codes, "major_name": ["甲", "乙", "丙"][:len(codes)],
                                                 "guidance": ["正常"] * len(codes), "warning_level": levels,
                                                 "reasons": reasons}),
                "restriction_list": pl.DataFrame(schema={"major_code": pl.String, "restriction": pl.String,
                                                         "scope": pl.String, "reasons": pl.String})}

    old = frames(["510210", "520903"], ["黄", "绿"], ["理由甲", "理由乙"])
    new = frames(["510111", "520101", "520102"], ["红", "绿", "绿"], ["理由甲", "理由乙", "理由丙"])
    history = pl.DataFrame({"new_code": ["510111", "520101", "520102"], "old_code": ["510210", "520903", "520903"]})
    got = compute_changes(old, {**new, "code_history": history})
    rows = {r["major_code"]: r for r in got.to_dicts()}
    assert rows["510111"]["change"] == "代码变更" and "510210" not in rows
    assert (rows["510111"]["warning_level_old"], rows["510111"]["warning_level_new"]) == ("黄", "红")
    assert rows["510111"]["reasons"] == "原专业代码 510210，历史数据已并入；理由甲"
    assert {c: rows[c]["change"] for c in ("520903", "520101", "520102")} == {
        "520903": "移除", "520101": "新增", "520102": "新增"}
    # the same verdict under the new code is still told: the code itself changed
    same = compute_changes(old, {**frames(["510111", "520903"], ["黄", "绿"], ["原专业代码 510210，历史数据已并入", "理由乙"]),
                                 "code_history": history.head(1)})
    assert same.select("major_code", "change", "reasons").rows() == [
        ("510111", "代码变更", "原专业代码 510210，历史数据已并入")]
    assert sorted(compute_changes(old, new)["change"].to_list()) == ["新增", "新增", "新增", "移除", "移除"]


# ---------------------------------------------------------------- validation, listing, hashing

@pytest.mark.parametrize("edition", ["CURRENT", "CURRENT.tmp", "", "../x", "2026/1", "a b", ".tmp-x", "二〇二六"])
def test_invalid_edition_ids_are_refused(published: Path, edition: str) -> None:
    with pytest.raises(ValueError, match="版次号不合法"):
        publish_edition(published, edition, tables(), HEADERS, PACKAGE, created=CREATED)
    assert not published.exists() or list_editions(published) == []


def test_bad_tables_are_refused_before_anything_is_written(first: publish.EditionResult, published: Path) -> None:
    before = snapshot(published)
    bad_cases = [
        ({**tables(), "guiding_catalog": pl.concat([catalog(), catalog().head(1)])}, HEADERS, "重复"),
        ({**tables(), "school_major_scores": school_scores().drop("school_code")}, HEADERS, "缺少关键列"),
        ({k: v for k, v in tables().items() if k != "restriction_list"}, HEADERS, "只接受"),
        (tables(), {**HEADERS, "guiding_catalog": {"major_code": "专业代码"}}, "缺少中文表头"),
    ]
    for frames, headers, message in bad_cases:
        with pytest.raises(ValueError, match=message):
            publish_edition(published, "2027", frames, headers, PACKAGE, created=CREATED)
    with pytest.raises(ValueError, match="edition"):
        publish_edition(published, "2027", tables(), HEADERS, {"edition": "x"}, created=CREATED)
    assert snapshot(published) == before and not list(published.glob(".tmp-*"))


def test_listing_and_current(published: Path) -> None:
    assert current_edition(published) is None and list_editions(published) == []
    for edition in ("2027", "2026", "2026-r2", "2026-r10"):
        publish_edition(published, edition, tables(), HEADERS, PACKAGE, created=CREATED)
    (published / "notes").mkdir()
    assert list_editions(published) == ["2026", "2026-r2", "2026-r10", "2027"]
    assert current_edition(published) == "2026-r10"  # the last published is in force


def test_rows_hash_ignores_row_and_column_order_but_not_content() -> None:
    df = catalog()
    assert rows_hash(df) == rows_hash(df.reverse()) == rows_hash(df.select(sorted(df.columns)))
    assert rows_hash(df) != rows_hash(df.with_columns(pl.col("risk_score") + 0.1))
    assert rows_hash(df) != rows_hash(df.head(4))
    assert len(rows_hash(df)) == 64 and rows_hash(df) == rows_hash(catalog())


def test_a_current_pointing_nowhere_is_reported_in_chinese(first: publish.EditionResult, published: Path) -> None:
    (published / "CURRENT").write_text("2025\n", encoding="utf-8")
    with pytest.raises(FileNotFoundError, match="CURRENT 指向的版次 2025 不存在"):
        publish_edition(published, "2027", tables(), HEADERS, PACKAGE, created=CREATED)
    assert not (published / "2027").exists() and not list(published.glob(".tmp-*"))


def test_canonical_keeps_an_already_sorted_table_and_sorts_or_refuses_the_rest():
    """School scores arrive sorted by key (national: a million rows), and are published without a sorted copy;
    any other order is sorted, a duplicated or null key still refused or placed by the sort."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    keys = ["school_code", "major_code"]

    @settings(max_examples=150, deadline=None)
    @given(st.lists(st.tuples(st.sampled_from(["1", "2", "10", None]), st.sampled_from(["a", "b", "ab"])),
                    max_size=8))
    def check(rows):
        df = pl.DataFrame(rows, schema=dict.fromkeys(keys, pl.String), orient="row").with_row_index("i")
        if df.select(keys).is_duplicated().any():
            with pytest.raises(ValueError, match="重复"):
                publish.canonical("school_major_scores", df)
            return
        out = publish.canonical("school_major_scores", df)
        assert out.equals(df.sort(keys, maintain_order=True))
        assert publish._ascending(out, tuple(keys)) == (out.select(keys).null_count().sum_horizontal().item() == 0)

    check()
