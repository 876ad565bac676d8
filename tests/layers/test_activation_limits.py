"""What a row's condition stands on, measured: MindSpore 2.10's ELU runs alpha=1.0 only."""
import numpy as np
import pytest

ms = pytest.importorskip("mindspore")

from msbridge.convert.source import convert_source  # noqa: E402


def test_mindspore_elu_refuses_other_alphas_so_torch_elu_translates_only_at_one():
    x = ms.Tensor(np.array([-1.0, 2.0], np.float32))
    with pytest.raises(ValueError, match="alpha must be 1.0"):
        ms.nn.ELU(alpha=0.5)(x)
    out, report = convert_source("from torch import nn\na = nn.ELU()\nb = nn.ELU(alpha=0.5)\n", "mindspore")
    assert "a = mindspore.nn.ELU()" in out
    assert [u.status for u in report.uses if u.api == "torch.nn.ELU"] == ["converted", "review"]
