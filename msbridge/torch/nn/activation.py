"""torch activation classes with torch's constructor arguments, on MindSpore's layers.

A class passed as a value (timm's ``act_layer=nn.ReLU``, later ``act_layer(inplace=True)`` or
``act_layer(True)``) is called with torch's arguments, which MindSpore's ``nn.ReLU()``/``nn.SiLU()``
refuse and whose ``nn.GELU`` reads differently (``approximate`` a bool, default True = tanh). These
take torch's arguments: ``inplace`` only saves memory in torch, so it changes nothing here.
"""
from __future__ import annotations

import mindspore
from mindspore import ops


class ReLU(mindspore.nn.ReLU):
    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace


class SiLU(mindspore.nn.SiLU):
    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace


class GELU(mindspore.nn.Cell):
    """torch's GELU: approximate='none' (the erf form, torch's default) or 'tanh'."""

    def __init__(self, approximate="none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"approximate argument must be either none or tanh, got {approximate!r}")
        self.approximate = approximate

    def construct(self, x):
        return ops.gelu(x, approximate=self.approximate)

    def extend_repr(self):
        return f"approximate={self.approximate!r}"
