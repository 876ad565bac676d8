"""Small C kernels compiled at first use with the machine's C compiler, loaded through ctypes.

numpy runs one pass over memory per operation, and an optimizer step made of
eight passes (plus float64 temporaries for the fused multiply-adds) cannot
come near a framework's fused one-pass kernel. A few lines of C, with
``fmaf`` written where torch rounds once and ``-ffp-contract=off`` so the
compiler fuses nothing else, do the whole step in one pass. This module only
builds and loads them: each kernel's owner checks its results against its
Python path at first use and falls back to it when there is no compiler, the
build fails or the check does (``torch/optim/_adam_update.py``,
``mindspore/nn/_pow_stream.py``). ``MSBRIDGE_NATIVE=0`` turns every kernel off.

Elementwise kernels may split their range over threads (``SPLIT_SOURCE``:
plain pthreads, not OpenMP, whose runtime would meet torch's and MindSpore's
own in one process). Each element is computed by the same code from the same
inputs whichever thread runs it, so the bits do not depend on the split; the
first-use checks run with every size split (``split_everything``) so that they
cover the threaded path too. Arrays of ``MIN_SPLIT`` values and more are split
over ``threads()`` threads (``MSBRIDGE_NATIVE_THREADS``, else two where the
process may use two cores, and only while a second core is idle: on a busy
machine a second thread costs more than it saves); smaller ones do not pay a
thread start.

Builds are cached in msbridge's cache folder (``msbridge._cache``: ``~/.cache/msbridge/kernels``;
a private temp folder where that is off or unwritable), named by a hash of the source, the flags, the compiler and the CPU's feature
flags (``-march=native`` code must not run on another CPU).
"""
import contextlib
import ctypes
import functools
import hashlib
import os
import platform
import shutil
import subprocess
import sysconfig
import tempfile
from pathlib import Path

import numpy as np

from msbridge._cache import user_cache_dir

FLAGS = ["-O3", "-march=native", "-ffp-contract=off", "-fno-math-errno", "-fPIC", "-shared", "-pthread"]

# Measured on the 2-core machine (one kernel call, one thread vs two, 2^14..2^22 values, the other core busy):
# two threads break even near 2^17 values, where a thread start (~30-50 us) eats what they save, and win
# from 2^18 on (Momentum 99 -> 144 us at 2^18 is the noise; 2^19: 477 -> 253 us; 2^22: Adam 6.0 -> 5.0 ms).
MIN_SPLIT = 1 << 18
GRAIN = 1 << 15  # values per chunk a thread claims: 128 KiB of each array, many chunks per large array
MAX_THREADS = 16

SPLIT_SOURCE = r"""
#include <pthread.h>
#include <stdint.h>
/* msb_split(n, fn, args): fn(start, stop, args) over [0, n), when n >= msb_min_split and more than one thread is
   set, in chunks of msb_grain values (whole 64-byte lines) that the caller and msb_threads - 1 started threads
   claim in turn from a shared counter: a thread that starts late or shares its core does less, and none waits
   for a fixed half. An elementwise fn computes each element from its own inputs alone, by the same code
   whichever thread runs the chunk: the bits cannot depend on the split. */
#include <stdio.h>
#include <time.h>
#define MSB_MAX_THREADS 16
typedef void (*msb_range_fn)(int64_t start, int64_t stop, void *args);
static int msb_threads = 1, msb_cores = 0;
static int64_t msb_min_split = INT64_MAX, msb_grain = 1 << 15;

/* cores > 0: use no more threads than cores are idle now (below); 0: always `threads`. */
void msbridge_set_threading(int threads, int64_t min_split, int64_t grain, int cores) {
    msb_threads = threads < 1 ? 1 : threads > MSB_MAX_THREADS ? MSB_MAX_THREADS : threads;
    msb_min_split = min_split;
    msb_grain = grain < 16 ? 16 : (grain + 15) & ~(int64_t)15;
    msb_cores = cores;
}
int msbridge_threads(void) { return msb_threads; }
int64_t msbridge_min_split(void) { return msb_min_split; }
int64_t msbridge_grain(void) { return msb_grain; }
int msbridge_cores(void) { return msb_cores; }

/* Threads worth starting now: on a machine whose other cores are busy a helper thread only queues behind their
   work (or is preempted holding a chunk that the step then waits for), so with msb_cores set, use at most
   1 + the cores idle now, from the runnable-task count in /proc/loadavg (ours included), read at most every
   20 ms. No /proc/loadavg: msb_threads. */
static int msb_threads_now(void) {
    static int64_t checked_ns;
    static int now_threads = 1;
    if (msb_cores <= 0) return msb_threads;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    if (__atomic_load_n(&checked_ns, __ATOMIC_RELAXED) == 0
            || now - __atomic_load_n(&checked_ns, __ATOMIC_RELAXED) > 20000000) {
        int running = 0, threads = msb_threads;
        double load[3];
        FILE *f = fopen("/proc/loadavg", "r");
        if (f) {
            if (fscanf(f, "%lf %lf %lf %d/", &load[0], &load[1], &load[2], &running) == 4 && running > 0
                    && msb_cores - running + 1 < threads)
                threads = msb_cores - running + 1 < 1 ? 1 : msb_cores - running + 1;
            fclose(f);
        }
        __atomic_store_n(&now_threads, threads, __ATOMIC_RELAXED);
        __atomic_store_n(&checked_ns, now, __ATOMIC_RELAXED);
    }
    return __atomic_load_n(&now_threads, __ATOMIC_RELAXED);
}

struct msb_job { msb_range_fn fn; void *args; int64_t n, grain, next; };
static void *msb_work(void *p) {
    struct msb_job *job = p;
    for (;;) {
        int64_t start = __atomic_fetch_add(&job->next, job->grain, __ATOMIC_RELAXED);
        if (start >= job->n) return 0;
        job->fn(start, job->n - start > job->grain ? start + job->grain : job->n, job->args);
    }
}

static void msb_split(int64_t n, msb_range_fn fn, void *args) {
    int64_t grain = msb_grain;
    int threads = msb_threads < 2 || n < msb_min_split || n <= grain ? 1 : msb_threads_now();
    if (threads < 2) { fn(0, n, args); return; }
    struct msb_job job = {fn, args, n, grain, 0};
    pthread_t ids[MSB_MAX_THREADS];
    int started = 0;
    while (started < threads - 1 && (int64_t)(started + 1) * grain < n
           && pthread_create(&ids[started], 0, msb_work, &job) == 0)
        started++;  /* none to be had: the caller does it all */
    msb_work(&job);
    for (int i = 0; i < started; i++) pthread_join(ids[i], 0);
}
#define MSB_AT(p, s) ((p) ? (p) + (s) : (p))  /* an optional array from element s on */
/* MSB_EXPORT(NAME, COUNT, (params), (fields;), (packed fields), (body arguments from a->, s, e)): the exported
   kernel NAME packs its arguments and runs NAME##_body over msb_split's chunks of [0, COUNT). */
#define MSB_UNPAREN(...) __VA_ARGS__
#define MSB_EXPORT(NAME, COUNT, PARAMS, FIELDS, PACK, CALL) \
    struct NAME##_args { MSB_UNPAREN FIELDS; }; \
    static void NAME##_range(int64_t s, int64_t e, void *p) { struct NAME##_args *a = p; NAME##_body CALL; } \
    void NAME PARAMS { struct NAME##_args a = {MSB_UNPAREN PACK}; msb_split(COUNT, NAME##_range, &a); }
"""


def _usable_cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _forced_threads():
    forced = os.environ.get("MSBRIDGE_NATIVE_THREADS", "").strip()
    if not forced:
        return None
    try:
        return max(1, min(MAX_THREADS, int(forced)))
    except ValueError:
        raise ValueError(f"MSBRIDGE_NATIVE_THREADS must be a positive integer, got {forced!r}") from None


def threads():
    """Threads a kernel may split over: ``MSBRIDGE_NATIVE_THREADS`` (``1``: never split), else min(2, usable cores).

    Without the variable, a kernel call also uses no more threads than cores are idle at the time (the load
    check in ``SPLIT_SOURCE``); with it, exactly that many.
    """
    forced = _forced_threads()
    return forced if forced is not None else max(1, min(2, _usable_cores()))


def set_threading(lib, count, min_split=MIN_SPLIT, grain=GRAIN, cores=None):
    """Split ``lib``'s kernels (built with ``SPLIT_SOURCE``) over ``count`` threads, in chunks of ``grain``
    values, for arrays of ``min_split`` values and more; ``cores``: the cores the load check counts idle ones
    of (0: no check; None: the usable cores unless ``MSBRIDGE_NATIVE_THREADS`` is set)."""
    if cores is None:
        cores = 0 if _forced_threads() is not None else _usable_cores()
    lib.msbridge_set_threading.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_int]
    lib.msbridge_set_threading.restype = None
    lib.msbridge_set_threading(int(count), int(min_split), int(grain), int(cores))


def threading_of(lib):
    """``(threads, min_split, grain, cores)`` now set in ``lib``."""
    lib.msbridge_min_split.restype = lib.msbridge_grain.restype = ctypes.c_int64
    return lib.msbridge_threads(), lib.msbridge_min_split(), lib.msbridge_grain(), lib.msbridge_cores()


_SPLITTING = []  # every library built with SPLIT_SOURCE in this process


@contextlib.contextmanager
def thread_count(count):
    """Within: every kernel built so far splits over exactly ``count`` threads, idle cores or not (a benchmark's
    one-thread column)."""
    before = [threading_of(lib) for lib in _SPLITTING]
    for lib, (_, min_split, grain, _) in zip(_SPLITTING, before):
        set_threading(lib, count, min_split, grain, 0)
    try:
        yield
    finally:
        for lib, setting in zip(_SPLITTING, before):
            set_threading(lib, *setting)


@contextlib.contextmanager
def split_everything(lib):
    """Within: every array of 32+ values split in chunks of 16 over at least two threads (a first-use check's small
    arrays too).

    A library without the threading entry points (no ``SPLIT_SOURCE``) is left as it is.
    """
    if not hasattr(lib, "msbridge_set_threading"):
        yield
        return
    before = threading_of(lib)
    set_threading(lib, max(2, before[0]), 32, 16, 0)
    try:
        yield
    finally:
        set_threading(lib, *before)


def enabled():
    return os.environ.get("MSBRIDGE_NATIVE", "1") != "0"


def _compiler():
    configured = (sysconfig.get_config_var("CC") or "").split()
    for name in [configured[0] if configured else None, "cc", "gcc", "clang"]:
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def _cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            return next((line for line in f if line.startswith(("flags", "Features"))), "")
    except OSError:
        return platform.processor()


def _cache_dirs():
    """Where builds are kept: msbridge's cache folder, else (off or unwritable) a fresh private temp folder.

    Never a fixed shared path such as ``/tmp/msbridge-kernels``: another user could plant a library there.
    """
    folder = user_cache_dir()
    if folder is not None:
        yield folder / "kernels"
    yield Path(tempfile.mkdtemp(prefix="msbridge-kernels-"))


def build(name, source, flags=tuple(FLAGS)):
    """``ctypes.CDLL`` of ``source`` compiled as a shared library, or None (disabled, no compiler, build failed).

    A compiler that refuses ``-march=native`` (some non-x86 ones) gets a portable build instead.
    """
    return _build(name, source, tuple(flags)) if enabled() else None


@functools.cache  # one build or load per process and source
def _build(name, source, flags):
    compiler = _compiler()
    if compiler is None:
        return None
    lib = _build_in_cache(compiler, name, source, list(flags))
    portable = [f for f in flags if f != "-march=native"]
    if lib is None and portable != list(flags):
        lib = _build_in_cache(compiler, name, source, portable)
    if lib is not None and hasattr(lib, "msbridge_set_threading"):
        set_threading(lib, threads())
        _SPLITTING.append(lib)
    return lib


def _build_in_cache(compiler, name, source, flags):
    key = hashlib.sha256("\0".join([source, " ".join(flags), compiler, _cpu_flags(), platform.machine()])
                         .encode()).hexdigest()[:16]
    for directory in _cache_dirs():
        target = directory / f"{name}-{key}.so"
        try:
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
                    c_file, so_file = Path(tmp) / f"{name}.c", Path(tmp) / f"{name}.so"
                    c_file.write_text(source)
                    subprocess.run([compiler, *flags, str(c_file), "-o", str(so_file), "-lm"], check=True,
                                   capture_output=True, timeout=120)
                    os.replace(so_file, target)  # atomic: concurrent builders each publish a whole file
            return ctypes.CDLL(str(target))
        except subprocess.SubprocessError:  # the compiler refused these flags or hung
            return None
        except OSError:  # no cache there (unwritable, not a directory, a bad library): try the next place
            continue
    return None


def function(name, source, argtypes, flags=FLAGS):
    """The C function ``name`` (returning void) of ``source`` built by ``build``, or None."""
    lib = build(name, source, tuple(flags))
    if lib is None:
        return None
    kernel = getattr(lib, name)
    kernel.restype = None
    kernel.argtypes = argtypes
    return kernel


def dense_float32(*arrays):
    """Whether every array (None skipped) is C-contiguous float32: what a kernel may take by pointer."""
    return all(x is None or (x.dtype == np.float32 and x.flags.c_contiguous) for x in arrays)
