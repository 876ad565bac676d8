"""MindSpore's float32 kernel arithmetic in few in-place passes over float32 CPU tensors.

Second choice: the one-pass C kernels (``_native.py``) run instead wherever
they were built and passed their probe; this path serves the rest.

``_float32.py`` emulates a fused multiply-add with float64 temporaries: exact,
but four extra passes over twice the memory. torch's own float32 CPU kernels
already round ``c + alpha * b`` (``add(alpha=)``) and ``a + value * b * c``
(``addcmul``) once: its vectorised loops use FMA instructions. That is a
property of the build and the CPU, not a documented guarantee, so it is checked
once at import on values where one rounding and two differ, at every length
up to a few vector widths (vector body and scalar tail); if any element is off
the optimizers keep the float64 path. The square root
goes through numpy on the tensor's own memory (no copy): torch's float32
``sqrt`` is 1 ulp off in ~17% of values, numpy's is correctly rounded, as
MindSpore's kernels are.
"""
from functools import cache

import numpy as np
import torch


def _exact_fma(a, b, c):
    return (a.double() * b.double() + c.double()).float()


@cache
def fused_ops_round_once():
    """True when torch's float32 ``add(alpha=)``, ``addcmul`` and ``lerp`` round once (checked, not assumed)."""
    tiny = 2.0 ** -12
    for n in range(1, 40):  # up to 2 x 16 lanes (AVX-512) plus a tail
        b = torch.full((n,), 1.0 + tiny)
        c = torch.full((n,), -1.0)
        c[::3] = 0.5  # mix lanes: some where the roundings agree
        alpha = 1.0 + tiny
        with torch.no_grad():
            ok = torch.equal(torch.add(c, b, alpha=alpha), _exact_fma(torch.full_like(b, alpha), b, c))
            ok = ok and torch.equal(torch.addcmul(c, b, b, value=-1), _exact_fma(-b, b, c))
            ok = ok and torch.equal(torch.lerp(c, b, 0.25), _exact_fma(torch.full_like(b, 0.25), b - c, c))
        if not ok:
            return False
    rng = np.random.default_rng(0)  # random lanes: lerp's product is inexact in most of them
    a, b, c = (torch.from_numpy(rng.standard_normal(1000).astype(np.float32)) for _ in range(3))
    return torch.equal(torch.lerp(c, b, 0.3), _exact_fma(torch.full_like(b, np.float32(0.3)), b - c, c)) and \
        torch.equal(torch.addcmul(c, a, b, value=-1), _exact_fma(-a, b, c))



def usable(*tensors):
    """The fast path applies: fused ops verified and every tensor a dense float32 CPU tensor."""
    return fused_ops_round_once() and all(t.dtype == torch.float32 and t.device.type == "cpu"
                                          and t.layout == torch.strided for t in tensors)


def f32(value):
    """A 0-d tensor or number as a numpy float32 scalar (scalar float32 arithmetic without tensor overhead)."""
    return np.float32(value.item() if isinstance(value, torch.Tensor) else value)


def sqrt_into(out, x):
    """``out = sqrt(x)``, correctly rounded, computed by numpy in the tensors' own memory."""
    np.sqrt(x.numpy(), out=out.numpy())  # state and scratch tensors never require grad
    return out


def lerp_moment_(m, g, weight, tmp):
    """``m = fma(g - m, weight, m)`` (MindSpore's first moment), in place.

    ``lerp`` computes exactly this in one pass when ``weight < 0.5`` (its
    other branch rounds differently); otherwise the difference goes through
    ``tmp``.
    """
    if weight < 0.5:
        return m.lerp_(g, float(weight))
    torch.sub(g, m, out=tmp)
    return m.add_(tmp, alpha=float(weight))


def square_moment_(v, g, weight, tmp):
    """``v = fma(fma(g, g, -v), weight, v)`` (MindSpore's second moment), in place.

    ``addcmul(v, g, g, value=-1)`` is ``-fma(g, g, -v)`` exactly (negation
    does not round), so the second fma takes ``-weight``.
    """
    torch.addcmul(v, g, g, value=-1, out=tmp)
    return v.add_(tmp, alpha=-float(weight))


class Workspace:
    """Two float32 scratch buffers the size of the largest parameter, reused every step.

    torch's CPU allocator returns large blocks to the system, so a fresh
    temporary per parameter per step pays page faults on every step; these
    stay mapped. Extra memory: twice the largest parameter, not the model.
    ``views(params)`` is None unless every parameter can take the fast path.
    """

    def __init__(self):
        self._views = None

    def views(self, params):
        """Per parameter, two scratch tensors shaped like it (contents undefined); None if the fast path is out."""
        if self._views is None:
            if not usable(*params):
                self._views = ()
            else:
                size = max(p.numel() for p in params)
                flat = (torch.empty(size), torch.empty(size))
                self._views = tuple(tuple(f[:p.numel()].view(p.shape) for f in flat) for p in params)
        return self._views or None
