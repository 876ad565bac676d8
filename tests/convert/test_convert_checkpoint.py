"""Checkpoint calls in converted scripts (issue 14, "Converter").

(before, after) per call form and direction; calls that must stay; the framework facts the
translations rest on, measured side by side; and converted training scripts that save and load
checkpoints, executed with the source framework unimportable.
"""
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from msbridge.bridge.checkpoint import convert_file
from msbridge.convert.report import CONVERTED, REVIEW
from msbridge.convert.source import convert_source

ROOT = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).with_name("run_without.py")
NET_MS = """\
    class Net(nn.Cell):
        def __init__(self):
            super().__init__()
            self.fc = nn.Dense(3, 2)

        def construct(self, x):
            return self.fc(x)


    net = Net()
    """
NET_TORCH = """\
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 2)

        def forward(self, x):
            return self.fc(x)


    net = Net()
    """
NET_TORCH_OUT = textwrap.dedent("""\
    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(3, 2)

        def forward(self, x):
            return self.fc(x)


    net = Net().eval()
    """)
NET_MS_OUT = textwrap.dedent("""\
    class Net(mindspore.nn.Cell):
        def __init__(self):
            super().__init__()
            self.fc = mindspore.nn.Dense(3, 2)

        def construct(self, x):
            return self.fc(x)


    net = Net().set_train()
    """)
OWN_TORCH = "  # msbridge: note: this file's own save writes this path: torch.load reads it"
BRIDGE_TORCH = ("  # msbridge: note: msbridge loader: the script did not write this path itself, so it may be "
                "MindSpore's file; read by content")
BRIDGE_MS = ("  # msbridge: note: msbridge loader: the script did not write this path itself, so it may be "
             "torch's file; read by content")


def _convert(code, to):
    out, report = convert_source(textwrap.dedent(code), to)
    assert convert_source(out, to)[0] == out, "converting twice must give the same output"
    return out, report


def _statuses(report, api):
    return [u.status for u in report.uses if u.api == api]


# ---- MindSpore -> torch: every import spelling --------------------------------------------------------
MS_SPELLINGS = [
    ("import mindspore as ms\nfrom mindspore import nn\n", "ms.save_checkpoint", "ms.load_checkpoint",
     "ms.load_param_into_net"),
    ("import mindspore\nfrom mindspore import nn\n", "mindspore.save_checkpoint", "mindspore.load_checkpoint",
     "mindspore.load_param_into_net"),
    ("from mindspore import nn, save_checkpoint, load_checkpoint, load_param_into_net\n", "save_checkpoint",
     "load_checkpoint", "load_param_into_net"),
    ("from mindspore import nn\nimport mindspore.train.serialization as ser\n", "ser.save_checkpoint",
     "ser.load_checkpoint", "ser.load_param_into_net"),
    ("from mindspore import nn\nfrom mindspore.train.serialization import save_checkpoint as sc, "
     "load_checkpoint as lc, load_param_into_net as lp\n", "sc", "lc", "lp"),
]


@pytest.mark.parametrize("imports,save,load,into", MS_SPELLINGS,
                         ids=["ms-alias", "mindspore", "from-import", "serialization-module", "from-import-as"])
def test_convert_checkpoint_mindspore_to_torch_spellings(imports, save, load, into):
    before = imports + textwrap.dedent(NET_MS) + (
        f'{save}(net, "net.ckpt")\n'
        f'params = {load}("net.ckpt")\n'
        f'pre = {load}("pretrained.ckpt")\n'
        f'{into}(net, params)\n')
    out, report = _convert(before, "torch")
    assert out == ("import torch\nfrom msbridge.bridge.checkpoint_script import load_torch_state_dict\n"
                   + NET_TORCH_OUT +
                   'torch.save(net.state_dict(), "net.ckpt")\n'
                   f'params = torch.load("net.ckpt", weights_only=True){OWN_TORCH}\n'
                   f'pre = load_torch_state_dict("pretrained.ckpt"){BRIDGE_TORCH}\n'
                   'net.load_state_dict(params, strict=False)\n')
    assert report.complete
    loads = [u for u in report.uses if u.api == "mindspore.load_checkpoint"]
    assert [u.target for u in loads] == ["torch.load", "msbridge.bridge.checkpoint_script.load_torch_state_dict"]


def test_convert_checkpoint_torch_to_mindspore():
    before = "import torch\nfrom torch import nn\n" + textwrap.dedent(NET_TORCH) + textwrap.dedent("""\
        torch.save(net.state_dict(), "net.ckpt")
        torch.save(net.state_dict(), "net.pt")
        net.load_state_dict(torch.load("net.ckpt"), strict=False)
        net.load_state_dict(torch.load("net.pt", map_location="cpu", weights_only=True))
        net.load_state_dict(torch.load("pretrained.pt"))
        """)
    out, report = _convert(before, "mindspore")
    own = "  # msbridge: note: this file's own save writes this path: mindspore.load_checkpoint reads it"
    # MindSpore 2.10's Cell.load_state_dict is torch's (tests/torch/test_program_twins_more.py): the call stays
    assert out == ("import mindspore\nfrom msbridge.bridge.checkpoint_script import load_mindspore_checkpoint\n"
                   + NET_MS_OUT +
                   'mindspore.save_checkpoint(net, "net.ckpt")\n'
                   'mindspore.save_checkpoint(net, "net.pt")  # msbridge: note: MindSpore appends .ckpt: this '
                   'writes net.pt.ckpt\n'
                   f'net.load_state_dict(mindspore.load_checkpoint("net.ckpt"), strict=False){own}\n'
                   'net.load_state_dict(mindspore.load_checkpoint("net.pt.ckpt"))'
                   f"{own} under the name MindSpore's save gave it (net.pt.ckpt); map_location dropped "
                   f"(MindSpore places tensors itself)\n"
                   f'net.load_state_dict(load_mindspore_checkpoint("pretrained.pt")){BRIDGE_MS}\n')
    assert _statuses(report, ".load_state_dict()") == [CONVERTED, CONVERTED, CONVERTED]
    assert _statuses(report, "torch.save") == [CONVERTED, CONVERTED]
    assert _statuses(report, "torch.load") == [CONVERTED, CONVERTED, CONVERTED]


# ---- calls that stay (or stay and are marked) -------------------------------------------------------
UNCHANGED = [
    ("mindspore", "import mindspore as ms\n\n\ndef save_checkpoint(net, path):\n    return path\n\n\n"
                  "save_checkpoint(object(), 'a.ckpt')\n"),
    ("mindspore", "import torch\n\n\ndef run(torch, net):\n    torch.save(net.state_dict(), 'a.pt')\n"
                  "    return torch.load('a.pt')\n"),
    ("mindspore", "import torch\nfrom mylib import store\n\nstore.load_state_dict(torch.load('a.pt'))\n"),
    ("torch", "import mindspore\n\n\ndef load_checkpoint(path):\n    return {}\n\n\n"
              "params = load_checkpoint('a.ckpt')\n"),
]


@pytest.mark.parametrize("to,code", UNCHANGED, ids=["user-save_checkpoint", "parameter-named-torch",
                                                    "non-framework-load_state_dict", "user-load_checkpoint"])
def test_convert_checkpoint_non_framework_calls_stay(to, code):
    out, report = convert_source(code, to)
    if "store" in code:   # torch.load is a framework call there; the method of a non-framework object stays
        assert "store.load_state_dict(" in out and "load_param_into_net" not in out
        assert _statuses(report, ".load_state_dict()") == []
    else:
        assert out == code
        assert not [u for u in report.uses if "checkpoint" in u.api or u.api in ("torch.save", "torch.load")]


REVIEWED = [
    ("torch", "ms.save_checkpoint([{'name': 'w', 'data': w}], 'a.ckpt')", "mindspore.save_checkpoint",
     "this object is not known to become a torch network"),
    ("torch", "ms.save_checkpoint(w, 'a.ckpt')", "mindspore.save_checkpoint",
     "`w` is not known to become a torch network"),
    ("torch", "ms.save_checkpoint(net, 'a.ckpt', append_dict={'epoch': 1})", "mindspore.save_checkpoint",
     "only mindspore.save_checkpoint(save_obj, ckpt_file_name) is converted"),
    ("torch", "params = ms.load_checkpoint('a.ckpt', net)", "mindspore.load_checkpoint",
     "only mindspore.load_checkpoint(ckpt_file_name) is converted"),
    ("torch", "ms.load_param_into_net(opt, params)", "mindspore.load_param_into_net", "`opt` is an optimizer"),
    ("mindspore", "torch.save(net, 'a.pt')", "torch.save", "a MindSpore Cell is not pickled"),
    ("mindspore", "opt = torch.optim.Adagrad(net.parameters(), 0.1)\nopt.load_state_dict(sd)", ".load_state_dict()",
     "`opt` is an optimizer without msbridge's torch-layout twin"),   # SGD's twin takes it: rules.optimizer_state
    ("mindspore", "sd = torch.load('a.pt', weights_only=False)", "torch.load", "weights_only is not True"),
]


@pytest.mark.parametrize("to,line,api,why", REVIEWED, ids=[f"{to}-{i}" for i, (to, *_) in enumerate(REVIEWED)])
def test_convert_checkpoint_what_does_not_cross_is_marked_review(to, line, api, why):
    if to == "torch":
        code = "import mindspore as ms\nfrom mindspore import nn\n" + textwrap.dedent(NET_MS) + \
            "opt = nn.Momentum(net.trainable_params(), 0.1, 0.9)\nparams = {}\nw = 1\n" + line + "\n"
    else:
        code = "import torch\nfrom torch import nn\n" + textwrap.dedent(NET_TORCH) + "path = 'a'\n" + line + "\n"
    out, report = _convert(code, to)
    uses = [u for u in report.uses if u.api == api and u.status == REVIEW]
    assert uses and why in uses[-1].message, report.uses
    assert f"# msbridge: review: {api}: " in out and not report.complete


def test_convert_checkpoint_computed_path_keeps_torchs_format_so_the_scripts_own_load_finds_it():
    """MindSpore's save_checkpoint appends .ckpt to a computed name without it, so the script's own
    ``torch.load(path)`` would miss the file: such a save writes torch's format at exactly that path
    (msbridge.torch.serialization), read back by its load (pytorch-cifar100's train.py)."""
    code = ("import torch\nfrom torch import nn\n" + textwrap.dedent(NET_TORCH)
            + "path = 'a'\ntorch.save(net.state_dict(), path)\nsd = torch.load(path)\n")
    out, report = _convert(code, "mindspore")
    assert "save(net.state_dict(), path)\nsd = load(path)\n" in out and "import save, load" in out
    assert report.complete, report.render()


def test_convert_checkpoint_second_run_sees_msbridge_twins_and_loaders_as_the_first_saw_their_sources():
    """mindcv's optim_factory: the optimizer becomes msbridge's twin and the load msbridge's loader; a
    second run used to call the optimizer unknown and the loaded dict unrelated, and added a mark."""
    code = ("import mindspore as ms\nfrom mindspore import nn\n\n\ndef create(params, path):\n"
            "    optimizer = nn.Adam(params, 0.1)\n"
            "    ms.load_param_into_net(optimizer, ms.load_checkpoint(path))\n    return optimizer\n")
    out, report = _convert(code, "torch")
    assert "`optimizer` is an optimizer" in out and "holds torch objects (load_torch_state_dict, optimizer)" in out
    assert _convert(out, "torch")[0] == out


# ---- the facts the translations rest on, measured side by side ------------------------------------------
def test_convert_checkpoint_load_param_into_net_returns_what_load_state_dict_strict_false_returns():
    """Same loaded keys; (param_not_load, ckpt_not_load) == (missing_keys, unexpected_keys); strictness differs."""
    import mindspore as ms
    import torch

    rng = np.random.default_rng(0)
    w, b = rng.standard_normal((2, 3)).astype(np.float32), rng.standard_normal(2).astype(np.float32)
    ms_net, t_net = ms.nn.Dense(3, 2), torch.nn.Linear(3, 2)
    ms_out = ms.load_param_into_net(ms_net, {"weight": ms.Parameter(ms.tensor(w), name="weight"),
                                             "other": ms.Parameter(ms.tensor(b), name="other")})
    t_out = t_net.load_state_dict({"weight": torch.from_numpy(w), "other": torch.from_numpy(b)}, strict=False)
    assert tuple(ms_out) == tuple(t_out) and len(tuple(t_out)) == 2       # (['bias'], ['other']) both
    assert np.array_equal(ms_net.weight.asnumpy(), t_net.weight.detach().numpy())
    assert np.array_equal(ms_net.weight.asnumpy(), w)
    # torch's default strict=True raises where MindSpore's strict_load=True returns the lists: hence `review`
    with pytest.raises(RuntimeError):
        torch.nn.Linear(3, 2).load_state_dict({"weight": torch.from_numpy(w)})
    assert tuple(ms.load_param_into_net(ms.nn.Dense(3, 2), {"weight": ms.Parameter(ms.tensor(w), name="weight")},
                                        strict_load=True)) == (["bias"], [])


def test_convert_checkpoint_mindspore_save_appends_ckpt_and_load_needs_it(tmp_path):
    """Why a converted ``torch.save(sd, 'net.pt')`` is read back from 'net.pt.ckpt'."""
    import mindspore as ms

    ms.save_checkpoint(ms.nn.Dense(3, 2), str(tmp_path / "net.pt"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.pt.ckpt"]
    with pytest.raises(ValueError):
        ms.load_checkpoint(str(tmp_path / "net.pt"))
    assert sorted(ms.load_checkpoint(str(tmp_path / "net.pt.ckpt"))) == ["bias", "weight"]


def test_convert_checkpoint_emitted_loaders_give_what_the_frameworks_own_loaders_give(tmp_path):
    """``load_torch_state_dict``/``load_mindspore_checkpoint`` on each framework's own file equal its own loader;
    on the other framework's file, the same bytes under the other names."""
    import mindspore as ms
    import torch

    from msbridge.bridge.checkpoint_script import load_mindspore_checkpoint, load_torch_state_dict

    dense, linear = ms.nn.Dense(3, 2), torch.nn.Linear(3, 2)
    ms.save_checkpoint(dense, str(tmp_path / "d.ckpt"))
    torch.save(linear.state_dict(), tmp_path / "l.pt")
    own_t, ours_t = torch.load(tmp_path / "l.pt", weights_only=True), load_torch_state_dict(tmp_path / "l.pt")
    assert list(ours_t) == list(own_t) and all(torch.equal(ours_t[k], own_t[k]) for k in own_t)
    own_m, ours_m = ms.load_checkpoint(str(tmp_path / "d.ckpt")), load_mindspore_checkpoint(tmp_path / "d.ckpt")
    assert sorted(ours_m) == sorted(own_m)
    for k in own_m:
        assert ours_m[k].dtype == own_m[k].dtype and np.array_equal(ours_m[k].asnumpy(), own_m[k].asnumpy())
    crossed = load_torch_state_dict(tmp_path / "d.ckpt")
    assert sorted(crossed) == ["bias", "weight"]
    assert all(np.array_equal(crossed[k].numpy(), own_m[k].asnumpy()) for k in crossed)


# ---- converted training scripts, run with the source framework unimportable ------------------------------
MS_TRAIN = """\
    import numpy as np
    import mindspore as ms
    from mindspore import nn
    from mindspore import load_checkpoint, load_param_into_net


    class Net(nn.Cell):
        def __init__(self):
            super().__init__()
            self.bn = nn.BatchNorm2d(1)
            self.fc = nn.Dense(3, 2)

        def construct(self, x):
            return self.fc(self.bn(x))


    net = Net()
    loss_fn = nn.MSELoss()
    opt = nn.SGD(net.trainable_params(), 0.1)


    def forward_fn(x, y):
        return loss_fn(net(x), y)


    grad_fn = ms.value_and_grad(forward_fn, None, opt.parameters)


    def train_step(x, y):
        loss, grads = grad_fn(x, y)
        opt(grads)
        return loss


    x = ms.tensor(np.arange(12, dtype=np.float32).reshape(2, 1, 2, 3) / 10)
    y = ms.tensor(np.ones((2, 1, 2, 2), dtype=np.float32))
    net.set_train(True)
    for _ in range(3):
        train_step(x, y)
    ms.save_checkpoint(net, "DIR/net.ckpt")
    net2 = Net()
    missing, extra = load_param_into_net(net2, load_checkpoint("DIR/net.ckpt"))
    pre = Net()
    load_param_into_net(pre, ms.load_checkpoint("PRETRAINED"))
    net.set_train(False)
    net2.set_train(False)
    pre.set_train(False)
    result = {"saved": net(x).asnumpy().tolist(), "loaded": net2(x).asnumpy().tolist(),
              "fresh": Net()(x).asnumpy().tolist(), "pretrained": pre(x).asnumpy().tolist(),
              "not_loaded": [list(missing), list(extra)]}
    """
TORCH_TRAIN = """\
    import numpy as np
    import torch
    from torch import nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.bn = nn.BatchNorm2d(1)
            self.fc = nn.Linear(3, 2)

        def forward(self, x):
            return self.fc(self.bn(x))


    net = Net()
    opt = torch.optim.SGD(net.parameters(), 0.1)
    loss_fn = nn.MSELoss()
    x = torch.tensor(np.arange(12, dtype=np.float32).reshape(2, 1, 2, 3) / 10)
    y = torch.tensor(np.ones((2, 1, 2, 2), dtype=np.float32))
    net.train()
    for _ in range(3):
        opt.zero_grad()
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()
    torch.save(net.state_dict(), "DIR/net.pt")
    net2 = Net()
    missing, extra = net2.load_state_dict(torch.load("DIR/net.pt"), strict=False)
    pre = Net()
    pre.load_state_dict(torch.load("PRETRAINED", map_location="cpu"), strict=False)
    net.eval()
    net2.eval()
    pre.eval()
    result = {"saved": net(x).tolist(), "loaded": net2(x).tolist(),
              "fresh": Net()(x).tolist(), "pretrained": pre(x).tolist(),
              "not_loaded": [list(missing), list(extra)]}
    """


def _pretrained(tmp_path):
    """A MindSpore .ckpt and a torch .pt of the same random weights, written by the real frameworks,
    and the eval output of each framework's own net on the scripts' input."""
    import mindspore as ms
    import torch

    rng = np.random.default_rng(7)
    values = {"gamma": rng.uniform(0.5, 2, 1), "beta": rng.standard_normal(1), "mean": rng.standard_normal(1),
              "var": rng.uniform(0.5, 2, 1), "w": rng.standard_normal((2, 3)), "b": rng.standard_normal(2)}
    values = {k: v.astype(np.float32) for k, v in values.items()}
    x = np.arange(12, dtype=np.float32).reshape(2, 1, 2, 3) / 10
    ms_net = ms.nn.SequentialCell()
    bn, fc = ms.nn.BatchNorm2d(1), ms.nn.Dense(3, 2)
    params = {"bn.gamma": values["gamma"], "bn.beta": values["beta"], "bn.moving_mean": values["mean"],
              "bn.moving_variance": values["var"], "fc.weight": values["w"], "fc.bias": values["b"]}
    for name, value in params.items():
        layer, leaf = name.split(".")
        getattr(bn if layer == "bn" else fc, leaf).set_data(ms.tensor(value))
    ckpt = tmp_path / "pretrained.ckpt"
    ms.save_checkpoint([{"name": k, "data": ms.tensor(v)} for k, v in params.items()], str(ckpt))
    bn.set_train(False)
    ms_out = fc(bn(ms.tensor(x))).asnumpy()
    t_bn, t_fc = torch.nn.BatchNorm2d(1), torch.nn.Linear(3, 2)
    with torch.no_grad():
        for p, v in ((t_bn.weight, "gamma"), (t_bn.bias, "beta"), (t_bn.running_mean, "mean"),
                     (t_bn.running_var, "var"), (t_fc.weight, "w"), (t_fc.bias, "b")):
            p.copy_(torch.from_numpy(values[v]))
    pt = tmp_path / "pretrained.pt"
    torch.save({**{f"bn.{k}": v for k, v in t_bn.state_dict().items()},
                **{f"fc.{k}": v for k, v in t_fc.state_dict().items()}}, pt)
    # reading a .pt needs torch: a team without torch converts the original's file once (`msbridge ckpt`)
    convert_file(pt, tmp_path / "pretrained_from_pt.ckpt")
    pt = tmp_path / "pretrained_from_pt.ckpt"
    t_bn.eval()
    t_out = t_fc(t_bn(torch.from_numpy(x))).detach().numpy()
    return ckpt, pt, ms_out, t_out


def test_convert_checkpoint_converted_training_scripts_run_without_source_framework(tmp_path):
    ckpt, pt, ms_out, t_out = _pretrained(tmp_path)
    runs = {}
    for source, code, to, blocked, pre in (("mindspore", MS_TRAIN, "torch", "mindspore", ckpt),
                                           ("torch", TORCH_TRAIN, "mindspore", "torch", pt)):
        folder = tmp_path / source
        folder.mkdir()
        code = textwrap.dedent(code).replace("DIR", str(folder)).replace("PRETRAINED", str(pre))
        out, report = _convert(code, to)
        assert "msbridge.bridge.checkpoint_script" in out     # the pretrained file goes through msbridge's loader
        program = tmp_path / f"{source}_to_{to}.py"
        program.write_text(out)
        runs[source] = (program, blocked, out, report)
    results = {}
    for source, (program, blocked, out, report) in runs.items():
        proc = subprocess.run([sys.executable, str(RUNNER), blocked, str(program)], capture_output=True, text=True,
                              cwd=ROOT, timeout=240, env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
        assert proc.returncode == 0, proc.stderr[-3000:]
        run = json.loads(proc.stdout.strip().splitlines()[-1])[str(program)]
        assert run["ok"], f"{run['error']}\n--- converted ---\n{out}"
        results[source] = run["result"]
    for source, expected in (("mindspore", ms_out), ("torch", t_out)):
        result = results[source]
        assert result["loaded"] == result["saved"]              # the saved weights came back bit for bit
        assert result["not_loaded"] == [[], []]
        assert result["saved"] != result["fresh"]
        # the original framework's file, read by content, gives the original's weights
        np.testing.assert_allclose(np.array(result["pretrained"]), expected, rtol=1e-5, atol=1e-6)
