"""MindSpore's graph-mode plumbing on torch: ``depend``, ``assign``, ``tuple_to_array``, ``partial``, ``dtype``.

MindSpore code written for graph mode orders side effects with ``ops.depend(value, expr)``, writes
state with ``ops.assign(variable, value)`` and builds constants with ``ops.tuple_to_array``. In torch
every statement runs eagerly in order, so ``depend`` is its first argument (``expr`` has already been
evaluated when it is called), ``assign`` is an in-place copy, and ``tuple_to_array`` a tensor of the
dtype MindSpore picks: int32 when the FIRST item is an int or bool, else float32 (every item is
converted to it: ``(True, 2.5)`` is ``[1, 2]``; measured on MindSpore 2.10).
"""
from __future__ import annotations

import functools
import numbers

import numpy as np
import torch


def depend(value, expr):
    """``value`` itself: MindSpore returns its first argument after ``expr`` has run; torch has run it."""
    return value


def assign(variable, value):
    """Writes ``value`` into ``variable`` in place and returns ``variable`` (a Parameter stays the Parameter,
    so ``m.bias = assign(m.bias, v)`` keeps torch's Module happy; MindSpore returns a tensor of the same values).

    As in MindSpore: the shapes must be equal (ValueError), and ``value`` is converted to ``variable``'s dtype
    only where that loses nothing (int32 into float32; float64 into float32 is a TypeError)."""
    if not isinstance(variable, torch.Tensor):
        raise TypeError(f"For 'Assign', the 'variable' must be a Parameter or Tensor, but got {type(variable)}.")
    if not isinstance(value, torch.Tensor):
        value = torch.tensor(value)
    if tuple(value.shape) != tuple(variable.shape):
        raise ValueError(f"For 'Assign','value' must have the same shape as 'variable'. "
                         f"But got 'value' shape: {tuple(value.shape)}, 'variable' shape: {tuple(variable.shape)}.")
    if torch.promote_types(variable.dtype, value.dtype) != variable.dtype:
        raise TypeError(f"For 'Assign', data type {value.dtype} cannot be converted to data type "
                        f"{variable.dtype} automatically (the data type of a Parameter is kept).")
    with torch.no_grad():
        variable.copy_(value)
    return variable


def tuple_to_array(input_x):
    """A 1-D tensor of the tuple's numbers: int32 if the first item is an int or bool, else float32.

    Ints outside int32 wrap here; MindSpore gives 0 or -2**31 for them depending on the other items (measured):
    undefined there, not imitated."""
    if isinstance(input_x, list):
        return None   # MindSpore 2.10 returns None for a list (measured), and code reading it fails later alike
    if not isinstance(input_x, tuple):
        raise TypeError(f"For 'tuple_to_array', the input must be a tuple, but got {type(input_x).__name__}.")
    if not input_x:
        raise IndexError("For 'tuple_to_array', the input tuple must not be empty.")
    if isinstance(input_x[0], numbers.Integral):   # bool is Integral; items are truncated toward zero
        array = np.array([int(v) for v in input_x], dtype=np.int64).astype(np.int32)   # wraps as MindSpore does
    else:
        array = np.array(input_x, dtype=np.float32)
    return torch.from_numpy(array)




def partial(*args):
    """``functools.partial(func, *args)``, as MindSpore's ``ops.partial`` returns (measured: a functools.partial)."""
    if not args:
        raise IndexError("For 'partial', the function to bind must be given: got no arguments.")
    if not callable(args[0]):
        raise AttributeError(f"'{type(args[0]).__name__}' object has no attribute '__call__'")
    return functools.partial(args[0], *args[1:])


def dtype(input_x):
    """The tensor's dtype (``x.dtype`` in torch)."""
    if not isinstance(input_x, torch.Tensor):
        raise TypeError(f"For Primitive[Dtype], the input argument[input_x] must be a Tensor, but got {type(input_x)}.")
    return input_x.dtype


__all__ = ["assign", "depend", "dtype", "partial", "tuple_to_array"]
