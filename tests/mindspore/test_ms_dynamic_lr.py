"""msbridge's ``nn.*_lr`` list functions against real MindSpore, element for element."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from ms_reference import our_nn, real_nn

SEED_EXPONENTIAL = [0.1, 0.1, 0.09000000000000001, 0.09000000000000001, 0.08100000000000002, 0.08100000000000002]


def assert_same_list(name, *args, **kwargs):
    expected = getattr(real_nn, name)(*args, **kwargs)
    got = getattr(our_nn, name)(*args, **kwargs)
    assert len(got) == len(expected)
    assert all(type(v) is float for v in got)
    mismatches = [i for i, (a, b) in enumerate(zip(got, expected)) if a != b]
    assert not mismatches, f"{name}{args}: {len(mismatches)} values differ, first at step {mismatches[0]}"
    return got


def test_seed_example_is_documented_value_and_mindsporess():
    assert our_nn.exponential_decay_lr(0.1, 0.9, 6, 2, 1) == SEED_EXPONENTIAL
    assert_same_list("exponential_decay_lr", 0.1, 0.9, 6, 2, 1)


rates = st.floats(0.01, 1.5, allow_nan=False)
lrs = st.floats(1e-6, 2.0, allow_nan=False)
ints = st.integers(1, 40)
steps = st.integers(1, 3000)


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(["exponential_decay_lr", "natural_exp_decay_lr", "inverse_decay_lr"]),
       lr=lrs, rate=rates, total=steps, spe=ints, de=ints, stair=st.booleans())
def test_decay_functions_match(name, lr, rate, total, spe, de, stair):
    assert_same_list(name, lr, rate, total, spe, de, is_stair=stair)


@settings(max_examples=40, deadline=None)
@given(min_lr=st.floats(0.0, 0.05), span=st.floats(1e-4, 1.0), total=steps, spe=ints, de=st.integers(1, 500))
def test_cosine_decay_matches(min_lr, span, total, spe, de):
    assert_same_list("cosine_decay_lr", min_lr, min_lr + span, total, spe, de)


@settings(max_examples=40, deadline=None)
@given(lr=lrs, end=st.floats(0.0, 1.0), total=steps, spe=ints, de=st.integers(1, 300),
       power=st.floats(0.05, 4.0), update=st.booleans())
def test_polynomial_decay_matches(lr, end, total, spe, de, power, update):
    assert_same_list("polynomial_decay_lr", lr, end, total, spe, de, power, update)


@settings(max_examples=30, deadline=None)
@given(lr=st.floats(0.0, 1.0), total=steps, spe=ints, we=st.integers(1, 500))
def test_warmup_matches(lr, total, spe, we):
    assert_same_list("warmup_lr", lr, total, spe, we)


@settings(max_examples=40, deadline=None)
@given(gaps=st.lists(st.integers(0, 50), min_size=1, max_size=6), rates=st.data())
def test_piecewise_constant_matches(gaps, rates):
    milestone, total = [], 0
    for gap in gaps:
        total += gap
        milestone.append(max(total, 1))
    values = rates.draw(st.lists(st.floats(-1.0, 1.0), min_size=len(milestone), max_size=len(milestone)))
    assert_same_list("piecewise_constant_lr", milestone, values)


@pytest.mark.parametrize("name,args", [
    ("exponential_decay_lr", (0.1, 0.9, 10**6, 100, 3)),
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
