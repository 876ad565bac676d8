"""Layers with MindSpore's signature, parameter names and numerics, as torch modules.

Only where torch has no layer computing the same thing (``Dense(activation=...)``,
``Conv2d(pad_mode='same')`` with a stride > 1,
``MaxPool2d``/``AvgPool2d(pad_mode='same')``, ``Pad``, ``SequentialCell(a_list)``): everywhere else the converter writes
torch's own layer. ``LayerNorm``, ``GELU`` and ``BatchNorm2d`` are torch's classes taking MindSpore's arguments:
the converter writes them where MindSpore code passes the class as a value (``norm_layer=nn.LayerNorm``)
and calls it later with MindSpore's argument names. Each is tested against real MindSpore (tests/layers/test_layer_twins.py).
"""
from msbridge.mindspore.nn.layers.activation import GELU, get_activation
from msbridge.mindspore.nn.layers.conv import Conv2d
from msbridge.mindspore.nn.layers.dense import Dense
from msbridge.mindspore.nn.layers.container import SequentialCell
from msbridge.mindspore.nn.layers.normalization import BatchNorm2d, LayerNorm
from msbridge.mindspore.nn.layers.padding import Pad
from msbridge.mindspore.nn.layers.pooling import AvgPool2d, MaxPool2d

__all__ = ["AvgPool2d", "BatchNorm2d", "Conv2d", "Dense", "GELU", "LayerNorm", "MaxPool2d", "Pad", "SequentialCell", "get_activation"]
