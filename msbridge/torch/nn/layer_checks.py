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


def float_input(x, what: str) -> None:
    """A layer with float32 parameters (a norm, a convolution) refuses another input dtype, as torch does: a
    RuntimeError naming both dtypes."""
    if x.dtype != mindspore.float32:
        raise RuntimeError(f"{what}: expected input of dtype Float, but got {_torch_dtype_name(x.dtype)}")


def rank(x, ranks, cls_message: str) -> None:
    """torch's rank checks of a layer's input (``_check_input_dim``): a ValueError."""
    if x.ndim not in ranks:
        raise ValueError(cls_message.format(dim=x.ndim))
