"""A run does not keep what its steps return: a step's frame is gone before the next step starts (in-process)."""

from __future__ import annotations

import gc
import weakref

import dagster as dg

from pipelines.run import execute

_produced: list[weakref.ref] = []
_seen_alive: list[bool] = []


class _Frame:
    """Stands for a step's large output frame."""


class _Discard(dg.IOManager):
    def handle_output(self, context, obj) -> None:
        pass

    def load_input(self, context):
        return None


@dg.asset(io_manager_key="discard")
def produced() -> _Frame:
    frame = _Frame()
    _produced.append(weakref.ref(frame))
    return frame


@dg.asset(deps=[produced], io_manager_key="discard")
def after() -> None:
    gc.collect()
    _seen_alive.append(_produced[-1]() is not None)


def two_steps() -> dg.JobDefinition:
    defs = dg.Definitions(assets=[produced, after], resources={"discard": dg.IOManagerDefinition.hardcoded_io_manager(
        _Discard())}, jobs=[dg.define_asset_job("two_steps", executor_def=dg.in_process_executor)])
    return defs.resolve_job_def("two_steps")


def test_a_steps_output_is_freed_before_the_next_step(tmp_path) -> None:
    with dg.DagsterInstance.local_temp(str(tmp_path)) as instance:
        result = execute(two_steps, instance, {}, {})
    assert result.success
    assert _seen_alive == [False]
