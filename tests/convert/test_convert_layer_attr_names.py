"""Weight-init loops over a network's layers (rules.layer_attr_names, ``modules()`` in rules.methods).

torchvision-style models initialise with ``for m in self.modules(): ... elif hasattr(m, "weight") and m.weight is
not None: ...``. ``modules()`` was marked review (MindSpore's Cell has ``cells_and_names``), and once it is
converted the string form ``hasattr(m, "weight")`` must find MindSpore's ``gamma`` on a LayerNorm, or the layer
silently keeps its default initialisation. MindSpore -> torch, ``hasattr(cell, "gamma")`` must find torch's
``weight``. Each program is converted, run with the source framework unimportable, and compared with the original
run on the real source framework in the same test.
"""
import textwrap

from msbridge.convert.source import convert_source

from blocked_run import converted_completely, run_both


def _convert(before, to):
    return converted_completely(textwrap.dedent(before), to)


def _runs(tmp_path, name, program, source, target):
    """(results of ``program`` on ``source`` without ``target``, results of its conversion without ``source``)."""
    return run_both(tmp_path, name, program, _convert(program, target)[0], source, target)


TORCH_INIT = """\
import json
import sys

import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.blocks = nn.Sequential(nn.Conv2d(4, 4, 1, bias=False), nn.BatchNorm2d(4), nn.ReLU())
        self.head = nn.ModuleList([nn.Linear(4, 2), self.blocks[0]])
        self.ln = nn.LayerNorm(4)
        self.emb = nn.Embedding(3, 4)
        self.act = nn.PReLU()
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.constant_(m.weight, 0.5)
                if getattr(m, "bias", None) is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 2.0)
            elif hasattr(m, "weight") and m.weight is not None:
                nn.init.constant_(m.weight, 0.25)
            if hasattr(m, "running_var"):
                nn.init.constant_(m.bias, -1.0)


net = Net()
facts = {
    "kinds": [type(m).__name__ for m in net.modules()],
    "has_weight": [hasattr(m, "weight") for m in net.modules()],
    "conv": [net.conv.weight.flatten().tolist(), net.conv.bias.tolist(), net.blocks[0].weight.flatten().tolist()],
    "bn": [net.blocks[1].weight.tolist(), net.blocks[1].bias.tolist()],
    "ln": net.ln.weight.tolist(), "emb": net.emb.weight.flatten().tolist(), "prelu": net.act.weight.tolist(),
    "fc": net.head[0].weight.flatten().tolist(),
}
with open(sys.argv[1], "w") as handle:
    json.dump(facts, handle)
"""

# MindSpore's names for torch's classes and names: the converted program prints MindSpore's classes
KIND = {"Net": "Net", "Conv2d": "Conv2d", "Sequential": "SequentialCell", "BatchNorm2d": "BatchNorm2d",
        "ReLU": "ReLU", "ModuleList": "CellList", "Linear": "Dense", "LayerNorm": "LayerNorm",
        "Embedding": "Embedding", "PReLU": "PReLU"}


def test_modules_and_hasattr_weight_convert():
    out, report = _convert(TORCH_INIT, "mindspore")
    assert "        for m in (cell for _, cell in self.cells_and_names()):\n" in out
    assert '            elif has_param(m, "weight") and param(m, "weight") is not None:\n' in out
    assert '                if param(m, "bias", None) is not None:\n' in out
    assert '    "has_weight": [has_param(m, "weight") for m in (cell for _, cell in net.cells_and_names())],' in out
    assert {u.api for u in report.uses if u.target and "layer_params" in u.target} >= {
        'hasattr(..., "weight")', 'getattr(..., "bias")', 'hasattr(..., "running_var")'}


def test_a_torch_weight_init_loop_sets_the_same_values_on_mindspore(tmp_path):
    original, converted = _runs(tmp_path, "init_loop", TORCH_INIT, "torch", "mindspore")
    assert converted["kinds"] == [KIND[k] for k in original["kinds"]]
    del original["kinds"], converted["kinds"]
    assert original == converted, (original, converted)
    assert original["ln"] == [0.25] * 4 and original["bn"] == [[2.0] * 4, [-1.0] * 4]


MS_INIT = """\
import json
import sys

import mindspore
from mindspore import nn
from mindspore.common.initializer import Constant, initializer


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, has_bias=True)
        self.bn = nn.BatchNorm2d(4)
        self.ln = nn.LayerNorm((4,))
        self.emb = nn.Embedding(3, 4)
        for _, cell in self.cells_and_names():
            if hasattr(cell, "gamma"):
                cell.gamma.set_data(initializer(Constant(3.0), cell.gamma.shape, mindspore.float32))
            table = getattr(cell, "embedding_table", None)
            if table is not None:
                table.set_data(initializer("ones", table.shape, mindspore.float32))


net = Net()
facts = {
    "has_gamma": [hasattr(cell, "gamma") for _, cell in net.cells_and_names()],
    "has_moving_mean": [hasattr(cell, "moving_mean") for _, cell in net.cells_and_names()],
    "bn": net.bn.gamma.asnumpy().tolist(), "ln": net.ln.gamma.asnumpy().tolist(),
    "emb": net.emb.embedding_table.asnumpy().flatten().tolist(),
}
with open(sys.argv[1], "w") as handle:
    json.dump(facts, handle)
"""


def test_a_mindspore_init_loop_by_mindspore_names_sets_the_same_values_on_torch(tmp_path):
    out, _ = _convert(MS_INIT, "torch")
    assert '            if has_norm_param(cell, "gamma"):\n' in out
    assert '            table = norm_param(cell, "embedding_table", None)\n' in out
    original, converted = _runs(tmp_path, "ms_init_loop", MS_INIT, "mindspore", "torch")
    assert original == converted, (original, converted)
    assert original["bn"] == [3.0] * 4 and original["emb"] == [1.0] * 12 and any(original["has_moving_mean"])


def test_names_that_are_not_layer_parameters_or_not_literals_stay():
    source = """\
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self, name):
            super().__init__()
            self.fc = nn.Linear(2, 2)
            print(hasattr(self, "weight"), hasattr(self.fc, "in_features"), hasattr(self.fc, name),
                  getattr(self.fc, "weight", None, ) is None)
    """
    out, _ = _convert(source, "mindspore")
    assert 'print(hasattr(self, "weight"), hasattr(self.fc, "in_features"), hasattr(self.fc, name),' in out
    assert 'param(self.fc, "weight", None, ) is None)' in out


def test_a_shadowed_hasattr_is_the_users():
    source = """\
    import torch.nn as nn


    def hasattr(obj, name):
        return True


    def init(m):
        if hasattr(m, "weight"):
            nn.init.zeros_(m.weight)
    """
    out, _ = convert_source(textwrap.dedent(source), "mindspore")
    assert '    if hasattr(m, "weight"):\n' in out
