"""torch's CPU float32 element-wise ops, reproduced in numpy.

torch's vectorised CPU kernels fuse ``a + alpha * b`` (``add(alpha=)``),
``a + value * b * c`` (``addcmul``) and ``lerp`` into one fused multiply-add;
measured bit-identical on 100,000 random values (AVX512). ``fma`` is computed
in float64 (the float32 product is exact there) and rounded once. Python
scalars become float32 first, as torch's ``Scalar`` arguments do.
"""
import numpy as np


def fma(a, b, c):
    """``round_f32(a * b + c)``."""
    wide = np.float64
    return (np.asarray(a, wide) * np.asarray(b, wide) + np.asarray(c, wide)).astype(np.float32)


def add_scaled(a, b, alpha):
    """``torch.add(a, b, alpha=alpha)``."""
    return fma(np.float32(alpha), b, a)


def addcmul(a, b, c, value):
    """``torch.addcmul(a, b, c, value=value)`` = ``fma(value * b, c, a)``."""
    return fma(np.float32(value) * b, c, a)


def lerp(start, end, weight):
    """``torch.lerp(start, end, weight)`` with a scalar weight (torch's two-sided formula)."""
    weight = np.float32(weight)
    if abs(weight) < 0.5:
        return fma(weight, end - start, start)
    return fma(-(end - start), np.float32(1) - weight, end)


def addcdiv(a, b, c, value):
    """``torch.addcdiv(a, b, c, value=value)`` = ``a + (value * b) / c``."""
    return a + (np.float32(value) * b) / c
