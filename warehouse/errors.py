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
