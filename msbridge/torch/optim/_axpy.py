"""``y = fma(a, x, y)`` for a float32 scalar ``a`` in one pass: BLAS ``saxpy``, used only where checked exact.

torch's ``add(alpha=)`` and scalar ``lerp`` round ``y + a * x`` once (an FMA
instruction). numpy has no fused multiply-add, and its float64 emulation
(``_float32.fma``) costs ~20x a plain pass. OpenBLAS's vectorised ``saxpy``
kernel (the one scipy ships, and MindSpore requires scipy) uses FMA
instructions on its vector body; its scalar tail does not round once. That is
a property of the library build and the CPU, so it is checked once, against
the float64 emulation, at the lengths used here (multiples of ``LANES`` up to
``BLOCK``): the body goes to ``saxpy`` in blocks of at most ``BLOCK`` values,
the last ``n % LANES`` values to the emulation. If any check fails, or scipy
is missing, everything uses the emulation.
"""
from functools import cache

import numpy as np

LANES = 32          # saxpy's vector body on AVX2 (16-lane bodies were measured to leave a non-fused tail)
BLOCK = 1 << 15     # one call per 32k values (128 KiB per operand, inside L2); every length used is checked


def emulated(a, x, y, out):
    """``out = round_f32(a * x + y)`` through float64 (the float32 product is exact there)."""
    wide = np.multiply(x, a, dtype=np.float64)
    np.add(wide, y, out=wide)
    np.copyto(out, wide, casting="same_kind")
    return out


@cache
def _checked_saxpy():
    """scipy's ``saxpy`` if its results equal one rounding at every length this module gives it, else None."""
    try:
        from scipy.linalg.blas import saxpy
    except ImportError:  # pragma: no cover - MindSpore requires scipy
        return None
    rng = np.random.default_rng(0)
    sizes = [LANES * k for k in range(1, 65)] + [BLOCK - LANES, BLOCK] + \
        sorted(int(s) * LANES for s in rng.integers(65, BLOCK // LANES, 8))
    for size in sizes:
        x, y = rng.standard_normal(size).astype(np.float32), rng.standard_normal(size).astype(np.float32)
        x[::5] = np.float32(1.0 + 2.0 ** -12)  # lanes where one rounding and two differ
        y[::5] = np.float32(-1.0)
        for a in (np.float32(1.0 + 2.0 ** -12), np.float32(-0.1), np.float32(3e-4)):
            expected = emulated(a, x, y, np.empty_like(y))
            if not np.array_equal(saxpy(x, y.copy(), a=a), expected):
                return None
    return saxpy


def axpy(a, x, y):
    """``y = fma(a, x, y)`` in place (``x``, ``y`` C-contiguous float32 arrays of one shape, not overlapping)."""
    a = np.float32(a)
    flat_x, flat_y = x.reshape(-1), y.reshape(-1)
    size = flat_y.size
    saxpy = _checked_saxpy()
    body = size - size % LANES if saxpy is not None else 0
    for start in range(0, body, BLOCK):
        stop = min(start + BLOCK, body)
        saxpy(flat_x[start:stop], flat_y[start:stop], a=a)
    if body < size:
        emulated(a, flat_x[body:], flat_y[body:], flat_y[body:])
    return y
