"""One fused pass per parameter per step: MindSpore's CPU optimizer kernels as small C loops.

The float32 fast paths (``_fused.py``) are exact but make 5-8 passes over
memory per parameter; at ResNet-50 size a step is memory-bound, so they ran
2.6-4.3x torch's fused step. Here each update is one C loop that reads and
writes every tensor once, with the same roundings spelled out: ``fmaf`` where
MindSpore's kernel fuses a multiply-add, plain float32 ``*``/``+``/``/``
(compiled with ``-ffp-contract=off``, so the compiler adds no fusion of its
own) and ``sqrtf`` (IEEE: correctly rounded, also when vectorised).

Arrays of 2^18 values and more are split over two threads (``msbridge._native``:
pthreads, chunks claimed in turn; the bits do not depend on the split, and the
probe runs with every size split). At ResNet-50 size a single thread on this
2-core machine leaves memory bandwidth unused and, for the Adam family, waits
on the divide/sqrt unit; MindSpore's own CPU kernels use both cores too.

Why not ``torch.compile``: measured here, inductor's first compile of one
Adam update took ~60 s wall on a loaded machine and every call pays ~0.1 ms
of guards; this file compiles in ~1.7 s wall once per machine (then loads
from the cache in milliseconds) and a call costs microseconds (ctypes).

Trust nothing: the library is built at first use (``cc``/``gcc``, cached per
source, flags and CPU under ``~/.cache/msbridge``), and an optimizer only
uses it after one probe per optimizer class and configuration gave the same
bits as its eager path (``Optimizer._native`` / ``_probe_native``). No compiler, a failed
build, ``MSBRIDGE_NATIVE=0`` or a mismatch: the eager paths run, unchanged.
"""
import bisect
import ctypes
from functools import cache

import torch

from msbridge import _native as _native_build

SOURCE = _native_build.SPLIT_SOURCE + r"""
#include <math.h>
#include <stdint.h>

/* ApplyMomentum (both branches round the same): a = accum*m + g; w -= a*lr. */
static void momentum_body(int64_t n, float *w, const float *g, float *acc, float lr, float mom) {
    for (int64_t i = 0; i < n; i++) {
        float a = acc[i] * mom + g[i];
        acc[i] = a;
        w[i] = w[i] - a * lr;
    }
}

/* SGD: stat (NULL once all zero) selects g on the first step. */
static void sgd_body(int64_t n, float *w, const float *g, float *acc, const float *stat, float lr, float mom,
                     float damped,
         int nesterov) {
    if (mom == 0.0f) {
        for (int64_t i = 0; i < n; i++) w[i] = w[i] - g[i] * lr;
        return;
    }
    if (stat) {  /* the first step only */
        for (int64_t i = 0; i < n; i++) {
            float a = stat[i] > 0.0f ? g[i] : acc[i] * mom + g[i] * damped;
            acc[i] = a;
            w[i] = w[i] - (nesterov ? a * mom + g[i] : a) * lr;
        }
    } else if (nesterov) {
        for (int64_t i = 0; i < n; i++) {
            float a = acc[i] * mom + g[i] * damped;
            acc[i] = a;
            w[i] = w[i] - (a * mom + g[i]) * lr;
        }
    } else {
        for (int64_t i = 0; i < n; i++) {
            float a = acc[i] * mom + g[i] * damped;
            acc[i] = a;
            w[i] = w[i] - a * lr;
        }
    }
}

/* The Adam family's moments: m = fma(g - m, c1, m); v = fma(fma(g, g, -v), c2, v), stored and returned. */
static inline __attribute__((always_inline)) void adam_moments(
        int64_t i, float gi, float *m, float *v, float c1, float c2, float *mi, float *vi) {
    *mi = fmaf(gi - m[i], c1, m[i]);
    *vi = fmaf(fmaf(gi, gi, -v[i]), c2, v[i]);
    m[i] = *mi;
    v[i] = *vi;
}

/* Adam: m = fma(g - m, c1, m); v = fma(fma(g, g, -v), c2, v); w += (-lr_t * m) / (sqrt(v) + eps).
   vhat (AMSGrad, else NULL): vhat = max(vhat, v) (NaN wins), divides by sqrt(vhat) + eps instead. */
static inline __attribute__((always_inline)) void adam_loop(
        int64_t n, float *w, const float *g, float *m, float *v, float *vhat, float c1, float c2, float lr_t,
        float eps, float b1, const int nesterov, const int amsgrad) {
    for (int64_t i = 0; i < n; i++) {
        float gi = g[i], mi, vi;
        adam_moments(i, gi, m, v, c1, c2, &mi, &vi);
        if (amsgrad) {
            float h = vhat[i];
            vi = (h > vi || h != h) ? h : vi;
            vhat[i] = vi;
        }
        float d = sqrtf(vi) + eps;
        if (nesterov) w[i] = w[i] - ((mi * b1 + gi * c1) * lr_t) / d;
        else w[i] = w[i] + (-lr_t * mi) / d;
    }
}

/* One loop per branch, so that each one vectorises. */
static void adam_body(int64_t n, float *w, const float *g, float *m, float *v, float *vhat, float c1, float c2,
                      float lr_t,
          float eps, float b1, int nesterov) {
    if (vhat && nesterov) adam_loop(n, w, g, m, v, vhat, c1, c2, lr_t, eps, b1, 1, 1);
    else if (vhat) adam_loop(n, w, g, m, v, vhat, c1, c2, lr_t, eps, b1, 0, 1);
    else if (nesterov) adam_loop(n, w, g, m, v, vhat, c1, c2, lr_t, eps, b1, 1, 0);
    else adam_loop(n, w, g, m, v, vhat, c1, c2, lr_t, eps, b1, 0, 0);
}

/* AdamWeightDecay: update = m / (sqrt(v) + eps) [+ w*wd]; w = fma(-lr, update, w). */
static void adam_weight_decay_body(int64_t n, float *w, const float *g, float *m, float *v, float c1, float c2,
                                   float eps,
                       float lr, float wd, int decay) {
    for (int64_t i = 0; i < n; i++) {
        float gi = g[i], mi, vi;
        adam_moments(i, gi, m, v, c1, c2, &mi, &vi);
        float u = mi / (sqrtf(vi) + eps);
        float wi = w[i];
        if (decay) u = u + wi * wd;
        w[i] = fmaf(u, -lr, wi);
    }
}

/* ApplyRMSProp: ms = fma(fma(g, g, -ms), 1 - decay, ms); mom = mom*momentum + g*lr / (sqrt(ms) + eps); w -= mom. */
static void rmsprop_body(int64_t n, float *w, const float *g, float *ms, float *mom, float lr, float c, float eps,
             float momentum) {
    for (int64_t i = 0; i < n; i++) {
        float gi = g[i];
        float s = fmaf(fmaf(gi, gi, -ms[i]), c, ms[i]);
        ms[i] = s;
        float b = (gi * lr) / (sqrtf(s) + eps);
        float mo = mom[i] * momentum + b;
        mom[i] = mo;
        w[i] = w[i] - mo;
    }
}

/* ApplyCenteredRMSProp: ms += (g*g - ms)*c; mg += (g - mg)*c; d = sqrt(ms - mg*mg + eps);
   mom = mom*momentum + g*lr / d; w -= mom; where d is NaN (radicand below zero) mom and w keep their values. */
static void centered_rmsprop_body(int64_t n, float *w, const float *g, float *ms, float *mom, float *mg, float lr,
                                  float c,
                      float eps, float momentum) {
    for (int64_t i = 0; i < n; i++) {
        float gi = g[i];
        float s = ms[i] + (gi * gi - ms[i]) * c;
        float a = mg[i] + (gi - mg[i]) * c;
        ms[i] = s;
        mg[i] = a;
        float d = sqrtf(s - a * a + eps);
        float mo = mom[i] * momentum + (gi * lr) / d;
        int skip = d != d;
        float wi = w[i];
        mom[i] = skip ? mom[i] : mo;
        w[i] = skip ? wi : wi - mo;
    }
}

/* ApplyAdaMax: m = m*b1 + g*c1; v = max(v*b2, |g|) (NaN wins); w += (-lr_b * m) / (v + eps). */
static void adamax_body(int64_t n, float *w, const float *g, float *m, float *v, float b1, float c1, float b2,
                        float lr_b,
            float eps) {
    for (int64_t i = 0; i < n; i++) {
        float gi = g[i];
        float mi = m[i] * b1 + gi * c1;
        float a = v[i] * b2, b = fabsf(gi);
        float vi = (a > b || a != a) ? a : b;
        m[i] = mi;
        v[i] = vi;
        w[i] = w[i] + (-lr_b * mi) / (vi + eps);
    }
}

/* ApplyAdagrad: accum += g*g; w -= g*lr * (1 / sqrt(accum)). */
static void adagrad_body(int64_t n, float *w, const float *g, float *acc, float lr) {
    for (int64_t i = 0; i < n; i++) {
        float gi = g[i];
        float a = acc[i] + gi * gi;
        acc[i] = a;
        w[i] = w[i] - (gi * lr) * (1.0f / sqrtf(a));
    }
}
/* The exported kernels: each packs its arguments and runs its body over msb_split's chunks. */

MSB_EXPORT(momentum, n, (int64_t n, float *w, const float *g, float *acc, float lr, float mom),
           (float *w; const float *g; float *acc; float lr, mom),
           (w, g, acc, lr, mom),
           (e - s, a->w + s, a->g + s, a->acc + s, a->lr, a->mom))
MSB_EXPORT(sgd, n, (int64_t n, float *w, const float *g, float *acc, const float *stat, float lr, float mom,
                 float damped, int nesterov),
           (float *w; const float *g; float *acc; const float *stat; float lr, mom, damped; int nesterov),
           (w, g, acc, stat, lr, mom, damped, nesterov),
           (e - s, a->w + s, a->g + s, MSB_AT(a->acc, s), MSB_AT(a->stat, s), a->lr, a->mom, a->damped,
            a->nesterov))
MSB_EXPORT(adam, n, (int64_t n, float *w, const float *g, float *m, float *v, float *vhat, float c1, float c2,
                  float lr_t, float eps, float b1, int nesterov),
           (float *w; const float *g; float *m, *v, *vhat; float c1, c2, lr_t, eps, b1; int nesterov),
           (w, g, m, v, vhat, c1, c2, lr_t, eps, b1, nesterov),
           (e - s, a->w + s, a->g + s, a->m + s, a->v + s, MSB_AT(a->vhat, s), a->c1, a->c2, a->lr_t, a->eps,
            a->b1, a->nesterov))
MSB_EXPORT(adam_weight_decay, n, (int64_t n, float *w, const float *g, float *m, float *v, float c1, float c2,
                               float eps, float lr, float wd, int decay),
           (float *w; const float *g; float *m, *v; float c1, c2, eps, lr, wd; int decay),
           (w, g, m, v, c1, c2, eps, lr, wd, decay),
           (e - s, a->w + s, a->g + s, a->m + s, a->v + s, a->c1, a->c2, a->eps, a->lr, a->wd, a->decay))
MSB_EXPORT(rmsprop, n, (int64_t n, float *w, const float *g, float *ms, float *mom, float lr, float c, float eps,
                     float momentum),
           (float *w; const float *g; float *ms, *mom; float lr, c, eps, momentum),
           (w, g, ms, mom, lr, c, eps, momentum),
           (e - s, a->w + s, a->g + s, a->ms + s, a->mom + s, a->lr, a->c, a->eps, a->momentum))
MSB_EXPORT(centered_rmsprop, n, (int64_t n, float *w, const float *g, float *ms, float *mom, float *mg, float lr,
                              float c, float eps, float momentum),
           (float *w; const float *g; float *ms, *mom, *mg; float lr, c, eps, momentum),
           (w, g, ms, mom, mg, lr, c, eps, momentum),
           (e - s, a->w + s, a->g + s, a->ms + s, a->mom + s, a->mg + s, a->lr, a->c, a->eps, a->momentum))
MSB_EXPORT(adamax, n, (int64_t n, float *w, const float *g, float *m, float *v, float b1, float c1, float b2,
                    float lr_b, float eps),
           (float *w; const float *g; float *m, *v; float b1, c1, b2, lr_b, eps),
           (w, g, m, v, b1, c1, b2, lr_b, eps),
           (e - s, a->w + s, a->g + s, a->m + s, a->v + s, a->b1, a->c1, a->b2, a->lr_b, a->eps))
MSB_EXPORT(adagrad, n, (int64_t n, float *w, const float *g, float *acc, float lr),
           (float *w; const float *g; float *acc; float lr),
           (w, g, acc, lr),
           (e - s, a->w + s, a->g + s, a->acc + s, a->lr))
"""

_I64, _F32, _INT, _PTR = ctypes.c_int64, ctypes.c_float, ctypes.c_int, ctypes.c_void_p
SIGNATURES = {  # kernel -> (number of pointer arguments after n, scalar argument types)
    "momentum": (3, [_F32, _F32]),
    "sgd": (4, [_F32, _F32, _F32, _INT]),
    "adam": (5, [_F32, _F32, _F32, _F32, _F32, _INT]),
    "adam_weight_decay": (4, [_F32, _F32, _F32, _F32, _F32, _INT]),
    "rmsprop": (4, [_F32, _F32, _F32, _F32]),
    "centered_rmsprop": (5, [_F32, _F32, _F32, _F32]),
    "adamax": (4, [_F32, _F32, _F32, _F32, _F32]),
    "adagrad": (3, [_F32]),
}


@cache
def library():
    """The compiled kernels (a ``ctypes.CDLL`` with typed functions), or None when they cannot be built.

    ``msbridge._native.build`` compiles and caches them (no compiler, ``MSBRIDGE_NATIVE=0`` or a failed
    build: None, and the eager paths run).
    """
    lib = _native_build.build("optim_kernels", SOURCE)
    if lib is None:
        return None
    for name, (pointers, scalars) in SIGNATURES.items():
        fn = getattr(lib, name)
        fn.argtypes = [_I64] + [_PTR] * pointers + scalars
        fn.restype = None
    return lib


def split_everything():
    """Within: the kernels split even a probe's small arrays over threads (``msbridge._native.split_everything``)."""
    return _native_build.split_everything(library())


def _fits(t):
    return t.dtype == torch.float32 and t.is_cpu and t.layout == torch.strided and t.is_contiguous()


def eligible(*tensors):
    """Every tensor a contiguous float32 CPU tensor, none sharing memory with another (the loops assume it)."""
    return disjoint_spans(tensors) is not None


def disjoint_spans(tensors):
    """The tensors' sorted (starts, ends) byte ranges if all fit the kernels and none overlaps another; else None."""
    if not all(_fits(t) for t in tensors):
        return None
    spans = sorted((t.data_ptr(), t.data_ptr() + 4 * t.numel()) for t in tensors if t.numel())
    if any(a_end > b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:])):
        return None
    return [s for s, _ in spans], [e for _, e in spans]


def gradients_fit(gradients, params, spans):
    """Each gradient fits the kernels, is shaped like its parameter and overlaps no parameter or state.

    Gradients are only read, so they may share memory with one another.
    """
    starts, ends = spans
    for g, w in zip(gradients, params):
        if not _fits(g) or g.shape != w.shape:
            return False
        start = g.data_ptr()
        i = bisect.bisect_right(starts, start) - 1
        if (i >= 0 and ends[i] > start) or (i + 1 < len(starts) and starts[i + 1] < start + 4 * g.numel()):
            return False
    return True


def written(tensors):
    """Bump the version counters of tensors a kernel wrote, as an in-place torch op would (autograd's checks)."""
    try:
        torch.autograd.graph.increment_version(tensors)
    except RuntimeError:  # an inference tensor (it keeps no version counter) among them
        torch.autograd.graph.increment_version([t for t in tensors if not t.is_inference()])
