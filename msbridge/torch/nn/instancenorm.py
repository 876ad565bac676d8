"""``torch.nn.InstanceNorm2d`` on MindSpore (MindSpore 2.10 has no CPU InstanceNorm layer).

Each sample's channel is normalised over its spatial axes with the biased variance, as torch does
with its default ``track_running_stats=False`` (the same in train and eval mode); ``affine=True``
adds torch's ``weight``/``bias`` (ones/zeros) per channel. Running statistics are refused.
"""
from __future__ import annotations

import mindspore
import numpy as np
from mindspore import Parameter, Tensor, ops


class InstanceNorm2d(mindspore.nn.Cell):
    """Instance normalisation with torch's signature, defaults (eps=1e-5, affine=False) and parameter names."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False, device=None,
                 dtype=None):
        super().__init__()
        if track_running_stats:
            raise NotImplementedError("msbridge's InstanceNorm2d: track_running_stats=True is not ported")
        if dtype is not None and dtype != mindspore.float32:   # device is placement only
            raise TypeError(f"msbridge's InstanceNorm2d computes in float32 only, got dtype={dtype!r}")
        self.num_features, self.eps, self.momentum, self.affine = num_features, float(eps), momentum, affine
        self.weight = Parameter(Tensor(np.ones(num_features, np.float32)), name="weight") if affine else None
        self.bias = Parameter(Tensor(np.zeros(num_features, np.float32)), name="bias") if affine else None

    def construct(self, x):
        if x.ndim not in (3, 4):
            raise ValueError(f"expected 3D or 4D input (got {x.ndim}D input)")
        if self.affine and x.shape[-3] != self.num_features:
            raise ValueError(f"expected input's size at dim={x.ndim - 3} to match num_features "
                             f"({self.num_features}), but got: {x.shape[-3]}.")
        mean = x.mean(axis=(-2, -1), keep_dims=True)
        centred = x - mean
        var = (centred * centred).mean(axis=(-2, -1), keep_dims=True)
        out = centred / ops.sqrt(var + self.eps)
        if self.affine:
            out = out * self.weight.reshape(-1, 1, 1) + self.bias.reshape(-1, 1, 1)
        return out

    def extend_repr(self):
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}"
