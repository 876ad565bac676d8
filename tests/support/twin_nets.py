"""The same tiny network (Dense 4-3-1, tanh) in MindSpore and in torch, from the same weights.

Side-by-side training tests build one of each from ``init_weights()`` and feed both ``data()``.
"""
import mindspore as ms
import numpy as np
import torch


def init_weights(seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(np.float32) * 0.5 for s in ((3, 4), (3,), (1, 3), (1,))]


def data(seed=1):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((8, 4)).astype(np.float32), rng.standard_normal((8, 1)).astype(np.float32)


class MsNet(ms.nn.Cell):
    def __init__(self, weights):
        super().__init__()
        self.fc1 = ms.nn.Dense(4, 3, weight_init=ms.Tensor(weights[0]), bias_init=ms.Tensor(weights[1]))
        self.fc2 = ms.nn.Dense(3, 1, weight_init=ms.Tensor(weights[2]), bias_init=ms.Tensor(weights[3]))
        self.act = ms.nn.Tanh()

    def construct(self, x):
        return self.fc2(self.act(self.fc1(x)))


def torch_net(weights):
    net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
    with torch.no_grad():
        for p, w in zip(net.parameters(), weights):
            p.copy_(torch.from_numpy(w))
    return net
