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

Builds are cached in msbridge's cache folder (``msbridge._cache``: ``~/.cache/msbridge/kernels``;
a private temp folder where that is off or unwritable), named by a hash of the source, the flags, the compiler and the CPU's feature
flags (``-march=native`` code must not run on another CPU).
"""
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

FLAGS = ["-O3", "-march=native", "-ffp-contract=off", "-fno-math-errno", "-fPIC", "-shared"]


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
