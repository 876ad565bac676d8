"""Bad arguments: msbridge raises what MindSpore raises, with the same message.

Every argument of every LR function and schedule class is replaced in turn by
each value of a zoo of wrong types and values; real MindSpore is called with
the same arguments and our outcome (result, or exception type and message)
must equal its outcome.
"""
import math

import numpy as np
import pytest

from ms_reference import our_nn, outcome, real_nn

ZOO = [True, False, 1, 0, -3, 2.0, 0.0, -0.5, 1e-3, 0.95, math.nan, math.inf, -math.inf, np.int64(3),
       np.float32(0.5), np.float64(0.5), None, "0.1", [1], (2,),
       # ints MindSpore's np.isinf cannot take (TypeError) or math.isinf cannot (OverflowError)
       2**64, -2**63 - 1, 10**400]

VALID = {
    "exponential_decay_lr": (0.1, 0.9, 6, 2, 1, False),
    "natural_exp_decay_lr": (0.1, 0.9, 6, 2, 1, False),
    "inverse_decay_lr": (0.1, 0.9, 6, 2, 1, False),
    "cosine_decay_lr": (0.01, 0.1, 6, 2, 2),
    "polynomial_decay_lr": (0.1, 0.01, 6, 2, 2, 0.5, False),
    "warmup_lr": (0.1, 6, 2, 2),
    "ExponentialDecayLR": (0.1, 0.9, 4, False),
    "NaturalExpDecayLR": (0.1, 0.9, 4, False),
    "InverseDecayLR": (0.1, 0.9, 4, False),
    "CosineDecayLR": (0.01, 0.1, 4),
    "PolynomialDecayLR": (0.1, 0.01, 4, 0.5, False),
    "WarmUpLR": (0.1, 4),
}


def _cases():
    for name, args in VALID.items():
        for position in range(len(args)):
            for bad in ZOO:
                yield pytest.param(name, args[:position] + (bad,) + args[position + 1:],
                                   id=f"{name}-arg{position}-{bad!r}")


def _comparable(result):
    if isinstance(result, list):
        return [float(v) for v in result]
    return "schedule-object"  # constructed fine: values are compared in test_ms_lr_schedule


@pytest.mark.parametrize("name,args", list(_cases()))
def test_same_outcome_as_mindspore(name, args):
    expected = outcome(getattr(real_nn, name), *args)
    got = outcome(getattr(our_nn, name), *args)
    if expected[0] == "raise":
        assert got[0] == "raise", f"MindSpore raised {expected[1].__name__}: {expected[2]}; we returned"
        assert got[1] is expected[1]
        assert got[2] == expected[2]
    else:
        assert got[0] == "ok", f"MindSpore accepted; we raised {got[1].__name__}: {got[2]}"
        assert _comparable(got[1]) == _comparable(expected[1])


@pytest.mark.parametrize("milestone,rates", [
    ([5, 2], [0.1, 0.2]), ([2, 5], [0.1]), ([0, 5], [0.1, 0.2]), ([2.0, 5], [0.1, 0.2]),
    ([True, 5], [0.1, 0.2]), ([np.int64(2), 5], [0.1, 0.2]), ([2, 5], [1, 0.2]), ([2, 5], [math.nan, 0.2]),
    (np.array([2, 5]), [0.1, 0.2]), ([2, 5], "ab"), ([], []), ((2, 5), (0.1, -0.2)), ([2, 2], [0.1, 0.2]),
])
def test_piecewise_constant_same_outcome(milestone, rates):
    expected = outcome(real_nn.piecewise_constant_lr, milestone, rates)
    got = outcome(our_nn.piecewise_constant_lr, milestone, rates)
    assert got == expected
