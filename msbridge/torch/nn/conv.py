"""``torch.nn.Conv2d`` on MindSpore, for calls whose padding is known only at run time.

The converter writes MindSpore's own Conv2d (pad_mode + padding) wherever the call's padding is a
literal; ``nn.Conv2d(c, c, k, padding=k // 2)`` or ``padding=pad`` leaves the mode to run time. This
twin is MindSpore's Conv2d built from torch's arguments: padding an int, a (height, width) pair,
'same' or 'valid'; bias=True by default; zero padding only. The parameters are MindSpore's
(weight (out, in/groups, kh, kw), bias), with the same names as torch's, and MindSpore's default
initialisation draws torch's distribution (measured, tests/layers/test_initializers.py).

Arguments are checked as torch checks them (layer_checks.py): lists, 1-tuples and bools that torch takes
build here too; what torch's constructor refuses is refused with its exception and message; what torch
refuses only when the layer is first called (a zero stride, a negative padding) is refused at construction
with the exception type that call raises. Inputs are checked as torch's conv2d checks them: an unbatched
(C, H, W) input runs, another rank, an integer dtype or a too-small input is a RuntimeError.
"""
from __future__ import annotations

import mindspore

from msbridge.torch.nn.layer_checks import conv_call_arguments, float_input, tensor_shape


def _pair(value):
    """torch's ``_pair``: an iterable as a tuple (a list, a 1-tuple, a str), anything else twice."""
    try:
        return tuple(value)
    except TypeError:
        return (value, value)


def _ints(values) -> tuple[int, ...]:
    """A 1- or 2-item torch argument as MindSpore's pair of ints (torch takes a bool after the first item)."""
    return tuple(int(v) for v in values) * (3 - len(values))


def _pad_mode(padding):
    """torch's padding (str or pair) -> (MindSpore pad_mode, padding)."""
    if isinstance(padding, str):
        return padding, 0
    height, width = _ints(padding)
    return ("valid", 0) if height == width == 0 else ("pad", (height, height, width, width))


def _torch_constructor(in_channels, out_channels, kernel, stride, padding, dilation, groups, bias, padding_mode):
    """torch's ``_ConvNd.__init__`` checks, in its order and with its messages."""
    if groups <= 0:
        raise ValueError("groups must be a positive integer")
    if in_channels % groups != 0:
        raise ValueError("in_channels must be divisible by groups")
    if out_channels % groups != 0:
        raise ValueError("out_channels must be divisible by groups")
    valid_padding_strings = {"same", "valid"}
    if isinstance(padding, str):
        if padding not in valid_padding_strings:
            raise ValueError(f"Invalid padding string {padding!r}, should be one of {valid_padding_strings}")
        if padding == "same" and any(s != 1 for s in stride):
            raise ValueError("padding='same' is not supported for strided convolutions")
    valid_padding_modes = {"zeros", "reflect", "replicate", "circular"}
    if padding_mode not in valid_padding_modes:
        raise ValueError(f"padding_mode must be one of {valid_padding_modes}, but got padding_mode='{padding_mode}'")
    tensor_shape((out_channels, in_channels // groups, *kernel))
    if bias:
        tensor_shape((out_channels,))


class Conv2d(mindspore.nn.Conv2d):
    """2-D convolution with torch's signature and defaults, computed by MindSpore's Conv2d."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        kernel, stride, dilation = _pair(kernel_size), _pair(stride), _pair(dilation)
        padding = padding if isinstance(padding, str) else _pair(padding)
        _torch_constructor(in_channels, out_channels, kernel, stride, padding, dilation, groups, bias, padding_mode)
        conv_call_arguments(kernel, stride, padding, dilation, groups, in_channels, out_channels)
        if padding_mode != "zeros":
            raise NotImplementedError(f"msbridge's Conv2d pads with zeros only, got padding_mode={padding_mode!r}: "
                                      "pad explicitly (mindspore.ops.pad) first")
        if dtype is not None:   # device is placement only; a dtype would change the numbers
            raise TypeError(f"msbridge's Conv2d computes in float32 only, got dtype={dtype!r}")
        pad_mode, pads = _pad_mode(padding)
        self._torch_padding = (0, 0) if isinstance(padding, str) else _ints(padding)
        super().__init__(int(in_channels), int(out_channels), _ints(kernel), stride=_ints(stride), pad_mode=pad_mode,
                         padding=pads, dilation=_ints(dilation), group=groups, has_bias=bool(bias))

    def construct(self, x):
        if x.ndim not in (3, 4):
            raise RuntimeError(f"Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: "
                               f"{list(x.shape)}")
        float_input(x, "conv2d", self.weight.dtype)
        if x.ndim == 3:
            return self.construct(x.unsqueeze(0)).squeeze(0)
        if self.pad_mode != "same":
            for axis in (0, 1):
                if x.shape[axis + 2] + 2 * self._torch_padding[axis] < self.dilation[axis] * (
                        self.kernel_size[axis] - 1) + 1:
                    raise RuntimeError(f"Calculated padded input size per channel: {tuple(x.shape[2:])}. Kernel size: "
                                       f"{tuple(self.kernel_size)}. Kernel size can't be greater than actual input "
                                       "size")
        return super().construct(x)
