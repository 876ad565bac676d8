"""NLLLoss and the label dtype: MindSpore code feeds int32 labels, which torch's NLLLoss rejects."""
import numpy as np
import pytest

ms = pytest.importorskip("mindspore")
torch = pytest.importorskip("torch")

from msbridge.bridge.labels_torch import NLLLoss  # noqa: E402
from msbridge.convert.source import convert_source  # noqa: E402


def test_mindspore_nllloss_converts_to_the_label_casting_subclass_and_back():
    out, report = convert_source("from mindspore import nn\ncrit = nn.NLLLoss(reduction='sum')\n", "torch")
    assert out == "from msbridge.bridge.labels_torch import NLLLoss\ncrit = NLLLoss(reduction='sum')\n"
    assert report.complete and "int64" in report.uses[0].message
    back, _ = convert_source(out, "mindspore")
    assert back == "import mindspore\ncrit = mindspore.nn.NLLLoss(reduction='sum')\n"


def test_int32_labels_measured():
    rng = np.random.default_rng(0)
    logp = torch.log_softmax(torch.tensor(rng.standard_normal((5, 4)).astype(np.float32)), -1)
    labels = rng.integers(0, 4, size=5)
    with pytest.raises(RuntimeError, match="Long"):
        torch.nn.NLLLoss()(logp, torch.tensor(labels.astype(np.int32)))
    want = ms.nn.NLLLoss()(ms.Tensor(logp.numpy()), ms.Tensor(labels.astype(np.int32))).asnumpy()
    got = NLLLoss()(logp, torch.tensor(labels.astype(np.int32))).numpy()
    assert np.array_equal(got, torch.nn.NLLLoss()(logp, torch.tensor(labels)).numpy())
    np.testing.assert_allclose(got, want, rtol=1e-6)
    # MindSpore's NLLLoss takes torch's int64 labels as they are (no subclass needed that way)
    same = ms.nn.NLLLoss()(ms.Tensor(logp.numpy()), ms.Tensor(labels.astype(np.int64))).asnumpy()
    assert np.array_equal(same, want)
