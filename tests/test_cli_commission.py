"""`majorwatch whatif` and `majorwatch precheck` through their parser (pipelines/cli_commission.register)."""

from __future__ import annotations

import argparse
import json

import polars as pl

from pipelines.cli_commission import register
from scoring.catalog import guiding_catalog, restriction_list, school_major_scores
from scoring.policy import EXAMPLES, load_policy
from scoring.precheck import precheck_from_tables
from tests.scoring_fixtures import build, run
from warehouse.db import connect, replace_table


def _cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="majorwatch")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def test_whatif_reads_the_warehouse_and_writes_nothing_published(tmp_path, capsys):
    f = build()
    exposure, signals, _ = run(f)
    con = connect(tmp_path / "warehouse.duckdb")
    for name, frame in (("majors", f.majors), ("major_industry_exposure", exposure),
                        ("major_market_signals", signals)):
        replace_table(con, name, frame)
    con.close()
    out = tmp_path / "moved.csv"
    assert _cli(["whatif", "--policy", str(EXAMPLES / "sichuan.yaml"), "--home", str(tmp_path),
                 "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "530101" in text and "红 → 绿" in text and "未写入发布目录" in text
    assert "专业代码" in out.read_text(encoding="utf-8-sig").splitlines()[0]
    assert not (tmp_path / "published").exists()
    refused = _cli(["whatif", "--policy", str(EXAMPLES / "sichuan.yaml"), "--home", str(tmp_path),
                    "--out", str(tmp_path / "published" / "x.csv")])
    assert refused == 2


def test_precheck_from_the_published_edition_matches_the_function(tmp_path, capsys):
    f = build()
    scored = run(f)[2]
    policy = load_policy()
    tables = {"guiding_catalog": guiding_catalog(f.majors, scored),
              "restriction_list": restriction_list(scored, f.majors),
              "school_major_scores": school_major_scores(f.schools, f.majors, f.school_majors, scored, policy)}
    folder = tmp_path / "published" / "2026"
    folder.mkdir(parents=True)
    for name, frame in tables.items():
        frame.write_parquet(folder / f"{name}.parquet")
    (folder / "datapackage.json").write_text(json.dumps({"policy": {"content": policy.as_dict()}},
                                                        ensure_ascii=False), encoding="utf-8")
    (tmp_path / "published" / "CURRENT").write_text("2026", encoding="utf-8")
    assert _cli(["precheck", "--school", "1111000002", "--major", "540101", "--home", str(tmp_path), "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    expected = precheck_from_tables(*[pl.read_parquet(folder / f"{n}.parquet") for n in tables], policy,
                                    "1111000002", "540101")
    assert answer == {**expected, "edition": "2026"}
    assert answer["verdict"] == "不可以"
    assert _cli(["precheck", "--school", "1111000002", "--major", "540101", "--home", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "结论：不可以" in text and "依据规则：不再举办职业教育的区：东城区、西城区（出处：" in text
