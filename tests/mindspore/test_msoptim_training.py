"""Train the same tiny net in real MindSpore and in torch with msbridge's MindSpore-shaped optimizers.

Two checks per configuration, both against the real framework in the same run:

* **same gradients**: MindSpore's gradients at each step are fed to our
  optimizer (``opt(grads)``), so any difference is the optimizer's own. SGD
  Momentum and Rprop are bit-identical in every configuration (groups, LR
  lists, schedules, loss scale, Nesterov). Adam/AdamWeightDecay/LazyAdam/
  AdaMax/Adagrad/RMSProp moments are bit-identical, their weights differ by
  at most one float32 ulp of 1.0 (measured; the test allows two, ``2 * 2**-23``,
  the weights being O(1)) after 12 steps: MindSpore's vectorised CPU kernels
  evaluate ``sqrt``/``rsqrt``/division their own way.
* **end to end**: torch computes its own gradients (``loss.backward();
  opt.step()``). Forward/backward matmuls round differently in the two
  frameworks, so parameters agree to float32 rounding accumulated over 12
  steps: ``rtol=2e-5, atol=1e-6`` for SGD-like rules. Adam-like rules divide
  by ``sqrt(v)``, which turns a rounding difference in a near-zero gradient
  (a sum that cancels to ~1e-5) into an O(lr) step difference, so those get
  ``atol=5e-4`` (a few percent of one step of lr=0.01-0.02).

The LR used at every step (``get_lr()`` before the step) must be identical.
"""
import mindspore as ms
import numpy as np
import pytest
import torch

import msbridge.mindspore.nn as msb_nn
from twin_nets import MsNet, data, init_weights, torch_net

STEPS = 12


def _lr_value(lr):
    """An LR (or tuple of group LRs) from get_lr() as a tuple of float32 numpy scalars."""
    lrs = lr if isinstance(lr, tuple) else (lr,)
    return tuple(np.float32(x.asnumpy() if isinstance(x, ms.Tensor) else x.detach().numpy()).reshape(()) for x in lrs)


def _groups(params, spec):
    """Build group dicts from a spec that names parameters by index."""
    if spec is None:
        return list(params)
    out = []
    for group in spec:
        group = dict(group)
        if 'params' in group:
            group['params'] = [params[i] for i in group['params']]
        if 'order_params' in group:
            group['order_params'] = [params[i] for i in group['order_params']]
        out.append(group)
    return out


def _run_mindspore(make_opt, weights, groups):
    net = MsNet(weights)
    params = net.trainable_params()
    opt = make_opt(ms.nn, _groups(params, groups))
    x, y = (ms.Tensor(a) for a in data())
    loss_fn = ms.nn.MSELoss()
    grad_fn = ms.value_and_grad(lambda a, b: loss_fn(net(a), b), None, opt.parameters)
    history = []
    for _ in range(STEPS):
        lr = _lr_value(opt.get_lr())
        _, grads = grad_fn(x, y)
        grads_np = [g.asnumpy().copy() for g in grads]
        opt(grads)
        history.append((lr, grads_np, [p.asnumpy().copy() for p in opt.parameters]))
    return history, [p.name for p in opt.parameters]


def _run_ours_same_grads(make_opt, weights, groups, ms_history):
    net = torch_net(weights)
    opt = make_opt(msb_nn, _groups(list(net.parameters()), groups))
    history = []
    for _, grads, _ in ms_history:
        lr = _lr_value(opt.get_lr())
        opt(tuple(torch.from_numpy(g) for g in grads))
        history.append((lr, [p.detach().numpy().copy() for p in opt.parameters]))
    return history


def _run_ours_end_to_end(make_opt, weights, groups):
    net = torch_net(weights)
    opt = make_opt(msb_nn, _groups(list(net.parameters()), groups))
    x, y = (torch.from_numpy(a) for a in data())
    history = []
    for _ in range(STEPS):
        lr = _lr_value(opt.get_lr())
        opt.zero_grad()
        torch.nn.functional.mse_loss(net(x), y).backward()
        opt.step()
        history.append((lr, [p.detach().numpy().copy() for p in opt.parameters]))
    return history


EPS32 = float(np.spacing(np.float32(1.0)))  # 2**-23
SGD_LIKE, ADAM_LIKE = (0, 1e-6), (2 * EPS32, 5e-4)
# (id, factory(nn_module, params) -> optimizer, group spec or None, (same-gradient atol, end-to-end atol))
CONFIGS = [
    ("SGD-default", lambda nn, p: nn.SGD(p), None, SGD_LIKE),
    ("SGD-momentum-damp-wd", lambda nn, p: nn.SGD(p, learning_rate=0.05, momentum=0.9, dampening=0.1,
                                                  weight_decay=0.01), None, SGD_LIKE),
    ("SGD-dampening-without-momentum", lambda nn, p: nn.SGD(p, learning_rate=0.1, dampening=0.5), None, SGD_LIKE),
    ("SGD-nesterov-list-lr", lambda nn, p: nn.SGD(p, learning_rate=[0.1 - 0.005 * i for i in range(STEPS)],
                                                  momentum=0.8, nesterov=True), None, SGD_LIKE),
    ("SGD-loss-scale", lambda nn, p: nn.SGD(p, learning_rate=0.05, momentum=0.5, weight_decay=0.02,
                                            loss_scale=128.0), None, SGD_LIKE),
    ("Momentum", lambda nn, p: nn.Momentum(p, learning_rate=0.1, momentum=0.9), None, SGD_LIKE),
    ("Momentum-nesterov-wd", lambda nn, p: nn.Momentum(p, learning_rate=0.1, momentum=0.9, weight_decay=0.05,
                                                       use_nesterov=True), None, SGD_LIKE),
    ("Momentum-exp-schedule", lambda nn, p: nn.Momentum(p, nn.ExponentialDecayLR(0.1, 0.9, 3), 0.9), None, SGD_LIKE),
    ("Momentum-loss-scale", lambda nn, p: nn.Momentum(p, 0.05, 0.9, weight_decay=0.01, loss_scale=1024.0),
     None, SGD_LIKE),
    ("Momentum-groups", lambda nn, p: nn.Momentum(p, learning_rate=0.1, momentum=0.9, weight_decay=0.01),
     [{'params': [0, 2], 'weight_decay': 0.1, 'lr': 0.05}, {'params': [1, 3]},
      {'order_params': [0, 1, 2, 3]}], SGD_LIKE),
    ("Momentum-groups-dynamic", lambda nn, p: nn.Momentum(p, learning_rate=0.001, momentum=0.9),
     [{'params': [0, 1], 'lr': [0.1 * 0.9 ** i for i in range(STEPS)]}, {'params': [2, 3]}], SGD_LIKE),
    ("Adam", lambda nn, p: nn.Adam(p, learning_rate=0.01), None, ADAM_LIKE),
    ("Adam-wd-nesterov-schedule", lambda nn, p: nn.Adam(p, nn.CosineDecayLR(0.001, 0.02, 8), use_nesterov=True,
                                                        weight_decay=0.01), None, ADAM_LIKE),
    ("Adam-amsgrad", lambda nn, p: nn.Adam(p, learning_rate=0.01, use_amsgrad=True), None, ADAM_LIKE),
    ("AdamWeightDecay", lambda nn, p: nn.AdamWeightDecay(p, learning_rate=0.01, weight_decay=0.1), None, ADAM_LIKE),
    ("AdamWeightDecay-groups-warmup", lambda nn, p: nn.AdamWeightDecay(p, nn.WarmUpLR(0.02, 5)),
     [{'params': [0, 2], 'weight_decay': 0.05}, {'params': [1, 3], 'weight_decay': 0.0}], ADAM_LIKE),
    ("Adagrad", lambda nn, p: nn.Adagrad(p, learning_rate=0.05), None, ADAM_LIKE),
    ("Adagrad-wd-poly", lambda nn, p: nn.Adagrad(p, accum=0.2, learning_rate=nn.PolynomialDecayLR(0.1, 0.01, 6, 2.0),
                                                 weight_decay=0.01, loss_scale=8.0), None, ADAM_LIKE),
    ("RMSProp", lambda nn, p: nn.RMSProp(p, learning_rate=0.01), None, ADAM_LIKE),
    ("RMSProp-centered-momentum-wd", lambda nn, p: nn.RMSProp(p, learning_rate=0.005, momentum=0.9, centered=True,
                                                              weight_decay=0.01, loss_scale=4.0), None, ADAM_LIKE),
    ("AdaMax", lambda nn, p: nn.AdaMax(p, learning_rate=0.01, weight_decay=0.01), None, ADAM_LIKE),
    ("Rprop", lambda nn, p: nn.Rprop(p, learning_rate=0.01), None, SGD_LIKE),
    ("Rprop-wd-list", lambda nn, p: nn.Rprop(p, learning_rate=[0.02] * STEPS, etas=(0.4, 1.5),
                                             step_sizes=(1e-4, 0.05), weight_decay=0.01), None, SGD_LIKE),
    ("LazyAdam-nesterov", lambda nn, p: nn.LazyAdam(p, learning_rate=0.01, use_nesterov=True, weight_decay=0.01),
     None, ADAM_LIKE),
]


@pytest.fixture(scope="module", params=CONFIGS, ids=[c[0] for c in CONFIGS])
def trained(request):
    _, make_opt, groups, tolerances = request.param
    weights = init_weights()
    ms_history, _ = _run_mindspore(make_opt, weights, groups)
    return make_opt, groups, tolerances, weights, ms_history


def test_same_gradients_match_mindspore(trained):
    make_opt, groups, (atol, _), weights, ms_history = trained
    ours = _run_ours_same_grads(make_opt, weights, groups, ms_history)
    for step, ((ms_lr, _, ms_params), (our_lr, our_params)) in enumerate(zip(ms_history, ours)):
        assert ms_lr == our_lr, f"step {step}: LR {our_lr} != MindSpore {ms_lr}"
        for a, b in zip(ms_params, our_params):
            np.testing.assert_allclose(b, a, rtol=0, atol=atol, err_msg=f"step {step}")


def test_end_to_end_training_matches_mindspore(trained):
    make_opt, groups, (_, atol), weights, ms_history = trained
    ours = _run_ours_end_to_end(make_opt, weights, groups)
    for step, ((ms_lr, _, ms_params), (our_lr, our_params)) in enumerate(zip(ms_history, ours)):
        assert ms_lr == our_lr, f"step {step}: LR {our_lr} != MindSpore {ms_lr}"
        for a, b in zip(ms_params, our_params):
            np.testing.assert_allclose(b, a, rtol=2e-5, atol=atol, err_msg=f"step {step}")
