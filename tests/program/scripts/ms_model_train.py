"""A typical MindSpore training script: GeneratorDataset + map + batch, Model.train with callbacks and
checkpoints, eval.

``main(ckpt_dir)`` returns the per-step (epoch, step, loss) a user callback saw and the eval dict.
"""
import sys

import numpy as np
import mindspore as ms
from mindspore import nn
import mindspore.dataset as ds
from mindspore import set_seed
from mindspore.train import Model, Callback, LossMonitor, TimeMonitor, ModelCheckpoint, CheckpointConfig


class Squares:
    """Random-access source: features and a class label."""

    def __init__(self, n):
        rng = np.random.default_rng(7)
        self.x = rng.standard_normal((n, 4)).astype(np.float32)
        self.y = (self.x.sum(axis=1) > 0).astype(np.int32)

    def __getitem__(self, i):
        return self.x[i], self.y[i]

    def __len__(self):
        return len(self.x)


def scale(x):
    return x * np.float32(0.5)


class Record(Callback):
    def __init__(self):
        self.steps = []

    def on_train_step_end(self, run_context):
        cb = run_context.original_args()
        self.steps.append([cb.cur_epoch_num, cb.cur_step_num, float(cb.net_outputs.asnumpy())])


def build_net():
    rng = np.random.default_rng(1)
    return nn.Dense(4, 2, weight_init=ms.Tensor(rng.standard_normal((2, 4)).astype(np.float32)),
                    bias_init=ms.Tensor(np.zeros(2, np.float32)))


def main(ckpt_dir):
    set_seed(0)
    train_ds = ds.GeneratorDataset(Squares(10), column_names=["x", "y"], shuffle=False)
    train_ds = train_ds.map(operations=scale, input_columns=["x"]).batch(4, drop_remainder=False)
    net = build_net()
    loss_fn = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    opt = nn.Momentum(net.trainable_params(), learning_rate=0.1, momentum=0.9)
    model = Model(net, loss_fn=loss_fn, optimizer=opt, metrics={"acc", "loss"})
    record = Record()
    ckpt = ModelCheckpoint(prefix="net", directory=ckpt_dir,
                           config=CheckpointConfig(save_checkpoint_steps=4, keep_checkpoint_max=2))
    model.train(3, train_ds, callbacks=[record, LossMonitor(3), TimeMonitor(), ckpt], dataset_sink_mode=False)
    result = model.eval(train_ds)
    return record.steps, {k: float(v) for k, v in result.items()}


if __name__ == "__main__":
    print(main(sys.argv[1]))
