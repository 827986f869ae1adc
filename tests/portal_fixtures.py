"""Writes small published editions in the output-contract layout for the portal's tests.

Scores are a known function of (edition, school, major) so a test can tell which edition an answer
came from. Each edition is written in a temporary folder and renamed into place; CURRENT is switched
with os.replace, as the real publisher does.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import polars as pl

SCHOOL_A = "0110001"
SCHOOL_B = "0110002"
SCHOOL_C = "0110003"
SCHOOL_NAMES = {SCHOOL_A: "北京市第一职业学校", SCHOOL_B: "北京市商贸职业学院", SCHOOL_C: "北京市城建技术学校"}
MAJORS = {
    "460101": ("机械设计与制造", "高职专科", "装备制造大类"),
    "510201": ("计算机应用技术", "高职专科", "电子与信息大类"),
    "530302": ("大数据与会计", "高职专科", "财经商贸大类"),
    "540101": ("建筑设计", "高职专科", "土木建筑大类"),
    "570101": ("早期教育", "高职专科", "教育与体育大类"),
    "660301": ("化工工艺", "中职", "生物与化工大类"),
}
OFFERINGS = {
    SCHOOL_A: ["460101", "510201", "660301"],
    SCHOOL_B: ["510201", "540101", "570101"],
    SCHOOL_C: ["530302", "540101"],
}
A_ONLY, B_ONLY, SHARED = "460101", "540101", "510201"
GUIDANCE = ["优先发展", "正常", "控制发展", "限制", "停止新设", "重点建设"]
CN_HEADERS = {"major_code": "专业代码", "major_name": "专业名称", "level": "层次",
              "category_name": "专业大类", "guidance": "指导类别", "warning_level": "预警等级",
              "risk_score": "风险分值", "reasons": "依据", "restriction": "限制类型", "scope": "适用区域"}


def risk(edition_index: int, school: str, major: str) -> float:
    """The known score of an offering in an edition (different in every edition)."""
    return round(10.0 + int(major[:2]) % 7 * 9 + int(school[-1]) * 3 + edition_index * 7.5, 1)


def own_risk(edition_index: int, school: str, major: str) -> float:
    """The offering's own score (专业点风险分值): the school's adjustment differs for every offering."""
    return round(min(100.0, risk(edition_index, school, major) + int(major[-1]) * 4 + int(school[-1]) * 1.5), 1)


DISTRICTS = {SCHOOL_A: "海淀区", SCHOOL_B: "朝阳区", SCHOOL_C: "东城区"}
PARTS = ("part_prohibited", "part_restricted", "part_transforming", "part_relocated", "part_demand",
         "part_employment", "part_enrolment", "part_saturation", "part_high_end", "part_urban_service")


def flags_of(edition_index: int, school: str, major: str) -> str:
    flags = ["退出"] if (school, major) == (SCHOOL_A, "660301") else []
    if DISTRICTS.get(school) == "东城区":
        flags.append("所在区（东城区）不再举办职业教育")
    return "；".join(flags)


def parts_of(score: float) -> dict[str, float]:
    """Parts adding up to ``score``: a fixed share for each of five parts, one relief part."""
    return {"part_prohibited": round(score * 0.4, 2), "part_transforming": round(score * 0.2, 2),
            "part_demand": round(score * 0.3, 2), "part_employment": round(score * 0.15, 2),
            "part_high_end": round(-score * 0.05, 2), "part_restricted": 0.0, "part_relocated": 0.0,
            "part_enrolment": 0.0, "part_saturation": 0.0, "part_urban_service": 0.0}


def major_risk(edition_index: int, major: str) -> float:
    return round(12.0 + int(major[:2]) % 7 * 11 + edition_index * 5.0, 1)


def level_of(score: float) -> str:
    return "红" if score >= 60 else ("黄" if score >= 40 else "绿")


def _guiding(idx: int, majors: dict) -> pl.DataFrame:
    rows = []
    for n, (code, (name, level, cat)) in enumerate(sorted(majors.items())):
        score = major_risk(idx, code)
        rows.append({"major_code": code, "major_name": name, "level": level, "category_name": cat,
                     "guidance": GUIDANCE[n % len(GUIDANCE)], "warning_level": level_of(score),
                     "risk_score": score, "exposure_prohibited": 0.1 * (n % 3), "exposure_restricted": 0.05,
                     "exposure_transforming": 0.2, "exposure_high_end": 0.0, "exposure_urban_service": 0.1,
                     "exposure_relocated": 0.0, "demand_supply_ratio": 1.2 + n / 10,
                     "employment_rate": 0.9 - n / 50, "reasons": f"第{idx}版：{name}对应行业在调整目录中占比较高"})
    return pl.DataFrame(rows)


def _scores(idx: int, offerings: dict, names: dict, majors: dict) -> pl.DataFrame:
    rows = []
    for school, codes in offerings.items():
        for code in codes:
            name, level, cat = majors[code]
            score = risk(idx, school, code)
            rows.append({"school_code": school, "school_name": names[school],
                         "district": DISTRICTS.get(school, "海淀区"),
                         "major_code": code, "major_name": name, "level": level, "category_name": cat,
                         "risk_score": score, "warning_level": level_of(score), "guidance": "正常",
                         "restriction": "限制招生" if score >= 60 else None,
                         "reasons": f"{name}（{code}）在{names[school]}：毕业去向落实率低于全市；第{idx}版评分",
                         "latest_year": 2024 + idx, "enrolled": 40 + idx + int(code[-1]), "enrolled_prev": 45,
                         "graduates": 38 + int(code[-1]), "employment_rate": round(0.55 + int(code[:2]) % 7 * 0.05, 2),
                         "in_field_rate": 0.6, "city_employment_rate": 0.9, "city_in_field_rate": 0.7,
                         "city_avg_enrolled": 52.5, "school_flags": flags_of(idx, school, code),
                         "school_risk_score": own_risk(idx, school, code), **parts_of(score)})
    return pl.DataFrame(rows)


def _write_tables(folder: Path, guiding: pl.DataFrame, restrictions: pl.DataFrame,
                  scores: pl.DataFrame, changes: pl.DataFrame) -> None:
    guiding.write_parquet(folder / "guiding_catalog.parquet")
    restrictions.write_parquet(folder / "restriction_list.parquet")
    scores.write_parquet(folder / "school_major_scores.parquet")
    for name, frame in (("guiding_catalog", guiding), ("restriction_list", restrictions)):
        shown = frame.rename({c: h for c, h in CN_HEADERS.items() if c in frame.columns})
        shown.write_csv(folder / f"{name}.csv", include_bom=True)
        shown.write_excel(folder / f"{name}.xlsx", autofilter=True, freeze_panes=(1, 0))
    changes.write_csv(folder / "changes.csv", include_bom=True)


def write_edition(home: Path, edition_id: str, index: int, *, offerings: dict | None = None,
                  names: dict | None = None, majors: dict | None = None) -> Path:
    """Write one complete edition folder under ``home/published`` (temp folder, then rename)."""
    offerings, names, majors = offerings or OFFERINGS, names or SCHOOL_NAMES, majors or MAJORS
    published = Path(home) / "published"
    published.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{edition_id}-", dir=published))
    guiding = _guiding(index, majors)
    restrictions = guiding.filter(pl.col("warning_level") == "红").select(
        "major_code", "major_name", "level", restriction=pl.lit("限制招生"), scope=pl.lit("全市"),
        reasons="reasons")
    changes = guiding.select("major_code", "major_name", old_guidance=pl.lit("正常"),
                             new_guidance="guidance", reason=pl.lit("指标变化"))
    _write_tables(tmp, guiding, restrictions, _scores(index, offerings, names, majors), changes)
    files = sorted(p for p in tmp.iterdir() if p.is_file())
    sums = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
    meta = {"edition": edition_id, "created": f"{2024 + index}-12-01T00:00:00+08:00", "inputs": [],
            "contracts": [], "policy": _policy_record(),
            **({"state": "征求意见稿"} if edition_id.endswith("-draft") else {}),  # as the pipeline publishes drafts
            "files": [{"path": p.name, "bytes": p.stat().st_size, "sha256": sums[p.name]}
                                       for p in files]}
    (tmp / "datapackage.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    sums["datapackage.json"] = hashlib.sha256((tmp / "datapackage.json").read_bytes()).hexdigest()
    (tmp / "SHA256SUMS").write_text("".join(f"{h}  {n}\n" for n, h in sorted(sums.items())), encoding="utf-8")
    target = published / edition_id
    if target.exists():
        shutil.rmtree(tmp)
        raise FileExistsError(target)
    os.rename(tmp, target)
    return target


def set_current(home: Path, edition_id: str) -> None:
    """Switch CURRENT atomically (write a temp file, then os.replace)."""
    published = Path(home) / "published"
    fd, tmp = tempfile.mkstemp(prefix=".CURRENT-", dir=published)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(edition_id + "\n")
    os.replace(tmp, published / "CURRENT")


@dataclass(frozen=True)
class FixtureHome:
    """A home with editions 2024 (index 0), 2025 (index 1) and 2026 (index 2, current)."""

    root: Path
    editions: tuple[str, ...] = ("2024", "2025", "2026")


def build_home(root: Path, current: str = "2026") -> FixtureHome:
    """Write the three fixture editions and point CURRENT at ``current``."""
    fixture = FixtureHome(root=Path(root))
    for index, edition in enumerate(fixture.editions):
        write_edition(fixture.root, edition, index)
    set_current(fixture.root, current)
    return fixture


def scale_offerings(n_schools: int, majors_per_school: int) -> tuple[dict, dict, dict]:
    """A sample-sized layout (for the benchmark): n schools, each offering a window of majors."""
    majors = {f"{460000 + i * 101:06d}": (f"示例专业{i:03d}", "高职专科", f"示例大类{i % 19:02d}")
              for i in range(max(majors_per_school * 4, 60))}
    codes = sorted(majors)
    names = {f"{110000 + s:07d}": f"北京市示例职业学校{s:03d}" for s in range(n_schools)}
    offerings = {school: [codes[(s * 7 + k) % len(codes)] for k in range(majors_per_school)]
                 for s, school in enumerate(sorted(names))}
    return offerings, names, majors


@contextmanager
def running_server(app) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a background thread on a free loopback port; yield its base URL."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def derive_earlier_edition(home: Path, source: str, edition_id: str, shift: float) -> Path:
    """An earlier edition made from a published one (for trends on a sample home with a single edition):
    the same rows with every score moved by ``shift`` × a per-row amount, so each edition's points differ."""
    published = Path(home) / "published"
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{edition_id}-", dir=published))
    src = published / source

    def moved(frame: pl.DataFrame, key: str) -> pl.DataFrame:
        delta = ((pl.col(key).hash(7) % 21).cast(pl.Int64) - 10).cast(pl.Float64) * shift
        cols = [c for c in ("risk_score", "school_risk_score") if c in frame.columns]
        return frame.with_columns([(pl.col(c) + delta).clip(0.0, 100.0).round(1).alias(c) for c in cols])

    scores = pl.read_parquet(src / "school_major_scores.parquet")
    moved(scores.with_columns(_k=pl.col("school_code") + pl.col("major_code")), "_k").drop("_k").write_parquet(
        tmp / "school_major_scores.parquet")
    moved(pl.read_parquet(src / "guiding_catalog.parquet"), "major_code").write_parquet(tmp / "guiding_catalog.parquet")
    shutil.copy(src / "restriction_list.parquet", tmp / "restriction_list.parquet")
    meta = json.loads((src / "datapackage.json").read_text(encoding="utf-8"))
    meta.update(edition=edition_id, previous_edition=None)
    (tmp / "datapackage.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    os.rename(tmp, published / edition_id)
    return published / edition_id


def _policy_record() -> dict:
    """The policy in force as every published edition records it (the precheck page reads it)."""
    from scoring.policy import load_policy

    policy = load_policy()
    return {"version": policy.version, "sha256": policy.sha256, "file": "policy.yaml",
            "content": json.loads(json.dumps(policy.as_dict(), ensure_ascii=False, default=str))}


def session_headers(app, token: str) -> dict[str, str]:
    """The Cookie header of a browser signed in with ``token``: a session started as POST /signin does
    (the cookie carries the session id, never the token)."""
    from portal.auth import COOKIE_NAME

    auth = app.state.auth
    return {"Cookie": f"{COOKIE_NAME}={auth.start(auth.token(token))}"}
