"""torch's F.smooth_l1_loss, F.binary_cross_entropy_with_logits, torch.cdist, torch.dot and torch.full_like
(unsupported in the sixth corpus) convert by their rows (mapping_tables/functional_more.toml) and compute what torch
computes, with torch unimportable. The rows' examples run on both frameworks in tests/layers/test_layer_rows.py
(full_like's cannot: torch's is a builtin without a readable signature); this runs a converted program."""
import numpy as np

from blocked_run import converted_completely, run_both

PROGRAM = """\
import json
import sys

import numpy as np
import torch
import torch.nn.functional as F

rng = np.random.default_rng(0)
x = torch.tensor(rng.standard_normal((4, 5)).astype(np.float32))
y = torch.tensor(rng.standard_normal((4, 5)).astype(np.float32))
p = torch.tensor(rng.uniform(size=(4, 5)).astype(np.float32))
pos = torch.tensor(rng.uniform(size=(5,)).astype(np.float32) + 0.5)
results = {
    "huber": F.smooth_l1_loss(x, y).item(),
    "huber_sum": F.smooth_l1_loss(x, y, reduction="sum", beta=0.5).item(),
    "bce": F.binary_cross_entropy_with_logits(x, p).item(),
    "bce_pos": F.binary_cross_entropy_with_logits(x, p, pos_weight=pos, reduction="none").tolist(),
    "cdist": torch.cdist(x, y, p=1.0).tolist(),
    "dot": torch.dot(x[0], y[0]).item(),
    "full": torch.full_like(x, 2.5).tolist(),
    "full_int": torch.full_like(torch.tensor([[1, 2], [3, 4]], dtype=torch.int32), 2.7).tolist(),
    "full_int_dtype": str(torch.full_like(torch.tensor([[1, 2]], dtype=torch.int32), 2.7).dtype).split(".")[-1],
}
with open(sys.argv[1], "w") as handle:
    json.dump(results, handle)
"""


def test_loss_rows_convert_and_compute_as_torch(tmp_path):
    out, _ = converted_completely(PROGRAM, "mindspore")
    assert "mindspore.ops.smooth_l1_loss(x, y, reduction='mean')" in out
    original, converted = run_both(tmp_path, "losses", PROGRAM, out, "torch", "mindspore")
    assert converted.pop("full_int_dtype").lower() == original.pop("full_int_dtype")   # Int32 / int32
    for key, value in original.items():
        np.testing.assert_allclose(converted[key], value, rtol=1e-5, atol=1e-6, err_msg=key)
