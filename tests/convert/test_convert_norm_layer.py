"""A torchvision-shaped ResNet converted to MindSpore: ``norm_layer = nn.BatchNorm2d`` passed as a value and called
later, ``conv3x3`` helpers with run-time padding, ``nn.Sequential`` downsampling, an init loop over ``self.modules()``
with ``zero_init_residual``, ``out += identity``, ``torch.flatten``. Run on torch and, converted, on MindSpore with
torch unimportable: the outputs in inference and training mode and the parameter count must agree.
"""

import numpy as np

from msbridge.convert.source import convert_source

from blocked_run import converted_completely, run_both

PROGRAM = '''\
import json
import sys
from typing import Callable, List, Optional, Type

import numpy as np
import torch
import torch.nn as nn
from torch import Tensor


def conv3x3(in_planes: int, out_planes: int, stride: int = 1, groups: int = 1, dilation: int = 1) -> nn.Conv2d:
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=dilation, groups=groups,
                     bias=False, dilation=dilation)


def conv1x1(in_planes: int, out_planes: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    expansion: int = 1

    def __init__(self, inplanes, planes, stride=1, downsample: Optional[nn.Module] = None, groups=1,
                 base_width=64, dilation=1, norm_layer: Optional[Callable[..., nn.Module]] = None) -> None:
        super().__init__()
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = norm_layer(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = norm_layer(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x: Tensor) -> Tensor:
        identity = x
        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu(out)
        out = self.conv2(out)
        out = self.bn2(out)
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        out = self.relu(out)
        return out


class ResNet(nn.Module):
    def __init__(self, block: Type[BasicBlock], layers: List[int], num_classes: int = 10,
                 zero_init_residual: bool = False) -> None:
        super().__init__()
        self._norm_layer = nn.BatchNorm2d
        self.inplanes = 16
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = self._norm_layer(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 16, layers[0])
        self.layer2 = self._make_layer(block, 32, layers[1], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(32 * block.expansion, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.constant_(m.weight, 0.01)
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
            elif isinstance(m, nn.Linear):
                nn.init.constant_(m.weight, 0.02)
                nn.init.constant_(m.bias, 0.1)
        if zero_init_residual:
            for m in self.modules():
                if isinstance(m, BasicBlock) and m.bn2.weight is not None:
                    nn.init.constant_(m.bn2.weight, 0)

    def _make_layer(self, block, planes: int, blocks: int, stride: int = 1) -> nn.Sequential:
        norm_layer = self._norm_layer
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                conv1x1(self.inplanes, planes * block.expansion, stride),
                norm_layer(planes * block.expansion),
            )
        layers = []
        layers.append(block(self.inplanes, planes, stride, downsample, 1, 64, 1, norm_layer))
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(block(self.inplanes, planes, norm_layer=norm_layer))
        return nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        x = self.conv1(x)
        x = self.bn1(x)
        x = self.relu(x)
        x = self.maxpool(x)
        x = self.layer1(x)
        x = self.layer2(x)
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        x = self.fc(x)
        return x


def resnet_small(**kwargs) -> ResNet:
    return ResNet(BasicBlock, [2, 2], **kwargs)


if __name__ == "__main__":
    net = resnet_small(zero_init_residual=True)
    x = torch.tensor(np.linspace(-1, 1, 2 * 3 * 32 * 32, dtype=np.float32).reshape(2, 3, 32, 32))
    net.eval()
    with torch.no_grad():
        out_eval = net(x)
    net.train()
    out_train = net(x)
    n_params = sum(p.numel() for p in net.parameters())
    with open(sys.argv[1], "w") as fh:
        json.dump({"eval": out_eval.tolist(), "train": out_train.tolist(), "n": n_params}, fh)
'''


def test_the_resnet_converts_completely():
    out, report = converted_completely(PROGRAM, "mindspore")
    assert "            norm_layer = BatchNorm2d\n" in out and "self._norm_layer = BatchNorm2d\n" in out


def test_the_resnet_computes_the_same_on_mindspore(tmp_path):
    out, _ = convert_source(PROGRAM, "mindspore")
    original, converted = run_both(tmp_path, "resnet", PROGRAM, out, "torch", "mindspore")
    assert original["n"] == converted["n"]
    for mode in ("eval", "train"):
        np.testing.assert_allclose(converted[mode], original[mode], rtol=1e-5, atol=1e-6, err_msg=mode)
