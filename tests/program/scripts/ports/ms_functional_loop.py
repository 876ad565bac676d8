"""A functional MindSpore training loop: value_and_grad, optimizer(grads), a NumpySlicesDataset."""
import json
import os
import sys

import numpy as np
import mindspore as ms
from mindspore import nn
import mindspore.dataset as ds


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Dense(6, 8)
        self.act = nn.ReLU()
        self.fc2 = nn.Dense(8, 3)

    def construct(self, x):
        return self.fc2(self.act(self.fc1(x)))


def create_dataset():
    rng = np.random.RandomState(0)
    x = rng.randn(24, 6).astype(np.float32)
    y = rng.randint(0, 3, 24).astype(np.int32)
    return ds.NumpySlicesDataset({"x": x, "y": y}, shuffle=False).batch(8)


def main(out_file, pretrained=None):
    ms.set_context(mode=ms.PYNATIVE_MODE)
    ms.set_seed(1)
    net = Net()
    if pretrained:
        ms.load_param_into_net(net, ms.load_checkpoint(pretrained))
    loss_fn = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    optimizer = nn.Momentum(net.trainable_params(), learning_rate=0.1, momentum=0.9)

    def forward_fn(x, y):
        return loss_fn(net(x), y)

    grad_fn = ms.value_and_grad(forward_fn, None, optimizer.parameters)
    losses = []
    for epoch in range(2):
        net.set_train()
        for x, y in create_dataset().create_tuple_iterator():
            loss, grads = grad_fn(x, y)
            optimizer(grads)
            losses.append(loss.asnumpy().item())
    with open(out_file, "w") as f:
        json.dump({"losses": losses}, f)


if __name__ == "__main__":
    init = os.path.splitext(sys.argv[1])[0] + "_init.ckpt"
    main(sys.argv[1], init if os.path.exists(init) else None)
