"""A ResNet-style MindSpore training script, written for the converter tests.

The LR set-up follows MindSpore's ResNet recipes: a per-step LR (a list from
nn.piecewise_constant_lr / nn.cosine_decay_lr, or an nn.ExponentialDecayLR
schedule) fed to nn.Momentum, trained with value_and_grad. Usage:
    python ms_resnet_lr.py piecewise|cosine|exponential
"""
import sys

import numpy as np
import mindspore as ms
from mindspore import nn

EPOCHS = 3
STEPS_PER_EPOCH = 4
BASE_LR = 0.1


class ResidualBlock(nn.Cell):
    """Two dense layers with an identity shortcut."""

    def __init__(self, width):
        super().__init__()
        self.fc1 = nn.Dense(width, width)
        self.relu = nn.ReLU()
        self.fc2 = nn.Dense(width, width)

    def construct(self, x):
        return self.relu(x + self.fc2(self.relu(self.fc1(x))))


class ResNet(nn.Cell):
    def __init__(self, width=8, num_outputs=3):
        super().__init__()
        self.stem = nn.Dense(4, width)
        self.block = ResidualBlock(width)
        self.head = nn.Dense(width, num_outputs)

    def construct(self, x):
        return self.head(self.block(self.stem(x)))


def get_lr(kind, total_steps):
    """The per-step learning rate, as ResNet's lr_generator builds it."""
    if kind == "piecewise":
        milestones = [STEPS_PER_EPOCH, 2 * STEPS_PER_EPOCH, total_steps]
        return nn.piecewise_constant_lr(milestones, [BASE_LR, BASE_LR * 0.1, BASE_LR * 0.01])
    if kind == "cosine":
        return nn.cosine_decay_lr(0.001, BASE_LR, total_steps, STEPS_PER_EPOCH, EPOCHS)
    return nn.ExponentialDecayLR(BASE_LR, 0.9, STEPS_PER_EPOCH, is_stair=True)


rng = np.random.default_rng(0)
data = rng.standard_normal((STEPS_PER_EPOCH, 16, 4)).astype(np.float32)
targets = rng.standard_normal((STEPS_PER_EPOCH, 16, 3)).astype(np.float32)

net = ResNet()
loss_fn = nn.MSELoss()
lr = get_lr(sys.argv[1], EPOCHS * STEPS_PER_EPOCH)
optimizer = nn.Momentum(net.trainable_params(), learning_rate=lr, momentum=0.9, weight_decay=1e-4)


def forward_fn(x, y):
    logits = net(x)
    loss = loss_fn(logits, y)
    return loss, logits


grad_fn = ms.value_and_grad(forward_fn, None, optimizer.parameters, has_aux=True)


def train_step(x, y):
    (loss, _), grads = grad_fn(x, y)
    optimizer(grads)
    return loss


for epoch in range(EPOCHS):
    for step in range(STEPS_PER_EPOCH):
        loss = train_step(ms.tensor(data[step]), ms.tensor(targets[step]))
    print(f"epoch {epoch}: loss {float(loss):.4f}")
