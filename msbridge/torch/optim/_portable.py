"""Optimizer state values that load anywhere: torch tensors where torch is installed, numpy arrays otherwise.

A ``state_dict`` holding MindSpore Tensors cannot be read back by
``torch.load(weights_only=True)`` (it refuses every class outside its
allow-list, numpy arrays included), and real ``torch.optim`` optimizers cannot
load it. torch's own layout is the portable one: float32 tensors, and
``step`` as a 0-d float32 tensor. Without torch (a pure MindSpore install, or a
converted program run with torch absent) they are float32 MindSpore Tensors, which
``msbridge.torch.serialization.save`` writes as torch tensors (numpy arrays it would
pickle as numpy, which ``torch.load(weights_only=True)`` refuses);
``load_state_dict`` takes any of torch tensors, numpy arrays or MindSpore
Tensors.
"""
from functools import cache

import numpy as np


@cache
def _torch():
    """torch if installed (imported on first use: msbridge.torch runs on MindSpore alone), else None."""
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is installed wherever the tests run
        return None
    return torch


def portable(value):
    """One state value as torch stores it (a tensor), a MindSpore Tensor without torch; None stays None."""
    if value is None:
        return None
    array = np.array(value.asnumpy() if hasattr(value, "asnumpy") else value, dtype=np.float32)  # a copy
    torch = _torch()
    if torch is None:
        from mindspore import Tensor
        return Tensor(array)
    return torch.from_numpy(array)
