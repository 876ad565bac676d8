"""A MindSpore LR (list or schedule) drives a real torch optimizer step by step.

Side by side: real MindSpore trains a tiny net with ``nn.Momentum`` fed the
real LR list/schedule and reports ``get_lr()`` before every update; torch
trains the same net with ``torch.optim.SGD`` + ``MindSporeLR`` fed msbridge's
list/schedule, and we record the LR the optimizer holds when it steps.
"""
import pickle

import numpy as np
import pytest
import torch
from mindspore import ops

from ms_reference import our_nn, real_nn

from msbridge.bridge.mindspore_lr import MindSporeLR

STEPS = 40
pytestmark = pytest.mark.filterwarnings("ignore:Detected call of `lr_scheduler.step()` before")


def mindspore_lrs_used(learning_rate):
    net = real_nn.Dense(3, 1)
    opt = real_nn.Momentum(net.trainable_params(), learning_rate=learning_rate, momentum=0.9)
    grads = tuple(ops.ones_like(p) for p in net.trainable_params())
    used = []
    for _ in range(STEPS):
        used.append(np.float32(opt.get_lr().asnumpy()))
        opt(grads)
    return np.array(used, dtype=np.float32)


def torch_lrs_used(learning_rate):
    torch.manual_seed(0)
    net = torch.nn.Linear(3, 1)
    opt = torch.optim.SGD(net.parameters(), lr=1.0, momentum=0.9)
    sched = MindSporeLR(opt, learning_rate)
    used = []
    opt.register_step_pre_hook(lambda o, args, kwargs: used.append(o.param_groups[0]["lr"]))
    x, y = torch.randn(8, 3), torch.randn(8, 1)
    for _ in range(STEPS):
        opt.zero_grad()
        torch.nn.functional.mse_loss(net(x), y).backward()
        opt.step()
        sched.step()
    return used


@pytest.mark.parametrize("name,args", [
    ("exponential_decay_lr", (0.1, 0.9, STEPS, 4, 2)),
    ("cosine_decay_lr", (0.001, 0.1, STEPS, 3, 9)),
    ("piecewise_constant_lr", ([10, 25, STEPS], [0.1, 0.05, 0.01])),
    ("polynomial_decay_lr", (0.1, 0.01, STEPS, 2, 10, 2.0, True)),
    ("warmup_lr", (0.1, STEPS, 2, 5)),
])
def test_list_lr_used_each_step_matches_mindspore(name, args):
    used = torch_lrs_used(getattr(our_nn, name)(*args))
    assert used == getattr(real_nn, name)(*args)  # the exact Python floats of MindSpore's list
    assert (np.array(used, dtype=np.float32) == mindspore_lrs_used(getattr(real_nn, name)(*args))).all()


@pytest.mark.parametrize("name,args", [
    ("ExponentialDecayLR", (0.1, 0.9, 4)),
    ("NaturalExpDecayLR", (0.1, 0.05, 3, True)),
    ("InverseDecayLR", (0.1, 0.5, 10)),
    ("CosineDecayLR", (0.001, 0.1, 30)),
    ("PolynomialDecayLR", (0.1, 0.01, 30, 0.5)),
    ("WarmUpLR", (0.1, 10)),
])
def test_schedule_lr_used_each_step_matches_mindspore(name, args):
    used = np.array(torch_lrs_used(getattr(our_nn, name)(*args)), dtype=np.float32)
    expected = mindspore_lrs_used(getattr(real_nn, name)(*args))
    assert used.tobytes() == expected.tobytes()


def test_constant_float_lr():
    used = torch_lrs_used(0.05)
    assert used == [0.05] * STEPS
    assert (np.float32(0.05) == mindspore_lrs_used(0.05)).all()


def test_update_uses_the_scheduled_lr():
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=123.0)
    MindSporeLR(opt, our_nn.exponential_decay_lr(0.1, 0.9, 3, 1, 1))
    param.grad = torch.ones(1)
    opt.step()
    assert param.item() == np.float32(-0.1)


def test_past_end_raises_on_next_update_like_mindspore():
    net = real_nn.Dense(2, 1)
    real_opt = real_nn.SGD(net.trainable_params(), learning_rate=[0.1, 0.05])
    grads = tuple(ops.ones_like(p) for p in net.trainable_params())
    real_opt(grads)
    real_opt(grads)
    with pytest.raises(RuntimeError, match="Gather"):
        real_opt(grads)
        real_opt.get_lr().asnumpy()  # PyNative is asynchronous: the error surfaces by the next sync

    param = torch.nn.Parameter(torch.zeros(1))
    param.grad = torch.ones(1)
    opt = torch.optim.SGD([param], lr=1.0)
    sched = MindSporeLR(opt, [0.1, 0.05])
    for _ in range(2):
        opt.step()
        sched.step()  # stepping the scheduler past the end is fine ...
    with pytest.raises(RuntimeError, match="past the end"):
        opt.step()  # ... using a value that does not exist is not


def test_hold_keeps_the_last_value():
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=1.0)
    sched = MindSporeLR(opt, [0.1, 0.05], past_end="hold")
    for _ in range(5):
        sched.step()
    assert sched.get_last_lr() == [0.05]


def test_several_param_groups_follow_the_schedule():
    a, b = torch.nn.Parameter(torch.zeros(1)), torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([{"params": [a]}, {"params": [b], "lr": 7.0}], lr=1.0)
    sched = MindSporeLR(opt, our_nn.warmup_lr(0.1, 4, 1, 2))
    sched.step()
    assert [g["lr"] for g in opt.param_groups] == [0.05, 0.05]


def test_state_dict_round_trip_resumes(tmp_path):
    schedule = our_nn.ExponentialDecayLR(0.1, 0.9, 4)
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=1.0)
    sched = MindSporeLR(opt, schedule)
    for _ in range(7):
        sched.step()
    path = tmp_path / "sched.pt"
    torch.save(sched.state_dict(), path)
    resumed = MindSporeLR(torch.optim.SGD([param], lr=1.0), schedule)
    resumed.load_state_dict(torch.load(path, weights_only=False))
    resumed.step()
    sched.step()
    assert resumed.get_last_lr() == sched.get_last_lr()
    assert pickle.loads(pickle.dumps(sched.state_dict()))["last_epoch"] == 8


@pytest.mark.parametrize("bad,error", [("0.1", TypeError), ([0.1, "x"], TypeError), ([], ValueError),
                                       (torch.ones(2, 2), ValueError), (True, TypeError)])
def test_bad_learning_rate_is_rejected(bad, error):
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    with pytest.raises(error):
        MindSporeLR(opt, bad)
