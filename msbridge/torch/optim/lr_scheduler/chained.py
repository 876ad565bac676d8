"""``ChainedScheduler``: step several schedulers together; their effects multiply (chainable forms)."""
from __future__ import annotations

from typing import Any

from msbridge.torch.optim.lr_scheduler.base import LRScheduler, group_values
from msbridge.torch.optim.lr_scheduler.composite_state import (
    check_children,
    composite_state_dict,
    load_composite_state_dict,
)


class ChainedScheduler(LRScheduler):
    """Calls ``step()`` of every scheduler in order, each reading the LR the previous one wrote."""

    def __init__(self, schedulers, optimizer=None) -> None:
        if len(schedulers) < 1:
            raise ValueError(
                f"{type(self).__name__} expects at least one scheduler to be chained, but got no scheduler."
            )
        optimizer = optimizer or schedulers[0].optimizer
        check_children(self, optimizer, schedulers)
        self._schedulers = schedulers
        self.optimizer = optimizer
        self._last_lr = group_values(self._schedulers[-1].optimizer, "lr")

    def step(self) -> None:
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = group_values(self._schedulers[-1].optimizer, "lr")

    def state_dict(self) -> dict[str, Any]:
        return composite_state_dict(self)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        load_composite_state_dict(self, state_dict)
