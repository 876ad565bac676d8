"""Layers passed as values, as mindcv writes them: ``norm_layer=nn.LayerNorm``, ``act_layer=nn.GELU`` defaults,
``partial(nn.LayerNorm, epsilon=1e-6)`` and ``partial(nn.GELU, approximate=False)`` passed in, a BatchNorm2d
class called later with MindSpore's momentum. Converted to torch these become msbridge's twins (torch classes
taking MindSpore's arguments). tests/convert/test_convert_training.py runs the conversion with MindSpore blocked
and compares with real MindSpore from the same parameters; writes {net: {start, train, eval}} to argv[1]."""
import json
import sys
from functools import partial

import numpy as np
import mindspore
from mindspore import nn


class Mlp(nn.Cell):
    def __init__(self, dim, hidden, act_layer=nn.GELU):
        super().__init__()
        self.fc1 = nn.Dense(dim, hidden)
        self.act = act_layer()
        self.fc2 = nn.Dense(hidden, dim)

    def construct(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Cell):
    def __init__(self, dim, norm_layer=nn.LayerNorm, act_layer=nn.GELU):
        super().__init__()
        self.norm1 = norm_layer((dim,))
        self.mlp = Mlp(dim, dim * 2, act_layer=act_layer)

    def construct(self, x):
        return x + self.mlp(self.norm1(x))


class Net(nn.Cell):
    def __init__(self, dim=8, norm_layer=nn.LayerNorm, act_layer=nn.GELU, bn_layer=nn.BatchNorm2d):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3)
        self.bn = bn_layer(2, momentum=0.8)
        self.blocks = nn.SequentialCell([Block(dim, norm_layer, act_layer) for _ in range(2)])
        self.norm = norm_layer((dim,), epsilon=1e-5)

    def construct(self, img):
        y = self.bn(self.conv(img))
        return self.norm(self.blocks(y.reshape(y.shape[0], -1, 8)))


SMALL = {"norm_layer": partial(nn.LayerNorm, epsilon=1e-6), "act_layer": partial(nn.GELU, approximate=False)}


if __name__ == "__main__":
    x = mindspore.Tensor(np.random.default_rng(0).standard_normal((2, 1, 4, 4)).astype(np.float32) * 3)
    results = {}
    for name, layers in (("default", {}), ("small", SMALL)):
        net = Net(**layers)
        start = [p.tolist() for p in net.trainable_params()]
        net.set_train(True)   # batch statistics, and BatchNorm's moving ones updated: the eval pass reads them
        train = net(x).tolist()
        net.set_train(False)
        results[name] = {"start": start, "train": train, "eval": net(x).tolist()}
    with open(sys.argv[1], "w") as handle:
        json.dump(results, handle)
