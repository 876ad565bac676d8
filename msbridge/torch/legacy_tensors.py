"""torch's legacy typed tensor classes ``torch.LongTensor`` / ``torch.FloatTensor`` on MindSpore.

Called: ``LongTensor(data)`` is ``tensor(data, dtype=int64)`` (floats truncated toward zero, measured on torch
2.13); ``LongTensor(2, 3)`` is an UNINITIALISED tensor of that shape in torch (its values are undefined, so code
that reads them before writing is wrong there too): here zeros of the shape, and so for ``LongTensor(x.size())`` (a
``torch.Size`` is a shape, any other tuple data); ``LongTensor()`` is empty.
Named as a type: ``isinstance(x, LongTensor)`` holds for a tensor of that dtype, as in torch (CPU tensors).
"""
from __future__ import annotations

import numbers

import numpy as np

import mindspore
from mindspore import ops

from msbridge.torch.size import Size


class _TypedTensorMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, mindspore.Tensor) and obj.dtype == cls._ms_dtype

    def __call__(cls, *args):
        name, np_dtype, ms_dtype = cls.__name__, cls._np_dtype, cls._ms_dtype
        if not args:
            return mindspore.Tensor(np.zeros((0,), np_dtype))
        if all(isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in args):
            return ops.zeros(tuple(int(a) for a in args), ms_dtype)
        if len(args) == 1 and isinstance(args[0], Size):   # `FloatTensor(x.size())`: a shape, not data
            return ops.zeros(tuple(args[0]), ms_dtype)
        if len(args) == 1 and isinstance(args[0], (list, tuple, np.ndarray)):
            data = np.asarray(args[0])
            if data.dtype == object:
                raise TypeError(f"{name}(): new(): invalid data type '{type(args[0][0]).__name__}'")
            return mindspore.Tensor(data.astype(np_dtype))
        raise TypeError(f"{name}() received an invalid combination of arguments: got "
                        f"({', '.join(type(a).__name__ for a in args)})")


class LongTensor(metaclass=_TypedTensorMeta):
    _np_dtype, _ms_dtype = np.int64, mindspore.int64


class FloatTensor(metaclass=_TypedTensorMeta):
    _np_dtype, _ms_dtype = np.float32, mindspore.float32


__all__ = ["FloatTensor", "LongTensor"]
