"""``mindspore.common.initializer`` on torch: the same distributions, drawn from torch's RNG.

A converted initializer cannot reproduce MindSpore's random numbers, only their distribution:
each class here fills a torch tensor as MindSpore's class of the same name fills an array (same
parameters and defaults, fans computed as MindSpore computes them -- ``(out, in, *kernel)``, as
torch does -- and TruncatedNormal's a/b as absolute bounds, as in both frameworks). Tested against
real MindSpore by statistical tests, and bit for bit for the deterministic ones
(tests/layers/test_initializers.py).

A user's subclass (``class Fill(Initializer): def _initialize(self, arr): arr[:] = ...``) is written
against MindSpore's protocol, where ``_initialize`` fills a numpy array in place: the base class
gives such a subclass a numpy array and copies it into the torch tensor (tests/layers/test_initializer_subclass.py).
"""
from __future__ import annotations

import math
import numbers

import numpy as np
import torch

_ALIAS: dict[str, type] = {}


def _register(*aliases):
    def add(cls):
        for name in (cls.__name__.lower(), *aliases):
            _ALIAS.setdefault(name, cls)
        return cls
    return add


def _fans(shape) -> tuple[int, int]:
    if len(shape) < 2:
        raise ValueError("'fan_in' and 'fan_out' can not be computed for tensor with fewer than"
                         f" 2 dimensions, but got dimensions {len(shape)}.")
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _fan(shape, mode: str) -> int:
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"'mode' {mode} not supported, please use one of ['fan_in', 'fan_out']")
    fan_in, fan_out = _fans(shape)
    return fan_in if mode == "fan_in" else fan_out


def _gain(nonlinearity: str, negative_slope) -> float:
    """MindSpore's _calculate_gain (torch's calculate_gain less 'selu')."""
    if nonlinearity in ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                        "conv_transpose3d", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if negative_slope is None else negative_slope
        if isinstance(slope, bool) or not isinstance(slope, (int, float)):
            raise ValueError(f"For 'HeUniform', 'negative_slope' {slope} is not a valid number.")
        return math.sqrt(2.0 / (1 + slope ** 2))
    raise ValueError("For 'HeUniform', the argument 'nonlinearity' should be one of "
                     f"['sigmoid', 'tanh', 'relu' or 'leaky_relu'], but got {nonlinearity}.")


def _fills_torch(method):
    """Mark a built-in ``_initialize`` as filling a torch tensor; given a numpy array (MindSpore's protocol: a
    user subclass calling ``super()._initialize(arr)``, or ``Normal()(arr)``) it fills the array through a
    torch view of its memory."""
    def fill(self, tensor):
        if isinstance(tensor, np.ndarray):
            tensor = torch.from_numpy(tensor)
        return method(self, tensor)
    fill.fills_torch = True
    fill.__name__, fill.__doc__ = method.__name__, method.__doc__
    return fill


def _numpy_fill(init, tensor: torch.Tensor) -> None:
    """Run a user's ``_initialize`` as MindSpore does (Tensor.init_data): on a C-contiguous numpy array of the
    tensor's shape and dtype, filled in place, its return value ignored; then copy the array into the tensor.
    The array starts as a copy of the tensor (zeros from ``initializer``; MindSpore's is uninitialised memory).
    A dtype numpy lacks (bfloat16) is filled as float32 and cast back."""
    source = tensor.detach().cpu()
    if source.dtype == torch.bfloat16:
        source = source.float()
    arr = source.contiguous().numpy().copy()
    init._initialize(arr)
    tensor.copy_(torch.from_numpy(arr))


class Initializer:
    """Base class: ``init(tensor)`` fills a torch tensor in place, as MindSpore's fills an array.

    Keyword arguments are stored in ``_kwargs`` as MindSpore stores them (its built-ins pass their
    parameters; user subclasses call ``super().__init__(value=value)``).
    """

    def __init__(self, **kwargs):
        self._kwargs = kwargs
        self._seed = None

    def __call__(self, tensor):
        if isinstance(tensor, np.ndarray):   # MindSpore's own call: fill the array, return what _initialize returns
            return self._initialize(tensor)
        with torch.no_grad():
            if getattr(type(self)._initialize, "fills_torch", False):
                self._initialize(tensor)
            else:
                _numpy_fill(self, tensor)
        return tensor

    def _initialize(self, *kwargs):
        raise NotImplementedError("Must be overridden!")


@_register("zeros")
class Zero(Initializer):
    @_fills_torch
    def _initialize(self, tensor):
        tensor.fill_(0)


@_register("ones")
class One(Initializer):
    @_fills_torch
    def _initialize(self, tensor):
        tensor.fill_(1)


class Constant(Initializer):
    def __init__(self, value):
        super().__init__(value=value)
        self.value = value

    @_fills_torch
    def _initialize(self, tensor):
        tensor.fill_(self.value)


@_register()
class Normal(Initializer):
    def __init__(self, sigma=0.01, mean=0.0):
        super().__init__(sigma=sigma, mean=mean)
        self.sigma, self.mean = sigma, mean

    @_fills_torch
    def _initialize(self, tensor):
        if self.sigma < 0:
            raise ValueError("sigma < 0")
        tensor.normal_(self.mean, self.sigma)


@_register()
class Uniform(Initializer):
    def __init__(self, scale=0.07):
        super().__init__(scale=scale)
        self.scale = scale

    @_fills_torch
    def _initialize(self, tensor):
        tensor.uniform_(-self.scale, self.scale)


@_register()
class TruncatedNormal(Initializer):
    def __init__(self, sigma=0.01, mean=0.0, a=-2.0, b=2.0):
        super().__init__(sigma=sigma, mean=mean, a=a, b=b)
        self.sigma, self.mean, self.a, self.b = sigma, mean, a, b

    @_fills_torch
    def _initialize(self, tensor):
        if self.sigma < 0:
            raise ValueError("sigma < 0")
        torch.nn.init.trunc_normal_(tensor, self.mean, self.sigma, self.a, self.b)


@_register("xavier_uniform")
class XavierUniform(Initializer):
    def __init__(self, gain=1):
        super().__init__(gain=gain)
        self.gain = gain

    @_fills_torch
    def _initialize(self, tensor):
        fan_in, fan_out = _fans(tensor.shape)
        bound = self.gain * math.sqrt(6.0 / (fan_in + fan_out))
        tensor.uniform_(-bound, bound)


@_register("xavier_normal")
class XavierNormal(Initializer):
    def __init__(self, gain=1):
        super().__init__(gain=gain)
        self.gain = gain

    @_fills_torch
    def _initialize(self, tensor):
        fan_in, fan_out = _fans(tensor.shape)
        tensor.normal_(0, self.gain * math.sqrt(2.0 / float(fan_in + fan_out)))


class _He(Initializer):
    """Kaiming/He: standard deviation gain / sqrt(fan) (MindSpore's and torch's formula)."""

    def __init__(self, negative_slope=0, mode="fan_in", nonlinearity="leaky_relu"):
        super().__init__(negative_slope=negative_slope, mode=mode, nonlinearity=nonlinearity)
        self.negative_slope, self.mode, self.nonlinearity = negative_slope, mode, nonlinearity

    def _std(self, tensor) -> float:
        return _gain(self.nonlinearity, self.negative_slope) / math.sqrt(_fan(tensor.shape, self.mode))


@_register("he_uniform")
class HeUniform(_He):
    @_fills_torch
    def _initialize(self, tensor):
        bound = math.sqrt(3.0) * self._std(tensor)
        tensor.uniform_(-bound, bound)


@_register("he_normal")
class HeNormal(_He):
    @_fills_torch
    def _initialize(self, tensor):
        tensor.normal_(0, self._std(tensor))


@_register()
class Orthogonal(Initializer):
    def __init__(self, gain=1.0):
        super().__init__(gain=gain)
        self.gain = gain

    @_fills_torch
    def _initialize(self, tensor):
        if tensor.dim() < 2:
            raise ValueError("For Orthogonal initializer, the dimension of the initialized tensor should"
                             f" be no less than 2, but got {tensor.dim()}.")
        torch.nn.init.orthogonal_(tensor, self.gain)


def _resolve(init) -> Initializer:
    if isinstance(init, str):
        cls = _ALIAS.get(init.lower())
        if cls is None:
            raise ValueError(f"For 'initializer', the class corresponding to '{init}' was not found.")
        return cls()
    if isinstance(init, numbers.Number) and not isinstance(init, bool):
        return Constant(init)
    if isinstance(init, Initializer):
        return init
    raise TypeError("For 'initializer', the type of the 'init' argument should be 'Tensor', 'number', 'string' "
                    f"or 'initializer', but got {type(init)}.")


def initializer(init, shape=None, dtype=torch.float32) -> torch.Tensor:
    """A new torch tensor of ``shape`` filled by ``init`` (a name, a number, an Initializer or a tensor)."""
    if isinstance(init, torch.Tensor):
        if shape is not None:
            wanted = tuple(shape) if isinstance(shape, (tuple, list, torch.Size)) else (shape,)
            if tuple(init.shape) != wanted:
                raise ValueError("For 'initializer', the shape of the 'init' argument should be same as the argument "
                                 f"'shape', but got the 'init' shape {list(init.shape)} and the 'shape' {shape}.")
        return init
    if isinstance(shape, numbers.Number):
        shape = (shape,)
    shape = tuple(shape) if shape is not None else ()
    for value in shape:
        if not isinstance(value, int) or value <= 0:
            raise ValueError("For 'initializer', the argument 'shape' is invalid, the value of 'shape' must be "
                             f"positive integer, but got {shape}")
    fill = _resolve(init)
    return fill(torch.zeros(shape, dtype=dtype))   # zeros: what a user subclass's _initialize starts from


__all__ = ["Constant", "HeNormal", "HeUniform", "Initializer", "Normal", "One", "Orthogonal", "TruncatedNormal",
           "Uniform", "XavierNormal", "XavierUniform", "Zero", "initializer"]
