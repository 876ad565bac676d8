"""``torch.autograd.Variable(t)`` (torch < 0.4 code: PyTorch-GAN's scripts) is the tensor itself on MindSpore
(rules.legacy_variable); ``requires_grad=True`` (a leaf torch differentiates later) is marked. The converted
program runs with torch unimportable and computes what the original computes on torch."""
import textwrap

from msbridge.convert.report import CONVERTED, REVIEW
from msbridge.convert.source import convert_source

from blocked_run import converted_completely, run_both

PROGRAM = """\
import json
import sys

import numpy as np
import torch
from torch.autograd import Variable

x = torch.tensor(np.arange(6, dtype=np.float32).reshape(2, 3))
a = Variable(x)
b = Variable(x + 1, requires_grad=False).sum()
d = torch.autograd.Variable(x * 2).mean(0)
valid = Variable(torch.ones(2, 1), volatile=True)
with open(sys.argv[1], "w") as handle:
    json.dump({"a": a.tolist(), "b": float(b), "d": d.tolist(), "valid": valid.tolist()}, handle)
"""


def test_variable_is_the_tensor_itself():
    out, report = converted_completely(PROGRAM, "mindspore")
    assert "a = x\nb = (x + 1).sum()\nd = (x * 2).mean(0)\n" in out and "Variable" not in out
    assert [u.status for u in report.uses if u.api == "torch.autograd.Variable"] == [CONVERTED] * 4


def test_the_program_computes_the_same_on_mindspore(tmp_path):
    out, _ = convert_source(PROGRAM, "mindspore")
    original, converted = run_both(tmp_path, "variable", PROGRAM, out, "torch", "mindspore")
    assert original == converted


def test_a_leaf_that_requires_grad_is_marked():
    out, report = convert_source(textwrap.dedent("""\
        import torch
        from torch.autograd import Variable
        z = Variable(torch.zeros(2), requires_grad=True)
        """), "mindspore")
    assert "z = Variable(mindspore.ops.zeros(2), requires_grad=True)  # msbridge: review: torch.autograd.Variable: " \
           "requires_grad=True makes a leaf" in out
    assert [u.status for u in report.uses if u.api == "torch.autograd.Variable"] == [REVIEW]
