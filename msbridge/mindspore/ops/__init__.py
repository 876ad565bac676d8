"""MindSpore functional ops on torch where torch has no function of the same meaning.

``ops.cast(x, dtype)`` is a method call in torch (``x.to(dtype)``) and ``ops.shape(x)`` an
attribute (``x.shape``, a ``torch.Size``); the converter's rows are function to function, so these
twins carry the MindSpore signature. ``depend``/``assign``/``tuple_to_array``/``partial``/``dtype`` (graph-mode plumbing of
optimizer and EMA code) are in ``msbridge.mindspore.ops.graph_plumbing``; ``maximum``/``minimum`` (a Python
number allowed for either operand) in ``msbridge.mindspore.ops.scalar_operands``; ``gather`` (indices of any shape)
in ``msbridge.mindspore.ops.gather``, ``one_hot`` (on/off values, any axis) in ``msbridge.mindspore.ops.one_hot``. Each is checked against MindSpore in
tests/convert/test_model_coverage.py and by the row harness.
"""
from __future__ import annotations

import numbers

import torch

from msbridge.mindspore.autograd import value_and_grad  # noqa: F401 (mindspore.ops.value_and_grad)
from msbridge.mindspore.ops.graph_plumbing import assign, depend, dtype, partial, tuple_to_array
from msbridge.mindspore.ops.clip import clip_by_global_norm
from msbridge.mindspore.ops.gather import gather
from msbridge.mindspore.ops.one_hot import one_hot
from msbridge.mindspore.ops.scalar_operands import maximum, minimum


def cast(input, dtype):
    """``input`` as a tensor of ``dtype`` (a new tensor, differentiable for float dtypes, as in MindSpore)."""
    if not isinstance(dtype, torch.dtype):
        raise TypeError(f"For 'Cast', the input 'dtype' should be mindspore dtype, but got {dtype!r}.")
    if isinstance(input, torch.Tensor):
        return input.to(dtype)
    if isinstance(input, numbers.Number):
        return torch.tensor(input, dtype=dtype)
    raise TypeError(f"Failed calling Cast with input={type(input)}: the input must be a Number or a Tensor.")


def shape(input_x) -> tuple[int, ...]:
    """The shape as a tuple of ints (MindSpore returns a plain tuple; ``torch.Size`` is a tuple too)."""
    if not isinstance(input_x, torch.Tensor):
        raise TypeError(f"For primitive[Shape], the input argument must be Tensor, but got {type(input_x)}.")
    return tuple(input_x.shape)


__all__ = ["assign", "cast", "clip_by_global_norm", "depend", "dtype", "maximum", "minimum", "partial", "shape",
           "tuple_to_array"]
