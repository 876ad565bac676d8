"""The one-pass C kernels (``optim/_native.py``): same bits as the eager paths, and as MindSpore's kernels.

Sizes 1037 and 7 are not multiples of any vector width, so the kernels'
vector bodies and scalar tails both run; three steps cover SGD's first-step
select and the Adam bias corrections moving. Skipped where no C compiler is
found (the eager paths then run, and the other optimizer tests cover them).
"""
import ctypes

import mindspore as ms
import numpy as np
import pytest
import torch
from mindspore.ops import operations as P

import msbridge.mindspore.nn as msb_nn
from msbridge import _native as native_build
from msbridge.mindspore.nn.optim import _native, optimizer

pytestmark = pytest.mark.skipif(_native.library() is None, reason="no C compiler: the eager paths run")

SIZES = (1037, 7)
CONFIGS = [("Momentum", {"learning_rate": 0.1, "momentum": 0.9}),
           ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "dampening": 0.3}),
           ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}),
           ("SGD", {"learning_rate": 0.1}),
           ("Adam", {"learning_rate": 0.01}),
           ("Adam", {"learning_rate": 0.01, "use_nesterov": True}),
           ("Adam", {"learning_rate": 0.01, "use_amsgrad": True}),
           ("LazyAdam", {"learning_rate": 0.01, "beta1": 0.3}),  # 1 - beta1 >= 0.5: the other moment branch
           ("AdamWeightDecay", {"learning_rate": 0.01, "weight_decay": 0.1}),
           ("AdaMax", {"learning_rate": 0.01}),
           ("Adagrad", {"learning_rate": 0.01}),
           ("RMSProp", {"learning_rate": 0.01, "momentum": 0.9}),
           ("RMSProp", {"learning_rate": 0.01, "momentum": 0.9, "centered": True, "decay": 0.0})]  # decay 0: skips


def _run(name, kwargs, use_native, sizes=SIZES):
    rng = np.random.default_rng(7)
    params = [torch.nn.Parameter(torch.from_numpy(rng.standard_normal(n).astype(np.float32))) for n in sizes]
    named = [(f"layer{i}.weight", p) for i, p in enumerate(params)] if name == "AdamWeightDecay" else params
    opt = getattr(msb_nn, name)(named, **kwargs)
    opt._use_native = use_native
    for _ in range(3):
        opt(tuple(torch.from_numpy(rng.standard_normal(n).astype(np.float32)) for n in sizes))
    return opt, [p.detach() for p in params] + [t for n in opt._state_names for t in getattr(opt, n)]


@pytest.mark.parametrize("name,kwargs", CONFIGS, ids=[f"{n}-{'-'.join(k)}" for n, k in CONFIGS])
def test_kernel_bits_equal_eager_path(name, kwargs):
    opt, native = _run(name, kwargs, None)  # None: the kernels, once the probe passed
    assert optimizer._NATIVE_VERDICTS[(type(opt), opt._native_config())] is True
    _, eager = _run(name, kwargs, False)
    for a, b in zip(native, eager):
        assert torch.equal(a.view(torch.int32), b.view(torch.int32))


def _ms(a, name):
    return ms.Parameter(ms.Tensor(a.copy()), name=name)


def _momentum_matches_mindspore(w, g, accum, tag):
    """One Momentum step, ours (the kernel) against MindSpore's ApplyMomentum: weights and accumulator bit-equal."""
    W, A = _ms(w, tag + "w"), _ms(accum, tag + "a")
    P.ApplyMomentum()(W, A, ms.Tensor(np.float32(0.1)), ms.Tensor(g), ms.Tensor(np.float32(0.9)))
    p = torch.nn.Parameter(torch.from_numpy(w.copy()))
    opt = msb_nn.Momentum([p], learning_rate=0.1, momentum=0.9)
    opt.moments[0].copy_(torch.from_numpy(accum))
    opt((torch.from_numpy(g),))
    np.testing.assert_array_equal(p.detach().numpy(), W.asnumpy())
    np.testing.assert_array_equal(opt.moments[0].numpy(), A.asnumpy())


def test_kernels_match_mindspore_across_vector_tails():
    """Momentum and SGD bit-identical, Adam's moments bit-identical, at a length with a scalar tail."""
    rng = np.random.default_rng(3)
    n = SIZES[0]
    w, g, accum = (rng.standard_normal(n).astype(np.float32) for _ in range(3))
    _momentum_matches_mindspore(w, g, accum, "")

    W, A, S = _ms(w, "w2"), _ms(accum, "a2"), _ms(np.zeros(n, np.float32), "s2")
    P.SGD(0.3, 0.0, False)(W, ms.Tensor(g), ms.Tensor(np.float32(0.1)), A, ms.Tensor(np.float32(0.9)), S)
    p = torch.nn.Parameter(torch.from_numpy(w.copy()))
    opt = msb_nn.SGD([p], learning_rate=0.1, momentum=0.9, dampening=0.3)
    opt.accum[0].copy_(torch.from_numpy(accum))
    opt.stat[0].zero_()
    opt((torch.from_numpy(g),))
    np.testing.assert_array_equal(p.detach().numpy(), W.asnumpy())
    np.testing.assert_array_equal(opt.accum[0].numpy(), A.asnumpy())

    m, v = np.float32(0.1) * g[::-1].copy(), np.abs(accum) * np.float32(0.1)
    b1, b2 = np.float32(0.9), np.float32(0.999)
    W, M, V = _ms(w, "w3"), _ms(m, "m3"), _ms(v, "v3")
    P.Adam(False, False)(W, M, V, ms.Tensor(b1), ms.Tensor(b2), ms.Tensor(np.float32(0.01)), ms.Tensor(b1),
                         ms.Tensor(b2), ms.Tensor(np.float32(1e-8)), ms.Tensor(g))
    p = torch.nn.Parameter(torch.from_numpy(w.copy()))
    opt = msb_nn.Adam([p], learning_rate=0.01)
    opt.moment1[0].copy_(torch.from_numpy(m))
    opt.moment2[0].copy_(torch.from_numpy(v))
    opt((torch.from_numpy(g),))
    np.testing.assert_array_equal(opt.moment1[0].numpy(), M.asnumpy())
    np.testing.assert_array_equal(opt.moment2[0].numpy(), V.asnumpy())


def test_kernel_write_bumps_versions_like_an_inplace_op():
    """autograd still sees the update: backward through a graph that saved the old weight raises."""
    p = torch.nn.Parameter(torch.ones(64))
    loss = (p * p).sum()  # saves p for backward
    msb_nn.Momentum([p], learning_rate=0.1, momentum=0.9)((torch.ones(64),))
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_strided_parameters_take_the_eager_path():
    base = torch.randn(8, 6)
    p = base.t()  # not contiguous
    assert not _native.eligible(p, torch.zeros(6, 8))
    ref = p.clone()
    msb_nn.SGD([torch.nn.Parameter(p)], learning_rate=0.5)((torch.ones(6, 8),))
    assert torch.equal(base.t(), ref - torch.tensor(0.5))


class _Float64Momentum:
    """A kernel that rounds differently (``w -= lr * accum`` in float64): the probe must refuse it."""

    @staticmethod
    def momentum(n, w, g, acc, lr, mom):
        view = [np.ctypeslib.as_array((ctypes.c_float * n).from_address(ptr)) for ptr in (w, g, acc)]
        view[2][:] = view[2] * np.float32(mom) + view[1]
        view[0][:] = (view[0].astype(np.float64) - view[2].astype(np.float64) * np.float32(lr)).astype(np.float32)


def test_probe_refuses_a_kernel_with_other_bits(monkeypatch):
    monkeypatch.setattr(_native, "library", lambda: _Float64Momentum)
    monkeypatch.setattr(optimizer, "_NATIVE_VERDICTS", {})
    rng = np.random.default_rng(5)
    w, g = rng.standard_normal(100).astype(np.float32), rng.standard_normal(100).astype(np.float32)
    p, q = torch.nn.Parameter(torch.from_numpy(w.copy())), torch.nn.Parameter(torch.from_numpy(w.copy()))
    opt = msb_nn.Momentum([p], learning_rate=0.1, momentum=0.9)
    opt((torch.from_numpy(g),))
    assert optimizer._NATIVE_VERDICTS == {(msb_nn.Momentum, ()): False}
    eager = msb_nn.Momentum([q], learning_rate=0.1, momentum=0.9)
    eager._use_native = False
    eager((torch.from_numpy(g),))
    assert torch.equal(p, q)


def test_switched_off_by_environment(monkeypatch):
    monkeypatch.setenv("MSBRIDGE_NATIVE", "0")
    _native.library.cache_clear()
    try:
        assert _native.library() is None
    finally:
        monkeypatch.undo()
        _native.library.cache_clear()
    assert _native.library() is not None


def test_inference_tensors_take_the_kernels_too():
    """Tensors made under ``inference_mode`` keep no version counter; the step still runs and equals eager."""
    with torch.inference_mode():
        p, q, g = torch.randn(50), None, torch.randn(50)
        q = p.clone()
        msb_nn.Adam([p], learning_rate=0.1)((g,))
        eager = msb_nn.Adam([q], learning_rate=0.1)
        eager._use_native = False
        eager((g,))
    assert torch.equal(p, q)


def test_threaded_kernels_equal_one_thread_and_mindspore():
    """Just above the split threshold: two threads give one thread's bits for every kernel, and MindSpore's."""
    lib = _native.library()
    n = native_build.MIN_SPLIT + 1037  # two chunks, the second with a vector tail
    before = native_build.threading_of(lib)
    try:
        runs = {}
        for threads in (1, 2):
            native_build.set_threading(lib, threads, cores=0)  # split whatever the load
            runs[threads] = [_run(name, kwargs, None, (n,)) for name, kwargs in CONFIGS]
        assert all(optimizer._NATIVE_VERDICTS[(type(opt), opt._native_config())] is True for opt, _ in runs[2])
        runs = {threads: [tensors for _, tensors in run] for threads, run in runs.items()}
        for one, two in zip(runs[1], runs[2]):
            for a, b in zip(one, two):
                assert torch.equal(a.view(torch.int32), b.view(torch.int32))
        rng = np.random.default_rng(4)
        w, g, accum = (rng.standard_normal(n).astype(np.float32) for _ in range(3))
        _momentum_matches_mindspore(w, g, accum, "threaded_")  # two threads still set
    finally:
        native_build.set_threading(lib, *before)
