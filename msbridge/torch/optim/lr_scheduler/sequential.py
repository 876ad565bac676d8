"""``SequentialLR``: hand over from one scheduler to the next at milestones (torch 2.13 semantics)."""
from __future__ import annotations

from bisect import bisect_right
from typing import Any

from msbridge.torch.optim.lr_scheduler.base import LRScheduler, groups_of
from msbridge.torch.optim.lr_scheduler.composite_state import (
    check_children,
    composite_state_dict,
    load_composite_state_dict,
)


class SequentialLR(LRScheduler):
    """Runs ``schedulers[i]`` between ``milestones[i-1]`` and ``milestones[i]``.

    As in torch: construction resets every group to its ``initial_lr``, undoes
    the children's constructor steps, re-runs the first child's initial step,
    and at a milestone restarts the next child with ``_update_lr(0)`` (its
    closed form at epoch 0 where it has one).
    """

    def __init__(self, optimizer, schedulers: list, milestones: list[int], last_epoch: int = -1) -> None:
        if len(schedulers) < 1:
            raise ValueError(f"{type(self).__name__} expects at least one scheduler, but got no scheduler.")
        check_children(self, optimizer, schedulers)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                "Sequential Schedulers expects number of schedulers provided to be one more than the number of "
                f"milestone points, but got number of schedulers {len(schedulers)} and the number of milestones "
                f"to be equal to {len(milestones)}"
            )
        self._schedulers = schedulers
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        for group in groups_of(optimizer):
            group["lr"] = group["initial_lr"]
        self.recursive_undo()
        idx = bisect_right(self._milestones, 0)
        self._schedulers[idx]._initial_step()
        self._last_lr = schedulers[idx].get_last_lr()

    def recursive_undo(self, sched=None) -> None:
        """Step every (nested) child back by one epoch: their constructors already stepped."""
        scheds = self if sched is None else sched
        if hasattr(scheds, "_schedulers"):
            for s in scheds._schedulers:
                self.recursive_undo(s)
        elif hasattr(scheds, "last_epoch"):
            scheds.last_epoch -= 1

    def step(self) -> None:
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()

    def state_dict(self) -> dict[str, Any]:
        return composite_state_dict(self)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        load_composite_state_dict(self, state_dict)
