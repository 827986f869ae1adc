"""Worker processes for a run's CPU work, forked from one server that has already imported the code they run.

A fresh Python worker (spawn, or joblib's loky) imports scikit-learn, scipy and polars again before it does
any work: about two seconds of CPU per worker, more than the work itself for the city's catalog. Here the
workers are forked from multiprocessing's fork server, which imports the training modules (PRELOAD), and
whatever its first caller adds (``also``: great-expectations for the contracts' second opinions), once per
process; every pool after the first starts in milliseconds. The first caller that starts the server decides
its preload; a module it lacks is imported by each worker that needs it. The fork server is single-threaded
when it forks (it never runs polars, DuckDB or BLAS work), so the children start clean; it ends with the
process that started it.

``in_worker`` runs one function in a worker, named as text: the run's own process then never imports the
model code or scikit-learn (about two seconds of CPU on a first run, on the core the run waits for), since
every fit and every application of a fitted model happens where scikit-learn is already imported.
"""

from __future__ import annotations

import importlib
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


def call(target: str, /, *args, **kwargs):
    """Import ``module:function`` in this process and call it: how a worker runs what its caller only names."""
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)(*args, **kwargs)


def in_worker(target: str, /, *args, **kwargs):
    """``module:function(*args, **kwargs)`` computed in one worker process; arguments and result travel pickled,
    an exception is raised here. The caller never imports the module (nor what it imports)."""
    with worker_pool(1) as pool:
        return pool.submit(call, target, *args, **kwargs).result()
