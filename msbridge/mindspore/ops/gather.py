"""MindSpore's ``ops.gather(input_params, input_indices, axis)`` on torch (imports torch only).

MindSpore takes whole slices of ``input_params`` along ``axis`` at ``input_indices`` of any shape: the result's
shape is ``params.shape[:axis] + indices.shape + params.shape[axis + 1:]`` (``ops.Gather()(table, ids, 0)``, the
embedding lookup). torch's ``index_select`` takes a 1-D index only and ``torch.gather`` is a different operation
(take-along-axis), so the twin flattens the indices, selects, and restores the shape. Measured on MindSpore 2.10
(CPU): int32 and int64 indices alike, a negative axis counts from the end, a negative index in [-n, 0) counts from
the end of the axis, an index outside [-n, n) raises (RuntimeError there, IndexError here). ``batch_dims`` (other
than 0) has no twin: the row marks it unsupported.
"""
from __future__ import annotations

import torch


def gather(input_params, input_indices, axis):
    """Slices of ``input_params`` along ``axis`` at ``input_indices`` (any shape; int32 or int64), as MindSpore."""
    indices = torch.as_tensor(input_indices)
    if indices.dtype not in (torch.int32, torch.int64):
        raise TypeError(f"For 'Gather', the 'input_indices' must be int32 or int64, but got {indices.dtype}.")
    axis = axis + input_params.dim() if axis < 0 else axis
    size = input_params.shape[axis]
    flat = indices.reshape(-1).to(torch.int64)
    if flat.numel() and (bool((flat < -size).any()) or bool((flat >= size).any())):
        raise IndexError(f"For 'Gather', the 'input_indices' should be in the range [{-size}, {size}).")
    flat = torch.where(flat < 0, flat + size, flat)
    picked = torch.index_select(input_params, axis, flat)
    return picked.reshape(tuple(input_params.shape[:axis]) + tuple(indices.shape) + tuple(input_params.shape[axis + 1:]))
