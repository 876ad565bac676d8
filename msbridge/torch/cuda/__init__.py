"""torch.cuda's queries, answered for MindSpore's device target (see ``msbridge.torch.device``); ``amp``.

On MindSpore's GPU target the calls act on MindSpore's device (``mindspore.set_device``,
``mindspore.runtime``); on any other target they do what torch does on a machine without a CUDA
device: ``set_device``/``synchronize`` raise, ``empty_cache`` does nothing, ``memory_summary`` fails
on its missing counters.
"""
from __future__ import annotations

import mindspore

from msbridge.torch.cuda import amp
from msbridge.torch.random import manual_seed as _manual_seed


def is_available() -> bool:
    return mindspore.get_context("device_target") == "GPU"


def device_count() -> int:
    return 1 if is_available() else 0


def manual_seed(seed) -> None:
    """torch seeds the CUDA generators here; MindSpore has one global seed."""
    _manual_seed(seed)


def manual_seed_all(seed) -> None:
    _manual_seed(seed)


class OutOfMemoryError(RuntimeError):
    """torch.cuda.OutOfMemoryError (a RuntimeError). MindSpore reports exhausted device memory as a plain
    RuntimeError, which an ``except OutOfMemoryError`` does not catch."""


def _no_device():
    raise RuntimeError("No CUDA GPUs are available")


def set_device(device) -> None:
    """``torch.cuda.set_device(i)``: a negative index does nothing, as torch's."""
    index = getattr(device, "index", device)
    if index is None or int(index) < 0:
        return
    if not is_available():
        _no_device()
    mindspore.set_device("GPU", int(index))


def current_device() -> int:
    if not is_available():
        _no_device()
    return int(mindspore.get_context("device_id"))


def synchronize(device=None) -> None:
    if not is_available():
        _no_device()
    mindspore.runtime.synchronize()


def empty_cache() -> None:
    if is_available():
        mindspore.runtime.empty_cache()


def memory_summary(device=None, abbreviated=False) -> str:
    if not is_available():
        raise KeyError("allocated_bytes.all.current")   # torch's, from the empty statistics of an unused device
    return mindspore.runtime.memory_summary()
