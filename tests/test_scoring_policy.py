"""The policy file: loads, is versioned and hashed, and refuses malformed values naming the key."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from scoring.policy import DEFAULT_PATH, GUIDANCE, PolicyError, load_policy


def test_default_policy_loads_with_version_hash_and_sources():
    p = load_policy()
    assert p.version == "2026.1"
    assert p.sha256 == hashlib.sha256(DEFAULT_PATH.read_bytes()).hexdigest()
    assert sum(p.weights.model_dump().values()) == pytest.approx(100)
    assert p.rules.employment_floor == 0.6
    assert p.rules.exit_zero_enrolment_years == 3
    assert p.no_vocational_districts == ("东城区", "西城区")
    assert sorted(p.guidance_precedence) == sorted(GUIDANCE)
    # every numeric value has a source
    for section in ("weights", "relief", "curves", "rules", "school", "evidence"):
        for key in type(getattr(p, section)).model_fields:
            assert p.sources[f"{section}.{key}"].strip()
    d = p.as_dict()
    assert d["version"] == "2026.1" and d["sha256"] == p.sha256
    assert "source" in d["rules"]["employment_floor"]


def test_policy_is_immutable():
    p = load_policy()
    with pytest.raises(ValidationError):
        p.rules.employment_floor = 0.1  # type: ignore[misc]
    d = p.as_dict()
    d["rules"]["employment_floor"]["value"] = 0.1
    assert p.as_dict()["rules"]["employment_floor"]["value"] == 0.6


def test_districts_in_zone():
    p = load_policy()
    assert "朝阳区" in p.districts_in("中心城区")
    assert p.districts_in("东城区") == ("东城区",)


def _write(tmp_path: Path, mutate) -> Path:
    raw = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    mutate(raw)
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("mutate, key", [
    (lambda r: r["rules"]["employment_floor"].pop("source"), "rules.employment_floor.source"),
    (lambda r: r["rules"]["employment_floor"].update(value="60%"), "rules.employment_floor.value"),
    (lambda r: r["rules"]["employment_floor"].update(value=1.5), "rules.employment_floor.value"),
    (lambda r: r["rules"]["exit_zero_enrolment_years"].update(value=2.5), "rules.exit_zero_enrolment_years"),
    (lambda r: r["weights"]["demand"].update(value=20), "weights"),
    (lambda r: r["weights"].update(extra={"value": 1, "source": "x"}), "weights.extra"),
    (lambda r: r["rules"].pop("red_score"), "rules.red_score"),
    (lambda r: r.update(version=2026), "version"),
    (lambda r: r["guidance_precedence"].update(value=["停止新设", "正常"]), "guidance_precedence"),
    (lambda r: r["districts"]["no_vocational"].update(value=[]), "districts.no_vocational"),
    (lambda r: r["curves"]["employment_full_risk"].update(value=0.99), "curves.employment_no_risk"),
    (lambda r: r["rules"]["yellow_score"].update(value=90), "rules.yellow_score"),
    (lambda r: r["rules"]["saturation_needs_falling_demand"].update(value="是"),
     "rules.saturation_needs_falling_demand.value"),
    (lambda r: r["evidence"]["min_graduates"].update(value=-1), "evidence.min_graduates.value"),
    (lambda r: r["rules"]["employment_yellow_years"].update(value=3), "rules.employment_yellow_years"),
    (lambda r: r["curves"]["saturation_start"].update(value=20), "curves.saturation_start"),
])
def test_malformed_policy_names_the_key(tmp_path, mutate, key):
    path = _write(tmp_path, mutate)
    with pytest.raises(PolicyError, match=key.replace(".", r"\.")) as info:
        load_policy(path)
    assert str(path) in str(info.value)  # the error names the file too
    assert "评分政策文件" in str(info.value)


def test_changed_file_changes_hash(tmp_path):
    path = _write(tmp_path, lambda r: r["rules"]["employment_floor"].update(value=0.65))
    p = load_policy(path)
    assert p.rules.employment_floor == 0.65
    assert p.sha256 != load_policy().sha256
