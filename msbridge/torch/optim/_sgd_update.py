"""One parameter's torch SGD update in float32: a one-pass C kernel, or numpy passes.

Both compute, element by element, with torch's roundings (every
``add(alpha=)`` is one fused multiply-add)::

    d = -g if maximize else g;   d = fma(wd, p, d) if wd
    buf = d (first step) | fma(1 - dampening, d, buf * momentum);  d = fma(momentum, buf, d) (nesterov) | buf
    p = fma(-lr, d, p)

The numpy form is three to six passes (BLAS ``saxpy`` for each fused
multiply-add, ``_axpy``); the C form reads each array once. It is used only
after reproducing the numpy form bit for bit at first use (``_adam_update``
says why the two agree).
"""
import ctypes
from functools import cache

import numpy as np

from msbridge import _native
from msbridge.torch.optim._float32 import add_scaled

SOURCE = _native.SPLIT_SOURCE + r"""
#include <math.h>
static inline __attribute__((always_inline)) void body(
    long n, float *restrict p, const float *restrict g, float *restrict buf, const int maximize, const int has_wd,
    const int momentum_mode, const int nesterov, float wd, float momentum, float one_minus_dampening, float neg_lr)
{
    for (long i = 0; i < n; i++) {
        float d = maximize ? -g[i] : g[i];
        if (has_wd) d = fmaf(wd, p[i], d);
        if (momentum_mode) {  /* 1: first step (buf = d), 2: later steps */
            float b = momentum_mode == 1 ? d : fmaf(one_minus_dampening, d, buf[i] * momentum);
            buf[i] = b;
            d = nesterov ? fmaf(momentum, b, d) : b;
        }
        p[i] = fmaf(neg_lr, d, p[i]);
    }
}

#define CASE(MX, WD, MM, NE) \
    if (maximize == MX && has_wd == WD && momentum_mode == MM && nesterov == NE) { \
        body(n, p, g, buf, MX, WD, MM, NE, wd, momentum, one_minus_dampening, neg_lr); return; }
#define CASES_NE(MX, WD, MM) CASE(MX, WD, MM, 0) CASE(MX, WD, MM, 1)
#define CASES_MM(MX, WD) CASES_NE(MX, WD, 0) CASES_NE(MX, WD, 1) CASES_NE(MX, WD, 2)
#define CASES_WD(MX) CASES_MM(MX, 0) CASES_MM(MX, 1)

static void sgd_update_body(long n, float *restrict p, const float *restrict g, float *restrict buf, int maximize,
                            int has_wd, int momentum_mode, int nesterov, float wd, float momentum,
                            float one_minus_dampening, float neg_lr)
{
    CASES_WD(0)
    CASES_WD(1)
}

/* Split over threads (msb_split). */
MSB_EXPORT(sgd_update, n,
           (long n, float *p, const float *g, float *buf, int maximize, int has_wd, int momentum_mode, int nesterov,
            float wd, float momentum, float one_minus_dampening, float neg_lr),
           (float *p; const float *g; float *buf; int maximize, has_wd, momentum_mode, nesterov;
            float wd, momentum, one_minus_dampening, neg_lr),
           (p, g, buf, maximize, has_wd, momentum_mode, nesterov, wd, momentum, one_minus_dampening, neg_lr),
           (e - s, a->p + s, a->g + s, MSB_AT(a->buf, s), a->maximize, a->has_wd, a->momentum_mode, a->nesterov,
            a->wd, a->momentum, a->one_minus_dampening, a->neg_lr))
"""
_F, _P, _I = ctypes.c_float, ctypes.c_void_p, ctypes.c_int


def constants(lr, momentum, dampening, weight_decay, nesterov, maximize):
    f32 = np.float32
    return {"maximize": bool(maximize), "wd": f32(weight_decay), "has_wd": weight_decay != 0,
            "momentum": f32(momentum), "has_momentum": momentum != 0, "nesterov": bool(nesterov),
            "one_minus_dampening": f32(1 - dampening), "neg_lr": f32(-lr)}


def numpy_update(p, grad, buf, k, scratch):
    """The update in numpy passes; ``buf`` is the momentum buffer (None: first step, one is returned)."""
    d_p, spare = scratch
    if k["maximize"]:
        grad = np.negative(grad, out=d_p)
    if k["has_wd"]:
        grad = add_scaled(grad, p, k["wd"], d_p)
    if k["has_momentum"]:
        if buf is None:
            buf = grad.copy()
        else:
            add_scaled(np.multiply(buf, k["momentum"], out=buf), grad, k["one_minus_dampening"], buf)
        grad = add_scaled(grad, buf, k["momentum"], spare) if k["nesterov"] else buf
    add_scaled(p, grad, k["neg_lr"], p)
    return buf


def native_update(kernel, p, grad, buf, k):
    first = k["has_momentum"] and buf is None
    if first:
        buf = np.empty_like(p)
    kernel(p.size, p.ctypes.data, grad.ctypes.data, None if buf is None else buf.ctypes.data, int(k["maximize"]),
           int(k["has_wd"]), 0 if not k["has_momentum"] else 1 if first else 2, int(k["nesterov"]), k["wd"],
           k["momentum"], k["one_minus_dampening"], k["neg_lr"])
    return buf


def update(p, grad, buf, k, scratch_like):
    """Update ``p`` (and the momentum buffer ``buf`` in place); returns the buffer (new on the first step)."""
    kernel = checked_kernel()
    if kernel is not None and _native.dense_float32(p, grad, buf) and grad.shape == p.shape:
        return native_update(kernel, p, grad, buf, k)
    return numpy_update(p, grad, buf, k, scratch_like(p, 2))


@cache
def checked_kernel():
    """The C kernel if it reproduces ``numpy_update`` bit for bit on every option, else None."""
    kernel = _native.function("sgd_update", SOURCE, [ctypes.c_long, _P, _P, _P, _I, _I, _I, _I, _F, _F, _F, _F])
    if kernel is None:
        return None
    with _native.split_everything(_native.build("sgd_update", SOURCE)):  # the threaded path checked too
        return kernel if _reproduces_numpy(kernel) else None


def _reproduces_numpy(kernel):
    """Whether ``kernel`` gives ``numpy_update``'s bits over every option and lengths with and without a tail."""
    rng = np.random.default_rng(0)
    for size in (1, 7, 64, 1000, 4099):
        for momentum, dampening, weight_decay, nesterov, maximize in [(0.0, 0.0, 0.0, False, False),
                                                                      (0.9, 0.0, 0.01, True, True),
                                                                      (0.5, 0.3, 1.0, False, False),
                                                                      (0.0, 0.0, 0.2, False, True)]:
            k = constants(0.1, momentum, dampening, weight_decay, nesterov, maximize)
            p = rng.standard_normal(size).astype(np.float32)
            ours, buf, our_buf = p.copy(), None, None
            for _ in range(3):
                g = rng.standard_normal(size).astype(np.float32)
                buf = numpy_update(p, g, buf, k, [np.empty_like(p) for _ in range(2)])
                our_buf = native_update(kernel, ours, g, our_buf, k)
            if p.tobytes() != ours.tobytes() or (buf is not None and buf.tobytes() != our_buf.tobytes()):
                return False
    return True
