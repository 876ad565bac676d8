import numpy as np
from mindspore import nn, Parameter, tensor


def conv3x3(in_channels, out_channels, stride=1):
    return nn.Conv2d(in_channels, out_channels, kernel_size=3, stride=stride, pad_mode="pad", padding=1,
                     has_bias=False)


def conv1x1(in_channels, out_channels, stride=1):
    return nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride, pad_mode="valid", has_bias=False)


class BasicBlock(nn.Cell):
    """ResNet-18/34 block as in the MindSpore model zoo."""
    expansion = 1

    def __init__(self, in_channels, out_channels, stride=1, down_sample=None):
        super().__init__()
        self.conv1 = conv3x3(in_channels, out_channels, stride)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = conv3x3(out_channels, out_channels)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU()
        self.down_sample = down_sample

    def construct(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.down_sample is not None:
            identity = self.down_sample(x)
        return self.relu(out + identity)


class Bottleneck(nn.Cell):
    """ResNet-50 block: 1x1 reduce, 3x3, 1x1 expand, with a down-sampling SequentialCell."""
    expansion = 4

    def __init__(self, in_channels, channels, stride=1):
        super().__init__()
        out_channels = channels * self.expansion
        self.conv1 = conv1x1(in_channels, channels)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = conv3x3(channels, channels, stride)
        self.bn2 = nn.BatchNorm2d(channels)
        self.conv3 = conv1x1(channels, out_channels)
        self.bn3 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU()
        self.down_sample = None
        if stride != 1 or in_channels != out_channels:
            self.down_sample = nn.SequentialCell([conv1x1(in_channels, out_channels, stride),
                                                  nn.BatchNorm2d(out_channels)])

    def construct(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.down_sample is not None:
            identity = self.down_sample(x)
        return self.relu(out + identity)


class ResNetBlocks(nn.Cell):
    """A basic stage (stride 2, down-sampled), a bottleneck stage and a learnable per-channel scale."""

    def __init__(self):
        super().__init__()
        down = nn.SequentialCell(conv1x1(3, 4, 2), nn.BatchNorm2d(4))
        layers = [BasicBlock(3, 4, 2, down), BasicBlock(4, 4)]
        layers.append(Bottleneck(4, 2, 2))
        self.stages = nn.SequentialCell(layers)
        self.blocks = nn.CellList([Bottleneck(8, 2)])
        self.scale = Parameter(tensor(np.ones((1, 8, 1, 1), np.float32)), name="scale")
        self.head = nn.Identity()

    def construct(self, x):
        x = self.stages(x)
        for block in self.blocks:
            x = block(x)
        return self.head(x * self.scale)
