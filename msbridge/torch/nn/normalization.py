"""``torch.nn.LayerNorm`` on MindSpore: normalized_shape an int or a shape of any length.

MindSpore's ``nn.LayerNorm`` normalises from ``begin_norm_axis`` on and accepts no negative axis
but -1, so torch's "the last len(normalized_shape) axes" depends on the input's rank: this twin
finds the axis from each input. Parameters keep torch's names (weight, bias). Arguments and inputs are
checked as torch checks them (layer_checks.py), a str eps at construction (torch: when called).
"""
from __future__ import annotations

import numbers

import mindspore
import numpy as np
from mindspore import Parameter, Tensor, ops

from msbridge.torch.nn.layer_checks import tensor_shape


def _shape(value, elementwise_affine) -> tuple[int, ...]:
    """torch's: an Integral (a bool too) as a 1-tuple, any iterable as a tuple (a float is "not iterable"), sized by
    ``torch.empty`` when there are parameters."""
    shape = (value,) if isinstance(value, numbers.Integral) else tuple(value)
    return tensor_shape(shape) if elementwise_affine else shape


class LayerNorm(mindspore.nn.Cell):
    """Layer normalisation with torch's signature, defaults (eps=1e-5) and parameter names."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        super().__init__()
        if dtype is not None:   # device is placement only; a dtype would change the numbers
            raise TypeError(f"msbridge's LayerNorm computes in float32 only, got dtype={dtype!r}")
        self.normalized_shape = _shape(normalized_shape, elementwise_affine)
        if not isinstance(eps, numbers.Real):   # torch: when called; a bool is a number there
            raise TypeError(f"layer_norm(): argument 'eps' must be float, not {type(eps).__name__}")
        self.eps, self.elementwise_affine = float(eps), elementwise_affine
        ones = Tensor(np.ones(self.normalized_shape, np.float32))
        zeros = Tensor(np.zeros(self.normalized_shape, np.float32))
        self.weight = Parameter(ones, name="weight") if elementwise_affine else None
        self.bias = Parameter(zeros, name="bias") if elementwise_affine and bias else None
        self._ones, self._zeros = ones, zeros

    def construct(self, x):
        if not self.normalized_shape:
            raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one "
                               f"element, but got normalized_shape = {list(self.normalized_shape)}")
        if not ops.is_floating_point(x):
            raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")
        axis = x.ndim - len(self.normalized_shape)
        if axis < 0 or tuple(x.shape[axis:]) != self.normalized_shape:
            raise RuntimeError(f"Given normalized_shape={list(self.normalized_shape)}, expected input with shape "
                               f"[*, {', '.join(map(str, self.normalized_shape))}], but got input of size{tuple(x.shape)}")
        gamma = self.weight if self.weight is not None else self._ones
        beta = self.bias if self.bias is not None else self._zeros
        return ops.LayerNorm(begin_norm_axis=axis, begin_params_axis=axis, epsilon=self.eps)(x, gamma, beta)[0]

    def extend_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
