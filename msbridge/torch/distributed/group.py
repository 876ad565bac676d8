"""The process group (see the package docstring)."""
from __future__ import annotations

import mindspore
from mindspore import communication, ops

from msbridge.torch.distributed import ReduceOp

_state = {"initialized": False}


def is_available() -> bool:
    return True


def is_initialized() -> bool:
    return _state["initialized"]


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1, store=None,
                       group_name="", pg_options=None, device_id=None):
    if _state["initialized"]:
        raise ValueError("trying to initialize the default process group twice!")
    communication.init()
    mindspore.set_auto_parallel_context(parallel_mode=mindspore.ParallelMode.DATA_PARALLEL, gradients_mean=True)
    _state["initialized"] = True


def _check():
    if not _state["initialized"]:
        raise ValueError("Default process group has not been initialized, please make sure to call "
                         "init_process_group.")


def get_rank(group=None) -> int:
    _check()
    return communication.get_rank()


def get_world_size(group=None) -> int:
    _check()
    return communication.get_group_size()


def barrier(group=None, async_op=False, device_ids=None):
    _check()
    ops.AllReduce()(mindspore.Tensor([0.0], mindspore.float32))   # every rank has arrived once this returns


_REDUCE = {ReduceOp.SUM: "sum", ReduceOp.MAX: "max", ReduceOp.MIN: "min", ReduceOp.PRODUCT: "prod"}


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """In place, as torch's: ``tensor`` holds the reduction over the ranks afterwards."""
    _check()
    if async_op:
        raise NotImplementedError("msbridge's all_reduce is synchronous: call it with async_op=False")
    if op == ReduceOp.AVG:
        reduced = ops.AllReduce("sum")(tensor) / communication.get_group_size()
    else:
        reduced = ops.AllReduce(_REDUCE[op])(tensor)
    tensor.assign_value(reduced.astype(tensor.dtype))


def destroy_process_group(group=None):
    """Leaves data-parallel mode. MindSpore's group itself stays until the process exits: a process joins it
    once (a second ``init`` times out), and ``communication.release()`` before exit was measured to make msrun's
    scheduler abort at teardown ("terminate called without an active exception")."""
    if not _state["initialized"]:
        raise AssertionError("Process group cannot be None")
    mindspore.reset_auto_parallel_context()
    _state["initialized"] = False
