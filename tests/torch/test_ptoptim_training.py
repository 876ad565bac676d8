"""Train the same tiny net with real torch optimizers and with msbridge's torch-shaped ones on MindSpore.

* **same gradients**: torch's gradients at each step are fed to our
  optimizer on MindSpore Parameters (``opt.step(grads)``); any difference is
  the optimizer's. SGD is bit-identical; Adam/AdamW agree within
  ``4 * 2**-23`` absolute (weights are O(1)): torch's vectorised float32
  ``sqrt`` is not correctly rounded, numpy's is.
* **end to end**: MindSpore computes its own gradients with
  ``value_and_grad`` and our optimizer steps with them; parameters agree to
  the float32 rounding of the two frameworks' matmuls, accumulated over 12
  steps (``atol=1e-6`` SGD-like; ``5e-4`` for Adam-like rules, which turn a
  rounding difference in a near-zero gradient into an O(lr) step difference).
* ``lr``, ``momentum`` and ``betas`` in ``param_groups`` at every step are
  identical, also when a scheduler changes them (ours driving ours vs torch's
  driving torch's: StepLR, ExponentialLR, CosineAnnealingLR, CyclicLR with
  momentum cycling, OneCycleLR with betas cycling).
"""
import mindspore as ms
import numpy as np
import pytest
import torch

import msbridge.torch as msb_torch
from twin_nets import MsNet, data, init_weights, torch_net

STEPS = 12
EPS32 = float(np.spacing(np.float32(1.0)))


def _groups(params, spec):
    if spec is None:
        return list(params)
    return [dict(group, params=[params[i] for i in group["params"]]) for group in spec]


def _run_torch(make_opt, make_sched, weights, groups):
    net = torch_net(weights)
    opt = make_opt(torch.optim, _groups(list(net.parameters()), groups))
    sched = make_sched(torch.optim.lr_scheduler, opt) if make_sched else None
    x, y = (torch.from_numpy(a) for a in data())
    history = []
    for _ in range(STEPS):
        lrs = [(g["lr"], g.get("momentum"), g.get("betas")) for g in opt.param_groups]
        opt.zero_grad()
        torch.nn.functional.mse_loss(net(x), y).backward()
        grads = [p.grad.numpy().copy() for p in net.parameters()]
        opt.step()
        if sched:
            sched.step()
        history.append((lrs, grads, [p.detach().numpy().copy() for p in net.parameters()]))
    return history


def _run_ours(make_opt, make_sched, weights, groups, torch_history=None):
    """With ``torch_history``, step with torch's gradients; otherwise with MindSpore's own."""
    net = MsNet(weights)
    params = net.trainable_params()
    opt = make_opt(msb_torch.optim, _groups(params, groups))
    sched = make_sched(msb_torch.optim.lr_scheduler, opt) if make_sched else None
    x, y = (ms.Tensor(a) for a in data())
    loss_fn = ms.nn.MSELoss()
    grad_fn = ms.value_and_grad(lambda a, b: loss_fn(net(a), b), None, opt.parameters)
    history = []
    for step in range(STEPS):
        lrs = [(g["lr"], g.get("momentum"), g.get("betas")) for g in opt.param_groups]
        if torch_history is None:
            _, grads = grad_fn(x, y)
        else:
            by_param = dict(zip((id(p) for p in params), (ms.Tensor(g) for g in torch_history[step][1])))
            grads = tuple(by_param[id(p)] for p in opt.parameters)
        opt.step(grads)
        if sched:
            sched.step()
        history.append((lrs, [p.asnumpy().copy() for p in params]))
    return history


SGD_LIKE, ADAM_LIKE = (0.0, 1e-6), (4 * EPS32, 5e-4)
CONFIGS = [
    ("SGD", lambda o, p: o.SGD(p, lr=0.1), None, None, SGD_LIKE),
    ("SGD-momentum-damp-wd", lambda o, p: o.SGD(p, lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01),
     None, None, SGD_LIKE),
    ("SGD-nesterov-steplr", lambda o, p: o.SGD(p, lr=0.1, momentum=0.8, nesterov=True),
     lambda s, opt: s.StepLR(opt, step_size=3, gamma=0.5), None, SGD_LIKE),
    ("SGD-damp-no-momentum", lambda o, p: o.SGD(p, lr=0.1, dampening=0.5), None, None, SGD_LIKE),
    ("SGD-groups-exponential", lambda o, p: o.SGD(p, lr=0.1, momentum=0.9),
     lambda s, opt: s.ExponentialLR(opt, gamma=0.9),
     [{"params": [0, 1], "lr": 0.05, "weight_decay": 0.1}, {"params": [2, 3]}], SGD_LIKE),
    ("Adam", lambda o, p: o.Adam(p, lr=0.01), None, None, ADAM_LIKE),
    ("Adam-wd-amsgrad", lambda o, p: o.Adam(p, lr=0.01, weight_decay=0.01, amsgrad=True), None, None, ADAM_LIKE),
    ("Adam-cosine", lambda o, p: o.Adam(p, lr=0.02, betas=(0.8, 0.99)),
     lambda s, opt: s.CosineAnnealingLR(opt, T_max=8), None, ADAM_LIKE),
    ("AdamW", lambda o, p: o.AdamW(p, lr=0.01), None, None, ADAM_LIKE),
    ("SGD-cyclic-momentum", lambda o, p: o.SGD(p, lr=0.01, momentum=0.9),
     lambda s, opt: s.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=3), None, SGD_LIKE),
    ("AdamW-onecycle-betas", lambda o, p: o.AdamW(p, lr=0.01),
     lambda s, opt: s.OneCycleLR(opt, max_lr=0.05, total_steps=STEPS), None, ADAM_LIKE),
    ("AdamW-groups-maximize", lambda o, p: o.AdamW(p, lr=0.01, weight_decay=0.1, maximize=True),
     None, [{"params": [0, 2], "weight_decay": 0.0}, {"params": [1, 3], "lr": 0.005}], ADAM_LIKE),
]


@pytest.fixture(scope="module", params=CONFIGS, ids=[c[0] for c in CONFIGS])
def trained(request):
    _, make_opt, make_sched, groups, tolerances = request.param
    weights = init_weights()
    return make_opt, make_sched, groups, tolerances, weights, _run_torch(make_opt, make_sched, weights, groups)


def test_same_gradients_match_torch(trained):
    make_opt, make_sched, groups, (atol, _), weights, torch_history = trained
    ours = _run_ours(make_opt, make_sched, weights, groups, torch_history)
    for step, ((t_lrs, _, t_params), (o_lrs, o_params)) in enumerate(zip(torch_history, ours)):
        assert o_lrs == t_lrs, f"step {step}"
        for a, b in zip(t_params, o_params):
            np.testing.assert_allclose(b, a, rtol=0, atol=atol, err_msg=f"step {step}")


def test_end_to_end_training_matches_torch(trained):
    make_opt, make_sched, groups, (_, atol), weights, torch_history = trained
    ours = _run_ours(make_opt, make_sched, weights, groups)
    for step, ((t_lrs, _, t_params), (o_lrs, o_params)) in enumerate(zip(torch_history, ours)):
        assert o_lrs == t_lrs, f"step {step}"
        for a, b in zip(t_params, o_params):
            np.testing.assert_allclose(b, a, rtol=2e-5, atol=atol, err_msg=f"step {step}")
