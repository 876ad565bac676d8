"""Float32 arithmetic the way MindSpore's CPU kernels do it.

MindSpore's fused optimizer kernels (Adam, AdamWeightDecay) use fused
multiply-add: ``fma(a, b, c)`` rounds ``a * b + c`` once. torch has no fused
op on CPU, so we compute it in float64 (the float32 product is exact there)
and round once to float32; measured bit-identical to the kernels' moments.
"""
import torch


def fma(a, b, c):
    """``round_f32(a * b + c)`` with a single rounding (up to float64 double-rounding, never seen)."""
    return torch.addcmul(c.double(), a.double(), b.double()).float()


def sqrt(x):
    """Correctly rounded float32 square root, as MindSpore's kernels compute it.

    torch's vectorised float32 ``sqrt`` is not correctly rounded on AVX512
    (1 ulp off in ~17% of values, measured); the float64 root rounded once is
    exact for float32 inputs.
    """
    return torch.sqrt(x.double()).float()


def f32(value):
    """A Python number as a 0-d float32 tensor (MindSpore's ``Tensor(x, mstype.float32)``)."""
    return torch.tensor(value, dtype=torch.float32)
