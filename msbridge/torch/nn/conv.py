"""``torch.nn.Conv2d`` on MindSpore, for calls whose padding is known only at run time.

The converter writes MindSpore's own Conv2d (pad_mode + padding) wherever the call's padding is a
literal; ``nn.Conv2d(c, c, k, padding=k // 2)`` or ``padding=pad`` leaves the mode to run time. This
twin is MindSpore's Conv2d built from torch's arguments: padding an int, a (height, width) pair,
'same' or 'valid'; bias=True by default; zero padding only. The parameters are MindSpore's
(weight (out, in/groups, kh, kw), bias), with the same names as torch's, and MindSpore's default
initialisation draws torch's distribution (measured, tests/layers/test_initializers.py).
"""
from __future__ import annotations

import mindspore


def _pad_mode(padding):
    """torch's padding -> (MindSpore pad_mode, padding)."""
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise ValueError(f"Invalid padding string '{padding}', should be one of {{'valid', 'same'}}")
        return padding, 0
    if isinstance(padding, int) and not isinstance(padding, bool):
        return ("valid", 0) if padding == 0 else ("pad", padding)
    if isinstance(padding, (tuple, list)) and len(padding) == 2 and all(isinstance(p, int) for p in padding):
        height, width = padding
        return ("valid", 0) if height == width == 0 else ("pad", (height, height, width, width))
    raise TypeError(f"padding must be an int, a pair of ints, 'same' or 'valid', but got {padding!r}")


class Conv2d(mindspore.nn.Conv2d):
    """2-D convolution with torch's signature and defaults, computed by MindSpore's Conv2d."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        if padding_mode != "zeros":
            raise NotImplementedError(f"msbridge's Conv2d pads with zeros only, got padding_mode={padding_mode!r}: "
                                      "pad explicitly (mindspore.ops.pad) first")
        if dtype is not None:   # device is placement only; a dtype would change the numbers
            raise TypeError(f"msbridge's Conv2d computes in float32 only, got dtype={dtype!r}")
        if padding == "same" and stride not in (1, (1, 1), [1, 1]):
            raise ValueError("padding='same' is not supported for strided convolutions")
        pad_mode, pads = _pad_mode(padding)
        super().__init__(in_channels, out_channels, kernel_size, stride=stride, pad_mode=pad_mode, padding=pads,
                         dilation=dilation, group=groups, has_bias=bool(bias))
