"""torch.distributed's process-group calls on MindSpore's communication (``msrun`` launches the processes).

``init_process_group`` is ``mindspore.communication.init()`` plus data-parallel mode with averaged
gradients (``set_auto_parallel_context(parallel_mode=DATA_PARALLEL, gradients_mean=True)``); the
backend, address and rank arguments torch reads belong to torch's launcher (torchrun's environment),
MindSpore's launcher sets its own, so they are accepted and not used. Ranks and sizes are
MindSpore's (``get_rank``/``get_group_size``).
"""
from __future__ import annotations

from msbridge.torch.distributed import ReduceOp
from msbridge.torch.distributed.backend import get_default_backend_for_device
from msbridge.torch.distributed.group import (all_reduce, barrier, destroy_process_group, get_rank, get_world_size,
                                              init_process_group, is_available, is_initialized)

__all__ = ["ReduceOp", "all_reduce", "get_default_backend_for_device", "barrier", "destroy_process_group", "get_rank", "get_world_size",
           "init_process_group", "is_available", "is_initialized"]
