"""MindSpore 2.10's argument checks of ``nn.MaxPool2d``/``nn.AvgPool2d``, in its order and with its exception types.

MindSpore checks in three places: the shared pool base (pad_mode, format, kernel_size and stride: an int or a
tuple, never a list or a bool, every item > 0), the layer (padding and dilation in pad_mode='pad', the
non-default arguments refused outside it) and the primitive it builds (MaxPool3DWithArgmax or AvgPool3D for
pad_mode='pad' or, for AvgPool2d, any non-default argument; MaxPool/AvgPool otherwise). A ported program that
passes a list, a bool, a zero size or a negative padding fails on MindSpore at construction, so these twins fail
there too, with MindSpore's exception and message. Measured on mindspore 2.10.0
(tests/layers/test_twin_args_mindspore.py compares every case with the real layer).
"""
from __future__ import annotations

from msbridge.mindspore.nn.layers.validator import (data_format, non_negative_int,
                                                    non_negative_int_sequence, string, value_type)


def _pair(value) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else tuple(value) * 2 if len(value) == 1 else tuple(value)


def _last_two(value):
    return value[2:] if isinstance(value, tuple) and len(value) == 4 else value


def _int_or_tuple(cls: str, name: str, value):
    """The base's check: an int or a tuple of ints, each > 0; a 1-tuple is its item."""
    value_type(name, value, [int, tuple], cls)
    items = (value,) if isinstance(value, int) else value
    if not all(isinstance(item, int) and item > 0 for item in items):
        raise ValueError(f"For '{cls}', the '{name}' must be an positive int number or a tuple, but got {value}")
    return value[0] if isinstance(value, tuple) and len(value) == 1 else value


def _base(cls: str, kernel_size, stride, pad_mode, format_):
    value_type("pad_mode", pad_mode, [str], cls)
    mode = string(pad_mode.upper(), ["VALID", "SAME", "PAD"], "pad_mode", cls)
    data_format(format_, cls)
    return mode, _int_or_tuple(cls, "kernel_size", kernel_size), _int_or_tuple(cls, "stride", stride)


def _length_two(cls: str, name: str, value) -> None:
    if isinstance(value, tuple) and len(value) != 2:
        raise ValueError(f"For {cls}, the length of {name} must be equal to 2, but got {len(value)}.")


def _primitive_pair(prim: str, name: str, value) -> None:
    """MaxPool (the primitive outside 'pad'): an int or a pair of ints, not bools."""
    if isinstance(value, tuple) and (len(value) != 2 or any(isinstance(item, bool) for item in value)):
        raise ValueError(f"For '{prim}' attr '{name}' must be an positive int number or a tuple of two positive int "
                         f"numbers, but got {value}")


def _three(prim: str, name: str, value, allow_five: bool = False) -> None:
    """The 3-D primitives' check (``_check_3d_int_or_tuple``) of the value the layer built: each item an int, not a
    bool, > 0 (pads >= 0)."""
    low = 0 if name in ("pads", "pad") else 1
    if any(isinstance(item, bool) or not isinstance(item, int) or item < low for item in value):
        raise ValueError(f"For '{prim}', the parameter '{name}' must be an positive integer or a tuple of three "
                         f"{'or five ' if allow_five else ''}positive integer, but got {value}")


def maxpool2d_arguments(kernel_size, stride, pad_mode, padding, dilation, return_indices, ceil_mode, format_):
    """(pad_mode lower-case, kernel, stride, padding and dilation pairs) or MindSpore's error."""
    mode, kernel, stride = _base("MaxPool2d", kernel_size, stride, pad_mode, format_)
    if mode != "PAD":
        if padding != 0 or dilation != 1 or return_indices or ceil_mode:
            raise ValueError("For MaxPool2d, the parameter 'padding', 'dilation', 'return_indices', 'ceil_mode' can "
                             "not be set to non-default value when pad_mode is not 'pad', "
                             f"but got pad_mode:{pad_mode}.")
        _primitive_pair("MaxPool", "kernel_size", kernel)
        _primitive_pair("MaxPool", "strides", stride)
        return mode.lower(), _pair(kernel), _pair(stride), (0, 0), (1, 1)
    _length_two("MaxPool2d", "kernel_size", kernel)
    _length_two("MaxPool2d", "stride", stride)
    value_type("padding", padding, (int, tuple, list), "MaxPool2d")
    if isinstance(padding, (tuple, list)):
        non_negative_int_sequence(padding, "padding", "MaxPool2d")
        if len(padding) not in (1, 2):
            raise ValueError(f"For MaxPool2d, the length of padding must equal to 2, but got {len(padding)}.")
    if isinstance(dilation, tuple) and len(dilation) not in (1, 2):
        raise ValueError(f"For MaxPool2d, the length of 'dilation' must be 1 or 2, but got {len(dilation)}.")
    if not isinstance(dilation, (int, tuple)):
        raise ValueError(f"For MaxPool2d, the 'dilation' must be int or tuple, but got {type(dilation)}.")
    value_type("ceil_mode", ceil_mode, bool, "MaxPool3DWithArgmax")
    _three("MaxPool3DWithArgmax", "ksize", (1, *_pair(kernel)))
    _three("MaxPool3DWithArgmax", "strides", (1, *_pair(stride)))
    padding = _pair(padding)
    _three("MaxPool3DWithArgmax", "pads", (0, *padding))
    if isinstance(dilation, tuple) and len(dilation) == 1:
        dilation = dilation[0]
    value_type("dilation", dilation, (int, tuple), "MaxPool3DWithArgmax")
    _three("MaxPool3DWithArgmax", "dilation", (dilation,) * 3 if isinstance(dilation, int) else (1, *dilation),
           True)
    return "pad", _pair(kernel), _pair(stride), padding, _pair(dilation)


def avgpool2d_arguments(kernel_size, stride, pad_mode, padding, ceil_mode, count_include_pad, divisor_override,
                        format_):
    """(pad_mode lower-case, kernel and stride pairs, padding pair) or MindSpore's error."""
    mode, kernel, stride = _base("AvgPool2d", kernel_size, stride, pad_mode, format_)
    if not (mode == "PAD" or padding != 0 or ceil_mode or not count_include_pad or divisor_override is not None):
        # MindSpore's AvgPool: no further check here; it reads a 4-tuple as (N, C, H, W) and refuses other lengths
        # when called
        return mode.lower(), _pair(_last_two(kernel)), _pair(_last_two(stride)), (0, 0)
    if divisor_override is not None and divisor_override <= 0:
        raise ValueError(f"For 'AvgPool2d', the 'divisor_override' must be > 0, but got {divisor_override}.")
    value_type("padding", padding, (int, tuple, list), "AvgPool2d")
    if isinstance(padding, (tuple, list)):
        non_negative_int_sequence(padding, "padding", "AvgPool2d")
        if len(padding) not in (1, 2):
            raise ValueError("For AvgPool2d, the padding must be a int or tuple/list contains 1 or 2 int, but got "
                             f"tuple/list with length:{len(padding)}.")
    _length_two("AvgPool2d", "kernel_size", kernel)
    _length_two("AvgPool2d", "stride", stride)
    _three("AvgPool3D", "kernel_size", (1, 1, 1, *_pair(kernel)))
    _three("AvgPool3D", "strides", (1, 1, 1, *_pair(stride)))
    padding = _pair(padding)
    pads = (0, 0, padding[0], padding[0], padding[1], padding[1])
    if mode != "PAD" and any(pads):
        raise ValueError(f"For 'AvgPool3D', the 'pad' must be zero or (0, 0, 0, 0, 0, 0) when 'pad_mode' is not "
                         f"\"PAD\", but got 'pad' is {pads} and 'pad_mode' is {pad_mode}.")
    for item in pads:
        non_negative_int(item, "pad or item of pad", "AvgPool3D")
    value_type("ceil_mode", ceil_mode, bool, "AvgPool3D")
    value_type("count_include_pad", count_include_pad, bool, "AvgPool3D")
    non_negative_int(0 if divisor_override is None else divisor_override, "divisor_override", "AvgPool3D")
    return mode.lower(), _pair(kernel), _pair(stride), padding

