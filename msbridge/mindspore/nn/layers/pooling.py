"""``mindspore.nn.MaxPool2d``/``AvgPool2d`` on torch: MindSpore's pad_mode='same'.

torch's pools have no 'same' mode. MindSpore's pads so that the output has ceil(in / stride) rows,
the odd row at the bottom/right (as its Conv2d does); the padding never wins a maximum and never
counts in an average, whatever count_include_pad says (measured against MindSpore 2.10). 'valid' and
'pad' translate to torch's own pools: the converter writes those natively, this twin is for 'same'.
Outside pad_mode='pad', MindSpore raises ValueError for a padding (and, for MaxPool2d, a dilation,
return_indices or ceil_mode) other than the default; so do these twins, rather than pooling without it.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from msbridge.mindspore.nn.layers.conv import _pair, same_padding


def _check(name: str, pad_mode: str, data_format: str) -> None:
    if pad_mode.lower() not in ("same", "valid", "pad"):
        raise ValueError(f"For '{name}', the 'pad_mode' must be one of ['same', 'valid', 'pad'], but got {pad_mode!r}.")
    if data_format != "NCHW":
        raise ValueError(f"For '{name}', msbridge supports only data_format='NCHW'.")


def _same_pads(x, kernel, stride, dilation=(1, 1)) -> tuple[int, int, int, int]:
    """F.pad order (left, right, top, bottom) for MindSpore's 'same'."""
    top, bottom = same_padding(x.shape[-2], kernel[0], stride[0], dilation[0])
    left, right = same_padding(x.shape[-1], kernel[1], stride[1], dilation[1])
    return left, right, top, bottom


class MaxPool2d(torch.nn.Module):
    """2-D max pooling with MindSpore's signature and pad modes."""

    def __init__(self, kernel_size=1, stride=1, pad_mode="valid", padding=0, dilation=1, return_indices=False,
                 ceil_mode=False, data_format="NCHW"):
        super().__init__()
        _check("MaxPool2d", pad_mode, data_format)
        if pad_mode.lower() != "pad" and (padding != 0 or dilation != 1 or return_indices or ceil_mode):
            raise ValueError("For MaxPool2d, the parameter 'padding', 'dilation', 'return_indices', 'ceil_mode' can "
                             f"not be set to non-default value when pad_mode is not 'pad', but got pad_mode:{pad_mode}.")
        self.kernel_size, self.stride = _pair("kernel_size", kernel_size), _pair("stride", stride)
        self.dilation, self.pad_mode, self.padding = _pair("dilation", dilation), pad_mode.lower(), padding
        self.return_indices, self.ceil_mode = return_indices, ceil_mode
        if self.pad_mode == "same" and return_indices:
            raise NotImplementedError("msbridge's MaxPool2d: return_indices with pad_mode='same' is not supported")

    def forward(self, x):
        if self.pad_mode == "same":
            x = F.pad(x, _same_pads(x, self.kernel_size, self.stride, self.dilation), value=float("-inf"))
            return F.max_pool2d(x, self.kernel_size, self.stride, 0, self.dilation)
        padding = self.padding if self.pad_mode == "pad" else 0
        return F.max_pool2d(x, self.kernel_size, self.stride, padding, self.dilation, self.ceil_mode,
                            self.return_indices)


class AvgPool2d(torch.nn.Module):
    """2-D average pooling with MindSpore's signature and pad modes."""

    def __init__(self, kernel_size=1, stride=1, pad_mode="valid", padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None, data_format="NCHW"):
        super().__init__()
        _check("AvgPool2d", pad_mode, data_format)
        if pad_mode.lower() != "pad" and (any(padding) if isinstance(padding, (tuple, list)) else padding != 0):
            raise ValueError(f"For 'AvgPool2d', the 'padding' must be zero when 'pad_mode' is not 'pad', but got "
                             f"{padding!r} and 'pad_mode' {pad_mode!r}.")
        self.kernel_size, self.stride = _pair("kernel_size", kernel_size), _pair("stride", stride)
        self.pad_mode, self.padding, self.ceil_mode = pad_mode.lower(), padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override
        if self.pad_mode == "same" and divisor_override is not None:
            raise NotImplementedError("msbridge's AvgPool2d: divisor_override with pad_mode='same' is not supported")

    def forward(self, x):
        if self.pad_mode == "same":
            pads = _same_pads(x, self.kernel_size, self.stride)
            total = F.avg_pool2d(F.pad(x, pads), self.kernel_size, self.stride)
            share = F.avg_pool2d(F.pad(torch.ones_like(x[:1, :1]), pads), self.kernel_size, self.stride)
            return total / share   # the mean over the window's real elements only
        padding = self.padding if self.pad_mode == "pad" else 0
        return F.avg_pool2d(x, self.kernel_size, self.stride, padding, self.ceil_mode, self.count_include_pad,
                            self.divisor_override)
