"""Drive a real ``torch.optim`` optimizer with a MindSpore learning rate.

MindSpore passes the LR to its optimizer as a float, a per-step list (from
``nn.exponential_decay_lr`` ...) or a ``LearningRateSchedule``; the optimizer
evaluates it at its own ``global_step`` (0, 1, 2, ... one per update).
``MindSporeLR`` is a torch ``LRScheduler`` stepped once per optimizer step
(``opt.step(); sched.step()``), so update ``t`` uses the value MindSpore's
optimizer would use at ``global_step == t``.

Values: a list value is used as the exact Python float MindSpore's list holds;
a schedule value is the float32 it returns (MindSpore's optimizer holds the LR
in float32; torch applies a float LR to float32 parameters in float32, so the
update uses the same float32 number either way).

Past the end of a list MindSpore 2.10 (CPU) raises ``RuntimeError`` from its
Gather kernel when an update would use the missing value.  We do the same by
default: stepping the scheduler past the end is fine (torch loops step it
after the last update), but the next ``optimizer.step()`` raises.  With
``past_end="hold"`` the last value is kept instead.
"""
import numbers

import numpy
import torch
from torch.optim.lr_scheduler import LRScheduler

from msbridge.mindspore.nn.learning_rate_schedule import LearningRateSchedule

__all__ = ["MindSporeLR"]

_PAST_END = ("error", "hold")


def _as_lookup(learning_rate):
    """Normalise MindSpore's LR forms to ``(values, schedule)``: one of them is None."""
    if isinstance(learning_rate, LearningRateSchedule):
        return None, learning_rate
    if isinstance(learning_rate, bool):
        raise TypeError("MindSporeLR: 'learning_rate' must be a float, a list/tuple of floats, a 1-D tensor "
                        "or a LearningRateSchedule, but got 'bool'.")
    if isinstance(learning_rate, numbers.Real):
        return [float(learning_rate)], None
    if hasattr(learning_rate, "asnumpy"):   # a MindSpore tensor (duck-typed: MindSpore need not be installed)
        learning_rate = learning_rate.asnumpy()
    if isinstance(learning_rate, (torch.Tensor, numpy.ndarray)):
        if learning_rate.ndim > 1:
            raise ValueError(f"MindSporeLR: a tensor 'learning_rate' must be 0-d or 1-D, "
                             f"but got shape {tuple(learning_rate.shape)}.")
        return learning_rate.reshape(-1).tolist(), None
    if isinstance(learning_rate, (list, tuple)):
        if not learning_rate:
            raise ValueError("MindSporeLR: 'learning_rate' is an empty list.")
        for i, value in enumerate(learning_rate):
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise TypeError(f"MindSporeLR: 'learning_rate[{i}]' must be a float, "
                                f"but got {type(value).__name__!r}.")
        return list(learning_rate), None
    raise TypeError("MindSporeLR: 'learning_rate' must be a float, a list/tuple of floats, a 1-D tensor "
                    f"or a LearningRateSchedule, but got {type(learning_rate).__name__!r}.")


class MindSporeLR(LRScheduler):
    """A torch scheduler whose LR at step ``t`` is MindSpore's LR at ``global_step == t``.

    >>> sched = MindSporeLR(opt, nn.exponential_decay_lr(0.1, 0.9, 600, 20, 5))
    >>> for batch in data: loss.backward(); opt.step(); sched.step()
    """

    def __init__(self, optimizer, learning_rate, last_epoch=-1, past_end="error"):
        if past_end not in _PAST_END:
            raise ValueError(f"MindSporeLR: 'past_end' must be one of {_PAST_END}, but got {past_end!r}.")
        self._values, self._schedule = _as_lookup(learning_rate)
        # a number or a 0-d tensor is a constant LR in MindSpore; a 1-D tensor is a per-step list
        self._constant = self._values is not None and len(self._values) == 1 and not isinstance(
            learning_rate, (list, tuple)) and getattr(learning_rate, "ndim", 0) == 0
        self.past_end = past_end
        self._past_end_step = None
        super().__init__(optimizer, last_epoch)
        self._hook = optimizer.register_step_pre_hook(self._refuse_update_past_end)

    def _refuse_update_past_end(self, optimizer, args, kwargs):
        if self._past_end_step is not None:
            raise RuntimeError(f"MindSporeLR: optimizer step {self._past_end_step} is past the end of the "
                               f"{len(self._values)}-value learning-rate list (MindSpore raises here too; "
                               f"pass past_end='hold' to keep the last value).")

    def value_at(self, step):
        """The LR MindSpore's optimizer uses at ``global_step == step`` (a list's last value past its end)."""
        if self._schedule is not None:
            return float(self._schedule(step))
        if self._constant:
            return float(self._values[0])
        return float(self._values[min(step, len(self._values) - 1)])

    def get_lr(self):
        past_end = self._values is not None and not self._constant and self.last_epoch >= len(self._values)
        self._past_end_step = self.last_epoch if past_end and self.past_end == "error" else None
        return [self.value_at(self.last_epoch)] * len(self.optimizer.param_groups)

    def state_dict(self):
        """torch's scheduler state, without the optimizer hook (not picklable)."""
        return {key: value for key, value in super().state_dict().items() if key != "_hook"}

    def _get_closed_form_lr(self):
        return self.get_lr()
