"""The bulletin as a self-contained HTML file (fonts and charts inline) and as an A4 PDF printed by Chromium."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import jinja2

from documents.fonts import font_face_css

CHROMIUM = ("chromium", "chromium-browser", "google-chrome")
_env = jinja2.Environment(loader=jinja2.PackageLoader("documents", "templates"), autoescape=True)


class PdfError(RuntimeError):
    """Chromium could not print the bulletin."""


def render_html(title: str, subtitle: str, draft: str | None, summary: list[str], sections: list[dict[str, Any]],
                footer: str) -> str:
    """The whole page; the font is cut to exactly the characters the page shows."""
    context = {"title": title, "subtitle": subtitle, "draft": draft, "summary": summary, "sections": sections,
               "footer": footer.replace('"', "”")}
    page = _env.get_template("bulletin.html").render(fonts="", **context)
    text = html.unescape(re.sub(r"<svg.*?</svg>|<[^>]+>", "", page, flags=re.S))
    return _env.get_template("bulletin.html").render(fonts=font_face_css(text), **context)


def find_chromium() -> str:
    for name in CHROMIUM:
        found = shutil.which(name)
        if found:
            return found
    raise PdfError("未找到 Chromium，无法生成 PDF：请运行 scripts/install-browser-deps.sh")


def print_pdf(html_path: Path, pdf_path: Path, timeout: float = 120) -> None:
    """Chromium headless prints the HTML on A4 (sizes and page numbers come from the page's @page rule)."""
    with tempfile.TemporaryDirectory(prefix="mw-chromium-") as profile:
        cmd = [find_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               f"--user-data-dir={profile}", "--no-pdf-header-footer", "--disable-extensions",
               "--no-first-run", "--disable-background-networking", "--run-all-compositor-stages-before-draw",
               f"--print-to-pdf={pdf_path}", html_path.resolve().as_uri()]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0 or not pdf_path.is_file() or pdf_path.stat().st_size == 0:
        raise PdfError(f"Chromium 打印 PDF 失败（退出码 {done.returncode}）：{done.stderr.strip()[-500:]}")
