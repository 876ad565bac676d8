"""A tiny MindSpore training loop for the `msbridge plot script.py` tests.

nn.Momentum fed a per-step LR list (nn.piecewise_constant_lr) or, with "schedule", a schedule cell
(nn.ExponentialDecayLR), updated in PyNative mode. Usage: python ms_tiny_train.py EPOCHS [schedule]
"""
import sys

import numpy as np
import mindspore
from mindspore import nn

EPOCHS = int(sys.argv[1])
STEPS_PER_EPOCH = 3
MILESTONES = [4, 7, EPOCHS * STEPS_PER_EPOCH]
RATES = [0.1, 0.05, 0.01]

net = nn.Dense(2, 1)
loss_fn = nn.MSELoss()
if sys.argv[2:] == ["schedule"]:
    lr = nn.ExponentialDecayLR(0.1, 0.8, 2, is_stair=True)
else:
    lr = nn.piecewise_constant_lr(MILESTONES, RATES)
optimizer = nn.Momentum(net.trainable_params(), learning_rate=lr, momentum=0.9)


def forward(x, y):
    return loss_fn(net(x), y)


grad_fn = mindspore.value_and_grad(forward, None, optimizer.parameters)
rng = np.random.default_rng(0)
for epoch in range(EPOCHS):
    for step in range(STEPS_PER_EPOCH):
        x = mindspore.tensor(rng.standard_normal((8, 2)).astype(np.float32))
        y = mindspore.tensor(rng.standard_normal((8, 1)).astype(np.float32))
        loss, grads = grad_fn(x, y)
        optimizer(grads)
