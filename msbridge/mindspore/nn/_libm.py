"""Element-wise ``pow``/``sin``/``cos`` that round exactly like the C library.

CPython's ``**``/``math.cos`` and MindSpore's CPU Pow kernel call the C
library (``pow``, ``powf``, ``cos``).  numpy's and torch's contiguous vector
kernels use SIMD approximations that differ in the last bit for a few values
per thousand, which would break bit-equality.  torch's element-wise *scalar*
loop, which it takes for non-contiguous operands, calls the C library's
``pow``/``powf``: so we feed it a strided view.  torch's cos is not libm's
even there (6 of 5,001 values differ), so cos is called through ``math``.
For one Python-number step, the schedules skip tensors altogether: float32
arithmetic on Python floats (``round_f32``) and the C library's ``powf``
through ctypes.  The differential tests pin all of this down.
"""
import array
import ctypes
import ctypes.util
import math

import numpy as np
import torch

_EXACT_DOUBLE_INT = 2**53


def _strided(values: torch.Tensor) -> torch.Tensor:
    """A non-contiguous 1-D view holding ``values`` (forces the scalar loop)."""
    flat = values.reshape(-1)
    buffer = torch.empty((flat.numel(), 2), dtype=flat.dtype, device=flat.device)
    buffer[:, 0] = flat
    return buffer[:, 0]


def pow_like_c(base: torch.Tensor, exponent: torch.Tensor) -> torch.Tensor:
    """``base ** exponent`` element-wise with C ``pow``/``powf`` rounding (broadcasting)."""
    if base.dim() == 0 and exponent.dim() == 0:
        return torch.pow(base, exponent)  # 0-d operands already take the scalar loop
    device = exponent.device if base.device.type == "cpu" else base.device  # constants live on the CPU
    base, exponent = torch.broadcast_tensors(base.to(device), exponent.to(device))
    return torch.pow(_strided(base), _strided(exponent)).reshape(exponent.shape)


def sin_like_c(values: torch.Tensor) -> torch.Tensor:
    """``sin`` element-wise with C ``sin`` rounding."""
    if values.dim() == 0:
        return torch.sin(values)
    return torch.sin(_strided(values)).reshape(values.shape)


# ln of a quarter of the smallest subnormal, less a margin of 1.0 for the rounding of e * ln(base):
# a true value below it is 0.0 in every pow accurate to 0.75 ULP (glibc documents 0.52 ULP).
_LOG_SURE_ZERO = math.log(0.25) + math.log(2.0) * -1074 - 1.0


def may_underflow(base: float, exponents: np.ndarray) -> bool:
    """Whether ``float_pow`` would skip calls: a power at either end of (monotone) ``exponents`` is surely 0.0."""
    with np.errstate(all="ignore"):
        return bool((exponents[[0, -1]] * math.log(base) < _LOG_SURE_ZERO).any())


def float_pow(base: float, exponents: np.ndarray, runs: bool = False) -> np.ndarray:
    """``[base ** e for e in exponents]`` as CPython computes it, vectorised.

    Two exact shortcuts, for the decay lists' long tails: with ``runs``,
    adjacent repeated exponents (stair schedules) are computed once; and
    exponents whose true power is below a quarter of the smallest subnormal
    give 0.0 without a call (the C ``pow`` can only round such a value to
    0.0).  The second is checked at the ends first: decay exponents are
    monotone, so when neither end underflows, none does.
    """
    exponents = np.ascontiguousarray(exponents, dtype=np.float64)
    if exponents.size == 0:
        return np.zeros(0)
    unique = exponents
    if runs:
        starts = np.flatnonzero(np.concatenate(([True], exponents[1:] != exponents[:-1])))
        unique = exponents[starts]
    log_base = math.log(base)
    with np.errstate(all="ignore"):
        if not may_underflow(base, unique):
            values = _pow_tensor(base, unique)  # (an interior zero is still computed: exact either way)
        else:
            live = ~(unique * log_base < _LOG_SURE_ZERO)  # nan (base 1, inf exponent) stays live
            values = np.zeros(unique.size)
            values[live] = _pow_tensor(base, unique[live])
    if unique is exponents:
        return values
    return np.repeat(values, np.diff(np.append(starts, exponents.size)))


def _pow_tensor(base: float, exponents: np.ndarray) -> np.ndarray:
    """One C ``pow`` per exponent: a strided exponent forces torch's scalar loop; the base stays 0-d (no copy)."""
    base_t = torch.tensor(float(base), dtype=torch.float64)
    return torch.pow(base_t, _strided(torch.from_numpy(np.ascontiguousarray(exponents)))).numpy()


def float_pow_bases(bases: np.ndarray, exponent: float) -> np.ndarray:
    """``[b ** exponent for b in bases]`` as CPython computes it, vectorised."""
    bases_t = torch.from_numpy(np.ascontiguousarray(bases, dtype=np.float64))
    return pow_like_c(bases_t, torch.tensor(float(exponent), dtype=torch.float64)).numpy()


def float_cos(values: np.ndarray) -> np.ndarray:
    """``[math.cos(v) for v in values]``: torch's and numpy's cos are not reliably libm's, so call it."""
    return np.fromiter(map(math.cos, values.tolist()), dtype=np.float64, count=len(values))


# --- float32 scalars in Python, for the schedules' int-step fast path -----------------------------
# +, -, *, / of two float32 values done in float64 and rounded once to float32 give the correctly
# rounded float32 result (float64 has more than 2*24+2 bits), so only pow needs the C library.

_F32_BUFFER = array.array("f", [0.0])


def round_f32(value: float) -> float:
    """``value`` rounded to float32 (to nearest even; overflow gives inf), as a Python float."""
    _F32_BUFFER[0] = value  # a plain C (float) cast
    return _F32_BUFFER[0]


def int_to_f32(value: int) -> float:
    """An int64/uint64 cast to float32 in one rounding (a float64 detour would round twice)."""
    if -_EXACT_DOUBLE_INT <= value <= _EXACT_DOUBLE_INT:
        return round_f32(float(value))
    magnitude = abs(value)
    shift = magnitude.bit_length() - 24
    kept, rest = divmod(magnitude, 1 << shift)
    half = 1 << (shift - 1)
    if rest > half or (rest == half and kept & 1):
        kept += 1
    return round_f32(math.copysign(float(kept << shift), value))


def reciprocal_f32(value: float) -> float:
    """float32 ``1 / value`` with IEEE zeros (Python's ``1 / 0.0`` would raise)."""
    if value == 0.0:
        return math.copysign(math.inf, value)
    return round_f32(1.0 / value)


def _load_powf():
    """The C library's ``powf`` (MindSpore's CPU Pow kernel), or None where ctypes cannot find it."""
    try:
        libm = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
        powf = libm.powf
    except (OSError, AttributeError):
        return None
    powf.restype = ctypes.c_float
    powf.argtypes = [ctypes.c_float, ctypes.c_float]
    return powf


powf = _load_powf()
