"""Live learning-rate objects across the frameworks, driven by the mapping tables.

* MindSpore -> torch: ``mindspore_lr_to_torch`` turns a MindSpore per-step list or
  LearningRateSchedule into a torch scheduler on a given torch optimizer -- bit-exact by
  replay (``MindSporeLR``, stepped after every optimizer step), or the idiomatic torch
  scheduler a table row names (``exact=False``), with that row's exactness.
* torch -> MindSpore: ``torch_scheduler_to_mindspore`` turns a torch scheduler into a
  MindSpore per-step list (recorded: exactly torch's floats) or, through a row, into the
  MindSpore function / LearningRateSchedule with the same formula.
"""
from __future__ import annotations

from typing import NamedTuple

from msbridge.bridge.live import live_kwargs, qualified_name
from msbridge.bridge.mindspore_lr import MindSporeLR
from msbridge.bridge.real_api import resolve
from msbridge.bridge.replay import torch_scheduler_lrs
from msbridge.tables import ApiRow, load_tables
from msbridge.tables.translate import Translation, translate_call

__all__ = ["TorchSchedule", "mindspore_lr_to_torch", "lr_call_to_torch", "torch_scheduler_to_mindspore"]


class TorchSchedule(NamedTuple):
    """A torch scheduler plus how to drive it: call ``scheduler.step()`` once per ``step_every``
    ("step": after every optimizer step; "epoch": once per epoch). ``row`` is None for replay."""
    scheduler: object
    step_every: str
    exactness: str
    row: ApiRow | None = None


def _set_lr(optimizer, lr: float) -> None:
    """Start every param group at ``lr`` (torch schedulers take their base lr from the groups)."""
    for group in optimizer.param_groups:
        group["lr"] = lr
        group["initial_lr"] = lr


def _to_shim(schedule):
    """A real MindSpore LearningRateSchedule becomes msbridge's bit-identical torch twin."""
    if not type(schedule).__module__.startswith("mindspore."):
        return schedule
    import msbridge.mindspore.nn as shim

    name = qualified_name(schedule)
    row = next(iter(load_tables().rows_for(name)), None)
    if row is None or not hasattr(shim, type(schedule).__name__):
        raise TypeError(f"msbridge has no torch twin of {name}")
    return getattr(shim, type(schedule).__name__)(**live_kwargs(schedule, row.mindspore))


def _build(translation: Translation, optimizer) -> object:
    if translation.optimizer_lr is not None:
        _set_lr(optimizer, translation.optimizer_lr)
    return resolve(translation.api)(optimizer, **translation.kwargs)


def lr_call_to_torch(api: str, args: tuple = (), kwargs: dict | None = None, *, optimizer,
                     steps_per_epoch: int | None = None, total_steps: int | None = None) -> TorchSchedule:
    """The torch scheduler a row gives for a MindSpore LR call such as
    ``("mindspore.nn.exponential_decay_lr", (0.1, 0.9, 100, 10, 1))``; the optimizer's groups start
    at the row's ``torch_optimizer_lr``."""
    context = {k: v for k, v in (("steps_per_epoch", steps_per_epoch), ("total_steps", total_steps)) if v is not None}
    translation = translate_call(load_tables(), api, "to_torch", tuple(args), kwargs or {}, context,
                                 accept=lambda row: row.torch_step is not None)
    row = translation.row
    return TorchSchedule(_build(translation, optimizer), row.torch_step, row.exactness, row)


def mindspore_lr_to_torch(learning_rate, optimizer, *, exact: bool = True, steps_per_epoch: int | None = None,
                          total_steps: int | None = None) -> TorchSchedule:
    """Make ``optimizer`` (torch) follow a MindSpore learning rate.

    ``exact=True``: a ``MindSporeLR`` replay, bit-exact, stepped after every optimizer step.
    ``exact=False``: the idiomatic torch scheduler of the first applicable table row (reads the
    schedule's hyper-parameters; a plain list has none), with that row's exactness. Either way the
    optimizer's groups are (re)started at the lr the scheduler needs (the row's ``torch_optimizer_lr``,
    or the replayed value), as MindSpore's optimizer would take it from ``learning_rate``."""
    if exact:
        return TorchSchedule(MindSporeLR(optimizer, _to_shim(learning_rate)), "step", "bit-exact")
    if isinstance(learning_rate, (list, tuple, float, int)):
        raise ValueError("a per-step list carries no formula to translate: use exact=True (MindSporeLR replay)")
    api = qualified_name(learning_rate)
    rows = load_tables().rows_for(api)
    if not rows:
        raise ValueError(f"no mapping row for {api}")
    return lr_call_to_torch(api, (), live_kwargs(learning_rate, rows[0].mindspore), optimizer=optimizer,
                            steps_per_epoch=steps_per_epoch, total_steps=total_steps)


def _is_list_function(row: ApiRow) -> bool:
    return row.mindspore.name.split(".")[-1][0].islower()


def torch_scheduler_to_mindspore(scheduler, *, total_steps: int, steps_per_epoch: int = 1,
                                 step_every: str = "epoch", form: str = "list", group: int = 0):
    """A MindSpore learning rate giving the lr ``scheduler`` (torch) would give at each of the
    next ``total_steps`` optimizer steps, when stepped once per ``step_every``.

    ``form="list"``: the recorded per-step list (exactly torch's floats; MindSpore's optimizer
    stores each as float32). ``form="function"``: the MindSpore ``nn`` list function of the first
    applicable row, called for real (exactness as the row says). ``form="schedule"``: the
    MindSpore LearningRateSchedule of the first applicable row (a fresh scheduler, stepped per
    step). The scheduler itself is not modified."""
    if form == "list":
        return torch_scheduler_lrs(scheduler, total_steps, steps_per_epoch, step_every, group)
    if form not in ("function", "schedule"):
        raise ValueError(f"form must be 'list', 'function' or 'schedule', got {form!r}")
    if scheduler.last_epoch != 0:
        raise ValueError("a formula describes a fresh scheduler (last_epoch 0); this one has been stepped: "
                         "use form='list', which records from the current state")
    api = qualified_name(scheduler)
    rows = [r for r in load_tables().rows_for(api) if r.torch and r.torch.name == api]
    if not rows:
        raise ValueError(f"no mapping row for {api}; use form='list'")
    period = steps_per_epoch if step_every == "epoch" else 1  # optimizer steps per scheduler step
    context = {"initial_lr": scheduler.base_lrs[group], "steps_per_epoch": period, "total_steps": total_steps}

    def accept(row):
        if not row.mindspore.name.startswith("mindspore.nn.") or "per_step_lrs" in row.context:
            return False
        if _is_list_function(row) != (form == "function"):
            return False
        # an "epoch" row takes the period as steps_per_epoch; a "step" row needs a step per step
        return row.torch_step == "epoch" or period == 1

    translation = translate_call(load_tables(), api, "to_mindspore", (), live_kwargs(scheduler, rows[0].torch),
                                 context, accept=accept)
    return resolve(translation.api)(**translation.kwargs)
