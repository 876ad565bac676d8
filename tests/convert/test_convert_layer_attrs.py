"""A layer's parameters read or written by the source framework's name on the target's layer (rules.layer_attrs).

Real code ties and initialises weights through layer attributes: attention-is-all-you-need-pytorch's
``self.trg_word_prj.weight = self.decoder.trg_word_emb.weight``, PyTorch-GAN's ``weights_init_normal`` writing
``m.weight.data``/``m.bias.data`` of a BatchNorm2d. MindSpore names those parameters otherwise (Embedding's
``embedding_table``; BatchNorm/LayerNorm/GroupNorm/InstanceNorm's ``gamma``/``beta``/``moving_mean``/
``moving_variance``; PReLU's ``w``), and MindSpore -> torch the other way round. The converter kept the names and
reported the statements converted: the converted read raised AttributeError, the converted write added a new
attribute and the weights were silently not tied. Also here: ``normal_(m.weight.data, ...)`` on MindSpore wrote
into a copy (``assign_value`` on the Parameter's ``.data``), so the weight kept its values.

Each program below is converted, run with the source framework unimportable (tests/convert/run_blocked.py), and its
results compared with the original run on the real source framework (the other one unimportable), in the same test.
"""
import json
import textwrap

import numpy as np

from msbridge.bridge.layer_names import MINDSPORE_TO_TORCH, TORCH_TO_MINDSPORE
from msbridge.convert.report import CONVERTED, REVIEW
from msbridge.convert.source import convert_source

from blocked_run import run_blocked


def _convert(before, to):
    out, report = convert_source(textwrap.dedent(before), to)
    assert convert_source(out, to)[0] == out, "converting twice must give the same output"
    return out, report


def _run_blocked(tmp_path, blocked, name, program_text):
    """The converted program with ``blocked`` unimportable (it must end cleanly); the JSON it wrote."""
    return json.loads(run_blocked(tmp_path, blocked, name, program_text).read_text())


def _original_and_converted(tmp_path, name, program, source, target):
    """(results of ``program`` on ``source`` without ``target``, results of its conversion without ``source``)."""
    out, report = _convert(program, target)
    assert report.complete, [(u.line, u.api, u.status, u.message) for u in report.uses if u.status != CONVERTED]
    return _run_blocked(tmp_path, target, name, program), _run_blocked(tmp_path, source, f"{name}_{target}", out)


# ---- torch -> MindSpore: layers whose class the converter knows ---------------------------------------------
KNOWN = """\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(10, 4)
        self.bn = nn.BatchNorm2d(4)
        self.ln = nn.LayerNorm(4)
        self.gn = nn.GroupNorm(2, 4)
        self.act = nn.PReLU()
        self.fc = nn.Linear(4, 10, bias=False)
        self.fc.weight = self.emb.weight
        self.emb.weight = self.fc.weight
        self.weight = nn.Parameter(self.bn.running_mean.clone())
        nn.init.ones_(self.ln.weight)
        nn.init.zeros_(self.gn.bias)
        nn.init.constant_(self.act.weight, 0.1)
        nn.init.zeros_(self.bn.bias)
        print(self.bn.running_var.shape, self.weight.shape)
"""

KNOWN_BEFORE = """\
        self.fc.weight = self.emb.weight
        self.emb.weight = self.fc.weight
        self.weight = mindspore.Parameter(clone(self.bn.running_mean))
        ones_(self.ln.weight)
        zeros_(self.gn.bias)
        constant_(self.act.weight, 0.1)
        zeros_(self.bn.bias)
        print(self.bn.running_var.shape, self.weight.shape)
"""

KNOWN_AFTER = """\
        self.fc.weight = self.emb.embedding_table
        self.emb.embedding_table = self.fc.weight
        self.weight = mindspore.Parameter(clone(self.bn.moving_mean))
        ones_(self.ln.gamma)
        zeros_(self.gn.beta)
        constant_(self.act.w, 0.1)
        zeros_(self.bn.beta)
        print(self.bn.moving_variance.shape, self.weight.shape)
"""


def test_parameters_of_known_layers_take_mindspore_names_read_and_written():
    out, report = _convert(KNOWN, "mindspore")
    assert KNOWN_AFTER in out and KNOWN_BEFORE not in out, out
    renamed = [(u.line, u.api, u.target) for u in report.uses if u.api.startswith(".") and u.api != ".clone()"]
    assert renamed == [(13, ".weight", ".embedding_table"), (14, ".weight", ".embedding_table"),
                       (15, ".running_mean", ".moving_mean"), (16, ".weight", ".gamma"), (17, ".bias", ".beta"),
                       (18, ".weight", ".w"), (19, ".bias", ".beta"), (20, ".running_var", ".moving_variance")]
    assert report.complete
    # the Dense keeps `weight`, the class's own `self.weight` is its own: neither is touched
    assert "self.fc.weight = " in out and "self.weight.shape" in out


def test_the_converted_layers_have_the_names_written():
    out, _ = _convert(KNOWN, "mindspore")
    namespace = {}
    exec(compile(out, "known.py", "exec"), namespace)
    net = namespace["Net"]()
    assert net.fc.weight is net.emb.embedding_table
    assert np.array_equal(net.ln.gamma.asnumpy(), np.ones(4, np.float32))
    assert np.array_equal(net.act.w.asnumpy(), np.full(1, 0.1, np.float32))
    assert net.weight.shape == (4,)


# ---- unknown receivers: decided at run time, or marked ----------------------------------------------------
UNKNOWN = """\
import torch.nn as nn


def init(m):
    if isinstance(m, nn.BatchNorm2d):
        nn.init.normal_(m.weight.data, 1.0, 0.02)
        m.bias = nn.Parameter(m.running_mean.clone())
"""


def test_unknown_receivers_read_at_run_time_and_writes_are_review():
    out, report = _convert(UNKNOWN, "mindspore")
    assert "        nn.init.normal_(m.weight.data, 1.0, 0.02)\n" in UNKNOWN
    assert '        normal_(param(m, "weight").data, 1.0, 0.02)\n' in out
    assert "from msbridge.torch.layer_params import param\n" in out
    assert 'm.bias = mindspore.Parameter(clone(param(m, "running_mean")))  # msbridge: review: .bias: written' in out
    statuses = [(u.line, u.api, u.status) for u in report.uses if u.api.startswith(".") and u.api != ".clone()"]
    assert statuses == [(6, ".weight", CONVERTED), (7, ".bias", REVIEW), (7, ".running_mean", CONVERTED)]


def test_unknown_mindspore_names_on_torch_read_at_run_time_and_writes_are_review():
    source = """\
    from mindspore import nn


    def init(cell):
        print(cell.embedding_table.shape, cell.gamma.shape)
        cell.embedding_table = cell.gamma
    """
    out, report = _convert(source, "torch")
    assert 'print(norm_param(cell, "embedding_table").shape, norm_param(cell, "gamma").shape)\n' in out
    assert 'cell.embedding_table = norm_param(cell, "gamma")  # msbridge: review: .embedding_table: written' in out
    assert [(u.line, u.api, u.status) for u in report.uses if u.api.startswith(".")] == [
        (5, ".embedding_table", CONVERTED), (5, ".gamma", CONVERTED), (6, ".embedding_table", REVIEW),
        (6, ".gamma", CONVERTED)]


def test_attributes_deleted_or_bound_by_loops_stay_attributes():
    # a call cannot be deleted or bound: `del param(m, "weight")` would not compile
    source = """\
    import torch.nn as nn


    def strip(m, ms):
        del m.weight
        for m.running_mean in []:
            pass
        with open("x") as m.bias:
            pass
        print([1 for m.weight in ms])
        return nn.Linear(2, 2)
    """
    out, report = _convert(source, "mindspore")
    compile(out, "strip.py", "exec")
    assert "    del m.weight  # msbridge: review: .weight: written" in out and "param(" not in out
    assert [(u.line, u.status) for u in report.uses if u.api.startswith(".")] == [(5, REVIEW), (6, REVIEW),
                                                                                   (8, REVIEW), (10, REVIEW)]
    out, _ = _convert("from mindspore import nn\n\n\ndef f(cell):\n    del cell.gamma\n    return nn.Dense(2, 2)\n",
                      "torch")
    assert "    del cell.gamma  # msbridge: review: .gamma: written" in out


def test_objects_known_not_to_be_layers_keep_their_attributes():
    source = """\
    import numpy as np
    import torch.nn as nn


    class Scale(nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(np.ones(2))
            self.conv = nn.Conv2d(1, 1, 1)
            nn.init.zeros_(self.conv.bias)


    scale = Scale()
    print(scale.weight, np.ones(2).data, scale.conv.weight)
    """
    out, _ = _convert(source, "mindspore")
    assert "param(" not in out and "print(scale.weight, np.ones(2).data, scale.conv.weight)" in out
    assert "zeros_(self.conv.bias)" in out


def test_param_reads_mindspore_names_on_mindspore_layers_and_own_attributes_elsewhere():
    import mindspore
    from msbridge.torch.layer_params import param

    class Own(mindspore.nn.BatchNorm2d):
        def __init__(self):
            super().__init__(2)
            self.weight = mindspore.Parameter(mindspore.tensor([7.0]), name="own")

    bn, emb, dense = mindspore.nn.BatchNorm2d(3), mindspore.nn.Embedding(5, 2), mindspore.nn.Dense(2, 3)
    assert param(bn, "weight") is bn.gamma and param(bn, "running_var") is bn.moving_variance
    assert param(emb, "weight") is emb.embedding_table and param(dense, "weight") is dense.weight
    assert param(mindspore.nn.PReLU(), "weight").shape == (1,)
    assert param(Own(), "weight").asnumpy().tolist() == [7.0]   # the subclass's own attribute wins
    assert param(mindspore.nn.InstanceNorm2d(3), "bias").shape == (3,)


def test_norm_param_reads_torch_names_on_torch_layers():
    import torch
    from msbridge.bridge.cell_methods import norm_param

    emb, bn = torch.nn.Embedding(5, 2), torch.nn.BatchNorm2d(3)
    assert norm_param(emb, "embedding_table") is emb.weight and norm_param(bn, "moving_mean") is bn.running_mean
    assert norm_param(type("Own", (), {"embedding_table": 3})(), "embedding_table") == 3


def test_the_names_table_is_what_both_frameworks_and_the_checkpoint_tables_say():
    import mindspore
    import torch
    from msbridge.tables.param_maps import load_param_maps

    build = {"Embedding": (5, 2), "BatchNorm1d": (3,), "BatchNorm2d": (3,), "InstanceNorm1d": (3,),
             "InstanceNorm2d": (3,), "InstanceNorm3d": (3,), "LayerNorm": ((3,),), "GroupNorm": (1, 3),
             "PReLU": ()}
    assert set(build) == set(TORCH_TO_MINDSPORE)
    for layer, names in TORCH_TO_MINDSPORE.items():
        kwargs = {"affine": True, "track_running_stats": True} if layer.startswith("InstanceNorm") else {}
        pt, ms = getattr(torch.nn, layer)(*build[layer], **kwargs), getattr(mindspore.nn, layer)(*build[layer])
        for torch_name, ms_name in names.items():
            assert getattr(pt, torch_name) is not None and hasattr(ms, ms_name) and not hasattr(ms, torch_name), \
                (layer, torch_name)
            assert tuple(getattr(pt, torch_name).shape) == tuple(getattr(ms, ms_name).shape), (layer, torch_name)
            assert MINDSPORE_TO_TORCH[layer][ms_name] == torch_name
    for layer in load_param_maps():
        name = layer.torch.rpartition(".")[2]
        differs = {e.torch: e.mindspore for e in layer.params if e.torch and e.mindspore and e.torch != e.mindspore}
        if differs and not layer.mindspore_inner:
            assert TORCH_TO_MINDSPORE[name] == differs, name


# ---- programs run on both frameworks -------------------------------------------------------------------------
TIE = """\
import json
import sys

import torch
import torch.nn as nn


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.src_word_emb = nn.Embedding(10, 4)


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.trg_word_emb = nn.Embedding(10, 4)


class Transformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = Encoder()
        self.decoder = Decoder()
        self.trg_word_prj = nn.Linear(4, 10, bias=False)
        self.trg_word_prj.weight = self.decoder.trg_word_emb.weight
        self.encoder.src_word_emb.weight = self.decoder.trg_word_emb.weight

    def forward(self, x):
        return self.trg_word_prj(self.encoder.src_word_emb(x))


class Tied(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(4, 10, bias=False)
        self.emb = nn.Embedding(10, 4)
        self.emb.weight = self.proj.weight

    def forward(self, x):
        return self.emb(x)


net, tied = Transformer(), Tied()
x = torch.tensor([3, 1])
shared = net.decoder.trg_word_emb.weight
facts = {
    "prj_is_emb": net.trg_word_prj.weight is shared,
    "src_is_trg": net.encoder.src_word_emb.weight is shared,
    "rows_used": net.encoder.src_word_emb(x).tolist() == shared[x].tolist(),
    "logits": net(x).tolist() == (shared[x] @ shared.T).tolist(),
    "tied": tied.emb.weight is tied.proj.weight,
    "tied_rows": tied(x).tolist() == tied.proj.weight[x].tolist(),
}
with open(sys.argv[1], "w") as handle:
    json.dump(facts, handle)
"""

GAN_INIT = """\
import json
import sys

import torch
import torch.nn as nn


def weights_init_normal(m):
    classname = m.__class__.__name__
    if classname.find("Conv") != -1:
        torch.nn.init.normal_(m.weight.data, 0.0, 0.02)
    elif classname.find("BatchNorm2d") != -1:
        torch.nn.init.normal_(m.weight.data, 1.0, 0.02)
        torch.nn.init.constant_(m.bias.data, 0.25)
    elif classname.find("LayerNorm") != -1:
        torch.nn.init.constant_(m.weight, 2.0)
        torch.nn.init.zeros_(m.bias)
    elif classname.find("Embedding") != -1:
        torch.nn.init.constant_(m.weight.data, 0.5)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.bn = nn.BatchNorm2d(8)
        self.ln = nn.LayerNorm(8)
        self.emb = nn.Embedding(5, 8)


net = Net()
net.apply(weights_init_normal)
bn, ln, emb = net.bn, net.ln, net.emb
facts = {
    "bn_weight_near_1": bool(abs(float(bn.weight.mean()) - 1.0) < 0.05 and float(bn.weight.std()) < 0.05),
    "bn_weight_moved": bn.weight.tolist() != [1.0] * 8,
    "bn_bias": bn.bias.tolist(),
    "bn_running": [bn.running_mean.tolist(), bn.running_var.tolist()],
    "ln": [ln.weight.tolist(), ln.bias.tolist()],
    "emb": emb.weight.tolist(),
    "conv_std_small": bool(float(net.conv.weight.std()) < 0.05),
}
with open(sys.argv[1], "w") as handle:
    json.dump(facts, handle)
"""

MS_NAMES = """\
import json
import sys

import mindspore
from mindspore import nn
from mindspore.common.initializer import Constant, initializer


def init_cell(cell):
    if isinstance(cell, nn.Embedding):
        cell.embedding_table.set_data(initializer("ones", cell.embedding_table.shape, mindspore.float32))


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm2d(4)
        self.ln = nn.LayerNorm((4,))
        self.emb = nn.Embedding(10, 4)
        self.out = nn.Embedding(10, 4)
        self.bn.gamma.set_data(initializer(Constant(0.5), self.bn.gamma.shape, mindspore.float32))
        self.ln.beta.set_data(initializer("zeros", self.ln.beta.shape, mindspore.float32))
        self.out.embedding_table = self.emb.embedding_table


net = Net()
for _, cell in net.cells_and_names():
    init_cell(cell)
x = mindspore.tensor([3, 1], mindspore.int32)
facts = {
    "shape": list(net.emb.embedding_table.shape),
    "emb": net.emb.embedding_table.asnumpy().tolist(),
    "tied": net.out.embedding_table is net.emb.embedding_table,
    "rows": net.out(x).asnumpy().tolist() == net.emb.embedding_table.asnumpy()[[3, 1]].tolist(),
    "gamma": net.bn.gamma.asnumpy().tolist(),
    "beta": net.ln.beta.asnumpy().tolist(),
}
with open(sys.argv[1], "w") as handle:
    json.dump(facts, handle)
"""


def test_tied_weights_stay_tied_on_mindspore(tmp_path):
    # attention-is-all-you-need-pytorch's sharing, nested (self.encoder.src_word_emb) and both ways round
    original, converted = _original_and_converted(tmp_path, "tie", TIE, "torch", "mindspore")
    assert original == converted == dict.fromkeys(original, True), (original, converted)


def test_a_tie_is_one_mindspore_parameter_and_survives_a_training_step():
    import mindspore
    out, _ = _convert(TIE, "mindspore")
    namespace = {}
    exec(compile(out.split("net, tied = ")[0], "tie.py", "exec"), namespace)
    net = namespace["Tied"]()
    assert [name for name, _ in net.parameters_and_names()] == ["proj.weight"]
    optimizer = mindspore.nn.SGD(net.trainable_params(), learning_rate=0.5)
    x = mindspore.tensor([3, 1], mindspore.int32)
    _, grads = mindspore.value_and_grad(lambda x: net(x).sum(), None, optimizer.parameters)(x)
    before = net.proj.weight.asnumpy().copy()
    optimizer(grads)
    assert net.emb.embedding_table is net.proj.weight and not np.array_equal(before, net.proj.weight.asnumpy())
    assert np.array_equal(net(x).asnumpy(), net.proj.weight.asnumpy()[[3, 1]])


def test_weight_init_of_unknown_layers_sets_the_same_values(tmp_path):
    # PyTorch-GAN's weights_init_normal, applied by net.apply: normal_(m.weight.data, ...) on a BatchNorm2d
    original, converted = _original_and_converted(tmp_path, "gan", GAN_INIT, "torch", "mindspore")
    assert original == converted, (original, converted)
    assert original["bn_bias"] == [0.25] * 8 and original["emb"] == [[0.5] * 8] * 5 and original["bn_weight_moved"]


def test_init_through_a_parameters_data_reaches_the_parameter():
    # MindSpore 2.10: a Parameter's .data shares its storage; assign_value on it gave the view new storage
    import mindspore
    from msbridge.torch.nn.init import constant_, normal_

    bn = mindspore.nn.BatchNorm2d(4)
    constant_(bn.beta.data, 0.25)
    normal_(bn.gamma.data, 5.0, 0.01)
    assert bn.beta.asnumpy().tolist() == [0.25] * 4 and abs(float(bn.gamma.asnumpy().mean()) - 5.0) < 0.1


def test_mindspore_names_on_torch_layers_run_the_same(tmp_path):
    out, _ = _convert(MS_NAMES, "torch")
    assert "self.out.weight = self.emb.weight\n" in out and "self.bn.weight" in out
    assert 'set_data(norm_param(cell, "embedding_table"), ' in out
    original, converted = _original_and_converted(tmp_path, "ms_names", MS_NAMES, "mindspore", "torch")
    assert original == converted, (original, converted)
    assert original["tied"] and original["rows"] and original["gamma"] == [0.5] * 4


def test_the_corpus_repro_statements_are_renamed():
    # corpus4's repros: `self.proj.weight = self.emb.weight` kept `.weight` on a MindSpore Embedding (before),
    # `emb.embedding_table` kept on a torch Embedding
    out, _ = _convert("import torch.nn as nn\n\n\nclass M(nn.Module):\n    def __init__(self):\n"
                      "        super().__init__()\n        self.emb = nn.Embedding(10, 4)\n"
                      "        self.proj = nn.Linear(4, 10, bias=False)\n"
                      "        self.proj.weight = self.emb.weight\n", "mindspore")
    assert out.endswith("        self.proj.weight = self.emb.embedding_table\n"), out
    out, _ = _convert("from mindspore import nn\n\nemb = nn.Embedding(10, 4)\nprint(emb.embedding_table.shape)\n",
                      "torch")
    assert out.endswith("print(emb.weight.shape)\n"), out
