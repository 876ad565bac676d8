"""The converter on model-definition rows (layers/activations/losses/tensors tables), checked on both real frameworks.

Each case is a call written in one framework; the converter translates it
(the call it emits is read back with ``ast`` and built from its literal
arguments by the tables' own whitelisting evaluator: no ``eval``); both layers get the same weights and inputs and must
agree as the row's exactness claims: bit-exact rows bit for bit, float32-rounding
rows within the row's ``rtol``.
"""
import ast
import importlib

import mindspore
import numpy as np
import pytest
import torch

from msbridge.convert.source import convert_source
from msbridge.tables import load_tables
from msbridge.tables.expr import evaluate

ROWS = {row.id: row for row in load_tables().rows if row.category is not None}


def _header(source: str, call: str) -> str:
    """The imports ``call`` reads, and no others (an unused framework import is kept and marked)."""
    lines = [f"import {source}\n"] if f"{source}." in call else []
    return "".join(lines + ([f"from {source} import nn\n"] if call.startswith("nn.") or "(nn." in call else []))

ROOTS = {"mindspore": mindspore, "torch": torch}


def _build(source_code: str, framework: str):
    """Build the object a one-call source line describes, without eval: resolve the name, literal arguments."""
    tree = ast.parse(source_code)
    call = tree.body[-1].value
    name = ast.unparse(call.func)
    head, _, rest = name.partition(".")
    # msbridge runtime classes the converter imports by name (e.g. rules.labels' CrossEntropyLoss subclass)
    runtime = {a.asname or a.name: (node.module, a.name) for node in tree.body if isinstance(node, ast.ImportFrom)
               and node.module.startswith("msbridge.") for a in node.names}
    if head in runtime:
        obj = getattr(importlib.import_module(runtime[head][0]), runtime[head][1])
    else:
        obj = ROOTS[framework] if head == framework else getattr(ROOTS[framework], head)
    for part in rest.split(".") if rest else ():
        obj = getattr(obj, part)
    args = [evaluate(ast.unparse(a)) for a in call.args]   # literals and arithmetic, by the tables' evaluator
    kwargs = {k.arg: evaluate(ast.unparse(k.value)) for k in call.keywords}
    return obj(*args, **kwargs)


def _pair(source: str, call: str):
    """(source-framework object, converted object, converted code)."""
    target = "torch" if source == "mindspore" else "mindspore"
    code = _header(source, call) + f"layer = {call}\n"
    out, report = convert_source(code, target)
    assert report.complete, report.to_dict()
    converted = out.splitlines()[-1].split(" = ", 1)[1]
    imports = [line for line in out.splitlines() if line.startswith("from msbridge.")]
    # a mode-dependent layer is built in the source framework's default mode (rules.default_mode)
    mode = next((m for m in ("eval", "set_train") if converted.endswith(f").{m}()")), None)
    built = _build("\n".join([*imports, f"x = {converted[:-len(mode) - 3] if mode else converted}"]), target)
    if mode:
        getattr(built, mode)()
    return _build(f"x = {call}", source), built, converted


def _run(framework, layer, *arrays):
    if framework == "mindspore":
        out = layer(*(mindspore.tensor(a) for a in arrays))
        return np.asarray(out.asnumpy())
    with torch.no_grad():
        return layer(*(torch.from_numpy(a) for a in arrays)).numpy()


def _copy_dense(ms_layer, pt_layer, source):
    if source == "mindspore":
        pt_layer.weight.data = torch.from_numpy(ms_layer.weight.asnumpy().copy())
        if ms_layer.has_bias:
            pt_layer.bias.data = torch.from_numpy(ms_layer.bias.asnumpy().copy())
    else:
        ms_layer.weight.set_data(mindspore.tensor(pt_layer.weight.detach().numpy().copy()))
        if pt_layer.bias is not None:
            ms_layer.bias.set_data(mindspore.tensor(pt_layer.bias.detach().numpy().copy()))


RNG = np.random.default_rng(0)
X = RNG.standard_normal((5, 4)).astype(np.float32)
Y = RNG.standard_normal((5, 4)).astype(np.float32)
LOGITS = RNG.standard_normal((6, 3)).astype(np.float32)
LABELS = RNG.integers(0, 3, 6)

CASES = [
    ("nn.Dense", "mindspore", "nn.Dense(4, 3)", (X,)),
    ("nn.Dense", "mindspore", "nn.Dense(in_channels=4, out_channels=2, has_bias=False)", (X,)),
    ("nn.Dense", "torch", "nn.Linear(4, 3, bias=True)", (X,)),
    ("nn.ReLU", "mindspore", "nn.ReLU()", (X,)),
    ("nn.ReLU", "torch", "nn.ReLU(inplace=False)", (X,)),
    ("nn.Flatten", "torch", "nn.Flatten(0, -1)", (X.reshape(5, 2, 2),)),
    ("nn.MSELoss", "mindspore", "nn.MSELoss(reduction='sum')", (X, Y)),
    ("nn.MSELoss", "torch", "nn.MSELoss()", (X, Y)),
    ("nn.CrossEntropyLoss", "mindspore", "nn.CrossEntropyLoss(label_smoothing=0.1)", "labels"),
    ("nn.CrossEntropyLoss", "torch", "nn.CrossEntropyLoss(reduction='sum', ignore_index=1)", "labels"),
]


@pytest.mark.parametrize("row_id,source,call,inputs", CASES, ids=[f"{c[1]}:{c[2]}" for c in CASES])
def test_convert_layer_rows_agree_on_both_frameworks(row_id, source, call, inputs):
    torch.manual_seed(0)   # initial weights are random on both sides (and copied across): keep runs repeatable
    mindspore.set_seed(0)
    row = ROWS[row_id]
    src_layer, dst_layer, converted = _pair(source, call)
    target = "torch" if source == "mindspore" else "mindspore"
    if row_id == "nn.Dense":
        ms_layer, pt_layer = (src_layer, dst_layer) if source == "mindspore" else (dst_layer, src_layer)
        _copy_dense(ms_layer, pt_layer, source)
    if inputs == "labels":
        label_type = {"mindspore": np.int32, "torch": np.int64}
        a = _run_labels(source, src_layer, label_type[source])
        b = _run_labels(target, dst_layer, label_type[target])
    else:
        a, b = _run(source, src_layer, *inputs), _run(target, dst_layer, *inputs)
    assert a.shape == b.shape and a.dtype == b.dtype == np.float32, converted
    if row.exactness == "bit-exact":
        np.testing.assert_array_equal(a, b)
    else:  # float32 rounding of a sum is relative to the size of its terms, not of a result near 0
        np.testing.assert_allclose(a, b, rtol=row.rtol, atol=row.rtol * float(np.abs(a).max()))
    assert np.any(a != 0), "a test on zeros would prove nothing"


def _run_labels(framework, layer, dtype):
    labels = LABELS.astype(dtype)
    if framework == "mindspore":
        return np.asarray(layer(mindspore.tensor(LOGITS), mindspore.tensor(labels)).asnumpy())
    with torch.no_grad():
        return layer(torch.from_numpy(LOGITS), torch.from_numpy(labels)).numpy()


@pytest.mark.parametrize("source,call", [("mindspore", "mindspore.tensor([[0.1, 2.5], [3.0, -1e-8]], mindspore.float32)"),
                                         ("torch", "torch.tensor([[0.1, 2.5]], dtype=torch.float32)")])
def test_convert_layer_rows_tensor_and_dtype(source, call):
    target = "torch" if source == "mindspore" else "mindspore"
    out, report = convert_source(_header(source, call) + f"t = {call}\n", target)
    assert report.complete
    converted = out.splitlines()[-1].split(" = ", 1)[1]
    call_node = ast.parse(converted).body[0].value
    data = ast.literal_eval(call_node.args[0])
    dtype_expr = next((k.value for k in call_node.keywords if k.arg == "dtype"), call_node.args[-1])
    assert ast.unparse(dtype_expr) == f"{target}.float32"
    ms_value = mindspore.tensor(data, mindspore.float32).asnumpy()
    pt_value = torch.tensor(data, dtype=torch.float32).numpy()
    assert ms_value.dtype == pt_value.dtype == np.float32
    np.testing.assert_array_equal(ms_value, pt_value)


@pytest.mark.parametrize("source,call", [("mindspore", "nn.LeakyReLU()"), ("mindspore", "nn.LeakyReLU(0.3)"),
                                         ("torch", "nn.LeakyReLU()"), ("torch", "nn.LeakyReLU(negative_slope=0.05)")])
def test_convert_layer_rows_leaky_relu_default_written_out(source, call):
    # the defaults differ (MindSpore 0.2, torch 0.01): the converted layer must use the SOURCE slope
    src_layer, dst_layer, converted = _pair(source, call)
    target = "torch" if source == "mindspore" else "mindspore"
    a, b = _run(source, src_layer, X), _run(target, dst_layer, X)
    np.testing.assert_array_equal(a, b)
    assert np.any(a < 0), converted


IMAGES = RNG.standard_normal((4, 3, 2, 2)).astype(np.float32) * 3 + 1


@pytest.mark.parametrize("source,call", [("mindspore", "nn.BatchNorm2d(3)"), ("mindspore", "nn.BatchNorm2d(3, momentum=0.7)"),
                                         ("torch", "nn.BatchNorm2d(3, 1e-3, 0.25)")])
def test_convert_layer_rows_batchnorm_momentum_transform(source, call):
    # one training step (batch statistics) updates the running mean/var by the momentum rule: the
    # transformed momentum must give the same running statistics, then inference must agree too
    row = ROWS["nn.BatchNorm2d"]
    src_layer, dst_layer, converted = _pair(source, call)
    ms_layer, pt_layer = (src_layer, dst_layer) if source == "mindspore" else (dst_layer, src_layer)
    ms_layer.set_train(True)
    pt_layer.train()
    train_ms, train_pt = _run("mindspore", ms_layer, IMAGES), _run("torch", pt_layer, IMAGES)
    np.testing.assert_allclose(train_ms, train_pt, rtol=row.rtol, atol=1e-6)
    np.testing.assert_allclose(ms_layer.moving_mean.asnumpy(), pt_layer.running_mean.numpy(), rtol=row.rtol)
    np.testing.assert_allclose(ms_layer.moving_variance.asnumpy(), pt_layer.running_var.numpy(), rtol=row.rtol)
    assert not np.allclose(pt_layer.running_mean.numpy(), 0), "the step must move the running mean"
    ms_layer.set_train(False)
    pt_layer.eval()
    np.testing.assert_allclose(_run("mindspore", ms_layer, IMAGES), _run("torch", pt_layer, IMAGES),
                               rtol=row.rtol, atol=1e-6)


def test_convert_layer_rows_twins_where_torch_has_no_same_layer():
    # Dense(activation=) and Conv2d(pad_mode='same') with stride 2 have no native torch layer that
    # computes the same: the converter writes msbridge's twin (tested against MindSpore in
    # tests/layers/test_layer_twins.py); stride 1 stays native torch, with 'same' and bias=False written out
    out, report = convert_source("from mindspore import nn\nfc = nn.Dense(4, 2, activation='relu')\n"
                                 "down = nn.Conv2d(3, 8, 3, stride=2)\nconv = nn.Conv2d(3, 8, 3)\n", "torch")
    assert report.complete, report.to_dict()
    assert "from msbridge.mindspore.nn import Dense, Conv2d" in out
    assert "fc = Dense(4, 2, activation='relu')" in out and "down = Conv2d(3, 8, 3, stride=2)" in out
    assert "conv = torch.nn.Conv2d(3, 8, 3, padding='same', bias=False)" in out
    assert "# msbridge:" not in out


def test_convert_layer_rows_twin_given_an_init_applies_it():
    # model-zoo ResNet/Xception: Conv2d(..., weight_init=...) goes to msbridge's twin, which applies it as MindSpore
    # does (tests/convert/test_convert_model_coverage.py compares the parameters with MindSpore's)
    out, report = convert_source("from mindspore import nn\nc = nn.Conv2d(3, 8, 3, stride=2, weight_init='normal')\n",
                                 "torch")
    assert "c = Conv2d(3, 8, 3, stride=2, weight_init='normal')\n" in out
    assert [u.status for u in report.uses] == ["converted"]
    twin = __import__("msbridge.mindspore.nn", fromlist=["Conv2d"]).Conv2d
    assert float(twin(3, 8, 3, stride=2, weight_init="zeros").weight.abs().sum()) == 0.0
