"""The two MindSpore argument checks the optimizers need beyond ``nn._checkparam``.

Messages, exception types and the order of checks are MindSpore 2.10's
(``mindspore/_checkparam.py``), so ported code that catches them still works.
"""
import numpy as np

from msbridge.mindspore.nn._checkparam import (  # noqa: F401  (re-exported for the optimizers)
    check_non_negative_float,
    check_positive_float,
    check_value_type,
)


def check_float_open_range(value, lower, upper, name, prim):
    """``validator.check_float_range(value, lower, upper, INC_NEITHER, name, prim)``.

    MindSpore tests ``value <= lower or value >= upper``, so NaN passes (it
    fails neither comparison); ported code that relies on that keeps working.
    """
    head = f"For '{prim}', the" if prim else "The"
    if not isinstance(value, (np.ndarray, np.generic, float)) or isinstance(value, bool):
        raise TypeError(f"{head} '{name}' must be 'float',  but got '{type(value).__name__}'.")
    if value <= lower or value >= upper:
        raise ValueError(f"{head} '{name}' must be in range of ({lower}, {upper}), "
                         f"but got {value} with type '{type(value).__name__}'.")
    return value


def check_bool(value, name, prim):
    """``validator.check_bool`` (MindSpore calls it without a prim name in Momentum)."""
    head = f"For '{prim}', the" if prim else "The"
    name = f"'{name}'" if name else "input value"
    if not isinstance(value, bool):
        raise TypeError(f"{head} {name} must be a bool, but got {type(value).__name__}.")
    return value
