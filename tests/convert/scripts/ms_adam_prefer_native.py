"""MindSpore Adam training a Dense layer for five steps (converted with --prefer native); writes the start and end parameters to argv[1]."""
import json
import sys

import numpy as np
import mindspore as ms
from mindspore import nn

ms.set_seed(0)
net = nn.Dense(4, 3)
loss_fn = nn.MSELoss()
optimizer = nn.Adam(net.trainable_params(), learning_rate=0.01, eps=1e-6)


def forward_fn(x, y):
    return loss_fn(net(x), y)


grad_fn = ms.value_and_grad(forward_fn, None, optimizer.parameters)
rng = np.random.default_rng(0)
x = rng.standard_normal((8, 4)).astype(np.float32)
y = rng.standard_normal((8, 3)).astype(np.float32)
start = [p.tolist() for p in net.trainable_params()]
for _ in range(5):
    loss, grads = grad_fn(ms.tensor(x), ms.tensor(y))
    optimizer(grads)
end = [p.tolist() for p in net.trainable_params()]
with open(sys.argv[1], "w") as out:
    json.dump({"start": start, "end": end}, out)
