"""``Model(loss_scale_manager=FixedLossScaleManager(scale, drop_overflow_update=False))`` against real MindSpore
(the only manager MindSpore's CPU build runs): gradients seeded with the scale, divided back by the optimizer's
``loss_scale`` (or not: scale 4, optimizer 1 -> 4x steps), same per-step losses and weights; the managers that
need overflow checks are refused with MindSpore's error."""
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


class _Losses:
    """A user callback collecting the per-step loss, for either framework."""

    @staticmethod
    def make(base):
        class Losses(base):
            def __init__(self):
                self.values = []

            def on_train_step_end(self, run_context):
                out = run_context.original_args().net_outputs
                self.values.append(float(out.asnumpy() if isinstance(out, ms.Tensor) else out.numpy()))
        return Losses()


@pytest.mark.parametrize("manager_scale, optimizer_scale", [(1024.0, 1024.0), (4.0, 1.0)],
                         ids=["scaled-and-unscaled", "scale-left-in"])
def test_fixed_loss_scale_like_mindspore(manager_scale, optimizer_scale):
    x, y = data()
    real_net, our_net = MsNet(init_weights()), torch_net(init_weights())
    real_cb, our_cb = _Losses.make(ms_train.Callback), _Losses.make(our_train.Callback)
    ms_train.Model(real_net, ms.nn.MSELoss(),
                   ms.nn.Momentum(real_net.trainable_params(), 0.02, 0.9, loss_scale=optimizer_scale),
                   loss_scale_manager=ms_train.FixedLossScaleManager(manager_scale, drop_overflow_update=False)).train(
        2, ms_ds.NumpySlicesDataset((x, y), shuffle=False).batch(3), callbacks=real_cb)
    our_manager = our_train.FixedLossScaleManager(manager_scale, drop_overflow_update=False)
    our_train.Model(our_net, torch.nn.MSELoss(),
                    our_nn.Momentum(list(our_net.parameters()), 0.02, 0.9, loss_scale=optimizer_scale),
                    loss_scale_manager=our_manager).train(
        2, our_ds.NumpySlicesDataset((x, y), shuffle=False).batch(3), callbacks=our_cb)
    assert len(real_cb.values) == 6
    np.testing.assert_allclose(our_cb.values, real_cb.values, rtol=1e-5)
    for mine, theirs in zip(our_net.parameters(), real_net.trainable_params()):
        np.testing.assert_allclose(mine.detach().numpy(), theirs.asnumpy(), rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("make, with_optimizer", [
    (lambda api: api.FixedLossScaleManager(128.0), True),
    (lambda api: api.DynamicLossScaleManager(), True),
    (lambda api: api.FixedLossScaleManager(128.0, False), False),
], ids=["fixed-drop-overflow", "dynamic", "no-optimizer"])
def test_unsupported_managers_rejected_like_mindspore(make, with_optimizer):
    real_net, our_net = MsNet(init_weights()), torch_net(init_weights())
    with pytest.raises(ValueError) as real_error:
        ms_train.Model(real_net, ms.nn.MSELoss(), ms.nn.SGD(real_net.trainable_params()) if with_optimizer else None,
                       loss_scale_manager=make(ms_train))
    with pytest.raises(ValueError) as our_error:
        our_train.Model(our_net, torch.nn.MSELoss(), our_nn.SGD(list(our_net.parameters())) if with_optimizer
                        else None, loss_scale_manager=make(our_train))
    assert str(our_error.value) == str(real_error.value)
