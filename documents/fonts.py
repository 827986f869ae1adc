"""An embedded CJK font: the characters a document uses, cut from the installed Noto Sans CJK SC,
as a base64 WOFF for an inline @font-face (the bulletin opens offline with the same face everywhere)."""

from __future__ import annotations

import base64
import io
from functools import lru_cache
from pathlib import Path

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
    """A WOFF holding exactly the glyphs for ``text`` (plus ASCII and page-number words).

    HarfBuzz cuts the face (tens of milliseconds for a CJK font, where fontTools' pure-Python subsetter took
    seconds of one core); fontTools wraps the small result as WOFF."""
    import uharfbuzz as hb
    from fontTools.ttLib import TTFont

    path = font_path(bold)
    wanted = hb.SubsetInput()
    wanted.unicode_set.update(ord(ch) for ch in set(text + ALWAYS))
    wanted.sets(hb.SubsetInputSets.LAYOUT_FEATURE_TAG).clear()  # no OpenType features: plain CJK text
    names = wanted.sets(hb.SubsetInputSets.NAME_ID)
    names.clear()
    names.update([1, 2])  # family and style: what a browser needs
    wanted.flags = hb.SubsetFlags.NO_HINTING
    cut = hb.subset(hb.Face(hb.Blob.from_file_path(str(path)), _face_number(path)), wanted)
    if cut is None:
        raise RuntimeError(f"裁切中文字体失败：{path}")
    font = TTFont(io.BytesIO(cut.blob.data), recalcTimestamp=False)
    font.flavor = "woff"
    out = io.BytesIO()
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
