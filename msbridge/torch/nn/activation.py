"""torch activation classes with torch's constructor arguments, on MindSpore's layers.

A class passed as a value (timm's ``act_layer=nn.ReLU``, later ``act_layer(inplace=True)`` or
``act_layer(True)``) is called with torch's arguments, which MindSpore's ``nn.ReLU()``/``nn.SiLU()``
refuse and whose ``nn.GELU`` reads differently (``approximate`` a bool, default True = tanh). These
take torch's arguments: ``inplace`` only saves memory in torch, so it changes nothing here.
"""
from __future__ import annotations

import mindspore
from mindspore import ops

from msbridge.torch.nn.layer_checks import floating_input


class ReLU(mindspore.nn.ReLU):
    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace


class SiLU(mindspore.nn.SiLU):
    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def construct(self, x):
        floating_input(x, "silu_cpu")
        return super().construct(x)


class GELU(mindspore.nn.Cell):
    """torch's GELU: approximate='none' (the erf form, torch's default) or 'tanh', checked when called, as torch
    checks it."""

    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = approximate

    def construct(self, x):
        if not isinstance(self.approximate, str):
            raise TypeError(f"gelu(): argument 'approximate' must be str, not {type(self.approximate).__name__}")
        if self.approximate not in ("none", "tanh"):
            raise RuntimeError("approximate argument must be either none or tanh.")
        floating_input(x, "GeluKernelImpl")
        return ops.gelu(x, approximate=self.approximate)

    def extend_repr(self):
        return f"approximate={self.approximate!r}"
