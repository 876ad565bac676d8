"""``ops.abs``/``ops.Abs()`` <-> ``torch.abs`` (row ops.abs, primitive mindspore.ops.Abs): converted both ways and
run with the source framework unimportable, bit-equal to the original on the real framework."""
from blocked_run import converted_completely, run_both

MINDSPORE = """\
import json
import sys

import numpy as np
from mindspore import Tensor, ops

x = Tensor(np.linspace(-2, 2, 12, dtype=np.float32).reshape(3, 4))
n = Tensor(np.array([-3, 0, 4], np.int32))
with open(sys.argv[1], "w") as handle:
    json.dump({"abs": ops.abs(x).asnumpy().tolist(), "prim": ops.Abs()(x).asnumpy().tolist(),
               "int": ops.abs(n).asnumpy().tolist()}, handle)
"""

TORCH = """\
import json
import sys

import numpy as np
import torch

x = torch.tensor(np.linspace(-2, 2, 12, dtype=np.float32).reshape(3, 4))
with open(sys.argv[1], "w") as handle:
    json.dump({"abs": torch.abs(x).tolist(), "int": torch.abs(torch.tensor([-3, 0, 4])).tolist()}, handle)
"""


def test_abs_both_ways(tmp_path):
    for program, source, target in ((MINDSPORE, "mindspore", "torch"), (TORCH, "torch", "mindspore")):
        out, _ = converted_completely(program, target)
        original, converted = run_both(tmp_path, f"abs_{source}", program, out, source, target)
        assert original == converted, (source, original, converted)
