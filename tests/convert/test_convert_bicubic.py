"""Bicubic resizing is review both ways: MindSpore 2.10's bicubic kernel is not torch's (measured here). Before,
``nn.Upsample(..., mode='bicubic')`` converted both ways and ``F.interpolate(..., mode='bicubic')`` went to msbridge's
twin, all reported converted. MindSpore's ``ops.interpolate`` with ``size=`` (unsupported before) now converts to
torch's and computes the same, run with MindSpore unimportable."""
import mindspore
import numpy as np
import pytest
import torch

from msbridge.convert.report import CONVERTED, REVIEW
from msbridge.convert.source import convert_source

from blocked_run import converted_completely, run_both

X = np.random.default_rng(0).standard_normal((2, 3, 5, 7)).astype(np.float32)


@pytest.mark.parametrize("align_corners", [False, True])
def test_the_bicubic_kernels_differ(align_corners):
    ours = mindspore.ops.interpolate(mindspore.Tensor(X), size=(9, 11), mode="bicubic", align_corners=align_corners)
    theirs = torch.nn.functional.interpolate(torch.from_numpy(X), size=(9, 11), mode="bicubic",
                                             align_corners=align_corners)
    assert np.abs(ours.asnumpy() - theirs.numpy()).max() > 1e-3


@pytest.mark.parametrize("code,to,api", [
    ("import torch.nn as nn\nup = nn.Upsample(size=(9, 11), mode='bicubic')\n", "mindspore", "torch.nn.Upsample"),
    ("import torch.nn.functional as F\ny = F.interpolate(x, size=(9, 11), mode='bicubic')\n", "mindspore",
     "torch.nn.functional.interpolate"),
    ("import mindspore.nn as nn\nup = nn.Upsample(size=(9, 11), mode='bicubic')\n", "torch", "mindspore.nn.Upsample"),
    ("from mindspore import ops\ny = ops.interpolate(x, size=(9, 11), mode='bicubic')\n", "torch",
     "mindspore.ops.interpolate"),
], ids=["Upsample-to-mindspore", "interpolate-to-mindspore", "Upsample-to-torch", "interpolate-to-torch"])
def test_bicubic_resizing_is_review(code, to, api):
    out, report = convert_source(code, to)
    assert [u.status for u in report.uses if u.api == api] == [REVIEW], report.to_dict()
    assert "bicubic" in out.splitlines()[-1] and "# msbridge: review:" in out.splitlines()[-1]
    other = convert_source(code.replace("'bicubic'", "'bilinear'"), to)[1]
    assert [u.status for u in other.uses if u.api == api] == [CONVERTED]


PROGRAM = """\
import json
import sys

import numpy as np
import mindspore
from mindspore import ops

x = mindspore.Tensor(np.random.default_rng(0).standard_normal((2, 3, 5, 7)).astype(np.float32))
results = [ops.interpolate(x, size=(10, 14)).asnumpy().tolist(),
           ops.interpolate(x, size=(8, 9), mode="bilinear", align_corners=True).asnumpy().tolist(),
           ops.interpolate(x, size=(3, 4), mode="area").asnumpy().tolist()]
with open(sys.argv[1], "w") as handle:
    json.dump(results, handle)
"""


def test_interpolate_with_a_size_runs_as_on_mindspore(tmp_path):
    out, _ = converted_completely(PROGRAM, "torch")
    original, converted = run_both(tmp_path, "interpolate", PROGRAM, out, "mindspore", "torch")
    for ours, theirs in zip(converted, original):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
