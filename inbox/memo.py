"""The ingest memo: an input whose bytes, contract, reading rules and referenced inputs did not change
since it was last staged and checked is not read, staged and checked again.

Business meaning: a second run on an unchanged inbox reaches the models and the scoring in seconds,
and says which inputs it took as they were. The memo is a small JSON record per input in
``<home>/cache/ingest``, written only after the input's clean table was committed and its verdict was
not blocking, and deleted before the input is ingested again: a run killed in between leaves no memo,
and the next run ingests the input in full. A memo is used only when the warehouse still holds the
clean table with the row count it recorded and the same file's SHA-256 in ``input_files``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from warehouse.db import ident, table_exists
from warehouse.files import atomic_write

_CODE_PACKAGES = ("inbox", "data_contracts")


def _code_digest() -> str:
    """SHA-256 of the reading and checking code (every module of inbox/ and data_contracts/)."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for package in _CODE_PACKAGES:
        for path in sorted((root / package).rglob("*")):
            if path.is_file() and path.suffix in (".py", ".yaml", ".yml"):
                digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@dataclass
class IngestMemo:
    """The memo folder of one home; ``code`` is computed once per run."""

    folder: Path
    code: str = ""

    def __post_init__(self) -> None:
        self.folder = Path(self.folder)
        self.code = self.code or _code_digest()

    def fingerprint(self, contract, sha256: str, sources: str, upstream: dict[str, str | None]) -> str:
        """What the staged rows and the verdict are a function of: the bytes, the contract, the reading
        rules (sources.yaml), the code, and the fingerprints of the inputs this one refers to."""
        refs = {name: upstream.get(name) for name in sorted(contract.references - {contract.name})}
        payload = json.dumps({"sha256": sha256, "contract": repr(contract), "sources": sources, "code": self.code,
                              "references": refs}, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def _path(self, name: str) -> Path:
        return self.folder / f"{name}.json"

    def recall(self, con, contract, fingerprint: str, sha256: str) -> dict | None:
        """The memo of this exact fingerprint, if the warehouse still holds what it describes."""
        try:
            memo = json.loads(self._path(contract.name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if memo.get("fingerprint") != fingerprint or not table_exists(con, contract.name):
            return None
        rows = con.execute(f"SELECT count(*) FROM {ident(contract.name)}").fetchone()[0]  # noqa: S608
        held = con.execute("SELECT sha256 FROM input_files WHERE input = ?", [contract.name]).fetchall()
        if rows != memo["outcome"]["rows_clean"] or not held or held[0][0] != sha256:
            return None
        return memo

    def forget(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)

    def remember(self, name: str, fingerprint: str, *, outcome, file: str, file_meta: dict, rows: int,
                 ge) -> None:
        record = {"fingerprint": fingerprint, "outcome": dataclasses.asdict(outcome), "file": file,
                  "file_meta": file_meta, "rows": rows, "ge": dataclasses.asdict(ge) if ge is not None else None}
        self.folder.mkdir(parents=True, exist_ok=True)
        with atomic_write(self._path(name)) as handle:
            handle.write(json.dumps(record, ensure_ascii=False, default=str).encode("utf-8"))
