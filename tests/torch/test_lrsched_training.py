"""A real MindSpore training loop driven by msbridge's torch-style schedulers.

The LR the MindSpore optimizer uses at each step must be float32 of the LR
real torch's scheduler gives for the same schedule.  Checked three ways:
  * the LR Parameter the optimizer reads (``opt.get_lr()`` / the group's 'lr')
    before every update equals float32(torch's ``get_last_lr()``);
  * the trained weights are bit-identical to a second MindSpore run in which
    MindSpore's own mechanism feeds that LR sequence (nn: a dynamic LR list;
    experimental: ``ops.assign`` into the group's LR by hand);
  * the same, with the train step compiled by ``mindspore.jit``, and in GRAPH_MODE.
"""
from __future__ import annotations

import warnings

import mindspore as ms
import numpy as np
import pytest
import torch
from mindspore import Parameter, Tensor, nn, ops
from mindspore.experimental import optim as ms_optim

from msbridge.torch.optim import lr_scheduler as ours

EPOCHS, BATCHES = 4, 6
rng = np.random.default_rng(0)
DATA = [(rng.standard_normal((5, 4)).astype(np.float32), rng.standard_normal((5, 2)).astype(np.float32))
        for _ in range(BATCHES)]


def torch_lr_sequence(make_scheduler, per_batch: bool, lrs) -> list[list[float]]:
    """The LRs real torch uses for each update in the same loop shape."""
    net = torch.nn.Linear(4, 2)
    opt = torch.optim.SGD([{"params": [net.weight], "lr": lrs[0]}, {"params": [net.bias], "lr": lrs[1]}],
                          lr=lrs[0], momentum=0.9)
    sched = make_scheduler(torch.optim.lr_scheduler, opt)
    used = []
    for _ in range(EPOCHS):
        for x, y in DATA:
            opt.zero_grad()
            torch.nn.functional.mse_loss(net(torch.from_numpy(x)), torch.from_numpy(y)).backward()
            used.append([g["lr"] for g in opt.param_groups] + [opt.param_groups[0]["momentum"]])
            opt.step()
            if per_batch:
                sched.step()
        if not per_batch:
            sched.step()
    return used


def make_net():
    ms.set_seed(1)
    net = nn.Dense(4, 2)
    net.weight.set_data(Tensor(rng_weights[0]))
    net.bias.set_data(Tensor(rng_weights[1]))
    return net


rng_weights = (np.random.default_rng(1).standard_normal((2, 4)).astype(np.float32),
               np.random.default_rng(2).standard_normal(2).astype(np.float32))


def train_step_fn(net, opt, compiled: bool):
    loss_fn = nn.MSELoss()

    def forward(x, y):
        return loss_fn(net(x), y)

    grad_fn = ms.value_and_grad(forward, None, opt.parameters)

    def step(x, y):
        loss, grads = grad_fn(x, y)
        opt(grads)
        return loss

    return ms.jit(step) if compiled is True else step


def groups_for(net, lrs):
    return [{"params": [net.weight], "lr": lrs[0]}, {"params": [net.bias], "lr": lrs[1]}]


def held_lr(opt, net) -> list[float]:
    """The weight's and bias's LR, then the momentum, as the MindSpore optimizer holds them now."""
    if isinstance(opt, nn.Optimizer):
        return [float(opt.get_lr_parameter(net.weight)), float(opt.get_lr_parameter(net.bias)), float(opt.momentum)]
    return [float(g["lr"]) for g in opt.param_groups] + [float(np.float32(opt.param_groups[0]["momentum"]))]


def run_ours(family, make_scheduler, per_batch, lrs, compiled):
    net = make_net()
    if family == "nn":
        opt = nn.Momentum(groups_for(net, lrs), learning_rate=lrs[0], momentum=0.9)
    else:
        opt = ms_optim.SGD(groups_for(net, lrs), lr=lrs[0], momentum=0.9)
    sched = make_scheduler(ours, opt)
    step = train_step_fn(net, opt, compiled)
    used = []
    for _ in range(EPOCHS):
        for x, y in DATA:
            used.append(held_lr(opt, net))
            step(Tensor(x), Tensor(y))
            if per_batch:
                sched.step()
        if not per_batch:
            sched.step()
    return used, net.weight.asnumpy().copy(), net.bias.asnumpy().copy()


def run_reference(family, f32_lrs, lrs, compiled):
    """MindSpore on its own, fed the float32 LR (and momentum) sequence: no msbridge involved."""
    net = make_net()
    if family == "nn":
        per_group = [[row[i] for row in f32_lrs] for i in range(2)]
        groups = [{"params": [net.weight], "lr": per_group[0]}, {"params": [net.bias], "lr": per_group[1]}]
        opt = nn.Momentum(groups, learning_rate=per_group[0], momentum=0.9)
    else:
        opt = ms_optim.SGD(groups_for(net, lrs), lr=lrs[0], momentum=0.9)
        for k, group in enumerate(opt.param_groups):  # a Parameter: an input of a compiled step
            group["momentum"] = Parameter(Tensor(0.9, ms.float32), name=f"reference_momentum_{k}")
    step = train_step_fn(net, opt, compiled)
    i = 0
    for _ in range(EPOCHS):
        for x, y in DATA:
            momentum = Tensor(f32_lrs[i][2], ms.float32)
            if family == "nn":
                ops.assign(opt.momentum, momentum)
            else:
                for group, lr in zip(opt.param_groups, f32_lrs[i]):
                    ops.assign(group["lr"], Tensor(lr, ms.float32))
                    ops.assign(group["momentum"], momentum)
            step(Tensor(x), Tensor(y))
            i += 1
    return net.weight.asnumpy(), net.bias.asnumpy()


SCHEDULES = {
    "OneCycleLR_per_batch": (lambda m, o: m.OneCycleLR(o, [0.1, 0.05], total_steps=EPOCHS * BATCHES), True),
    "CyclicLR_per_batch": (lambda m, o: m.CyclicLR(o, 1e-3, 0.1, step_size_up=5, mode="triangular2"), True),
    "Warmup_then_cosine_per_batch": (
        lambda m, o: m.SequentialLR(o, [m.LinearLR(o, 0.1, total_iters=4), m.CosineAnnealingLR(o, 20)], [4]), True,
    ),
    "StepLR_per_epoch": (lambda m, o: m.StepLR(o, step_size=1, gamma=0.7), False),
}


CASES = [
    *[(name, "nn", False) for name in SCHEDULES],
    ("OneCycleLR_per_batch", "experimental", False),
    ("StepLR_per_epoch", "experimental", False),
    ("CyclicLR_per_batch", "nn", True),  # jit: compiling is slow, so few cases
    ("OneCycleLR_per_batch", "experimental", True),
    ("OneCycleLR_per_batch", "nn", "graph_mode"),  # the whole process in GRAPH_MODE
]


@pytest.fixture
def mode(request):
    """GRAPH_MODE for the case that asks for it; the previous mode is restored for the other tests."""
    previous = ms.get_context("mode")
    if request.node.callspec.params["compiled"] == "graph_mode":
        ms.set_context(mode=ms.GRAPH_MODE)
    yield
    ms.set_context(mode=previous)


@pytest.mark.parametrize(("name", "family", "compiled"), CASES)
def test_lrsched_training_uses_torch_lrs(name, family, compiled, mode):
    make_scheduler, per_batch = SCHEDULES[name]
    lrs = (0.1, 0.05)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = torch_lr_sequence(make_scheduler, per_batch, lrs)
        used, weight, bias = run_ours(family, make_scheduler, per_batch, lrs, compiled)
    f32 = [[float(np.float32(v)) for v in row] for row in expected]
    assert used == f32
    assert len({tuple(row[:2]) for row in f32}) > 3  # the schedule really moves
    ref_weight, ref_bias = run_reference(family, f32, lrs, compiled)
    np.testing.assert_array_equal(weight, ref_weight)
    np.testing.assert_array_equal(bias, ref_bias)


def adam_run(family, cycle_momentum: bool):
    """MindSpore Adam + our OneCycleLR: the (lr, beta1) held before each update, and the trained weight."""
    net = make_net()
    if family == "nn":
        opt = nn.Adam(net.trainable_params(), learning_rate=0.01)
    else:
        opt = ms_optim.Adam(net.trainable_params(), lr=0.01)
    sched = ours.OneCycleLR(opt, 0.01, total_steps=EPOCHS * BATCHES, cycle_momentum=cycle_momentum)
    step = train_step_fn(net, opt, False)
    held = []
    for _ in range(EPOCHS):
        for x, y in DATA:
            if family == "nn":
                held.append((float(opt.get_lr()), float(opt.beta1)))
            else:
                held.append((float(opt.param_groups[0]["lr"]), float(opt.param_groups[0]["betas"][0])))
            step(Tensor(x), Tensor(y))
            sched.step()
    return held, net.weight.asnumpy().copy()


@pytest.mark.parametrize("family", ("nn", "experimental"))
def test_lrsched_training_adam_beta1_cycles_in_the_update(family):
    torch_net = torch.nn.Linear(4, 2)
    torch_opt = torch.optim.Adam(torch_net.parameters(), lr=0.01)
    torch_sched = torch.optim.lr_scheduler.OneCycleLR(torch_opt, 0.01, total_steps=EPOCHS * BATCHES)
    expected = []
    for _ in range(EPOCHS * BATCHES):
        group = torch_opt.param_groups[0]
        expected.append((float(np.float32(group["lr"])), float(np.float32(group["betas"][0]))))
        torch_opt.step()
        torch_sched.step()
    held, cycled_weight = adam_run(family, cycle_momentum=True)
    assert held == expected
    _, fixed_weight = adam_run(family, cycle_momentum=False)
    assert not np.array_equal(cycled_weight, fixed_weight)  # the beta1 written reaches MindSpore's update


def model_train(opt_lr, net, schedule=None):
    """``mindspore.train.Model.train`` for 3 epochs; ``schedule`` steps our scheduler from a Callback."""
    from mindspore import dataset
    from mindspore.train import Callback, Model

    x = np.concatenate([x for x, _ in DATA])
    y = np.concatenate([y for _, y in DATA])
    opt = nn.Momentum(net.trainable_params(), opt_lr, 0.9)
    held = []

    class StepScheduler(Callback):
        def on_train_step_begin(self, run_context):
            held.append(float(opt.learning_rate))

        def on_train_step_end(self, run_context):
            sched.step()

    sched = schedule(ours, opt) if schedule else None
    data = dataset.NumpySlicesDataset({"x": x, "y": y}, shuffle=False).batch(5)
    Model(net, nn.MSELoss(), opt).train(3, data, callbacks=[StepScheduler()] if sched else [],
                                        dataset_sink_mode=False)
    return held, net.weight.asnumpy().copy()


def test_lrsched_training_with_model_train_callback():
    """The usual MindSpore loop: Model.train, the scheduler stepped from a Callback after every batch."""
    steps = 3 * BATCHES

    def schedule(m, opt):
        return m.OneCycleLR(opt, 0.1, total_steps=steps, cycle_momentum=False)

    torch_opt = torch.optim.SGD(torch.nn.Linear(4, 2).parameters(), lr=0.1, momentum=0.9)
    torch_sched = schedule(torch.optim.lr_scheduler, torch_opt)
    expected = []
    for _ in range(steps):
        expected.append(float(np.float32(torch_opt.param_groups[0]["lr"])))
        torch_opt.step()
        torch_sched.step()
    held, weight = model_train(0.1, make_net(), schedule)
    assert held == expected
    _, reference = model_train(expected, make_net())  # MindSpore's own dynamic LR list, same values
    np.testing.assert_array_equal(weight, reference)
