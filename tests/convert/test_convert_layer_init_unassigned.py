"""A MindSpore layer's ``weight_init=``/``bias_init=`` on a layer call not assigned to a name (rules.layer_init).

The model zoo builds layers in helpers (``def _conv3x3(...): weight = _weight_variable(...); return
nn.Conv2d(..., weight_init=weight)``, ``def _fc(...): return nn.Dense(..., weight_init=..., bias_init=...)``) and
inside containers (``nn.SequentialCell([nn.Dense(4, 4, weight_init=...), ...])``). With no name to initialise after
construction, those inits were left for review; the converted call is now wrapped,
``initialized(torch.nn.Linear(...), weight=..., bias=...)``. The program is run on MindSpore and, converted, on torch
with MindSpore unimportable: every parameter and the forward pass are compared.
"""

import numpy as np

from msbridge.convert.source import convert_source

from blocked_run import converted_completely, run_both

PROGRAM = """\
import json
import sys

import numpy as np
import mindspore as ms
from mindspore import nn
from mindspore.common.initializer import Constant


def _weight_variable(shape, factor=0.01):
    return ms.Tensor(np.arange(np.prod(shape), dtype=np.float32).reshape(shape) * factor)


def _fc(i, o):
    return nn.Dense(i, o, has_bias=True, weight_init=Constant(0.02), bias_init="ones")


def _dense(i, o):
    weight = _weight_variable((o, i))
    return nn.Dense(i, o, weight_init=weight, bias_init=Constant(-0.5))


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.seq = nn.SequentialCell([_dense(6, 5), nn.ReLU(), nn.Dense(5, 4, weight_init="ones", bias_init="zeros")])
        self.fc = _fc(4, 2)

    def construct(self, x):
        return self.fc(self.seq(x))


net = Net()
x = ms.Tensor(np.linspace(-1, 1, 12, dtype=np.float32).reshape(2, 6))
layers = {"seq.0": net.seq[0], "seq.2": net.seq[2], "fc": net.fc}
facts = {"params": {f"{name}.{kind}": getattr(layer, kind).asnumpy().tolist()
                    for name, layer in layers.items() for kind in ("weight", "bias")},
         "out": net(x).asnumpy().tolist()}
with open(sys.argv[1], "w") as handle:
    json.dump(facts, handle)
"""


def test_unassigned_layer_calls_are_wrapped():
    out, report = converted_completely(PROGRAM, "torch")
    assert '    return initialized(torch.nn.Linear(i, o, bias=True), weight=Constant(0.02), bias="ones")\n' in out
    assert "    return initialized(torch.nn.Linear(i, o), weight=weight, bias=Constant(-0.5))\n" in out
    assert 'torch.nn.ReLU(), initialized(torch.nn.Linear(5, 4), weight="ones", bias="zeros")' in out


def test_the_converted_network_has_the_same_parameters_and_output(tmp_path):
    out, _ = convert_source(PROGRAM, "torch")
    original, converted = run_both(tmp_path, "unassigned", PROGRAM, out, "mindspore", "torch")
    assert original["params"] == converted["params"]
    assert original["params"]["seq.0.bias"] == [-0.5] * 5 and original["params"]["fc.bias"] == [1.0, 1.0]
    np.testing.assert_allclose(converted["out"], original["out"], rtol=1e-6, atol=1e-6)
