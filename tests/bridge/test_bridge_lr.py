"""msbridge.bridge LR converters, checked against real MindSpore and real torch in the same run."""
import mindspore
import mindspore.nn as ms_nn
import numpy as np
import pytest
import torch

from msbridge.bridge import lr_call_to_torch, mindspore_lr_to_torch, torch_scheduler_to_mindspore
from msbridge.bridge.verify import close
from msbridge.tables import load_tables
from msbridge.tables.translate import RowDoesNotApply

TABLES = load_tables()


def torch_optimizer(lr=1.0):
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(2))], lr=lr)


def drive(schedule, optimizer, steps, steps_per_epoch=1):
    """The lr torch uses at each optimizer step, stepping the scheduler as TorchSchedule says."""
    period = steps_per_epoch if schedule.step_every == "epoch" else 1
    values = []
    for step in range(steps):
        values.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        if (step + 1) % period == 0:
            schedule.scheduler.step()
    return values


def ms_schedule_values(schedule, steps):
    return [float(schedule(mindspore.Tensor(i, mindspore.int32)).asnumpy()) for i in range(steps)]


def test_exact_replay_of_a_real_mindspore_list():
    lrs = ms_nn.exponential_decay_lr(0.1, 0.9, 20, 3, 2, is_stair=True)
    optimizer = torch_optimizer()
    schedule = mindspore_lr_to_torch(lrs, optimizer)
    assert schedule.step_every == "step" and schedule.exactness == "bit-exact"
    assert drive(schedule, optimizer, 20) == lrs


def test_exact_replay_of_a_real_mindspore_schedule_is_float32_bit_exact():
    real = ms_nn.PolynomialDecayLR(0.1, 0.01, 10, 0.5, update_decay_steps=True)
    optimizer = torch_optimizer()
    values = drive(mindspore_lr_to_torch(real, optimizer), optimizer, 25)
    assert values == ms_schedule_values(real, 25)


def test_idiomatic_three_way_exponential():
    steps_per_epoch = 4
    real = ms_nn.ExponentialDecayLR(0.1, 0.9, steps_per_epoch, is_stair=True)
    optimizer = torch_optimizer()
    schedule = mindspore_lr_to_torch(real, optimizer, exact=False, steps_per_epoch=steps_per_epoch)
    assert type(schedule.scheduler).__name__ == "ExponentialLR" and schedule.step_every == "epoch"
    assert schedule.row.id == "lr.ExponentialDecayLR"
    torch_values = drive(schedule, optimizer, 40, steps_per_epoch)
    assert close(schedule.row, ms_schedule_values(real, 40), torch_values)
    # the list side of the same three-way row
    row = TABLES.row("lr.exponential_decay_lr")
    listed = ms_nn.exponential_decay_lr(0.1, 0.9, 40, steps_per_epoch, 1)
    assert close(row, listed, torch_values)


def test_idiomatic_per_step_schedule_without_epochs():
    real = ms_nn.ExponentialDecayLR(0.1, 0.9, 5, is_stair=False)
    optimizer = torch_optimizer()
    schedule = mindspore_lr_to_torch(real, optimizer, exact=False)
    assert schedule.row.id == "lr.ExponentialDecayLR.per_step" and schedule.step_every == "step"
    assert close(schedule.row, ms_schedule_values(real, 30), drive(schedule, optimizer, 30))


def test_lr_call_to_torch_picks_the_row_whose_condition_holds():
    args = (0.1, 0.5, 30, 3, 2)
    optimizer = torch_optimizer()
    stair = lr_call_to_torch("mindspore.nn.exponential_decay_lr", args, {"is_stair": True}, optimizer=optimizer)
    assert type(stair.scheduler).__name__ == "StepLR" and stair.scheduler.step_size == 2
    assert close(stair.row, ms_nn.exponential_decay_lr(*args, is_stair=True), drive(stair, optimizer, 30, 3))
    optimizer = torch_optimizer()
    smooth = lr_call_to_torch("mindspore.nn.exponential_decay_lr", args, optimizer=optimizer)
    assert type(smooth.scheduler).__name__ == "ExponentialLR"
    assert close(smooth.row, ms_nn.exponential_decay_lr(*args), drive(smooth, optimizer, 30, 3))


def test_lambda_rows_are_bit_exact_through_the_bridge():
    optimizer = torch_optimizer(lr=0.7)
    schedule = lr_call_to_torch("mindspore.nn.inverse_decay_lr", (0.1, 0.5, 24, 2, 3, True), optimizer=optimizer)
    assert drive(schedule, optimizer, 24, 2) == ms_nn.inverse_decay_lr(0.1, 0.5, 24, 2, 3, True)


def test_no_row_applies_says_why():
    with pytest.raises(RowDoesNotApply, match="total_step <= step_per_epoch"):
        lr_call_to_torch("mindspore.nn.cosine_decay_lr", (0.0, 0.1, 100, 2, 10), optimizer=torch_optimizer())


def make_torch(name, **kwargs):
    optimizer = torch_optimizer(lr=0.1)
    cls = getattr(torch.optim.lr_scheduler, name)
    if name in ("SequentialLR", "ChainedScheduler"):
        children = [torch.optim.lr_scheduler.LinearLR(optimizer, 0.2, total_iters=3),
                    torch.optim.lr_scheduler.ExponentialLR(optimizer, 0.8)]
        return (cls(optimizer, children, milestones=[3]) if name == "SequentialLR" else cls(children)), optimizer
    return cls(optimizer, **kwargs), optimizer


SCHEDULERS = [("StepLR", {"step_size": 2, "gamma": 0.5}), ("OneCycleLR", {"max_lr": 0.1, "total_steps": 40}),
              ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3}), ("SequentialLR", {}),
              ("ChainedScheduler", {}), ("CosineAnnealingWarmRestarts", {"T_0": 3, "T_mult": 2})]


@pytest.mark.parametrize("name,kwargs", SCHEDULERS, ids=[n for n, _ in SCHEDULERS])
def test_recorded_list_is_torchs_own_lrs_and_leaves_the_scheduler_alone(name, kwargs):
    scheduler, optimizer = make_torch(name, **kwargs)
    before = (scheduler.state_dict(), optimizer.param_groups[0]["lr"])
    lrs = torch_scheduler_to_mindspore(scheduler, total_steps=40, steps_per_epoch=2)
    assert (scheduler.state_dict(), optimizer.param_groups[0]["lr"]) == before
    # the same scheduler, really stepped once per epoch of 2 steps
    actual = []
    for step in range(40):
        actual.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        if step % 2 == 1:
            scheduler.step()
    assert lrs == actual
    # and real MindSpore accepts it as a per-step learning rate
    assert ms_nn.piecewise_constant_lr(list(range(1, 41)), lrs) == lrs


def test_recorded_list_trains_a_real_mindspore_optimizer_like_torch():
    """End to end: torch SGD + StepLR per epoch vs real mindspore.nn.SGD fed the converted list."""
    rng = np.random.default_rng(7)
    init = rng.standard_normal(6).astype(np.float32)
    grads = [rng.standard_normal(6).astype(np.float32) for _ in range(12)]
    weight = torch.nn.Parameter(torch.tensor(init))
    optimizer = torch.optim.SGD([weight], lr=0.1, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    lrs = torch_scheduler_to_mindspore(scheduler, total_steps=12, steps_per_epoch=3)
    for step, grad in enumerate(grads):
        weight.grad = torch.tensor(grad)
        optimizer.step()
        if step % 3 == 2:
            scheduler.step()
    param = mindspore.Parameter(mindspore.Tensor(init), name="w")
    ms_optimizer = ms_nn.SGD([param], learning_rate=lrs, momentum=0.9)
    for grad in grads:
        ms_optimizer((mindspore.Tensor(grad),))
    row = TABLES.row("optim.SGD")
    assert close(row, param.asnumpy().tolist(), weight.detach().numpy().tolist())


def test_formula_forms_call_real_mindspore():
    scheduler, _ = make_torch("StepLR", step_size=3, gamma=0.5)
    listed = torch_scheduler_to_mindspore(scheduler, total_steps=30, steps_per_epoch=2, form="function")
    recorded = torch_scheduler_to_mindspore(scheduler, total_steps=30, steps_per_epoch=2)
    assert close(TABLES.row("lr.exponential_decay_lr.stair"), listed, recorded)
    scheduler, _ = make_torch("CosineAnnealingLR", T_max=20, eta_min=0.001)
    schedule = torch_scheduler_to_mindspore(scheduler, total_steps=21, step_every="step", form="schedule")
    assert isinstance(schedule, ms_nn.CosineDecayLR)
    recorded = torch_scheduler_to_mindspore(scheduler, total_steps=21, step_every="step")
    assert close(TABLES.row("lr.CosineDecayLR"), ms_schedule_values(schedule, 21), recorded)


def test_bridge_errors():
    scheduler, optimizer = make_torch("StepLR", step_size=2)
    optimizer.step()
    scheduler.step()
    with pytest.raises(ValueError, match="has been stepped"):
        torch_scheduler_to_mindspore(scheduler, total_steps=10, form="function")
    with pytest.raises(ValueError, match="form must be"):
        torch_scheduler_to_mindspore(scheduler, total_steps=10, form="cell")
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(torch_optimizer())
    with pytest.raises(ValueError, match="metrics"):
        torch_scheduler_to_mindspore(plateau, total_steps=10)
    with pytest.raises(ValueError, match="no formula"):
        mindspore_lr_to_torch([0.1, 0.2], torch_optimizer(), exact=False)


def test_rows_needing_context_fall_through_to_rows_that_do_not():
    real = ms_nn.ExponentialDecayLR(0.1, 0.9, 4, is_stair=True)
    optimizer = torch_optimizer()
    schedule = mindspore_lr_to_torch(real, optimizer, exact=False)  # no steps_per_epoch: per-step StepLR
    assert schedule.row.id == "lr.ExponentialDecayLR.stair_per_step"
    assert close(schedule.row, ms_schedule_values(real, 20), drive(schedule, optimizer, 20))


def test_msbridge_shim_schedules_convert_like_the_real_ones():
    import msbridge.mindspore.nn as shim

    real = ms_nn.PolynomialDecayLR(0.1, 0.0, 12, 2.0)
    optimizer = torch_optimizer()
    schedule = mindspore_lr_to_torch(shim.PolynomialDecayLR(0.1, 0.0, 12, 2.0), optimizer, exact=False)
    assert schedule.row.id == "lr.PolynomialDecayLR" and schedule.scheduler.total_iters == 12
    assert close(schedule.row, ms_schedule_values(real, 16), drive(schedule, optimizer, 16))


def test_per_epoch_scheduler_to_a_stair_schedule():
    scheduler, _ = make_torch("ExponentialLR", gamma=0.8)
    schedule = torch_scheduler_to_mindspore(scheduler, total_steps=30, steps_per_epoch=3, form="schedule")
    assert isinstance(schedule, ms_nn.ExponentialDecayLR) and schedule.decay_steps == 3 and schedule.is_stair
    recorded = torch_scheduler_to_mindspore(scheduler, total_steps=30, steps_per_epoch=3)
    assert close(TABLES.row("lr.ExponentialDecayLR"), ms_schedule_values(schedule, 30), recorded)


def test_float32_underflow_does_not_break_a_relative_tolerance():
    """MindSpore's float32 LR underflows to subnormals and 0 where torch's float64 LR is still tiny."""
    import mindspore
    import mindspore.nn as ms_nn
    import torch

    from msbridge.bridge.verify import close, max_relative_difference
    from msbridge.tables import load_tables

    schedule = ms_nn.ExponentialDecayLR(0.125, 0.125, 1)
    ms_values = [float(schedule(mindspore.Tensor(s, mindspore.int32)).asnumpy()) for s in range(50)]
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.125)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, 0.125)
    torch_values = []
    for _ in range(50):
        torch_values.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert ms_values[-1] == 0.0 and torch_values[-1] > 0.0
    assert max_relative_difference(ms_values, torch_values) == 1.0  # without the float32 floor
    assert close(load_tables().row("lr.ExponentialDecayLR.per_step"), ms_values, torch_values)
