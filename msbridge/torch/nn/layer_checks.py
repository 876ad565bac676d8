"""torch's checks of layer arguments and inputs, with its exception types, for the twins built on MindSpore.

torch validates some constructor arguments only when the layer runs (GELU's ``approximate``, Conv2d's ``stride``,
Upsample's ``mode``) and refuses some inputs that MindSpore computes on, or refuses with another exception type
(MindSpore raises TypeError for an integer input where torch raises NotImplementedError or RuntimeError). A ported
program that relies on ``except RuntimeError`` or that builds a layer it never calls must behave as under torch,
so the twins check here what torch checks, when torch checks it. Measured on torch 2.13 CPU
(tests/layers/test_twin_args_torch.py runs each case on the real layer and on the twin).
"""
from __future__ import annotations

import mindspore


def floating_input(x, kernel: str) -> None:
    """torch's elementwise kernels (GELU, SiLU) have no integer version: NotImplementedError."""
    if not mindspore.ops.is_floating_point(x):
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_torch_dtype_name(x.dtype)}\'')


def _torch_dtype_name(dtype) -> str:
    name = str(dtype)
    return {"Int32": "Int", "Int64": "Long", "Int16": "Short", "Int8": "Char", "UInt8": "Byte", "Bool": "Bool"}.get(
        name, name)


def float_input(x, what: str, dtype=mindspore.float32) -> None:
    """A layer with parameters (a convolution) refuses an input of another dtype than theirs, as torch does: a
    RuntimeError naming both dtypes."""
    if x.dtype != dtype:
        raise RuntimeError(f"{what}: expected input of dtype {_torch_dtype_name(dtype)} (the layer's parameters), but "
                           f"got {_torch_dtype_name(x.dtype)}")


def rank(x, ranks, cls_message: str) -> None:
    """torch's rank checks of a layer's input (``_check_input_dim``): a ValueError."""
    if x.ndim not in ranks:
        raise ValueError(cls_message.format(dim=x.ndim))


def _type(value) -> str:
    return type(value).__name__


def tensor_shape(shape) -> tuple[int, ...]:
    """``torch.empty(shape)``'s checks, which are torch's layers' checks of their sizes (a Conv2d's channels and
    kernel, a LayerNorm's shape): an int (not a bool) first, then ints or bools (TypeErrors, torch's two
    messages), then no negative size (a RuntimeError). A size of 0 builds, as in torch."""
    if not isinstance(shape, (tuple, list)):
        if not isinstance(shape, int) or isinstance(shape, bool):
            raise TypeError(f"empty(): argument 'size' (position 1) must be tuple of ints, not {_type(shape)}")
        shape = (shape,)
    for pos, size in enumerate(shape):
        if pos == 0 and (not isinstance(size, int) or isinstance(size, bool)):
            raise TypeError(f"empty(): argument 'size' (position 1) must be tuple of ints, but found element of type "
                            f"{_type(size)} at pos 0")
        if not isinstance(size, int):
            raise TypeError(f"empty(): argument 'size' failed to unpack the object at pos {pos + 1} with error "
                            f"\"type must be tuple of ints,but got {_type(size)}\"")
    for size in shape:
        if size < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {size}: {[int(s) for s in shape]}")
    return tuple(int(s) for s in shape)


def conv_call_arguments(kernel, stride, padding, dilation, groups, in_channels, out_channels) -> None:
    """What torch's ``conv2d`` refuses when the layer is first called (its constructor takes these): raised here,
    at construction, with torch's exception type, since MindSpore's layer cannot be built from them. A non-int
    (a bool too) is a TypeError; a wrong length, a non-positive stride or dilation, a negative padding, a kernel
    of other than 2 axes or an empty weight a RuntimeError. torch parses every argument's type before it checks any
    value, and takes a bool after the first item (as ``torch.empty`` does)."""
    lists = [(name, values) for name, values in (("stride", stride), ("padding", padding), ("dilation", dilation))
             if not isinstance(values, str)]
    for name, values in lists:
        for pos, value in enumerate(values):
            if not isinstance(value, int) or (pos == 0 and isinstance(value, bool)):
                raise TypeError(f"conv2d(): argument '{name}' must be tuple of ints, but found element of type "
                                f"{_type(value)} at pos {pos}")
    if not isinstance(groups, int) or isinstance(groups, bool):
        raise TypeError(f"conv2d(): argument 'groups' must be int, not {_type(groups)}")
    for name, values in lists:
        if len(values) not in (1, 2):
            raise RuntimeError(f"expected {name} to be a single integer value or a list of 2 values to match the "
                               f"convolution dimensions, but got {name}={list(values)}")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if not isinstance(padding, str) and any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    if len(kernel) != 2:
        raise RuntimeError(f"Expected a 4-D weight for conv2d, but the kernel_size {tuple(kernel)} gives a "
                           f"{2 + len(kernel)}-D weight")
    if 0 in (in_channels, out_channels, *kernel):
        raise RuntimeError(f"conv2d's weight ({out_channels}, {in_channels // groups}, {', '.join(map(str, kernel))})"
                           " is empty: a convolution with no channels or an empty kernel cannot run")
