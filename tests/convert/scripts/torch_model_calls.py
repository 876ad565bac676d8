"""A torch model built the timm way (device/dtype dict unpacked into every layer) calling functional ops
that MindSpore computes with other defaults, and layer classes and the tensor type named as types (isinstance,
annotations); tests/convert/test_convert_model_calls.py converts it and runs
it with torch blocked. Writes its outputs (train mode, then eval mode) to argv[1] as JSON."""
import json
import sys
from typing import List, Optional

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
    offset: torch.jit.Final[float] = 0.25

    def __init__(self, c, device=None, dtype=None):
        super().__init__()
        dd = {'device': device, 'dtype': dtype}
        self.scale = nn.Parameter(torch.ones(c, 1, 1, **dd))

    @torch.jit.ignore
    def no_weight_decay(self):
        return {'scale'}

    @torch.jit.unused
    def factor(self):
        return 2.0 if 'scale' in self.no_weight_decay() else 1.0

    @torch.jit.export
    def shift(self, x):
        return x + self.offset

    def forward(self, x):
        return self.shift(x * self.scale * self.factor())


def conv_block(c, conv_layer=nn.Conv2d, device=None, dtype=None):
    dd = {'device': device, 'dtype': dtype}
    conv = conv_layer(c, c, 3, padding=1, bias=False, **dd)
    nn.init.constant_(conv.weight, 0.05)
    return conv


def type_checks(net: nn.Module, x: torch.Tensor, p: Optional[torch.Tensor] = None) -> List[bool]:
    """The conv is built through a class passed as a value (msbridge's twin on MindSpore), the LayerNorm
    with a bias (msbridge's twin), the BatchNorm natively: every check must answer as on torch."""
    return [isinstance(net.conv, nn.Conv2d), isinstance(net.conv, (nn.Linear, nn.BatchNorm2d)),
            isinstance(net.norm, nn.LayerNorm), isinstance(net.bn, (nn.BatchNorm2d, nn.LayerNorm)),
            isinstance(net.bn, nn.Module), isinstance(x, torch.Tensor), isinstance(p, torch.Tensor),
            isinstance(p, nn.Parameter), isinstance(x, nn.Parameter), isinstance(1.0, torch.Tensor)]



def functional_calls(x):
    """opsrows: functional losses, where, zeros_like, from_numpy and torch.long on int64 labels (mindspore.ops'
    functional losses take them as they are); the last item says both label tensors are int64."""
    labels = torch.tensor([1, 0, 2, 1], dtype=torch.long)
    counts = torch.from_numpy(np.array([3, 1, 2]))
    logits = x.reshape(4, -1)[:, :3]
    logp = F.log_softmax(logits, dim=1)
    zeros = torch.zeros_like(labels)
    return [logp, F.nll_loss(logp, labels),
            F.nll_loss(logp, labels, weight=torch.ones(3) + logits[0], reduction='none'),
            F.cross_entropy(logits, labels, reduction='sum', label_smoothing=0.1), F.cross_entropy(logits, labels),
            torch.where(logits > 0, logits, torch.zeros_like(logits)), torch.where(logits > 0.5, 1.0, 0.0),
            zeros + counts[0],
            np.array([str(t.dtype).lower().endswith('int64') for t in (labels, zeros, counts)], dtype=np.float32),
            torch.LongTensor([1.7, -2.7]), torch.FloatTensor(np.array([1, 2])), np.array(torch.LongTensor(2, 3).shape),
            np.array(legacy_type_checks(labels, logits, labels.dtype), dtype=np.float32),
            torch.argmax(logits, dim=1), torch.argmax(logits, 0, True),
            torch.clamp(logits, min=0.0), torch.clamp(logits, -0.5, 0.5), torch.relu(logits),
            np.array([str(torch.argmax(logits, 1).dtype).lower().endswith('int64')], dtype=np.float32),
            torch.gather(logits, 1, labels[:, None]), torch.gather(logits, dim=0, index=labels[:3, None].expand(3, 3)),
            torch.cumsum(logits, dim=1), torch.cumsum(logits, 0), torch.cumprod(logits, -1), torch.floor(logits * 3),
            F.mse_loss(logits, torch.zeros_like(logits)), F.mse_loss(logits, logits * 0.5, reduction='sum'),
            F.l1_loss(logits, torch.ones_like(logits)), F.l1_loss(logits, logits.flip(0), reduction='none'),
            F.one_hot(labels, num_classes=3), F.one_hot(labels, 4),
            F.normalize(logits, dim=-1), F.normalize(logits, p=1, dim=0, eps=1e-3),
            np.array([str(F.one_hot(labels, 3).dtype).lower().endswith('int64'),
                      str(torch.cumsum(labels, 0).dtype).lower().endswith('int64')], dtype=np.float32)]


def legacy_type_checks(labels, logits, d: torch.dtype) -> List[bool]:
    return [isinstance(labels, torch.LongTensor), isinstance(logits, torch.LongTensor),
            isinstance(logits, torch.FloatTensor), isinstance(d, torch.dtype), isinstance(1.0, torch.dtype)]

x = np.random.default_rng(0).standard_normal((2, 3, 6, 6)).astype(np.float32)
net = Block(3)
net.train()
outs = list(net(torch.tensor(x)))
net.eval()
outs += list(net(torch.tensor(x)))
outs.append(np.array(type_checks(net, torch.tensor(x), net.bias), dtype=np.float32))
outs += functional_calls(torch.tensor(x))
with open(sys.argv[1], "w") as handle:
    json.dump([o.tolist() for o in outs], handle)
