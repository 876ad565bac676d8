"""MindSpore 2.10's argument checks of ``nn.Conv2d``, in its order and with its exception types.

A ported program that passes a list, a bool, a zero stride or a 2-tuple padding fails on MindSpore at
construction; the twin must fail there too (and with the same exception type), not build a layer that
MindSpore would have refused. Measured on mindspore 2.10.0 (tests/layers/test_conv_args.py compares every
case with the real layer).
"""
from __future__ import annotations

from msbridge.mindspore.nn.layers.validator import check_bool, data_format, non_negative_int, positive_int


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def twice(value) -> tuple[int, int]:
    """MindSpore's ``twice``: an int or a 2-tuple of ints (a list, a float or a bool is a TypeError)."""
    if _is_int(value):
        return (value, value)
    if not isinstance(value, tuple):
        raise TypeError("When expanding an int number to tuple, input type must be integer or tuple[int], "
                        f"but got {type(value)}")
    if len(value) != 2:
        raise TypeError(f"When expanding an int number to tuple, input tuple dimension must be 2, but got {value}")
    for item in value:
        if not _is_int(item):
            raise TypeError("When expanding an int number to tuple, the type of element in input tuple must be an "
                            f"integer, but got {type(item)}.")
    return value


def conv2d_arguments(kernel_size, stride, pad_mode, padding, dilation, in_channels=1, out_channels=1, group=1,
                     has_bias=False, format_="NCHW"):
    """(kernel_size, stride, dilation as pairs, padding as (top, bottom, left, right)) or MindSpore's error."""
    kernel_size, stride, dilation = twice(kernel_size), twice(stride), twice(dilation)
    positive_int(group, "group", "Conv2d")
    if not (in_channels % group == 0 and out_channels % group == 0):   # Python's own error for a str or None
        raise ValueError(f"The argument 'group' should be divisible by 'in_channels' and 'out_channels', but got "
                         f"group:{group}, in_channels:{in_channels}, out_channels:{out_channels}.")
    positive_int(in_channels, "in_channels", "Conv2d")
    positive_int(out_channels, "out_channels", "Conv2d")
    data_format(format_, "Conv2d", ("NCHW", "NHWC", "NCDHW"))
    if isinstance(padding, tuple):
        for item in padding:
            non_negative_int(item, "padding item", "Conv2d")
    elif isinstance(padding, int):
        non_negative_int(padding, "padding", "Conv2d")
    else:
        raise TypeError(f"For 'Conv2d', the type of 'padding' must be int or tuple(int), but got "
                        f"{type(padding).__name__}.")
    for name, values in (("kernel_size", kernel_size), ("stride", stride), ("dilation", dilation)):
        for value in values:
            positive_int(value, f"{name} item", "Conv2d")
    check_bool(has_bias, "has_bias", "Conv2d")
    if not isinstance(pad_mode, str):
        raise TypeError(f"For 'Conv2D', the type of 'pad_mode' should be 'str', but got type "
                        f"'{type(pad_mode).__name__}'.")
    if pad_mode not in ("same", "valid", "pad"):
        raise ValueError(f"For 'Conv2D', the 'pad_mode' must be str and must be in '['valid', 'same', 'pad']', but got "
                         f"'{pad_mode}'.")
    pads = (padding,) * 4 if isinstance(padding, int) else padding
    if len(pads) != 4:
        raise ValueError(f"For 'Conv2D', the 'pad size' must be int and must = 4, but got '{len(pads)}' with type "
                         "'int'.")
    if pad_mode != "pad" and any(pads):
        raise ValueError(f"For 'Conv2D', the 'pad' must be zero when 'pad_mode' is not 'pad', but got 'pad': "
                         f"{padding} and 'pad_mode': {pad_mode}.")
    return kernel_size, stride, dilation, pads
