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
device.  A Python int (or finite float) step, the training loop's case, takes
a fast path: the same float32 operations on Python floats (``_libm``'s float32
helpers and C ``powf``), no tensor until the result - bit-identical, tested.  A 1-D step gives, element by element, exactly what a scalar call at
that step gives (MindSpore's own vector kernels differ from its scalar path in
a few elements; training evaluates one step at a time, so we match that).
Like MindSpore, the step is not validated: negative or fractional steps
extrapolate, steps above 2**24 lose integer precision in the float32 cast,
and nan/inf steps give what MindSpore's kernels give (its Minimum returns the
bound for a nan step, so CosineDecayLR/PolynomialDecayLR/WarmUpLR clamp a nan
step to ``decay_steps``/``warmup_steps``).  A Python int step must fit in
MindSpore's int64, or uint64 where the step is cast to float32 first;
otherwise RuntimeError, as MindSpore raises.
Bit-exactness is measured on CPU; other devices use their own kernels.
"""
import math
import numbers

import numpy as np
import torch

from msbridge.mindspore.nn import _checkparam as check
from msbridge.mindspore.nn._libm import int_to_f32, pow_like_c, powf, reciprocal_f32, round_f32, sin_like_c

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
_INT64 = (-2**63, 2**63 - 1)
_UINT64_MAX = 2**64 - 1
_FAST_FLOAT = 2.0**63  # finite float steps up to here keep every intermediate finite on the fast path


def _f32_float(value):
    """A Python number as MindSpore sees it inside a kernel: a float32 scalar (here a Python float).

    An int is cast to float32 in one rounding, as MindSpore casts its int64 scalar (measured:
    a float64 detour differs for bounds such as 2**60 + 2**36 + 1).
    """
    if isinstance(value, int):
        return int_to_f32(value)
    return round_f32(float(value))


def _f32(value):
    """The same float32 scalar as a 0-d torch tensor (the tensor path's constant)."""
    return torch.tensor(_f32_float(value), dtype=_F32)


def _check_int_step(step, owner, uint64_ok):
    """MindSpore builds an int64 Tensor from a Python int (uint64 from 2**63 on); beyond, RuntimeError."""
    if _INT64[0] <= step <= _INT64[1] or (uint64_ok and 0 <= step <= _UINT64_MAX):
        return
    held = "int64 or uint64" if uint64_ok else "int64"
    raise RuntimeError(f"For '{owner}', the Python int global_step {step} does not fit in {held}, "
                       f"so MindSpore cannot make a Tensor of it (it raises RuntimeError too).")


def _as_step_tensor(global_step, owner, uint64_ok):
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
    if isinstance(global_step, int):
        _check_int_step(global_step, owner, uint64_ok)
        if global_step > _INT64[1]:  # a uint64 step: only its float32 cast is ever used
            return torch.tensor(int_to_f32(global_step), dtype=_F32)
        return torch.tensor(global_step)
    if isinstance(global_step, (numbers.Real, np.number)) and not isinstance(global_step, np.ndarray):
        return torch.tensor(global_step)
    raise TypeError(f"For '{owner}', 'global_step' must be an int, a float, a numpy scalar or a torch.Tensor, "
                    f"but got {type(global_step).__name__!r}.")


def _clamp_like_mindspore(step, bound):
    """MindSpore's ``Minimum(step, bound)`` in the step's dtype: a nan step gives ``bound``.

    The bound is cast to the step's dtype first, as MindSpore does (an int32 step wraps a
    bound above 2**31 - 1).
    """
    if step.dtype == _F32:
        bound = torch.tensor(int_to_f32(bound), dtype=_F32, device=step.device)  # one rounding, as MindSpore
    elif step.is_floating_point():
        bound = torch.tensor(bound, dtype=step.dtype, device=step.device)
    else:
        bound = torch.tensor(bound, dtype=torch.int64, device=step.device).to(step.dtype)
    return torch.where(step < bound, step, bound)


def _bound_error(bound, owner, op):
    """What MindSpore raises on every call whose kernel gets a bound from 2**63 on (accepted by the constructor).

    ``Tensor / int`` fails with SystemError; Minimum/FloorDiv pass the bound to C++ as a long and
    fail with RuntimeError.  None when the bound fits in int64.
    """
    if op is None or bound <= _INT64[1]:
        return None
    error = SystemError if op == "div" else RuntimeError
    return error, (f"For '{owner}', the bound {bound} does not fit in int64, so MindSpore's "
                   f"{'division' if op == 'div' else 'Minimum/FloorDiv'} cannot take it "
                   f"(it raises {error.__name__} on every call too).")


def _scalar_min(step, bound):
    """Python-scalar twin of ``_clamp_like_mindspore`` (int64 or finite float steps only)."""
    return step if step < bound else bound


class LearningRateSchedule:
    """Base class: subclasses implement ``construct(global_step)`` on a torch tensor.

    As in MindSpore, calling the schedule calls ``construct``; the step
    arrives as a tensor whatever the caller passed.  Built-in schedules also
    define ``_scalar(step)``: the same float32 recipe on Python floats, used
    for Python int steps (and finite float steps), where building tensors
    would cost more than the arithmetic.
    """

    _scalar = None
    _clamps_in_step_dtype = False  # True where MindSpore's first op is Minimum(step, bound)
    _call_error = None  # (exception type, message) when every call must fail, as in MindSpore

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "construct" in cls.__dict__ and "_scalar" not in cls.__dict__:
            cls._scalar = None  # a user's own construct must run, not the built-in fast path

    @property
    def cls_name(self):
        return type(self).__name__

    def __call__(self, global_step):
        if self._call_error is not None:
            if isinstance(global_step, int) and not isinstance(global_step, bool):
                _check_int_step(global_step, self.cls_name, not self._clamps_in_step_dtype)  # fails first
            raise self._call_error[0](self._call_error[1])
        kind = type(global_step)
        if self._scalar is not None and powf is not None:
            if kind is int and _INT64[0] <= global_step <= _INT64[1]:
                return torch.scalar_tensor(self._scalar(global_step, int_to_f32(global_step)), dtype=_F32)
            if kind is float and -_FAST_FLOAT <= global_step <= _FAST_FLOAT:  # nan fails both tests
                return torch.scalar_tensor(self._scalar(global_step, round_f32(global_step)), dtype=_F32)
        uint64_ok = not self._clamps_in_step_dtype
        return self.construct(_as_step_tensor(global_step, self.cls_name, uint64_ok))

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
        self._lr_f = _f32_float(learning_rate)
        self._rate_f = _f32_float(decay_rate)
        self._steps_f = _f32_float(decay_steps)
        self._call_error = _bound_error(decay_steps, self.cls_name, self._bound_op())

    def _bound_op(self):
        return "div"  # p = step / decay_steps


class ExponentialDecayLR(_DecaySchedule):
    """``learning_rate * decay_rate ** (step / decay_steps)``, floored exponent if ``is_stair``."""

    def construct(self, global_step):
        p = global_step.to(_F32) / self._steps
        if self.is_stair:
            p = torch.floor(p)
        return self._lr * pow_like_c(self._rate, p)

    def _scalar(self, step, step_f32):
        p = round_f32(step_f32 / self._steps_f)
        if self.is_stair:
            p = float(math.floor(p))
        return round_f32(self._lr_f * powf(self._rate_f, p))


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
        self._e_f = _f32_float(math.e)
        self._neg_rate_f = _f32_float(-decay_rate)

    def _bound_op(self):
        return "min" if self.is_stair else None  # FloorDiv(step, decay_steps); non-stair never uses it

    def construct(self, global_step):
        p = global_step.to(_F32)
        if self.is_stair:
            p = torch.floor(p / self._steps) * self._steps
        return self._lr * pow_like_c(self._e, self._neg_rate * p)

    def _scalar(self, step, step_f32):
        p = step_f32
        if self.is_stair:
            p = round_f32(math.floor(round_f32(p / self._steps_f)) * self._steps_f)
        return round_f32(self._lr_f * powf(self._e_f, round_f32(self._neg_rate_f * p)))


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

    def _scalar(self, step, step_f32):
        p = round_f32(step_f32 / self._steps_f)
        if self.is_stair:
            p = float(math.floor(p))
        return round_f32(reciprocal_f32(round_f32(1.0 + round_f32(self._rate_f * p))) * self._lr_f)


class CosineDecayLR(LearningRateSchedule):
    """Half-cosine from ``max_lr`` to ``min_lr`` over ``decay_steps``, then ``min_lr``.

    As MindSpore: computed as ``sin(pi * (p + 0.5))`` (not ``cos``) and the
    step is clamped to ``decay_steps`` in its own dtype before the cast (so a
    nan step gives ``min_lr``).
    """

    _clamps_in_step_dtype = True

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
        self._min_lr_f = _f32_float(min_lr)
        self._delta_f = _f32_float(0.5 * (max_lr - min_lr))
        self._pi_f = _f32_float(math.pi)
        self._steps_f = _f32_float(decay_steps)
        self._call_error = _bound_error(decay_steps, self.cls_name, "min")

    def construct(self, global_step):
        p = _clamp_like_mindspore(global_step, self.decay_steps).to(_F32)
        phase = self._pi * (p / self._steps + 0.5)
        sin = sin_like_c(phase.to(torch.float64)).to(_F32)
        return self._min_lr + self._delta * (1.0 + sin)

    def _scalar(self, step, step_f32):
        p = _scalar_min(step_f32, self._steps_f) if type(step) is float else int_to_f32(min(step, self.decay_steps))
        phase = round_f32(self._pi_f * round_f32(round_f32(p / self._steps_f) + 0.5))
        sin = round_f32(math.sin(phase))
        return round_f32(self._min_lr_f + round_f32(self._delta_f * round_f32(1.0 + sin)))


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
        self._diff_f = _f32_float(learning_rate - end_learning_rate)
        self._end_f = _f32_float(end_learning_rate)
        self._power_f = _f32_float(power)
        self._steps_f = _f32_float(decay_steps)
        self._call_error = _bound_error(decay_steps, self.cls_name, "div" if update_decay_steps else "min")

    def construct(self, global_step):
        t = global_step.to(_F32)
        horizon = self._steps
        if self.update_decay_steps:
            horizon = self._steps * torch.clamp(torch.ceil(t / self._steps), min=1)
        else:
            t = torch.where(t < self._steps, t, self._steps)  # MindSpore's Minimum: a nan step gives the bound
        base = 1.0 - t / horizon
        return self._diff * pow_like_c(base, self._power) + self._end

    def _scalar(self, step, step_f32):
        t = step_f32
        horizon = self._steps_f
        if self.update_decay_steps:
            horizon = round_f32(self._steps_f * max(float(math.ceil(round_f32(t / self._steps_f))), 1.0))
        else:
            t = _scalar_min(t, self._steps_f)
        base = round_f32(1.0 - round_f32(t / horizon))
        return round_f32(round_f32(self._diff_f * powf(base, self._power_f)) + self._end_f)


class WarmUpLR(LearningRateSchedule):
    """``learning_rate * min(step, warmup_steps) / warmup_steps``.

    MindSpore accepts ``learning_rate=0.0`` although its docstring says it
    raises; kept.  The step is clamped in its own dtype (a nan step gives
    ``learning_rate``).
    """

    _clamps_in_step_dtype = True

    def __init__(self, learning_rate, warmup_steps):
        check.check_float_type(learning_rate, "learning_rate", self.cls_name)
        check.check_non_negative_float(learning_rate, "learning_rate", self.cls_name)
        check.check_positive_int(warmup_steps, "warmup_steps", self.cls_name)
        self.learning_rate = learning_rate
        self.warmup_steps = warmup_steps
        self._lr = _f32(learning_rate)
        self._steps = _f32(warmup_steps)
        self._lr_f = _f32_float(learning_rate)
        self._steps_f = _f32_float(warmup_steps)
        self._call_error = _bound_error(warmup_steps, self.cls_name, "min")

    def construct(self, global_step):
        done = _clamp_like_mindspore(global_step, self.warmup_steps).to(_F32) / self._steps
        return self._lr * done

    def _scalar(self, step, step_f32):
        if type(step) is float:
            done = _scalar_min(step_f32, self._steps_f)
        else:
            done = int_to_f32(min(step, self.warmup_steps))
        return round_f32(self._lr_f * round_f32(done / self._steps_f))
