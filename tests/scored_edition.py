"""A published edition scored by the real rules on the tiny scoring fixture (tests/scoring_fixtures.py):
the tables the pipeline publishes (guiding_catalog, restriction_list, school_major_scores, policy_comparisons)
and a datapackage.json carrying the policy in force, without running Dagster (milliseconds, not minutes).

The fixture's schools and majors give every pre-check outcome: 1111000003 (海淀区, a 高职 school by its
offerings) may open 590301; 470201 is 停止新设 citywide; 610101 is a 中职 major, which does not fit a 高职
school; 999999 is not in the catalog; 1111000002 is in 东城区, which no longer runs vocational education.
"""

from __future__ import annotations

import json
from pathlib import Path

from scoring.catalog import guiding_catalog, restriction_list, school_major_scores
from scoring.outlook import graduation_outlook
from scoring.policy import load_policy
from scoring.whatif import policy_comparisons
from tests.scoring_fixtures import build, run

HAIDIAN, CHAOYANG, DONGCHENG = "1111000003", "1111000001", "1111000002"
OPEN_OK, BANNED, OTHER_LEVEL, UNKNOWN = "590301", "470201", "610101", "999999"


def scored_tables() -> dict:
    f = build()
    exposure, signals, scored = run(f)
    policy = load_policy()
    scored = scored.join(graduation_outlook(scored, f.majors, policy), on="major_code", how="left")  # as the asset does
    return {"guiding_catalog": guiding_catalog(f.majors, scored),
            "restriction_list": restriction_list(scored, f.majors),
            "school_major_scores": school_major_scores(f.schools, f.majors, f.school_majors, scored, policy),
            "policy_comparisons": policy_comparisons(f.majors, exposure, signals, policy)}, policy


def write_scored_edition(home: Path, edition: str = "2026") -> Path:
    """Write ``home/published/<edition>`` and point CURRENT at it; returns the folder."""
    tables, policy = scored_tables()
    folder = Path(home) / "published" / edition
    folder.mkdir(parents=True)
    for name, frame in tables.items():
        frame.write_parquet(folder / f"{name}.parquet")
    package = {"edition": edition, "created": "2026-01-05T00:00:00+08:00",
               "policy": {"version": policy.version, "content": policy.as_dict()}}
    (folder / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False, default=str), encoding="utf-8")
    (folder.parent / "CURRENT").write_text(edition + "\n", encoding="utf-8")
    return folder
