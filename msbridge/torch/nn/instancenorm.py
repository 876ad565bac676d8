"""``torch.nn.InstanceNorm2d`` on MindSpore (MindSpore 2.10 has no CPU InstanceNorm layer).

Each sample's channel is normalised over its spatial axes with the biased variance, as torch does
with its default ``track_running_stats=False`` (the same in train and eval mode); ``affine=True``
adds torch's ``weight``/``bias`` (ones/zeros) per channel (``bias=False``: the weight only). Running statistics
are refused. Arguments and inputs are checked as torch checks them (layer_checks.py), a str eps or momentum at
construction (torch: when called), with torch's exception types.
"""
from __future__ import annotations

import numbers

import mindspore
import numpy as np
from mindspore import Parameter, Tensor, ops

from msbridge.torch.nn.layer_checks import tensor_shape


class InstanceNorm2d(mindspore.nn.Cell):
    """Instance normalisation with torch's signature, defaults (eps=1e-5, affine=False) and parameter names."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False, device=None,
                 dtype=None, *, bias=True):
        super().__init__()
        for name, value in (("eps", eps), ("momentum", momentum)):   # torch reads these when called
            if not (value is None and name == "momentum") and not isinstance(value, numbers.Real):   # a bool is one
                raise TypeError(f"instance_norm(): argument '{name}' must be float, not {type(value).__name__}")
        if affine:   # torch sizes its parameters only then
            num_features = tensor_shape(num_features)[0]
        if track_running_stats:
            raise NotImplementedError("msbridge's InstanceNorm2d: track_running_stats=True is not ported")
        if dtype is not None and dtype != mindspore.float32:   # device is placement only
            raise TypeError(f"msbridge's InstanceNorm2d computes in float32 only, got dtype={dtype!r}")
        self.num_features, self.eps, self.momentum, self.affine = num_features, float(eps), momentum, affine
        self.weight = Parameter(Tensor(np.ones(num_features, np.float32)), name="weight") if affine else None
        self.bias = Parameter(Tensor(np.zeros(num_features, np.float32)), name="bias") if affine and bias else None

    def construct(self, x):
        if x.ndim not in (3, 4):
            raise ValueError(f"expected 3D or 4D input (got {x.ndim}D input)")
        if not ops.is_floating_point(x):
            raise NotImplementedError(f"\"batch_norm\" not implemented for '{x.dtype}'")
        if self.affine and x.shape[-3] != self.num_features:
            raise ValueError(f"expected input's size at dim={x.ndim - 3} to match num_features "
                             f"({self.num_features}), but got: {x.shape[-3]}.")
        mean = x.mean(axis=(-2, -1), keep_dims=True)
        centred = x - mean
        var = (centred * centred).mean(axis=(-2, -1), keep_dims=True)
        out = centred / ops.sqrt(var + self.eps)
        if self.affine:
            out = out * self.weight.reshape(-1, 1, 1)
        if self.bias is not None:
            out = out + self.bias.reshape(-1, 1, 1)
        return out

    def extend_repr(self):
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}"
