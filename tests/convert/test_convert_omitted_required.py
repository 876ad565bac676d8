"""A call that omits an argument the row's source API requires is another form of that API, never converted.

``F.softmax(x)`` (torch's implicit dim, deprecated but common in older code) matched ``torch.softmax``'s row, whose
``dim`` is required; the converter wrote ``mindspore.ops.softmax(x)`` (MindSpore's default axis=-1) and reported it
converted. torch picks dim 1 for a 4-D input (0 for 0-, 1- and 3-D ones), so the two differ: measured below.
"""
import warnings

import mindspore
import numpy as np
import torch

from msbridge.convert.report import CONVERTED, REVIEW
from msbridge.convert.source import convert_source

PROGRAM = """\
import torch.nn.functional as F

y = F.softmax(x)
z = F.softmax(x, dim=1)
"""


def test_torchs_implicit_softmax_dim_is_not_mindsporess_default():
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 5)).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)   # torch warns about the implicit dim
        implicit = torch.nn.functional.softmax(torch.from_numpy(x)).numpy()
    assert not np.allclose(implicit, mindspore.ops.softmax(mindspore.Tensor(x)).asnumpy(), atol=1e-3)
    assert np.allclose(implicit, mindspore.ops.softmax(mindspore.Tensor(x), axis=1).asnumpy(), atol=1e-6)


def test_a_call_omitting_a_required_argument_is_review():
    out, report = convert_source(PROGRAM, "mindspore")
    first, second = out.splitlines()[-2:]
    assert first.startswith("y = mindspore.ops.softmax(x)  # msbridge: review: ") and "'dim' omitted" in first
    assert second == "z = mindspore.ops.softmax(x, axis=1)"
    assert [u.status for u in report.uses] == [REVIEW, CONVERTED]
    assert convert_source(out, "mindspore")[0] == out
