"""Size limits of an input, checked before the bytes are copied or parsed (limits: in contracts.yaml).

A file larger than ``file_bytes`` is refused before the raw store copies it; an XLSX is refused before
openpyxl opens it when its ZIP directory declares more than ``unpacked_bytes`` in all or a member
that unpacks to more than ``unpacked_ratio`` times its packed size (a zip bomb). Python's zipfile
never inflates a member beyond the size its directory declares, so the declared sizes are binding.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from data_contracts.spec import Limits
from warehouse.errors import InputError

LIMITS_AT = "上限在 data_contracts/contracts.yaml 的 limits 中设置"
RATIO_FLOOR = 1 << 20  # members unpacking to less than 1 MiB may compress as well as they like


def size_text(n: float) -> str:
    for unit in ("字节", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "字节" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"


def check_file_size(path: Path, limits: Limits, file: str) -> int:
    """The file's size; an InputError when it is above the limit (nothing has been copied yet)."""
    size = Path(path).stat().st_size
    if size > limits.file_bytes:
        raise InputError(
            file, f"文件大小 {size_text(size)}，超过上限 {size_text(limits.file_bytes)}，未读取也未保存；"
            f"请确认没有传错文件，或拆分后再提交（{LIMITS_AT}）",
        )
    return size


def check_zip(path: Path, limits: Limits, file: str) -> None:
    """Refuse an XLSX whose declared unpacked size or compression ratio is beyond the limits."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(file, f"无法作为 XLSX 打开（{type(exc).__name__}），请用 Excel 重新另存为 .xlsx") from exc
    total = sum(m.file_size for m in members)
    if total > limits.unpacked_bytes:
        raise InputError(
            file, f"解压后共 {size_text(total)}，超过上限 {size_text(limits.unpacked_bytes)}（压缩包炸弹或异常大的工作簿），"
            f"未解析；请检查文件，或另存为 CSV（{LIMITS_AT}）",
        )
    for m in members:
        ratio = m.file_size / max(m.compress_size, 1)
        if m.file_size > RATIO_FLOOR and ratio > limits.unpacked_ratio:
            raise InputError(
                file, f"压缩包成员 {m.filename} 压缩比 {ratio:.0f}:1（{size_text(m.compress_size)} → "
                f"{size_text(m.file_size)}），超过上限 {limits.unpacked_ratio:g}:1，像是压缩包炸弹，未解析（{LIMITS_AT}）",
            )


def check_rows(rows: int, limits: Limits, file: str) -> None:
    if rows > limits.rows:
        raise InputError(file, f"数据行超过上限 {limits.rows} 行（至少 {rows} 行），未入库；请拆分文件（{LIMITS_AT}）")
