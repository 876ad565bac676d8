"""``LRScheduler``: torch 2.13's base scheduler, on a torch-shaped view of the optimizer.

The algorithm is torch's, line for line: ``last_epoch`` is a Python int, the
constructor runs one step in "initial mode" (``_is_initial``), ``_step_count``
counts calls, ``step(epoch)`` uses the closed form where one exists, and
``state_dict()`` is ``__dict__`` minus the optimizer, so its keys and values
are torch's.  Every LR the schedulers see is a Python float (float64); only
the optimizer view (``adapter.py``) rounds it to float32 for MindSpore.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from msbridge.torch.optim.lr_scheduler.adapter import ParamGroupView, optimizer_view, param_groups

EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where possible. "
    "Please use `scheduler.step()` to step the scheduler. During the deprecation, if epoch is different "
    "from None, the closed form is used instead of the new chainable form, where available. Please open "
    "an issue if you are unable to replicate your use case: https://github.com/pytorch/pytorch/issues/new/choose."
)


def groups_of(optimizer) -> list:
    """torch-shaped param groups of ``optimizer`` (dicts whose 'lr' is a Python float)."""
    return optimizer_view(optimizer).param_groups


def format_param(name: str, optimizer, param) -> list:
    """One value per param group (torch's ``_format_param``)."""
    count = len(groups_of(optimizer))
    if isinstance(param, (list, tuple)):
        if len(param) != count:
            raise ValueError(
                f"{name} must have the same length as optimizer.param_groups. "
                f"{name} has {len(param)} values, param_groups has {count}."
            )
        return list(param)
    return [param] * count


def group_values(optimizer, key: str) -> list:
    return [group[key] for group in groups_of(optimizer)]


def restore_float64_lrs(scheduler) -> None:
    """After loading a state, take each group's float64 LR back from ``_last_lr``.

    A MindSpore checkpoint keeps only float32(lr); a chainable schedule
    continued from that would drift from torch.  Where the optimizer holds
    exactly float32(_last_lr[i]), the saved float64 value is the one torch
    would continue from.  A group set to anything else is left alone, and so
    is a torch-shaped optimizer, whose Python float 'lr' is already exact.
    """
    groups = param_groups(scheduler.optimizer)  # re-read: a checkpoint may have been loaded since
    last = getattr(scheduler, "_last_lr", None)
    if not isinstance(last, list) or len(last) != len(groups):
        return
    for group, saved in zip(groups, last):
        if not isinstance(group, ParamGroupView):
            return
        current = group["lr"]
        if isinstance(saved, float) and current != saved and np.float32(current) == np.float32(saved):
            group["lr"] = saved


class _Flag:
    """Sets a boolean attribute for the duration of a ``with`` block (torch's context helpers)."""

    def __init__(self, owner, name: str):
        self.owner = owner
        self.name = name

    def __enter__(self):
        setattr(self.owner, self.name, True)
        return self

    def __exit__(self, *exc) -> None:
        setattr(self.owner, self.name, False)


def warn_get_lr_called_within_step(scheduler: "LRScheduler") -> None:
    if not scheduler._get_lr_called_within_step:
        warnings.warn(
            "To get the last learning rate computed by the scheduler, please use `get_last_lr()`.",
            UserWarning,
            stacklevel=3,
        )


class LRScheduler:
    """Adjusts the learning rate of each param group every ``step()``, as torch does."""

    _get_lr_called_within_step: bool = False
    _is_initial: bool = False

    def __init__(self, optimizer, last_epoch: int = -1) -> None:
        self.optimizer = optimizer
        groups = param_groups(optimizer)  # TypeError for an optimizer we cannot drive
        if last_epoch == -1:
            for group in groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] when resuming scheduler "
                        "with last_epoch >= 0.\nThis typically happens when:\n1. You're trying to resume "
                        "training from a checkpoint but haven't properly loaded the optimizer state\n2. "
                        "You're using last_epoch >= 0 for a fresh training run (not recommended)"
                    )
        self.base_lrs: list[float] = group_values(optimizer, "initial_lr")
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        self._step_count = 0
        with _Flag(self, "_is_initial"):
            self.step()

    def state_dict(self) -> dict[str, Any]:
        """Everything but the optimizer: torch's keys, torch's values."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.__dict__.update(state_dict)
        restore_float64_lrs(self)

    def get_last_lr(self) -> list[float]:
        return self._last_lr

    def get_lr(self) -> list[float]:
        raise NotImplementedError

    def step(self, epoch: int | None = None) -> None:
        self._step_count += 1
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch: int | None = None) -> None:
        with _Flag(self, "_get_lr_called_within_step"):
            if epoch is None:
                self.last_epoch += 1
                values = self.get_lr()
            else:
                self.last_epoch = epoch
                if hasattr(self, "_get_closed_form_lr"):
                    values = self._get_closed_form_lr()
                else:
                    values = self.get_lr()
        self._write_lrs(values)

    def _write_lrs(self, values: list[float]) -> None:
        """Store one LR per group, then remember what the groups now hold (torch's ``_last_lr``)."""
        groups = groups_of(self.optimizer)
        for group, lr in zip(groups, values, strict=True):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in groups]


class _LRScheduler(LRScheduler):
    """Deprecated alias kept by torch."""
