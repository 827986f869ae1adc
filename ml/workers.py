"""Worker processes for a run's CPU work, forked from one server that has already imported the code they run.

A fresh Python worker (spawn, or joblib's loky) imports scikit-learn, scipy and polars again before it does
any work: about two seconds of CPU per worker, more than the work itself for the city's catalog. Here the
workers are forked from multiprocessing's fork server, which imports the training modules (PRELOAD), and
whatever its first caller adds (``also``: great-expectations for the contracts' second opinions), once per
process; every pool after the first starts in milliseconds. The first caller that starts the server decides
its preload; a module it lacks is imported by each worker that needs it. The fork server is single-threaded
when it forks (it never runs polars, DuckDB or BLAS work), so the children start clean; it ends with the
process that started it.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

PRELOAD = ["ml.mapping"]


def worker_context(also: Sequence[str] = ()):
    """The fork-server context, its preload set (``also`` first, then PRELOAD); the set takes effect when
    this process first starts the server."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([*also, *PRELOAD])
    return ctx


def warm_up(also: Sequence[str] = ()) -> None:
    """Start this process's fork server now: it imports its preload in its own process while this one goes
    on (the first pool then forks at once)."""
    from multiprocessing import forkserver

    worker_context(also)
    forkserver.ensure_running()


@contextmanager
def worker_pool(n_jobs: int) -> Iterator[ProcessPoolExecutor]:
    """``n_jobs`` worker processes forked from the preloaded fork server; shut down (waited for) on exit."""
    pool = ProcessPoolExecutor(max_workers=n_jobs, mp_context=worker_context())
    try:
        yield pool
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
