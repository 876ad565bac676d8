"""A model-zoo-shaped ResNet converted to torch: layers built in helpers with ``weight_init=`` tensors
(``_conv3x3``/``_fc``), ``_bn`` helpers with MindSpore's momentum and ``gamma_init``, a bottleneck block with
``ops.Add()``/``ops.ReduceMean(keep_dims=True)`` operator instances, ``pad_mode='same'`` convolutions and max
pooling, ``nn.SequentialCell(list)``, and the parameter count through ``p.size`` over ``trainable_params()``. Run on
MindSpore and, converted, on torch with MindSpore unimportable: outputs in both modes and the count must agree.
"""

import numpy as np

from msbridge.convert.source import convert_source

from blocked_run import converted_completely, run_both

PROGRAM = '''\
import json
import sys

import numpy as np
import mindspore.nn as nn
import mindspore.ops as ops
from mindspore import Tensor


def _weight_variable(shape, factor=0.01):
    init_value = np.linspace(-factor, factor, int(np.prod(shape)), dtype=np.float32).reshape(shape)
    return Tensor(init_value)


def _conv3x3(in_channel, out_channel, stride=1):
    weight_shape = (out_channel, in_channel, 3, 3)
    weight = _weight_variable(weight_shape)
    return nn.Conv2d(in_channel, out_channel, kernel_size=3, stride=stride, padding=0, pad_mode='same',
                     weight_init=weight)


def _conv1x1(in_channel, out_channel, stride=1):
    weight = _weight_variable((out_channel, in_channel, 1, 1))
    return nn.Conv2d(in_channel, out_channel, kernel_size=1, stride=stride, padding=0, pad_mode='same',
                     weight_init=weight)


def _conv7x7(in_channel, out_channel, stride=1):
    weight = _weight_variable((out_channel, in_channel, 7, 7))
    return nn.Conv2d(in_channel, out_channel, kernel_size=7, stride=stride, padding=0, pad_mode='same',
                     weight_init=weight)


def _bn(channel):
    return nn.BatchNorm2d(channel, eps=1e-4, momentum=0.9, gamma_init=1, beta_init=0, moving_mean_init=0,
                          moving_var_init=1)


def _bn_last(channel):
    return nn.BatchNorm2d(channel, eps=1e-4, momentum=0.9, gamma_init=0.5, beta_init=0, moving_mean_init=0,
                          moving_var_init=1)


def _fc(in_channel, out_channel):
    weight = _weight_variable((out_channel, in_channel))
    return nn.Dense(in_channel, out_channel, has_bias=True, weight_init=weight, bias_init=0)


class ResidualBlock(nn.Cell):
    expansion = 4

    def __init__(self, in_channel, out_channel, stride=1):
        super(ResidualBlock, self).__init__()
        self.stride = stride
        channel = out_channel // self.expansion
        self.conv1 = _conv1x1(in_channel, channel, stride=1)
        self.bn1 = _bn(channel)
        self.conv2 = _conv3x3(channel, channel, stride=stride)
        self.bn2 = _bn(channel)
        self.conv3 = _conv1x1(channel, out_channel, stride=1)
        self.bn3 = _bn_last(out_channel)
        self.relu = nn.ReLU()
        self.down_sample = False
        if stride != 1 or in_channel != out_channel:
            self.down_sample = True
        self.down_sample_layer = None
        if self.down_sample:
            self.down_sample_layer = nn.SequentialCell([_conv1x1(in_channel, out_channel, stride), _bn(out_channel)])
        self.add = ops.Add()

    def construct(self, x):
        identity = x
        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu(out)
        out = self.conv2(out)
        out = self.bn2(out)
        out = self.relu(out)
        out = self.conv3(out)
        out = self.bn3(out)
        if self.down_sample:
            identity = self.down_sample_layer(identity)
        out = self.add(out, identity)
        out = self.relu(out)
        return out


class ResNet(nn.Cell):
    def __init__(self, block, layer_nums, in_channels, out_channels, strides, num_classes):
        super(ResNet, self).__init__()
        if not len(layer_nums) == len(in_channels) == len(out_channels) == 2:
            raise ValueError("the length of layer_num, in_channels, out_channels list must be 2!")
        self.conv1 = _conv7x7(3, 16, stride=2)
        self.bn1 = _bn(16)
        self.relu = ops.ReLU()
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, pad_mode="same")
        self.layer1 = self._make_layer(block, layer_nums[0], in_channel=in_channels[0],
                                       out_channel=out_channels[0], stride=strides[0])
        self.layer2 = self._make_layer(block, layer_nums[1], in_channel=in_channels[1],
                                       out_channel=out_channels[1], stride=strides[1])
        self.mean = ops.ReduceMean(keep_dims=True)
        self.flatten = nn.Flatten()
        self.end_point = _fc(out_channels[1], num_classes)

    def _make_layer(self, block, layer_num, in_channel, out_channel, stride):
        layers = []
        resnet_block = block(in_channel, out_channel, stride=stride)
        layers.append(resnet_block)
        for _ in range(1, layer_num):
            resnet_block = block(out_channel, out_channel, stride=1)
            layers.append(resnet_block)
        return nn.SequentialCell(layers)

    def construct(self, x):
        x = self.conv1(x)
        x = self.bn1(x)
        x = self.relu(x)
        c1 = self.maxpool(x)
        c2 = self.layer1(c1)
        c3 = self.layer2(c2)
        out = self.mean(c3, (2, 3))
        out = self.flatten(out)
        out = self.end_point(out)
        return out


def resnet_small(class_num=10):
    return ResNet(ResidualBlock, [2, 1], [16, 32], [32, 64], [1, 2], class_num)


if __name__ == "__main__":
    net = resnet_small()
    x = Tensor(np.linspace(-1, 1, 2 * 3 * 32 * 32, dtype=np.float32).reshape(2, 3, 32, 32))
    net.set_train(False)
    out_eval = net(x)
    net.set_train(True)
    out_train = net(x)
    n_params = sum(p.size for p in net.trainable_params())
    with open(sys.argv[1], "w") as fh:
        json.dump({"eval": out_eval.asnumpy().tolist(), "train": out_train.asnumpy().tolist(), "n": int(n_params)}, fh)
'''


def test_the_zoo_resnet_converts_completely():
    out, report = converted_completely(PROGRAM, "torch")


def test_the_zoo_resnet_computes_the_same_on_torch(tmp_path):
    out, _ = convert_source(PROGRAM, "torch")
    original, converted = run_both(tmp_path, "zoo_resnet", PROGRAM, out, "mindspore", "torch")
    assert original["n"] == converted["n"]
    for mode in ("eval", "train"):
        np.testing.assert_allclose(converted[mode], original[mode], rtol=1e-5, atol=1e-6, err_msg=mode)
