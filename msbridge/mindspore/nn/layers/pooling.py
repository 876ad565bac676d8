"""``mindspore.nn.MaxPool2d``/``AvgPool2d`` on torch: MindSpore's pad_mode='same'.

torch's pools have no 'same' mode. MindSpore's pads so that the output has ceil(in / stride) rows,
the odd row at the bottom/right (as its Conv2d does); the padding never wins a maximum and never
counts in an average, whatever count_include_pad says (measured against MindSpore 2.10). 'valid' and
'pad' translate to torch's own pools: the converter writes those natively, this twin is for 'same'.
The constructors check their arguments as MindSpore's do (pooling_args.py): a twin refuses, with MindSpore's
exception type and message, every argument MindSpore refuses, rather than pooling without it.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from msbridge.mindspore.nn.layers.conv import same_padding
from msbridge.mindspore.nn.layers.pooling_args import avgpool2d_arguments, maxpool2d_arguments
from msbridge.mindspore.nn.layers.validator import check_input


def _same_pads(x, kernel, stride, dilation=(1, 1)) -> tuple[int, int, int, int]:
    """F.pad order (left, right, top, bottom) for MindSpore's 'same'."""
    top, bottom = same_padding(x.shape[-2], kernel[0], stride[0], dilation[0])
    left, right = same_padding(x.shape[-1], kernel[1], stride[1], dilation[1])
    return left, right, top, bottom


def _batched(cls: str, x, pool):
    """MindSpore's pools take (C, H, W) as a batch of one and refuse other ranks, integer inputs and windows
    larger than the padded input with its exception types (torch: RuntimeError; MindSpore's AvgPool2d too)."""
    check_input(x, cls, ranks=(3, 4))
    for name, value in (("kernel", pool.kernel_size), ("stride", pool.stride)):   # AvgPool2d builds with a 3-tuple
        if len(value) != 2:
            raise ValueError(f"For primitive[AvgPool], the {name} must be equal to 2, but got {len(value)}.")
    if pool.pad_mode == "pad" and any(2 * p > k for p, k in zip(pool.padding, pool.kernel_size)):
        raise ValueError(f"For '{cls}', the padding {pool.padding} must be at most half of the kernel_size "
                         f"{pool.kernel_size}.")
    if pool.pad_mode != "same" and cls == "MaxPool2d":
        padding, dilation = pool.padding if pool.pad_mode == "pad" else (0, 0), getattr(pool, "dilation", (1, 1))
        for axis in (0, 1):
            if x.shape[axis - 2] + 2 * padding[axis] < dilation[axis] * (pool.kernel_size[axis] - 1) + 1:
                raise ValueError(f"For '{cls}', the window {pool.kernel_size} is larger than the padded input "
                                 f"{tuple(x.shape[-2:])}.")
    return x.unsqueeze(0) if x.dim() == 3 else x


def _unbatched(x, out):
    if x.dim() == 4:
        return out
    return tuple(o.squeeze(0) for o in out) if isinstance(out, tuple) else out.squeeze(0)


class MaxPool2d(torch.nn.Module):
    """2-D max pooling with MindSpore's signature and pad modes."""

    def __init__(self, kernel_size=1, stride=1, pad_mode="valid", padding=0, dilation=1, return_indices=False,
                 ceil_mode=False, data_format="NCHW"):
        super().__init__()
        self.pad_mode, self.kernel_size, self.stride, self.padding, self.dilation = maxpool2d_arguments(
            kernel_size, stride, pad_mode, padding, dilation, return_indices, ceil_mode, data_format)
        # a bool in 'pad' (checked); elsewhere MindSpore takes any falsy value (0) and ignores it
        self.return_indices, self.ceil_mode = bool(return_indices), bool(ceil_mode)

    def forward(self, x):
        batch = _batched("MaxPool2d", x, self)
        if self.pad_mode == "same":
            batch = F.pad(batch, _same_pads(batch, self.kernel_size, self.stride), value=float("-inf"))
            return _unbatched(x, F.max_pool2d(batch, self.kernel_size, self.stride))
        return _unbatched(x, F.max_pool2d(batch, self.kernel_size, self.stride, self.padding, self.dilation,
                                          self.ceil_mode, self.return_indices))


class AvgPool2d(torch.nn.Module):
    """2-D average pooling with MindSpore's signature and pad modes."""

    def __init__(self, kernel_size=1, stride=1, pad_mode="valid", padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None, data_format="NCHW"):
        super().__init__()
        self.pad_mode, self.kernel_size, self.stride, self.padding = avgpool2d_arguments(
            kernel_size, stride, pad_mode, padding, ceil_mode, count_include_pad, divisor_override, data_format)
        self.ceil_mode = bool(ceil_mode)   # a bool where MindSpore reads it (checked); it ignores a falsy 0 elsewhere
        self.count_include_pad, self.divisor_override = bool(count_include_pad), divisor_override
        if self.pad_mode == "same" and divisor_override is not None:
            raise NotImplementedError("msbridge's AvgPool2d: divisor_override with pad_mode='same' is not supported")

    def forward(self, x):
        batch = _batched("AvgPool2d", x, self)
        if self.pad_mode == "same":
            pads = _same_pads(batch, self.kernel_size, self.stride)
            total = F.avg_pool2d(F.pad(batch, pads), self.kernel_size, self.stride)
            share = F.avg_pool2d(F.pad(torch.ones_like(batch[:1, :1]), pads), self.kernel_size, self.stride)
            return _unbatched(x, total / share)   # the mean over the window's real elements only
        return _unbatched(x, F.avg_pool2d(batch, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                                          self.count_include_pad, self.divisor_override))
