"""msbridge.mindspore.nn's twins (torch modules with MindSpore's signature) refuse what MindSpore 2.10's layers refuse,
with the same exception type and first message line, and build what they build (the same trainable parameter
shapes) and then run (or fail, with MindSpore's exception type) on a probe input as MindSpore's do; a forward call
with a bad input raises the same exception type. Every case runs on the real ``mindspore.nn`` layer and on the twin
in the same test: nothing expected is written down here. The fuzzed cases mix sizes, tuples, lists and bools."""
from collections import OrderedDict

import mindspore
import mindspore.nn as ms_nn
import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

from msbridge.mindspore import nn as twin_nn


class _Cell:
    def __repr__(self):
        return "CELL"


CELL = _Cell()   # stands for a ReLU layer of the framework the case runs on (a stable repr: xdist compares ids)


def _resolve(value, nn):
    if value is CELL:
        return nn.ReLU() if nn is ms_nn else torch.nn.ReLU()
    if isinstance(value, list):
        return [_resolve(v, nn) for v in value]
    if isinstance(value, tuple):
        return tuple(_resolve(v, nn) for v in value)
    if isinstance(value, dict):
        return type(value)((k, _resolve(v, nn)) for k, v in value.items())
    return value


def _shapes(layer):
    if isinstance(layer, mindspore.nn.Cell):
        return sorted(tuple(p.shape) for p in layer.trainable_params())
    return sorted(tuple(p.shape) for p in layer.parameters() if p.requires_grad)


def _build(nn, name, args, kwargs):
    return getattr(nn, name)(*_resolve(args, nn), **_resolve(kwargs, nn))


PROBES = {"Dense": (2, 3), "GELU": (2, 3), "BatchNorm2d": (2, 3, 4, 4), "LayerNorm": (2, 4), "MaxPool2d": (1, 2, 6, 6),
          "AvgPool2d": (1, 2, 6, 6), "Pad": (2, 3), "SequentialCell": (2, 3), "Conv2d": (1, 4, 6, 6)}


def _run(nn, layer, array):
    try:
        out = layer(mindspore.Tensor(array) if nn is ms_nn else torch.from_numpy(array))
        shape = tuple((out[0] if isinstance(out, tuple) else out).shape)   # MindSpore raises when read
    except Exception as exc:   # noqa: BLE001 - the exception type is what is compared
        return type(exc)
    return "ran", shape


def _outcome(nn, name, args, kwargs):
    """The constructor's exception, or the parameters' shapes and a call on a probe input (MindSpore checks some
    arguments, such as LayerNorm's axes, only when called)."""
    try:
        layer = _build(nn, name, args, kwargs)
    except Exception as exc:   # noqa: BLE001 - the exception is what is compared
        return type(exc), str(exc).splitlines()[0] if str(exc) else ""
    probe = np.linspace(-2, 2, int(np.prod(PROBES[name]))).astype(np.float32).reshape(PROBES[name])
    return "built", _shapes(layer), _run(nn, layer, probe)


def _cases(name, base, variants):
    """(name, args, kwargs) for each variant: a dict of keyword arguments over ``base``, or a tuple of positional
    arguments."""
    out = []
    for variant in variants:
        if isinstance(variant, tuple):
            out.append((name, variant, {}))
        else:
            out.append((name, (), {**base, **variant}))
    return out


BAD_INTS = [0, -1, 3.0, True, "3", None, [3]]
CONSTRUCTOR_CASES = (
    _cases("Dense", {"in_channels": 3, "out_channels": 4}, [
        *({"in_channels": v} for v in BAD_INTS), *({"out_channels": v} for v in BAD_INTS),
        {"has_bias": 1}, {"has_bias": None}, {"has_bias": "yes"}, {"has_bias": False},
        {"activation": "relu"}, {"activation": "gelu"}, {"activation": "RELU"}, {"activation": "nope"},
        {"activation": 1}, {"activation": CELL}, {"activation": "softsign"},
        {"weight_init": "normal"}, {"weight_init": "zeros"}, {"weight_init": "nope"}, {"bias_init": "nope"},
        {"weight_init": 1}, {"has_bias": False, "bias_init": "nope"},
    ])
    + _cases("GELU", {}, [{}, {"approximate": False}, {"approximate": 1}, {"approximate": 0},
                          {"approximate": "tanh"}, {"approximate": "none"}, {"approximate": None}])
    + _cases("BatchNorm2d", {"num_features": 3}, [
        {}, *({"num_features": v} for v in BAD_INTS),
        {"eps": 0}, {"eps": -1.0}, {"eps": 1}, {"eps": "x"}, {"eps": None},
        {"momentum": -0.1}, {"momentum": 1.1}, {"momentum": 1}, {"momentum": 0}, {"momentum": "x"},
        {"momentum": True}, {"momentum": None},
        {"affine": 1}, {"affine": None}, {"affine": False},
        {"use_batch_statistics": 1}, {"use_batch_statistics": "x"}, {"use_batch_statistics": True},
        {"use_batch_statistics": False},
        {"data_format": "x"}, {"data_format": "nchw"}, {"data_format": 1},
        {"gamma_init": "nope"}, {"moving_mean_init": "nope"}, {"gamma_init": "normal"},
    ])
    + _cases("LayerNorm", {"normalized_shape": (4,)}, [
        {}, {"normalized_shape": 4}, {"normalized_shape": [4]}, {"normalized_shape": ()},
        {"normalized_shape": (0,)}, {"normalized_shape": (-1,)}, {"normalized_shape": (4.0,)},
        {"normalized_shape": (True,)}, {"normalized_shape": "4"}, {"normalized_shape": None},
        {"normalized_shape": (2, 4)},
        {"begin_norm_axis": "x"}, {"begin_norm_axis": 1.0}, {"begin_norm_axis": -2}, {"begin_norm_axis": True},
        {"begin_params_axis": "x"}, {"begin_params_axis": None},
        {"epsilon": "x"}, {"epsilon": 0}, {"epsilon": -1.0}, {"epsilon": None}, {"epsilon": 1},
        {"gamma_init": "nope"}, {"beta_init": "normal"},
    ])
    + _cases("MaxPool2d", {}, [
        {}, *({"kernel_size": v} for v in [0, -1, 2.0, [2, 2], (2,), (2, 2, 2), True, (0, 2), (2, 3), None, "2"]),
        *({"stride": v} for v in [0, -1, [1, 1], (2,), True, (2, 1), 2.0]),
        *({"pad_mode": v} for v in ["x", "SAME", "Valid", None, 1, "same", "pad"]),
        *({"pad_mode": "pad", "kernel_size": 3, "padding": v} for v in
          [1, -1, (1, 1), (1, 1, 1, 1), [1, 1], 1.0, True, (1,), (-1, 1), 2, "x"]),
        {"padding": 1}, {"padding": (0, 0)}, {"pad_mode": "same", "padding": 1},
        {"dilation": 0}, {"dilation": 2}, {"dilation": (1, 1)}, {"dilation": [1, 1]}, {"dilation": 1.0},
        {"pad_mode": "pad", "dilation": 0}, {"pad_mode": "pad", "dilation": 2}, {"pad_mode": "pad", "dilation": [2, 2]},
        {"pad_mode": "pad", "dilation": (1, 1, 1)},
        {"return_indices": 1}, {"return_indices": True}, {"ceil_mode": True}, {"ceil_mode": 1},
        {"pad_mode": "pad", "return_indices": 1}, {"pad_mode": "pad", "ceil_mode": 1},
        {"pad_mode": "pad", "return_indices": True}, {"pad_mode": "pad", "ceil_mode": "x"},
        {"data_format": "x"},
    ])
    + _cases("AvgPool2d", {}, [
        {}, *({"kernel_size": v} for v in [0, -1, 2.0, [2, 2], (2,), (2, 2, 2), True, (0, 2), (2, 3), None]),
        *({"stride": v} for v in [0, -1, [1, 1], (2,), True, (2, 1)]),
        *({"pad_mode": v} for v in ["x", "SAME", None, 1, "same", "pad"]),
        *({"pad_mode": "pad", "kernel_size": 3, "padding": v} for v in
          [1, -1, (1, 1), (1, 1, 1, 1), [1, 1], 1.0, True, (1,), (-1, 1), 2, "x"]),
        {"padding": 1}, {"padding": (0, 0)}, {"pad_mode": "same", "padding": (1, 1)},
        {"ceil_mode": True}, {"ceil_mode": 1}, {"count_include_pad": False}, {"count_include_pad": 1},
        {"divisor_override": 0}, {"divisor_override": 2}, {"divisor_override": -1}, {"divisor_override": 1.5},
        {"pad_mode": "pad", "ceil_mode": 1}, {"pad_mode": "pad", "count_include_pad": "x"},
        {"pad_mode": "pad", "divisor_override": 0}, {"pad_mode": "pad", "divisor_override": 2},
        {"pad_mode": "pad", "divisor_override": 1.5}, {"pad_mode": "pad", "ceil_mode": True},
        {"data_format": "x"},
    ])
    + _cases("Pad", {"paddings": ((1, 1), (2, 2))}, [
        {}, *({"paddings": v} for v in [
            [[1, 1]], ((1, 1),), ((1,),), ((1, 1, 1),), ((-1, 1),), ((1.0, 1),), (1, 1), ((1, 1),) * 5,
            ((1, 1),) * 4, ((True, 1),), ([1, 1],), (), None, "x", ((0, 0),)]),
        *({"mode": v} for v in ["constant", "reflect", "REFLECT", "SYMMETRIC", "x", None, 1]),
    ])
    + _cases("SequentialCell", {}, [
        (), (CELL,), (CELL, CELL), ([CELL, CELL],), ([],), (OrderedDict(a=CELL, b=CELL),), (1,), ("x",),
        ((CELL, CELL),), (CELL, 1), ([CELL, 1],), ([[CELL]],), (None,), ([CELL], CELL),
    ])
    + _cases("Conv2d", {"in_channels": 4, "out_channels": 6, "kernel_size": 3}, [
        *({"in_channels": v} for v in BAD_INTS), *({"out_channels": v} for v in BAD_INTS),
        {"group": 2}, {"group": 3}, {"group": 0}, {"group": -1}, {"group": 2.0}, {"group": True},
        {"out_channels": 5, "group": 2}, {"in_channels": 4, "out_channels": 4, "group": 4},
        {"has_bias": 1}, {"has_bias": None}, {"has_bias": True},
        {"data_format": "x"}, {"weight_init": "nope"}, {"has_bias": True, "bias_init": "nope"},
    ])
)


@pytest.mark.parametrize("name, args, kwargs", CONSTRUCTOR_CASES, ids=repr)
def test_constructor_fails_as_mindspore_does(name, args, kwargs):
    assert _outcome(twin_nn, name, args, kwargs) == _outcome(ms_nn, name, args, kwargs)


def _forward(nn, name, kwargs, shape, dtype):
    layer = getattr(nn, name)(**kwargs)
    array = np.ones(shape, dtype)
    return _run(nn, layer, array)


F32, I32, F64 = np.float32, np.int32, np.float64
FORWARD_CASES = [
    ("Dense", {"in_channels": 3, "out_channels": 4}, s, d) for s, d in
    [((2, 3), F32), ((3,), F32), ((2, 5, 3), F32), ((2, 4), F32), ((2, 3), I32), ((2, 3), F64), ((), F32)]
] + [
    ("BatchNorm2d", {"num_features": 3}, s, d) for s, d in
    [((2, 3, 4, 4), F32), ((2, 3, 4), F32), ((2, 3, 4, 4, 4), F32), ((2, 4, 4, 4), F32), ((2, 3, 4, 4), I32),
     ((2, 3), F32)]
] + [
    ("LayerNorm", {"normalized_shape": (4,)}, s, d) for s, d in
    [((2, 4), F32), ((2, 5), F32), ((4,), F32), ((2, 4), I32), ((2, 3, 4), F32)]
] + [
    ("GELU", {}, s, d) for s, d in [((2, 4), F32), ((2, 4), I32), ((), F32)]
] + [
    (name, {"kernel_size": 2, "stride": 2, "pad_mode": mode}, s, d) for name in ("MaxPool2d", "AvgPool2d")
    for mode in ("valid", "same") for s, d in
    [((1, 2, 4, 4), F32), ((2, 4, 4), F32), ((1, 1, 2, 4, 4), F32), ((4, 4), F32), ((1, 2, 4, 4), I32),
     ((1, 2, 1, 1), F32)]
] + [
    ("Pad", {"paddings": ((1, 1), (2, 2))}, s, d) for s, d in [((2, 3), F32), ((2, 3, 4), F32), ((3,), F32),
                                                             ((2, 3), I32)]
] + [
    ("Conv2d", {"in_channels": 2, "out_channels": 3, "kernel_size": 3}, s, d) for s, d in
    [((1, 2, 5, 5), F32), ((2, 5, 5), F32), ((1, 3, 5, 5), F32), ((1, 2, 5, 5), I32), ((1, 1, 2, 5, 5), F32)]
]


@pytest.mark.parametrize("name, kwargs, shape, dtype", FORWARD_CASES, ids=repr)
def test_forward_fails_as_mindspore_does(name, kwargs, shape, dtype):
    assert _forward(twin_nn, name, kwargs, shape, dtype) == _forward(ms_nn, name, kwargs, shape, dtype)


SIZES = st.one_of(st.sampled_from([0, 1, 2, 3, -1, True, 1.0, None, "x"]),
                  st.lists(st.sampled_from([1, 2, 3, 0, -1, True, False, 2.0]), min_size=1, max_size=4).flatmap(
                      lambda items: st.sampled_from([tuple(items), items])))


@settings(max_examples=100, deadline=None, derandomize=True)
@given(name=st.sampled_from(["MaxPool2d", "AvgPool2d", "Conv2d"]),
       arguments=st.dictionaries(st.sampled_from(["kernel_size", "stride", "padding", "dilation", "ceil_mode",
                                                  "group"]), SIZES, max_size=3),
       pad_mode=st.sampled_from(["pad", "same", "valid", None]))
def test_fuzzed_sizes_fail_as_mindspore_does(name, arguments, pad_mode):
    """Random mixes of sizes, tuples, lists and bools: MindSpore checks them in three places, in an order."""
    kwargs = dict(arguments, **({"pad_mode": pad_mode} if pad_mode else {}))
    if name == "Conv2d":
        kwargs = {"in_channels": 4, "out_channels": 6, "kernel_size": 3, **kwargs}
        kwargs.pop("ceil_mode", None)
    else:
        kwargs.pop("group", None)
        if name == "AvgPool2d":
            kwargs.pop("dilation", None)
    assert _outcome(twin_nn, name, (), kwargs) == _outcome(ms_nn, name, (), kwargs)
