"""What the review package asks of the pipeline it never imports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

# publish_final(home, draft_edition) -> final_edition: builds the final edition with the overrides applied
PublishFinal = Callable[[Path, str], str]
