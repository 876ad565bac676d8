"""User subclasses of ``Initializer``: msbridge's twin against real MindSpore, and a converted program.

Real code (mindspore-courses Colorization, src/model/initializer.py) subclasses MindSpore's ``Initializer``,
passes its parameters to ``super().__init__(gain=gain)`` and fills the numpy array ``_initialize`` receives
in place. The converted program failed twice on the twin: its ``__init__`` took no keywords, and it
handed ``_initialize`` a torch tensor. Measured in MindSpore 2.10 (Tensor.init_data): ``_initialize`` gets
a C-contiguous, writeable ``np.ndarray`` of the tensor's shape and numpy dtype, uninitialised memory (the
twin's starts as zeros), and its return value is ignored; ``__init__(**kwargs)`` stores ``_kwargs`` and
``_seed = None``. Values are compared exactly: both sides run the same numpy code on the same array.
"""
import json
import textwrap

import mindspore
import numpy as np
import pytest
import torch
from mindspore import nn as ms_nn
from mindspore.common import initializer as ms_init

from msbridge.convert.report import CONVERTED
from msbridge.convert.source import convert_source
from msbridge.mindspore import nn as twin_nn
from msbridge.mindspore.common import initializer as twin_init

from blocked_run import ROOT, run_blocked


def _subclasses(module):
    """The same user subclasses written against ``module.Initializer`` (MindSpore's or the twin's)."""
    class Fill(module.Initializer):
        def __init__(self, value=0.5):
            super().__init__(value=value)
            self.value = value

        def _initialize(self, arr):
            arr[:] = np.full(arr.shape, self.value)

    class Seen(module.Initializer):
        """Records what ``_initialize`` is given (not its contents: uninitialised in MindSpore)."""
        def __init__(self):
            super().__init__()
            self.seen = []

        def _initialize(self, arr):
            self.seen.append((type(arr), arr.dtype, arr.shape, arr.flags["C_CONTIGUOUS"], arr.flags["WRITEABLE"]))
            arr[...] = np.arange(arr.size).reshape(arr.shape)
            return "ignored"

    class ColorizationXavier(module.Initializer):
        """Colorization's XavierNormal: numpy's RNG, float64 draws assigned into the array (a cast)."""
        def __init__(self, gain=0.02):
            super().__init__(gain=gain)
            self.gain = gain

        def _initialize(self, arr):
            fan_in, fan_out = arr.shape[1] * int(np.prod(arr.shape[2:])), arr.shape[0] * int(np.prod(arr.shape[2:]))
            np.random.seed(7)
            arr[:] = np.random.normal(0, self.gain * np.sqrt(2.0 / (fan_in + fan_out)), arr.shape)

    class Doubled(module.Constant):
        """A built-in's ``_initialize`` called on the numpy array through ``super()``."""
        def _initialize(self, arr):
            super()._initialize(arr)
            arr *= 2

    return {"Fill": Fill, "Seen": Seen, "ColorizationXavier": ColorizationXavier, "Doubled": Doubled}


MS, TWIN = _subclasses(ms_init), _subclasses(twin_init)
CASES = [  # (subclass, args, shape, MindSpore dtype, torch dtype)
    ("Fill", (0.25,), [2, 3], mindspore.float32, torch.float32),
    ("Fill", (0.1,), (4, 3, 2, 2), mindspore.float16, torch.float16),
    ("Fill", (3,), 5, mindspore.int32, torch.int32),
    ("Doubled", (0.3,), (), mindspore.float64, torch.float64),
    ("ColorizationXavier", (0.5,), (6, 4, 3, 3), mindspore.float32, torch.float32),
    ("Doubled", (0.3,), (2, 2), mindspore.float32, torch.float32),
]


@pytest.mark.parametrize("name,args,shape,ms_dtype,torch_dtype", CASES, ids=[f"{c[0]}-{c[3]}" for c in CASES])
def test_subclass_values_and_kwargs_match_mindspore(name, args, shape, ms_dtype, torch_dtype):
    real, ours = MS[name](*args), TWIN[name](*args)
    assert ours._kwargs == real._kwargs and ours._seed is real._seed is None
    expected = ms_init.initializer(real, shape, ms_dtype).init_data().asnumpy()
    got = twin_init.initializer(ours, shape, torch_dtype)
    assert got.dtype == torch_dtype
    assert got.numpy().dtype == expected.dtype and got.numpy().shape == expected.shape
    np.testing.assert_array_equal(got.numpy(), expected)


DTYPES = [(mindspore.float32, torch.float32), (mindspore.float16, torch.float16), (mindspore.int64, torch.int64),
          (mindspore.bool_, torch.bool)]


@pytest.mark.parametrize("ms_dtype,torch_dtype", DTYPES, ids=[str(t) for _, t in DTYPES])
def test_initialize_receives_what_mindspore_gives(ms_dtype, torch_dtype):
    real, ours = MS["Seen"](), TWIN["Seen"]()
    expected = ms_init.initializer(real, (2, 3), ms_dtype).init_data().asnumpy()
    got = twin_init.initializer(ours, (2, 3), torch_dtype)
    assert ours.seen == real.seen and real.seen[0][0] is np.ndarray
    np.testing.assert_array_equal(got.numpy(), expected)


def test_kwargs_stored_like_mindspore():
    assert twin_init.Initializer(a=1, b="x")._kwargs == ms_init.Initializer(a=1, b="x")._kwargs == {"a": 1, "b": "x"}
    builtins = [("Normal", (0.2,)), ("Constant", (0.3,)), ("Uniform", ()), ("TruncatedNormal", ()), ("Zero", ()),
                ("One", ()), ("XavierUniform", ()), ("XavierNormal", ()), ("HeUniform", ()), ("HeNormal", ()),
                ("Orthogonal", ())]
    for name, args in builtins:
        assert getattr(twin_init, name)(*args)._kwargs == getattr(ms_init, name)(*args)._kwargs, name


def test_calling_an_initializer_on_a_numpy_array_fills_it_as_mindspore_does():
    for module, seen in ((ms_init, MS), (twin_init, TWIN)):
        arr = np.zeros((2, 2), np.float32)
        assert seen["Fill"](0.5)(arr) is None
        np.testing.assert_array_equal(arr, np.full((2, 2), 0.5, np.float32))
        module.Constant(0.75)(arr)   # a built-in: fills the array in place in both
        np.testing.assert_array_equal(arr, np.full((2, 2), 0.75, np.float32))
        assert seen["Seen"]()(arr) == "ignored"   # __call__ returns what _initialize returns


def test_subclass_as_a_layers_weight_init():
    real = ms_nn.Dense(3, 2, weight_init=MS["Fill"](0.25), bias_init=MS["Fill"](-1.0))
    ours = twin_nn.Dense(3, 2, weight_init=TWIN["Fill"](0.25), bias_init=TWIN["Fill"](-1.0))
    np.testing.assert_array_equal(ours.weight.detach().numpy(), real.weight.asnumpy())
    np.testing.assert_array_equal(ours.bias.detach().numpy(), real.bias.asnumpy())
    real = ms_nn.Conv2d(4, 6, 3, weight_init=MS["ColorizationXavier"](0.5))
    ours = twin_nn.Conv2d(4, 6, 3, weight_init=TWIN["ColorizationXavier"](0.5))
    np.testing.assert_array_equal(ours.weight.detach().numpy(), real.weight.asnumpy())


PROGRAM = """\
import json
import sys

import mindspore
import numpy as np
from mindspore import nn
from mindspore.common.initializer import Initializer, initializer


class Fill(Initializer):
    def __init__(self, value=0.5):
        super().__init__(value=value)
        self.value = value

    def _initialize(self, arr):
        arr[:] = np.full(arr.shape, self.value)


class Scaled(Initializer):
    def __init__(self, gain=0.02):
        super().__init__(gain=gain)
        self.gain = gain

    def _initialize(self, arr):
        np.random.seed(3)
        arr[:] = np.random.normal(0, self.gain, arr.shape)


w = initializer(Fill(0.25), [2, 3], mindspore.float32)
dense = nn.Dense(3, 2, weight_init=Scaled(0.5))
values = {"w": w.asnumpy().tolist(), "dense": dense.weight.asnumpy().tolist(), "kwargs": Fill(0.25)._kwargs}
if __name__ == "__main__" and len(sys.argv) > 1:
    with open(sys.argv[1], "w") as handle:
        json.dump(values, handle)
"""


def test_converted_subclass_program_runs_without_mindspore(tmp_path):
    out, report = convert_source(PROGRAM, "torch")
    assert report.error is None and report.uses and all(use.status == CONVERTED for use in report.uses), report.uses
    ours = json.loads(run_blocked(tmp_path, "mindspore", "converted", out, cwd=ROOT).read_text())
    original = {}
    exec(compile(textwrap.dedent(PROGRAM), "original.py", "exec"), original)   # real MindSpore, this process
    reference = original["values"]
    assert ours == json.loads(json.dumps(reference))   # the same floats, exactly (json keeps float32's value)
    assert ours["kwargs"] == {"value": 0.25}
