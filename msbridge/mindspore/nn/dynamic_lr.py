"""MindSpore's ``nn.dynamic_lr`` functions: per-step learning-rate lists.

Each function returns the same ``list[float]`` as MindSpore 2.10, bit for bit,
and validates its arguments in MindSpore's order with MindSpore's exception
types and messages (ported code must fail where it failed before).

Why it is fast: the value only changes once per epoch, so it is computed once
per epoch (vectorised, with C-library ``pow``/``cos`` rounding, see
``_libm``) and repeated ``step_per_epoch`` times. With one step per epoch,
long exponential decays compute their powers on a second thread while this
one makes the floats (``_pow_stream``).  Every float operation is
the one MindSpore's Python loop performs, in the same order, so the results
are identical.

Extreme arguments end as MindSpore's loop ends (each is tested): a ``pow``
that overflows raises ``OverflowError(34, 'Numerical result out of range')``
as CPython's ``float ** float`` does, while a multiply or divide that
overflows gives ``inf`` silently, as Python floats do; ints too large for a
float raise where MindSpore's float arithmetic meets them.  numpy's
overflow/underflow warnings are silenced: MindSpore's loop prints none.

MindSpore quirks kept on purpose (each is tested):
- ``natural_exp_decay_lr`` ignores ``decay_epoch`` unless ``is_stair``.
- ``piecewise_constant_lr`` accepts equal milestones (dropping a rate) and
  negative rates.
- ``warmup_lr`` accepts ``learning_rate=0.0``; ``polynomial_decay_lr``
  accepts ``end_learning_rate > learning_rate`` (the LR then rises);
  ``decay_rate > 1`` is accepted everywhere.
"""
import errno
import math
import os

import numpy as np

from msbridge.mindspore.nn import _checkparam as check
from msbridge.mindspore.nn._libm import float_cos, float_pow, float_pow_bases, may_underflow
from msbridge.mindspore.nn._pow_stream import checked_kernel, checked_list_kernel, listed, stream

__all__ = [
    "piecewise_constant_lr",
    "exponential_decay_lr",
    "natural_exp_decay_lr",
    "inverse_decay_lr",
    "cosine_decay_lr",
    "polynomial_decay_lr",
    "warmup_lr",
]


_EXACT_INT = 2**53  # ints up to here are exact float64s: int / int is then float64 division
_QUIET = {"over": "ignore", "under": "ignore", "divide": "ignore", "invalid": "ignore"}


def _epochs(total_step, step_per_epoch):
    """``floor(i / step_per_epoch)`` for the first step of every epoch, as float64."""
    return np.arange(-(-total_step // step_per_epoch), dtype=np.float64)


def _int_div(epochs, divisor):
    """Python's ``int / int`` (correctly rounded) for every epoch.

    Equal to float64 division while ``divisor`` is exact in float64; beyond
    2**53 numpy would round ``divisor`` first, so Python divides.
    """
    if divisor <= _EXACT_INT:
        return epochs / float(divisor)
    return np.array([int(e) / divisor for e in epochs.tolist()], dtype=np.float64)


def _per_step(per_epoch, total_step, step_per_epoch):
    """Repeat each epoch's value ``step_per_epoch`` times; cut at ``total_step``."""
    if step_per_epoch == 1:
        return _settled_tail_shared(per_epoch)
    values = per_epoch.tolist()
    repeat = min(step_per_epoch, total_step)  # a huge step_per_epoch must not build a huge list
    steps = []
    for value in values:
        steps += [value] * repeat
    del steps[total_step:]
    return steps


def _settled_tail_shared(values):
    """``values.tolist()``, with a trailing run of one value (a settled schedule) as one repeated float.

    Bits are compared, so ``-0.0`` never stands in for ``0.0``.
    """
    if values.size < 2:
        return values.tolist()
    bits = values.view(np.int64)
    if bits[-2] != bits[-1]:  # still moving at the end: nothing to share
        return values.tolist()
    differs = bits[::-1] != bits[-1]
    head = values.size - int(np.argmax(differs)) if differs.any() else 0
    return values[:head].tolist() + [float(values[-1])] * (values.size - head)


_STREAM_FROM = 1 << 16   # steps; shorter lists are not worth a worker thread
_STREAM_UP_TO = 1 << 40  # (a C long counts them; MindSpore's loop would take days)


def _streamed(scale, base, total_step, mul, div):
    """``[scale * base ** (i * mul / div) for i in range(total_step)]`` with the powers on a C worker thread
    (``_pow_stream``), or None where that does not apply: a short list, a decay that underflows (those
    skip ``pow`` calls), non-finite constants, or no C kernel."""
    if not _STREAM_FROM <= total_step <= _STREAM_UP_TO or not all(map(math.isfinite, (scale, base, mul, div))):
        return None
    if may_underflow(base, np.array([(0 * mul) / div, ((total_step - 1) * mul) / div])):
        return None
    list_kernel = checked_list_kernel()
    if list_kernel is not None:
        return listed(list_kernel, scale, base, total_step, mul, div)
    kernel = checked_kernel()
    if kernel is None:
        return None
    with np.errstate(**_QUIET):
        return stream(kernel, scale, base, total_step, mul, div, _settled_tail_shared)


def _raise_if_pow_overflowed(powers, base):
    """CPython's ``float ** x`` raises where the C ``pow`` overflows; numpy scalars return ``inf``."""
    if not isinstance(base, np.generic) and np.isinf(powers).any():
        raise OverflowError(errno.ERANGE, os.strerror(errno.ERANGE))


def piecewise_constant_lr(milestone, learning_rates):
    """LR ``learning_rates[t]`` for steps in ``[milestone[t-1], milestone[t])``."""
    check.check_value_type("milestone", milestone, (tuple, list))
    check.check_value_type("learning_rates", learning_rates, (tuple, list))
    if len(milestone) != len(learning_rates):
        raise ValueError(f"For 'piecewise_constant_lr', "
                         f"the size of 'milestone' must be same with the size of 'learning_rates', "
                         f"but got 'milestone' size: {len(milestone)}, 'learning_rates' size: {len(learning_rates)}.")
    lr = []
    last_item = 0
    for i, item in enumerate(milestone):
        check.check_positive_int(item, f"milestone[{i}]")
        check.check_is_float(learning_rates[i], f"learning_rates[{i}]")
        if item < last_item:  # MindSpore tests '<', so equal milestones pass
            raise ValueError(f"For 'piecewise_constant_lr', "
                             f"the value of milestone[{i}] must be greater than milestone[{i - 1}], "
                             f"but got milestone[{i}]: {milestone[i]}, milestone[{i - 1}]: {milestone[i - 1]}.")
        lr += [learning_rates[i]] * (item - last_item)
        last_item = item
    return lr


def _check_lengths(**lengths):
    """Positive-int checks, in the order given (MindSpore's order differs per function)."""
    for name, value in lengths.items():
        check.check_positive_int(value, name)


def _check_decay_inputs(learning_rate, decay_rate, total_step, step_per_epoch, decay_epoch, is_stair):
    _check_lengths(total_step=total_step, step_per_epoch=step_per_epoch, decay_epoch=decay_epoch)
    check.check_positive_float(learning_rate, "learning_rate")
    check.check_positive_float(decay_rate, "decay_rate")
    check.check_value_type("is_stair", is_stair, [bool])


def exponential_decay_lr(learning_rate, decay_rate, total_step, step_per_epoch, decay_epoch, is_stair=False):
    """``learning_rate * decay_rate ** (epoch / decay_epoch)`` (floored exponent if ``is_stair``)."""
    _check_decay_inputs(learning_rate, decay_rate, total_step, step_per_epoch, decay_epoch, is_stair)
    if step_per_epoch == 1 and not is_stair and decay_epoch <= _EXACT_INT and not isinstance(decay_rate, np.generic):
        streamed = _streamed(float(learning_rate), decay_rate, total_step, 1.0, float(decay_epoch))
        if streamed is not None:
            return streamed
    exponent = _int_div(_epochs(total_step, step_per_epoch), decay_epoch)
    if is_stair:
        exponent = np.floor(exponent)
    if not isinstance(decay_rate, np.generic) and exponent.size:
        decay_rate ** float(exponent[-1])  # the largest power: CPython raises its OverflowError here, before 10**6 calls
    powers = float_pow(decay_rate, exponent, runs=is_stair)
    _raise_if_pow_overflowed(powers, decay_rate)
    with np.errstate(**_QUIET):
        per_epoch = float(learning_rate) * powers
    return _per_step(per_epoch, total_step, step_per_epoch)


def natural_exp_decay_lr(learning_rate, decay_rate, total_step, step_per_epoch, decay_epoch, is_stair=False):
    """``learning_rate * e ** (-decay_rate * epoch)``.

    As in MindSpore, ``decay_epoch`` is only used when ``is_stair`` (then the
    epoch is floored to a multiple of ``decay_epoch``), and ``math.e ** x`` is
    used, which is not bit-identical to ``math.exp(x)``.
    """
    _check_decay_inputs(learning_rate, decay_rate, total_step, step_per_epoch, decay_epoch, is_stair)
    if step_per_epoch == 1 and not is_stair:
        streamed = _streamed(float(learning_rate), math.e, total_step, -float(decay_rate), 1.0)
        if streamed is not None:
            return streamed
    epoch = _epochs(total_step, step_per_epoch)
    if is_stair:
        epoch = np.floor(_int_div(epoch, decay_epoch)) * float(decay_epoch)
    with np.errstate(**_QUIET):  # -rate * epoch may overflow to -inf; e ** -inf is 0.0, as in Python
        per_epoch = float(learning_rate) * float_pow(math.e, -float(decay_rate) * epoch, runs=is_stair)
    return _per_step(per_epoch, total_step, step_per_epoch)


def inverse_decay_lr(learning_rate, decay_rate, total_step, step_per_epoch, decay_epoch, is_stair=False):
    """``learning_rate / (1 + decay_rate * epoch / decay_epoch)`` (floored ratio if ``is_stair``)."""
    _check_decay_inputs(learning_rate, decay_rate, total_step, step_per_epoch, decay_epoch, is_stair)
    epoch = _epochs(total_step, step_per_epoch)
    with np.errstate(**_QUIET):  # rate * epoch may overflow to inf; lr / inf is 0.0, as in Python
        if is_stair:
            denominator = 1 + float(decay_rate) * np.floor(_int_div(epoch, decay_epoch))
        else:
            denominator = 1 + float(decay_rate) * epoch / float(decay_epoch)  # float / int: int -> float
        per_epoch = float(learning_rate) / denominator
    return _per_step(per_epoch, total_step, step_per_epoch)


def cosine_decay_lr(min_lr, max_lr, total_step, step_per_epoch, decay_epoch):
    """Half-cosine from ``max_lr`` to ``min_lr`` over ``decay_epoch`` epochs, then ``min_lr`` (no restart)."""
    check.check_float_type(min_lr, "min_lr", "cosine_decay_lr")
    check.check_non_negative_float(min_lr, "min_lr")
    check.check_positive_float(max_lr, "max_lr")
    _check_lengths(total_step=total_step, step_per_epoch=step_per_epoch, decay_epoch=decay_epoch)
    if min_lr >= max_lr:
        raise ValueError(f"For 'cosine_decay_lr', the 'max_lr' must be greater than the 'min_lr', "
                         f"but got 'max_lr' value: {max_lr}, 'min_lr' value: {min_lr}.")
    delta = 0.5 * (float(max_lr) - float(min_lr))
    epoch = np.minimum(_epochs(total_step, step_per_epoch), decay_epoch)
    per_epoch = float(min_lr) + delta * (1 + float_cos(math.pi * epoch / float(decay_epoch)))
    return _per_step(per_epoch, total_step, step_per_epoch)


def polynomial_decay_lr(learning_rate, end_learning_rate, total_step, step_per_epoch, decay_epoch, power,
                        update_decay_epoch=False):
    """``(lr - end) * (1 - epoch / decay_epoch) ** power + end``.

    With ``update_decay_epoch`` the horizon grows to the next multiple of
    ``decay_epoch`` each time it is reached (a sawtooth), as in MindSpore.
    """
    check.check_positive_float(learning_rate, "learning_rate")
    check.check_float_type(end_learning_rate, "end_learning_rate", "polynomial_decay_lr")
    check.check_non_negative_float(end_learning_rate, "end_learning_rate")
    check.check_positive_float(power, "power")
    _check_lengths(total_step=total_step, step_per_epoch=step_per_epoch, decay_epoch=decay_epoch)
    check.check_value_type("update_decay_epoch", update_decay_epoch, [bool])
    epoch = _epochs(total_step, step_per_epoch)
    if update_decay_epoch:
        cycles = np.maximum(np.ceil(_int_div(epoch, decay_epoch)), 1)
        if decay_epoch * (int(cycles[-1]) if len(cycles) else 1) > _EXACT_INT:
            ratio = np.array([int(e) / (decay_epoch * int(c)) for e, c in zip(epoch.tolist(), cycles.tolist())])
        else:
            ratio = epoch / (decay_epoch * cycles)
    else:
        ratio = _int_div(np.minimum(epoch, decay_epoch), decay_epoch)
    delta = float(learning_rate) - float(end_learning_rate)
    per_epoch = delta * float_pow_bases(1 - ratio, power) + float(end_learning_rate)
    return _per_step(per_epoch, total_step, step_per_epoch)


def warmup_lr(learning_rate, total_step, step_per_epoch, warmup_epoch):
    """Linear warm-up ``learning_rate * min(epoch, warmup_epoch) / warmup_epoch``, starting at 0.0."""
    check.check_float_type(learning_rate, "learning_rate", "warmup_lr")
    check.check_non_negative_float(learning_rate, "learning_rate")
    _check_lengths(warmup_epoch=warmup_epoch, total_step=total_step, step_per_epoch=step_per_epoch)
    epoch = np.minimum(_epochs(total_step, step_per_epoch), warmup_epoch)
    with np.errstate(**_QUIET):  # lr * epoch may overflow to inf, silently as in Python
        per_epoch = float(learning_rate) * epoch / float(warmup_epoch)  # float / int: int -> float
    return _per_step(per_epoch, total_step, step_per_epoch)
