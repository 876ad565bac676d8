"""A torch model built the timm way (device/dtype dict unpacked into every layer) calling functional ops
that MindSpore computes with other defaults; tests/convert/test_convert_model_calls.py converts it and runs
it with torch blocked. Writes its outputs (train mode, then eval mode) to argv[1] as JSON."""
import json
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


class Block(nn.Module):
    def __init__(self, c, device=None, dtype=None):
        super().__init__()
        dd = {'device': device, 'dtype': dtype}
        self.bn = nn.BatchNorm2d(c, **dd)
        self.norm = nn.LayerNorm(4, **dd)
        self.bias = nn.Parameter(torch.zeros(1, c, 1, 1, **dd))
        self.inner = Inner(c, **dd)
        self.conv = conv_block(c, **dd)

    def forward(self, x):
        x = self.bn(x) + self.bias
        x = F.max_pool2d(x, kernel_size=3, stride=1, padding=1)
        x = F.avg_pool2d(x, 2)
        x = F.interpolate(x, scale_factor=2)
        x = F.pad(x, [0, 0, 1, 1])
        x = F.dropout(x, p=0.5, training=False)
        x = F.layer_norm(x, (6,))
        x = self.inner(x) + self.conv(x)
        a = torch.einsum('bchw,bchw->bc', x, x)
        i, j = torch.meshgrid(torch.arange(2), torch.arange(3), indexing='ij')
        return a, F.adaptive_avg_pool2d(x, 1), i * 10 + j


class Inner(nn.Module):
    def __init__(self, c, device=None, dtype=None):
        super().__init__()
        dd = {'device': device, 'dtype': dtype}
        self.scale = nn.Parameter(torch.ones(c, 1, 1, **dd))

    def forward(self, x):
        return x * self.scale


def conv_block(c, conv_layer=nn.Conv2d, device=None, dtype=None):
    dd = {'device': device, 'dtype': dtype}
    conv = conv_layer(c, c, 3, padding=1, bias=False, **dd)
    nn.init.constant_(conv.weight, 0.05)
    return conv


x = np.random.default_rng(0).standard_normal((2, 3, 6, 6)).astype(np.float32)
net = Block(3)
net.train()
outs = list(net(torch.tensor(x)))
net.eval()
outs += list(net(torch.tensor(x)))
with open(sys.argv[1], "w") as handle:
    json.dump([o.tolist() for o in outs], handle)
