"""torch-shaped optimizers on MindSpore: ``state_dict`` layout, resume, and argument errors vs real torch 2.13."""
import mindspore as ms
import numpy as np
import pytest
import torch

import msbridge.torch as msb_torch

SHAPES = ((3, 4), (3,))


def _weights():
    rng = np.random.default_rng(3)
    return [rng.standard_normal(s).astype(np.float32) for s in SHAPES]


def _grads(step):
    rng = np.random.default_rng(100 + step)
    return [rng.standard_normal(s).astype(np.float32) for s in SHAPES]


def _torch_params():
    return [torch.nn.Parameter(torch.from_numpy(w.copy())) for w in _weights()]


def _ms_params():
    return [ms.Parameter(ms.Tensor(w.copy()), name=f"p{i}") for i, w in enumerate(_weights())]


def _torch_step(opt, params, step):
    for p, g in zip(params, _grads(step)):
        p.grad = torch.from_numpy(g)
    opt.step()


def _our_step(opt, step):
    opt.step(tuple(ms.Tensor(g) for g in _grads(step)))


def _plain(value):
    """A state_dict leaf as something comparable: arrays for tensors, the value otherwise."""
    if isinstance(value, torch.Tensor):
        return value.detach().numpy()
    if isinstance(value, ms.Tensor):
        return value.asnumpy()
    return value


OPTIMIZERS = [
    ("SGD-momentum", lambda o, p: o.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.01)),
    ("SGD-plain", lambda o, p: o.SGD(p, lr=0.1)),
    ("Adam-amsgrad", lambda o, p: o.Adam(p, lr=0.01, amsgrad=True)),
    ("AdamW-groups", lambda o, p: o.AdamW([{"params": [p[0]], "lr": 0.02}, {"params": [p[1]]}], lr=0.01)),
    ("SGD-named", lambda o, p: o.SGD([("fc.weight", p[0]), ("fc.bias", p[1])], lr=0.1, momentum=0.5)),
    ("SGD-int-lr", lambda o, p: o.SGD(p, lr=1, momentum=0.5)),
]


@pytest.mark.parametrize("make", [m for _, m in OPTIMIZERS], ids=[n for n, _ in OPTIMIZERS])
def test_state_dict_layout_and_values_match_torch(make):
    t_params = _torch_params()
    t_opt = make(torch.optim, t_params)
    o_opt = make(msb_torch.optim, _ms_params())
    for step in range(3):
        _torch_step(t_opt, t_params, step)
        _our_step(o_opt, step)
    expected, got = t_opt.state_dict(), o_opt.state_dict()
    assert got["param_groups"] == expected["param_groups"]
    assert got["state"].keys() == expected["state"].keys()
    for index, state in expected["state"].items():
        assert got["state"][index].keys() == state.keys()
        for key, value in state.items():
            np.testing.assert_allclose(_plain(got["state"][index][key]), _plain(value), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("make", [m for _, m in OPTIMIZERS], ids=[n for n, _ in OPTIMIZERS])
def test_resume_from_torch_state_dict_continues_like_torch(make):
    """Train 3 steps in torch, load torch's state_dict into ours on MindSpore, continue both 3 steps."""
    t_params = _torch_params()
    t_opt = make(torch.optim, t_params)
    for step in range(3):
        _torch_step(t_opt, t_params, step)
    ms_params = [ms.Parameter(ms.Tensor(p.detach().numpy().copy()), name=f"p{i}") for i, p in enumerate(t_params)]
    o_opt = make(msb_torch.optim, ms_params)
    o_opt.load_state_dict(t_opt.state_dict())
    for step in range(3, 6):
        _torch_step(t_opt, t_params, step)
        _our_step(o_opt, step)
    for a, b in zip(t_params, ms_params):
        np.testing.assert_allclose(b.asnumpy(), a.detach().numpy(), rtol=1e-6, atol=1e-7)


def test_round_trip_through_our_state_dict_is_exact():
    straight = msb_torch.optim.Adam(_ms_params(), lr=0.01)
    resumed_params = _ms_params()
    first = msb_torch.optim.Adam(resumed_params, lr=0.01)
    for step in range(3):
        _our_step(straight, step)
        _our_step(first, step)
    second = msb_torch.optim.Adam(resumed_params, lr=0.01)
    second.load_state_dict(first.state_dict())
    for step in range(3, 6):
        _our_step(straight, step)
        _our_step(second, step)
    for a, b in zip(straight.parameters, resumed_params):
        np.testing.assert_array_equal(b.asnumpy(), a.asnumpy())


def test_step_uses_the_current_group_lr():
    """A scheduler (or the user) rewriting ``group['lr']`` changes the next step, as in torch."""
    t_params = _torch_params()
    t_opt = torch.optim.SGD(t_params, lr=0.1)
    o_opt = msb_torch.optim.SGD(_ms_params(), lr=0.1)
    for step, lr in enumerate([0.1, 0.05, 0.3]):
        t_opt.param_groups[0]["lr"] = lr
        o_opt.param_groups[0]["lr"] = lr
        _torch_step(t_opt, t_params, step)
        _our_step(o_opt, step)
    for a, b in zip(t_params, o_opt.parameters):
        np.testing.assert_array_equal(b.asnumpy(), a.detach().numpy())


BAD = [
    ("SGD", {"lr": -1.0}), ("SGD", {"momentum": -0.5}), ("SGD", {"weight_decay": -0.1}),
    ("SGD", {"nesterov": True}), ("SGD", {"nesterov": True, "momentum": 0.9, "dampening": 0.1}),
    ("Adam", {"lr": -0.1}), ("Adam", {"eps": -1.0}), ("Adam", {"betas": (1.0, 0.999)}),
    ("Adam", {"betas": (0.9, -0.1)}), ("Adam", {"weight_decay": -1.0}), ("Adam", {"betas": (0.9, 1)}),
    ("AdamW", {"lr": -0.1}), ("AdamW", {"betas": (0.9, 1.5)}),
]


@pytest.mark.parametrize("name,kwargs", BAD, ids=[f"{n}-{i}" for i, (n, _) in enumerate(BAD)])
def test_argument_errors_match_torch(name, kwargs):
    with pytest.raises(Exception) as expected:
        getattr(torch.optim, name)(_torch_params(), **kwargs)
    with pytest.raises(Exception) as got:
        getattr(msb_torch.optim, name)(_ms_params(), **kwargs)
    assert type(got.value) is type(expected.value)
    assert str(got.value) == str(expected.value)


@pytest.mark.parametrize("make_params", [lambda p: [], lambda p: p[0], lambda p: [{"params": [p[0]]}, {"params": p}],
                                         lambda p: [{"params": {p[0]}}], lambda p: [p[0], 3],
                                         lambda p: [("a", p[0]), p[1]],
                                         lambda p: [{"params": [("a", p[0])]}, {"params": [p[1]]}]],
                         ids=["empty", "single-tensor", "duplicate", "set", "not-a-parameter", "some-names-missing",
                              "groups-mix-names"])
def test_parameter_errors_match_torch(make_params):
    with pytest.raises(Exception) as expected:
        torch.optim.SGD(make_params(_torch_params()), lr=0.1)
    with pytest.raises(Exception) as got:
        msb_torch.optim.SGD(make_params(_ms_params()), lr=0.1)
    assert type(got.value) is type(expected.value)
    if "torch" not in str(expected.value) and "mindspore" not in str(got.value):
        assert str(got.value) == str(expected.value)


@pytest.mark.parametrize("make", [m for _, m in OPTIMIZERS], ids=[n for n, _ in OPTIMIZERS])
def test_repr_matches_torch(make):
    assert repr(make(msb_torch.optim, _ms_params())) == repr(make(torch.optim, _torch_params()))


def test_add_param_group_mid_training_matches_torch():
    t_params, o_params = _torch_params(), _ms_params()
    t_opt = torch.optim.Adam([t_params[0]], lr=0.01)
    o_opt = msb_torch.optim.Adam([o_params[0]], lr=0.01)
    for step in range(2):
        t_params[0].grad = torch.from_numpy(_grads(step)[0])
        t_opt.step()
        o_opt.step((ms.Tensor(_grads(step)[0]),))
    t_opt.add_param_group({"params": [t_params[1]], "lr": 0.05, "betas": (0.8, 0.9)})
    o_opt.add_param_group({"params": [o_params[1]], "lr": 0.05, "betas": (0.8, 0.9)})
    for step in range(2, 5):
        _torch_step(t_opt, t_params, step)
        _our_step(o_opt, step)
    assert o_opt.state_dict()["param_groups"] == t_opt.state_dict()["param_groups"]
    for a, b in zip(t_params, o_params):
        np.testing.assert_allclose(b.asnumpy(), a.detach().numpy(), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("make", [m for _, m in OPTIMIZERS], ids=[n for n, _ in OPTIMIZERS])
def test_saved_state_dict_loads_safely_into_real_torch(make, tmp_path):
    """Issue 11.8: ``torch.load(weights_only=True)`` reads our saved state, real torch resumes from it like ours."""
    o_params = _ms_params()
    o_opt = make(msb_torch.optim, o_params)
    for step in range(3):
        _our_step(o_opt, step)
    path = tmp_path / "opt.pt"
    torch.save(o_opt.state_dict(), path)
    loaded = torch.load(path, weights_only=True)
    t_params = [torch.nn.Parameter(torch.from_numpy(p.asnumpy().copy())) for p in o_params]
    t_opt = make(torch.optim, t_params)
    t_opt.load_state_dict(loaded)
    for step in range(3, 6):
        _torch_step(t_opt, t_params, step)
        _our_step(o_opt, step)
    for a, b in zip(t_params, o_params):
        np.testing.assert_allclose(b.asnumpy(), a.detach().numpy(), rtol=1e-6, atol=1e-7)
    reloaded = make(msb_torch.optim, [ms.Parameter(ms.Tensor(p.asnumpy()), name=f"q{i}")
                                      for i, p in enumerate(o_params)])
    reloaded.load_state_dict(torch.load(path, weights_only=True))  # and back into ours
    assert reloaded.state_dict()["param_groups"] == loaded["param_groups"]
