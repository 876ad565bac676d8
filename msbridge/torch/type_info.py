"""torch's ``torch.finfo`` / ``torch.iinfo`` for MindSpore dtypes (lucidrains' attention masks: ``-torch.finfo(
sim.dtype).max``): the same limits as Python floats/ints, read from numpy's (bfloat16, which numpy lacks, from torch's
published values). ``finfo()`` is float32's, torch's default dtype.
"""
from __future__ import annotations

from dataclasses import dataclass

import mindspore
import numpy as np

# torch 2.13's torch.finfo(torch.bfloat16), measured
_BFLOAT16 = dict(bits=16, eps=0.0078125, max=3.3895313892515355e+38, min=-3.3895313892515355e+38,
                 tiny=1.1754943508222875e-38, smallest_normal=1.1754943508222875e-38, resolution=0.01)


@dataclass(frozen=True)
class finfo:   # noqa: N801 - torch's name
    """Machine limits of a floating dtype (float32 when none is given), as torch reports them."""

    dtype: object = None

    def __post_init__(self):
        dtype = mindspore.float32 if self.dtype is None else self.dtype
        object.__setattr__(self, "dtype", dtype)
        if dtype == mindspore.bfloat16:
            values = _BFLOAT16
        else:
            try:
                info = np.finfo(mindspore.dtype_to_nptype(dtype))
            except (TypeError, ValueError):
                raise TypeError(f"torch.finfo() requires a floating point input type, got {dtype}") from None
            values = dict(bits=info.bits, eps=float(info.eps), max=float(info.max), min=float(info.min),
                          tiny=float(info.tiny), smallest_normal=float(info.smallest_normal),
                          resolution=float(info.resolution))
        for name, value in values.items():
            object.__setattr__(self, name, value)


@dataclass(frozen=True)
class iinfo:   # noqa: N801 - torch's name
    """Machine limits of an integer dtype, as torch reports them."""

    dtype: object

    def __post_init__(self):
        try:
            info = np.iinfo(mindspore.dtype_to_nptype(self.dtype))
        except (TypeError, ValueError):
            raise TypeError(f"torch.iinfo() requires an integer input type, got {self.dtype}") from None
        for name, value in dict(bits=info.bits, max=int(info.max), min=int(info.min)).items():
            object.__setattr__(self, name, value)


__all__ = ["finfo", "iinfo"]
