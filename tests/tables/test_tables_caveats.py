"""The caveats the rows state, each shown on the real frameworks (a note is a claim too)."""
import mindspore
import mindspore.experimental.optim.lr_scheduler as ms_lr
import mindspore.nn as ms_nn
import numpy as np
import pytest
import torch
from mindspore.experimental import optim as ms_optim

from msbridge.bridge.verify import max_relative_difference, verify_example
from msbridge.tables import load_tables
from msbridge.tables.records import Example
from msbridge.tables.translate import RowDoesNotApply, translate

TABLES = load_tables()


def ms_experimental_sgd(lr=0.1):
    return ms_optim.SGD([mindspore.Parameter(mindspore.Tensor([0.0], mindspore.float32), name="w")], lr=lr)


def torch_sgd(lr=0.1):
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)


def test_experimental_resume_is_one_decay_off_so_the_row_refuses_it():
    torch_opt = torch_sgd()
    torch_opt.param_groups[0]["initial_lr"] = 0.1
    torch_sched = torch.optim.lr_scheduler.ExponentialLR(torch_opt, 0.9, last_epoch=10)
    ms_opt = ms_experimental_sgd()
    ms_opt.param_groups[0]["initial_lr"] = mindspore.Tensor(0.1, mindspore.float32)
    ms_lr.ExponentialLR(ms_opt, 0.9, last_epoch=10)
    torch_value = torch_sched.get_last_lr()[0]
    ms_value = float(ms_opt.param_groups[0]["lr"].asnumpy())
    assert abs(ms_value / torch_value - 0.9) < 1e-5  # one extra decay
    with pytest.raises(RowDoesNotApply, match="last_epoch == -1"):
        translate(TABLES.row("lr.experimental.ExponentialLR"), "to_mindspore", (), {"gamma": 0.9, "last_epoch": 10})


def test_experimental_multisteplr_step_with_epoch_crashes():
    scheduler = ms_lr.MultiStepLR(ms_experimental_sgd(), [2, 4], 0.5)
    with pytest.raises(AttributeError, match="step_size"):
        scheduler.step(3)
    assert "step(epoch) crashes" in TABLES.row("lr.experimental.MultiStepLR").note


def test_experimental_lambdas_get_a_float32_parameter():
    seen = []
    ms_lr.LambdaLR(ms_experimental_sgd(), lambda epoch: seen.append(epoch) or 1.0)
    assert isinstance(seen[0], mindspore.Tensor) and seen[0].dtype == mindspore.float32
    with pytest.raises(ValueError, match="Only integer tensors"):
        ms_lr.LambdaLR(ms_experimental_sgd(), lambda epoch: [1.0, 0.5][epoch // 10])


def test_experimental_int_gamma_is_rejected_hence_the_float_transform():
    with pytest.raises(TypeError):
        ms_lr.StepLR(ms_experimental_sgd(), 2, 1)
    torch.optim.lr_scheduler.StepLR(torch_sgd(), 2, 1)  # torch accepts it
    translation = translate(TABLES.row("lr.experimental.StepLR"), "to_mindspore", (), {"step_size": 2, "gamma": 1})
    ms_lr.StepLR(ms_experimental_sgd(), **translation.kwargs)


def test_momentum_nesterov_differs_but_sgd_nesterov_matches():
    row = TABLES.row("optim.SGD")
    sgd = verify_example(row, Example("mindspore", (("learning_rate", 0.05), ("momentum", 0.9), ("nesterov", True))))
    assert sgd.agrees
    rng = np.random.default_rng(3)
    init, grads = rng.standard_normal(8).astype(np.float32), [rng.standard_normal(8).astype(np.float32) for _ in range(5)]
    param = mindspore.Parameter(mindspore.Tensor(init), name="w")
    momentum = ms_nn.Momentum([param], 0.05, 0.9, use_nesterov=True)
    weight = torch.nn.Parameter(torch.tensor(init))
    reference = torch.optim.SGD([weight], lr=0.05, momentum=0.9, nesterov=True)
    for grad in grads:
        momentum((mindspore.Tensor(grad),))
        weight.grad = torch.tensor(grad)
        reference.step()
    assert max_relative_difference(param.asnumpy().tolist(), weight.detach().numpy().tolist()) > 1e-2


def test_mindspore_ignores_decay_steps_and_decay_epoch_without_stair():
    assert ms_nn.natural_exp_decay_lr(0.1, 0.3, 12, 2, 2) == ms_nn.natural_exp_decay_lr(0.1, 0.3, 12, 2, 5)
    a, b = ms_nn.NaturalExpDecayLR(0.1, 0.3, 4), ms_nn.NaturalExpDecayLR(0.1, 0.3, 9)
    step = mindspore.Tensor(5, mindspore.int32)
    assert a(step).asnumpy() == b(step).asnumpy()


def test_cosine_past_t_max_is_impossible_so_the_row_stops_there():
    row = TABLES.row("lr.cosine_decay_lr")
    listed = ms_nn.cosine_decay_lr(0.0, 0.1, 30, 1, 10)
    optimizer = torch_sgd()
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=10)
    torch_values = []
    for _ in range(30):
        torch_values.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    assert max_relative_difference(listed[:11], torch_values[:11]) <= row.rtol
    assert max(abs(x - y) for x, y in zip(listed[11:], torch_values[11:])) > 0.01
    with pytest.raises(RowDoesNotApply, match="total_step <= step_per_epoch"):
        translate(row, "to_torch", (0.0, 0.1, 30, 1, 10))


def test_warmup_accepts_zero_learning_rate():
    assert ms_nn.warmup_lr(0.0, 4, 1, 2) == [0.0, 0.0, 0.0, 0.0]
