"""Argument checks that raise what ``mindspore._checkparam`` raises.

Ported code relies on MindSpore rejecting the same inputs (ints where floats
are expected, bools where ints are expected, ``np.int64`` ...), so the checks,
their order, exception types and messages are copied from MindSpore 2.10.
``prim`` is the class name MindSpore puts in front of its messages, or None.

The legality test is MindSpore's ``math.isinf(v) or math.isnan(v) or
np.isinf(v) or np.isnan(v)``, called the same way, because it is what decides
huge ints: above float's range ``math.isinf`` raises ``OverflowError``, and
outside int64/uint64 ``np.isinf`` raises ``TypeError``.
"""
import math

import numpy as np


def _prefix(prim):
    return f"For '{prim}', the " if prim else "The "


def _illegal(value):
    """MindSpore's own inf/nan test, exceptions included (see the module docstring)."""
    return math.isinf(value) or math.isnan(value) or np.isinf(value) or np.isnan(value)


def _check_number(value, name, arg_type, rel, bound, prim):
    info = f"{_prefix(prim)}'{name}'"
    if not isinstance(value, arg_type):
        raise TypeError(f"{info} must be {arg_type.__name__}, but got '{type(value).__name__}'")
    if _illegal(value):
        raise ValueError(f"{info} must be a legal value, but got '{value}'.")
    is_bool = isinstance(value, bool)
    if is_bool or not (value > bound if rel == ">" else value >= bound):
        message = (f"{info} must be {arg_type.__name__} and must {rel} {bound}, "
                   f"but got '{value}' with type '{type(value).__name__}'.")
        raise TypeError(message) if is_bool else ValueError(message)
    return value


def check_positive_int(value, name, prim=None):
    """``int`` (not bool) and > 0."""
    return _check_number(value, name, int, ">", 0, prim)


def check_positive_float(value, name, prim=None):
    """``float`` (ints rejected, ``np.float64`` accepted) and > 0, finite."""
    return _check_number(value, name, float, ">", 0, prim)


def check_non_negative_float(value, name, prim=None):
    """``float`` and >= 0, finite."""
    return _check_number(value, name, float, ">=", 0, prim)


def check_is_float(value, name, prim=None):
    """``float`` and not nan/inf (MindSpore's ``check_is_float``).

    MindSpore calls it after ``check_positive_float`` on the same value, where it
    can never fail; we only call it where it can.
    """
    head = f"For '{prim}', the" if prim else "The"
    if not isinstance(value, float):
        raise TypeError(f"{head} type of '{name}' must be 'float', but got '{type(value).__name__}'.")
    if _illegal(value):
        raise ValueError(f"{head} '{name}' must be a legal float, but got '{value}'.")
    return value


def check_value_type(name, value, valid_types, prim=None):
    """``isinstance`` check where bool never passes as int."""
    valid_types = tuple(valid_types)
    head = f"For '{prim}', the" if prim else "The"
    bad_bool = isinstance(value, bool) and bool not in valid_types
    if bad_bool or not isinstance(value, valid_types):
        names = [t.__name__ for t in valid_types]
        wanted = f"one of '{names}'" if len(names) > 1 else f"'{names[0]}'"
        raise TypeError(f"{head} type of '{name}' should be {wanted}, but got type '{type(value).__name__}'.")
    return value


def check_float_type(value, name, owner):
    """The hand-written ``isinstance(x, float)`` check some APIs do first."""
    if not isinstance(value, float):
        raise TypeError(f"For '{owner}', the argument '{name}' must be type of float, "
                        f"but got '{name}' type: {type(value)}.")
    return value
