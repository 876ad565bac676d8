"""``mindspore.nn.Dense`` on torch: a linear layer with MindSpore's fused activation.

torch.nn.Linear has no ``activation=``; MindSpore applies it after ``x W^T + b``.
The parameters are ``weight`` (out, in) and ``bias`` (out,), as in both frameworks, and
the default initialisation is the one MindSpore >= 2.3 and torch share (Kaiming-uniform).
"""
from __future__ import annotations

import torch

from msbridge.mindspore.nn.layers._init import apply_init
from msbridge.mindspore.nn.layers.activation import get_activation
from msbridge.mindspore.nn.layers.validator import check_bool, check_input, positive_int


class Dense(torch.nn.Module):
    """``y = activation(x @ weight.T + bias)`` with MindSpore's signature."""

    def __init__(self, in_channels, out_channels, weight_init=None, bias_init=None, has_bias=True,
                 activation=None, dtype=None):
        super().__init__()
        self.in_channels = positive_int(in_channels, "in_channels", "Dense")
        self.out_channels = positive_int(out_channels, "out_channels", "Dense")
        self.has_bias = check_bool(has_bias, "has_bias", "Dense")
        if dtype is not None and dtype is not torch.float32:
            raise TypeError(f"For 'Dense', msbridge supports only dtype float32, but got {dtype!r}.")
        linear = torch.nn.Linear(in_channels, out_channels, bias=has_bias)
        self.weight = linear.weight
        self.bias = linear.bias if self.has_bias else None
        apply_init(self.weight, weight_init)
        apply_init(self.bias, bias_init)
        self.activation = get_activation(activation) if isinstance(activation, str) else activation
        if activation is not None and not callable(self.activation):
            raise TypeError(f"For 'Dense', the 'activation' must be str or Cell or Primitive, but got "
                            f"{type(activation).__name__}.")
        self.activation_flag = self.activation is not None

    def forward(self, x):
        if x.dim() == 0:   # MindSpore reads the scalar's last axis
            raise IndexError("For 'Dense', the input must have at least one axis, but got a scalar.")
        check_input(x, "Dense", dtype=self.weight.dtype)
        if x.shape[-1] != self.in_channels:
            raise ValueError(f"For 'Dense', the input's last axis must be 'in_channels' ({self.in_channels}), but "
                             f"got input shape {tuple(x.shape)}.")
        y = torch.nn.functional.linear(x, self.weight, self.bias)
        return self.activation(y) if self.activation_flag else y

    def extra_repr(self) -> str:
        return f"input_channels={self.in_channels}, output_channels={self.out_channels}, has_bias={self.has_bias}"
