"""Another API found through a row, omitting an argument the row's API requires, is not translated by that row.

``F.softmax(x)`` (torch's implicit dim, deprecated but common in older code) matched ``torch.softmax``'s row, whose
``dim`` is required; the converter wrote ``mindspore.ops.softmax(x)`` (MindSpore's default axis=-1) and reported it
converted. torch picks dim 1 for a 4-D input (0 for 0-, 1- and 3-D ones), so the two differ: measured below. (Such
calls now go to a twin with torch's legacy axis.) The row's own API without it is an overload: ``torch.mean(x)``.
"""
import warnings

import mindspore
import numpy as np
import torch

import libcst as cst

from msbridge.convert.arguments import translate
from msbridge.tables import load_tables

def _translate(call_text, called, row_id="ops.softmax"):
    row = next(r for r in load_tables().rows if r.id == row_id)
    module = cst.parse_module(call_text)
    return translate(row, "torch", "mindspore", module.body[0].body[0].value, module.code_for_node, called=called)


def test_torchs_implicit_softmax_dim_is_not_mindsporess_default():
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 5)).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)   # torch warns about the implicit dim
        implicit = torch.nn.functional.softmax(torch.from_numpy(x)).numpy()
    assert not np.allclose(implicit, mindspore.ops.softmax(mindspore.Tensor(x)).asnumpy(), atol=1e-3)
    assert np.allclose(implicit, mindspore.ops.softmax(mindspore.Tensor(x), axis=1).asnumpy(), atol=1e-6)


def test_another_api_omitting_what_the_rows_api_requires_is_a_problem_of_the_translation():
    omitted = _translate("F.softmax(x)\n", "torch.nn.functional.softmax")
    assert any("'dim' omitted, which torch.softmax requires" in p for p in omitted.problems), omitted.problems
    given = _translate("F.softmax(x, 1)\n", "torch.nn.functional.softmax")
    assert given.problems == [] and cst.Module([]).code_for_node(cst.Call(cst.Name("f"), given.args)) == "f(x, 1)"


def test_the_rows_own_api_without_it_is_an_overload():
    # torch.mean(x) is the mean of all elements, as MindSpore's ops.mean(x) with axis=None (measured here)
    assert _translate("torch.mean(x)\n", "torch.mean", "ops.mean").problems == []
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    assert float(torch.mean(torch.from_numpy(x))) == float(mindspore.ops.mean(mindspore.Tensor(x)).asnumpy())
