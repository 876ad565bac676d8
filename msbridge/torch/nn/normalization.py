"""``torch.nn.LayerNorm`` on MindSpore: normalized_shape an int or a shape of any length.

MindSpore's ``nn.LayerNorm`` normalises from ``begin_norm_axis`` on and accepts no negative axis
but -1, so torch's "the last len(normalized_shape) axes" depends on the input's rank: this twin
finds the axis from each input. Parameters keep torch's names (weight, bias).
"""
from __future__ import annotations

import mindspore
import numpy as np
from mindspore import Parameter, Tensor, ops


def _shape(value) -> tuple[int, ...]:
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,)
    if isinstance(value, (tuple, list)) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return tuple(value)
    raise TypeError(f"normalized_shape must be an int or a sequence of ints, but got {value!r}")


class LayerNorm(mindspore.nn.Cell):
    """Layer normalisation with torch's signature, defaults (eps=1e-5) and parameter names."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        super().__init__()
        if dtype is not None:   # device is placement only; a dtype would change the numbers
            raise TypeError(f"msbridge's LayerNorm computes in float32 only, got dtype={dtype!r}")
        self.normalized_shape = _shape(normalized_shape)
        self.eps, self.elementwise_affine = float(eps), elementwise_affine
        ones = Tensor(np.ones(self.normalized_shape, np.float32))
        zeros = Tensor(np.zeros(self.normalized_shape, np.float32))
        self.weight = Parameter(ones, name="weight") if elementwise_affine else None
        self.bias = Parameter(zeros, name="bias") if elementwise_affine and bias else None
        self._ones, self._zeros = ones, zeros

    def construct(self, x):
        axis = x.ndim - len(self.normalized_shape)
        if axis < 0 or tuple(x.shape[axis:]) != self.normalized_shape:
            raise RuntimeError(f"Given normalized_shape={list(self.normalized_shape)}, expected input with shape "
                               f"[*, {', '.join(map(str, self.normalized_shape))}], but got input of size{tuple(x.shape)}")
        gamma = self.weight if self.weight is not None else self._ones
        beta = self.bias if self.bias is not None else self._zeros
        return ops.LayerNorm(begin_norm_axis=axis, begin_params_axis=axis, epsilon=self.eps)(x, gamma, beta)[0]

    def extend_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
