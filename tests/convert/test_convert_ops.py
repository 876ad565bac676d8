"""(before, after) pairs for functional ops, creation ops and the operator-instance idiom.

Each id says what the case proves. The numbers these calls compute are checked on both real
frameworks by the row harness (tests/layers/test_layer_rows.py) and tests/convert/test_primitives.py;
the converted code RUNS with the source framework blocked in tests/convert/test_convert_run.py.
"""
import textwrap

import pytest

from msbridge.convert.source import convert_source

MS_HEAD = "import mindspore\nfrom mindspore import nn, ops\nfrom mindspore.ops import operations as P\n"
PT_HEAD = "import torch\nimport torch.nn.functional as F\n"

TO_TORCH = [
    ("transpose-is-a-permutation", "y = ops.transpose(x, (0, 2, 1))", "y = torch.permute(x, (0, 2, 1))"),
    ("concat-axis-is-dim", "y = ops.concat((a, b), axis=1)", "y = torch.cat((a, b), dim=1)"),
    ("mean-axis-keep-dims", "y = ops.mean(x, 1, keep_dims=True)", "y = torch.mean(x, 1, keepdim=True)"),
    ("mean-default-axis-written", "y = ops.mean(x)", "y = torch.mean(x, dim=None)"),
    ("expand-dims-is-unsqueeze", "y = ops.expand_dims(x, -1)", "y = torch.unsqueeze(x, -1)"),
    ("swapaxes-is-torch-transpose", "y = ops.swapaxes(x, 1, 2)", "y = torch.transpose(x, 1, 2)"),
    ("flatten-start-dim-default-differs", "y = ops.flatten(x)", "y = torch.flatten(x, start_dim=1)"),
    ("softmax-default-axis-written", "y = ops.softmax(x)", "y = torch.softmax(x, dim=-1)"),
    ("split-sizes-kept", "y = ops.split(x, [1, 3], axis=1)", "y = torch.split(x, [1, 3], dim=1)"),
    ("zeros-dtype", "y = ops.zeros((2, 3), mindspore.float32)", "y = torch.zeros((2, 3), dtype=torch.float32)"),
    ("ones-shape-is-size", "y = ops.ones((4,))", "y = torch.ones((4,))"),
    ("randn-from-target-generator", "y = ops.randn((2, 3))", "y = torch.randn((2, 3))"),
    ("Tensor-class-is-torch-tensor", "y = mindspore.Tensor(arr, mindspore.float32)", "y = torch.tensor(arr, dtype=torch.float32)"),
    ("inline-operator-instance", "y = P.ReduceMean(True)(x, 1)", "y = torch.mean(x, 1, keepdim=True)"),
    ("inline-operator-no-args", "y = P.Reshape()(x, (2, -1))", "y = torch.reshape(x, (2, -1))"),
    ("inline-old-split-is-chunk", "a, b = P.Split(1, 2)(x)", "a, b = torch.chunk(x, chunks=2, dim=1)"),
]

TO_MINDSPORE = [
    ("cat-list", "y = torch.cat([a, b], dim=1)", "y = mindspore.ops.cat([a, b], axis=1)"),
    ("permute", "y = torch.permute(x, (1, 0))", "y = mindspore.ops.transpose(x, (1, 0))"),
    ("torch-transpose-is-swapaxes", "y = torch.transpose(x, 0, 1)", "y = mindspore.ops.swapaxes(x, 0, 1)"),
    ("mean-dim-keepdim", "y = torch.mean(x, dim=1, keepdim=True)", "y = mindspore.ops.mean(x, axis=1, keep_dims=True)"),
    ("unsqueeze", "y = torch.unsqueeze(x, 0)", "y = mindspore.ops.expand_dims(x, 0)"),
    ("zeros-varargs-packed", "y = torch.zeros(2, 3)", "y = mindspore.ops.zeros((2, 3))"),
    ("ones-varargs-packed", "y = torch.ones(2, 3, dtype=torch.int32)", "y = mindspore.ops.ones((2, 3), dtype=mindspore.int32)"),
    ("randn-shape-positional", "y = torch.randn(size=(4, 5))", "y = mindspore.ops.randn((4, 5))"),
    ("rand-varargs", "y = torch.rand(4, 5)", "y = mindspore.ops.rand((4, 5))"),
    ("empty-values-undefined", "y = torch.empty(2, 3)", "y = mindspore.mint.empty((2, 3))"),
    ("relu-functional", "y = F.relu(x)", "y = mindspore.ops.relu(x)"),
    ("matmul", "y = torch.matmul(a, b)", "y = mindspore.ops.matmul(a, b)"),
    ("softmax-dim", "y = torch.softmax(x, dim=0)", "y = mindspore.ops.softmax(x, axis=0)"),
    ("chunk", "y = torch.chunk(x, 2, dim=1)", "y = mindspore.ops.chunk(x, 2, axis=1)"),
    ("is-scripting-is-false", "y = torch.jit.is_scripting()", "y = False"),
]


def _body(code: str) -> str:
    return code.strip().splitlines()[-1].strip()


@pytest.mark.parametrize("case,before,after", TO_TORCH, ids=[c[0] for c in TO_TORCH])
def test_to_torch(case, before, after):
    out, report = convert_source(MS_HEAD + before + "\n", "torch")
    assert _body(out) == after
    assert all(u.status == "converted" for u in report.uses if u.line == 4), report.to_dict()


@pytest.mark.parametrize("case,before,after", TO_MINDSPORE, ids=[c[0] for c in TO_MINDSPORE])
def test_to_mindspore(case, before, after):
    out, report = convert_source(PT_HEAD + before + "\n", "mindspore")
    assert _body(out) == after
    assert all(u.status == "converted" for u in report.uses if u.line == 3), report.to_dict()


CELL = textwrap.dedent("""\
    import mindspore.nn as nn
    import mindspore.ops as ops
    from mindspore.ops import operations as P


    class Block(nn.Cell):
        def __init__(self, axis):
            super().__init__()
            self.reshape = P.Reshape()
            self.mean = ops.ReduceMean(keep_dims=True)
            self.bmm = ops.BatchMatMul(transpose_b=True)
            self.cat = P.Concat(axis)
            self.act = P.ReLU()
            self.stash = P.Sigmoid()
            self.fns = [self.stash]

        def construct(self, x):
            y = self.reshape(x, (2, -1))
            m = self.mean(y, 1)
            s = self.bmm(x, x)
            return self.cat((y, m)), self.act(s)
    """)


@pytest.fixture(scope="module")
def cell():
    return convert_source(CELL, "torch")


def test_operator_instances_are_folded_into_functional_calls(cell):
    out, _ = cell
    assert "y = torch.reshape(x, (2, -1))" in out
    assert "m = torch.mean(y, 1, keepdim=True)" in out
    assert "s = torch.matmul(x, torch.transpose(x, -2, -1))" in out
    assert "torch.nn.functional.relu(s)" in out


def test_folded_assignments_leave_no_mindspore_object(cell):
    out, _ = cell
    for gone in ("self.reshape =", "self.mean =", "self.bmm =", "self.act ="):
        assert gone not in out


def test_instances_that_cannot_be_folded_stay_and_say_why(cell):
    out, report = cell
    lines = {line.strip().split(" = ")[0]: line for line in out.splitlines() if " = P." in line}
    assert "not literals" in lines["self.cat"] and "# msbridge: review" in lines["self.cat"]
    assert "used other than by calling it" in lines["self.stash"]
    assert not report.complete


def test_an_instance_a_subclass_uses_is_not_folded():
    code = CELL + textwrap.dedent("""\


        class Child(Block):
            def construct(self, x):
                return self.reshape(x, (-1,))
        """)
    out, report = convert_source(code, "torch")
    assert "self.reshape = P.Reshape()  # msbridge: review" in out and "another class of this file" in out
    assert "m = torch.mean(y, 1, keepdim=True)" in out   # the others still fold


def test_two_runs_are_one(cell):
    out, _ = cell
    again, _ = convert_source(out, "torch")
    assert again == out
