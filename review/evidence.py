"""Evidence files attached to objections: size-limited, type-checked by content, stored by digest."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from review.audit import ReviewError

MAX_BYTES = 5 * 1024 * 1024
MAX_NAME = 200  # characters of a file name kept (a longer stem is shortened; the extension stays)
# bidirectional controls: U+202E would show "gpj.exe" reversed, as if it were a picture
BIDI = dict.fromkeys(map(ord, "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
# extension → (description, check of the first bytes / content)
KINDS = {
    ".pdf": "PDF", ".png": "PNG 图片", ".jpg": "JPEG 图片", ".jpeg": "JPEG 图片",
    ".xlsx": "Excel 工作簿", ".docx": "Word 文档", ".csv": "CSV 表格", ".txt": "文本",
}


@dataclass(frozen=True)
class Evidence:
    name: str       # the file name as the school sent it (shown back, never used as a path)
    path: str       # relative to the evidence folder: <sha256><ext>
    sha256: str
    size: int


def _matches(ext: str, data: bytes) -> bool:
    if ext == ".pdf":
        return data.startswith(b"%PDF-")
    if ext == ".png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if ext in (".jpg", ".jpeg"):
        return data.startswith(b"\xff\xd8\xff")
    if ext in (".xlsx", ".docx"):
        if not data.startswith(b"PK\x03\x04"):
            return False
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return False
        return ("xl/workbook.xml" if ext == ".xlsx" else "word/document.xml") in names
    try:  # .csv / .txt: UTF-8 text without NUL bytes
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in data


def allowed_types() -> str:
    return "、".join(sorted({k.lstrip(".").upper() for k in KINDS}))


def plain_name(filename: str | None) -> str:
    """A file name as kept and shown: the last path part, without bidirectional controls, at most MAX_NAME
    characters (a long stem is cut, the extension kept)."""
    name = os.path.basename((filename or "").replace("\\", "/")).translate(BIDI).strip()
    stem, ext = os.path.splitext(name)
    if len(name) > MAX_NAME and len(ext) < 16:
        return stem[: MAX_NAME - len(ext) - 1] + "…" + ext
    return name[:MAX_NAME]


def save(folder: Path, filename: str, data: bytes, max_bytes: int = MAX_BYTES) -> Evidence:
    """Check and store one evidence file; a Chinese ReviewError names what is wrong."""
    name = plain_name(filename)
    ext = Path(name).suffix.lower()
    if ext not in KINDS:
        raise ReviewError(f"证明材料「{name or '未命名'}」的类型不受支持；请上传 {allowed_types()} 文件。")
    if not data:
        raise ReviewError(f"证明材料「{name}」是空文件。")
    if len(data) > max_bytes:
        raise ReviewError(f"证明材料「{name}」大小 {len(data) / 1048576:.1f} MB，超过上限 {max_bytes / 1048576:.0f} MB。")
    if not _matches(ext, data):
        raise ReviewError(f"证明材料「{name}」的内容不是{KINDS[ext]}（扩展名与文件内容不符）。")
    digest = hashlib.sha256(data).hexdigest()
    rel = f"{digest}{ext}"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / rel
    if not target.exists():
        tmp = folder / f".{rel}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, target)
    return Evidence(name=name, path=rel, sha256=digest, size=len(data))


def open_path(folder: Path, rel: str) -> Path:
    """The stored file for a recorded relative path (never outside the evidence folder)."""
    path = (folder / rel).resolve()
    if path.parent != folder.resolve() or not path.is_file():
        raise ReviewError("证明材料文件不存在。")
    return path
