"""The bulletin as a self-contained HTML file (fonts and charts inline) and as an A4 PDF printed by Chromium."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import jinja2

from documents.fonts import font_face_css, local_face_css

CHROMIUM = ("chromium", "chromium-browser", "google-chrome")
_env = jinja2.Environment(loader=jinja2.PackageLoader("documents", "templates"), autoescape=True)


class PdfError(RuntimeError):
    """Chromium could not print the bulletin."""


def render_html(title: str, subtitle: str, draft: str | None, summary: list[str], sections: list[dict[str, Any]],
                footer: str, *, embed_fonts: bool = True, fonts: str | None = None,
                sign: dict[str, str] | None = None) -> str:
    """The whole page; the font is cut to exactly the characters the page shows (``page_text``), or ``fonts``
    is the @font-face CSS already cut from them. Without ``embed_fonts`` the page names the installed faces
    instead (``local()``): Chromium prints it to the same PDF, and the page can go to the printer before the
    page's own font is cut. ``sign``: the 文号 under the title (``doc_number``, a final edition's only) and the
    落款 at the end (``issuer``, ``date``)."""
    context = _context(title, subtitle, draft, summary, sections, footer, sign)
    if fonts is None:
        fonts = font_face_css(page_text(title, subtitle, draft, summary, sections, footer, sign)) if embed_fonts \
            else local_face_css()
    return _env.get_template("bulletin.html").render(fonts=fonts, **context)


def page_text(title: str, subtitle: str, draft: str | None, summary: list[str], sections: list[dict[str, Any]],
              footer: str, sign: dict[str, str] | None = None) -> str:
    """The characters the page shows (the charts draw their own): what its font is cut to."""
    page = _env.get_template("bulletin.html").render(
        fonts="", **_context(title, subtitle, draft, summary, sections, footer, sign))
    return html.unescape(re.sub(r"<svg.*?</svg>|<[^>]+>", "", page, flags=re.S))


def _context(title: str, subtitle: str, draft: str | None, summary: list[str], sections: list[dict[str, Any]],
             footer: str, sign: dict[str, str] | None = None) -> dict[str, Any]:
    return {"title": title, "subtitle": subtitle, "draft": draft, "summary": summary, "sections": sections,
            "footer": footer.replace('"', "”"), "sign": sign or {}}


def find_chromium() -> str:
    for name in CHROMIUM:
        found = shutil.which(name)
        if found:
            return found
    raise PdfError("未找到 Chromium，无法生成 PDF：请运行 scripts/install-browser-deps.sh")


class PrintJob:
    """Chromium printing one HTML file to an A4 PDF in the background; ``wait`` checks the result.

    Chromium spends most of its seconds starting up, not computing: the caller goes on with other work
    meanwhile. A job that is not waited for is killed when its ``with`` block ends."""

    def __init__(self, html_path: Path, pdf_path: Path, timeout: float = 120) -> None:
        self.pdf_path, self._deadline = pdf_path, time.monotonic() + timeout
        self._profile = tempfile.TemporaryDirectory(prefix="mw-chromium-")
        self._process = subprocess.Popen(
            [find_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             f"--user-data-dir={self._profile.name}", "--no-pdf-header-footer", "--disable-extensions",
             "--no-first-run", "--disable-background-networking", "--run-all-compositor-stages-before-draw",
             f"--print-to-pdf={pdf_path}", html_path.resolve().as_uri()],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def wait(self) -> Path:
        try:
            _, stderr = self._process.communicate(timeout=max(0.0, self._deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.stop()
            raise PdfError("Chromium 打印 PDF 超时") from None
        finally:
            self._profile.cleanup()
        code = self._process.returncode
        if code != 0 or not self.pdf_path.is_file() or self.pdf_path.stat().st_size == 0:
            raise PdfError(f"Chromium 打印 PDF 失败（退出码 {code}）：{(stderr or '').strip()[-500:]}")
        return self.pdf_path

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
            self._process.communicate()
        self._profile.cleanup()

    def __enter__(self) -> PrintJob:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def print_pdf(html_path: Path, pdf_path: Path, timeout: float = 120) -> None:
    """Chromium headless prints the HTML on A4 (sizes and page numbers come from the page's @page rule)."""
    with PrintJob(html_path, pdf_path, timeout) as job:
        job.wait()
