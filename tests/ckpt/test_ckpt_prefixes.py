"""Wrapper prefixes: files written by the real frameworks through wrappers (torch DataParallel,
MindSpore cells holding the network as ``network``/``net``) convert into the bare model, and back."""
import textwrap

import numpy as np
import pytest

ms = pytest.importorskip("mindspore")
torch = pytest.importorskip("torch")

from msbridge.bridge.checkpoint import load_checkpoint_into  # noqa: E402
from msbridge.bridge.checkpoint_prefixes import choose, shared_wrapper  # noqa: E402
from msbridge.bridge.checkpoint_tensor import CheckpointError  # noqa: E402
from msbridge.cli import main  # noqa: E402


class Holder(ms.nn.Cell):
    """A cell that holds the network under ``attr`` (MindSpore prefixes its parameters' names)."""
    def __init__(self, attr, net):
        super().__init__()
        setattr(self, attr, net)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("prefix")
    (root / "linear.py").write_text(textwrap.dedent('''
        import torch

        class Net(torch.nn.Linear):
            def __init__(self):
                super().__init__(4, 3)
    '''))
    ms.set_seed(0)
    dense = ms.nn.Dense(4, 3)
    ms.save_checkpoint(Holder("network", dense), str(root / "network.ckpt"))
    ms.save_checkpoint(Holder("net", dense), str(root / "net.ckpt"))
    torch.manual_seed(0)
    linear = torch.nn.Linear(4, 3)
    torch.save(torch.nn.DataParallel(linear).state_dict(), root / "dp.pt")
    torch.save(linear.state_dict(), root / "plain.pt")
    return root, dense, linear


def _run(argv, capsys):
    assert main(argv) == 0, capsys.readouterr().err
    return capsys.readouterr().out


def test_mindspore_network_prefix_is_stripped_and_torch_loads_it(files, capsys):
    root, dense, _ = files
    assert "stripped 'network.' (a wrapper's)" in _run(["ckpt", str(root / "network.ckpt"), "-o",
                                                        str(root / "a.pt")], capsys)
    model = torch.nn.Linear(4, 3)
    model.load_state_dict(torch.load(root / "a.pt", weights_only=True))  # strict
    assert np.array_equal(model.weight.detach().numpy(), dense.weight.asnumpy())


def test_net_prefix_is_kept_without_a_model_and_named(files, capsys):
    """`net.` is a common attribute of real models: only reported, stripped when asked or to fit --model."""
    root, _, _ = files
    out = _run(["ckpt", str(root / "net.ckpt"), "-o", str(root / "b.pt")], capsys)
    assert "every name starts with 'net.' (a wrapper's?): --strip-prefix net. removes it" in out
    assert set(torch.load(root / "b.pt", weights_only=True)) == {"net.weight", "net.bias"}
    _run(["ckpt", str(root / "net.ckpt"), "-o", str(root / "c.pt"), "--strip-prefix", "net"], capsys)
    assert set(torch.load(root / "c.pt", weights_only=True)) == {"weight", "bias"}
    out = _run(["ckpt", str(root / "net.ckpt"), "-o", str(root / "d.pt"), "--model", f"{root / 'linear.py'}:Net"],
               capsys)
    assert "stripped 'net.' (to fit the model)" in out


def test_dataparallel_prefix_is_stripped_and_mindspore_loads_it(files, capsys):
    root, _, linear = files
    assert "stripped 'module.'" in _run(["ckpt", str(root / "dp.pt"), "-o", str(root / "e.ckpt")], capsys)
    net = ms.nn.Dense(4, 3)
    assert ms.load_param_into_net(net, ms.load_checkpoint(str(root / "e.ckpt")))[0] == []
    assert np.array_equal(net.weight.asnumpy(), linear.weight.detach().numpy())


def test_add_prefix_fits_a_wrapped_mindspore_network(files, capsys):
    root, _, linear = files
    _run(["ckpt", str(root / "plain.pt"), "-o", str(root / "f.ckpt"), "--add-prefix", "network."], capsys)
    holder = Holder("network", ms.nn.Dense(4, 3))
    assert ms.load_param_into_net(holder, ms.load_checkpoint(str(root / "f.ckpt")))[0] == []
    assert np.array_equal(holder.network.bias.asnumpy(), linear.bias.detach().numpy())


def test_load_into_a_live_model_strips_or_adds_to_fit(files):
    root, dense, linear = files
    net = ms.nn.Dense(4, 3)
    assert load_checkpoint_into(net, root / "dp.pt").notes == ["prefix: stripped 'module.' (to fit the model)"]
    assert np.array_equal(net.weight.asnumpy(), linear.weight.detach().numpy())
    wrapped = torch.nn.DataParallel(torch.nn.Linear(4, 3))
    conversion = load_checkpoint_into(wrapped, root / "network.ckpt")
    assert conversion.notes == ["prefix: stripped 'network.' and added 'module.' (to fit the model)"]
    assert np.array_equal(wrapped.module.bias.detach().numpy(), dense.bias.asnumpy())


@pytest.mark.parametrize("names, shared", [
    (["module.module.a", "module.module.b"], "module.module."),
    (["module.a", "b"], ""),
    (["model"], ""),  # a bare name is not a prefix
    (["net.0.weight", "net.1.weight"], "net."),
])
def test_shared_wrapper(names, shared):
    assert shared_wrapper(names) == shared


def test_bad_prefix_options():
    with pytest.raises(CheckpointError, match=r"--strip-prefix 'module\.': 1 name\(s\) do not start with it \(b\)"):
        choose(["module.a", "b"], "torch", strip="module.")
    with pytest.raises(CheckpointError, match=r"prefix '\.': give a name such as 'module\.'"):
        choose(["a"], "torch", add=".")
