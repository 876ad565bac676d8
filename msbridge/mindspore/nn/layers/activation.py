"""MindSpore's activation names (``Dense(activation='relu')``) as torch modules with MindSpore's defaults."""
from __future__ import annotations

import torch

# MindSpore's nn.GELU defaults to the tanh approximation (torch's to the erf form);
# nn.LeakyReLU's slope is 0.2 (torch's 0.01).
_ACTIVATIONS = {
    "relu": torch.nn.ReLU,
    "relu6": torch.nn.ReLU6,
    "tanh": torch.nn.Tanh,
    "sigmoid": torch.nn.Sigmoid,
    "gelu": lambda: torch.nn.GELU(approximate="tanh"),
    "leakyrelu": lambda: torch.nn.LeakyReLU(0.2),
    "silu": torch.nn.SiLU,
    "softmax": lambda: torch.nn.Softmax(dim=-1),
    "elu": torch.nn.ELU,
}


class GELU(torch.nn.GELU):
    """``mindspore.nn.GELU(approximate=True)``: a bool, True (the default) for the tanh approximation."""

    def __init__(self, approximate=True):
        if not isinstance(approximate, bool):
            raise TypeError(f"For 'GELU', the 'approximate' must be a bool, but got {type(approximate).__name__}.")
        super().__init__(approximate="tanh" if approximate else "none")


def get_activation(name):
    """``mindspore.nn.get_activation``: a module for a MindSpore activation name; None stays None;
    a module or callable is used as given."""
    if name is None or callable(name):
        return name
    if not isinstance(name, str):
        raise TypeError(f"For 'get_activation', the 'name' must be a str, a Cell or None, but got {type(name).__name__}.")
    key = name.lower()
    if key not in _ACTIVATIONS:
        raise KeyError(f"For 'get_activation', the 'name' must be one of {sorted(_ACTIVATIONS)} "
                       f"(the names msbridge supports), but got {name!r}.")
    return _ACTIVATIONS[key]()
