"""torch's ``x.is_cuda`` and ``torch.clamp`` with mixed bounds, for converted programs (torch -> MindSpore).

* ``x.is_cuda``: no such attribute (AttributeError). A MindSpore tensor lives on the process's device target,
  so it is True only on the GPU target, as ``msbridge.torch.cuda.is_available()`` answers.
* ``torch.clamp(x, 0, t)`` with a 0-d tensor bound and a number bound: torch reads the 0-d tensor as a number,
  MindSpore's ``ops.clamp`` refuses the mix (TypeError, measured): the tensor bound is read as a number too.

Anything that is not a MindSpore tensor keeps its own member, as written.
"""
from __future__ import annotations

import numbers

import mindspore
from mindspore import ops


def _is_tensor(x) -> bool:
    return isinstance(x, mindspore.Tensor)


def is_cuda(x) -> bool:
    """torch's ``Tensor.is_cuda`` read on a MindSpore tensor: whether the process computes on a GPU."""
    if not _is_tensor(x):
        return x.is_cuda
    return mindspore.get_context("device_target") == "GPU"


def _number_bound(bound, other):
    """A 0-d tensor bound beside a number bound is read as a number, as torch's clamp(Number, Number) does."""
    if _is_tensor(bound) and isinstance(other, numbers.Number):
        if bound.ndim != 0:
            raise TypeError("clamp() received an invalid combination of arguments: a number bound and a "
                            f"{bound.ndim}-d tensor bound (torch accepts only a 0-d tensor beside a number)")
        return bound.item()
    return bound


def clamp(input, min=None, max=None, *, out=None):   # noqa: A002 - torch's argument names
    """torch's ``torch.clamp``: ``mindspore.ops.clamp``, mixed number/0-d tensor bounds read as numbers."""
    if out is not None:
        raise NotImplementedError("msbridge's clamp: out= has no MindSpore counterpart")
    if min is not None and max is not None:
        min, max = _number_bound(min, max), _number_bound(max, min)
    return ops.clamp(input, min, max)
