"""A MindSpore training script in the shapes of the model zoo and mindcv, written for the converter tests.

The step ends in ``ops.depend(loss, optimizer(grads))``; the loss is printed with
``float(loss)``; class labels are int32 (MindSpore's CrossEntropyLoss needs them);
Momentum has a weight decay, a ``mindspore.tensor`` LR and the net a BatchNorm
layer (MindSpore does not decay its gamma/beta). Writes a JSON summary to argv[1]:
the losses, and which parameters one zero-gradient step changed (weight decay only).
"""
import json
import sys

import numpy as np
import mindspore as ms
from mindspore import nn, ops


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm2d(3)
        self.flat = nn.Flatten()
        self.fc = nn.Dense(12, 4)

    def construct(self, x):
        return self.fc(self.flat(self.bn(x)))


net = Net()
loss_fn = nn.CrossEntropyLoss()
optimizer = nn.Momentum(net.trainable_params(), ms.tensor(0.1), 0.9, weight_decay=0.5)


def forward_fn(x, y):
    logits = net(x)
    return loss_fn(logits, y), logits


grad_fn = ms.value_and_grad(forward_fn, None, optimizer.parameters, has_aux=True)


def train_step(x, y):
    (loss, _), grads = grad_fn(x, y)
    loss = ops.depend(loss, optimizer(grads))
    return loss


decay_net = Net()
decay_opt = nn.SGD(decay_net.trainable_params(), 0.1, weight_decay=0.5)


def zero_fn(x):
    return (decay_net(x) * 0.0).sum()


zero_grad_fn = ms.value_and_grad(zero_fn, None, decay_opt.parameters)


def zero_gradient_step(x):
    """One step whose gradients are all zero: only the weight decay moves a parameter."""
    before = [np.array(p.tolist()) for p in decay_net.trainable_params()]
    loss, grads = zero_grad_fn(x)
    decay_opt(grads)
    after = [np.array(p.tolist()) for p in decay_net.trainable_params()]
    return [bool((a != b).any()) for a, b in zip(before, after)]


rng = np.random.default_rng(0)
images = rng.standard_normal((4, 2, 3, 2, 2)).astype(np.float32)
labels = rng.integers(0, 4, size=(4, 2)).astype(np.int32)
net.set_train()
losses = []
for i in range(4):
    loss = train_step(ms.tensor(images[i]), ms.tensor(labels[i]))
    losses.append(float(loss))
changed = zero_gradient_step(ms.tensor(images[0]))
with open(sys.argv[1], "w") as out:
    json.dump({"losses": losses, "changed": changed}, out)
