"""``mindspore.communication.management`` on ``torch.distributed``, for converted data-parallel scripts.

A converted script is launched with torch's own launcher (``torchrun --nproc_per_node N``), which sets
``RANK``/``WORLD_SIZE``/``MASTER_ADDR``/``MASTER_PORT``; msbridge ships no launcher.

* ``init()`` is ``torch.distributed.init_process_group()`` (env:// rendezvous; gloo on CPU, NCCL on CUDA
  when torch picks it). MindSpore's backend names map to torch's: ``'nccl'`` -> ``'nccl'``, ``'mccl'``
  (MindSpore's CPU collective library) -> ``'gloo'``; ``'hccl'`` (Ascend) has no torch backend.
* ``get_rank()`` / ``get_group_size()`` / ``get_local_rank()`` are torch's rank, world size and
  ``LOCAL_RANK``; before ``init()`` they answer 0, 1 and 0, as MindSpore 2.10 does (torch raises there,
  which is why these are twins and not the native calls).
* only the world group exists: other ``group`` names raise ``ValueError``.
* the group ``init()`` joined is released at interpreter exit. MindSpore scripts rarely call
  ``release()``, and a gloo group still alive while Python finalises may abort the process (SIGABRT,
  "terminate called without an active exception"), measured on torch 2.13 with two ranks.
"""
import atexit
import os

HCCL_WORLD_COMM_GROUP = "hccl_world_group"
NCCL_WORLD_COMM_GROUP = "nccl_world_group"
MCCL_WORLD_COMM_GROUP = "mccl_world_group"
_WORLD_GROUPS = (HCCL_WORLD_COMM_GROUP, NCCL_WORLD_COMM_GROUP, MCCL_WORLD_COMM_GROUP)
_BACKENDS = {None: None, "nccl": "nccl", "mccl": "gloo"}


class GlobalComm:
    """MindSpore's holder of the world group's name and backend."""
    BACKEND = "mccl"
    WORLD_COMM_GROUP = HCCL_WORLD_COMM_GROUP
    INITED = False
    CHECK_ENVS = True


def _dist():
    import torch.distributed as dist
    return dist


def _check_group(group):
    if not isinstance(group, str):
        raise TypeError(f"For 'get_rank', the argument 'group' must be type of string, but got 'group' type : "
                        f"{type(group)}.")
    if group not in _WORLD_GROUPS:
        raise ValueError(f"msbridge: only the world communication group is supported, got group {group!r}.")


def init(backend_name=None):
    """Join the process group torchrun describes (``torch.distributed.init_process_group``)."""
    if backend_name is not None and not isinstance(backend_name, str):
        raise TypeError(f"For 'init', the argument 'backend_name' must be a string, but got the type : "
                        f"{type(backend_name)}")
    if backend_name not in _BACKENDS:
        raise RuntimeError(f"msbridge: MindSpore's backend {backend_name!r} has no torch.distributed backend "
                           f"(use 'nccl' on GPUs, or leave it unset).")
    dist = _dist()
    if "RANK" not in os.environ or "WORLD_SIZE" not in os.environ:
        raise RuntimeError("msbridge: 'mindspore.communication.init()' on torch needs a launcher's environment "
                           "(RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT): launch with `torchrun --nproc_per_node N`.")
    if not dist.is_initialized():
        dist.init_process_group(backend=_BACKENDS[backend_name])
        atexit.register(_release_at_exit)
    GlobalComm.INITED = True


def _release_at_exit():
    """Destroy the group while the interpreter is still whole (a no-op after ``release()``)."""
    if GlobalComm.INITED:
        release()


def release():
    dist = _dist()
    if dist.is_initialized():
        dist.destroy_process_group()
    GlobalComm.INITED = False


def _initialized():
    dist = _dist()
    return dist.is_available() and dist.is_initialized()


def get_rank(group=GlobalComm.WORLD_COMM_GROUP):
    """This process's rank in the world group (0 before ``init()``, as in MindSpore)."""
    _check_group(group)
    return _dist().get_rank() if _initialized() else 0


def get_group_size(group=GlobalComm.WORLD_COMM_GROUP):
    """The number of processes (1 before ``init()``, as in MindSpore)."""
    _check_group(group)
    return _dist().get_world_size() if _initialized() else 1


def get_local_rank(group=GlobalComm.WORLD_COMM_GROUP):
    """The rank on this machine: torchrun's ``LOCAL_RANK`` (0 before ``init()``)."""
    _check_group(group)
    return int(os.environ.get("LOCAL_RANK", 0)) if _initialized() else 0


def get_local_rank_size(group=GlobalComm.WORLD_COMM_GROUP):
    _check_group(group)
    return int(os.environ.get("LOCAL_WORLD_SIZE", 1)) if _initialized() else 1
