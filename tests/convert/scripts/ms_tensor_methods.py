"""MindSpore tensor methods whose torch namesakes differ (max/min with axis=: the values only; std/var: biased
by default), and ones measured the same, called on receivers the converter cannot type (function parameters);
the tensor type and layer classes named as types (isinstance checks, annotations: rules.type_refs).
tests/convert/test_convert_training.py runs this under MindSpore and its torch conversion with MindSpore
blocked; writes {case: result} to argv[1] as JSON."""
import json
import sys

import numpy as np
import mindspore
from mindspore import nn, ops
from mindspore.common.initializer import initializer
from typing import Optional


def described(v):
    """A result as plain data: tensors by dtype, shape and values; tuples by their items."""
    if hasattr(v, "dtype") and hasattr(v, "shape") and not isinstance(v, np.ndarray):
        return {"dtype": str(v.dtype).lower().replace("torch.", ""), "shape": list(v.shape), "value": v.tolist()}
    if isinstance(v, (tuple, list)):
        return {"items": [described(i) for i in v]}
    return v


def differing(x, a):
    """x: (2, 3, 4) float32 with distinct values; a: a numpy array (its own methods, as before)."""
    return {
        "max(axis=1)": x.max(axis=1), "max(axis=1,keepdims=True)": x.max(axis=1, keepdims=True),
        "min(axis=0)": x.min(axis=0), "max(axis=(1,2))": x.max(axis=(1, 2)),
        "max(axis=1,return_indices=True)": x.max(axis=1, return_indices=True),
        "std()": x.std(), "std(axis=1)": x.std(axis=1), "std(axis=1,ddof=1)": x.std(axis=1, ddof=1),
        "var(axis=(1,2),keepdims=True)": x.var(axis=(1, 2), keepdims=True), "var()": x.var(),
        "numpy max(axis=0)": a.max(axis=0).tolist(), "numpy std()": float(a.std()),
    }


def same(x, b):
    """Methods measured to compute the same on torch 2.13: left as written by the converter."""
    return {
        "max(1)": x.max(1), "max()": x.max(), "squeeze(axis=1)": b.squeeze(axis=1), "sum(axis=1,keepdims=True)":
        x.sum(axis=1, keepdims=True), "argmax(axis=1)": x.argmax(axis=1), "view(6,4)": x.view(6, 4),
        "reshape(6,4)": x.reshape(6, 4), "reshape((6,4))": x.reshape((6, 4)), "dim()": x.dim(), "ndim": x.ndim,
        "mean(axis=1)": x.mean(axis=1), "flatten()": x.flatten(), "expand_as": b.expand_as(x),
        "chunk(2,axis=2)": x.chunk(2, axis=2), "softmax(axis=1)": x.softmax(axis=1), "clip(0,1)": x.clip(0, 1),
    }


def type_checks(x: mindspore.Tensor, p: Optional[mindspore.Tensor], layers: list) -> dict:
    """Every check must answer as in MindSpore (the layer classes are checked against torch's class and
    msbridge's twin, either of which a conversion may build)."""
    checks = {"tensor": isinstance(x, mindspore.Tensor), "parameter is a tensor": isinstance(p, mindspore.Tensor),
              "parameter": isinstance(p, mindspore.Parameter), "numpy": isinstance(values, mindspore.Tensor)}
    for i, layer in enumerate(layers):
        checks[f"layer {i}"] = [isinstance(layer, nn.Dense), isinstance(layer, nn.Conv2d),
                                isinstance(layer, (nn.BatchNorm2d, nn.LayerNorm)), isinstance(layer, nn.Cell)]
    return checks


def init_ones(net):
    """mindcv's weight init: cells of a function's parameter found by type, their data replaced (set_data and
    the Cell idioms on a receiver the converter cannot type: decided at run time)."""
    for _, cell in net.cells_and_names():
        if isinstance(cell, nn.Dense):
            cell.weight.set_data(initializer("ones", cell.weight.shape, cell.weight.dtype))
        elif isinstance(cell, nn.LayerNorm):   # MindSpore's parameter names on a layer found by type
            cell.gamma.set_data(initializer("zeros", cell.gamma.shape, cell.gamma.dtype))
            cell.beta.set_data(initializer("ones", cell.beta.shape))
    return {"init sums": [float(c.weight.asnumpy().sum()) for c in net.cells() if isinstance(c, nn.Dense)],
            "norm sums": [[float(c.gamma.asnumpy().sum()), float(c.beta.asnumpy().sum())] for c in net.cells()
                          if isinstance(c, nn.LayerNorm)],
            "trainable": len(net.trainable_params())}


def graph_plumbing(b):
    """opsrows: ops.depend/assign/tuple_to_array (graph-mode plumbing), msbridge's twins on torch."""
    p = mindspore.Parameter(mindspore.Tensor(np.zeros((2, 1, 4), np.float32)))
    kept = mindspore.ops.depend(b * 2, mindspore.ops.assign(p, b))
    dense = nn.Dense(4, 2)
    dense.bias = mindspore.ops.assign(dense.bias, mindspore.Tensor(np.array([3, -1]), mindspore.int32))
    return {"depend": kept, "assign wrote": p * 1, "assign into a layer's bias": dense.bias * 1,
            "tuple_to_array((1.0,)) - 0.5": mindspore.ops.tuple_to_array((1.0,)) - 0.5,
            "tuple_to_array ints": mindspore.ops.functional.tuple_to_array((1, 2, 3)),
            "tuple_to_array((True, 2.5))": mindspore.ops.tuple_to_array((True, 2.5)),
            "tuple_to_array((2.5, 1))": mindspore.ops.tuple_to_array((2.5, 1)),
            "partial": mindspore.ops.partial(mindspore.ops.mul, 3.0)(b),
            "dtype": str(mindspore.ops.dtype(b) == b.dtype),
            "dtype class": [isinstance(b.dtype, mindspore.dtype.Type), isinstance(1.0, mindspore.common.dtype.Type)],
            "ParameterTuple": [len(mindspore.ParameterTuple(dense.trainable_params())), p.shape == b.shape],
            "numpy.arange(-2.5, 3.3, 0.13)": mindspore.numpy.arange(-2.5, 3.3, 0.13),
            "numpy.arange(7)": mindspore.numpy.arange(7), "numpy.zeros(3)": mindspore.numpy.zeros(3),
            "where": mindspore.ops.where(b > 0, b, 0.0),
            "zeros_like": mindspore.ops.zeros_like(mindspore.numpy.arange(3)),
            "argmax(dim=1)": mindspore.ops.argmax(b, dim=1), "argmax(b, 2, True)": mindspore.ops.argmax(b, 2, True),
            "clamp(b, -0.5, 0.5)": mindspore.ops.clamp(b, -0.5, 0.5), "clamp(max=)": mindspore.ops.clamp(b, max=0.1),
            "gather_elements(b, -1, index)": mindspore.ops.gather_elements(
                b, -1, mindspore.Tensor(np.array([[[3, 0]], [[1, 1]]]))),
            "cumsum(b, axis=2)": mindspore.ops.cumsum(b, axis=2), "cumsum(b, 0)": mindspore.ops.cumsum(b, 0),
            "cumprod(b, -1)": mindspore.ops.cumprod(b, -1), "floor(b * 3)": mindspore.ops.floor(b * 3),
            "mse_loss": mindspore.ops.mse_loss(b, b * 0.5), "mse_loss(sum)": mindspore.ops.mse_loss(b, 0 * b, 'sum'),
            "l1_loss(none)": mindspore.ops.l1_loss(b, b * b, reduction='none'),
            "l1_loss": mindspore.ops.l1_loss(b, mindspore.ops.ones_like(b))}


class PrimitiveUses(nn.Cell):
    """primrows: operator instances made in __init__ and used in construct (ops.ReduceMax(keep_dims=True) ...)."""
    def __init__(self):
        super().__init__()
        self.reduce_max = mindspore.ops.ReduceMax(keep_dims=True)
        self.reduce_min = mindspore.ops.ReduceMin()
        self.select = mindspore.ops.Select()
        self.equal = mindspore.ops.Equal()
        self.zeros = mindspore.ops.Zeros()
        self.ones = mindspore.ops.Ones()
        self.cos = mindspore.ops.Cos()
        self.sin = mindspore.ops.Sin()
        self.round = mindspore.ops.Round()
        self.gather = mindspore.ops.Gather()
        self.one_hot = mindspore.ops.OneHot()

    def construct(self, x, b):
        return {"ReduceMax(keep_dims=True)(x, -1)": self.reduce_max(x, -1),
                "ReduceMax(True)(x)": self.reduce_max(x),
                "ReduceMin()(x, (0, 2))": self.reduce_min(x, (0, 2)), "ReduceMin()(x)": self.reduce_min(x),
                "Select()(b > 0, b, -b)": self.select(b > 0, b, -b),
                "Equal()(Round()(x), 0.0)": self.equal(self.round(x), 0.0),
                "Equal()(b, b * (b > 0))": self.equal(b, b * (b > 0)),
                "Zeros()((2, 3), float32)": self.zeros((2, 3), mindspore.float32),
                "Zeros()(4, int32)": self.zeros(4, mindspore.int32),
                "Ones()((3, 1), int32)": self.ones((3, 1), mindspore.int32), "Ones()((2,))": self.ones((2,)),
                "Cos()(x)": self.cos(x), "Sin()(b)": self.sin(b),
                "Round()(x * 2)": self.round(x * 2), "Round()(halves)": self.round(
                    mindspore.Tensor(np.array([0.5, 1.5, 2.5, -0.5, -1.5, 1.25], np.float32))),
                "Gather()(x, int32 (2, 2), 1)": self.gather(x, mindspore.Tensor(np.array([[2, 0], [1, 1]], np.int32)), 1),
                "Gather()(x, int64 [-1, 0], -1)": self.gather(x, mindspore.Tensor(np.array([-1, 0], np.int64)), -1),
                "OneHot()(int32 with -1 and 4, 4, 1.0, 0.0)": self.one_hot(
                    mindspore.Tensor(np.array([0, 3, -1, 4, 2], np.int32)), 4, mindspore.Tensor(1.0, mindspore.float32),
                    mindspore.Tensor(0.0, mindspore.float32))}


def primitive_uses(x, b):
    """primrows: the same operator classes called inline (ops.ReduceMax(True)(x, 1))."""
    inline = {"inline ReduceMax(True)(x, 1)": ops.ReduceMax(True)(x, 1),
              "inline ReduceMin(keep_dims=True)(x, -2)": ops.ReduceMin(keep_dims=True)(x, -2),
              "inline Select()": ops.Select()(x > 0, x, ops.Zeros()((2, 3, 4), mindspore.float32)),
              "inline Equal()": ops.Equal()(ops.Round()(x), ops.Ones()((4,), mindspore.float32)),
              "inline Cos()": ops.Cos()(b),
              "inline Gather()(x, int32 [1, 0, 1], 0)": ops.Gather()(x, mindspore.Tensor(np.array([1, 0, 1], np.int32)), 0),
              "inline OneHot(axis=0)(int64 (2, 2), 3, int32 5, int32 -1)": ops.OneHot(axis=0)(
                  mindspore.Tensor(np.array([[0, 2], [1, 1]], np.int64)), 3, mindspore.Tensor(5, mindspore.int32),
                  mindspore.Tensor(-1, mindspore.int32))}
    return {**PrimitiveUses()(x, b), **inline}

rng = np.random.default_rng(0)
values = rng.permutation(24).reshape(2, 3, 4).astype(np.float32) / 7 - 1.5
x = mindspore.Tensor(values)
b = mindspore.Tensor(rng.standard_normal((2, 1, 4)).astype(np.float32))
layers = [nn.Dense(4, 2), nn.Dense(4, 2, has_bias=False), nn.Conv2d(3, 3, 3), nn.BatchNorm2d(3),
          nn.LayerNorm((4,)), nn.ReLU()]
results = {**differing(x, values), **same(x, b), **type_checks(x, layers[0].weight, layers),
           **init_ones(nn.SequentialCell([nn.Dense(4, 2), nn.ReLU(), nn.Dense(2, 3), nn.LayerNorm((3,))]))}
results.update(graph_plumbing(b))
results.update(primitive_uses(x, b))
with open(sys.argv[1], "w") as handle:
    json.dump({k: described(v) for k, v in results.items()}, handle)
