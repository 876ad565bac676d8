"""Dropout with 0 < p < 1 draws a different random mask in each framework: compare statistics.

The row harness checks p = 0 (identity, bit for bit) in train and eval mode; here, through the
row's own translation: the drop fraction agrees with p on both sides (a 5-sigma binomial
bound), kept values are scaled by the same 1/(1-p), eval mode is the identity, and p = 1 (which
MindSpore rejects) does not translate.
"""
import mindspore
import numpy as np
import pytest
import torch

from msbridge.tables import load_tables
from msbridge.tables.translate import RowDoesNotApply, translate

ROW = load_tables().row("nn.Dropout")
N = 20000


def _torch_out(p, train):
    layer = torch.nn.Dropout(p)
    layer.train(train)
    return layer(torch.ones(N)).numpy()


def _ms_out(kwargs, train):
    layer = mindspore.nn.Dropout(**kwargs)
    layer.set_train(train)
    return layer(mindspore.Tensor(np.ones(N, np.float32))).asnumpy()


@pytest.mark.parametrize("keep_prob", [0.7, 0.2])
def test_dropout_statistics_agree(keep_prob):
    torch.manual_seed(0)
    mindspore.set_seed(0)
    p = translate(ROW, "to_torch", (), {"keep_prob": keep_prob}).kwargs["p"]
    ms, pt = _ms_out({"keep_prob": keep_prob}, True), _torch_out(p, True)
    bound = 5 * np.sqrt(p * (1 - p) / N)
    for out in (ms, pt):
        assert abs(np.mean(out == 0) - p) < bound
    np.testing.assert_allclose(np.unique(ms[ms != 0]), np.unique(pt[pt != 0]), rtol=1e-6)
    assert np.unique(pt[pt != 0]).size == 1


def test_dropout_eval_is_identity_on_both_sides():
    kwargs = translate(ROW, "to_mindspore", (), {"p": 0.5}).kwargs
    np.testing.assert_array_equal(_ms_out(kwargs, False), _torch_out(0.5, False))
    np.testing.assert_array_equal(_ms_out(kwargs, False), np.ones(N, np.float32))


def test_dropout_p_one_does_not_translate_to_mindspore():
    assert np.all(_torch_out(1.0, True) == 0)
    with pytest.raises(ValueError):
        mindspore.nn.Dropout(p=1.0)
    with pytest.raises(RowDoesNotApply):
        translate(ROW, "to_mindspore", (), {"p": 1.0})
