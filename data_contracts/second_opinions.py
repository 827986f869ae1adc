"""great-expectations' second opinions on a run's inputs, validated in one worker process while the DuckDB
engine goes on staging and checking the next inputs.

Business meaning: on a first run, importing great-expectations (≈ 6 s) and validating every input used
to come after all inputs were staged, on one core. Here the first input that needs a second opinion
starts a worker (a fresh interpreter, ``spawn``), which imports great-expectations and validates each
input as soon as the engine has staged it, on the other core. The answers are the same reports
``second_opinion`` gives (same function, same cache). When the engine refuses any input, the worker is
stopped at once and every pending report says it did not run: the person hears of the refusal without
waiting for great-expectations.

On a home with no second opinion cached yet (a first run), ``started_early`` lets the command start the
worker before it loads Dagster: importing great-expectations then passes on the other core while the
definitions load, and the run's ``SecondOpinions`` takes that worker over.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
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


_early: ProcessPoolExecutor | None = None


def _new_worker() -> ProcessPoolExecutor:
    return ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=_warm)


def _stop_worker(pool: ProcessPoolExecutor) -> None:
    for process in list(getattr(pool, "_processes", {}).values()):
        process.kill()
    # The executor's manager thread reaps the killed worker; waiting for that thread (rather than joining
    # the process here as well) leaves one reaper, so no join races it to ``waitpid`` and reads "alive".
    pool.shutdown(wait=True, cancel_futures=True)


def first_opinions(cache: Path) -> bool:
    """No report is cached in ``cache`` yet: this home's first run will ask great-expectations about every input."""
    return not any(Path(cache).glob("*.json"))


@contextmanager
def started_early(wanted: bool) -> Iterator[None]:
    """With ``wanted``, the worker starts now (and imports great-expectations) for the next ``SecondOpinions``
    in this process to take over; one left untaken is stopped when the block ends."""
    global _early
    if wanted and _early is None:
        _early = _new_worker()
        _early.submit(int)  # a spawn worker starts on the first submission
    try:
        yield
    finally:
        pool, _early = _early, None
        if pool is not None:
            _stop_worker(pool)


class SecondOpinions:
    """Submit each staged input as it is ready; ``reports(refused)`` gives every input's report."""

    def __init__(self, cache: Path | None) -> None:
        global _early
        self.cache = Path(cache) if cache is not None else None
        self._pool, _early = _early, None  # a worker started early is this run's (and stopped with it)
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
            self._pool = _new_worker()
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
        if self._pool is not None:
            pool, self._pool = self._pool, None
            _stop_worker(pool)

    def __enter__(self) -> SecondOpinions:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
