"""``msbridge ckpt`` carries optimizer state and the LR position (files written by the real frameworks).

A run of N steps is saved by one framework, converted by the command line, resumed for N steps on
the other framework's own optimizer, and compared with 2N steps on the first (same test run).
Model: one Dense/Linear layer, loss sum(y * t): the gradients are single products, exact in both."""
import numpy as np
import pytest

ms = pytest.importorskip("mindspore")
torch = pytest.importorskip("torch")

from msbridge.cli import main  # noqa: E402

N = 2
LRS = [0.1, 0.08, 0.05, 0.04]  # per-step: the LR position must carry over
RNG = np.random.RandomState(1)
XS = RNG.randn(2 * N, 1, 4).astype(np.float32)
TS = RNG.randn(2 * N, 1, 3).astype(np.float32)
W0, B0 = RNG.randn(3, 4).astype(np.float32), RNG.randn(3).astype(np.float32)


class _Loss(ms.nn.Cell):
    def __init__(self, net):
        super().__init__(auto_prefix=False)
        self.net = net

    def construct(self, x, t):
        return (self.net(x) * t).sum()


class _Wrapper(ms.nn.Cell):
    """A hand-written wrapper that holds the network as a child: its names gain ``network.``."""
    def __init__(self, net):
        super().__init__()
        self.network = net

    def construct(self, x):
        return self.network(x)


def _ms_net():
    net = ms.nn.Dense(4, 3)
    net.weight.set_data(ms.Tensor(W0))
    net.bias.set_data(ms.Tensor(B0))
    return net


def _ms_steps(net, opt, first, last):
    train = ms.nn.TrainOneStepCell(_Loss(net), opt)
    for i in range(first, last):
        train(ms.Tensor(XS[i]), ms.Tensor(TS[i]))
    return train


def _torch_model():
    model = torch.nn.Linear(4, 3)
    with torch.no_grad():
        model.weight.copy_(torch.tensor(W0))
        model.bias.copy_(torch.tensor(B0))
    return model


def _torch_steps(model, opt, first, last, lrs):
    for i in range(first, last):
        for group in opt.param_groups:
            group["lr"] = lrs[i]
        opt.zero_grad()
        (model(torch.tensor(XS[i])) * torch.tensor(TS[i])).sum().backward()
        opt.step()


# MindSpore optimizer, torch optimizer, tolerance (the optimizer row's: Momentum float32-rounding,
# Adam approximate (rtol 1e-3, measured ~3e-5), Adagrad float32-rounding rtol 1e-5)
PAIRS = {
    "Momentum": (lambda p: ms.nn.Momentum(p, LRS, 0.9), torch.optim.SGD, {"momentum": 0.9}, 1e-6),
    "Adam": (lambda p: ms.nn.Adam(p, LRS), torch.optim.Adam, {}, 1e-3),
    "Adagrad": (lambda p: ms.nn.Adagrad(p, learning_rate=LRS), torch.optim.Adagrad, {}, 1e-5),
}


@pytest.mark.parametrize("kind", sorted(PAIRS))
def test_mindspore_training_checkpoint_resumes_on_torch_optimizer(kind, tmp_path, capsys):
    make_ms, torch_cls, _, rtol = PAIRS[kind]
    wrap = kind == "Momentum"  # one case saved through a wrapper: `network.` is stripped, slots too
    net = _ms_net()
    cell = _Wrapper(net) if wrap else net
    opt = make_ms(cell.trainable_params())
    train = _ms_steps(cell, opt, 0, N)
    ms.save_checkpoint(train, str(tmp_path / "half.ckpt"))
    _ms_steps(cell, opt, N, 2 * N)
    reference = net.weight.asnumpy(), net.bias.asnumpy()

    assert main(["ckpt", str(tmp_path / "half.ckpt"), "-o", str(tmp_path / "half.pt")]) == 0
    out = capsys.readouterr().out
    assert f"MindSpore {kind} -> torch.optim.{torch_cls.__name__} state at global_step {N}" in out
    assert ("stripped 'network.'" in out) == wrap
    saved = torch.load(tmp_path / "half.pt", weights_only=True)
    assert saved["global_step"] == N and saved["learning_rates"] == pytest.approx(LRS)
    model = _torch_model()
    model.load_state_dict(saved["model"])
    torch_opt = torch_cls(model.parameters(), lr=1.0)
    torch_opt.load_state_dict(saved["optimizer"])
    assert torch_opt.param_groups[0]["lr"] == saved["learning_rates"][saved["global_step"]]
    _torch_steps(model, torch_opt, N, 2 * N, saved["learning_rates"])
    np.testing.assert_allclose(model.weight.detach().numpy(), reference[0], rtol=rtol, atol=rtol)
    np.testing.assert_allclose(model.bias.detach().numpy(), reference[1], rtol=rtol, atol=rtol)


@pytest.mark.parametrize("kind", sorted(PAIRS))
def test_torch_training_dict_resumes_on_mindspore_optimizer(kind, tmp_path, capsys):
    make_ms, torch_cls, hyper, rtol = PAIRS[kind]
    model = _torch_model()
    opt = torch_cls(model.parameters(), lr=LRS[0], **hyper)
    _torch_steps(model, opt, 0, N, LRS)
    # DataParallel's `module.` prefix on the weights: stripped on the way
    torch.save({"model": torch.nn.DataParallel(model).state_dict(), "optimizer": opt.state_dict(), "global_step": N},
               tmp_path / "run.pt")
    _torch_steps(model, opt, N, 2 * N, LRS)
    reference = model.weight.detach().numpy(), model.bias.detach().numpy()

    assert main(["ckpt", str(tmp_path / "run.pt"), "-o", str(tmp_path / "run.ckpt")]) == 0
    assert "stripped 'module.'" in capsys.readouterr().out
    net = ms.nn.Dense(4, 3)
    ms_opt = make_ms(net.trainable_params())
    params = ms.load_checkpoint(str(tmp_path / "run.ckpt"))
    assert ms.load_param_into_net(net, params)[0] == []
    ms.load_param_into_net(ms_opt, params)
    assert int(ms_opt.global_step.asnumpy()[0]) == N
    _ms_steps(net, ms_opt, N, 2 * N)
    np.testing.assert_allclose(net.weight.asnumpy(), reference[0], rtol=rtol, atol=rtol)
    np.testing.assert_allclose(net.bias.asnumpy(), reference[1], rtol=rtol, atol=rtol)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Real files: MindSpore RMSProp/AdamWeightDecay/SGD training checkpoints; torch training dicts."""
    root = tmp_path_factory.mktemp("state")
    for name, make in (("RMSProp", lambda p: ms.nn.RMSProp(p, 0.1)),
                       ("AdamWeightDecay", lambda p: ms.nn.AdamWeightDecay(p, 0.1)),
                       ("SGD", lambda p: ms.nn.SGD(p, 0.1, momentum=0.9))):
        net = _ms_net()  # saved before any step: the slots and global_step are there (no kernel compiled)
        train = ms.nn.TrainOneStepCell(_Loss(net), make(net.trainable_params()))
        ms.save_checkpoint(train, str(root / f"ms_{name}.ckpt"))
    for name, make in (("RMSprop", torch.optim.RMSprop), ("AdamW", torch.optim.AdamW), ("SGD", torch.optim.SGD),
                       ("Adam", torch.optim.Adam)):
        model = _torch_model()
        opt = make(model.parameters(), lr=0.1, **({"momentum": 0.9} if name == "SGD" else {}))
        _torch_steps(model, opt, 0, 1, LRS)
        torch.save({"model": model.state_dict(), "optimizer": opt.state_dict()}, root / f"pt_{name}.pt")
        if name == "Adam":
            sd = opt.state_dict()
            for group in sd["param_groups"]:
                del group["decoupled_weight_decay"]  # as older torch versions save it
            torch.save({"model": model.state_dict(), "optimizer": sd}, root / "pt_Adam_old.pt")
            frozen = make([model.weight], lr=0.1)  # built on a subset: positions cannot be told
            _torch_steps(model, frozen, 0, 1, LRS)
            torch.save({"model": model.state_dict(), "optimizer": frozen.state_dict()}, root / "pt_subset.pt")
            amsgrad = make(model.parameters(), lr=0.1, amsgrad=True)
            _torch_steps(model, amsgrad, 0, 1, LRS)
            torch.save({"model": model.state_dict(), "optimizer": amsgrad.state_dict()}, root / "pt_amsgrad.pt")
    return root


def _error_line(capsys):
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("msbridge: error: "), err
    return err[0]


@pytest.mark.parametrize("src, options, fragment", [
    ("ms_RMSProp.ckpt", [], "torch.optim.RMSprop is a different algorithm (row optim.RMSProp"),
    ("ms_AdamWeightDecay.ckpt", [], "torch.optim.AdamW is a different algorithm (row optim.AdamWeightDecay"),
    ("ms_SGD.ckpt", [], "holds MindSpore SGD state (accum, stat), which msbridge does not convert"),
    ("ms_RMSProp.ckpt", ["--optimizer", "Adamax"], "--optimizer 'Adamax': expected one of Momentum"),
    ("ms_SGD.ckpt", ["--strip-prefix", "net."], "--strip-prefix 'net.': 2 name(s) do not start with it"),
    ("pt_RMSprop.pt", [], "torch.optim.RMSprop state: MindSpore's RMSProp is a different algorithm"),
    ("pt_AdamW.pt", [], "torch.optim.AdamW state: MindSpore's AdamWeightDecay is a different algorithm"),
    ("pt_Adam_old.pt", [], "does not say Adam or AdamW (no decoupled_weight_decay in its param groups): pass "
                           "--optimizer Adam or AdamW"),
    ("pt_Adam.pt", ["--optimizer", "Momentum"], "--optimizer Momentum contradicts the file"),
    ("pt_SGD.pt", [], "torch SGD keeps no step count and the file holds no 'global_step' nor a scheduler's "
                      "last_epoch: pass --global-step N"),
    ("pt_subset.pt", [], "the optimizer holds 1 parameters but the model state_dict 2 trainable-looking ones"),
    ("pt_amsgrad.pt", [], "Adam(amsgrad=True) state (max_exp_avg_sq): MindSpore's Adam has no amsgrad"),
])
def test_refused_training_state(files, capsys, src, options, fragment):
    out = files / (src.partition(".")[0] + (".pt" if src.endswith(".ckpt") else ".ckpt"))
    assert main(["ckpt", str(files / src), "-o", str(out), *options]) == 2
    assert fragment in _error_line(capsys)
    assert not out.exists()


@pytest.mark.parametrize("src, options", [
    ("ms_RMSProp.ckpt", ["--weights-only"]),
    ("pt_Adam_old.pt", ["--optimizer", "Adam"]),
    ("pt_SGD.pt", ["--global-step", "1"]),
])
def test_the_way_out_each_refusal_names(files, capsys, src, options):
    out = files / ("ok_" + src.partition(".")[0] + (".pt" if src.endswith(".ckpt") else ".ckpt"))
    assert main(["ckpt", str(files / src), "-o", str(out), *options]) == 0
    if out.suffix == ".ckpt":
        params = ms.load_checkpoint(str(out))
        assert int(params["global_step"].asnumpy()[0]) == 1 and "weight" in params
    else:
        assert set(torch.load(out, weights_only=True)) == {"weight", "bias"}
