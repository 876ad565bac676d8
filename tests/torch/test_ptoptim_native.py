"""The one-pass C kernels of torch-shaped Adam/AdamW and SGD give the numpy passes' bits, and are live where cc is.

The comparison with real torch is in test_ptoptim_kernels.py / test_ptoptim_training.py (unchanged);
here the two forms of our update meet on data the first-use check did not see: a length past one
vector body with a tail, every option, several steps, a parameter that needs the numpy form.
"""
import os

import numpy as np
import pytest

from msbridge import _native
from msbridge.torch.optim import _adam_update as adam_update
from msbridge.torch.optim import _sgd_update as sgd_update


@pytest.fixture(scope="module")
def kernel():
    built = adam_update.checked_kernel()
    if built is None:
        assert not _native.enabled() or _native._compiler() is None, \
            "a C compiler is present: the kernel must build and pass its check"
        pytest.skip("no C compiler (or MSBRIDGE_NATIVE=0): the numpy form is the only one")
    return built


@pytest.mark.parametrize("maximize, weight_decay, decoupled, amsgrad, beta1",
                         [(False, 0.0, False, False, 0.9), (True, 0.05, False, True, 0.2),
                          (False, 0.02, True, False, 0.55), (True, 0.3, True, True, 0.99)])
def test_kernel_equals_numpy_passes(kernel, maximize, weight_decay, decoupled, amsgrad, beta1):
    rng = np.random.default_rng(11)
    size = 3 * 1031
    p, m = (rng.standard_normal(size).astype(np.float32) for _ in range(2))
    v, vmax = (np.abs(rng.standard_normal(size)).astype(np.float32) for _ in range(2))
    mine = [x.copy() for x in (p, m, v, vmax)]
    for step in range(1, 5):
        g = (rng.standard_normal(size) * 10.0 ** rng.integers(-6, 3, size)).astype(np.float32)
        k = adam_update.scalars(0.003, beta1, 0.99, 1e-6, weight_decay, decoupled, float(step))
        adam_update.numpy_update(p, g, m, v, vmax if amsgrad else None, maximize, k,
                                 [np.empty_like(p) for _ in range(3)])
        adam_update.native_update(kernel, mine[0], g, mine[1], mine[2], mine[3] if amsgrad else None, maximize, k)
    for expected, got in zip((p, m, v, vmax), mine):
        assert got.tobytes() == expected.tobytes()


def test_non_contiguous_takes_the_numpy_form(kernel):
    rng = np.random.default_rng(3)
    p = rng.standard_normal((40, 2)).astype(np.float32)
    g = rng.standard_normal((40, 2)).astype(np.float32)
    k = adam_update.scalars(0.01, 0.9, 0.999, 1e-8, 0.0, False, 1.0)
    strided, dense = p[:, 0], p[:, 0].copy()
    states = [np.zeros(40, np.float32) for _ in range(4)]
    adam_update.update(strided, g[:, 0], states[0], states[1], None, False, k,
                       lambda a, n: [np.empty_like(a) for _ in range(n)])
    adam_update.numpy_update(dense, np.ascontiguousarray(g[:, 0]), states[2], states[3], None, False, k,
                             [np.empty_like(dense) for _ in range(3)])
    assert strided.tobytes() == dense.tobytes()


@pytest.mark.parametrize("momentum, dampening, weight_decay, nesterov, maximize",
                         [(0.9, 0.1, 0.0, False, False), (0.8, 0.0, 0.03, True, True), (0.0, 0.0, 0.5, False, False)])
def test_sgd_kernel_equals_numpy_passes(momentum, dampening, weight_decay, nesterov, maximize):
    kernel = sgd_update.checked_kernel()
    if kernel is None:
        assert not _native.enabled() or _native._compiler() is None, "a C compiler is present: the kernel must build"
        pytest.skip("no C compiler (or MSBRIDGE_NATIVE=0): the numpy form is the only one")
    rng = np.random.default_rng(5)
    size = 3 * 1031
    p = rng.standard_normal(size).astype(np.float32)
    mine, buf, my_buf = p.copy(), None, None
    k = sgd_update.constants(0.07, momentum, dampening, weight_decay, nesterov, maximize)
    for _ in range(4):
        g = (rng.standard_normal(size) * 10.0 ** rng.integers(-6, 3, size)).astype(np.float32)
        buf = sgd_update.numpy_update(p, g, buf, k, [np.empty_like(p) for _ in range(2)])
        my_buf = sgd_update.native_update(kernel, mine, g, my_buf, k)
    assert mine.tobytes() == p.tobytes()
    assert (buf is None and my_buf is None) or my_buf.tobytes() == buf.tobytes()


def test_threaded_kernels_equal_one_thread_and_numpy_passes(kernel):
    """Just above the split threshold: two threads, one thread and the numpy passes give the same bits."""
    n = _native.MIN_SPLIT + 1031
    rng = np.random.default_rng(9)
    p, m, g = (rng.standard_normal(n).astype(np.float32) for _ in range(3))
    v = np.abs(rng.standard_normal(n)).astype(np.float32)
    k = adam_update.scalars(0.003, 0.9, 0.999, 1e-6, 0.02, True, 3.0)
    sgd = sgd_update.checked_kernel()
    sk = sgd_update.constants(0.07, 0.9, 0.1, 0.01, True, False)
    results = []
    libs = [_native.build("adam_update", adam_update.SOURCE), _native.build("sgd_update", sgd_update.SOURCE)]
    before = [_native.threading_of(lib) for lib in libs]
    try:
        for threads in (0, 1, 2):  # 0: the numpy passes
            state = [x.copy() for x in (p, m, v)]
            buf = m.copy()
            if threads:
                for lib in libs:
                    _native.set_threading(lib, threads, cores=0)  # split whatever the load
                adam_update.native_update(kernel, state[0], g, state[1], state[2], None, False, k)
                sgd_update.native_update(sgd, state[0], g, buf, sk)
            else:
                adam_update.numpy_update(state[0], g, state[1], state[2], None, False, k,
                                         [np.empty_like(p) for _ in range(3)])
                sgd_update.numpy_update(state[0], g, buf, sk, [np.empty_like(p) for _ in range(2)])
            results.append([x.tobytes() for x in (*state, buf)])
    finally:
        for lib, setting in zip(libs, before):
            _native.set_threading(lib, *setting)
    assert results[0] == results[1] == results[2]


def test_thread_count_from_environment(monkeypatch):
    monkeypatch.setenv("MSBRIDGE_NATIVE_THREADS", "1")
    assert _native.threads() == 1
    monkeypatch.setenv("MSBRIDGE_NATIVE_THREADS", "two")
    with pytest.raises(ValueError, match="MSBRIDGE_NATIVE_THREADS"):
        _native.threads()
    monkeypatch.delenv("MSBRIDGE_NATIVE_THREADS")
    assert _native.threads() == min(2, len(os.sched_getaffinity(0)))
