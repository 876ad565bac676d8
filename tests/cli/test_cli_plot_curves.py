"""The numbers behind ``msbridge plot``, checked against the real frameworks in the same run.

The plot must show what MindSpore and torch compute, step by step; and the
counterpart it overlays must be a real counterpart (close everywhere it
should be, visibly different where the frameworks really differ).
"""
import inspect
import math

import mindspore
import numpy as np
import pytest
import torch
from mindspore import nn as ms_nn
from mindspore.experimental import optim as ms_optim

from msbridge.errors import UserError
from msbridge.plot import runners
from msbridge.plot.expression import parse_call
from msbridge.plot.render import Curve, compare
from msbridge.plot.translations import bound_arguments, mindspore_to_torch, torch_to_mindspore

MS_FUNCTION_CALLS = [
    "nn.exponential_decay_lr(0.1, 0.9, 120, 4, 3)",
    "nn.exponential_decay_lr(0.1, 0.9, 120, 4, 3, is_stair=True)",
    "nn.natural_exp_decay_lr(0.1, 0.05, 90, 2, 3)",
    "nn.natural_exp_decay_lr(0.1, 0.05, 90, 2, 3, True)",
    "nn.inverse_decay_lr(0.1, 0.5, 80, 2, 10)",
    "nn.inverse_decay_lr(0.1, 0.5, 80, 2, 5, is_stair=True)",
    "nn.cosine_decay_lr(0.001, 0.1, 100, 2, 50)",
    "nn.polynomial_decay_lr(0.1, 0.0, 100, 2, 30, 2.0)",
    "nn.polynomial_decay_lr(0.1, 0.01, 100, 2, 30, 2.0)",
    "nn.polynomial_decay_lr(0.1, 0.01, 100, 1, 15, 0.5, update_decay_epoch=True)",
    "nn.warmup_lr(0.1, 60, 3, 10)",
    "nn.piecewise_constant_lr([10, 30, 60], [0.1, 0.05, 0.025])",
    "nn.piecewise_constant_lr([10, 30, 60], [0.1, 0.05, 0.01])",
]
MS_SCHEDULE_CALLS = [
    "nn.ExponentialDecayLR(0.1, 0.9, 4)",
    "nn.ExponentialDecayLR(0.1, 0.9, 4, is_stair=True)",
    "nn.NaturalExpDecayLR(0.1, 0.05, 4)",
    "nn.NaturalExpDecayLR(0.1, 0.05, 4, True)",
    "nn.InverseDecayLR(0.1, 0.5, 10)",
    "nn.CosineDecayLR(0.001, 0.1, 100)",
    "nn.PolynomialDecayLR(0.1, 0.0, 50, 2.0)",
    "nn.PolynomialDecayLR(0.1, 0.01, 20, 2.0, update_decay_steps=True)",
    "nn.WarmUpLR(0.1, 50)",
]


def test_mindspore_function_curve_is_the_list_mindspore_returns():
    assert runners.mindspore_lr_function(parse_call("nn.warmup_lr(0.1, 60, 3, 10)")) == ms_nn.warmup_lr(0.1, 60, 3, 10)
    call = parse_call("nn.piecewise_constant_lr(milestone=[3, 7], learning_rates=[0.1, 0.01])")
    assert runners.mindspore_lr_function(call) == ms_nn.piecewise_constant_lr([3, 7], [0.1, 0.01])


def test_mindspore_schedule_curve_is_the_cell_output_at_each_step():
    cell = ms_nn.CosineDecayLR(0.001, 0.1, 40)
    expected = [float(cell(mindspore.Tensor(s, mindspore.int32)).asnumpy()) for s in range(60)]
    assert runners.mindspore_lr_schedule(parse_call("nn.CosineDecayLR(0.001, 0.1, 40)"), 60) == expected


@pytest.mark.parametrize("spe, every", [(1, 1), (5, 5), (5, 1)])
def test_torch_curve_is_the_lr_each_batch_sees(spe, every):
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.2)
    scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=[2, 5], gamma=0.5)
    expected = []
    for epoch in range(8):
        for batch in range(spe):
            expected.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            if every == 1 or batch == spe - 1:
                scheduler.step()
    call = parse_call("lr_scheduler.MultiStepLR(milestones=[2, 5], gamma=0.5)")
    assert runners.torch_shaped_scheduler(runners.TORCH, call, 0.2, 8 * spe, every) == expected


def test_one_cycle_takes_its_own_length():
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=37)
    expected = []
    for step in range(37):
        expected.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        if step < 36:
            scheduler.step()
    call = parse_call("lr_scheduler.OneCycleLR(max_lr=0.1, total_steps=37)")
    assert runners.torch_shaped_scheduler(runners.TORCH, call, 0.1, None, 1) == expected


def test_composite_schedulers_are_built_from_the_same_framework():
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    warm = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.1, total_iters=4)
    decay = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.8)
    scheduler = torch.optim.lr_scheduler.SequentialLR(optimizer, [warm, decay], milestones=[4])
    expected = []
    for _ in range(12):
        expected.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    call = parse_call(
        "lr_scheduler.SequentialLR(schedulers=[lr_scheduler.LinearLR(start_factor=0.1, total_iters=4), "
        "lr_scheduler.ExponentialLR(gamma=0.8)], milestones=[4])"
    )
    assert runners.torch_shaped_scheduler(runners.TORCH, call, 0.1, 12, 1) == expected


def test_mindspore_experimental_counterpart_is_mindspores_own_scheduler():
    weight = mindspore.Parameter(mindspore.Tensor(np.zeros(1, np.float32)), name="w")
    optimizer = ms_optim.SGD([weight], lr=0.1)
    scheduler = ms_optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=10, eta_min=0.001)
    expected = []
    for _ in range(25):
        expected.append(float(optimizer.param_groups[0]["lr"].asnumpy()))
        scheduler.step()
    call = parse_call("lr_scheduler.CosineAnnealingLR(T_max=10, eta_min=0.001)")
    assert runners.torch_shaped_scheduler(runners.MINDSPORE_EXPERIMENTAL, call, 0.1, 25, 1) == expected


def _torch_counterpart(text, steps=None):
    call = parse_call(text)
    if steps is None:
        source = runners.mindspore_lr_function(call)
    else:
        source = runners.mindspore_lr_schedule(call, steps)
    plan = mindspore_to_torch(call, bound_arguments(inspect.signature(getattr(ms_nn, call.api.name)), call))
    other = runners.torch_shaped_scheduler(runners.TORCH, plan.call, plan.lr, len(source), plan.step_every)
    return source, other, plan


@pytest.mark.parametrize("text", MS_FUNCTION_CALLS)
def test_torch_counterpart_of_each_mindspore_function_follows_it(text):
    source, other, plan = _torch_counterpart(text)
    cut = 51 * 2 if "cosine" in text else len(source)  # torch's cosine is periodic after T_max: compared below
    np.testing.assert_allclose(other[:cut], source[:cut], rtol=1e-12, atol=0, err_msg=plan.text)


@pytest.mark.parametrize("text", MS_SCHEDULE_CALLS)
def test_torch_counterpart_of_each_mindspore_schedule_follows_it_to_float32(text):
    source, other, plan = _torch_counterpart(text, steps=150)
    cut = 101 if "Cosine" in text else len(source)
    # MindSpore computes in float32 (its 0.9 is 0.89999998); torch in float64: a few float32 roundings
    # apart, relative to the schedule's largest LR (cancellation in 1 + sin(...) near the minimum)
    scale = max(source) * float(np.finfo(np.float32).eps)
    np.testing.assert_allclose(other[:cut], source[:cut], rtol=2e-6, atol=2 * scale, err_msg=plan.text)


def test_cosine_counterpart_shows_where_the_frameworks_really_differ():
    source, other, _ = _torch_counterpart("nn.cosine_decay_lr(0.001, 0.1, 300, 1, 50)")
    # MindSpore clamps at min_lr after decay_epoch; torch's CosineAnnealingLR goes back up
    assert source[50:] == [source[50]] * 250
    assert max(other[50:]) > 0.09
    assert compare(Curve("ms", tuple(source)), Curve("torch", tuple(other))).max_abs > 0.09


TORCH_CALLS = [
    ("lr_scheduler.StepLR(step_size=3, gamma=0.5)", 4),
    ("lr_scheduler.StepLR(7)", 1),
    ("lr_scheduler.ExponentialLR(gamma=0.95)", 3),
    ("lr_scheduler.MultiStepLR(milestones=[3, 8, 8, 15], gamma=0.3)", 2),
    ("lr_scheduler.ConstantLR(factor=0.25, total_iters=4)", 2),
    ("lr_scheduler.CosineAnnealingLR(T_max=20, eta_min=0.001)", 2),
    ("lr_scheduler.PolynomialLR(total_iters=12, power=2.0)", 3),
]


@pytest.mark.parametrize("text, every", TORCH_CALLS)
def test_mindspore_counterpart_of_each_torch_scheduler_follows_it(text, every):
    call = parse_call(text)
    source = runners.torch_shaped_scheduler(runners.TORCH, call, 0.1, 20 * every, every)
    signature = inspect.signature(getattr(torch.optim.lr_scheduler, call.api.name))
    arguments = bound_arguments(signature, type(call)(call.api, (None, *call.args), call.kwargs))
    translation = torch_to_mindspore(call, arguments, 0.1, len(source), every)
    other = runners.mindspore_lr_function(translation)
    np.testing.assert_allclose(other, source, rtol=1e-12, atol=0, err_msg=translation.text)


def test_framework_rejection_quotes_the_framework():
    with pytest.raises(TypeError) as real:
        ms_nn.exponential_decay_lr(1, 0.9, 10, 2, 1)
    with pytest.raises(UserError) as ours:
        runners.mindspore_lr_function(parse_call("nn.exponential_decay_lr(1, 0.9, 10, 2, 1)"))
    assert str(real.value) in str(ours.value)
    assert "mindspore.nn.exponential_decay_lr rejected the arguments: TypeError" in str(ours.value)

    with pytest.raises(ValueError) as real:
        torch.optim.lr_scheduler.OneCycleLR(torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1), max_lr=0.1)
    with pytest.raises(UserError) as ours:
        runners.torch_shaped_scheduler(runners.TORCH, parse_call("lr_scheduler.OneCycleLR(max_lr=0.1)"), 0.1, 5, 1)
    assert str(real.value) in str(ours.value)


def test_plot_length_is_bounded():
    with pytest.raises(UserError, match="number of steps"):
        runners.mindspore_lr_schedule(parse_call("nn.WarmUpLR(0.1, 5)"), 0)
    with pytest.raises(UserError, match="number of steps"):
        runners.torch_shaped_scheduler(runners.TORCH, parse_call("lr_scheduler.StepLR(3)"), 0.1, 10**9, 1)


def test_comparison_counts_match_a_direct_count():
    rng = np.random.default_rng(0)
    a = rng.random(300)
    b = a.copy()
    b[::3] = np.nextafter(b[::3], 1.0)  # one float64 ulp: same float32 almost always
    b[::50] += 1e-3
    summary = compare(Curve("a", tuple(a.tolist())), Curve("b", tuple(b.tolist())))
    assert summary.compared == 300
    assert summary.identical == int(np.sum(a == b))
    assert summary.float32_identical == int(np.sum(a.astype(np.float32) == b.astype(np.float32)))
    assert summary.max_abs == float(np.max(np.abs(b - a)))
    assert math.isclose(summary.max_rel, float(np.max(np.abs(b - a) / np.abs(a))))
    assert "differs at" in summary.summary
    same = compare(Curve("a", tuple(a.tolist())), Curve("a", tuple(a.tolist())))
    assert same.summary == "identical at all 300 steps"
