"""What an official document or a school page must not show: the project's internal text.

``find_internal(text)`` returns every piece of internal text in ``text``: an edition id (2026-draft, 2026-r2), an
ASCII identifier with a dot or an underscore (rules.prohibited_share, school_major_scores), a run of 12 or more hex
digits (a hash), a file name of the repository (.yaml, .py, .parquet), "None" / "nan", model jargon (MASE, 季节性朴素法,
回测), a command (majorwatch …), or an English word outside the allow-list (units and format names a reader knows).
``document_texts(folder)`` gives the text of every official document of an edition folder: every cell of every sheet
of every workbook (the 技术附录 excepted), the bulletin's HTML text and its PDF's text layer.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

EXEMPT = ("技术附录.xlsx",)  # provenance for the data team: ids, hashes and model figures belong there
ALLOWED_WORDS = {"PDF", "Excel", "WPS", "CSV", "JSON", "Parquet", "A4", "km", "kg", "cm", "mm", "GB", "MB", "KB",
                 "Wilson", "College", "Scorecard", "JSA"}  # formats, units, and the names of cited methods and sources
PATTERNS = {
    "版次号": re.compile(r"\b\d{4}(?:-r\d+)?-draft\b|\b\d{4}-r\d+\b"),
    "带点或下划线的标识符": re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:[._][A-Za-z0-9]+)+\b"),
    "十六进制串（哈希）": re.compile(r"\b[0-9a-fA-F]{12,}\b"),
    "文件名": re.compile(r"[\w-]+\.(?:ya?ml|py|md|parquet|duckdb|json|csv)\b", re.I),
    "空值": re.compile(r"\b(?:None|nan|NaN|null|NULL)\b"),
    "模型术语": re.compile(r"MASE|季节性?朴素|回测|命令行|majorwatch", re.I),
}
WORD = re.compile(r"[A-Za-z][A-Za-z0-9-]*")


def find_internal(text: str) -> list[tuple[str, str]]:
    """(kind, the text found) for every piece of internal text; empty when the text is clean."""
    found = [(kind, m.group(0)) for kind, pattern in PATTERNS.items() for m in pattern.finditer(text)]
    for m in WORD.finditer(text):
        word = m.group(0)
        if word not in ALLOWED_WORDS and len(word) > 1 and not re.fullmatch(r"[A-Z]\d*", word):
            found.append(("英文词", word))
    return found


def workbook_texts(path: Path) -> dict[str, str]:
    """Every cell's text of every sheet, and the print header/footer, keyed by ``file!sheet!cell``."""
    import openpyxl

    out = {}
    book = openpyxl.load_workbook(path, read_only=False)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):  # a number shows as its format says, never as its digits
                    out[f"{path.name}!{sheet.title}!{cell.coordinate}"] = cell.value
        for part in ("left", "center", "right"):
            text = getattr(sheet.oddHeader, part).text or ""
            text += " " + (getattr(sheet.oddFooter, part).text or "")
            out[f"{path.name}!{sheet.title}!页眉页脚{part}"] = re.sub(r"&[A-Z\d\"]", " ", text)
        out[f"{path.name}!{sheet.title}!表名"] = sheet.title
    return out


def html_text(page: str) -> str:
    """The text a reader sees on an HTML page: no scripts, styles, inline SVG markup or tags (chart labels kept)."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(page)


def pdf_text(path: Path) -> str:
    return subprocess.run([shutil.which("pdftotext") or "pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def document_texts(folder: Path) -> dict[str, str]:
    """The text of every official document in an edition folder (name → text)."""
    out: dict[str, str] = {}
    for path in sorted(folder.glob("*.xlsx")):
        if path.name not in EXEMPT:
            out.update(workbook_texts(path))
    for path in sorted(folder.glob("*.html")):
        out[path.name] = html_text(path.read_text(encoding="utf-8"))
    for path in sorted(folder.glob("*.pdf")):
        out[path.name] = pdf_text(path)
    return out


def report(texts: dict[str, str]) -> list[str]:
    """One line per piece of internal text found: where, what kind, the text and its surroundings."""
    lines = []
    for where, text in texts.items():
        for kind, token in find_internal(text):
            at = text.find(token)
            lines.append(f"{where}: {kind} “{token}” …{text[max(0, at - 20):at + len(token) + 20]}…")
    return lines
