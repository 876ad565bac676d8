"""``mindspore.numpy`` functions on torch whose torch namesakes pick other dtypes or round otherwise.

``arange``: MindSpore gives int32 for int bounds (torch int64) and computes a float range as
``start + i * step`` in float32, the product rounded before the sum (measured on MindSpore 2.10 over 44
random float ranges: equal to the bit; torch's and numpy's float arange round differently).
``zeros``: MindSpore's default dtype is float32 written out (the same as torch's default).
"""
from __future__ import annotations

import math
import numbers

import torch


def _is_int(v) -> bool:
    return isinstance(v, numbers.Integral)


def arange(start, stop=None, step=None, dtype=None):
    if stop is None:
        start, stop = 0, start
    if step is None:
        step = 1
    for name, v in (("start", start), ("stop", stop), ("step", step)):
        if not isinstance(v, numbers.Real):
            raise TypeError(f"For 'arange', '{name}' must be an int or float, but got {type(v).__name__}.")
    if step == 0:
        raise ValueError("For 'arange', 'step' must not be 0.")
    n = max(0, math.ceil((stop - start) / step))
    if _is_int(start) and _is_int(stop) and _is_int(step):
        out = torch.arange(start, stop, step, dtype=torch.int64).to(torch.int32)
    else:
        index = torch.arange(n, dtype=torch.float32)
        out = torch.tensor(float(start), dtype=torch.float32) + index * torch.tensor(float(step), dtype=torch.float32)
    return out if dtype is None else out.to(dtype)



def zeros(shape, dtype=torch.float32):
    """Zeros of ``shape`` (an int or a tuple), float32 unless told."""
    return torch.zeros(shape, dtype=dtype)


__all__ = ["arange", "zeros"]
