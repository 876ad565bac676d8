"""``mindspore.nn.Conv2d`` on torch: MindSpore's ``pad_mode`` for every stride.

torch's ``padding='same'`` refuses a stride > 1; MindSpore's 'same' then pads so that the
output has ceil(in / stride) rows, the odd pixel at the bottom/right (as TensorFlow does).
The weight is ``(out, in/group, kh, kw)`` and the bias exists only with ``has_bias=True``,
as in MindSpore.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from msbridge.mindspore.nn.layers._init import apply_init
from msbridge.mindspore.nn.layers.conv_args import conv2d_arguments
from msbridge.mindspore.nn.layers.validator import check_input


def same_padding(size: int, kernel: int, stride: int, dilation: int) -> tuple[int, int]:
    """(before, after) so that the output has ceil(size / stride) elements; the odd one after."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


class Conv2d(torch.nn.Module):
    """2-D convolution with MindSpore's signature, padding modes and parameter names."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, pad_mode="same", padding=0, dilation=1,
                 group=1, has_bias=False, weight_init=None, bias_init=None, data_format="NCHW", dtype=None):
        super().__init__()
        kernel_size, stride, dilation, self.padding = conv2d_arguments(
            kernel_size, stride, pad_mode, padding, dilation, in_channels, out_channels, group, has_bias, data_format)
        if dtype is not None and dtype is not torch.float32:
            raise TypeError(f"For 'Conv2d', msbridge supports only dtype float32, but got {dtype!r}.")
        self.kernel_size, self.stride, self.dilation = kernel_size, stride, dilation
        self.pad_mode, self.group, self.has_bias = pad_mode, group, has_bias
        # torch's Conv2d draws the same default initialisation (HeUniform(sqrt(5))) as MindSpore >= 2.3
        native = torch.nn.Conv2d(in_channels, out_channels, self.kernel_size, groups=group, bias=has_bias)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.weight = native.weight
        self.bias = native.bias if has_bias else None
        apply_init(self.weight, weight_init)
        apply_init(self.bias, bias_init)

    def _pads(self, x) -> tuple[int, int, int, int]:
        """torch F.pad order: (left, right, top, bottom)."""
        if self.pad_mode == "same":
            top, bottom = same_padding(x.shape[-2], self.kernel_size[0], self.stride[0], self.dilation[0])
            left, right = same_padding(x.shape[-1], self.kernel_size[1], self.stride[1], self.dilation[1])
            return left, right, top, bottom
        if self.pad_mode == "pad":
            top, bottom, left, right = self.padding
            return left, right, top, bottom
        return 0, 0, 0, 0

    def forward(self, x):
        # torch takes an unbatched (C, H, W) input and computes on integers; MindSpore refuses both
        check_input(x, "Conv2d", ranks=(4,), dtype=self.weight.dtype)
        pads = self._pads(x)
        if any(pads):
            x = F.pad(x, pads)
        out = [(n - d * (k - 1) - 1) // s + 1 for n, k, s, d in
               zip(x.shape[2:], self.kernel_size, self.stride, self.dilation)]
        if min(out) <= 0:   # a kernel larger than the input: MindSpore returns an empty result, torch raises
            return x.new_zeros((x.shape[0], self.out_channels, *(max(n, 0) for n in out)))
        return F.conv2d(x, self.weight, self.bias, self.stride, 0, self.dilation, self.group)
