"""msbridge's ``nn.*_lr`` list functions against real MindSpore, element for element."""

import warnings

import numpy as np
import pytest
from hypothesis import example, given, settings, strategies as st

from ms_reference import our_nn, outcome, real_nn

SEED_EXPONENTIAL = [0.1, 0.1, 0.09000000000000001, 0.09000000000000001, 0.08100000000000002, 0.08100000000000002]


def assert_same_list(name, *args, **kwargs):
    expected = getattr(real_nn, name)(*args, **kwargs)
    got = getattr(our_nn, name)(*args, **kwargs)
    assert len(got) == len(expected)
    assert set(map(type, got)) <= {float}  # C-speed: these lists reach 2**24 items
    if got != expected:  # C-speed list equality first; the per-step search only to report a failure
        mismatches = [i for i, (a, b) in enumerate(zip(got, expected)) if a != b]
        assert mismatches, f"{name}{args}: lists differ only in the identity of equal items"
        raise AssertionError(f"{name}{args}: {len(mismatches)} values differ, first at step {mismatches[0]}")
    return got


def assert_same_outcome(name, *args):
    """Same list (bit for bit), or the same exception type and message; and no stray warnings."""
    expected = outcome(getattr(real_nn, name), *args)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = outcome(getattr(our_nn, name), *args)
    assert not caught, f"{name}{args} warned: {[str(w.message) for w in caught]}"
    if expected[0] == "raise":
        assert got == expected, f"{name}{args}: MindSpore raised {expected[1:]}, we gave {got[:2]}"
        return None
    assert got[0] == "ok", f"{name}{args}: MindSpore returned a list, we raised {got[1:]}"
    want = [float(v) for v in expected[1]]  # numpy-scalar arguments give MindSpore np.float64 items
    assert len(got[1]) == len(want) and all(type(v) is float for v in got[1])
    differ = [i for i, (a, b) in enumerate(zip(got[1], want)) if a != b and not (a != a and b != b)]
    assert not differ, f"{name}{args}: {len(differ)} values differ, first at step {differ[0]}"
    return got[1]


def test_seed_example_is_documented_value_and_mindsporess():
    assert our_nn.exponential_decay_lr(0.1, 0.9, 6, 2, 1) == SEED_EXPONENTIAL
    assert_same_list("exponential_decay_lr", 0.1, 0.9, 6, 2, 1)


rates = st.floats(0.01, 1.5, allow_nan=False)
lrs = st.floats(1e-6, 2.0, allow_nan=False)
ints = st.integers(1, 40)
steps = st.integers(1, 3000)


@settings(max_examples=30, deadline=None)
@given(name=st.sampled_from(["exponential_decay_lr", "natural_exp_decay_lr", "inverse_decay_lr"]),
       lr=lrs, rate=rates, total=steps, spe=ints, de=ints, stair=st.booleans())
@example(name="exponential_decay_lr", lr=1.0, rate=1.5, total=1752, spe=1, de=1, stair=False)  # found: OverflowError
def test_decay_functions_match(name, lr, rate, total, spe, de, stair):
    assert_same_outcome(name, lr, rate, total, spe, de, stair)


@settings(max_examples=30, deadline=None)
@given(min_lr=st.floats(0.0, 0.05), span=st.floats(1e-4, 1.0), total=steps, spe=ints, de=st.integers(1, 500))
def test_cosine_decay_matches(min_lr, span, total, spe, de):
    assert_same_list("cosine_decay_lr", min_lr, min_lr + span, total, spe, de)


@settings(max_examples=30, deadline=None)
@given(lr=lrs, end=st.floats(0.0, 1.0), total=steps, spe=ints, de=st.integers(1, 300),
       power=st.floats(0.05, 4.0), update=st.booleans())
def test_polynomial_decay_matches(lr, end, total, spe, de, power, update):
    assert_same_list("polynomial_decay_lr", lr, end, total, spe, de, power, update)


@settings(max_examples=30, deadline=None)
@given(lr=st.floats(0.0, 1.0), total=steps, spe=ints, we=st.integers(1, 500))
def test_warmup_matches(lr, total, spe, we):
    assert_same_list("warmup_lr", lr, total, spe, we)


@settings(max_examples=30, deadline=None)
@given(gaps=st.lists(st.integers(0, 50), min_size=1, max_size=6), rates=st.data())
def test_piecewise_constant_matches(gaps, rates):
    milestone, total = [], 0
    for gap in gaps:
        total += gap
        milestone.append(max(total, 1))
    values = rates.draw(st.lists(st.floats(-1.0, 1.0), min_size=len(milestone), max_size=len(milestone)))
    assert_same_list("piecewise_constant_lr", milestone, values)


@pytest.mark.parametrize("name,args", [
    # the plain (non-stair) exponential_decay_lr path past 10**6 is covered by the 2**24 list below
    ("exponential_decay_lr", (0.1, 0.9, 10**6, 1, 3)),  # 97.9% of it underflows to 0.0 (no pow call needed)
    ("exponential_decay_lr", (0.1, 0.9, 10**6, 1, 7, True)),
    ("natural_exp_decay_lr", (0.1, 0.05, 10**6, 1, 3)),
    ("inverse_decay_lr", (0.1, 0.5, 10**6, 3, 5)),
    ("cosine_decay_lr", (0.001, 0.1, 10**6, 2, 400000)),
    ("polynomial_decay_lr", (0.1, 0.01, 10**6, 1, 700000, 0.7)),
    ("polynomial_decay_lr", (0.1, 0.01, 10**6, 5, 3000, 2.0, True)),
    ("warmup_lr", (0.1, 10**6, 1, 600000)),
])
def test_million_step_lists_match(name, args):
    assert_same_list(name, *args)


MAX = 1.7976931348623157e308
TINY = 5e-324

# Extreme arguments, each compared with what real MindSpore does in this run (list, or exception
# type and message).  MindSpore's loop is CPython float arithmetic: a pow that overflows raises
# OverflowError(34, ...), a multiply/divide that overflows gives inf, an int beyond float's range
# meets OverflowError, and validation's np.isinf raises TypeError for ints outside int64/uint64.
EXTREME_LISTS = [
    ("exponential_decay_lr", (1.0, 1.5, 1752, 1, 1)),  # issue 10: hypothesis found it
    ("exponential_decay_lr", (0.1, 10.0, 700, 1, 1)),  # issue 11
    ("exponential_decay_lr", (0.1, 10.0, 700, 1, 1, True)),
    ("exponential_decay_lr", (1.0, 1e308, 3, 1, 1)),
    ("exponential_decay_lr", (1.0, 1e308, 3, 1, 2)),  # 1e308 ** 1.0 is the last finite one
    ("exponential_decay_lr", (1e308, 1.5, 3, 1, 1)),  # the multiply overflows: inf, no exception
    ("exponential_decay_lr", (MAX, 1.0000001, 40, 7, 3, True)),
    ("exponential_decay_lr", (TINY, 0.5, 3, 1, 1)),
    ("exponential_decay_lr", (1.0, 0.5, 230000, 1, 200)),  # crosses the subnormal range to 0.0 in 0.005 steps
    ("natural_exp_decay_lr", (1.0, 0.005, 160000, 1, 1)),  # the same for e ** x
    ("exponential_decay_lr", (0.1, TINY, 4, 1, 1)),
    ("exponential_decay_lr", (0.1, 1e-308, 3, 1, 1)),
    ("exponential_decay_lr", (0.1, 0.9, 40, 1, 2**53 + 1)),  # int / int past float64's exact ints
    ("exponential_decay_lr", (0.1, 0.9, 40, 1, 2**63)),
    ("exponential_decay_lr", (0.1, 0.9, 40, 1, 2**64 - 1)),
    ("exponential_decay_lr", (0.1, 0.9, 40, 1, 2**64)),  # np.isinf: TypeError
    ("exponential_decay_lr", (0.1, 0.9, 40, 1, -2**63 - 1)),
    ("exponential_decay_lr", (0.1, 0.9, 40, 1, 10**400)),  # math.isinf: OverflowError
    ("exponential_decay_lr", (0.1, 0.9, 3, 2**63, 1)),  # one epoch longer than the list
    ("exponential_decay_lr", (0.1, 0.9, 2**64, 1, 1)),  # rejected before any loop
    ("exponential_decay_lr", (0.1, 0.9, 10**20, 1, 1)),
    ("natural_exp_decay_lr", (0.1, 1e308, 3, 1, 1)),  # -rate * epoch -> -inf -> e ** -inf = 0.0
    ("natural_exp_decay_lr", (MAX, 1e-308, 3, 1, 1)),
    ("natural_exp_decay_lr", (0.1, 0.5, 40, 1, 2**63, True)),
    ("natural_exp_decay_lr", (0.1, 0.5, 3, 1, 10**400)),
    ("inverse_decay_lr", (0.1, 1e308, 3, 1, 1)),  # lr / inf = 0.0
    ("inverse_decay_lr", (TINY, 1e308, 3, 1, 1)),
    ("inverse_decay_lr", (0.1, 0.5, 40, 1, 2**63 + 1)),  # float / int: the int rounds once
    ("inverse_decay_lr", (0.1, 0.5, 40, 1, 2**63 + 1, True)),
    ("cosine_decay_lr", (0.0, MAX, 5, 1, 2)),
    ("cosine_decay_lr", (0.0, TINY, 3, 1, 2)),
    ("cosine_decay_lr", (0.0, 0.1, 40, 1, 2**64 - 1)),
    ("cosine_decay_lr", (0.0, 0.1, 3, 1, 10**400)),
    ("polynomial_decay_lr", (0.1, 0.01, 5, 1, 2, 1e308)),  # huge power: 0.0 from the first decay on
    ("polynomial_decay_lr", (0.1, 0.01, 5, 1, 2, TINY)),  # tiny power: 1.0 until the base is 0
    ("polynomial_decay_lr", (MAX, 0.0, 5, 1, 2, 2.0)),
    ("polynomial_decay_lr", (0.1, MAX, 5, 1, 2, 2.0)),
    ("polynomial_decay_lr", (0.1, 0.01, 40, 1, 2**53 + 3, 0.5)),
    ("polynomial_decay_lr", (0.1, 0.01, 40, 1, 2**53 + 3, 0.5, True)),
    ("polynomial_decay_lr", (0.1, 0.01, 40, 3, 2**64 - 1, 3.0, True)),
    ("polynomial_decay_lr", (0.1, 0.01, 3, 1, 2, 0.0)),  # power 0: ValueError
    ("polynomial_decay_lr", (0.1, 0.01, 3, 1, 2, -1.0)),
    ("warmup_lr", (1e308, 5, 1, 4)),  # lr * epoch overflows: inf
    ("warmup_lr", (TINY, 5, 1, 3)),
    ("warmup_lr", (0.1, 40, 1, 2**63 + 1)),
    ("warmup_lr", (0.1, 40, 2**64 - 1, 2)),
    ("warmup_lr", (0.1, 3, 1, 10**400)),
]


@pytest.mark.parametrize("name,args", EXTREME_LISTS, ids=[f"{n}{a}" for n, a in EXTREME_LISTS])
def test_extreme_arguments_match(name, args):
    assert_same_outcome(name, *args)


def test_overflow_error_is_cpythons():
    """Not just the type: the errno and text of CPython's float pow overflow, as MindSpore's loop raises."""
    with pytest.raises(OverflowError) as ours:
        our_nn.exponential_decay_lr(0.1, 10.0, 700, 1, 1)
    with pytest.raises(OverflowError) as real:
        real_nn.exponential_decay_lr(0.1, 10.0, 700, 1, 1)
    assert ours.value.args == real.value.args


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # MindSpore's own numpy warning
def test_numpy_scalar_decay_rate_overflows_to_inf_like_mindspore():
    """With np.float64 decay_rate MindSpore's pow is numpy's: inf (and a warning), not OverflowError."""
    got = assert_same_outcome("exponential_decay_lr", 1.0, np.float64(1.5), 1752, 1, 1)
    assert got[-1] == float("inf")


def test_list_past_two_to_the_24_matches():
    """A list longer than 2**24 (float32 can no longer count its steps)."""
    assert_same_list("exponential_decay_lr", 0.1, 0.99, 2**24 + 3, 4096, 5)


def test_numpy_float64_arguments_match():
    got = our_nn.exponential_decay_lr(np.float64(0.1), np.float64(0.9), 50, 3, 2)
    expected = real_nn.exponential_decay_lr(np.float64(0.1), np.float64(0.9), 50, 3, 2)
    assert got == [float(v) for v in expected]


class TestMindSporeQuirksKept:
    def test_natural_exp_ignores_decay_epoch_unless_stair(self):
        a = assert_same_list("natural_exp_decay_lr", 0.1, 0.05, 40, 2, 3)
        b = assert_same_list("natural_exp_decay_lr", 0.1, 0.05, 40, 2, 17)
        assert a == b
        assert assert_same_list("natural_exp_decay_lr", 0.1, 0.05, 40, 2, 3, True) != a

    def test_equal_milestones_drop_a_rate(self):
        got = assert_same_list("piecewise_constant_lr", [2, 2, 4], [0.1, 0.2, 0.3])
        assert 0.2 not in got

    def test_decay_rate_above_one_grows(self):
        got = assert_same_list("exponential_decay_lr", 0.1, 1.5, 6, 2, 1)
        assert got[-1] > got[0]

    def test_polynomial_end_above_start_rises(self):
        got = assert_same_list("polynomial_decay_lr", 0.1, 0.2, 6, 2, 2, 1.0)
        assert got[-1] > got[0]

    def test_warmup_accepts_zero(self):
        assert assert_same_list("warmup_lr", 0.0, 6, 1, 3) == [0.0] * 6

    def test_cosine_clamps_after_decay_epoch(self):
        got = assert_same_list("cosine_decay_lr", 0.01, 0.1, 30, 1, 10)
        assert got[10:] == [got[10]] * 20

    def test_polynomial_update_decay_epoch_sawtooth(self):
        got = assert_same_list("polynomial_decay_lr", 0.1, 0.01, 10, 1, 2, 0.5, True)
        assert got[2] < got[3]

    def test_warmup_longer_than_total(self):
        assert_same_list("warmup_lr", 0.1, 6, 1, 10)

    def test_cosine_uses_math_cos_rounding(self):
        """torch's and (on some CPUs) numpy's cos round differently; this config hits such values."""
        assert_same_list("cosine_decay_lr", 0.001, 0.1, 5001, 1, 5000)
