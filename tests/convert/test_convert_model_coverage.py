"""Model-definition shapes from the corpus (issue 13, MindSpore -> torch): (before, after) pairs, and the
twins they convert to checked against real MindSpore in this process.

Each pair id says what it proves. The converted code RUNS with MindSpore blocked in
tests/convert/test_convert_run.py (program "model_coverage"); the rows (ops.cast, nn.Pad) run on
both frameworks in tests/layers/test_layer_rows.py and the primitives (Cast, Shape) in
tests/convert/test_primitives.py.
"""
import textwrap
from collections import OrderedDict

import mindspore
import numpy as np
import pytest
import torch

from msbridge.convert.source import convert_source
from msbridge.mindspore import nn as twin_nn
from msbridge.mindspore import ops as twin_ops

HEAD = "import mindspore as ms\nfrom mindspore import nn, ops\nfrom mindspore.ops import operations as P\n\n\n"

SIBLINGS = """\
class A(nn.Cell):
    def __init__(self):
        super().__init__()
        self.reshape = P.Reshape()

    def construct(self, x):
        return self.reshape(x, (-1,))


class B(nn.Cell):
    def __init__(self):
        super().__init__()
        self.reshape = ops.Reshape()

    def construct(self, x):
        return self.reshape(x, (2, -1))
"""

UNRELATED = """\
class A(nn.Cell):
    def __init__(self):
        super().__init__()
        self.act = P.ReLU()

    def construct(self, x):
        return self.act(x)


class B(nn.Cell):
    def __init__(self):
        super().__init__()
        self.act = nn.Sigmoid()

    def construct(self, x):
        return self.act(x)
"""

SUBCLASS_OVERRIDES = """\
class A(nn.Cell):
    def __init__(self):
        super().__init__()
        self.act = P.ReLU()

    def construct(self, x):
        return self.act(x)


class B(A):
    def __init__(self):
        super().__init__()
        self.act = nn.Sigmoid()
"""

LOCALS = """\
def attention(q, k):
    bmm = ops.BatchMatMul(transpose_b=True)
    cast = P.Cast()
    return cast(bmm(q, k), ms.float16)


def passed_around(x):
    op = ops.ReduceMean(keep_dims=True)
    keep = [op]
    return op(x, 1)
"""


def _convert(body):
    out, report = convert_source(HEAD + textwrap.dedent(body), "torch")
    assert convert_source(out, "torch")[0] == out, "a second run must change nothing"
    return out, report


def _complete(report) -> bool:
    """Every use below the shared imports converted (an import a snippet leaves unused is marked)."""
    return all(u.status == "converted" for u in report.uses if u.line > HEAD.count("\n"))


def test_sibling_classes_that_each_build_the_same_operator_fold():
    out, report = _convert(SIBLINGS)
    assert "return torch.reshape(x, (-1,))" in out and "return torch.reshape(x, (2, -1))" in out
    assert "Reshape()" not in out and _complete(report), report.to_dict()


def test_a_class_outside_the_inheritance_line_keeps_its_own_object():
    out, report = _convert(UNRELATED)
    assert "return torch.nn.functional.relu(x)" in out and "self.act = torch.nn.Sigmoid()" in out
    assert _complete(report), report.to_dict()


def test_a_subclass_that_rebinds_the_attribute_blocks_the_fold():
    out, _ = _convert(SUBCLASS_OVERRIDES)
    assert "self.act = P.ReLU()  # msbridge: review" in out and "another class of this file" in out


def test_local_instances_fold_and_their_dtype_arguments_translate():
    out, report = _convert(LOCALS)
    # the local name `cast` is taken: the twin is spelled in full
    assert "return msbridge.mindspore.ops.cast(torch.matmul(q, torch.transpose(k, -2, -1)), torch.float16)" in out
    assert "bmm =" not in out and "cast = P.Cast()" not in out
    assert "op = ops.ReduceMean(keep_dims=True)" in out   # passed around: kept, and the report says so
    assert not _complete(report)


CLASS_VALUE = """\
class Block(nn.Cell):
    def __init__(self, dim, norm_layer=nn.BatchNorm1d):
        super().__init__()
        self.norm = norm_layer(dim, momentum=0.5)
        self.act = nn.LeakyReLU
        self.out = self.act(0.3)
"""


def test_calls_through_a_marked_class_value_are_marked_where_they_are():
    # classes msbridge has no twin of: the reference becomes torch's class, marked, and so are the calls through it
    out, _ = _convert(CLASS_VALUE)
    lines = {line.strip().split(" = ")[0]: line for line in out.splitlines() if " = " in line}
    assert "norm_layer=torch.nn.BatchNorm1d" in out   # the reference: marked as before
    assert "# msbridge: review: norm_layer: `norm_layer` may hold torch.nn.BatchNorm1d" in lines["self.norm"]
    assert "may hold torch.nn.LeakyReLU" in lines["self.out"]


TWIN_VALUES = """\
from functools import partial


class Block(nn.Cell):
    def __init__(self, dim, norm_layer=nn.LayerNorm, act_layer=nn.GELU, bn=nn.BatchNorm2d):
        super().__init__()
        self.norm = norm_layer([dim], epsilon=1e-5)
        self.act = act_layer()
        self.bn = bn(dim, momentum=0.99)
        self.direct = nn.LayerNorm((dim,), epsilon=1e-6)
        self.wide = nn.LayerNorm((4, dim), begin_norm_axis=1, begin_params_axis=1)


class MyNorm(nn.LayerNorm):
    pass


def small(**kwargs):
    return Block(8, norm_layer=partial(nn.LayerNorm, epsilon=1e-6), act_layer=partial(nn.GELU, approximate=False))


def is_norm(cell):
    return isinstance(cell, nn.LayerNorm)
"""


def test_class_values_with_a_twin_become_the_twin_and_their_calls_stay():
    """mindcv's `norm_layer=nn.LayerNorm`: msbridge's twin (torch's class taking MindSpore's arguments) is
    `converted`, the calls through it keep MindSpore's arguments unmarked; a direct call still becomes torch's
    own class, a base class and an isinstance check stay torch's (the twins subclass it)."""
    out, report = _convert(TWIN_VALUES)
    assert "from msbridge.mindspore.nn import LayerNorm, GELU, BatchNorm2d" in out
    assert "def __init__(self, dim, norm_layer=LayerNorm, act_layer=GELU, bn=BatchNorm2d):" in out
    assert "self.norm = norm_layer([dim], epsilon=1e-5)\n" in out and "self.bn = bn(dim, momentum=0.99)\n" in out
    assert "self.direct = torch.nn.LayerNorm((dim,), eps=1e-6)\n" in out
    # over several axes torch's class cannot say where MindSpore's start: the twin (it was `review`)
    assert "self.wide = LayerNorm((4, dim), begin_norm_axis=1, begin_params_axis=1)\n" in out
    assert "norm_layer=partial(LayerNorm, epsilon=1e-6), act_layer=partial(GELU, approximate=False))" in out
    assert "return isinstance(cell, torch.nn.LayerNorm)\n" in out
    assert "class MyNorm(torch.nn.LayerNorm):" in out
    assert [u.api for u in report.uses if u.status != "converted" and u.line > HEAD.count("\n")] == \
        ["mindspore.nn.LayerNorm"]   # only the base class: its calls are the subclass's own


PAIRS = [
    ("cast-is-the-twin", "y = ops.cast(x, ms.int32)", "y = cast(x, torch.int32)"),
    ("inline-Cast-folds", "y = P.Cast()(x, ms.float16)", "y = cast(x, torch.float16)"),
    ("shape-is-the-twin", "n, c = ops.shape(x)", "n, c = shape(x)"),
    ("inline-Shape-folds", "n, c = P.Shape()(x)", "n, c = shape(x)"),
    ("pad-is-the-twin", "p = nn.Pad(((0, 0), (1, 1)), mode='SYMMETRIC')", "p = Pad(((0, 0), (1, 1)), mode='SYMMETRIC')"),
    ("dense-twin-takes-weight-init", "d = nn.Dense(3, 2, weight_init='normal', activation='relu')",
     "d = Dense(3, 2, weight_init='normal', activation='relu')"),
    ("parameter-of-numpy", "w = ms.Parameter(np.ones(2, np.float32))",
     "w = torch.nn.Parameter(torch.as_tensor(np.ones(2, np.float32)))"),
]


def _one_program(pairs, preamble):
    """All the pairs' lines in one program, converted once (one conversion instead of one per pair)."""
    before = preamble + "".join(f"{b}\n" for _, b, _ in pairs)
    out, report = _convert(before)
    lines = out.strip().splitlines()[-len(pairs):]
    first = HEAD.count("\n") + preamble.count("\n") + 1
    return {case: (line, [u for u in report.uses if u.line == first + i])
            for i, ((case, _, _), line) in enumerate(zip(pairs, lines))}


METHOD_PAIRS = [
    ("transpose-permutation", "y = x.transpose(0, 2, 1)", "y = transpose(x, 0, 2, 1)"),
    ("transpose-tuple", "y = x.transpose((0, 2, 1))", "y = transpose(x, (0, 2, 1))"),
    ("transpose-two-ints-same-in-torch", "y = x.transpose(1, 0)", "y = x.transpose(1, 0)"),
    ("expand-dims", "y = x.expand_dims(1)", "y = expand_dims(x, 1)"),
    ("astype-dtype-translated", "y = x.astype(ms.float16)", "y = astype(x, torch.float16)"),
    ("mean-keep-dims", "y = x.mean(axis=1, keep_dims=True)", "y = mean(x, axis=1, keep_dims=True)"),
    ("mean-positional-same-in-torch", "y = x.mean(1, True)", "y = x.mean(1, True)"),
    ("split-axis", "a, b = x.split([1, 2], axis=1)", "a, b = split(x, [1, 2], axis=1)"),
    ("numpy-receiver-left", "y = np.ones((2, 3)).transpose(1, 0, 2)", "y = np.ones((2, 3)).transpose(1, 0, 2)"),
]
ALL_PAIRS = [(*p, "import numpy as np\n") for p in PAIRS] + \
    [(*p, "import numpy as np\nx = ops.ones((2, 3, 1))\n") for p in METHOD_PAIRS]


@pytest.fixture(scope="module")
def pairs_out():
    return {**_one_program(PAIRS, ALL_PAIRS[0][3]), **_one_program(METHOD_PAIRS, ALL_PAIRS[-1][3])}


@pytest.mark.parametrize("case,before,after,preamble", ALL_PAIRS, ids=[p[0] for p in ALL_PAIRS])
def test_model_code_pair(pairs_out, case, before, after, preamble):
    line, uses = pairs_out[case]
    assert line == after
    assert all(u.status == "converted" for u in uses), uses
    assert bool(uses) == (before != after), uses   # a call already the same in torch is not touched


# ---- the twins against MindSpore -----------------------------------------------------------------
def _both(array):
    return mindspore.Tensor(array), torch.from_numpy(array.copy())


def test_shape_and_cast_twins_are_mindspore_s():
    ms_x, pt_x = _both(np.linspace(-2.6, 2.6, 6, dtype=np.float32).reshape(2, 3))
    assert twin_ops.shape(pt_x) == mindspore.ops.shape(ms_x) and type(twin_ops.shape(pt_x)) is tuple
    for ms_t, pt_t in ((mindspore.int32, torch.int32), (mindspore.float16, torch.float16)):
        np.testing.assert_array_equal(twin_ops.cast(pt_x, pt_t).numpy(), mindspore.ops.cast(ms_x, ms_t).asnumpy())
    scalar = twin_ops.cast(1.5, torch.float16)
    assert scalar.dtype == torch.float16 and float(scalar) == float(mindspore.ops.cast(1.5, mindspore.float16))
    for bad in (lambda ops, t: ops.cast(np.ones(2), t), lambda ops, t: ops.shape(3)):
        with pytest.raises(TypeError):
            bad(mindspore.ops, mindspore.float16)
        with pytest.raises(TypeError):
            bad(twin_ops, torch.float16)


def test_sequential_twin_names_children_as_mindspore():
    ms_seq = mindspore.nn.SequentialCell([mindspore.nn.Dense(2, 3), mindspore.nn.ReLU(), mindspore.nn.Dense(3, 1)])
    pt_seq = twin_nn.SequentialCell([torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1)])
    assert [n for n, _ in ms_seq.parameters_and_names()] == [n for n, _ in pt_seq.named_parameters()]
    named = twin_nn.SequentialCell(OrderedDict([("act", torch.nn.ReLU())]))
    assert list(dict(named.named_children())) == list(mindspore.nn.SequentialCell(
        OrderedDict([("act", mindspore.nn.ReLU())])).name_cells())
    with pytest.raises(TypeError):
        mindspore.nn.SequentialCell((mindspore.nn.ReLU(),))
    with pytest.raises(TypeError):
        twin_nn.SequentialCell((torch.nn.ReLU(),))


def test_pad_twin_refuses_what_mindspore_refuses():
    ms_x, pt_x = _both(np.ones((2, 3), np.float32))
    for args in ((((1, 1),),), ([[1, 1], [1, 1]],), (((1, 1), (1, 1)), "EDGE"), (((1, 1),) * 5,)):
        with pytest.raises(Exception) as ms_error:
            mindspore.nn.Pad(*args)(ms_x)
        with pytest.raises(type(ms_error.value)):
            twin_nn.Pad(*args)(pt_x)


@pytest.mark.parametrize("init", ["ones", "zeros", 0.5, "tensor"])
def test_dense_and_conv_twins_initialise_as_mindspore(init):
    """Deterministic initialisers: the same parameters bit for bit (random ones draw from the same
    distributions: msbridge.mindspore.common.initializer, tested in tests/layers/test_initializers.py)."""
    values = {}
    for name, ms_cls, pt_cls, shape in (("dense", mindspore.nn.Dense, twin_nn.Dense, (2, 3)),
                                        ("conv", mindspore.nn.Conv2d, twin_nn.Conv2d, (2, 3, 3, 3))):
        weight = np.arange(np.prod(shape), dtype=np.float32).reshape(shape) if init == "tensor" else None
        ms_init = mindspore.Tensor(weight) if init == "tensor" else init
        pt_init = torch.from_numpy(weight) if init == "tensor" else init
        extra = {"stride": 2, "has_bias": True} if name == "conv" else {}
        ms_layer = ms_cls(3, 2, 3, weight_init=ms_init, bias_init=init if init != "tensor" else "zeros", **extra) \
            if name == "conv" else ms_cls(3, 2, weight_init=ms_init, bias_init=init if init != "tensor" else "zeros")
        pt_layer = pt_cls(3, 2, 3, weight_init=pt_init, bias_init=init if init != "tensor" else "zeros", **extra) \
            if name == "conv" else pt_cls(3, 2, weight_init=pt_init, bias_init=init if init != "tensor" else "zeros")
        ours = {n: p.detach().numpy() for n, p in pt_layer.named_parameters()}
        theirs = {n.rsplit(".", 1)[-1]: p.asnumpy() for n, p in ms_layer.parameters_and_names()}
        assert ours.keys() == theirs.keys(), name
        for key in ours:
            np.testing.assert_array_equal(ours[key], theirs[key], err_msg=f"{name}.{key}")
        values[name] = ours
    assert values




def test_tensor_method_twins_compute_what_mindspore_s_methods_do():
    from msbridge.bridge import tensor_methods as tm
    array = np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 7
    ms_x, pt_x = _both(array)
    cases = [("transpose", (0, 2, 1)), ("transpose", ((2, 0, 1),)), ("transpose", ()), ("transpose", (0, 2)),
             ("expand_dims", (1,)), ("astype", ("int32",))]
    for name, args in cases:
        ours = getattr(tm, name)(pt_x, *args).numpy()
        np.testing.assert_array_equal(ours, getattr(ms_x, name)(*args).asnumpy(), err_msg=f"{name}{args}")
    np.testing.assert_array_equal(tm.astype(pt_x, torch.float16).numpy(), ms_x.astype(mindspore.float16).asnumpy())
    np.testing.assert_allclose(tm.mean(pt_x, axis=1, keep_dims=True).numpy(),
                               ms_x.mean(axis=1, keep_dims=True).asnumpy(), rtol=1e-6)
    for ours, theirs in zip(tm.split(pt_x, [1, 3], axis=2), ms_x.split([1, 3], axis=2), strict=True):
        np.testing.assert_array_equal(ours.numpy(), theirs.asnumpy())
    # anything else keeps its own method: numpy's transpose is a permutation too
    np.testing.assert_array_equal(tm.transpose(array, 2, 0, 1), array.transpose(2, 0, 1))
    assert tm.astype(array, torch.float16).dtype == np.float16
