"""``mindspore.amp``'s loss scalers and ``all_finite`` on torch tensors (MindSpore 2.10's arithmetic).

``scale``/``unscale`` multiply every tensor of a tensor, tuple or list by the float32 scale (unscale: by its
float32 reciprocal, cast to the tensor's dtype, as MindSpore does); ``DynamicLossScaler.adjust`` grows the
scale by ``scale_factor`` after ``scale_window`` finite steps and shrinks it (not below 1) on an overflow.
``auto_mixed_precision`` runs ``amp_level='O0'`` (the network unchanged) only: mixed precision on torch is
``torch.autocast``'s job. The managers (``FixedLossScaleManager``...) live in ``msbridge.mindspore.train``.
"""
import torch

from msbridge.mindspore.train.loss_scale_manager import (  # noqa: F401  (mindspore.amp spells them too)
    DynamicLossScaleManager, FixedLossScaleManager, LossScaleManager)


def _map(function, inputs):
    if isinstance(inputs, (tuple, list)):
        return type(inputs)(_map(function, x) for x in inputs)
    return function(inputs)


def _check_scale(scale_value):
    if not isinstance(scale_value, (float, int)) or isinstance(scale_value, bool):
        raise TypeError(f"The type of scale_value must be float or int, but got {type(scale_value)}.")
    if scale_value < 1.0:
        raise ValueError("The argument 'scale_value' must be > 1, but got {}".format(scale_value))
    return torch.tensor(scale_value, dtype=torch.float32)


class LossScaler:
    """Base class: ``scale``, ``unscale``, ``adjust``."""

    def scale(self, inputs):
        return _map(lambda x: x * self.scale_value.to(x.dtype), inputs)

    def unscale(self, inputs):
        return _map(lambda x: x * torch.reciprocal(self.scale_value).to(x.dtype), inputs)

    def adjust(self, grads_finite):
        raise NotImplementedError


class StaticLossScaler(LossScaler):
    """A constant scale."""

    def __init__(self, scale_value):
        self.scale_value = _check_scale(scale_value)

    def adjust(self, grads_finite):
        return False


class DynamicLossScaler(LossScaler):
    """A scale that grows after ``scale_window`` finite steps and shrinks on an overflow."""

    def __init__(self, scale_value, scale_factor, scale_window):
        self.scale_value = _check_scale(scale_value)
        for name, value in (("scale_window", scale_window), ("scale_factor", scale_factor)):
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"The argument '{name}' must be a positive int, but got {value}.")
        self.scale_window, self.scale_factor = scale_window, scale_factor
        self.counter = torch.tensor(0, dtype=torch.int32)

    def adjust(self, grads_finite):
        finite = bool(grads_finite)
        grown = self.scale_value * self.scale_factor
        if finite:
            if int(self.counter) == self.scale_window - 1 and torch.isfinite(grown):
                self.scale_value = grown
        else:
            self.scale_value = torch.maximum(torch.ones((), dtype=torch.float32), self.scale_value / self.scale_factor)
        self.counter = torch.tensor(((int(self.counter) + 1) % self.scale_window) * int(finite), dtype=torch.int32)
        return True


def all_finite(inputs):
    """A 0-d bool tensor: every element of every tensor is finite."""
    tensors = inputs if isinstance(inputs, (tuple, list)) else (inputs,)
    return torch.stack([torch.isfinite(t).all() for t in tensors]).all() if tensors else torch.tensor(True)


def auto_mixed_precision(network, amp_level="O0", dtype=None):
    """``amp_level='O0'``: the network itself (float32). Other levels: use ``torch.autocast`` by hand."""
    if amp_level != "O0":
        raise NotImplementedError(f"msbridge: auto_mixed_precision(amp_level={amp_level!r}) is not supported; "
                                  f"use torch.autocast around the forward pass, or amp_level='O0'.")
    return network
