from mindspore import nn


class ConvBNReLU(nn.Cell):
    """Conv, BatchNorm, ReLU6 as in the MindSpore model zoo's MobileNetV2 ('same' padding)."""

    def __init__(self, in_planes, out_planes, kernel_size=3, stride=1, groups=1):
        super().__init__()
        if groups == 1:
            conv = nn.Conv2d(in_planes, out_planes, kernel_size, stride, pad_mode="same")
        else:
            conv = nn.Conv2d(in_planes, in_planes, kernel_size, stride, pad_mode="same", group=in_planes)
        layers = [conv, nn.BatchNorm2d(out_planes), nn.ReLU6()]
        self.features = nn.SequentialCell(layers)

    def construct(self, x):
        return self.features(x)


class InvertedResidual(nn.Cell):
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
            nn.Conv2d(hidden_dim, oup, kernel_size=1, stride=1, has_bias=False),
            nn.BatchNorm2d(oup),
        ])
        self.conv = nn.SequentialCell(layers)

    def construct(self, x):
        if self.use_res_connect:
            return x + self.conv(x)
        return self.conv(x)


class MobileNetV2Blocks(nn.Cell):
    """A stride-2 block and a residual block held in a CellDict, then a block without expansion."""

    def __init__(self):
        super().__init__()
        self.blocks = nn.CellDict({"down": InvertedResidual(3, 4, 2, 2), "res": InvertedResidual(4, 4, 1, 3)})
        self.last = InvertedResidual(4, 6, 1, 1)

    def construct(self, x):
        x = self.blocks["down"](x)
        x = self.blocks["res"](x)
        return self.last(x)
