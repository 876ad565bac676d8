"""``ModelCheckpoint`` against real MindSpore: the same files appear (names, rotation by
``keep_checkpoint_max``, the final save, ``prefix_1`` on a second run in the same folder), and real
``mindspore.load_checkpoint`` reads ours with the same weights the real run saved (within float32 rounding
of the two frameworks' training), and the Momentum state MindSpore saves next to them."""
import os

import mindspore as ms
import mindspore.dataset as ms_ds
import numpy as np
import pytest
import torch
from mindspore import train as ms_train

import msbridge.mindspore.dataset as our_ds
import msbridge.mindspore.nn as our_nn
from msbridge.mindspore import train as our_train
from twin_nets import MsNet, data, init_weights


class TorchNet(torch.nn.Module):
    """``twin_nets.MsNet`` in torch with the same attribute names (fc1, fc2), hence the same checkpoint names."""

    def __init__(self, weights):
        super().__init__()
        self.fc1, self.fc2, self.act = torch.nn.Linear(4, 3), torch.nn.Linear(3, 1), torch.nn.Tanh()
        with torch.no_grad():
            for p, w in zip(self.parameters(), weights):
                p.copy_(torch.from_numpy(w))

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


def _train_twice(folder, ms_side):
    """Two runs (2 epochs, then 1) saving every 2 steps, keeping 2 files, into the same folder."""
    x, y = data()
    if ms_side:
        net = MsNet(init_weights())
        model = ms_train.Model(net, ms.nn.MSELoss(), ms.nn.Momentum(net.trainable_params(), 0.1, 0.9))
        dataset, api = ms_ds.NumpySlicesDataset((x, y), shuffle=False).batch(3), ms_train
    else:
        net = TorchNet(init_weights())
        model = our_train.Model(net, torch.nn.MSELoss(), our_nn.Momentum(list(net.parameters()), 0.1, 0.9))
        dataset, api = our_ds.NumpySlicesDataset((x, y), shuffle=False).batch(3), our_train
    config = api.CheckpointConfig(save_checkpoint_steps=2, keep_checkpoint_max=2)
    model.train(2, dataset, callbacks=[api.ModelCheckpoint(prefix="net", directory=str(folder), config=config)])
    first = sorted(os.listdir(folder))
    model.train(1, dataset, callbacks=[api.ModelCheckpoint(prefix="net", directory=str(folder), config=config)])
    return first, sorted(os.listdir(folder))


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    real, ours = tmp_path_factory.mktemp("real"), tmp_path_factory.mktemp("ours")
    return (real, _train_twice(real, True)), (ours, _train_twice(ours, False))


def test_same_files_as_mindspore(folders):
    (_, real_lists), (_, our_lists) = folders
    assert len(real_lists[1]) == 4  # 2 kept of the first run's 3 saves + 2 of the second's ("net_1-...")
    assert our_lists == real_lists


def test_mindspore_loads_our_files_with_the_real_weights(folders):
    (real_dir, real_lists), (our_dir, _) = folders
    for name in real_lists[1]:
        real = ms.load_checkpoint(str(real_dir / name))
        ours = ms.load_checkpoint(str(our_dir / name))
        assert sorted(ours) == sorted(real)  # weights, moments.*, global_step, learning_rate, momentum
        assert "moments.fc1.weight" in real and "global_step" in real
        for key in real:
            assert ours[key].dtype == real[key].dtype and ours[key].shape == real[key].shape, key
            np.testing.assert_allclose(ours[key].asnumpy(), real[key].asnumpy(), rtol=2e-5, atol=1e-6)
        for key in ("global_step", "learning_rate", "momentum"):
            np.testing.assert_array_equal(ours[key].asnumpy(), real[key].asnumpy())
