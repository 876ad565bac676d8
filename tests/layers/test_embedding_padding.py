"""Embedding's ``padding_idx`` is marked, not translated: the frameworks train the padding row differently.

Found by the Transformer model pair (tests/layers/models/*_transformer.py): with the same table, torch's
gradient of the padding row is zero while MindSpore 2.10 adds into it. Measured here on both, so the mark's
reason is re-checked every run.
"""
import mindspore
import numpy as np
import torch

from msbridge.convert.report import REVIEW
from msbridge.convert.source import convert_source

IDS = np.array([[0, 1, 0]])


def _padding_row_gradients():
    ms_layer = mindspore.nn.Embedding(5, 2, padding_idx=0)
    ms_grad = mindspore.grad(lambda ids: ms_layer(ids).sum(), None, ms_layer.trainable_params())(
        mindspore.Tensor(IDS.astype(np.int32)))[0].asnumpy()
    torch_layer = torch.nn.Embedding(5, 2, padding_idx=0)
    torch_layer(torch.from_numpy(IDS)).sum().backward()
    return ms_grad[0], torch_layer.weight.grad.numpy()[0]


def test_the_padding_row_trains_in_mindspore_and_not_in_torch():
    ms_row, torch_row = _padding_row_gradients()
    assert (torch_row == 0).all()
    assert (ms_row == 2).all()   # the padding index occurs twice: MindSpore adds both gradients into the row


def test_padding_idx_is_marked_both_ways():
    cases = [("from mindspore import nn\ne = nn.Embedding(5, 2, padding_idx=0)\n", "torch"),
             ("import torch\ne = torch.nn.Embedding(5, 2, padding_idx=0)\n", "mindspore")]
    for code, to in cases:
        out, report = convert_source(code, to)
        assert "# msbridge: review: " in out and "padding_idx=0" in out
        assert [use.status for use in report.uses if "Embedding" in use.api] == [REVIEW]
