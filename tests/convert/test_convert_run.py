"""Converted programs EXECUTED with the source framework unimportable (issue 12, "what converted means").

A file the report calls complete must run in the target framework alone and
compute what the original computed in the source framework; a file that
cannot must fail only because the report said so (the source framework is
still imported for the API it names), never with the confusing errors of
issue 12 (``AttributeError`` from a renamed method on an object left in the
source framework, ``TypeError`` from a dtype of the wrong framework, a torch
container holding MindSpore layers).

Two subprocesses in all: one without MindSpore (converted MindSpore programs
and the torch originals), one without torch (the other half).
"""
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from msbridge.convert.source import convert_source

ROOT = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).with_name("run_without.py")

MINDSPORE_PROGRAMS = {
    "methods_and_dtype": """\
        import numpy as np
        import mindspore
        from mindspore import nn
        from mindspore import dtype as mstype

        x = np.array([[-1.5, 2.0, 0.25]], dtype=np.float32)
        net = nn.ReLU()
        net.set_train(False)
        out = net(mindspore.tensor(x, mstype.float32)).asnumpy()
        result = [out.tolist(), bool(net.training)]
        """,
    "class_through_local_base": """\
        import numpy as np
        import mindspore
        from mindspore import nn


        class Block(nn.Cell):
            def __init__(self):
                super().__init__()
                self.act = nn.LeakyReLU(0.3)
                self.flat = nn.Flatten()

            def construct(self, x):
                return self.flat(self.act(x))


        class Net(Block):
            pass


        net = Net()
        net.set_train()
        x = np.arange(-6, 6, dtype=np.float32).reshape(2, 3, 2)
        result = [net(mindspore.tensor(x)).asnumpy().tolist(), bool(net.training)]
        """,
    "mixed_container": """\
        from mindspore import nn
        seq = nn.SequentialCell([nn.ReLU(), nn.Flatten()])
        seq.set_train(False)
        result = 1
        """,
    "self_construct": """\
        import numpy as np
        import mindspore
        from mindspore import nn


        class Tokenizer(nn.Cell):   # calls its own forward method by name (vit-pytorch's cct, the other way)
            def __init__(self):
                super().__init__()
                self.fc = nn.Dense(4, 3)

            def width(self):
                return self.construct(mindspore.tensor(np.ones((1, 4), np.float32))).shape[1]

            def construct(self, x):
                return self.fc(x)


        result = Tokenizer().width()
        """,
    "mixed_wrapper": """\
        from mindspore import nn
        wrapped = nn.TimeDistributed(nn.Dense(2, 2), time_axis=1)
        result = 1
        """,
    "dtype_into_source_api": """\
        import numpy as np
        import mindspore
        from mindspore import dtype as mstype
        import mindspore.ops.operations as P
        y = P.Fill()(mstype.float32, (2,), 1.0)   # Fill stays MindSpore (P.Cast converts now: model_coverage)
        result = y.asnumpy().tolist()
        """,
    "model_coverage": """\
        import numpy as np
        import mindspore
        from mindspore import nn, ops, Parameter
        from mindspore.ops import operations as P


        def stack(cells):
            return nn.SequentialCell(cells)   # a list known only at run time: msbridge's twin


        class Base(nn.Cell):
            def __init__(self):
                super().__init__()
                self.reshape = P.Reshape()   # every class builds the same operator: folded in each
                self.cast = P.Cast()
                self.shape = P.Shape()

            def construct(self, x):
                n, c, h, w = self.shape(x)
                return self.cast(self.reshape(x, (n, c * h * w)), mindspore.float16)


        class Head(nn.Cell):
            def __init__(self):
                super().__init__()
                self.reshape = P.Reshape()
                self.w = Parameter(np.linspace(0.1, 1, 4).astype(np.float32), name="w")
                self.pad = nn.Pad(((0, 0), (0, 0), (1, 1), (2, 1)), mode="SYMMETRIC")
                self.conv = nn.Conv2d(2, 4, 3, stride=2, pad_mode="same", weight_init="ones", has_bias=True,
                                      bias_init=0.5)
                self.fc = nn.Dense(4, 2, weight_init="ones", bias_init="ones", activation="relu")
                self.body = stack([nn.ReLU(), nn.Flatten()])

            def construct(self, x):
                y = self.conv(self.pad(x))
                y = ops.mean(y, (2, 3)) * self.w
                y = self.reshape(y, (-1, 4))
                z = y.expand_dims(0).transpose(1, 0, 2).astype(mindspore.float32).mean(axis=0, keep_dims=False)
                return ops.cat((self.fc(y), self.body(y), z * 2), 1)


        x = np.linspace(-1.0, 1.0, 24, dtype=np.float32).reshape(1, 2, 3, 4)
        t = mindspore.tensor(x)
        folded = Base()(t)
        out = Head()(t)
        flat = ops.cast(nn.Flatten()(t), mindspore.float64)
        result = [np.round(folded.asnumpy().astype(np.float32), 3).tolist(), str(folded.dtype).lower().split(".")[-1],
                  np.round(out.asnumpy(), 4).tolist(), str(flat.dtype).lower().split(".")[-1],
                  list(ops.shape(t))]
        """,
    "ops_idiom": """\
        import numpy as np
        import mindspore
        from mindspore import nn, ops
        from mindspore.ops import operations as P


        class Attention(nn.Cell):
            def __init__(self):
                super().__init__()
                self.reshape = P.Reshape()
                self.transpose = P.Transpose()
                self.bmm = ops.BatchMatMul(transpose_b=True)
                self.softmax = P.Softmax(axis=-1)
                self.mean = ops.ReduceMean(keep_dims=True)
                self.concat = ops.Concat(axis=1)
                self.expand = P.ExpandDims()

            def construct(self, x):
                q = self.transpose(self.reshape(x, (2, 3, 2, 2)), (0, 2, 1, 3))
                attn = self.softmax(self.bmm(q, q) * 0.5)
                y = ops.matmul(attn, q)
                y = ops.transpose(y, (0, 2, 1, 3)).reshape(2, 3, 4)
                z = ops.concat((y, self.mean(y, 1)), 1)
                parts = ops.split(z, 2, axis=-1)
                return self.concat((ops.squeeze(self.expand(parts[0], 0), 0), P.Mul()(parts[1], 2.0)))


        x = np.linspace(-1.0, 1.0, 24, dtype=np.float32).reshape(2, 3, 4)
        out = Attention()(mindspore.tensor(x))
        shapes = [tuple(ops.zeros((2, 3)).shape), tuple(ops.ones((4,), mindspore.int32).shape)]
        result = [np.round(out.asnumpy(), 3).tolist(), shapes, ops.zeros((2, 3)).asnumpy().dtype.name]
        """,
}
TORCH_PROGRAMS = {
    "methods_and_dtype": """\
        import numpy as np
        import torch
        from torch import nn

        x = np.array([[-1.5, 2.0, 0.25]], dtype=np.float32)
        model = nn.ReLU()
        model.eval()
        out = model(torch.tensor(x, dtype=torch.float32)).numpy()
        result = [out.tolist(), bool(model.training)]
        """,
    "class_through_local_base": """\
        import numpy as np
        import torch
        from torch import nn


        class Block(nn.Module):
            def __init__(self):
                super().__init__()
                self.act = nn.LeakyReLU(0.3)
                self.flat = nn.Flatten()

            def forward(self, x):
                return self.flat(self.act(x))


        class Net(Block):
            pass


        model = Net()
        model.train()
        x = np.arange(-6, 6, dtype=np.float32).reshape(2, 3, 2)
        result = [model(torch.tensor(x)).numpy().tolist(), bool(model.training)]
        """,
    "mixed_container": """\
        from torch import nn
        seq = nn.Sequential(nn.ReLU(), nn.Flatten())
        seq.eval()
        result = 1
        """,
    "self_forward": """\
        import torch
        from torch import nn


        class Tokenizer(nn.Module):   # vit-pytorch's cct: self.forward(...) inside the class
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 3)

            def width(self):
                return self.forward(torch.zeros(1, 4)).shape[1]

            def forward(self, x):
                return self.fc(x)


        result = Tokenizer().width()
        """,
    "mixed_wrapper": """\
        from torch import nn
        wrapped = nn.utils.weight_norm(nn.Linear(2, 2))
        result = 1
        """,
    "ops_functional": """\
        import numpy as np
        import torch
        import torch.nn.functional as F

        x = torch.tensor(np.linspace(-1.0, 1.0, 24, dtype=np.float32).reshape(2, 3, 4))
        q = torch.permute(torch.reshape(x, (2, 3, 2, 2)), (0, 2, 1, 3))
        attn = torch.softmax(torch.matmul(q, torch.transpose(q, -2, -1)) * 0.5, dim=-1)
        y = torch.reshape(torch.transpose(torch.matmul(attn, q), 1, 2), (2, 3, 4))
        z = torch.cat([y, torch.mean(y, dim=1, keepdim=True)], dim=1)
        a, b = torch.split(z, 2, dim=-1)
        out = torch.stack([F.relu(a), torch.unsqueeze(torch.sum(b, dim=0), 0).expand(2, 4, 2)], dim=0)
        shapes = [tuple(torch.zeros(2, 3).shape), tuple(torch.ones(4).shape), tuple(torch.empty((1, 2)).shape)]
        result = [np.round(out.numpy(), 3).tolist(), shapes, torch.zeros(2).numpy().dtype.name, torch.jit.is_scripting()]
        """,
    "device_named_local": """\
        import torch


        def setup(kind):   # pytorch/examples minGPT-ddp: a local named like the twin, annotated with the class
            device: torch.device = torch.device(kind)
            return device


        dev = setup("cpu")
        result = [isinstance(dev, torch.device), str(dev)]
        """,
}
# the programs the report must call complete (the others must say why they will not run)
COMPLETE = {"device_named_local", "methods_and_dtype", "class_through_local_base", "ops_idiom", "ops_functional", "model_coverage",
            "mixed_container", "self_construct", "self_forward"}   # containers convert now (rules.containers): the whole program does


# the default train/eval mode (rules.default_mode): torch builds Modules in training mode, MindSpore Cells in
# inference mode; a program that never sets the mode must compute what it computed in its own framework
MODE_PROGRAMS = {
    "mindspore": {"default_mode": """\
        import numpy as np
        import mindspore
        from mindspore import nn


        class Net(nn.Cell):   # an eval script: built, called, never set_train (MindSpore: inference mode)
            def __init__(self):
                super().__init__()
                self.bn = nn.BatchNorm1d(3)
                self.drop = nn.Dropout(p=0.5)
                self.seq = nn.SequentialCell([nn.BatchNorm1d(3), nn.ReLU()])

            def construct(self, x):
                return self.seq(self.drop(self.bn(x)))


        def build_head():
            return nn.SequentialCell([nn.BatchNorm1d(3), nn.Dropout(p=0.5)])


        net = Net()
        head = build_head()
        stack = nn.SequentialCell([nn.BatchNorm1d(3), nn.Dropout(p=0.5)])
        drop = nn.Dropout(p=0.5)
        built = [bool(net.training), bool(net.seq.training), bool(net.seq[0].training)]
        x = mindspore.tensor(np.arange(12, dtype=np.float32).reshape(4, 3) / 4 - 1)
        out = net(x)
        y = stack(x)
        z = drop(x)
        net.set_train()
        trained = net.bn(x)   # batch statistics now: the same in both
        net.set_train(False)
        again = net.bn(x)   # the running statistics that one training call left
        result = [out.asnumpy().tolist(), y.asnumpy().tolist(), z.asnumpy().tolist(), trained.asnumpy().tolist(),
                  again.asnumpy().tolist(),
                  built + [bool(net.training), bool(head.training), bool(stack.training), bool(drop.training)]]
        """},
    "torch": {"default_mode": """\
        import numpy as np
        import torch
        from torch import nn


        class Net(nn.Module):   # built and called without train(): torch trains BatchNorm's statistics
            def __init__(self):
                super().__init__()
                self.bn = nn.BatchNorm1d(3)
                self.seq = nn.Sequential(nn.BatchNorm1d(3), nn.ReLU())

            def forward(self, x):
                return self.seq(self.bn(x))


        model = Net()
        bn = nn.BatchNorm1d(3)
        drop = nn.Dropout(0.5)
        built = [bool(model.training), bool(model.seq.training), bool(model.seq[0].training)]
        x = torch.tensor(np.arange(12, dtype=np.float32).reshape(4, 3) / 4 - 1)
        out = model(x)
        b = bn(x)
        model.eval()
        bn.eval()
        after = model(x)   # the running statistics the first call updated
        b_after = bn(x)
        result = [out.detach().numpy().tolist(), b.detach().numpy().tolist(), after.detach().numpy().tolist(),
                  b_after.detach().numpy().tolist(),
                  built + [bool(model.training), bool(drop.training)]]
        """},
}
BATCH_NORM_RTOL = 1e-5   # mapping_tables/layers.toml, nn.BatchNorm1d (float32 reductions may round differently)


def _run(blocked, programs):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(RUNNER), blocked, *map(str, programs)], capture_output=True,
                          text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """name -> {source, converted, report, original run, converted run} for every program, both ways."""
    folder = tmp_path_factory.mktemp("run")
    cases = {}
    for source, programs, to in (("mindspore", MINDSPORE_PROGRAMS, "torch"), ("torch", TORCH_PROGRAMS, "mindspore")):
        for name, code in {**programs, **MODE_PROGRAMS[source]}.items():
            code = textwrap.dedent(code)
            converted, report = convert_source(code, to)
            assert convert_source(converted, to)[0] == converted, f"{source}/{name}: converting twice changes it"
            original_path = folder / f"{source}_{name}_original.py"
            converted_path = folder / f"{source}_{name}_to_{to}.py"
            original_path.write_text(code)
            converted_path.write_text(converted)
            cases[(source, name)] = {"report": report, "converted": converted,
                                     "original_path": str(original_path), "converted_path": str(converted_path)}
    # without MindSpore: MindSpore programs converted to torch, and torch originals
    without_ms = _run("mindspore", [c["converted_path"] for (s, _), c in cases.items() if s == "mindspore"]
                      + [c["original_path"] for (s, _), c in cases.items() if s == "torch"])
    without_torch = _run("torch", [c["converted_path"] for (s, _), c in cases.items() if s == "torch"]
                         + [c["original_path"] for (s, _), c in cases.items() if s == "mindspore"])
    for (source, _), case in cases.items():
        converted_runs, original_runs = (without_ms, without_torch) if source == "mindspore" else (without_torch, without_ms)
        case["converted_run"] = converted_runs[case["converted_path"]]
        case["original_run"] = original_runs[case["original_path"]]
    return cases


ALL = [(s, n) for s, programs in (("mindspore", MINDSPORE_PROGRAMS), ("torch", TORCH_PROGRAMS)) for n in programs]


@pytest.mark.parametrize("source,name", ALL, ids=[f"{s}-{n}" for s, n in ALL])
def test_convert_run_without_source_framework(runs, source, name):
    case = runs[(source, name)]
    original, converted, report = case["original_run"], case["converted_run"], case["report"]
    assert original["ok"], f"the original program must run in {source}: {original['error']}"
    if name in COMPLETE:
        assert report.complete, report.to_dict()
        assert converted["ok"], f"{converted['error']}\n--- converted ---\n{case['converted']}"
        assert converted["result"] == original["result"]   # same values, same train/eval mode
    else:
        # the report says why it cannot run; running it fails only on the source framework's import
        assert not report.complete
        assert not converted["ok"]
        assert converted["error"].startswith("ModuleNotFoundError") and repr(source) in converted["error"], \
            converted["error"]
        reasons = " ".join(u.message for u in report.uses if u.status != "converted")
        assert reasons


def test_convert_run_mixed_programs_name_the_blocking_api(runs):
    for source, api in (("mindspore", "mindspore.nn.TimeDistributed"), ("torch", "torch.nn.utils.weight_norm")):
        report = runs[(source, "mixed_wrapper")]["report"]
        assert any(u.api == api and "will not run until" in u.message for u in report.uses), report.to_dict()
        assert f"will not run until {api} is ported" in runs[(source, "mixed_wrapper")]["converted"]


@pytest.mark.parametrize("source", ["mindspore", "torch"])
def test_convert_run_default_mode(runs, source):
    """Built and called without a mode call: BatchNorm/Dropout run in the source framework's mode after the
    conversion (outputs within the BatchNorm row's rtol, running statistics the same, training flags equal)."""
    case = runs[(source, "default_mode")]
    original, converted = case["original_run"], case["converted_run"]
    assert original["ok"], original["error"]
    assert case["report"].complete, case["report"].to_dict()
    assert converted["ok"], f"{converted['error']}\n--- converted ---\n{case['converted']}"
    *values, flags = original["result"]
    *got, got_flags = converted["result"]
    assert got_flags == flags
    for want, have in zip(values, got):
        np.testing.assert_allclose(np.array(have), np.array(want), rtol=BATCH_NORM_RTOL, atol=1e-6)
    method = ".eval()" if source == "mindspore" else ".set_train()"
    assert f"Net(){method}" in case["converted"]
