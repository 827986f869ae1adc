"""great-expectations' second opinions on a run's inputs, validated in one worker process while the DuckDB
engine goes on staging and checking the next inputs.

Business meaning: on a first run, importing great-expectations (≈ 6 s) and validating every input used
to come after all inputs were staged, on one core. Here the first input that needs a second opinion
starts a worker (a fresh interpreter, ``spawn``), which imports great-expectations and validates each
input as soon as the engine has staged it, on the other core. The answers are the same reports
``second_opinion`` gives (same function, same cache). When the engine refuses any input, the worker is
stopped at once and every pending report says it did not run: the person hears of the refusal without
waiting for great-expectations.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

import polars as pl

from data_contracts.ge_runner import GE_MAX_ROWS, GeReport, left_to_duckdb, not_run_after_failure
from data_contracts.spec import Contract
from data_contracts.verdict import cache_path, cached_report, remember_report


def _warm() -> None:
    import great_expectations  # noqa: F401 - the seconds this worker exists to spend off the main core

    import data_contracts.ge_runner  # noqa: F401 - the module itself is light


def _validate(stage: pl.DataFrame, contract: Contract, references: dict[str, list[str]]) -> GeReport:
    from data_contracts.ge_runner import validate

    return validate(stage.to_pandas(), contract, references)


class SecondOpinions:
    """Submit each staged input as it is ready; ``reports(refused)`` gives every input's report."""

    def __init__(self, cache: Path | None) -> None:
        self.cache = Path(cache) if cache is not None else None
        self._pool: ProcessPoolExecutor | None = None
        self._ready: dict[str, GeReport | None] = {}
        self._pending: dict[str, tuple[Future, Path | None]] = {}

    def submit(self, name: str, stage: pl.DataFrame, contract: Contract, references: dict[str, list[str]]) -> None:
        rows = stage.height
        if not 0 < rows <= GE_MAX_ROWS:
            self._ready[name] = left_to_duckdb(rows) if rows else None
            return
        path = cache_path(self.cache, stage, contract, references) if self.cache is not None else None
        report = cached_report(path) if path is not None else None
        if report is not None:
            self._ready[name] = report
            return
        if self._pool is None:
            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=_warm)
        self._pending[name] = (self._pool.submit(_validate, stage, contract, references), path)

    def reports(self, refused: list[str]) -> dict[str, GeReport | None]:
        """Every submitted input's report; with ``refused`` inputs, the pending ones did not run."""
        out = dict(self._ready)
        if refused:
            self.stop()
            return out | {name: not_run_after_failure(refused) for name in self._pending}
        try:
            for name, (future, path) in self._pending.items():
                report = future.result()
                out[name] = remember_report(path, report) if path is not None else report
        finally:
            self.stop()
        return out

    def stop(self) -> None:
        """End the worker now (killing a validation in progress: its answer is no longer wanted)."""
        if self._pool is None:
            return
        pool, self._pool = self._pool, None
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()
        # The executor's manager thread reaps the killed worker; waiting for that thread (rather than joining
        # the process here as well) leaves one reaper, so no join races it to ``waitpid`` and reads "alive".
        pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> SecondOpinions:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
