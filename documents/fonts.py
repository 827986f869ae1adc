"""An embedded CJK font: the characters a document uses, cut from the installed Noto Sans CJK SC,
as a base64 WOFF for an inline @font-face (the bulletin opens offline with the same face everywhere)."""

from __future__ import annotations

import base64
import io
import os
import sys
from functools import lru_cache
from pathlib import Path

from documents.background import Background

FAMILY = "Noto Sans CJK SC"
CANDIDATES = (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
              Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"))
ALWAYS = "".join(chr(c) for c in range(0x20, 0x7F)) + "第页共，。：；（）、—–%·…“”《》↑↓±≥≤×÷−"


class FontMissingError(RuntimeError):
    """The CJK font the documents are set in is not installed."""


def font_path(bold: bool = False) -> Path:
    path = CANDIDATES[1 if bold else 0]
    if not path.is_file():
        raise FontMissingError(f"未找到中文字体 {path}：请运行 scripts/install-browser-deps.sh 安装 fonts-noto-cjk")
    return path


@lru_cache(maxsize=4)
def _face_number(path: Path) -> int:
    from fontTools.ttLib import TTCollection  # fontTools only when a document is written (0.5 s to import)

    for number, font in enumerate(TTCollection(str(path), lazy=True).fonts):
        if font["name"].getDebugName(1) == FAMILY:
            return number
    raise FontMissingError(f"字体文件 {path} 中没有 {FAMILY}")


def subset_woff(text: str, bold: bool = False) -> bytes:
    """A WOFF holding exactly the glyphs for ``text`` (plus ASCII and page-number words)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    path = font_path(bold)
    font = TTFont(str(path), fontNumber=_face_number(path), lazy=True, recalcTimestamp=False)
    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = []
    options.name_IDs = [1, 2]
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(set(text + ALWAYS))))
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff"
    font.save(out)
    return out.getvalue()


def font_face_css(text: str) -> str:
    """@font-face rules (regular and bold) with the subset fonts inline, as data: URLs."""
    rules = []
    for weight, bold in (("400", False), ("700", True)):
        data = base64.b64encode(subset_woff(text, bold)).decode("ascii")
        rules.append(f"@font-face{{font-family:'MW CJK';font-weight:{weight};"
                     f"src:url(data:font/woff;base64,{data}) format('woff');}}")
    return "\n".join(rules)


def local_face_css() -> str:
    """@font-face rules naming the installed faces themselves (for a page that only goes to the printer)."""
    font_path(False), font_path(True)  # the faces must be there: Chromium would silently print another font
    return "\n".join(f"@font-face{{font-family:'MW CJK';font-weight:{weight};src:local('{name}');}}"
                     for weight, name in (("400", FAMILY), ("700", f"{FAMILY} Bold")))


class FontCut(Background):
    """``font_face_css(text)`` in a Python process of its own (``python -m documents.fonts``): fontTools is pure
    Python, seconds of one core for a CJK font, and the caller writes the other documents meanwhile. Files in
    ``scratch`` carry the text and the CSS. A plain subprocess, not multiprocessing: nothing of the caller's
    main module is imported again."""

    def __init__(self, text: str, scratch: Path) -> None:
        self._text, self._css = scratch / "font-text.txt", scratch / "font-face.css"
        self._text.write_text(text, encoding="utf-8")
        root = str(Path(__file__).resolve().parents[1])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)}
        super().__init__([sys.executable, "-m", "documents.fonts", str(self._text), str(self._css)], env=env)

    def result(self, timeout: float = 300) -> str:
        code, stderr = self.finish(timeout)
        if code != 0:
            last = stderr.strip().splitlines()[-1:] or [f"退出码 {code}"]
            if "FontMissingError" in stderr:
                raise FontMissingError(last[0].split(": ", 1)[-1])
            raise RuntimeError(f"裁切中文字体失败：{last[0]}")
        return self._css.read_text(encoding="ascii")


if __name__ == "__main__":  # python -m documents.fonts TEXT_FILE CSS_FILE
    source, target = map(Path, sys.argv[1:3])
    target.write_text(font_face_css(source.read_text(encoding="utf-8")), encoding="ascii")
