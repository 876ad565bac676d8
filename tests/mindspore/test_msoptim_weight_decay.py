"""Where MindSpore applies weight decay, vs real MindSpore: name filter, schedules, loss scale, groups.

Also grad centralization, which MindSpore's CPU build cannot run (checked
here), so ours is checked against its defining property instead.
"""
import mindspore as ms
import numpy as np
import pytest
import torch

import msbridge.mindspore.nn as msb_nn

NAMES = ("bn.gamma", "fc.weight", "bn.beta", "fc.bias")


def _weights():
    rng = np.random.default_rng(7)
    return [rng.standard_normal((2, 3)).astype(np.float32) for _ in NAMES]


def _grads(step):
    rng = np.random.default_rng(50 + step)
    return [rng.standard_normal((2, 3)).astype(np.float32) for _ in NAMES]


def _run(framework, make_opt, named, steps=4):
    if framework == "ms":
        params = [ms.Parameter(ms.Tensor(w), name=n) for n, w in zip(NAMES, _weights())]
        opt = make_opt(ms.nn, params)
    else:
        params = [torch.nn.Parameter(torch.from_numpy(w)) for w in _weights()]
        opt = make_opt(msb_nn, list(zip(NAMES, params)) if named else params)
    for step in range(steps):
        grads = _grads(step)
        opt(tuple(ms.Tensor(g) for g in grads) if framework == "ms" else tuple(torch.from_numpy(g) for g in grads))
    return [p.asnumpy() if framework == "ms" else p.detach().numpy() for p in params]


CASES = [
    ("momentum-name-filter", lambda nn, p: nn.Momentum(p, 0.1, 0.9, weight_decay=0.3), 0.0),
    ("adamwd-name-filter", lambda nn, p: nn.AdamWeightDecay(p, 0.01, weight_decay=0.3), 2e-7),
    ("sgd-name-filter-loss-scale", lambda nn, p: nn.SGD(p, 0.1, weight_decay=0.2, loss_scale=64.0), 0.0),
    ("momentum-wd-schedule-loss-scale",
     lambda nn, p: nn.Momentum(p, 0.1, 0.9, weight_decay=nn.ExponentialDecayLR(0.1, 0.5, 1), loss_scale=2.0), 0.0),
    ("adam-wd-schedule", lambda nn, p: nn.Adam(p, 0.01, weight_decay=nn.WarmUpLR(0.2, 3)), 2e-7),
    ("adamwd-wd-schedule", lambda nn, p: nn.AdamWeightDecay(p, 0.01, weight_decay=nn.CosineDecayLR(0.0, 0.2, 3)),
     2e-7),
]


@pytest.mark.parametrize("make_opt,atol", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_weight_decay_matches_mindspore(make_opt, atol):
    """With names (``named_parameters()``) the 'beta'/'gamma' filter applies exactly as in MindSpore."""
    expected = _run("ms", make_opt, named=True)
    got = _run("ours", make_opt, named=True)
    for a, b in zip(expected, got):
        np.testing.assert_allclose(b, a, rtol=0, atol=atol)


def test_without_names_every_parameter_decays():
    """Unnamed torch parameters cannot match 'beta'/'gamma': all decay, like MindSpore params named otherwise."""
    make = CASES[0][1]
    got = _run("ours", make, named=False)
    renamed = [ms.Parameter(ms.Tensor(w), name=f"p{i}") for i, w in enumerate(_weights())]
    opt = make(ms.nn, renamed)
    for step in range(4):
        opt(tuple(ms.Tensor(g) for g in _grads(step)))
    for a, b in zip(renamed, got):
        np.testing.assert_array_equal(b, a.asnumpy())


def test_group_weight_decay_schedule_matches_mindspore():
    def make(nn, p):
        return nn.Momentum([{"params": p[:2], "weight_decay": nn.InverseDecayLR(0.2, 0.5, 2)},
                            {"params": p[2:], "weight_decay": 0.05}], 0.1, 0.9)
    params_ms = [ms.Parameter(ms.Tensor(w), name=n) for n, w in zip(NAMES, _weights())]
    params_ours = [torch.nn.Parameter(torch.from_numpy(w)) for w in _weights()]
    ms_opt, our_opt = make(ms.nn, params_ms), make(msb_nn, params_ours)
    for step in range(4):
        ms_opt(tuple(ms.Tensor(g) for g in _grads(step)))
        our_opt(tuple(torch.from_numpy(g) for g in _grads(step)))
    for a, b in zip(params_ms, params_ours):
        np.testing.assert_array_equal(b.detach().numpy(), a.asnumpy())


def test_mindspore_cpu_cannot_run_grad_centralization():
    """Why ours is not compared with MindSpore here: its CPU build has no Centralization kernel."""
    w = ms.Parameter(ms.Tensor(np.zeros((2, 16), np.float32)), name="w")
    opt = ms.nn.Momentum([{"params": [w], "grad_centralization": True}], learning_rate=1.0, momentum=0.0)
    with pytest.raises(RuntimeError, match="Centralization"):
        opt((ms.Tensor(np.ones((2, 16), np.float32)),))


def test_grad_centralization_removes_the_per_row_mean():
    """Documented rule: for ndim >= 2 and shape[1] % 16 == 0 the gradient loses its mean over dims 1..."""
    rng = np.random.default_rng(0)
    shapes = [(3, 16, 2), (3, 15), (16,)]
    grads = [torch.from_numpy(rng.standard_normal(s).astype(np.float32)) for s in shapes]
    params = [torch.nn.Parameter(torch.zeros(s)) for s in shapes]
    opt = msb_nn.SGD([{"params": params, "grad_centralization": True}], learning_rate=1.0)
    opt(grads)
    centred, shape_15, vector = (-p.detach() for p in params)
    assert torch.allclose(centred.mean(dim=(1, 2)), torch.zeros(3), atol=1e-7)
    assert not torch.allclose(centred, grads[0])
    assert torch.equal(shape_15, grads[1]) and torch.equal(vector, grads[2])
