"""Errors a person must fix in an input file (and the shared wording of where the problem is)."""

from __future__ import annotations

MAX_VALUE_CHARS = 60


class InputError(Exception):
    """A problem a person must fix in an input file.

    ``str()`` is a Chinese message naming the file and, when known, the row (as a person counts it:
    header = row 1), the column and the offending value, followed by what to do.
    """

    def __init__(
        self,
        file: str,
        message: str,
        row: int | None = None,
        column: str | None = None,
        value: str | None = None,
    ) -> None:
        self.file = file
        self.message = message
        self.row = row
        self.column = column
        self.value = value
        super().__init__(self._render())

    def _render(self) -> str:
        where = [f"文件「{self.file}」"]
        if self.row is not None:
            where.append(f"第 {self.row} 行")
        if self.column is not None:
            where.append(f"列「{self.column}」")
        text = "，".join(where) + "：" + self.message
        if self.value is not None:
            shown = self.value if len(self.value) <= MAX_VALUE_CHARS else self.value[:MAX_VALUE_CHARS] + "…"
            text += f"（值：{shown!r}）"
        return text

    def __reduce__(self):  # keep the error picklable across Dagster's process boundaries
        return (InputError, (self.file, self.message, self.row, self.column, self.value))


DISK_FULL_SIGNS = ("No space left on device", "database or disk is full", "Errno 28", "ENOSPC", "Disk quota exceeded")


def system_error_text(text: str) -> str | None:
    """A Chinese message for an English error from the system, SQLite or DuckDB that a person can act on
    (a full disk, a damaged warehouse), or None for anything else."""
    if any(sign in text for sign in DISK_FULL_SIGNS):
        return ("磁盘空间已满，写入失败，本次运行已停止（当前发布的版本不变）。请清理主目录所在磁盘的空间（例如 var/tmp/ 下的临时"
                "文件、旧的 warehouse.duckdb.damaged-* 文件），然后运行 majorwatch home check --repair 检查主目录，再重新运行")
    if any(sign in text for sign in ("not a valid DuckDB database file", "Could not read enough bytes")):
        return ("仓库文件已损坏或不完整，无法读取。仓库只是收件箱与原始存储的缓存：请运行 majorwatch home check --repair"
                "（把它改名保留并清除依赖它的缓存），然后重新运行，仓库会从收件箱重建；已发布的版本不受影响")
    return None
