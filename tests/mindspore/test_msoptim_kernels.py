"""One update on random values: our optimizers vs MindSpore's own kernels (``ops.SGD``, ``ApplyMomentum``, ``Adam``...).

Hypothesis draws the hyper-parameters and a 2,000-value state; the real
primitive runs on a copy and our optimizer does one step from the same
state. SGD and Momentum are bit-identical; Adam's moments are bit-identical and
its weights within four ulps of the largest update (plus the rounding of the
subtraction): MindSpore evaluates ``lr * sqrt(1 - b2^t) / (1 - b1^t)`` and
the division in its own order.
"""
import mindspore as ms
import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from mindspore.ops import operations as P

import msbridge.mindspore.nn as msb_nn

N = 2000
SETTINGS = settings(max_examples=20, deadline=None)
rates = st.floats(1e-4, 1.0, allow_nan=False)
fractions = st.floats(0.0, 0.99, allow_nan=False)


def _state(seed):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(N).astype(np.float32), rng.standard_normal(N).astype(np.float32), \
        np.abs(rng.standard_normal(N).astype(np.float32)) * np.float32(0.1)


def _ms(a, name):
    return ms.Parameter(ms.Tensor(a.copy()), name=name)


def _torch(a):
    return torch.nn.Parameter(torch.from_numpy(a.copy()))


@SETTINGS
@given(lr=rates, momentum=fractions, nesterov=st.booleans(), seed=st.integers(0, 2 ** 16))
def test_momentum_kernel_bit_identical(lr, momentum, nesterov, seed):
    w, g, accum = _state(seed)
    W, A = _ms(w, "w"), _ms(accum, "a")
    P.ApplyMomentum(use_nesterov=nesterov)(W, A, ms.Tensor(np.float32(lr)), ms.Tensor(g),
                                           ms.Tensor(np.float32(momentum)))
    p = _torch(w)
    opt = msb_nn.Momentum([p], learning_rate=lr, momentum=momentum, use_nesterov=nesterov)
    opt.moments[0].copy_(torch.from_numpy(accum))
    opt((torch.from_numpy(g),))
    np.testing.assert_array_equal(p.detach().numpy(), W.asnumpy())
    np.testing.assert_array_equal(opt.moments[0].numpy(), A.asnumpy())


@SETTINGS
@given(lr=rates, momentum=fractions, dampening=fractions, nesterov=st.booleans(), first=st.booleans(),
       seed=st.integers(0, 2 ** 16))
def test_sgd_kernel_bit_identical(lr, momentum, dampening, nesterov, first, seed):
    if nesterov:
        dampening, momentum = 0.0, max(momentum, 0.1)
    w, g, accum = _state(seed)
    stat = np.full(N, 1.0 if first else 0.0, np.float32)
    W, A, S = _ms(w, "w"), _ms(accum, "a"), _ms(stat, "s")
    P.SGD(dampening, 0.0, nesterov)(W, ms.Tensor(g), ms.Tensor(np.float32(lr)), A, ms.Tensor(np.float32(momentum)), S)
    p = _torch(w)
    opt = msb_nn.SGD([p], learning_rate=lr, momentum=momentum, dampening=dampening, nesterov=nesterov)
    opt.accum[0].copy_(torch.from_numpy(accum))
    opt.stat[0].copy_(torch.from_numpy(stat))
    opt((torch.from_numpy(g),))
    np.testing.assert_array_equal(p.detach().numpy(), W.asnumpy())
    np.testing.assert_array_equal(opt.accum[0].numpy(), A.asnumpy())


@SETTINGS
@given(lr=rates, beta1=st.floats(0.5, 0.99), beta2=st.floats(0.9, 0.9999), nesterov=st.booleans(),
       seed=st.integers(0, 2 ** 16))
def test_adam_kernel_moments_bit_identical(lr, beta1, beta2, nesterov, seed):
    w, g, v = _state(seed)
    m = np.float32(0.1) * g[::-1].copy()
    b1, b2 = np.float32(beta1), np.float32(beta2)
    W, M, V = _ms(w, "w"), _ms(m, "m"), _ms(v, "v")
    P.Adam(False, nesterov)(W, M, V, ms.Tensor(b1), ms.Tensor(b2), ms.Tensor(np.float32(lr)), ms.Tensor(b1),
                            ms.Tensor(b2), ms.Tensor(np.float32(1e-8)), ms.Tensor(g))
    p = _torch(w)
    opt = msb_nn.Adam([p], learning_rate=lr, beta1=beta1, beta2=beta2, use_nesterov=nesterov)
    opt.moment1[0].copy_(torch.from_numpy(m))
    opt.moment2[0].copy_(torch.from_numpy(v))
    opt((torch.from_numpy(g),))
    np.testing.assert_array_equal(opt.moment1[0].numpy(), M.asnumpy())
    np.testing.assert_array_equal(opt.moment2[0].numpy(), V.asnumpy())
    update, new = np.abs(W.asnumpy() - w).max(), np.abs(W.asnumpy()).max()
    # lr_t * m / (sqrt(v) + eps): a few roundings of the update, plus the one of the subtraction.
    atol = 4 * float(np.spacing(np.float32(update))) + float(np.spacing(np.float32(new)))
    np.testing.assert_allclose(p.detach().numpy(), W.asnumpy(), rtol=0, atol=atol)


def _close_to_kernel(ours, theirs, before):
    """Within two ulps of the largest update plus the rounding of the subtraction."""
    update, new = np.abs(theirs - before).max(), np.abs(theirs).max()
    atol = 2 * float(np.spacing(np.float32(update))) + float(np.spacing(np.float32(new)))
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=atol)


@SETTINGS
@given(lr=rates, seed=st.integers(0, 2 ** 16))
def test_adagrad_kernel(lr, seed):
    w, g, accum = _state(seed)
    accum = accum + np.float32(0.1)
    W, A = _ms(w, "w"), _ms(accum, "a")
    P.ApplyAdagrad(update_slots=True)(W, A, ms.Tensor(np.float32(lr)), ms.Tensor(g))
    p = _torch(w)
    opt = msb_nn.Adagrad([p], learning_rate=lr)
    opt.accum[0].copy_(torch.from_numpy(accum))
    opt((torch.from_numpy(g),))
    np.testing.assert_array_equal(opt.accum[0].numpy(), A.asnumpy())
    _close_to_kernel(p.detach().numpy(), W.asnumpy(), w)


@SETTINGS
@given(lr=rates, decay=fractions, momentum=fractions, centered=st.booleans(), seed=st.integers(0, 2 ** 16))
def test_rmsprop_kernel(lr, decay, momentum, centered, seed):
    w, g, ms_state = _state(seed)
    ms_state = ms_state + np.float32(1.0)
    mom = np.float32(0.01) * g[::-1].copy()
    mg = np.float32(0.1) * g[::-1].copy()
    W, MS, MOM, MG = _ms(w, "w"), _ms(ms_state, "ms"), _ms(mom, "mom"), _ms(mg, "mg")
    lr32, d32, m32, e32 = (ms.Tensor(np.float32(x)) for x in (lr, decay, momentum, 1e-10))
    if centered:
        P.ApplyCenteredRMSProp()(W, MG, MS, MOM, ms.Tensor(g), lr32, d32, m32, e32)
    else:
        P.ApplyRMSProp()(W, MS, MOM, lr32, ms.Tensor(g), d32, m32, e32)
    p = _torch(w)
    opt = msb_nn.RMSProp([p], learning_rate=lr, decay=decay, momentum=momentum, centered=centered)
    opt.ms[0].copy_(torch.from_numpy(ms_state))
    opt.moment[0].copy_(torch.from_numpy(mom))
    if centered:
        opt.mg[0].copy_(torch.from_numpy(mg))
    opt((torch.from_numpy(g),))
    _close_to_kernel(opt.ms[0].numpy(), MS.asnumpy(), ms_state)
    _close_to_kernel(p.detach().numpy(), W.asnumpy(), w)


@SETTINGS
@given(lr=rates, beta1=st.floats(0.5, 0.99), beta2=st.floats(0.9, 0.9999), seed=st.integers(0, 2 ** 16))
def test_adamax_kernel(lr, beta1, beta2, seed):
    w, g, v = _state(seed)
    m = np.float32(0.1) * g[::-1].copy()
    b1 = np.float32(beta1)
    W, M, V = _ms(w, "w"), _ms(m, "m"), _ms(v, "v")
    P.ApplyAdaMax()(W, M, V, ms.Tensor(b1), ms.Tensor(np.float32(lr)), ms.Tensor(b1), ms.Tensor(np.float32(beta2)),
                    ms.Tensor(np.float32(1e-8)), ms.Tensor(g))
    p = _torch(w)
    opt = msb_nn.AdaMax([p], learning_rate=lr, beta1=beta1, beta2=beta2)
    opt.moment1[0].copy_(torch.from_numpy(m))
    opt.moment2[0].copy_(torch.from_numpy(v))
    opt((torch.from_numpy(g),))
    _close_to_kernel(opt.moment1[0].numpy(), M.asnumpy(), m)
    np.testing.assert_array_equal(opt.moment2[0].numpy(), V.asnumpy())
    _close_to_kernel(p.detach().numpy(), W.asnumpy(), w)


@SETTINGS
@given(lr=rates, beta1=st.floats(0.5, 0.99), beta2=st.floats(0.9, 0.9999), weight_decay=st.floats(0.0, 0.5),
       seed=st.integers(0, 2 ** 16))
def test_adam_weight_decay_kernel(lr, beta1, beta2, weight_decay, seed):
    w, g, v = _state(seed)
    m = np.float32(0.1) * g[::-1].copy()
    W, M, V = _ms(w, "w"), _ms(m, "m"), _ms(v, "v")
    P.AdamWeightDecay()(W, M, V, ms.Tensor(np.float32(lr)), ms.Tensor(np.array([beta1], np.float32)),
                        ms.Tensor(np.array([beta2], np.float32)), ms.Tensor(np.array([1e-6], np.float32)),
                        float(np.float32(weight_decay)), ms.Tensor(g))
    p = _torch(w)
    opt = msb_nn.AdamWeightDecay([p], learning_rate=lr, beta1=beta1, beta2=beta2, weight_decay=weight_decay)
    opt.moments1[0].copy_(torch.from_numpy(m))
    opt.moments2[0].copy_(torch.from_numpy(v))
    opt((torch.from_numpy(g),))
    np.testing.assert_array_equal(opt.moments1[0].numpy(), M.asnumpy())
    np.testing.assert_array_equal(opt.moments2[0].numpy(), V.asnumpy())
    _close_to_kernel(p.detach().numpy(), W.asnumpy(), w)
