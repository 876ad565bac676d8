from collections import OrderedDict

from torch import nn


class ConvBNReLU(nn.Sequential):
    """Conv, BatchNorm, ReLU6 as in torchvision's MobileNetV2 (a Sequential subclass). The padding is a literal
    per kernel size: a computed padding= cannot be checked against MindSpore's pad_mode rules at conversion time."""

    def __init__(self, in_planes, out_planes, kernel_size=3, stride=1, groups=1):
        if kernel_size == 1:
            conv = nn.Conv2d(in_planes, out_planes, 1, stride, 0, groups=groups, bias=False)
        else:
            conv = nn.Conv2d(in_planes, out_planes, 3, stride, 1, groups=groups, bias=False)
        super().__init__(
            conv,
            nn.BatchNorm2d(out_planes),
            nn.ReLU6(),
        )


class InvertedResidual(nn.Module):
    """MobileNetV2 inverted residual: expand 1x1, depthwise 3x3, linear 1x1 projection."""

    def __init__(self, inp, oup, stride, expand_ratio):
        super().__init__()
        hidden_dim = int(round(inp * expand_ratio))
        self.use_res_connect = stride == 1 and inp == oup
        layers = []
        if expand_ratio != 1:
            layers.append(ConvBNReLU(inp, hidden_dim, kernel_size=1))
        layers.extend([
            ConvBNReLU(hidden_dim, hidden_dim, stride=stride, groups=hidden_dim),
            nn.Conv2d(hidden_dim, oup, 1, 1, 0, bias=False),
            nn.BatchNorm2d(oup),
        ])
        self.conv = nn.Sequential(*layers)

    def forward(self, x):
        if self.use_res_connect:
            return x + self.conv(x)
        return self.conv(x)


class MobileNetV2Blocks(nn.Module):
    """A stride-2 block, a residual block (named through an OrderedDict) and a ModuleDict of heads."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(OrderedDict([("down", InvertedResidual(3, 4, 2, 2)),
                                                   ("res", InvertedResidual(4, 4, 1, 3))]))
        self.heads = nn.ModuleDict({"last": InvertedResidual(4, 6, 1, 1)})

    def forward(self, x):
        return self.heads["last"](self.features(x))
