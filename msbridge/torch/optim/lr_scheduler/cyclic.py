"""``CyclicLR``: LR (and inversely momentum) cycling between two bounds, per batch."""
from __future__ import annotations

import math
import types
from functools import partial
from typing import Any

from msbridge.torch.optim.lr_scheduler.adapter import param_groups
from msbridge.torch.optim.lr_scheduler.base import LRScheduler, format_param, groups_of, warn_get_lr_called_within_step
from msbridge.torch.optim.lr_scheduler.momentum import init_momentum_cycle, set_momentum


def _is_tensor(value) -> bool:
    """A torch tensor hyper-parameter (duck-typed: real torch need not be installed here)."""
    return hasattr(value, "clone") and hasattr(value, "fill_")


def _copy(value):
    """torch's ``_format_param`` clones tensor hyper-parameters."""
    return value.clone() if _is_tensor(value) else value


def _set_group_lr(group, value) -> None:
    """torch's ``_update_param_group_val``: fill a tensor LR in place, else assign.

    Assigning a tensor ``base_lr`` makes the group's LR *be* that tensor, so
    later in-place fills move ``base_lrs`` too: torch's CyclicLR then drifts
    (its LR sticks at ``max_lr``).  Ported code computed that, so we do too.
    The group is re-assigned after a fill so the MindSpore side gets the value.
    """
    current = group["lr"]
    if _is_tensor(current):
        current.fill_(value.squeeze() if _is_tensor(value) and value.dim() != 0 else value)
        group["lr"] = current
    else:
        group["lr"] = value


class CyclicLR(LRScheduler):
    """Triangular / triangular2 / exp_range cycles, or a custom ``scale_fn``; momentum cycles inversely.

    Tensor ``base_lr``/``max_lr`` behave as in torch, aliasing included (see ``_set_group_lr``).
    """

    def __init__(
        self,
        optimizer,
        base_lr,
        max_lr,
        step_size_up: int = 2000,
        step_size_down: int | None = None,
        mode: str = "triangular",
        gamma: float = 1.0,
        scale_fn=None,
        scale_mode: str = "cycle",
        cycle_momentum: bool = True,
        base_momentum=0.8,
        max_momentum=0.9,
        last_epoch: int = -1,
    ) -> None:
        groups = param_groups(optimizer)  # TypeError for an optimizer we cannot drive
        self.optimizer = optimizer
        base_lrs = [_copy(lr) for lr in format_param("base_lr", optimizer, base_lr)]
        if last_epoch == -1:
            for lr, group in zip(base_lrs, groups, strict=True):
                _set_group_lr(group, lr)
                if _is_tensor(group["lr"]):  # torch's LRScheduler keeps a clone as initial_lr
                    group.setdefault("initial_lr", group["lr"].clone())
        self.max_lrs = [_copy(lr) for lr in format_param("max_lr", optimizer, max_lr)]
        step_size_up = float(step_size_up)
        step_size_down = float(step_size_down) if step_size_down is not None else step_size_up
        self.total_size = step_size_up + step_size_down
        self.step_ratio = step_size_up / self.total_size
        if mode not in ["triangular", "triangular2", "exp_range"] and scale_fn is None:
            raise ValueError("mode is invalid and scale_fn is None")
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode
        self._init_scale_fn()
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1, self.base_momentums, self.max_momentums = init_momentum_cycle(
                optimizer, base_momentum, max_momentum, last_epoch
            )
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def _init_scale_fn(self) -> None:
        if self._scale_fn_custom is not None:
            return
        if self.mode == "triangular":
            self._scale_fn_ref = self._triangular_scale_fn
            self.scale_mode = "cycle"
        elif self.mode == "triangular2":
            self._scale_fn_ref = self._triangular2_scale_fn
            self.scale_mode = "cycle"
        elif self.mode == "exp_range":
            self._scale_fn_ref = partial(self._exp_range_scale_fn, self.gamma)
            self.scale_mode = "iterations"

    def scale_fn(self, x) -> float:
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        return self._scale_fn_ref(x)

    @staticmethod
    def _triangular_scale_fn(x: float) -> float:
        return 1.0

    @staticmethod
    def _triangular2_scale_fn(x: float) -> float:
        return 1 / (2.0 ** (x - 1))

    @staticmethod
    def _exp_range_scale_fn(gamma: float, x: float) -> float:
        return gamma**x

    def get_lr(self) -> list[float]:
        warn_get_lr_called_within_step(self)
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        if x <= self.step_ratio:
            scale_factor = x / self.step_ratio
        else:
            scale_factor = (x - 1) / (self.step_ratio - 1)
        # scale_fn is called once per group and value, as torch does (it may be a stateful object)
        arg = cycle if self.scale_mode == "cycle" else self.last_epoch
        lrs = [
            base_lr + (max_lr - base_lr) * scale_factor * self.scale_fn(arg)
            for base_lr, max_lr in zip(self.base_lrs, self.max_lrs, strict=True)
        ]
        if self.cycle_momentum:
            momentums = [
                max_momentum - (max_momentum - base_momentum) * scale_factor * self.scale_fn(arg)
                for base_momentum, max_momentum in zip(self.base_momentums, self.max_momentums, strict=True)
            ]
            for group, momentum in zip(groups_of(self.optimizer), momentums, strict=True):
                set_momentum(group, momentum, self.use_beta1)
        return lrs

    def _write_lrs(self, values: list) -> None:
        """torch's ``_update_lr`` tail: in-place fills for tensor LRs, cloned ``_last_lr``."""
        groups = groups_of(self.optimizer)
        for group, lr in zip(groups, values, strict=True):
            _set_group_lr(group, lr)
        self._last_lr = [_copy(group["lr"]) for group in groups]

    def state_dict(self) -> dict[str, Any]:
        """torch's: no bound scale function; a custom callable object is saved as its ``__dict__``."""
        state = super().state_dict()
        state.pop("_scale_fn_ref", None)
        fn = state.pop("_scale_fn_custom")
        state["_scale_fn_custom"] = None
        if fn is not None and not isinstance(fn, types.FunctionType):
            state["_scale_fn_custom"] = fn.__dict__.copy()
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        fn = state_dict.pop("_scale_fn_custom")
        super().load_state_dict(state_dict)
        if fn is not None:
            self._scale_fn_custom.__dict__.update(fn)
        self._init_scale_fn()
