"""MindSpore's element count, ``ops.size(x)`` and the operator class ``ops.Size()(x)`` (unsupported in the sixth
corpus: mindediting's losses divide by it), is ``torch.numel(x)``: converted, run with MindSpore unimportable."""
from blocked_run import converted_completely, run_both

PROGRAM = """\
import json
import sys

import numpy as np
import mindspore
from mindspore import ops


class Loss(mindspore.nn.Cell):
    def __init__(self):
        super().__init__()
        self.size = ops.Size()

    def construct(self, x):
        return ops.abs(x).sum() / self.size(x)


x = mindspore.Tensor(np.arange(24, dtype=np.float32).reshape(2, 3, 4) - 10)
results = {"size": ops.size(x), "prim": ops.Size()(x), "type": type(ops.size(x)).__name__,
           "loss": float(Loss()(x).asnumpy())}
with open(sys.argv[1], "w") as handle:
    json.dump(results, handle)
"""


def test_size_converts_to_numel_and_counts_the_same(tmp_path):
    out, _ = converted_completely(PROGRAM, "torch")
    assert "torch.numel(x)" in out
    original, converted = run_both(tmp_path, "size", PROGRAM, out, "mindspore", "torch")
    assert converted == original
