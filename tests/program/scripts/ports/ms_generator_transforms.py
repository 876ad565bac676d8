"""A custom random-access source through GeneratorDataset, vision/transforms operations in map, and a
TrainOneStepCell(WithLossCell) loop."""
import json
import os
import sys

import numpy as np
import mindspore as ms
import mindspore.nn as nn
import mindspore.dataset as ds
import mindspore.dataset.vision as vision
import mindspore.dataset.transforms as transforms


class TinyImages:
    """8x8 RGB uint8 images (HWC) with a class label."""

    def __init__(self, count=12):
        rng = np.random.RandomState(5)
        self.images = rng.randint(0, 256, (count, 8, 8, 3)).astype(np.uint8)
        self.labels = rng.randint(0, 2, count).astype(np.float32)

    def __getitem__(self, index):
        return self.images[index], self.labels[index]

    def __len__(self):
        return len(self.images)


class ConvNet(nn.Cell):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, pad_mode="valid", has_bias=True)
        self.relu = nn.ReLU()
        self.flatten = nn.Flatten()
        self.fc = nn.Dense(4 * 6 * 6, 2)

    def construct(self, x):
        return self.fc(self.flatten(self.relu(self.conv(x))))


def create_dataset():
    dataset = ds.GeneratorDataset(TinyImages(), column_names=["image", "label"], shuffle=False)
    image_ops = [vision.Rescale(1.0 / 255.0, 0.0), vision.Normalize(mean=[0.5, 0.5, 0.5], std=[0.25, 0.25, 0.25]),
                 vision.HWC2CHW()]
    dataset = dataset.map(operations=image_ops, input_columns="image")
    dataset = dataset.map(operations=transforms.TypeCast(np.int32), input_columns="label")
    return dataset.batch(4)


def main(out_file, pretrained=None):
    ms.set_seed(2)
    net = ConvNet()
    if pretrained:
        ms.load_param_into_net(net, ms.load_checkpoint(pretrained))
    loss_fn = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    optimizer = nn.SGD(net.trainable_params(), learning_rate=0.05)
    train_net = nn.TrainOneStepCell(nn.WithLossCell(net, loss_fn), optimizer)
    train_net.set_train()
    losses = []
    for epoch in range(2):
        for image, label in create_dataset().create_tuple_iterator():
            loss = train_net(image, label)
            losses.append(float(loss.asnumpy()))
    with open(out_file, "w") as f:
        json.dump({"losses": losses}, f)


if __name__ == "__main__":
    init = os.path.splitext(sys.argv[1])[0] + "_init.ckpt"
    main(sys.argv[1], init if os.path.exists(init) else None)
