"""The optimizer view behind msbridge's torch-style schedulers: which optimizers, which errors, which edge cases.

Behaviour claims are checked against real torch in the same test where torch
has the same situation (bad optimizer, hand-edited LR, group added later).
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

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def ms_params(n=2):
    return [Parameter(Tensor(np.zeros(1, np.float32)), name=f"p{i}") for i in range(n)]


def torch_params(n=2):
    return [torch.nn.Parameter(torch.zeros(1)) for _ in range(n)]


CONSTRUCTORS = {
    "StepLR": lambda m, o: m.StepLR(o, 3),
    "LambdaLR": lambda m, o: m.LambdaLR(o, lambda e: 1.0),
    "MultiplicativeLR": lambda m, o: m.MultiplicativeLR(o, lambda e: 1.0),
    "ReduceLROnPlateau": lambda m, o: m.ReduceLROnPlateau(o),
    "CyclicLR": lambda m, o: m.CyclicLR(o, 0.01, 0.1),
    "OneCycleLR": lambda m, o: m.OneCycleLR(o, 0.1, total_steps=10),
    "CosineAnnealingWarmRestarts": lambda m, o: m.CosineAnnealingWarmRestarts(o, 3),
}


class NotAnOptimizer:
    param_groups = "nope"


@pytest.mark.parametrize("bad", [object(), [1, 2], NotAnOptimizer()], ids=["object", "list", "no_groups"])
@pytest.mark.parametrize("name", CONSTRUCTORS)
def test_lrsched_unsupported_optimizer_is_type_error_like_torch(name, bad):
    # torch's LambdaLR / MultiplicativeLR touch optimizer.param_groups before their type check
    # and raise AttributeError for some inputs; every other torch scheduler raises TypeError.
    with pytest.raises((TypeError, AttributeError)):
        CONSTRUCTORS[name](torch.optim.lr_scheduler, bad)
    with pytest.raises(TypeError, match=type(bad).__name__ + r" is not an Optimizer .*supported: a mindspore\.nn"):
        CONSTRUCTORS[name](ours, bad)


def test_lrsched_torch_shaped_optimizer_with_tensor_lr_is_rejected():
    class TensorLR:
        defaults = {}
        param_groups = [{"lr": Tensor(0.1, ms.float32)}]

    with pytest.raises(TypeError, match="TensorLR is not an Optimizer"):
        ours.StepLR(TensorLR(), 3)


@pytest.mark.parametrize(
    "dynamic",
    [[0.1, 0.05, 0.01], Tensor(np.array([0.1, 0.05], np.float32)), nn.ExponentialDecayLR(0.1, 0.9, 4)],
    ids=["list", "tensor", "schedule"],
)
def test_lrsched_dynamic_lr_nn_optimizer_is_refused(dynamic):
    opt = nn.Momentum(ms_params(), learning_rate=dynamic, momentum=0.9)
    with pytest.raises(TypeError, match="Momentum was built with a dynamic learning rate"):
        ours.ExponentialLR(opt, 0.9)


def test_lrsched_lars_points_to_the_wrapped_optimizer():
    """nn.LARS keeps a placeholder learning_rate: driving it would silently change nothing."""
    inner = nn.Momentum(ms_params(), 0.1, 0.9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lars = nn.LARS(inner)
    with pytest.raises(TypeError, match=r"LARS takes its learning rate from the optimizer it wraps \(Momentum\)"):
        ours.StepLR(lars, 3)
    ours.StepLR(inner, 3)


def test_lrsched_dynamic_group_lr_is_refused():
    params = ms_params()
    opt = nn.SGD([{"params": [params[0]], "lr": [0.1, 0.05]}, {"params": [params[1]]}], learning_rate=[0.2, 0.1])
    with pytest.raises(TypeError, match="SGD was built with a dynamic learning rate"):
        ours.StepLR(opt, 3)


def test_lrsched_cycle_momentum_needs_momentum_like_torch():
    """torch: ValueError for an optimizer without momentum/betas (Adagrad); same for MindSpore's."""
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1") as expected:
        torch.optim.lr_scheduler.CyclicLR(torch.optim.Adagrad(torch_params(1), lr=0.1), 0.01, 0.1)
    for opt in (nn.Adagrad(ms_params(1), learning_rate=0.1), ms_optim.Adagrad(ms_params(1), lr=0.1),
                nn.RMSProp(ms_params(1), learning_rate=0.1, momentum=0.5)):
        with pytest.raises(ValueError, match=str(expected.value)):
            ours.CyclicLR(opt, 0.01, 0.1)
        with pytest.raises(ValueError, match=str(expected.value)):
            ours.OneCycleLR(opt, 0.1, total_steps=5)
        ours.CyclicLR(opt, 0.01, 0.1, cycle_momentum=False)


def test_lrsched_wrong_length_lists_are_value_errors_like_torch():
    topt = torch.optim.SGD(torch_params(), lr=0.1, momentum=0.9)
    mopt = nn.Momentum(ms_params(), 0.1, 0.9)
    for build in (
        lambda m, o: m.CyclicLR(o, [0.1, 0.2], 1.0),
        lambda m, o: m.OneCycleLR(o, [0.1, 0.2, 0.3], total_steps=5),
        lambda m, o: m.LambdaLR(o, [lambda e: 1.0] * 3),
        lambda m, o: m.ReduceLROnPlateau(o, min_lr=[0.0, 0.0]),
    ):
        with pytest.raises(ValueError) as expected:
            build(torch.optim.lr_scheduler, topt)
        with pytest.raises(ValueError) as got:
            build(ours, mopt)
        assert str(got.value) == str(expected.value)


def test_lrsched_nn_groups_sharing_the_default_lr_are_one_group():
    """MindSpore gives groups without 'lr' one shared Parameter: they cannot move apart, so they are one group."""
    a, b, c = ms_params(3)
    opt = nn.Momentum([{"params": [a]}, {"params": [b], "lr": 0.05}, {"params": [c]}], learning_rate=0.1, momentum=0.9)
    groups = ours.param_groups(opt)
    assert [g["lr"] for g in groups] == [0.1, 0.05]
    assert [[p.name for p in g["params"]] for g in groups] == [["p0", "p2"], ["p1"]]
    sched = ours.ExponentialLR(opt, 0.5)
    sched.step()
    assert [float(opt.get_lr_parameter(p)) for p in (a, b, c)] == [float(np.float32(0.05)), float(np.float32(0.025)),
                                                                   float(np.float32(0.05))]


def test_lrsched_short_decimal_lr_is_recovered_from_float32():
    """MindSpore keeps float32(lr); the float64 torch starts from is the short decimal the user wrote."""
    for lr in (0.1, 3e-4, 0.05, 1e-5, 0.2):
        topt = torch.optim.SGD(torch_params(1), lr=lr)
        mopt = nn.SGD(ms_params(1), learning_rate=lr)
        tsched = torch.optim.lr_scheduler.ExponentialLR(topt, 0.9)
        msched = ours.ExponentialLR(mopt, 0.9)
        for _ in range(50):
            tsched.step()
            msched.step()
        assert msched.get_last_lr() == tsched.get_last_lr()


def test_lrsched_long_lr_is_set_exactly_through_param_groups():
    lr = 0.123456789012
    topt = torch.optim.SGD(torch_params(1), lr=lr)
    mopt = ms_optim.SGD(ms_params(1), lr=lr)
    assert ours.param_groups(mopt)[0]["lr"] != lr  # float32 keeps ~7 digits
    ours.param_groups(mopt)[0]["lr"] = lr
    tsched = torch.optim.lr_scheduler.CosineAnnealingLR(topt, 10)
    msched = ours.CosineAnnealingLR(mopt, 10)
    for _ in range(30):
        tsched.step()
        msched.step()
        assert msched.get_last_lr() == tsched.get_last_lr()


@pytest.mark.parametrize("family", ("nn", "experimental"))
def test_lrsched_lr_edited_in_mindspore_is_adopted_like_torch(family):
    """torch's schedulers continue from a hand-edited group['lr']; ours from an ops.assign to MindSpore's LR
    once ``param_groups(opt)`` has re-read it (the schedulers never read MindSpore back on their own)."""
    topt = torch.optim.SGD(torch_params(1), lr=0.1)
    tsched = torch.optim.lr_scheduler.ExponentialLR(topt, 0.9)
    if family == "nn":
        mopt = nn.SGD(ms_params(1), learning_rate=0.1)
        lr_param = mopt.learning_rate
    else:
        mopt = ms_optim.SGD(ms_params(1), lr=0.1)
        lr_param = mopt.param_groups[0]["lr"]
    msched = ours.ExponentialLR(mopt, 0.9)
    for _ in range(3):
        tsched.step()
        msched.step()
    topt.param_groups[0]["lr"] = 0.03
    ops.assign(lr_param, Tensor(0.03, ms.float32))
    assert [g["lr"] for g in ours.param_groups(mopt)] == [0.03]
    for _ in range(5):
        tsched.step()
        msched.step()
        assert msched.get_last_lr() == tsched.get_last_lr()
    assert float(lr_param) == float(np.float32(tsched.get_last_lr()[0]))


def test_lrsched_group_added_later_like_torch():
    """add_param_group() after the scheduler: ReduceLROnPlateau extends its default min_lr, as torch does."""
    tparams, mparams = torch_params(), ms_params()
    topt = torch.optim.SGD([tparams[0]], lr=0.1, momentum=0.9)
    mopt = ms_optim.SGD([mparams[0]], lr=0.1, momentum=0.9)
    tsched = torch.optim.lr_scheduler.ReduceLROnPlateau(topt, patience=0, min_lr=1e-3)
    msched = ours.ReduceLROnPlateau(mopt, patience=0, min_lr=1e-3)
    topt.add_param_group({"params": [tparams[1]], "lr": 0.5})
    mopt.add_param_group({"params": [mparams[1]], "lr": 0.5})
    for metric in (1.0, 1.0, 1.0, 1.0):
        tsched.step(metric)
        msched.step(metric)
        assert msched.get_last_lr() == tsched.get_last_lr()
    assert [float(g["lr"]) for g in mopt.param_groups] == [float(np.float32(v)) for v in tsched.get_last_lr()]


def test_lrsched_param_group_view_is_a_mapping():
    opt = nn.Momentum(ms_params(), 0.1, 0.9)
    ours.StepLR(opt, 3)
    group = ours.param_groups(opt)[0]
    assert set(group) == {"lr", "momentum", "params", "initial_lr"}
    assert len(group) == 4 and group["initial_lr"] == 0.1 and "lr" in group
    group["note"] = "kept"
    assert group.get("note") == "kept"
    del group["note"]
    with pytest.raises(KeyError):
        del group["lr"]
    with pytest.raises(KeyError):
        group["missing"]


def test_lrsched_resume_without_initial_lr_is_key_error_like_torch():
    with pytest.raises(KeyError) as expected:
        torch.optim.lr_scheduler.StepLR(torch.optim.SGD(torch_params(), lr=0.1), 3, last_epoch=4)
    with pytest.raises(KeyError) as got:
        ours.StepLR(nn.SGD(ms_params(), learning_rate=0.1), 3, last_epoch=4)
    assert str(got.value) == str(expected.value)


def test_lrsched_invalid_arguments_raise_torchs_errors():
    topt = torch.optim.SGD(torch_params(), lr=0.1, momentum=0.9)
    mopt = ms_optim.SGD(ms_params(), lr=0.1, momentum=0.9)
    builds = [
        lambda m, o: m.ConstantLR(o, factor=1.5),
        lambda m, o: m.LinearLR(o, start_factor=0.0),
        lambda m, o: m.LinearLR(o, end_factor=1.5),
        lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=0),
        lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=1.5),
        lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=2, eta_min="0"),
        lambda m, o: m.ReduceLROnPlateau(o, factor=1.0),
        lambda m, o: m.ReduceLROnPlateau(o, mode="median"),
        lambda m, o: m.ReduceLROnPlateau(o, threshold_mode="ratio"),
        lambda m, o: m.CyclicLR(o, 0.01, 0.1, mode="sawtooth"),
        lambda m, o: m.OneCycleLR(o, 0.1),
        lambda m, o: m.OneCycleLR(o, 0.1, total_steps=0),
        lambda m, o: m.OneCycleLR(o, 0.1, epochs=2, steps_per_epoch=0),
        lambda m, o: m.OneCycleLR(o, 0.1, total_steps=10, pct_start=1),
        lambda m, o: m.OneCycleLR(o, 0.1, total_steps=10, anneal_strategy="exp"),
        lambda m, o: m.SequentialLR(o, [], []),
        lambda m, o: m.SequentialLR(o, [m.StepLR(o, 2)], [3]),
        lambda m, o: m.ChainedScheduler([]),
        lambda m, o: m.MultiplicativeLR(o, 0.9),
    ]
    for build in builds:
        with pytest.raises(Exception) as expected:
            build(torch.optim.lr_scheduler, topt)
        with pytest.raises(type(expected.value)) as got:
            build(ours, mopt)
        assert str(got.value) == str(expected.value)


def test_lrsched_sequential_with_another_optimizer_is_value_error_like_torch():
    t1, t2 = (torch.optim.SGD(torch_params(), lr=0.1) for _ in range(2))
    m1, m2 = nn.SGD(ms_params(), learning_rate=0.1), nn.SGD(ms_params(), learning_rate=0.1)
    with pytest.raises(ValueError, match="expects all schedulers to belong to the same optimizer"):
        torch.optim.lr_scheduler.SequentialLR(t1, [torch.optim.lr_scheduler.StepLR(t2, 2)], [])
    with pytest.raises(ValueError, match="expects all schedulers to belong to the same optimizer"):
        ours.SequentialLR(m1, [ours.StepLR(m2, 2)], [])


def test_lrsched_onecycle_past_total_steps_is_value_error_like_torch():
    topt = torch.optim.SGD(torch_params(), lr=0.1, momentum=0.9)
    mopt = nn.Momentum(ms_params(), 0.1, 0.9)
    for m, opt in ((torch.optim.lr_scheduler, topt), (ours, mopt)):
        sched = m.OneCycleLR(opt, 0.1, total_steps=3)
        for _ in range(2):
            sched.step()
        with pytest.raises(ValueError, match="Tried to step 4 times. The specified number of total steps is 3"):
            sched.step()
            sched.step()


def test_lrsched_warnings_like_torch():
    topt = torch.optim.SGD(torch_params(), lr=0.1)
    mopt = nn.SGD(ms_params(), learning_rate=0.1)
    for m, opt in ((torch.optim.lr_scheduler, topt), (ours, mopt)):
        sched = m.StepLR(opt, 2)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            sched.step(3)
            sched.get_lr()
        messages = [str(w.message) for w in caught]
        assert any("The epoch parameter in `scheduler.step()`" in msg for msg in messages)
        assert any("please use `get_last_lr()`" in msg for msg in messages)


def test_lrsched_public_names_are_torchs():
    assert ours.__all__ == torch.optim.lr_scheduler.__all__
    assert issubclass(ours._LRScheduler, ours.LRScheduler)
    import msbridge.torch as mtorch

    assert mtorch.optim.lr_scheduler.StepLR is ours.StepLR


def test_lrsched_edit_through_param_groups_like_torch():
    """The torch way, group['lr'] = x, works on the view and reaches MindSpore at once."""
    topt = torch.optim.SGD(torch_params(1), lr=0.1, momentum=0.9)
    mopt = nn.Momentum(ms_params(1), 0.1, 0.9)
    tsched = torch.optim.lr_scheduler.MultiplicativeLR(topt, lambda e: 0.95)
    msched = ours.MultiplicativeLR(mopt, lambda e: 0.95)
    topt.param_groups[0]["lr"] = 0.07
    topt.param_groups[0]["momentum"] = 0.5
    ours.param_groups(mopt)[0]["lr"] = 0.07
    ours.param_groups(mopt)[0]["momentum"] = 0.5
    assert float(mopt.learning_rate) == float(np.float32(0.07)) and float(mopt.momentum) == 0.5
    for _ in range(10):
        tsched.step()
        msched.step()
        assert msched.get_last_lr() == tsched.get_last_lr()


def test_lrsched_load_state_dict_leaves_an_exact_torch_shaped_lr_alone_like_torch():
    """Only float32 MindSpore storage gets its float64 LR back from _last_lr; a float64 'lr' is torch's business."""
    import msbridge.torch as mtorch

    results = []
    for m, opt in ((torch.optim.lr_scheduler, torch.optim.SGD(torch_params(1), lr=0.1)),
                   (ours, mtorch.optim.SGD(ms_params(1), lr=0.1))):
        sched = m.ExponentialLR(opt, 0.5)
        state = sched.state_dict()
        opt.param_groups[0]["lr"] = 0.1 + 1e-12  # float32-equal to _last_lr, but not equal
        sched.load_state_dict(state)
        sched.step()
        results.append(sched.get_last_lr())
    assert results[1] == results[0] == [(0.1 + 1e-12) * 0.5]


def test_lrsched_load_state_dict_restores_float64_over_float32_storage():
    """The MindSpore side: float32(0.1 * 0.9**k) in the optimizer, the exact float64 from the state."""
    topt = torch.optim.SGD(torch_params(1), lr=0.1)
    tsched = torch.optim.lr_scheduler.ExponentialLR(topt, 0.9)
    mopt = nn.SGD(ms_params(1), learning_rate=0.1)
    msched = ours.ExponentialLR(mopt, 0.9)
    for _ in range(7):
        tsched.step()
    ops.assign(mopt.learning_rate, Tensor(tsched.get_last_lr()[0], ms.float32))  # what a checkpoint holds
    msched.load_state_dict(tsched.state_dict())
    assert ours.param_groups(mopt)[0]["lr"] == topt.param_groups[0]["lr"]
    for _ in range(20):
        tsched.step()
        msched.step()
        assert msched.get_last_lr() == tsched.get_last_lr()


def test_lrsched_nn_groups_follow_the_users_dicts_under_order_params():
    """order_params re-sorts MindSpore's per-parameter lists; per-group lists still follow the dicts written."""
    net = nn.Dense(3, 2)
    mopt = nn.Momentum([{"params": [net.bias], "lr": 0.05}, {"params": [net.weight], "lr": 0.2},
                        {"order_params": net.trainable_params()}], 0.1, 0.9)
    tnet = torch.nn.Linear(3, 2)
    topt = torch.optim.SGD([{"params": [tnet.bias], "lr": 0.05}, {"params": [tnet.weight], "lr": 0.2}],
                           lr=0.1, momentum=0.9)
    tsched = torch.optim.lr_scheduler.CyclicLR(topt, [0.01, 0.02], [0.5, 1.0], step_size_up=3)
    msched = ours.CyclicLR(mopt, [0.01, 0.02], [0.5, 1.0], step_size_up=3)
    for _ in range(10):
        tsched.step()
        msched.step()
        assert msched.get_last_lr() == tsched.get_last_lr()
    held = [float(mopt.get_lr_parameter(p)) for p in (net.bias, net.weight)]
    assert held == [float(np.float32(v)) for v in tsched.get_last_lr()]


def _sgd_pair(shape, lr=0.5):
    """A MindSpore Momentum optimizer (momentum 0: w -= lr * g) and the same step on torch."""
    w = Parameter(Tensor(np.ones(shape, np.float32)), name="w_big")
    tw = torch.nn.Parameter(torch.ones(shape))
    return w, nn.Momentum([w], lr, 0.0), tw, torch.optim.SGD([tw], lr=lr, momentum=0.0)


@pytest.mark.parametrize("compiled", [False, True], ids=["pynative", "jit"])
def test_lrsched_each_step_uses_the_lr_of_its_time_like_torch(compiled):
    """LR writes go straight into the storage of MindSpore's LR: a step already launched keeps the LR it was
    launched with, the next one sees the new one, compiled (``ms.jit``) or not, as torch's step does."""
    shape = (1024, 2048)  # a step long enough that a write racing ahead of it would show
    w, mopt, tw, topt = _sgd_pair(shape)
    step = mopt
    if compiled:
        @ms.jit
        def step(g):
            return mopt(g)
    msched, tsched = ours.ExponentialLR(mopt, 0.5), torch.optim.lr_scheduler.ExponentialLR(topt, 0.5)
    grad = np.full(shape, 0.25, np.float32)
    tw.grad = torch.from_numpy(grad)
    for _ in range(4):
        step((Tensor(grad),))
        step((Tensor(grad),))
        msched.step()  # right after launching: no read of the weights in between
        topt.step()
        topt.step()
        tsched.step()
    np.testing.assert_array_equal(w.asnumpy(), tw.detach().numpy())
    assert float(mopt.learning_rate) == float(np.float32(tsched.get_last_lr()[0]))


def test_lrsched_follows_lr_storage_replaced_by_set_data():
    """``set_data`` gives the LR Parameter new storage: the next write goes there, not to the old one."""
    mopt = nn.SGD(ms_params(1), learning_rate=0.1)
    msched = ours.StepLR(mopt, 1, gamma=0.5)
    msched.step()
    mopt.learning_rate.set_data(Tensor(np.float32(0.05)))
    msched.step()
    assert float(mopt.learning_rate) == float(np.float32(0.025))
