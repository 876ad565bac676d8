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

Where CPython's headers are installed, the floats are made in C as well
(``pow_list``, called with the GIL held): the list is allocated once and each
finished power becomes a float straight from the buffer, about half the cost
of ``tolist`` on chunks plus list growth, so the list takes about as long as
the ``pow`` calls alone. Equal neighbours share one float object, as the
Python path shares a settled tail.
"""
import ctypes
import errno
import os
import sysconfig
import threading
import time
from functools import cache
from pathlib import Path

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
LIST_SOURCE = r"""
#include <Python.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SLOTS 8  /* chunks in the ring: the worker runs at most this far ahead */

struct job { double base, mul, div, scale; double *ring; long n, chunk, done, taken; int overflowed, stop; };

static void pause_briefly(void) { struct timespec t = {0, 20000}; nanosleep(&t, NULL); }

/* One chunk of powers into its ring slot; returns whether one overflowed. */
static int fill(struct job *j, long start)
{
    double *slot = j->ring + (start / j->chunk % SLOTS) * j->chunk;
    long stop = start + j->chunk < j->n ? start + j->chunk : j->n;
    int over = 0;
    for (long i = start; i < stop; i++) {
        double power = pow(j->base, ((double)i * j->mul) / j->div);
        over |= isinf(power);
        slot[i - start] = j->scale * power;
    }
    return over;
}

static void *powers(void *arg)
{
    struct job *j = arg;
    for (long start = 0; start < j->n && !__atomic_load_n(&j->stop, __ATOMIC_RELAXED); start += j->chunk) {
        while (start - __atomic_load_n(&j->taken, __ATOMIC_ACQUIRE) >= SLOTS * j->chunk) {
            if (__atomic_load_n(&j->stop, __ATOMIC_RELAXED)) return NULL;
            pause_briefly();
        }
        if (fill(j, start)) __atomic_store_n(&j->overflowed, 1, __ATOMIC_RELAXED);
        __atomic_store_n(&j->done, start + j->chunk < j->n ? start + j->chunk : j->n, __ATOMIC_RELEASE);
    }
    return NULL;
}

/* The list of n floats (GIL held: called through ctypes.PyDLL), or Py_None if a power overflowed,
   or NULL with MemoryError set. The powers pass through a small ring of chunks, not an n-value
   buffer: touching fresh pages costs as much as the pow calls. */
PyObject *pow_list(double base, double mul, double div, double scale, long n, long chunk)
{
    struct job j = {base, mul, div, scale, malloc(SLOTS * chunk * sizeof(double)), n, chunk, 0, 0, 0, 0};
    if (j.ring == NULL) return PyErr_NoMemory();
    PyObject *list = PyList_New(n), *previous = NULL;
    pthread_t worker;
    int threaded = list != NULL && pthread_create(&worker, NULL, powers, &j) == 0;
    long position = 0;
    uint64_t previous_bits = 0;
    while (list != NULL && position < n) {
        if (!threaded) {  /* no thread to be had: one chunk at a time on this one */
            j.overflowed |= fill(&j, position);
            j.done = position + chunk < n ? position + chunk : n;
        }
        long ready = __atomic_load_n(&j.done, __ATOMIC_ACQUIRE);
        if (ready == position) { pause_briefly(); continue; }
        for (; position < ready; position++) {
            double x = j.ring[(position / chunk % SLOTS) * chunk + position % chunk];
            uint64_t bits;
            memcpy(&bits, &x, sizeof bits);
            PyObject *value;
            if (previous != NULL && bits == previous_bits) {  /* bits, not ==: -0.0 never stands for 0.0 */
                Py_INCREF(previous);
                value = previous;
            } else if ((value = PyFloat_FromDouble(x)) == NULL) {
                Py_CLEAR(list);
                break;
            }
            PyList_SET_ITEM(list, position, value);
            previous = value;
            previous_bits = bits;
        }
        __atomic_store_n(&j.taken, position, __ATOMIC_RELEASE);
    }
    __atomic_store_n(&j.stop, 1, __ATOMIC_RELAXED);
    if (threaded) pthread_join(worker, NULL);
    free(j.ring);
    if (list != NULL && j.overflowed) {
        Py_DECREF(list);
        Py_RETURN_NONE;
    }
    return list;
}
"""
FLAGS = ["-O2", "-fPIC", "-shared"]  # no -march=native, no fast-math: nothing may replace the C library's pow
CHUNK = 1 << 13  # values per published chunk


_PROBES = [(0.1, 0.9, 1.0, 3.0), (0.1, 0.99999, 1.0, 7.0), (0.3, 2.718281828459045, -1e-4, 1.0),
           (1.0, 2.718281828459045, -0.37, 1.0), (0.5, 1.0001, 1.0, 0.3)]


@cache
def checked_kernel():
    """The C loop if it gives CPython's ``scale * base ** (i * mul / div)`` bit for bit, else None."""
    kernel = _native.function("pow_stream", SOURCE, [ctypes.c_double] * 4 + [ctypes.c_void_p, ctypes.c_long,
                                                                             ctypes.c_long, ctypes.c_void_p,
                                                                             ctypes.c_void_p], FLAGS)
    if kernel is None:
        return None
    n = 3001
    for scale, base, mul, div in _PROBES:
        expected = [scale * base ** (i * mul / div) for i in range(n)]
        if _bits(stream(kernel, scale, base, n, mul, div, list, chunk=97)) != _bits(expected):
            return None
    return kernel


@cache
def checked_list_kernel():
    """The C list builder (``pow_list``) if CPython's headers are here and it gives the list bit for bit,
    else None."""
    include = sysconfig.get_paths().get("include")
    if not include or not (Path(include) / "Python.h").is_file():
        return None
    lib = _native.build("pow_list", LIST_SOURCE, (*FLAGS, f"-I{include}", "-pthread"))
    if lib is None:
        return None
    kernel = ctypes.PyDLL(lib._name).pow_list   # PyDLL: the GIL stays held, a set Python error is raised
    kernel.restype = ctypes.py_object
    kernel.argtypes = [ctypes.c_double] * 4 + [ctypes.c_long, ctypes.c_long]
    for scale, base, mul, div in _PROBES:
        for n in (0, 1, 3001):
            expected = [scale * base ** (i * mul / div) for i in range(n)]
            if _bits(kernel(base, mul, div, scale, n, 97)) != _bits(expected):
                return None
    return kernel


def listed(kernel, scale, base, n, mul, div, chunk=CHUNK):
    """The list made by the C list builder. Raises CPython's ``OverflowError`` where a power overflowed."""
    values = kernel(float(base), float(mul), float(div), float(scale), n, chunk)
    if values is None:
        raise OverflowError(errno.ERANGE, os.strerror(errno.ERANGE))
    return values


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
