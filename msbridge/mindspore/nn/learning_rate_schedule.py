"""MindSpore's ``LearningRateSchedule`` classes, computing on torch tensors.

``schedule(global_step)`` returns a float32 torch tensor bit-identical to
MindSpore's CPU output.  MindSpore rounds every Python constant to float32
and computes each op in float32; we replay the same ops in the same order
with three kernel facts measured against MindSpore (see
``shared/spec/lr_semantics.md`` §1.3):

1. Pow is the C library's ``powf`` (``_libm.pow_like_c``);
2. ``python_float / tensor`` is ``reciprocal(tensor) * float32(python_float)``;
3. Sin is the float64 ``sin`` rounded to float32.

``global_step`` may be a Python int/float, a numpy scalar or a torch tensor of
any integer/float dtype and any shape; the output has the step's shape and
device.  A 1-D step gives, element by element, exactly what a scalar call at
that step gives (MindSpore's own vector kernels differ from its scalar path in
a few elements; training evaluates one step at a time, so we match that).
Like MindSpore, the step is not validated: negative or fractional steps
extrapolate, and steps above 2**24 lose integer precision in the float32 cast.
Bit-exactness is measured on CPU; other devices use their own kernels.
"""
import math
import numbers

import numpy as np
import torch

from msbridge.mindspore.nn import _checkparam as check
from msbridge.mindspore.nn._libm import pow_like_c, sin_like_c

__all__ = [
    "LearningRateSchedule",
    "ExponentialDecayLR",
    "NaturalExpDecayLR",
    "InverseDecayLR",
    "CosineDecayLR",
    "PolynomialDecayLR",
    "WarmUpLR",
]

_F32 = torch.float32


def _f32(value):
    """A Python number as MindSpore sees it inside a kernel: a float32 scalar."""
    return torch.tensor(float(value), dtype=_F32)


def _as_step_tensor(global_step, owner):
    """Accept what MindSpore accepts (and torch tensors), reject the rest with TypeError.

    Bools count as 0/1, as in MindSpore; numpy arrays are rejected, as in MindSpore.
    """
    if isinstance(global_step, torch.Tensor):
        if global_step.is_complex():
            raise TypeError(f"For '{owner}', 'global_step' must be an integer or float tensor, "
                            f"but got dtype {global_step.dtype}.")
        return global_step.to(torch.int64) if global_step.dtype == torch.bool else global_step
    if isinstance(global_step, (bool, np.bool_)):
        return torch.tensor(int(global_step))
    if isinstance(global_step, (numbers.Real, np.number)) and not isinstance(global_step, np.ndarray):
        return torch.tensor(global_step)
    raise TypeError(f"For '{owner}', 'global_step' must be an int, a float, a numpy scalar or a torch.Tensor, "
                    f"but got {type(global_step).__name__!r}.")


class LearningRateSchedule:
    """Base class: subclasses implement ``construct(global_step)`` on a torch tensor.

    As in MindSpore, calling the schedule calls ``construct``; the step
    arrives as a tensor whatever the caller passed.
    """

    @property
    def cls_name(self):
        return type(self).__name__

    def __call__(self, global_step):
        return self.construct(_as_step_tensor(global_step, self.cls_name))

    def construct(self, global_step):
        raise NotImplementedError

    def __repr__(self):
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{self.cls_name}({fields})"


def _check_decay_inputs(learning_rate, decay_rate, decay_steps, is_stair, owner):
    check.check_positive_int(decay_steps, "decay_steps", owner)
    check.check_positive_float(learning_rate, "learning_rate", owner)
    check.check_positive_float(decay_rate, "decay_rate", owner)
    check.check_value_type("is_stair", is_stair, [bool], owner)


class _DecaySchedule(LearningRateSchedule):
    """Shared constructor of the three ``(learning_rate, decay_rate, decay_steps, is_stair)`` schedules."""

    def __init__(self, learning_rate, decay_rate, decay_steps, is_stair=False):
        _check_decay_inputs(learning_rate, decay_rate, decay_steps, is_stair, self.cls_name)
        self.learning_rate = learning_rate
        self.decay_rate = decay_rate
        self.decay_steps = decay_steps
        self.is_stair = is_stair
        self._lr = _f32(learning_rate)
        self._rate = _f32(decay_rate)
        self._steps = _f32(decay_steps)


class ExponentialDecayLR(_DecaySchedule):
    """``learning_rate * decay_rate ** (step / decay_steps)``, floored exponent if ``is_stair``."""

    def construct(self, global_step):
        p = global_step.to(_F32) / self._steps
        if self.is_stair:
            p = torch.floor(p)
        return self._lr * pow_like_c(self._rate, p)


class NaturalExpDecayLR(_DecaySchedule):
    """``learning_rate * e ** (-decay_rate * step)``.

    MindSpore quirk kept: without ``is_stair`` the step is NOT divided by
    ``decay_steps`` (its docstring says it is; its code does not); with
    ``is_stair`` the step is floored to a multiple of ``decay_steps``.
    """

    def __init__(self, learning_rate, decay_rate, decay_steps, is_stair=False):
        super().__init__(learning_rate, decay_rate, decay_steps, is_stair)
        self._e = _f32(math.e)
        self._neg_rate = _f32(-decay_rate)

    def construct(self, global_step):
        p = global_step.to(_F32)
        if self.is_stair:
            p = torch.floor(p / self._steps) * self._steps
        return self._lr * pow_like_c(self._e, self._neg_rate * p)


class InverseDecayLR(_DecaySchedule):
    """``learning_rate / (1 + decay_rate * step / decay_steps)``, floored ratio if ``is_stair``.

    The division is MindSpore's ``reciprocal(x) * learning_rate``, which
    rounds differently from a true division.
    """

    def construct(self, global_step):
        p = global_step.to(_F32) / self._steps
        if self.is_stair:
            p = torch.floor(p)
        return torch.reciprocal(1 + self._rate * p) * self._lr


class CosineDecayLR(LearningRateSchedule):
    """Half-cosine from ``max_lr`` to ``min_lr`` over ``decay_steps``, then ``min_lr``.

    As MindSpore: computed as ``sin(pi * (p + 0.5))`` (not ``cos``) and the
    step is clamped to ``decay_steps`` in its own dtype before the cast.
    """

    def __init__(self, min_lr, max_lr, decay_steps):
        check.check_float_type(min_lr, "min_lr", self.cls_name)
        check.check_non_negative_float(min_lr, "min_lr", self.cls_name)
        check.check_positive_float(max_lr, "max_lr", self.cls_name)
        check.check_positive_int(decay_steps, "decay_steps", self.cls_name)
        if min_lr >= max_lr:
            raise ValueError(f"For 'CosineDecayLR', the 'max_lr' must be greater than the 'min_lr', "
                             f"but got 'max_lr' value: {max_lr}, 'min_lr' value: {min_lr}.")
        self.min_lr = min_lr
        self.max_lr = max_lr
        self.decay_steps = decay_steps
        self._min_lr = _f32(min_lr)
        self._delta = _f32(0.5 * (max_lr - min_lr))
        self._pi = _f32(math.pi)
        self._steps = _f32(decay_steps)

    def construct(self, global_step):
        p = torch.clamp(global_step, max=self.decay_steps).to(_F32)
        phase = self._pi * (p / self._steps + 0.5)
        sin = sin_like_c(phase.to(torch.float64)).to(_F32)
        return self._min_lr + self._delta * (1.0 + sin)


class PolynomialDecayLR(LearningRateSchedule):
    """``(lr - end) * (1 - step / decay_steps) ** power + end``.

    With ``update_decay_steps`` the horizon grows to the next multiple of
    ``decay_steps`` (a sawtooth).  MindSpore accepts ``end > lr`` (the LR
    rises); its ``learning_rate`` errors carry no class prefix - both kept.
    """

    def __init__(self, learning_rate, end_learning_rate, decay_steps, power, update_decay_steps=False):
        check.check_positive_float(learning_rate, "learning_rate")
        check.check_float_type(end_learning_rate, "end_learning_rate", self.cls_name)
        check.check_non_negative_float(end_learning_rate, "end_learning_rate", self.cls_name)
        check.check_positive_int(decay_steps, "decay_steps", self.cls_name)
        check.check_value_type("update_decay_steps", update_decay_steps, [bool], self.cls_name)
        check.check_positive_float(power, "power", self.cls_name)
        self.learning_rate = learning_rate
        self.end_learning_rate = end_learning_rate
        self.decay_steps = decay_steps
        self.power = power
        self.update_decay_steps = update_decay_steps
        self._diff = _f32(learning_rate - end_learning_rate)
        self._end = _f32(end_learning_rate)
        self._power = _f32(power)
        self._steps = _f32(decay_steps)

    def construct(self, global_step):
        t = global_step.to(_F32)
        horizon = self._steps
        if self.update_decay_steps:
            horizon = self._steps * torch.clamp(torch.ceil(t / self._steps), min=1)
        else:
            t = torch.minimum(t, self._steps)
        base = 1.0 - t / horizon
        return self._diff * pow_like_c(base, self._power) + self._end


class WarmUpLR(LearningRateSchedule):
    """``learning_rate * min(step, warmup_steps) / warmup_steps``.

    MindSpore accepts ``learning_rate=0.0`` although its docstring says it
    raises; kept.
    """

    def __init__(self, learning_rate, warmup_steps):
        check.check_float_type(learning_rate, "learning_rate", self.cls_name)
        check.check_non_negative_float(learning_rate, "learning_rate", self.cls_name)
        check.check_positive_int(warmup_steps, "warmup_steps", self.cls_name)
        self.learning_rate = learning_rate
        self.warmup_steps = warmup_steps
        self._lr = _f32(learning_rate)
        self._steps = _f32(warmup_steps)

    def construct(self, global_step):
        done = torch.clamp(global_step, max=self.warmup_steps).to(_F32) / self._steps
        return self._lr * done
