"""``ms_model_train.py`` ported to torch with msbridge's runtime twins: only the imports, the network and the
loss changed. Run as a script it blocks ``import mindspore`` first and prints ``RESULT <json>``."""
import sys

if __name__ == "__main__":
    sys.modules["mindspore"] = None  # the source framework is unimportable

import json  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

import msbridge.mindspore.dataset as ds  # noqa: E402
import msbridge.mindspore.nn as nn  # noqa: E402
from msbridge.mindspore import set_seed  # noqa: E402
from msbridge.mindspore.train import (  # noqa: E402
    Callback, CheckpointConfig, LossMonitor, Model, ModelCheckpoint, TimeMonitor)


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
        self.steps.append([cb.cur_epoch_num, cb.cur_step_num, float(cb.net_outputs.numpy())])


def build_net():
    rng = np.random.default_rng(1)
    net = torch.nn.Linear(4, 2)
    with torch.no_grad():
        net.weight.copy_(torch.from_numpy(rng.standard_normal((2, 4)).astype(np.float32)))
        net.bias.zero_()
    return net


def main(ckpt_dir):
    set_seed(0)
    train_ds = ds.GeneratorDataset(Squares(10), column_names=["x", "y"], shuffle=False)
    train_ds = train_ds.map(operations=scale, input_columns=["x"]).batch(4, drop_remainder=False)
    net = build_net()
    cross_entropy = torch.nn.CrossEntropyLoss()

    def loss_fn(logits, label):
        return cross_entropy(logits, label.long())
    opt = nn.Momentum([p for p in net.parameters() if p.requires_grad], learning_rate=0.1, momentum=0.9)
    model = Model(net, loss_fn=loss_fn, optimizer=opt, metrics={"acc", "loss"})
    record = Record()
    ckpt = ModelCheckpoint(prefix="net", directory=ckpt_dir,
                           config=CheckpointConfig(save_checkpoint_steps=4, keep_checkpoint_max=2))
    model.train(3, train_ds, callbacks=[record, LossMonitor(3), TimeMonitor(), ckpt], dataset_sink_mode=False)
    result = model.eval(train_ds)
    return record.steps, {k: float(v) for k, v in result.items()}


if __name__ == "__main__":
    steps, evaluation = main(sys.argv[1])
    print("RESULT " + json.dumps({"steps": steps, "eval": evaluation}))
