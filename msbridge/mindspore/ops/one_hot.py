"""MindSpore's ``ops.one_hot(indices, depth, on_value, off_value, axis)`` on torch (imports torch only).

torch's ``nn.functional.one_hot`` gives int64 ones and zeros on the last axis and raises on an index outside
[0, depth); MindSpore gives ``on_value``/``off_value`` in their dtype, the new axis at ``axis``, and a row of
``off_value`` for an index outside [0, depth) (-1 included). Measured on MindSpore 2.10 (CPU): int32 and int64
indices; tensors of one dtype for on/off (float32, float16, int32: the result's dtype), Python ints giving int64 and
floats float32; on/off of two dtypes raise TypeError; axis -1, 0 and 1 on 1-D and 2-D indices.
"""
from __future__ import annotations

import torch


def _value(v) -> torch.Tensor:
    if isinstance(v, torch.Tensor):
        return v
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise TypeError(f"For 'OneHot', on_value and off_value must be tensors or numbers, but got {type(v)}.")
    return torch.tensor(v, dtype=torch.int64 if isinstance(v, int) else torch.float32)


def one_hot(indices, depth, on_value=1, off_value=0, axis=-1):
    """``on_value`` where ``indices`` names the position along a new axis of size ``depth`` at ``axis``, else
    ``off_value`` (also for every index outside [0, depth)), in their common dtype, as MindSpore."""
    if not isinstance(indices, torch.Tensor) or indices.dtype not in (torch.int32, torch.int64):
        raise TypeError("For 'OneHot', the 'indices' must be an int32 or int64 tensor.")
    on, off = _value(on_value), _value(off_value)
    if on.dtype != off.dtype:
        raise TypeError(f"For primitive[OneHot], the input type must be same: on_value {on.dtype}, off_value {off.dtype}.")
    hot = indices.unsqueeze(-1) == torch.arange(depth, device=indices.device, dtype=indices.dtype)
    out = torch.where(hot, on.to(indices.device), off.to(indices.device))
    return out if axis == -1 else torch.movedim(out, -1, axis)
