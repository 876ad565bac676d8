"""State of a scheduler made of schedulers (SequentialLR, ChainedScheduler), in torch's layout."""
from __future__ import annotations

from typing import Any

from msbridge.torch.optim.lr_scheduler.base import restore_float64_lrs


def composite_state_dict(scheduler) -> dict[str, Any]:
    """Own attributes minus the optimizer, with ``_schedulers`` as the children's state dicts."""
    state = {key: value for key, value in scheduler.__dict__.items() if key not in ("optimizer", "_schedulers")}
    state["_schedulers"] = [child.state_dict() for child in scheduler._schedulers]
    return state


def load_composite_state_dict(scheduler, state_dict: dict[str, Any]) -> None:
    children = state_dict.pop("_schedulers")
    scheduler.__dict__.update(state_dict)
    state_dict["_schedulers"] = children
    for child, child_state in zip(scheduler._schedulers, children):
        child.load_state_dict(child_state)
    restore_float64_lrs(scheduler)


def check_children(owner, optimizer, schedulers) -> None:
    """torch's checks: each child has an optimizer, is not ReduceLROnPlateau, and shares ``optimizer``."""
    from msbridge.torch.optim.lr_scheduler.plateau import ReduceLROnPlateau

    name = type(owner).__name__
    for idx, scheduler in enumerate(schedulers):
        if not hasattr(scheduler, "optimizer"):
            raise TypeError(f"{name} at index {idx} should have `optimizer` as its attribute.")
        if isinstance(scheduler, ReduceLROnPlateau):
            raise ValueError(
                f"{name} does not support `ReduceLROnPlateau` scheduler as it requires additional kwargs to be "
                f"specified when calling `step`, but got one at index {idx} in the given schedulers sequence."
            )
        if optimizer != scheduler.optimizer:
            raise ValueError(
                f"{name} expects all schedulers to belong to the same optimizer, but got scheduler "
                f"{type(scheduler).__name__} at index {idx} has {scheduler.optimizer}, which is different from "
                f"{type(optimizer).__name__}."
            )
