"""The forms a MindSpore optimizer's ``learning_rate`` takes, as step -> float32 tensor.

MindSpore turns every accepted ``learning_rate`` into one of three things
(``mindspore/nn/optim/optimizer.py``, ``_preprocess_single_lr`` and
``_build_single_lr``); these classes are their torch twins:

* a number or 0-d tensor -> a float32 Parameter (``FixedLR``): the same value
  every step, and the user may overwrite it in place;
* a list/tuple/1-D tensor -> ``TableLR``: ``table[global_step]``. MindSpore
  2.10 (CPU) does **not** hold the last value past the end: its ``Gather``
  raises ``RuntimeError`` (measured; tests/mindspore/test_msoptim_lr_forms.py),
  and so do we;
* a ``LearningRateSchedule`` -> called with the step.

When parameter groups mix a dynamic LR with fixed ones, MindSpore wraps each
fixed LR as ``lr + 1.0 - 1.0`` in float32 (``_ConvertToCell``), which rounds it:
0.001 becomes 0.0010000467. ``ConvertedLR`` does the same arithmetic.
"""
from collections.abc import Iterable

import numpy as np
import torch

from msbridge.mindspore.nn._checkparam import check_non_negative_float


class FixedLR:
    """A constant float32 LR (MindSpore keeps it in a Parameter)."""

    def __init__(self, value):
        self.learning_rate = value

    def __call__(self, global_step):
        return self.learning_rate


class ConvertedLR:
    """MindSpore's ``_ConvertToCell``: ``lr + 1.0 - 1.0`` computed in float32."""

    def __init__(self, fixed):
        self.learning_rate = fixed.learning_rate

    def __call__(self, global_step):
        one = torch.tensor(1.0, dtype=torch.float32)
        return self.learning_rate + one - one


class TableLR:
    """A per-step LR table indexed by the optimizer's global step."""

    def __init__(self, table):
        self.learning_rate = table

    def __call__(self, global_step):
        size = self.learning_rate.shape[0]
        if not 0 <= global_step < size:
            raise RuntimeError(f"For 'Gather', the 'input_indices' should be in the range [0, {size}), "
                               f"but got {global_step}, error_code[58]")
        return self.learning_rate[global_step]


class ScheduleLR:
    """A ``LearningRateSchedule`` called with the step, reshaped to 0-d as MindSpore does."""

    def __init__(self, schedule):
        self.learning_rate = schedule

    def __call__(self, global_step):
        return torch.as_tensor(self.learning_rate(global_step), dtype=torch.float32).reshape(())


def _schedule_base():
    # Imported late: the schedules live beside us in msbridge.mindspore.nn.
    from msbridge.mindspore.nn.learning_rate_schedule import LearningRateSchedule
    return LearningRateSchedule


def is_schedule(value):
    """True for a ``LearningRateSchedule`` (the only callables MindSpore accepts as LR)."""
    return isinstance(value, _schedule_base())


def preprocess(learning_rate, prim):
    """``_preprocess_single_lr``: validate; return ``(value, is_dynamic)``.

    ``value`` is a Python float, a 0-d or 1-D float32 tensor, or a schedule.
    """
    if isinstance(learning_rate, (float, int)):  # bools pass too, as in MindSpore
        learning_rate = float(learning_rate)
        check_non_negative_float(learning_rate, "learning rate", prim)
        return learning_rate, False
    if isinstance(learning_rate, torch.Tensor) and learning_rate.ndim == 0:
        return learning_rate.detach().to(torch.float32).clone(), False
    if is_schedule(learning_rate):
        return learning_rate, True
    if isinstance(learning_rate, torch.Tensor):
        if learning_rate.ndim > 1:
            raise ValueError(f"For 'Optimizer', if 'learning_rate' is Tensor type, then the dimension of it should "
                             f"be 0 or 1, but got {learning_rate.ndim}.")
        return learning_rate.detach().to(torch.float32).clone(), True
    if isinstance(learning_rate, Iterable):
        # MindSpore: np.array(list(lr)).astype(np.float32): float64 values rounded once to float32.
        return torch.from_numpy(np.array(list(learning_rate)).astype(np.float32)), True
    raise TypeError("For 'Optimizer', the argument 'learning_rate' must be int, float, Tensor, Iterable or "
                    "LearningRateSchedule, but got {}.".format(type(learning_rate)))


def build(value, convert_fixed):
    """``_build_single_lr``: wrap a preprocessed value as a step -> LR callable."""
    if isinstance(value, float):
        value = torch.tensor(value, dtype=torch.float32)
    if isinstance(value, torch.Tensor) and value.ndim == 0:
        fixed = FixedLR(value)
        return ConvertedLR(fixed) if convert_fixed else fixed
    if isinstance(value, torch.Tensor):
        return TableLR(value)
    return ScheduleLR(value)
