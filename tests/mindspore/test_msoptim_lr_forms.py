"""The ``learning_rate`` forms, ``global_step`` and ``get_lr()`` of our MindSpore-shaped optimizers vs real MindSpore.

Everything expected here is produced by real MindSpore in the same run.
"""
import mindspore as ms
import numpy as np
import pytest
import torch

import msbridge.mindspore.nn as msb_nn


def _ms_params():
    return [ms.Parameter(ms.Tensor(np.full((2, 2), 0.5, np.float32)), name="w"),
            ms.Parameter(ms.Tensor(np.full((2,), -0.5, np.float32)), name="b")]


def _our_params():
    return [torch.nn.Parameter(torch.full((2, 2), 0.5)), torch.nn.Parameter(torch.full((2,), -0.5))]


def _grads(framework, step):
    g = [np.full((2, 2), 0.1 * (step + 1), np.float32), np.full((2,), -0.2, np.float32)]
    return tuple(ms.Tensor(x) for x in g) if framework == "ms" else tuple(torch.from_numpy(x) for x in g)


def _values(lr):
    lrs = lr if isinstance(lr, tuple) else (lr,)
    return [np.asarray(x.asnumpy() if isinstance(x, ms.Tensor) else x.detach().numpy(), np.float32).reshape(())
            for x in lrs]


def _lr_list(n):
    return [0.1 * 0.7 ** i + 1e-3 for i in range(n)]


# (id, factory(nn_module, framework) -> learning_rate argument, groups(params, nn, framework) or None)
LR_FORMS = [
    ("float", lambda nn, fw: 0.01, None),
    ("int", lambda nn, fw: 1, None),
    ("list", lambda nn, fw: _lr_list(6), None),
    ("tuple", lambda nn, fw: tuple(_lr_list(6)), None),
    ("tensor-1d", lambda nn, fw: (ms.Tensor if fw == "ms" else torch.tensor)(np.array(_lr_list(6), np.float32)),
     None),
    ("tensor-0d", lambda nn, fw: (ms.Tensor if fw == "ms" else torch.tensor)(np.float32(0.03)), None),
    ("exponential", lambda nn, fw: nn.ExponentialDecayLR(0.1, 0.9, 2, is_stair=True), None),
    ("natural-exp", lambda nn, fw: nn.NaturalExpDecayLR(0.1, 0.3, 2), None),
    ("inverse", lambda nn, fw: nn.InverseDecayLR(0.1, 0.5, 2), None),
    ("cosine", lambda nn, fw: nn.CosineDecayLR(0.001, 0.1, 4), None),
    ("polynomial", lambda nn, fw: nn.PolynomialDecayLR(0.1, 0.001, 3, 0.5, update_decay_steps=True), None),
    ("warmup", lambda nn, fw: nn.WarmUpLR(0.1, 3), None),
    # MindSpore wraps a fixed group LR as lr + 1.0 - 1.0 (float32) once any LR is dynamic: 0.001 changes.
    ("groups-fixed-and-list", lambda nn, fw: 0.001,
     lambda p, nn, fw: [{"params": [p[0]], "lr": _lr_list(6)}, {"params": [p[1]]}]),
    ("groups-fixed-and-schedule", lambda nn, fw: 0.0123,
     lambda p, nn, fw: [{"params": [p[0]]}, {"params": [p[1]], "lr": nn.WarmUpLR(0.1, 3)}]),
    ("groups-fixed-only", lambda nn, fw: 0.001, lambda p, nn, fw: [{"params": [p[0]], "lr": 0.2}, {"params": [p[1]]}]),
]


def _build(framework, make_lr, make_groups, optimizer="Momentum"):
    nn = ms.nn if framework == "ms" else msb_nn
    params = _ms_params() if framework == "ms" else _our_params()
    lr = make_lr(nn, framework)
    args = make_groups(params, nn, framework) if make_groups else params
    if optimizer == "Momentum":
        return getattr(nn, optimizer)(args, learning_rate=lr, momentum=0.9), params
    return getattr(nn, optimizer)(args, learning_rate=lr), params


@pytest.mark.parametrize("optimizer", ["Momentum", "Adam"])
@pytest.mark.parametrize("form", LR_FORMS, ids=[f[0] for f in LR_FORMS])
def test_lr_used_each_step_and_global_step_match(form, optimizer):
    _, make_lr, make_groups = form
    ms_opt, ms_params = _build("ms", make_lr, make_groups, optimizer)
    our_opt, our_params = _build("ours", make_lr, make_groups, optimizer)
    for step in range(6):
        assert _values(our_opt.get_lr()) == _values(ms_opt.get_lr()), f"step {step}"
        ms_opt(_grads("ms", step))
        our_opt(_grads("ours", step))
        assert int(our_opt.global_step[0]) == int(ms_opt.global_step.asnumpy()[0])
        for a, b in zip(ms_params, our_params):
            np.testing.assert_array_equal(b.detach().numpy(), a.asnumpy()) if optimizer != "Adam" else \
                np.testing.assert_allclose(b.detach().numpy(), a.asnumpy(), rtol=2.4e-7, atol=1.2e-7)
    assert our_opt.global_step.dtype == torch.int32 and tuple(our_opt.global_step.shape) == (1,)


def test_lr_list_past_the_end_raises_like_mindspore():
    """MindSpore 2.10 (CPU) does not hold the last value: its Gather raises RuntimeError past the end."""
    ms_opt, _ = _build("ms", lambda nn, fw: [0.1, 0.2, 0.3], None)
    our_opt, _ = _build("ours", lambda nn, fw: [0.1, 0.2, 0.3], None)
    for step in range(3):
        ms_opt(_grads("ms", step))
        our_opt(_grads("ours", step))
    with pytest.raises(RuntimeError) as ms_err:
        ms_opt(_grads("ms", 3))
    with pytest.raises(RuntimeError) as our_err:
        our_opt(_grads("ours", 3))
    first_line = str(ms_err.value).strip().splitlines()[0]
    assert str(our_err.value) == first_line


def test_fixed_lr_is_a_float32_tensor_the_user_can_overwrite():
    ms_opt, _ = _build("ms", lambda nn, fw: 0.1, None)
    our_opt, _ = _build("ours", lambda nn, fw: 0.1, None)
    ms.ops.assign(ms_opt.learning_rate, ms.Tensor(np.float32(0.05)))
    our_opt.learning_rate.fill_(0.05)
    assert _values(our_opt.get_lr()) == _values(ms_opt.get_lr())
    assert our_opt.get_lr().dtype == torch.float32


def test_get_lr_parameter_matches():
    ms_opt, ms_params = _build("ms", lambda nn, fw: 0.001,
                               lambda p, nn, fw: [{"params": [p[0]], "lr": 0.2}, {"params": [p[1]]}])
    our_opt, our_params = _build("ours", lambda nn, fw: 0.001,
                                 lambda p, nn, fw: [{"params": [p[0]], "lr": 0.2}, {"params": [p[1]]}])
    assert _values(tuple(our_opt.get_lr_parameter(our_params))) == _values(tuple(ms_opt.get_lr_parameter(ms_params)))
    assert _values(our_opt.get_lr_parameter(our_params[1])) == _values(ms_opt.get_lr_parameter(ms_params[1]))


def test_torch_style_step_reads_grad_and_equals_mindspore_call():
    ms_opt, ms_params = _build("ms", lambda nn, fw: _lr_list(6), None)
    our_opt, our_params = _build("ours", lambda nn, fw: _lr_list(6), None)
    for step in range(4):
        ms_opt(_grads("ms", step))
        our_opt.zero_grad()
        for p, g in zip(our_params, _grads("ours", step)):
            p.grad = g.clone()
        our_opt.step()
        for a, b in zip(ms_params, our_params):
            np.testing.assert_array_equal(b.detach().numpy(), a.asnumpy())
