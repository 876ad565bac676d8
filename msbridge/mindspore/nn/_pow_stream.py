"""``[scale * base ** e for e in exponents]`` for long lists: C ``pow`` on the other core while this one makes floats.

With ``step_per_epoch=1`` every step of a decay list needs its own C ``pow``
(the physical floor of a bit-exact list), and making 10**6 Python floats
costs about as much again, so one core cannot get below ~2x the floor. A
worker thread that runs Python code (torch's pow in chunks) does not help:
every time it comes back from C it waits for the GIL, up to the 5 ms switch
interval, while this thread is making floats. So the worker is a C loop
started through ctypes (which lets the GIL go for the whole call): it calls
the C library's ``pow``, the very function CPython's ``float ** float``
calls, chunk by chunk, and publishes how far it got; this thread turns every
finished chunk into floats meanwhile. The kernel is checked at first use
against CPython's ``**``; without a C compiler (``msbridge._native``) the
caller computes the powers first and the floats after.
"""
import ctypes
import threading
import time
from functools import cache

import numpy as np

from msbridge import _native

SOURCE = r"""
#include <math.h>
void pow_stream(double base, const double *e, double *out, long n, long chunk, long *done)
{
    for (long start = 0; start < n; start += chunk) {
        long stop = start + chunk < n ? start + chunk : n;
        for (long i = start; i < stop; i++)
            out[i] = pow(base, e[i]);
        __atomic_store_n(done, stop, __ATOMIC_RELEASE);
    }
}
"""
FLAGS = ["-O2", "-fPIC", "-shared"]  # no -march=native, no fast-math: nothing may replace the C library's pow
CHUNK = 1 << 13  # values per published chunk


@cache
def checked_kernel():
    """The C loop if it gives CPython's ``base ** e`` bit for bit on a spread of bases and exponents, else None."""
    lib = _native.build("pow_stream", SOURCE, FLAGS)
    if lib is None:
        return None
    kernel = lib.pow_stream
    kernel.restype = None
    kernel.argtypes = [ctypes.c_double, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_long, ctypes.c_long,
                       ctypes.c_void_p]
    rng = np.random.default_rng(0)
    exponents = np.concatenate([np.arange(500) / 3, -1e-4 * np.arange(500), rng.uniform(-700, 700, 1000)])
    for base in (0.9, 0.99999, 2.718281828459045, 0.5, 1.0001):
        with np.errstate(over="ignore"):
            got = stream(kernel, 1.0, base, exponents, lambda powers: None, list, chunk=97)
        expected = []
        for e in exponents.tolist():
            try:
                expected.append(base ** e)
            except OverflowError:
                expected.append(float("inf"))
        if np.array(got).tobytes() != np.array(expected).tobytes():
            return None
    return kernel


def stream(kernel, scale, base, exponents, check, to_list, chunk=CHUNK):
    """The list, the powers computed by ``kernel`` in a worker thread.

    ``check(powers)`` sees each chunk first (it may raise); ``to_list(values)``
    makes each chunk's floats.
    """
    exponents = np.ascontiguousarray(exponents, dtype=np.float64)
    n = exponents.size
    powers = np.empty(n)
    done = ctypes.c_long(0)
    worker = threading.Thread(target=kernel, args=(float(base), exponents.ctypes.data, powers.ctypes.data, n,
                                                   chunk, ctypes.addressof(done)), daemon=True)
    worker.start()
    values, position = [], 0
    try:
        while position < n:
            ready = min(done.value, position + chunk)  # small steps: each chunk's new floats are still in
            if ready == position:                      # cache when their references move into ``values``
                time.sleep(0)  # the worker is a chunk ahead almost always; let it run if it is not
                continue
            part = powers[position:ready]
            check(part)
            values += to_list(scale * part)
            position = ready
    finally:
        worker.join()  # (a raise in check: the worker's powers are no longer needed, but it owns the buffers)
    return values
