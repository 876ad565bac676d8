"""``[scale * base ** (i * mul / div) for i in range(n)]`` for long lists: C ``pow`` on the other core.

With ``step_per_epoch=1`` every step of a decay list needs its own C ``pow``
(the physical floor of a bit-exact list), and making 10**6 Python floats
costs about as much again, so one core cannot get below ~2x the floor. A
worker thread that runs Python code (torch's pow in chunks) does not help:
every time it comes back from C it waits for the GIL, up to the 5 ms switch
interval, while this thread is making floats. So the worker is a C loop
started through ctypes (which lets the GIL go for the whole call): it forms
each exponent (``i * mul / div``: ``epoch / decay_epoch`` with ``mul = 1``,
``-rate * epoch`` with ``div = 1``, both exact rewrites of the float64 ops),
calls the C library's ``pow`` (the very function CPython's ``float ** float``
calls), multiplies by ``scale``, and publishes how far it got chunk by chunk;
this thread only turns finished chunks into floats. The kernel is checked at
first use against CPython; without a C compiler (``msbridge._native``) the
caller computes the powers first and the floats after.
"""
import ctypes
import errno
import os
import threading
import time
from functools import cache

import numpy as np

from msbridge import _native

SOURCE = r"""
#include <math.h>
void pow_stream(double base, double mul, double div, double scale, double *out, long n, long chunk, long *done,
                int *overflowed)
{
    int over = 0;
    for (long start = 0; start < n; start += chunk) {
        long stop = start + chunk < n ? start + chunk : n;
        for (long i = start; i < stop; i++) {
            double power = pow(base, ((double)i * mul) / div);
            over |= isinf(power);
            out[i] = scale * power;
        }
        if (over) __atomic_store_n(overflowed, 1, __ATOMIC_RELAXED);
        __atomic_store_n(done, stop, __ATOMIC_RELEASE);
    }
}
"""
FLAGS = ["-O2", "-fPIC", "-shared"]  # no -march=native, no fast-math: nothing may replace the C library's pow
CHUNK = 1 << 13  # values per published chunk


@cache
def checked_kernel():
    """The C loop if it gives CPython's ``scale * base ** (i * mul / div)`` bit for bit, else None."""
    kernel = _native.function("pow_stream", SOURCE, [ctypes.c_double] * 4 + [ctypes.c_void_p, ctypes.c_long,
                                                                             ctypes.c_long, ctypes.c_void_p,
                                                                             ctypes.c_void_p], FLAGS)
    if kernel is None:
        return None
    n = 3001
    for scale, base, mul, div in [(0.1, 0.9, 1.0, 3.0), (0.1, 0.99999, 1.0, 7.0), (0.3, 2.718281828459045, -1e-4, 1.0),
                                  (1.0, 2.718281828459045, -0.37, 1.0), (0.5, 1.0001, 1.0, 0.3)]:
        expected = [scale * base ** (i * mul / div) for i in range(n)]
        if _bits(stream(kernel, scale, base, n, mul, div, list, chunk=97)) != _bits(expected):
            return None
    return kernel


def _bits(values):
    return np.array(values, dtype=np.float64).tobytes()


def stream(kernel, scale, base, n, mul, div, to_list, chunk=CHUNK):
    """The list, computed by ``kernel`` in a worker thread; ``to_list(values)`` makes each chunk's floats.

    Raises CPython's ``OverflowError`` where a power overflowed.
    """
    values_out = np.empty(n)
    done, overflowed = ctypes.c_long(0), ctypes.c_int(0)
    worker = threading.Thread(target=kernel, args=(float(base), float(mul), float(div), float(scale),
                                                   values_out.ctypes.data, n, chunk, ctypes.addressof(done),
                                                   ctypes.addressof(overflowed)), daemon=True)
    worker.start()
    values, position = [], 0
    try:
        while position < n:
            ready = min(done.value, position + chunk)  # small steps: each chunk's new floats are still in
            if ready == position:                      # cache when their references move into ``values``
                time.sleep(0)  # the worker is a chunk ahead almost always; let it run if it is not
                continue
            values += to_list(values_out[position:ready])
            position = ready
    finally:
        worker.join()
    if overflowed.value:
        raise OverflowError(errno.ERANGE, os.strerror(errno.ERANGE))
    return values
