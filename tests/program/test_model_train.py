"""``msbridge.mindspore.train.Model`` against the real ``mindspore.train.Model``, side by side.

The same tiny net (``twin_nets``: same initial weights), the same data in the
same order (``shuffle=False``), MSE loss, the same optimizer rule. A user
callback records every hook with (epoch, step, batch_num, epoch_num, loss):
the call sequence and the numbers must be identical, the losses equal within
float32 rounding of the two frameworks' matmuls (``rtol=1e-5``) accumulated
over 6 steps.
"""
import re

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

EPOCHS, BATCH = 2, 3  # 8 rows -> 3 batches (3, 3, 2) per epoch
NEW_HOOKS = ("on_train_begin", "on_train_epoch_begin", "on_train_step_begin", "on_train_step_end",
             "on_train_epoch_end", "on_train_end")
OLD_HOOKS = ("begin", "epoch_begin", "step_begin", "step_end", "epoch_end", "end")


def _loss_value(outputs):
    if outputs is None:
        return None
    if isinstance(outputs, ms.Tensor):
        return float(outputs.asnumpy())
    return float(outputs.numpy())


def recorder(base, hooks, stop_at=None):
    """A user callback subclass of ``base`` logging each hook in ``hooks``; requests a stop at step ``stop_at``."""
    def make(name):
        def hook(self, run_context):
            args = run_context.original_args()
            self.log.append((name, args.get("cur_epoch_num"), args.cur_step_num, args.batch_num,
                             args.get("epoch_num"), _loss_value(args.get("net_outputs"))))
            if stop_at is not None and name in ("on_train_step_end", "step_end") and args.cur_step_num == stop_at:
                run_context.request_stop()
        return hook
    namespace = {name: make(name) for name in hooks}
    namespace["__init__"] = lambda self: setattr(self, "log", [])
    return type("Recorder", (base,), namespace)()


def run_real(hooks, epochs=EPOCHS, stop_at=None, optimizer="momentum", initial_epoch=0):
    x, y = data()
    net = MsNet(init_weights())
    opt = (ms.nn.Momentum(net.trainable_params(), 0.1, 0.9) if optimizer == "momentum"
           else ms.nn.SGD(net.trainable_params(), 0.05))
    model = ms_train.Model(net, ms.nn.MSELoss(), opt)
    dataset = ms_ds.NumpySlicesDataset((x, y), column_names=["x", "y"], shuffle=False).batch(BATCH)
    rec = recorder(ms_train.Callback, hooks, stop_at)
    model.train(epochs, dataset, callbacks=[rec, ms_train.LossMonitor(2)], dataset_sink_mode=False,
                initial_epoch=initial_epoch)
    return rec.log, [p.asnumpy() for p in net.trainable_params()]


def run_ours(hooks, epochs=EPOCHS, stop_at=None, optimizer="momentum", initial_epoch=0):
    x, y = data()
    net = torch_net(init_weights())
    opt = {"momentum": lambda: our_nn.Momentum(list(net.parameters()), 0.1, 0.9),
           "sgd": lambda: our_nn.SGD(list(net.parameters()), 0.05),
           "torch_sgd": lambda: torch.optim.SGD(net.parameters(), lr=0.05)}[optimizer]()
    model = our_train.Model(net, torch.nn.MSELoss(), opt)
    dataset = our_ds.NumpySlicesDataset((x, y), column_names=["x", "y"], shuffle=False).batch(BATCH)
    rec = recorder(our_train.Callback, hooks, stop_at)
    model.train(epochs, dataset, callbacks=[rec, our_train.LossMonitor(2)], dataset_sink_mode=False,
                initial_epoch=initial_epoch)
    return rec.log, [p.detach().numpy() for p in net.parameters()]


def _split(log):
    """(hook sequence with its step numbers, losses)."""
    return [entry[:5] for entry in log], [entry[5] for entry in log]


def _assert_same(real, ours):
    (real_log, real_params), (our_log, our_params) = real, ours
    real_seq, real_losses = _split(real_log)
    our_seq, our_losses = _split(our_log)
    assert our_seq == real_seq
    assert [loss is None for loss in our_losses] == [loss is None for loss in real_losses]
    np.testing.assert_allclose([v for v in our_losses if v is not None], [v for v in real_losses if v is not None],
                               rtol=1e-5)
    for mine, theirs in zip(our_params, real_params):
        np.testing.assert_allclose(mine, theirs, rtol=2e-5, atol=1e-6)


@pytest.fixture(scope="module")
def new_style():
    return run_real(NEW_HOOKS), run_ours(NEW_HOOKS)


def test_new_style_hooks_same_sequence_steps_and_losses(new_style):
    real, ours = new_style
    assert len(real[0]) == 2 + EPOCHS * (2 + 2 * 3)  # the sequence is not empty or trivially equal
    _assert_same(real, ours)


@pytest.mark.parametrize("optimizer", ["sgd", "torch_sgd"])
def test_old_style_hooks_and_stop_request(optimizer):
    """Old hook names (begin/step_end/...), ``request_stop`` at step 4 (epoch 2), SGD on both sides."""
    real = run_real(OLD_HOOKS, stop_at=4, optimizer="sgd")
    ours = run_ours(OLD_HOOKS, stop_at=4, optimizer=optimizer)
    assert [e[0] for e in real[0]].count("step_end") == 4
    _assert_same(real, ours)


LINE = re.compile(r"^epoch: (\d+) step: (\d+), loss is (\S+)$")


def test_loss_monitor_lines(capsys):
    run_real(NEW_HOOKS)
    real_lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("epoch:")]
    run_ours(NEW_HOOKS)
    our_lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("epoch:")]
    assert len(real_lines) == 3 and len(our_lines) == len(real_lines)  # every 2nd of 6 steps
    for real_line, our_line in zip(real_lines, our_lines):
        real_match, our_match = LINE.match(real_line), LINE.match(our_line)
        assert real_match and our_match, (real_line, our_line)
        assert our_match.group(1, 2) == real_match.group(1, 2)
        np.testing.assert_allclose(float(our_match.group(3)), float(real_match.group(3)), rtol=1e-5)
        for text in (real_match.group(3), our_match.group(3)):  # a float32 value printed as a Python float
            assert float(np.float32(float(text))) == float(text), text


class _WithLoss(torch.nn.Module):
    """What a port of ``nn.WithLossCell(net, loss)`` is on torch: the network returns the loss."""

    def __init__(self, net, loss):
        super().__init__()
        self.net, self.loss = net, loss

    def forward(self, x, y):
        return self.loss(self.net(x), y)


def test_network_with_loss_and_no_loss_fn():
    x, y = data()
    real_net = MsNet(init_weights())
    real_cb, our_cb = recorder(ms_train.Callback, ("on_train_step_end",)), recorder(our_train.Callback,
                                                                                      ("on_train_step_end",))
    ms_train.Model(ms.nn.WithLossCell(real_net, ms.nn.MSELoss()), optimizer=ms.nn.SGD(real_net.trainable_params(),
                                                                                         0.05)).train(
        1, ms_ds.NumpySlicesDataset((x, y), shuffle=False).batch(BATCH), callbacks=real_cb)
    our_net = torch_net(init_weights())
    our_train.Model(_WithLoss(our_net, torch.nn.MSELoss()), optimizer=our_nn.SGD(list(our_net.parameters()),
                                                                                    0.05)).train(
        1, our_ds.NumpySlicesDataset((x, y), shuffle=False).batch(BATCH), callbacks=our_cb)
    _assert_same((real_cb.log, [p.asnumpy() for p in real_net.trainable_params()]),
                 (our_cb.log, [p.detach().numpy() for p in our_net.parameters()]))


def test_torch_dataloader_feeds_the_same_steps():
    """A port may keep a torch ``DataLoader``: same batches, same steps and losses as MindSpore's dataset."""
    x, y = data()
    real = run_real(NEW_HOOKS)
    net = torch_net(init_weights())
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y)),
                                         batch_size=BATCH, shuffle=False)
    rec = recorder(our_train.Callback, NEW_HOOKS)
    our_train.Model(net, torch.nn.MSELoss(), our_nn.Momentum(list(net.parameters()), 0.1, 0.9)).train(
        EPOCHS, loader, callbacks=[rec])
    _assert_same(real, (rec.log, [p.detach().numpy() for p in net.parameters()]))


def test_three_columns_with_loss_fn_raise_like_mindspore():
    x, y = data()
    real_net, our_net = MsNet(init_weights()), torch_net(init_weights())
    with pytest.raises(ValueError) as real_error:
        ms_train.Model(real_net, ms.nn.MSELoss(), ms.nn.SGD(real_net.trainable_params())).train(
            1, ms_ds.NumpySlicesDataset((x, y, y), shuffle=False).batch(BATCH))
    with pytest.raises(ValueError) as our_error:
        our_train.Model(our_net, torch.nn.MSELoss(), our_nn.SGD(list(our_net.parameters()))).train(
            1, our_ds.NumpySlicesDataset((x, y, y), shuffle=False).batch(BATCH))
    assert str(our_error.value) == str(real_error.value)


def test_initial_epoch_numbers():
    """Resuming with ``initial_epoch=1`` of 3: epochs 2 and 3, ``epoch_num`` 2, steps counted from 1."""
    real, ours = run_real(NEW_HOOKS, epochs=3, initial_epoch=1), run_ours(NEW_HOOKS, epochs=3, initial_epoch=1)
    assert real[0][1][:3] == ("on_train_epoch_begin", 2, 0)
    _assert_same(real, ours)


@pytest.mark.parametrize("callbacks", [[object()], 3], ids=["list-of-non-callback", "not-a-callback"])
def test_bad_callbacks_raise_like_mindspore(callbacks):
    x, y = data()
    real_net, our_net = MsNet(init_weights()), torch_net(init_weights())
    with pytest.raises(TypeError) as real_error:
        ms_train.Model(real_net, ms.nn.MSELoss(), ms.nn.SGD(real_net.trainable_params())).train(
            1, ms_ds.NumpySlicesDataset((x, y), shuffle=False).batch(BATCH), callbacks=callbacks)
    with pytest.raises(TypeError) as our_error:
        our_train.Model(our_net, torch.nn.MSELoss(), our_nn.SGD(list(our_net.parameters()))).train(
            1, our_ds.NumpySlicesDataset((x, y), shuffle=False).batch(BATCH), callbacks=callbacks)
    assert str(our_error.value) == str(real_error.value)


@pytest.mark.parametrize("value", [-1, 1.5])
def test_loss_monitor_arguments_rejected_like_mindspore(value):
    with pytest.raises(Exception) as real_error:
        ms_train.LossMonitor(value)
    with pytest.raises(Exception) as our_error:
        our_train.LossMonitor(value)
    assert type(our_error.value) is type(real_error.value)
    assert str(our_error.value) == str(real_error.value)


def test_loss_monitor_stops_on_inf_like_mindspore(capsys):
    """A diverging run (lr 1e30): both print step 1, then raise the same ValueError at step 2."""
    x, y = data()
    real_net, our_net = MsNet(init_weights()), torch_net(init_weights())
    with pytest.raises(ValueError) as real_error:
        ms_train.Model(real_net, ms.nn.MSELoss(), ms.nn.SGD(real_net.trainable_params(), 1e30)).train(
            1, ms_ds.NumpySlicesDataset((x * 1e10, y), shuffle=False).batch(BATCH), callbacks=ms_train.LossMonitor())
    real_out = capsys.readouterr().out
    with pytest.raises(ValueError) as our_error:
        our_train.Model(our_net, torch.nn.MSELoss(), our_nn.SGD(list(our_net.parameters()), 1e30)).train(
            1, our_ds.NumpySlicesDataset((x * 1e10, y), shuffle=False).batch(BATCH), callbacks=our_train.LossMonitor())
    assert str(our_error.value) == str(real_error.value)
    assert "step: 2, loss is NAN or INF" in str(real_error.value)
    assert capsys.readouterr().out.count("loss is") == real_out.count("loss is") == 1
