"""What every `majorwatch` command pays before it starts: the parser and the definitions import nothing heavy.

Measured on a second run of the sample: building the parser imported the review store (SQLAlchemy's ORM
and Alembic, 1.4 s), and a reused model imported scikit-learn (2.3 s) only to hash its own source.
"""

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("sqlalchemy.orm", "alembic", "sklearn", "great_expectations", "matplotlib", "scipy", "pandas")


def _imported_after(code: str) -> set[str]:
    probe = f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_building_the_cli_parser_imports_nothing_heavy():
    modules = _imported_after("from pipelines.cli import build_parser\nbuild_parser()")
    assert not [m for m in HEAVY if m in modules]
    assert "review.commands" not in modules


def test_the_definitions_import_neither_great_expectations_nor_scikit_learn():
    modules = _imported_after("from pipelines.definitions import defs")
    assert not [m for m in ("sklearn", "great_expectations", "matplotlib") if m in modules]


def test_model_source_versions_do_not_import_the_model_code():
    from ml.registry import source_digest

    code = ("from ml.registry import source_digest\n"
            "source_digest(('ml.forecast', 'ml.forecast_data', 'ml.mapping', 'ml.mapping_model', 'ml.postings'))")
    assert "sklearn" not in _imported_after(code)
    assert source_digest(("ml.forecast",)) != source_digest(("ml.postings",))
