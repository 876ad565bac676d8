"""One parameter's torch Adam/AdamW update in float32: a one-pass C kernel, or numpy passes.

Both compute, element by element, with torch's roundings (``fma`` where torch
fuses: ``add(alpha=)``, scalar ``lerp``, ``addcmul``)::

    g = -g if maximize;  g = fma(wd, p, g) (Adam) | p = p * decay (AdamW)
    m = lerp(m, g, w);   v = fma(g * (1 - beta2), g, v * beta2);  s = max(s, v) if amsgrad else v
    p = p + (m * -step_size) / (sqrt(s) / bc2_sqrt + eps)

The numpy form takes ~10 passes over memory and an addcmul through float64
(~230 ms per step at 25M values, 5.6x MindSpore's fused ``Adam``). The C form
(``_native``) reads each array once. It is used only after it has reproduced
the numpy form bit for bit at first use, over every option and lengths with
and without a vector tail; numpy's ``sqrt`` and division are correctly
rounded, as the C ones are, and the C ``fmaf`` rounds once (numpy's float64
emulation of ``addcmul`` can round twice in a rare tie, which makes the C
form the closer one to torch; the check's data has no such tie).
"""
import ctypes
from functools import cache

import numpy as np

from msbridge import _native
from msbridge.torch.optim._float32 import add_scaled, addcdiv, addcmul, lerp

SOURCE = _native.SPLIT_SOURCE + r"""
#include <math.h>
/* One body, instantiated per option below so that every loop is branch-free and vectorises. */
static inline __attribute__((always_inline)) void body(
    long start, long stop, float *restrict p, const float *restrict g, float *restrict m, float *restrict v,
    float *restrict vmax, const int maximize, const int wd_mode, const int amsgrad, const int from_start,
    const int bc2_one, float wd, float decay, float w, float beta2, float one_minus_beta2, float bc2_sqrt, float eps,
    float neg_step_size)
{
    const float w_end = -(1.0f - w);
    for (long i = start; i < stop; i++) {
        float gi = maximize ? -g[i] : g[i];
        float pi = p[i];
        if (wd_mode == 1) gi = fmaf(wd, pi, gi);
        if (wd_mode == 2) pi = pi * decay;
        float mi = m[i];
        float diff = gi - mi;
        mi = from_start ? fmaf(w, diff, mi) : fmaf(w_end, diff, gi);
        float vi = fmaf(gi * one_minus_beta2, gi, v[i] * beta2);
        float s = vi;
        if (amsgrad) {
            float old = vmax[i];
            int keep = (old > vi) | (old != old);  /* np.maximum: nan wins */
            s = keep ? old : vi;
            vmax[i] = s;
        }
        float denom = (bc2_one ? sqrtf(s) : sqrtf(s) / bc2_sqrt) + eps;  /* x / 1 == x: a divide saved */
        m[i] = mi;
        v[i] = vi;
        p[i] = pi + (mi * neg_step_size) / denom;
    }
}

/* bc2_sqrt rounds to 1 once beta2**step < 2**-24 (beta2 = 0.999: from step ~16,600 on, most of a long run). */
#define CASE(MX, WD, AMS, FS) \
    if (maximize == MX && wd_mode == WD && (vmax != 0) == AMS && from_start == FS) { \
        if (bc2_sqrt == 1.0f) \
            body(start, stop, p, g, m, v, vmax, MX, WD, AMS, FS, 1, wd, decay, w, beta2, one_minus_beta2, \
                 bc2_sqrt, eps, neg_step_size); \
        else \
            body(start, stop, p, g, m, v, vmax, MX, WD, AMS, FS, 0, wd, decay, w, beta2, one_minus_beta2, \
                 bc2_sqrt, eps, neg_step_size); \
        return; }
#define CASES_FS(MX, WD, AMS) CASE(MX, WD, AMS, 0) CASE(MX, WD, AMS, 1)
#define CASES_AMS(MX, WD) CASES_FS(MX, WD, 0) CASES_FS(MX, WD, 1)
#define CASES_WD(MX) CASES_AMS(MX, 0) CASES_AMS(MX, 1) CASES_AMS(MX, 2)

static void adam_update_body(long start, long stop, float *restrict p, const float *restrict g,
                             float *restrict m, float *restrict v, float *restrict vmax, int maximize, int wd_mode,
                             float wd, float decay, float w, int from_start, float beta2, float one_minus_beta2,
                             float bc2_sqrt, float eps, float neg_step_size)
{
    CASES_WD(0)
    CASES_WD(1)
}

/* Elements [start, stop), split over threads (msb_split). */
MSB_EXPORT(adam_update, stop - start,
           (long start, long stop, float *p, const float *g, float *m, float *v, float *vmax, int maximize,
            int wd_mode, float wd, float decay, float w, int from_start, float beta2, float one_minus_beta2,
            float bc2_sqrt, float eps, float neg_step_size),
           (long start; float *p; const float *g; float *m, *v, *vmax; int maximize, wd_mode; float wd, decay, w;
            int from_start; float beta2, one_minus_beta2, bc2_sqrt, eps, neg_step_size),
           (start, p, g, m, v, vmax, maximize, wd_mode, wd, decay, w, from_start, beta2, one_minus_beta2, bc2_sqrt,
            eps, neg_step_size),
           (a->start + s, a->start + e, a->p, a->g, a->m, a->v, a->vmax, a->maximize, a->wd_mode, a->wd, a->decay,
            a->w, a->from_start, a->beta2, a->one_minus_beta2, a->bc2_sqrt, a->eps, a->neg_step_size))
"""

_F, _P, _I, _L = ctypes.c_float, ctypes.c_void_p, ctypes.c_int, ctypes.c_long


def scalars(lr, beta1, beta2, eps, weight_decay, decoupled, step):
    """The Python-float (float64) part of torch's step, as the float32 constants the kernels take."""
    f32 = np.float32
    return {"wd_mode": 0 if weight_decay == 0 else 2 if decoupled else 1, "wd": f32(weight_decay),
            "decay": f32(1 - lr * weight_decay), "w": f32(1 - beta1), "beta2": f32(beta2),
            "one_minus_beta2": f32(1 - beta2), "bc2_sqrt": f32((1 - beta2 ** step) ** 0.5), "eps": f32(eps),
            "neg_step_size": f32(-(lr / (1 - beta1 ** step)))}


def numpy_update(p, grad, m, v, vmax, maximize, k, scratch):
    """The update in numpy passes; ``scratch``: three float32 arrays shaped like ``p``."""
    g, a, b = scratch
    if maximize:
        grad = np.negative(grad, out=g)
    if k["wd_mode"] == 2:
        np.multiply(p, k["decay"], out=p)
    elif k["wd_mode"] == 1:
        grad = add_scaled(grad, p, k["wd"], g)
    lerp(m, grad, k["w"], m, a)
    addcmul(np.multiply(v, k["beta2"], out=v), grad, grad, k["one_minus_beta2"], v, a)
    second = v if vmax is None else np.maximum(vmax, v, out=vmax)
    denom = np.sqrt(second, out=a)
    np.add(np.divide(denom, k["bc2_sqrt"], out=denom), k["eps"], out=denom)
    addcdiv(p, m, denom, k["neg_step_size"], p, b)


def native_update(kernel, p, grad, m, v, vmax, maximize, k):
    """The update in one C pass over the arrays."""
    kernel(0, p.size, p.ctypes.data, grad.ctypes.data, m.ctypes.data, v.ctypes.data,
           None if vmax is None else vmax.ctypes.data, int(maximize), k["wd_mode"], k["wd"], k["decay"], k["w"],
           int(abs(k["w"]) < 0.5), k["beta2"], k["one_minus_beta2"], k["bc2_sqrt"], k["eps"], k["neg_step_size"])


def update(p, grad, m, v, vmax, maximize, k, scratch_like):
    """Update ``p``, ``m``, ``v`` (and ``vmax``) in place; ``scratch_like(p, 3)`` gives numpy scratch arrays."""
    kernel = checked_kernel()
    if kernel is not None and _native.dense_float32(p, grad, m, v, vmax) and grad.shape == p.shape:
        native_update(kernel, p, grad, m, v, vmax, maximize, k)
    else:
        numpy_update(p, grad, m, v, vmax, maximize, k, scratch_like(p, 3))


@cache
def checked_kernel():
    """The C kernel if it reproduces ``numpy_update`` bit for bit on every option, else None."""
    kernel = _native.function("adam_update", SOURCE, [_L, _L, _P, _P, _P, _P, _P, _I, _I, _F, _F, _F, _I, _F, _F, _F,
                                                      _F, _F])
    if kernel is None:
        return None
    with _native.split_everything(_native.build("adam_update", SOURCE)):  # the threaded path checked too
        return kernel if _reproduces_numpy(kernel) else None


def _reproduces_numpy(kernel):
    """Whether ``kernel`` gives ``numpy_update``'s bits over every option and lengths with and without a tail."""
    rng = np.random.default_rng(0)
    for size in (1, 7, 64, 1000, 4099):
        for maximize, weight_decay, decoupled, amsgrad, beta1 in [(False, 0.0, False, False, 0.9),
                                                                   (True, 0.01, False, True, 0.3),
                                                                   (False, 1.0, False, False, 0.9),
                                                                   (False, 0.1, True, True, 0.6)]:
            p, g, m = (rng.standard_normal(size).astype(np.float32) for _ in range(3))
            v, vmax = (np.abs(rng.standard_normal(size)).astype(np.float32) for _ in range(2))
            ours = [x.copy() for x in (p, m, v, vmax)]
            for step in (1, 2, 30, 10 ** 5):  # 10**5: bias correction 1 (the kernel's branch without a divide)
                k = scalars(0.01, beta1, 0.999, 1e-8, weight_decay, decoupled, step)
                numpy_update(p, g, m, v, vmax if amsgrad else None, maximize, k,
                             [np.empty_like(p) for _ in range(3)])
                native_update(kernel, ours[0], g, ours[1], ours[2], ours[3] if amsgrad else None, maximize, k)
            if any(a.tobytes() != b.tobytes() for a, b in zip((p, m, v, vmax), ours)):
                return False
    return True
