"""``Model.fit`` against real MindSpore: evaluation inside training at the epochs ``valid_frequency`` picks,
the hooks user callbacks see (train and eval, interleaved), the metrics and ``eval_results`` visible at
``on_train_epoch_end``, and LossMonitor's "Eval result" line."""
import mindspore as ms
import mindspore.dataset as ms_ds
import numpy as np
import pytest
import torch
from mindspore import train as ms_train

import msbridge.mindspore.dataset as our_ds
import msbridge.mindspore.nn as our_nn
from msbridge.mindspore import train as our_train
from twin_nets import MsNet, data, init_weights, torch_net

HOOKS = ("on_train_epoch_begin", "on_train_step_end", "on_train_epoch_end", "on_eval_begin", "on_eval_step_end",
         "on_eval_end")


def _number(value):
    if isinstance(value, tuple):  # eval: (loss, outputs, label)
        value = value[0]
    if value is None:
        return None
    return float(value.asnumpy() if isinstance(value, ms.Tensor) else value.numpy())


def _recorder(base):
    class Recorder(base):
        def __init__(self):
            self.log = []

    def make(name):
        def hook(self, run_context):
            args = run_context.original_args()
            metrics = args.get("metrics")
            results = args.get("eval_results")
            self.log.append((name, args.mode, args.get("cur_epoch_num"), args.cur_step_num, args.batch_num,
                             _number(args.get("net_outputs")),
                             None if metrics is None else sorted(metrics.items()),
                             None if results is None else sorted(results.items())))
        return hook
    for name in HOOKS:
        setattr(Recorder, name, make(name))
    return Recorder()


def _fit(real, capsys):
    x, y = data()
    if real:
        net = MsNet(init_weights())
        model = ms_train.Model(net, ms.nn.MSELoss(), ms.nn.Momentum(net.trainable_params(), 0.1, 0.9),
                               metrics={"loss"})
        train_ds = ms_ds.NumpySlicesDataset((x, y), shuffle=False).batch(3)
        valid_ds = ms_ds.NumpySlicesDataset((x[:5], y[:5]), shuffle=False).batch(2)
        api = ms_train
    else:
        net = torch_net(init_weights())
        model = our_train.Model(net, torch.nn.MSELoss(), our_nn.Momentum(list(net.parameters()), 0.1, 0.9),
                                metrics={"loss"})
        train_ds = our_ds.NumpySlicesDataset((x, y), shuffle=False).batch(3)
        valid_ds = our_ds.NumpySlicesDataset((x[:5], y[:5]), shuffle=False).batch(2)
        api = our_train
    rec = _recorder(api.Callback)
    model.fit(3, train_ds, valid_ds, valid_frequency=2, callbacks=[rec, api.LossMonitor(3)])
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith(("epoch:", "Eval result"))]
    return rec.log, lines


def _close(a, b):
    if isinstance(a, list):
        return len(a) == len(b) and all(k1 == k2 and np.isclose(v1, v2, rtol=1e-5) for (k1, v1), (k2, v2) in zip(a, b))
    if isinstance(a, float):
        return np.isclose(a, b, rtol=1e-5)
    return a == b


def test_fit_hooks_metrics_and_lines_like_mindspore(capsys):
    real_log, real_lines = _fit(True, capsys)
    our_log, our_lines = _fit(False, capsys)
    assert any(entry[0] == "on_eval_end" for entry in real_log)  # epoch 2 evaluated
    assert [entry[:5] for entry in our_log] == [entry[:5] for entry in real_log]
    for real_entry, our_entry in zip(real_log, our_log):
        for real_value, our_value in zip(real_entry[5:], our_entry[5:]):
            assert (real_value is None) == (our_value is None), (real_entry, our_entry)
            if real_value is not None:
                assert _close(real_value, our_value), (real_entry, our_entry)
    assert [line.split(", loss is")[0].split("metrics:")[0] for line in our_lines] == \
        [line.split(", loss is")[0].split("metrics:")[0] for line in real_lines]
    assert any(line.startswith("Eval result: epoch 2") for line in real_lines)


def test_fit_without_metrics_raises_like_mindspore():
    x, y = data()
    real_net, our_net = MsNet(init_weights()), torch_net(init_weights())
    with pytest.raises(ValueError) as real_error:
        ms_train.Model(real_net, ms.nn.MSELoss(), ms.nn.SGD(real_net.trainable_params())).fit(
            1, ms_ds.NumpySlicesDataset((x, y), shuffle=False).batch(3),
            ms_ds.NumpySlicesDataset((x, y), shuffle=False).batch(3))
    with pytest.raises(ValueError) as our_error:
        our_train.Model(our_net, torch.nn.MSELoss(), our_nn.SGD(list(our_net.parameters()))).fit(
            1, our_ds.NumpySlicesDataset((x, y), shuffle=False).batch(3),
            our_ds.NumpySlicesDataset((x, y), shuffle=False).batch(3))
    assert str(our_error.value) == str(real_error.value)
