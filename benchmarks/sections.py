"""A benchmark's own section of benchmarks/results.md and its own key of results.json.

bench_pipeline writes both files whole; the benchmarks after it in `make bench` each put their section in
(replaced if it is there, appended if not), so running one of them again keeps every other section.
"""

from __future__ import annotations

import json
from pathlib import Path


def replace_section(text: str, heading: str, section: str) -> str:
    """``text`` with the section that starts at the line ``## {heading}`` replaced by ``section`` (up to the next
    ``## `` line or the end), or ``section`` appended when there is none."""
    lines = text.rstrip("\n").split("\n") if text.strip() else []
    start = next((i for i, line in enumerate(lines) if line.startswith(f"## {heading}")), None)
    new = section.rstrip("\n").split("\n")
    if start is None:
        out = [*lines, "", *new] if lines else new
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        out = [*lines[:start], *new, *([""] if end < len(lines) else []), *lines[end:]]
    return "\n".join(out) + "\n"


def put_section(base: Path, key: str, heading: str, report: dict, section: str) -> None:
    """Put ``report`` under ``key`` in ``<base>.json`` and ``section`` (which starts with ``## {heading}``) in
    ``<base>.md``."""
    assert section.startswith(f"## {heading}"), "a section starts with its own heading"
    path = base.with_suffix(".json")
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    data[key] = report
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    md = base.with_suffix(".md")
    md.write_text(replace_section(md.read_text(encoding="utf-8") if md.exists() else "", heading, section),
                  encoding="utf-8")
