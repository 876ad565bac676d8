"""``step_per_epoch=1`` lists long enough for the C pow worker thread (``_pow_stream``), against real MindSpore.

The other list tests use decays that underflow (those skip calls and stay on one thread); these
need every power, as in a slow decay over a long run.
"""
import math
import numpy as np
import pytest

from ms_reference import our_nn, real_nn
from msbridge import _native
from msbridge.mindspore.nn import _pow_stream, dynamic_lr
from msbridge.mindspore.nn._libm import float_pow

STEPS = dynamic_lr._STREAM_FROM + 4321  # past the threshold, and a partial last chunk


def _bits(values):
    return np.array(values, dtype=np.float64).tobytes()


@pytest.mark.parametrize("name, args", [("exponential_decay_lr", (0.1, 0.99999, STEPS, 1, 3)),
                                        ("natural_exp_decay_lr", (0.1, 1e-4, STEPS, 1, 3)),
                                        ("exponential_decay_lr", (1e308, 1.00001, STEPS, 1, 1))])  # lr * pow -> inf
def test_streamed_list_is_mindspores(name, args):
    if _pow_stream.checked_kernel() is None:  # then the list is made on one thread; it must still be MindSpore's
        assert not _native.enabled() or _native._compiler() is None, "a C compiler is present: the kernel must build"
    expected, got = getattr(real_nn, name)(*args), getattr(our_nn, name)(*args)
    assert len(got) == len(expected) and set(map(type, got)) <= {float}
    assert _bits(got) == _bits(expected)


def test_overflowing_power_raises_as_mindspore():
    with pytest.raises(OverflowError) as expected:
        real_nn.exponential_decay_lr(1.0, 1.5, STEPS, 1, 1)
    with pytest.raises(OverflowError) as got:
        our_nn.exponential_decay_lr(1.0, 1.5, STEPS, 1, 1)
    assert got.value.args == expected.value.args


def test_stream_equals_one_thread_powers():
    kernel = _pow_stream.checked_kernel()
    if kernel is None:
        pytest.skip("no C compiler: lists compute the powers on one thread")
    n, mul, div = 50000, -0.37, 1.0
    got = _pow_stream.stream(kernel, 0.5, math.e, n, mul, div, list, chunk=1000)
    assert _bits(got) == _bits(0.5 * float_pow(math.e, np.arange(float(n)) * mul / div))


def test_list_built_in_c_equals_one_thread_powers():
    """The C list builder (powers through a ring of 8 chunks: 30 chunks here wrap it several times)."""
    kernel = _pow_stream.checked_list_kernel()
    if kernel is None:
        import sysconfig
        from pathlib import Path
        has_headers = (Path(sysconfig.get_paths()["include"]) / "Python.h").is_file()
        assert not (_native.enabled() and _native._compiler() and has_headers), "compiler and headers: it must build"
        pytest.skip("no C compiler or no Python headers: lists are made by the worker-thread stream")
    n, mul, div = 30 * 997 + 5, -0.37, 1.0
    got = _pow_stream.listed(kernel, 0.5, math.e, n, mul, div, chunk=997)
    assert type(got) is list and set(map(type, got)) == {float}
    assert _bits(got) == _bits(0.5 * float_pow(math.e, np.arange(float(n)) * mul / div))
    settled = _pow_stream.listed(kernel, 1.0, 0.5, 3000, 1.0, 1.0, chunk=97)   # 0.5 ** 1075 == 0.0 onwards
    assert settled[-1] == 0.0 and settled[-1] is settled[-2]   # a settled tail shares one float, as the Python path
