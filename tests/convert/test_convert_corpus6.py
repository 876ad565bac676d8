"""Failure shapes found on a sixth real-code corpus (MindSpore -> torch: mindspore-lab/mindediting and
mindspore-ai/mindscience), made minimal: each was reported ``converted`` and failed, or computed otherwise, when the
converted program ran.

* ``m.weight = initializer(HeNormal(...), m.weight.shape, m.weight.dtype)`` in a ``cells_and_names()`` loop
  (mindediting's VGG and ResNet): MindSpore's Cell, given a Tensor for an attribute that holds a Parameter, sets
  that Parameter's data; torch's Module raises TypeError, so the converted model failed at construction. Such an
  assignment goes to ``msbridge.bridge.cell_methods.assign_param`` now (``rules/param_writes.py``).
* ``from sciai.architecture import MLP`` (mindscience's SciAI tutorials, reported fully converted): sciai,
  mindflow, mindearth, mindelec, mindchemistry and mindediting are built on MindSpore; importing them imports it,
  and what they build stays MindSpore. Such imports are ``review`` now, as mindcv's already were.

Every converted program runs here with MindSpore unimportable, and its result is compared with the real
MindSpore's run of the original, in the same test.
"""
import textwrap

import pytest

from msbridge.convert.report import CONVERTED, REVIEW
from msbridge.convert.source import convert_source

from blocked_run import BatchRuns, converted_completely, run_both


# ---- 1. a tensor assigned to a layer's parameter attribute ----------------------------------------------------------

PARAM_WRITES = """\
import json
import sys

import mindspore as ms
import numpy as np
from mindspore import Tensor, nn
from mindspore.common.initializer import Constant, initializer


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 3, 3, pad_mode="pad", padding=1, has_bias=True)
        self.bn = nn.BatchNorm2d(3)
        self.fc = nn.Dense(3, 2)
        for _, m in self.cells_and_names():
            if isinstance(m, nn.Conv2d):
                m.weight = initializer(Constant(0.5), m.weight.shape, m.weight.dtype)
                m.bias = initializer(Constant(0.25), shape=m.bias.shape, dtype=ms.float16)
            elif isinstance(m, nn.BatchNorm2d):
                m.gamma = initializer(Constant(2), m.gamma.shape)
                m.moving_mean = Tensor(np.full((3,), 0.5, np.float32))
        self.fc.weight = Tensor(np.arange(6, dtype=np.float32).reshape(2, 3) / 10)
        self.fc.bias = initializer("zeros", [2])

    def construct(self, x):
        return self.fc(self.bn(self.conv(x)).mean(axis=(2, 3)))


net = Net()
net.set_train(False)
x = Tensor(np.linspace(-1, 1, 2 * 2 * 4 * 4, dtype=np.float32).reshape(2, 2, 4, 4))
results = {"params": len(net.trainable_params()),
           "bias": net.conv.bias.asnumpy().tolist(), "bias_dtype": str(net.conv.bias.dtype),
           "weight": sorted(set(net.conv.weight.asnumpy().ravel().tolist())),
           "gamma": net.bn.gamma.asnumpy().tolist(), "mean": net.bn.moving_mean.asnumpy().tolist(),
           "fc": net.fc.weight.asnumpy().tolist(),
           "out": np.round(net(x).asnumpy(), 4).tolist()}
with open(sys.argv[1], "w") as handle:
    json.dump(results, handle)
"""


def test_a_tensor_assigned_to_a_parameter_attribute_goes_to_the_twin():
    out, report = converted_completely(PARAM_WRITES, "torch")
    assert 'assign_param(m, "weight", initializer(Constant(0.5), m.weight.shape, m.weight.dtype))' in out
    assert 'assign_param(m, "gamma", initializer(Constant(2), norm_param(m, "gamma").shape))' in out
    assert 'assign_param(self.fc, "weight", torch.tensor(' in out
    assert any(u.api == ".weight" and u.status == CONVERTED for u in report.uses)


def test_a_tensor_assigned_to_a_parameter_attribute_sets_its_data_as_on_mindspore(runs):
    converted_completely(PARAM_WRITES, "torch")
    theirs, ours = runs.pair("param_writes")
    assert {k: v for k, v in ours.items() if k != "bias_dtype"} == {k: v for k, v in theirs.items()
                                                                    if k != "bias_dtype"}
    # a float16 value is cast to the parameter's float32 on both
    assert "16" not in theirs["bias_dtype"] and ours["bias_dtype"] == "torch.float32"


def test_a_class_own_attribute_and_other_values_are_left_as_written():
    out, _ = converted_completely(textwrap.dedent("""\
        import numpy as np
        from mindspore import Tensor, nn


        class Net(nn.Cell):
            def __init__(self):
                super().__init__()
                self.scale = Tensor(np.ones(2, np.float32))
                self.fc = nn.Dense(2, 2)
                self.fc.weight_name = "w"
        """), "torch")
    assert "        self.scale = torch.tensor(np.ones(2, np.float32))\n" in out
    assert '        self.fc.weight_name = "w"\n' in out
    assert "assign_param" not in out


# ---- 2. imports of libraries built on MindSpore (mindscience, mindediting) ------------------------------------------

def test_imports_of_mindscience_and_mindediting_packages_are_review():
    out, report = convert_source(textwrap.dedent("""\
        from sciai.architecture import MLP
        from mindflow.cell import FNO2D
        import mindearth.cell
        from mindediting.models.common.layer_norm import LayerNorm2d
        from mindspore import nn


        class Head(nn.Cell):
            def __init__(self):
                super().__init__()
                self.mlp = MLP([2, 4, 1])
        """), "torch")
    assert convert_source(out, "torch")[0] == out
    flagged = {u.api for u in report.uses if u.status == REVIEW}
    assert {"sciai", "mindflow", "mindearth", "mindediting"} <= flagged, flagged
    assert out.startswith("from sciai.architecture import MLP  # msbridge: review: sciai: sciai is built on MindSpore")


# ---- 3. ops.squeeze with an empty axis ------------------------------------------------------------------------------

SQUEEZE = """\
import json
import sys

import numpy as np
from mindspore import Tensor, ops

x = Tensor(np.zeros((1, 3, 1, 2), np.float32))
with open(sys.argv[1], "w") as handle:
    json.dump([list(ops.squeeze(x, axis=2).shape), list(ops.squeeze(x, axis=(0, 2)).shape)], handle)
"""

EMPTY_AXIS = """\
import json
import sys

import numpy as np
{imports}

x = {tensor}(np.zeros((1, 3, 1, 2), np.float32))
with open(sys.argv[1], "w") as handle:
    json.dump(list({squeeze}(x, {axis}=()).shape), handle)
"""


def test_squeeze_with_an_axis_converts_and_runs_as_on_mindspore(runs):
    converted_completely(SQUEEZE, "torch")
    theirs, ours = runs.pair("squeeze")
    assert ours == theirs


def test_squeeze_with_an_empty_axis_is_review(runs):
    # mindscience's cae_train: `ops.squeeze(sink_process(), axis=())` became `torch.squeeze(..., dim=())`, which
    # drops no dim where MindSpore drops every size-1 dim (both measured here)
    program = EMPTY_AXIS_MINDSPORE
    out, report = convert_source(program, "torch")
    assert convert_source(out, "torch")[0] == out
    assert [u.status for u in report.uses if u.api == "mindspore.ops.squeeze"] == [REVIEW]
    assert "torch.squeeze" not in out
    theirs, torch_reading = runs.pair("empty_axis")   # MindSpore's program, torch's with dim=()
    assert theirs != torch_reading


# ---- 4. set_data on a Parameter's .data -----------------------------------------------------------------------------

DATA_SET_DATA = """\
import json
import sys

from mindspore import nn
from mindspore.common.initializer import Constant, initializer


def outcome(step):
    try:
        step()
        return "ran"
    except AttributeError:
        return "AttributeError"


fc = nn.Dense(3, 2)
results = [outcome(lambda: fc.weight.data.set_data(initializer(Constant(0.5), fc.weight.shape))),
           outcome(lambda: fc.bias.set_data(initializer(Constant(0.25), fc.bias.shape))),
           fc.bias.asnumpy().tolist()]
with open(sys.argv[1], "w") as handle:
    json.dump(results, handle)
"""


def test_set_data_on_a_parameters_data_is_review_and_fails_as_on_mindspore(runs):
    # mindediting's FSRCNN: `m.weight.data.set_data(initializer(...))` became `set_data(m.weight.data, ...)`, which
    # wrote torch's detached .data and left the weight unchanged, silently; MindSpore 2.10 raises (measured here)
    out, report = convert_source(DATA_SET_DATA, "torch")
    assert convert_source(out, "torch")[0] == out
    assert [u.status for u in report.uses if u.api == ".set_data()"] == [REVIEW, CONVERTED]
    assert "outcome(lambda: fc.weight.data.set_data(initializer(" in out
    assert 'outcome(lambda: set_data(fc.bias, initializer(' in out
    theirs, ours = runs.pair("data_set_data")
    assert theirs[0] == "AttributeError"
    assert ours == theirs


# ---- 5. ops.square / ops.Square() <-> torch.square (a new row: 4 unsupported uses in this corpus) --------------------

SQUARE_MINDSPORE = """\
import json
import sys

import numpy as np
from mindspore import Tensor, ops
from mindspore.ops import operations as P

x = Tensor(np.linspace(-3, 3, 12, dtype=np.float32).reshape(3, 4))
n = Tensor(np.array([-3, 0, 4], np.int32))


def squared(t):
    square = P.Square()
    return square(t)


with open(sys.argv[1], "w") as handle:
    json.dump({"square": ops.square(x).asnumpy().tolist(), "prim": squared(x).asnumpy().tolist(),
               "inline": ops.Square()(x).asnumpy().tolist(),
               "int": ops.square(n).asnumpy().tolist(), "dtype": str(ops.square(n).dtype).lower()}, handle)
"""

SQUARE_TORCH = """\
import json
import sys

import numpy as np
import torch

x = torch.tensor(np.linspace(-3, 3, 12, dtype=np.float32).reshape(3, 4))
with open(sys.argv[1], "w") as handle:
    json.dump({"square": torch.square(x).tolist(), "int": torch.square(torch.tensor([-3, 0, 4])).tolist()}, handle)
"""


def test_square_both_ways(tmp_path):
    for program, source, target in ((SQUARE_MINDSPORE, "mindspore", "torch"), (SQUARE_TORCH, "torch", "mindspore")):
        out, _ = converted_completely(program, target)
        original, converted = run_both(tmp_path, f"square_{source}", program, out, source, target)
        if source == "mindspore":   # MindSpore says Int32, torch torch.int32: the same dtype
            assert original.pop("dtype").endswith("int32") and converted.pop("dtype").endswith("int32")
        assert original == converted, (source, original, converted)


EMPTY_AXIS_MINDSPORE = EMPTY_AXIS.format(imports="from mindspore import Tensor, ops", tensor="Tensor",
                                         squeeze="ops.squeeze", axis="axis")
EMPTY_AXIS_TORCH = EMPTY_AXIS.format(imports="import torch", tensor="torch.tensor", squeeze="torch.squeeze", axis="dim")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """This file's MindSpore programs (torch unimportable) and their conversions (MindSpore unimportable), run once
    in two subprocesses (blocked_run.BatchRuns)."""
    programs = {name: (text, convert_source(text, "torch")[0])
                for name, text in (("param_writes", PARAM_WRITES), ("squeeze", SQUEEZE),
                                   ("data_set_data", DATA_SET_DATA))}
    programs["empty_axis"] = (EMPTY_AXIS_MINDSPORE, EMPTY_AXIS_TORCH)
    return BatchRuns(tmp_path_factory.mktemp("runs"), programs, "mindspore", "torch")
