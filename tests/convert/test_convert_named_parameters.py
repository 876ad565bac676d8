"""torch's ``net.named_parameters()`` on a network converted to MindSpore (rules.named_parameters and
msbridge.torch.nn.module_parameters.named_parameters): same names, same order, no running statistics.

It was ``review`` (a Cell has no such method, and ``parameters_and_names()`` names BatchNorm's scale ``gamma`` and
lists its moving statistics), so the weight-decay groups of a training script (``'bias' in name``, ``'bn' in
name``) and name-based freezing could not be ported as written. The program below runs on real torch and, converted,
with torch unimportable; the names, the groups and what froze must be the same.
"""
import json

from blocked_run import converted_completely, run_blocked, run_plain

PROGRAM = """\
import json
import sys

import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, bias=False)
        self.bn = nn.BatchNorm2d(4)
        self.gamma = nn.Parameter(torch.ones(4))   # a layer scale of the file's own: keeps its name

    def forward(self, x):
        return self.bn(self.conv(x)) * self.gamma.reshape(1, -1, 1, 1)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = Block()
        self.emb = nn.Embedding(10, 4)
        self.norm = nn.LayerNorm(4)
        self.head = nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4), nn.PReLU(), nn.Linear(4, 2))
        self.shared = self.head   # listed once

    def forward(self, x):
        return self.head(self.norm(self.block(x).mean(axis=(2, 3))))


def decay_groups(model):
    decay, no_decay = [], []
    for name, param in model.named_parameters():
        if name.endswith(".bias") or "bn" in name or "norm" in name or param.ndim <= 1:
            no_decay.append(name)
        else:
            decay.append(name)
    return decay, no_decay


def freeze(model, prefix):
    for name, param in model.named_parameters():
        if name.startswith(prefix):
            param.requires_grad = False


net = Net()
decay, no_decay = decay_groups(net)
freeze(net, "block.")
frozen = [name for name, p in net.named_parameters() if not p.requires_grad]
own = [name for name, _ in net.block.named_parameters(prefix="b", recurse=False)]
with open(sys.argv[1], "w") as out:
    json.dump({"decay": decay, "no_decay": no_decay, "frozen": frozen, "own": own}, out)
"""


def test_named_parameters_of_a_converted_network_are_torchs(tmp_path):
    out, _ = converted_completely(PROGRAM, "mindspore")
    assert "named_parameters(model)" in out and "named_parameters(net.block, prefix=\"b\", recurse=False)" in out
    original = run_plain(tmp_path, "original", PROGRAM)
    converted = json.loads(run_blocked(tmp_path, "torch", "converted", out).read_text())
    assert converted == original
    assert "block.bn.weight" in original["no_decay"] and "block.gamma" in original["no_decay"]
