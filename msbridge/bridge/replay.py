"""Read the per-step learning rates out of live scheduler / schedule objects.

A torch scheduler is replayed on a detached copy (its optimizer's parameters and state
swapped for placeholders), so the user's scheduler and optimizer are left untouched and
no model-sized memory is copied. The result is "the lr used by each of the next
``total_steps`` optimizer steps", which is what a MindSpore per-step list holds.
"""
from __future__ import annotations

import copy
import warnings

__all__ = ["detached_copy", "torch_scheduler_lrs", "mindspore_schedule_lrs"]


def detached_copy(scheduler):
    """Deep copy of a torch scheduler (and the schedulers it chains) on a placeholder optimizer."""
    import torch

    optimizer = scheduler.optimizer
    memo = {id(optimizer.state): {}}
    for group in optimizer.param_groups:
        for param in group["params"]:
            memo[id(param)] = torch.zeros((), requires_grad=True)
    return copy.deepcopy(scheduler, memo)


def torch_scheduler_lrs(scheduler, total_steps: int, steps_per_epoch: int = 1, step_every: str = "epoch",
                        group: int = 0) -> list[float]:
    """The lr of param group ``group`` at each of the next ``total_steps`` optimizer steps, when
    ``scheduler.step()`` is called once per epoch (``step_every="epoch"``) or per step."""
    from torch.optim.lr_scheduler import ReduceLROnPlateau

    if isinstance(scheduler, ReduceLROnPlateau):
        raise ValueError("ReduceLROnPlateau depends on the metrics it is fed: it has no precomputable per-step LR")
    if step_every not in ("epoch", "step"):
        raise ValueError(f"step_every must be 'epoch' or 'step', got {step_every!r}")
    _positive_int("total_steps", total_steps)
    _positive_int("steps_per_epoch", steps_per_epoch)
    clone = detached_copy(scheduler)
    period = steps_per_epoch if step_every == "epoch" else 1
    values = []
    with warnings.catch_warnings():  # the copy's optimizer.step is not torch's patched one
        warnings.filterwarnings("ignore", message="Seems like `optimizer.step\\(\\)` has been overridden")
        for step in range(total_steps):
            values.append(float(clone.optimizer.param_groups[group]["lr"]))
            if (step + 1) % period == 0:
                clone.optimizer.step()
                clone.step()
    return values


def mindspore_schedule_lrs(schedule, total_steps: int) -> list[float]:
    """Values of a LearningRateSchedule (real MindSpore or msbridge's) at steps 0..total_steps-1,
    evaluated one step at a time as a MindSpore optimizer does."""
    _positive_int("total_steps", total_steps)
    if type(schedule).__module__.startswith("mindspore."):
        import mindspore

        return [float(schedule(mindspore.Tensor(step, mindspore.int32)).asnumpy()) for step in range(total_steps)]
    return [float(schedule(step)) for step in range(total_steps)]


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
