"""MindSpore Tensor methods whose torch namesakes differ, called on whatever the receiver is at run time.

Imported by converted programs (``msbridge.convert.rules.tensor_methods`` writes the calls). In a
MindSpore file ``x.transpose(0, 2, 1)`` is a permutation (numpy's ``transpose`` is one too) where
torch's takes exactly two axes to swap (MindSpore 2.10's two-int form swaps as well, measured); ``x.expand_dims``/``x.astype`` do not exist on torch tensors; ``mean(keep_dims=)``/
``split(axis=)`` are MindSpore's names. The converter cannot always tell a tensor from a numpy array, so
each function here dispatches: a torch tensor (what the MindSpore tensor became) gets MindSpore's
meaning in torch terms, anything else (numpy, a user's object) gets its own method, as before.
Lives outside ``msbridge.mindspore`` because MindSpore has no such functions.
"""
from __future__ import annotations

import torch


def _np_dtype(dtype):
    """A torch dtype as numpy's (a numpy receiver of a converted ``astype(mindspore.float32)``)."""
    return torch.empty((), dtype=dtype).numpy().dtype if isinstance(dtype, torch.dtype) else dtype


def transpose(x, *axes):
    """MindSpore's ``Tensor.transpose``: two ints swap two axes (MindSpore 2.10, as torch), anything else
    is a permutation (none: the axes reversed), as numpy's."""
    if not isinstance(x, torch.Tensor) or (len(axes) == 2 and all(isinstance(a, int) for a in axes)):
        return x.transpose(*axes)
    if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
        axes = tuple(axes[0])
    if not axes:
        axes = tuple(range(x.dim() - 1, -1, -1))
    return x.permute(*axes)


def expand_dims(x, axis):
    if not isinstance(x, torch.Tensor):
        return x.expand_dims(axis)
    return x.unsqueeze(axis)


def astype(x, dtype, copy=True):
    """MindSpore's ``Tensor.astype(dtype)``: a torch dtype (translated), or a name such as "float32"."""
    if not isinstance(x, torch.Tensor):
        return x.astype(_np_dtype(dtype))
    if isinstance(dtype, str):
        dtype = getattr(torch, dtype)
    return x.to(dtype, copy=bool(copy))


def mean(x, axis=None, keep_dims=False):
    if not isinstance(x, torch.Tensor):
        return x.mean(axis=axis, keep_dims=keep_dims)
    return x.mean() if axis is None and not keep_dims else x.mean(dim=axis, keepdim=keep_dims)


def split(x, split_size_or_sections, axis=0):
    if not isinstance(x, torch.Tensor):
        return x.split(split_size_or_sections, axis=axis)
    return x.split(split_size_or_sections, dim=axis)


__all__ = ["astype", "expand_dims", "mean", "split", "transpose"]
