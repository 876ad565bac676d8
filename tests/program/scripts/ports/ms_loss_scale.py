"""Loss scaling with Model: FixedLossScaleManager(drop_overflow_update=False) and the optimizer's loss_scale
(the loss-scale set-up MindSpore runs on CPU)."""
import json
import os
import sys

import numpy as np
import mindspore as ms
from mindspore import nn
import mindspore.dataset as ds
from mindspore.train import Model, LossMonitor, Callback
from mindspore.amp import FixedLossScaleManager


class Regressor(nn.Cell):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Dense(5, 7)
        self.act = nn.Sigmoid()
        self.fc2 = nn.Dense(7, 1)

    def construct(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Recorder(Callback):
    def __init__(self):
        super().__init__()
        self.losses = []

    def step_end(self, run_context):
        self.losses.append(float(run_context.original_args().net_outputs.asnumpy()))


def main(out_file, pretrained=None):
    rng = np.random.RandomState(8)
    x = rng.randn(16, 5).astype(np.float32)
    y = (x.sum(axis=1, keepdims=True) * 0.3).astype(np.float32)
    dataset = ds.NumpySlicesDataset({"x": x, "y": y}, shuffle=False).batch(4)
    net = Regressor()
    if pretrained:
        ms.load_param_into_net(net, ms.load_checkpoint(pretrained))
    scale = 1024.0
    manager = FixedLossScaleManager(scale, drop_overflow_update=False)
    opt = nn.Momentum(net.trainable_params(), learning_rate=0.05, momentum=0.9, loss_scale=scale)
    model = Model(net, loss_fn=nn.MSELoss(), optimizer=opt, loss_scale_manager=manager)
    recorder = Recorder()
    model.train(3, dataset, callbacks=[recorder, LossMonitor()], dataset_sink_mode=False)
    with open(out_file, "w") as f:
        json.dump({"losses": recorder.losses}, f)


if __name__ == "__main__":
    init = os.path.splitext(sys.argv[1])[0] + "_init.ckpt"
    main(sys.argv[1], init if os.path.exists(init) else None)
