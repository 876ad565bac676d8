"""``torch.nn.Dropout`` on MindSpore: p in [0, 1] as torch takes it.

MindSpore's ``nn.Dropout`` refuses p = 1 (p must be in [0, 1)); torch's zeroes everything. With
0 < p < 1 both draw their own mask and scale kept values by 1/(1-p), so only the statistics agree.
"""
from __future__ import annotations

import mindspore
from mindspore import ops


class Dropout(mindspore.nn.Cell):
    """Dropout with torch's signature: identity in eval mode, zeros at p=1 in training."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if p < 0 or p > 1:   # torch's check: a str or None fails on the comparison, a bool passes
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = float(p)
        self.inplace = inplace   # memory saving only in torch

    def construct(self, x):
        if not self.training or self.p == 0.0:
            return x
        if not ops.is_floating_point(x):   # torch's error: the scaled result cannot be stored back as integers
            raise RuntimeError(f"result type Float can't be cast to the desired output type {x.dtype}")
        if self.p == 1.0:
            return ops.zeros_like(x)
        return ops.dropout(x, p=self.p, training=True)

    def extend_repr(self):
        return f"p={self.p}"
