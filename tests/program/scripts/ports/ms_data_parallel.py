"""Data-parallel training: communication init, rank and group size, DATA_PARALLEL with gradients_mean, the
dataset sharded by rank, Model.train. With RANK_SIZE unset it runs on one process (the global batch)."""
import json
import os
import sys

import numpy as np
import mindspore as ms
from mindspore import nn, context
from mindspore.communication.management import init, get_rank, get_group_size
from mindspore.context import ParallelMode
import mindspore.dataset as ds
from mindspore.train import Model

GLOBAL_BATCH = 8


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Dense(4, 6)
        self.act = nn.Tanh()
        self.fc2 = nn.Dense(6, 2)

    def construct(self, x):
        return self.fc2(self.act(self.fc1(x)))


def create_dataset(rank_id, rank_size):
    rng = np.random.RandomState(4)
    x = rng.randn(32, 4).astype(np.float32)
    y = rng.randint(0, 2, 32).astype(np.int32)
    dataset = ds.NumpySlicesDataset({"x": x, "y": y}, shuffle=False, num_shards=rank_size, shard_id=rank_id)
    return dataset.batch(GLOBAL_BATCH // rank_size, drop_remainder=True)


def main(out_file, pretrained=None):
    mode = context.GRAPH_MODE if os.getenv("MS_MODE", "graph") == "graph" else context.PYNATIVE_MODE
    context.set_context(mode=mode, device_target="CPU")
    rank_size = int(os.getenv("RANK_SIZE", "1"))
    if rank_size > 1:
        init()
        context.set_auto_parallel_context(parallel_mode=ParallelMode.DATA_PARALLEL, gradients_mean=True,
                                          device_num=get_group_size())
    rank_id, rank_size = get_rank(), get_group_size()
    net = Net()
    if pretrained:
        ms.load_param_into_net(net, ms.load_checkpoint(pretrained))
    loss = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    opt = nn.Momentum(net.trainable_params(), learning_rate=0.1, momentum=0.9)
    model = Model(net, loss_fn=loss, optimizer=opt)
    model.train(2, create_dataset(rank_id, rank_size), dataset_sink_mode=False)
    if rank_id == 0:
        ms.save_checkpoint(net, os.path.splitext(out_file)[0] + "_final.ckpt")
        with open(out_file, "w") as f:
            json.dump({"rank_size": rank_size}, f)


if __name__ == "__main__":
    init_file = os.path.splitext(sys.argv[1])[0] + "_init.ckpt"
    main(sys.argv[1], init_file if os.path.exists(init_file) else None)
