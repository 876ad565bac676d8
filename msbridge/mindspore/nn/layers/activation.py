"""MindSpore's activation names (``Dense(activation='relu')``) as torch modules with MindSpore's defaults."""
from __future__ import annotations

import torch

from msbridge.mindspore.nn.layers.validator import check_input


class FastGelu(torch.nn.Module):
    """MindSpore's ``FastGelu``: ``x * sigmoid(1.702 x)`` (torch has no layer for it)."""

    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


# MindSpore 2.10's whole ``_activation`` table, with MindSpore's defaults (its GELU is the tanh approximation, its
# LeakyReLU's slope 0.2, its Softmin/Softmax/LogSoftmax take the last axis); 'threshold' has no default arguments
# in MindSpore either (torch's class raises the same TypeError).
_ACTIVATIONS = {
    "softmin": lambda: torch.nn.Softmin(dim=-1),
    "softmax": lambda: torch.nn.Softmax(dim=-1),
    "softmax2d": torch.nn.Softmax2d,
    "logsoftmax": lambda: torch.nn.LogSoftmax(dim=-1),
    "logsoftmaxExt": lambda: torch.nn.LogSoftmax(dim=None),
    "relu": torch.nn.ReLU,
    "relu6": torch.nn.ReLU6,
    "rrelu": lambda: torch.nn.RReLU(0.125, 1 / 3),
    "silu": torch.nn.SiLU,
    "tanh": torch.nn.Tanh,
    "tanhshrink": torch.nn.Tanhshrink,
    "hardtanh": lambda: torch.nn.Hardtanh(-1.0, 1.0),
    "gelu": lambda: torch.nn.GELU(approximate="tanh"),
    "fast_gelu": FastGelu,
    "elu": torch.nn.ELU,
    "sigmoid": torch.nn.Sigmoid,
    "softsign": torch.nn.Softsign,
    "prelu": lambda: torch.nn.PReLU(1, 0.25),
    "preluExt": lambda: torch.nn.PReLU(1, 0.25),
    "leakyrelu": lambda: torch.nn.LeakyReLU(0.2),
    "hswish": torch.nn.Hardswish,
    "hsigmoid": torch.nn.Hardsigmoid,
    "logsigmoid": torch.nn.LogSigmoid,
    "softshrink": lambda: torch.nn.Softshrink(0.5),
    "hshrink": lambda: torch.nn.Hardshrink(0.5),
    "threshold": torch.nn.Threshold,
    "mish": torch.nn.Mish,
}


class GELU(torch.nn.GELU):
    """``mindspore.nn.GELU(approximate=True)``: a bool, True (the default) for the tanh approximation."""

    def __init__(self, approximate=True):
        if not isinstance(approximate, bool):
            raise TypeError(f"For 'GELU', the 'approximate' must be a bool, but got {type(approximate).__name__}.")
        super().__init__(approximate="tanh" if approximate else "none")

    def forward(self, x):
        check_input(x, "GELU")   # torch computes GELU on integers too; MindSpore refuses them
        return super().forward(x)


def get_activation(name, prim_name=None):
    """``mindspore.nn.get_activation``: a module for a MindSpore activation name (case-sensitive, as MindSpore's
    table); None stays None. A module or function is returned as given: ``Dense(activation=...)`` passes the
    layers and functions the converter wrote for MindSpore's Cells and Primitives."""
    if name is None or callable(name):
        return name
    if not isinstance(name, str) or name not in _ACTIVATIONS:   # MindSpore's KeyError, an int included
        prefix = f"For '{prim_name}', the" if prim_name else "The"
        raise KeyError(f"{prefix} 'name' must be in {list(_ACTIVATIONS)}, but got {name}.")
    return _ACTIVATIONS[name]()
