"""A call that omits an argument the row's source API requires is another form of that API, never converted.

``F.softmax(x)`` (torch's implicit dim, deprecated but common in older code) matched ``torch.softmax``'s row, whose
``dim`` is required; the converter wrote ``mindspore.ops.softmax(x)`` (MindSpore's default axis=-1) and reported it
converted. torch picks dim 1 for a 4-D input (0 for 0-, 1- and 3-D ones), so the two differ: measured below.
"""
import warnings

import mindspore
import numpy as np
import torch

import libcst as cst

from msbridge.convert.arguments import translate
from msbridge.tables import load_tables

def _translate(call_text):
    row = next(r for r in load_tables().rows if r.id == "ops.softmax")
    module = cst.parse_module(call_text)
    return translate(row, "torch", "mindspore", module.body[0].body[0].value, module.code_for_node)


def test_torchs_implicit_softmax_dim_is_not_mindsporess_default():
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 5)).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)   # torch warns about the implicit dim
        implicit = torch.nn.functional.softmax(torch.from_numpy(x)).numpy()
    assert not np.allclose(implicit, mindspore.ops.softmax(mindspore.Tensor(x)).asnumpy(), atol=1e-3)
    assert np.allclose(implicit, mindspore.ops.softmax(mindspore.Tensor(x), axis=1).asnumpy(), atol=1e-6)


def test_a_call_omitting_a_required_argument_is_a_problem_of_the_translation():
    omitted = _translate("torch.softmax(x)\n")
    assert any("'dim' omitted, which torch.softmax requires" in p for p in omitted.problems), omitted.problems
    given = _translate("torch.softmax(x, 1)\n")
    assert given.problems == [] and cst.Module([]).code_for_node(cst.Call(cst.Name("f"), given.args)) == "f(x, 1)"
