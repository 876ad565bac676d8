"""Why msbridge's torch-shaped optimizers do not run on ``mindspore.experimental.optim``: measured here.

Same parameters, same 50 gradients, three optimizers: real torch, MindSpore's
experimental torch-like optimizer, ours on MindSpore Parameters.
``experimental.optim.Adam`` runs MindSpore's ``Adam`` kernel, which adds eps
to ``sqrt(v)`` after folding the bias corrections into the step size; torch
adds it to ``sqrt(v) / sqrt(1 - beta2**t)``. With ``eps=1e-3`` that moves the
weights by ~0.1 after 50 steps; ours stays at float32 rounding of torch. If
this test fails on the experimental side, MindSpore has changed and building
on it should be reconsidered.
"""
import mindspore as ms
import numpy as np
import torch
from mindspore.experimental import optim as experimental

import msbridge.torch as msb_torch

SHAPES = ((3, 4), (3,))
STEPS = 50


def _data():
    rng = np.random.default_rng(0)
    weights = [rng.standard_normal(s).astype(np.float32) for s in SHAPES]
    grads = [[rng.standard_normal(s).astype(np.float32) * np.float32(0.01) for s in SHAPES] for _ in range(STEPS)]
    return weights, grads


def _torch(name, kwargs, weights, grads):
    params = [torch.nn.Parameter(torch.from_numpy(w.copy())) for w in weights]
    opt = getattr(torch.optim, name)(params, **kwargs)
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad = torch.from_numpy(g)
        opt.step()
    return [p.detach().numpy() for p in params]


def _mindspore(module, name, kwargs, weights, grads):
    params = [ms.Parameter(ms.Tensor(w.copy()), name=f"p{i}") for i, w in enumerate(weights)]
    opt = getattr(module, name)(params, **kwargs)
    for step_grads in grads:
        opt(tuple(ms.Tensor(g) for g in step_grads))
    return [p.asnumpy() for p in params]


def _max_diff(a, b):
    return max(float(np.abs(x - y).max()) for x, y in zip(a, b))


def test_adam_eps_placement_experimental_departs_ours_does_not():
    weights, grads = _data()
    kwargs = {"lr": 0.01, "eps": 1e-3}
    expected = _torch("Adam", kwargs, weights, grads)
    assert _max_diff(_mindspore(experimental, "Adam", kwargs, weights, grads), expected) > 1e-2
    assert _max_diff(_mindspore(msb_torch.optim, "Adam", kwargs, weights, grads), expected) <= 2e-7
