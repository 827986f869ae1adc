"""great-expectations' second opinions on a run's inputs, validated in worker processes while the DuckDB
engine goes on staging and checking the next inputs.

Business meaning: on a first run, importing great-expectations (≈ 5 s of CPU) and validating every input
(≈ 4 s more for the city's inputs) used to come after all inputs were staged, on one core. Here each input
goes, as soon as the engine has staged it, to one of two workers forked from the run's fork server
(ml.workers), which has imported great-expectations once: the validations share both cores while the
engine waits for them. The answers are the same reports ``second_opinion`` gives (same function, same
cache). When the engine refuses any input, the workers are stopped at once and every pending report says
it did not run: the person hears of the refusal without waiting for great-expectations.

The run hands inputs over through a feeder thread, which alone touches the worker pool: starting a worker
waits until the fork server has finished importing, and the engine must not wait with it. On a home with no
second opinion cached yet (a first run), ``warm_up_early`` lets the command start the fork server before it
loads Dagster, so that import passes on the other core while the definitions load.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

import polars as pl

from data_contracts.ge_runner import GE_MAX_ROWS, GE_PRELOAD, GeReport, left_to_duckdb, not_run_after_failure
from data_contracts.spec import Contract
from data_contracts.verdict import cache_path, cached_report, remember_report

WORKERS = 2  # the machine card's cores: the engine mostly waits once its inputs are staged


def _validate(stage: pl.DataFrame, contract: Contract, references: dict[str, list[str]]) -> GeReport:
    from data_contracts.ge_runner import validate

    return validate(stage.to_pandas(), contract, references)


def first_opinions(cache: Path) -> bool:
    """No report is cached in ``cache`` yet: this home's first run will ask great-expectations about every input."""
    return not any(Path(cache).glob("*.json"))


def warm_up_early(wanted: bool) -> None:
    """With ``wanted``, start this process's fork server now, preloading great-expectations (and the
    training code): the run's second opinions then fork from it at once."""
    if wanted:
        from ml.workers import warm_up

        warm_up(GE_PRELOAD)


def _kill(pool: ProcessPoolExecutor) -> None:
    processes = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        process.kill()


class SecondOpinions:
    """Submit each staged input as it is ready; ``reports(refused)`` gives every input's report."""

    def __init__(self, cache: Path | None, workers: int = WORKERS) -> None:
        self.cache = Path(cache) if cache is not None else None
        self.workers = workers
        self._ready: dict[str, GeReport | None] = {}
        self._pending: dict[str, tuple[Future, Path | None]] = {}
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._feeder: threading.Thread | None = None
        self._pool: ProcessPoolExecutor | None = None
        self._stopped = threading.Event()

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
        future: Future = Future()
        self._pending[name] = (future, path)
        if self._feeder is None:
            from ml.workers import worker_context

            self._pool = ProcessPoolExecutor(self.workers, mp_context=worker_context(GE_PRELOAD))
            self._feeder = threading.Thread(target=self._feed, args=(self._pool,), name="second-opinions",
                                            daemon=True)
            self._feeder.start()
        self._jobs.put((future, (stage, contract, references)))

    def _feed(self, pool: ProcessPoolExecutor) -> None:
        """The only user of the pool: hands each job over (starting a worker may wait for the fork server's
        import), and on stop kills the workers and shuts the pool down."""
        try:
            while (job := self._jobs.get()) is not None and not self._stopped.is_set():
                future, args = job
                try:
                    inner = pool.submit(_validate, *args)
                except BaseException as exc:  # noqa: BLE001 - the run reads it from the report's future
                    future.set_exception(exc)
                    continue
                inner.add_done_callback(lambda done, future=future: _settle(future, done))
        finally:
            if self._stopped.is_set():
                _kill(pool)
                pool.shutdown(wait=True, cancel_futures=True)
            else:
                pool.shutdown(wait=True)

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
            self.stop(wait=True)
        return out

    def stop(self, wait: bool = False) -> None:
        """End the workers now (killing a validation in progress: its answer is no longer wanted). Without
        ``wait`` this returns at once, even while the feeder still waits for the fork server; the feeder
        then kills whatever it started and shuts the pool down itself."""
        if self._feeder is None:
            return
        if not wait:
            self._stopped.set()
            _kill(self._pool)
        self._jobs.put(None)
        if wait:
            self._feeder.join()

    def __enter__(self) -> SecondOpinions:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _settle(future: Future, done: Future) -> None:
    if done.cancelled():
        future.cancel()
    elif done.exception() is not None:
        future.set_exception(done.exception())
    else:
        future.set_result(done.result())
