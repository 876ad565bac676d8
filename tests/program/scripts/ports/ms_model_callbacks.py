"""Model.train with callbacks (LossMonitor, TimeMonitor, a user Callback), ModelCheckpoint/CheckpointConfig,
then the last checkpoint loaded back into a fresh network and evaluated."""
import json
import os
import sys

import numpy as np
import mindspore as ms
from mindspore import nn, context
import mindspore.dataset as ds
from mindspore.train import Model, Callback, LossMonitor, TimeMonitor, ModelCheckpoint, CheckpointConfig
from mindspore.nn.metrics import Accuracy


class LeNetish(nn.Cell):
    def __init__(self, num_classes=4):
        super().__init__()
        self.fc1 = nn.Dense(10, 16)
        self.relu = nn.ReLU()
        self.fc2 = nn.Dense(16, num_classes)

    def construct(self, x):
        return self.fc2(self.relu(self.fc1(x)))


class StepLoss(Callback):
    """Records (epoch, step, loss) at every step end."""

    def __init__(self):
        super().__init__()
        self.records = []

    def on_train_step_end(self, run_context):
        cb_params = run_context.original_args()
        loss = cb_params.net_outputs
        self.records.append([cb_params.cur_epoch_num, cb_params.cur_step_num, float(loss.asnumpy())])


def create_dataset(batch_size=5):
    rng = np.random.RandomState(3)
    data = rng.randn(20, 10).astype(np.float32)
    label = rng.randint(0, 4, 20).astype(np.int32)
    dataset = ds.NumpySlicesDataset((data, label), column_names=["data", "label"], shuffle=False)
    return dataset.batch(batch_size, drop_remainder=True)


def main(out_file, pretrained=None):
    mode = context.GRAPH_MODE if os.getenv("MS_MODE", "graph") == "graph" else context.PYNATIVE_MODE
    context.set_context(mode=mode, device_target="CPU")
    ckpt_dir = os.path.splitext(out_file)[0] + "_ckpt"
    net = LeNetish()
    if pretrained:
        ms.load_param_into_net(net, ms.load_checkpoint(pretrained))
    loss = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    opt = nn.Momentum(net.trainable_params(), learning_rate=0.05, momentum=0.9)
    model = Model(net, loss_fn=loss, optimizer=opt, metrics={"acc": Accuracy()})
    config = CheckpointConfig(save_checkpoint_steps=4, keep_checkpoint_max=1)
    ckpt_cb = ModelCheckpoint(prefix="lenet", directory=ckpt_dir, config=config)
    recorder = StepLoss()
    model.train(2, create_dataset(), callbacks=[LossMonitor(2), TimeMonitor(), ckpt_cb, recorder],
                dataset_sink_mode=False)

    restored = LeNetish()
    param_dict = ms.load_checkpoint(os.path.join(ckpt_dir, "lenet-2_4.ckpt"))
    ms.load_param_into_net(restored, param_dict)
    evaluator = Model(restored, loss_fn=loss, metrics={"acc": Accuracy()})
    acc = evaluator.eval(create_dataset(), dataset_sink_mode=False)
    with open(out_file, "w") as f:
        json.dump({"losses": [r[2] for r in recorder.records], "steps": [r[:2] for r in recorder.records],
                   "acc": float(acc["acc"]), "files": sorted(os.listdir(ckpt_dir))}, f)


if __name__ == "__main__":
    init = os.path.splitext(sys.argv[1])[0] + "_init.ckpt"
    main(sys.argv[1], init if os.path.exists(init) else None)
