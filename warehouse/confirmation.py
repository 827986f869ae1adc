"""The commission's confirmation of the scoring policy in force (``majorwatch policy confirm``).

One small JSON file under the home's review folder, written by the review store's command beside its audit
entry and read by every publication: a confirmation covers exactly one policy file (its SHA-256), so an
edited policy is unconfirmed again. A final edition may only be issued under a confirmed policy; its
documents then carry the confirmation's 文号.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from warehouse.files import atomic_write

FILE = "policy_confirmation.json"
CONFIRM_COMMAND = "majorwatch policy confirm --doc-number 京教职成〔YYYY〕N号 --by 姓名"
DOC_NUMBER_RE = re.compile(r"[\u4e00-\u9fff]{2,12}〔(19|20)\d{2}〕[1-9]\d{0,3}号")


@dataclass(frozen=True)
class PolicyConfirmation:
    """Who confirmed which policy file (version and SHA-256), under which document number, and when."""

    version: str
    sha256: str
    doc_number: str
    confirmed_by: str
    confirmed_at: str  # ISO timestamp (UTC)

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def valid_doc_number(text: str) -> str:
    """The 文号 as written (e.g. 京教职成〔2026〕5号); ValueError in Chinese otherwise."""
    value = (text or "").strip().replace("[", "〔").replace("]", "〕")
    if not DOC_NUMBER_RE.fullmatch(value):
        raise ValueError(f"文号「{text}」格式不对，应如 京教职成〔2026〕5号（机关代字〔年份〕序号号）")
    return value


def write_confirmation(folder: Path, confirmation: PolicyConfirmation) -> Path:
    """Record the confirmation in ``folder`` (the home's review folder), replacing any earlier one at once."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    path = Path(folder) / FILE
    with atomic_write(path, mode=0o644) as handle:
        handle.write((json.dumps(confirmation.as_dict(), ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    return path


def read_confirmation(folder: Path, sha256: str | None = None) -> PolicyConfirmation | None:
    """The recorded confirmation, or None when there is none or (given `sha256`) it covers another policy file."""
    try:
        data = json.loads((Path(folder) / FILE).read_text(encoding="utf-8"))
        found = PolicyConfirmation(**{k: str(data[k]) for k in PolicyConfirmation.__dataclass_fields__})
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None
    return found if sha256 is None or found.sha256 == sha256 else None


def unconfirmed_message(version: str, pending: list[str]) -> str:
    """Why a final edition cannot be issued under this policy yet, and the command that lets it (Chinese)."""
    shown = "、".join(pending[:5]) + ("等" if len(pending) > 5 else "")
    return (f"现行评分政策（版本 {version}）有 {len(pending)} 项取值待市教委确认（{shown}），尚未确认，"
            f"不能发布正式版。请市教委确认后运行：{CONFIRM_COMMAND}")
