"""msbridge.mindspore.nn.LossBase (torch) against mindspore.nn.LossBase: one hand-written loss, both bases.

The loss is the model-zoo shape: arithmetic in ``construct``, then ``self.get_loss(x, weights)``."""
import numpy as np
import pytest

ms = pytest.importorskip("mindspore")
torch = pytest.importorskip("torch")

from msbridge.mindspore import nn as msb_nn  # noqa: E402
from msbridge.convert.source import convert_source  # noqa: E402


def _loss_class(base):
    class Smooth(base):
        def __init__(self, reduction="mean", smooth=0.1):
            super().__init__(reduction)
            self.smooth = smooth

        def construct(self, logits, labels, weights=1.0):
            d = logits - labels
            return self.get_loss(d * d + self.smooth, weights)
    return Smooth


RNG = np.random.default_rng(0)
LOGITS, LABELS = RNG.standard_normal((3, 4)).astype(np.float32), RNG.standard_normal((3, 4)).astype(np.float32)
ROW_WEIGHTS = RNG.uniform(0.5, 2.0, (3, 1)).astype(np.float32)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weights", ["scalar", "tensor"])
def test_get_loss_and_its_gradient_match_mindspore(reduction, weights):
    ms_loss, our_loss = _loss_class(ms.nn.LossBase)(reduction), _loss_class(msb_nn.LossBase)(reduction)
    ms_w = 0.5 if weights == "scalar" else ms.Tensor(ROW_WEIGHTS)
    our_w = 0.5 if weights == "scalar" else torch.tensor(ROW_WEIGHTS)

    def ms_total(x):
        return (ms_loss(x, ms.Tensor(LABELS), ms_w) * 1.5).sum()
    want, want_grad = ms.value_and_grad(ms_total)(ms.Tensor(LOGITS))
    x = torch.tensor(LOGITS, requires_grad=True)
    got = our_loss(x, torch.tensor(LABELS), our_w)
    (got * 1.5).sum().backward()
    assert tuple(got.shape) == tuple(ms_loss(ms.Tensor(LOGITS), ms.Tensor(LABELS), ms_w).shape)
    assert got.dtype == torch.float32 and our_loss.reduction == reduction
    assert (our_loss.average, our_loss.reduce) == (ms_loss.average, ms_loss.reduce)
    np.testing.assert_allclose(got.sum().item() * 1.5, want.asnumpy(), rtol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), want_grad.asnumpy(), rtol=1e-6)


def test_float16_input_comes_back_float16_as_in_mindspore():
    x = RNG.standard_normal((2, 3)).astype(np.float16)
    want = ms.nn.LossBase("sum").get_loss(ms.Tensor(x))
    got = msb_nn.LossBase("sum").get_loss(torch.tensor(x))
    assert got.dtype == torch.float16 and want.dtype == ms.float16
    assert got.item() == want.asnumpy().item()


def test_bad_reduction_is_the_same_value_error():
    with pytest.raises(ValueError) as want:
        _loss_class(ms.nn.LossBase)("avg")
    with pytest.raises(ValueError) as got:
        _loss_class(msb_nn.LossBase)("avg")
    assert str(got.value) == str(want.value)


def test_a_lossbase_subclass_converts_to_the_twin():
    source = ("from mindspore import nn\n\nclass Smooth(nn.LossBase):\n    def construct(self, x):\n"
              "        return self.get_loss(x * x)\n")
    out, report = convert_source(source, "torch")
    assert "from msbridge.mindspore.nn import LossBase" in out and "class Smooth(LossBase):" in out
    assert report.complete
