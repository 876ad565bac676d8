"""``Model.eval``/``predict`` and the metrics against real MindSpore: same dict, same values, same numpy types.

A 4 -> 6 linear classifier from the same weights in both frameworks, 10
samples in batches of 4 (4, 4, 2), integer labels and one-hot labels.
"""
import mindspore as ms
import mindspore.dataset as ms_ds
import numpy as np
import pytest
import torch
from mindspore import train as ms_train

import msbridge.mindspore.dataset as our_ds
from msbridge.mindspore import train as our_train

METRICS = {"acc", "loss", "top_1_accuracy", "top_5_accuracy"}


def _data(seed=3):
    rng = np.random.default_rng(seed)
    w = rng.standard_normal((6, 4)).astype(np.float32)
    b = rng.standard_normal(6).astype(np.float32)
    x = rng.standard_normal((10, 4)).astype(np.float32)
    labels = rng.integers(0, 6, 10).astype(np.int32)
    return w, b, x, labels


def _nets(w, b):
    real = ms.nn.Dense(4, 6, weight_init=ms.Tensor(w), bias_init=ms.Tensor(b))
    ours = torch.nn.Linear(4, 6)
    with torch.no_grad():
        ours.weight.copy_(torch.from_numpy(w))
        ours.bias.copy_(torch.from_numpy(b))
    return real, ours


def _eval(metrics_real, metrics_ours, onehot=False):
    w, b, x, labels = _data()
    real_net, our_net = _nets(w, b)
    y = np.eye(6, dtype=np.float32)[labels] if onehot else labels
    real_loss = ms.nn.SoftmaxCrossEntropyWithLogits(sparse=not onehot, reduction="mean")
    our_loss = torch.nn.CrossEntropyLoss()
    real = ms_train.Model(real_net, real_loss, metrics=metrics_real).eval(
        ms_ds.NumpySlicesDataset((x, y), column_names=["x", "y"], shuffle=False).batch(4))
    ours = our_train.Model(our_net, lambda out, t: our_loss(out, t if onehot else t.long()), metrics=metrics_ours).eval(
        our_ds.NumpySlicesDataset((x, y), column_names=["x", "y"], shuffle=False).batch(4))
    return real, ours


def _assert_same(real, ours):
    assert set(ours) == set(real)
    for key in real:
        assert type(ours[key]) is type(real[key]), key
        if key == "loss":
            np.testing.assert_allclose(ours[key], real[key], rtol=1e-6)
        else:
            assert ours[key] == real[key], key


@pytest.mark.parametrize("onehot", [False, True], ids=["index-labels", "onehot-labels"])
def test_eval_metric_names_from_strings(onehot):
    real, ours = _eval(METRICS, METRICS, onehot)
    assert 0 < real["top_5_accuracy"] <= 1 and real["top_1_accuracy"] == real["acc"]
    _assert_same(real, ours)


def test_eval_metric_objects():
    real, ours = _eval({"a": ms_train.Accuracy(), "t5": ms_train.Top5CategoricalAccuracy(), "loss": ms_train.Loss()},
                       {"a": our_train.Accuracy(), "t5": our_train.Top5CategoricalAccuracy(), "loss": our_train.Loss()})
    _assert_same(real, ours)


def test_eval_without_metrics_raises_like_mindspore():
    w, b, x, labels = _data()
    real_net, our_net = _nets(w, b)
    real_ds = ms_ds.NumpySlicesDataset((x, labels), shuffle=False).batch(4)
    our_ds_ = our_ds.NumpySlicesDataset((x, labels), shuffle=False).batch(4)
    with pytest.raises(ValueError) as real_error:
        ms_train.Model(real_net, ms.nn.MSELoss()).eval(real_ds)
    with pytest.raises(ValueError) as our_error:
        our_train.Model(our_net, torch.nn.MSELoss()).eval(our_ds_)
    assert str(our_error.value) == str(real_error.value)


def test_predict_same_output():
    w, b, x, _ = _data()
    real_net, our_net = _nets(w, b)
    real = ms_train.Model(real_net).predict(ms.Tensor(x)).asnumpy()
    ours = our_train.Model(our_net).predict(torch.from_numpy(x))
    assert not ours.requires_grad
    np.testing.assert_allclose(ours.numpy(), real, rtol=1e-6, atol=1e-6)
