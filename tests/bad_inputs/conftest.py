from __future__ import annotations

import pytest

from tests.bad_inputs.harness import build_base


@pytest.fixture(scope="session")
def corpus_base(tmp_path_factory):
    """The clean sample inbox and a warehouse holding it, built once per session."""
    return build_base(tmp_path_factory.mktemp("corpus"))
