"""``torch.nn.init`` on MindSpore: the same distributions, drawn from MindSpore's RNG.

torch's ``nn.init.*_`` fill a tensor in place; here they fill a MindSpore Parameter (``set_data``)
or Tensor (written in place, ``copy_``: a Parameter's ``.data`` shares its storage, so PyTorch-GAN's
``normal_(m.weight.data, ...)`` reaches the weight; ``assign_value`` gave the view new storage and the
weight kept its values, measured on MindSpore 2.10) with MindSpore's own initializer of the same
distribution (fans of an ``(out, in, *kernel)`` weight count alike in both frameworks), and return it
as torch does. Only
the distribution can match, not the numbers. Tested against real torch by statistical tests, and
bit for bit for the deterministic ones (tests/layers/test_initializers.py).
"""
from __future__ import annotations

import math

import numpy as np
from mindspore import Tensor
from mindspore.common import initializer as ms_init


def _put(tensor, data: Tensor):
    if hasattr(tensor, "set_data"):
        tensor.set_data(data)
    else:
        tensor.copy_(data)
    return tensor


def _fill(tensor, init):
    data = ms_init.initializer(init, tuple(tensor.shape), tensor.dtype)
    return _put(tensor, data.init_data() if hasattr(data, "init_data") else data)


def _fans(tensor) -> tuple[int, int]:
    if len(tensor.shape) < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    receptive = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def calculate_gain(nonlinearity, param=None):
    """torch's gain table (MindSpore's, plus 'selu')."""
    if nonlinearity == "selu":
        return 3.0 / 4
    if nonlinearity == "leaky_relu" and param is not None and (isinstance(param, bool) or
                                                              not isinstance(param, (int, float))):
        raise ValueError(f"negative_slope {param} not a valid number")
    try:
        return ms_init._calculate_gain(nonlinearity, param)
    except ValueError:
        raise ValueError(f"Unsupported nonlinearity {nonlinearity}") from None


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    half = (b - a) / 2
    drawn = ms_init.initializer(ms_init.Uniform(half), tuple(tensor.shape), tensor.dtype).init_data()
    return _put(tensor, drawn + Tensor(np.asarray(a + half, np.float32)).astype(tensor.dtype))


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    return _fill(tensor, ms_init.Normal(sigma=std, mean=mean))


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    return _fill(tensor, ms_init.TruncatedNormal(sigma=std, mean=mean, a=a, b=b))


def constant_(tensor, val):
    return _fill(tensor, ms_init.Constant(val))


def ones_(tensor):
    return _fill(tensor, ms_init.One())


def zeros_(tensor):
    return _fill(tensor, ms_init.Zero())


def xavier_uniform_(tensor, gain=1.0, generator=None):
    _fans(tensor)
    return _fill(tensor, ms_init.XavierUniform(gain))


def xavier_normal_(tensor, gain=1.0, generator=None):
    _fans(tensor)
    return _fill(tensor, ms_init.XavierNormal(gain))


def _check_mode(mode):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of ['fan_in', 'fan_out']")


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    _check_mode(mode)
    calculate_gain(nonlinearity, a)
    _fans(tensor)
    return _fill(tensor, ms_init.HeUniform(negative_slope=a, mode=mode, nonlinearity=nonlinearity))


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    _check_mode(mode)
    calculate_gain(nonlinearity, a)
    _fans(tensor)
    return _fill(tensor, ms_init.HeNormal(negative_slope=a, mode=mode, nonlinearity=nonlinearity))


def orthogonal_(tensor, gain=1, generator=None):
    if len(tensor.shape) < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    return _fill(tensor, ms_init.Orthogonal(gain))


__all__ = ["calculate_gain", "constant_", "kaiming_normal_", "kaiming_uniform_", "normal_", "ones_", "orthogonal_",
           "trunc_normal_", "uniform_", "xavier_normal_", "xavier_uniform_", "zeros_"]
