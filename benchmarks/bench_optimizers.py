"""One optimizer step, ours vs the real frameworks' and vs a plain memory pass, measured in the same run.

    python benchmarks/bench_optimizers.py [--repeats N] [--sizes medium,large] [--rows Adam,SGD] [--side ms]

Rows:
* ``msbridge.mindspore.nn.X`` (MindSpore-shaped, updating torch tensors) vs
  real ``mindspore.nn.X`` on MindSpore Parameters (``opt(grads)``), vs torch's
  closest optimizer in its default single-tensor form, its multi-tensor
  (``foreach=True``) form and its fused form (one pass; where torch has one),
  and vs the **floor**: one plain pass that
  writes every tensor the step writes (``t.copy_(grad)`` for the parameter and
  each state tensor), i.e. the memory traffic of an ideal fused kernel, in one
  thread (torch's ``copy_``), and **floor2**: the same pass by a C copy loop
  split over the threads our kernels split over (``msbridge._native.threads()``,
  two on a 2-core machine); ``ours 1t`` is ours again with every C kernel
  held to one thread (``/1t``: what the second thread buys, in the same run);
* ``msbridge.torch.optim.X`` (torch-shaped, updating MindSpore Parameters) vs
  MindSpore's closest optimizers on the same Parameters (``nn`` and
  ``mindspore.experimental.optim``), vs real ``torch.optim.X`` and vs the
  same floor.

``/best`` is ours against the fastest of torch's forms (its closest
optimizer step, the goal's yardstick). The header says which exact paths
this machine passed: the one-pass C kernels (``_native.py``, with the time
building or loading them took in this run), torch's fused float32 ops, BLAS
``saxpy``.

Times are medians of ``--repeats`` steps (after 3 warm-up steps); ratio =
ours / theirs, lower is better. The load average is printed before and after
the run: on a shared machine every figure is only as good as it. ``peak`` is the parameters plus the most memory
building our optimizer and its first step add (``VmHWM`` after a reset
through ``/proc/self/clear_refs``): state, scratch and temporaries, as a
multiple of the parameters + optimizer state (goal <= 1.5; printed for the
large and many-tensor cases only: smaller ones fit in memory the allocator already holds).
``--threads`` sets torch's intra-op threads (default 1): on a loaded machine
torch's OpenMP threads spin-wait, which swamps the ratio.
"""
import argparse
import ctypes
import os
import statistics
import time

import mindspore as ms
import numpy as np
import torch
from mindspore.experimental import optim as ms_optim

import msbridge.mindspore.nn as msb_nn
import msbridge.torch as msb_torch
from msbridge import _native

SIZES = {"tiny": ("Dense 4-3-1, 19 values", [(3, 4), (3,), (1, 3), (1,)]),
         "medium": ("4 x 256x256, 262k values", [(256, 256)] * 4),
         "large": ("12 x 1024x2048, 25M values (ResNet-50 size)", [(1024, 2048)] * 12),
         "many": ("161 tensors shaped like ResNet-50's (convs, BatchNorm vectors, fc), 21.8M values",
                  [s for c in [64] * 10 + [128] * 13 + [256] * 19 + [512] * 11
                   for s in ((c, c // 2, 3, 3), (c,), (c,))] + [(1000, 2048), (1000,)])}
BIG = {"large", "many"}  # 5 timed steps each; peak memory printed

# MindSpore-shaped: (name, kwargs, torch's closest optimizer and its kwargs, state tensors written per parameter)
MS_ROWS = [("Momentum", {"learning_rate": 0.1, "momentum": 0.9}, ("SGD", {"lr": 0.1, "momentum": 0.9}), 1),
           ("SGD", {"learning_rate": 0.1, "momentum": 0.9}, ("SGD", {"lr": 0.1, "momentum": 0.9}), 2),
           ("Adam", {"learning_rate": 0.001}, ("Adam", {"lr": 0.001}), 2),
           ("AdamWeightDecay", {"learning_rate": 0.001, "weight_decay": 0.01}, ("AdamW", {"lr": 0.001}), 2),
           ("LazyAdam", {"learning_rate": 0.001}, ("Adam", {"lr": 0.001}), 2),
           ("AdaMax", {"learning_rate": 0.001}, ("Adamax", {"lr": 0.001}), 2),
           ("Adagrad", {"learning_rate": 0.001}, ("Adagrad", {"lr": 0.001}), 1),
           ("RMSProp", {"learning_rate": 0.01, "momentum": 0.9}, ("RMSprop", {"lr": 0.01, "momentum": 0.9}), 2)]
TORCH_FUSED = {"SGD", "Adam", "AdamW", "Adagrad"}

# torch-shaped: (name, kwargs, MindSpore nn optimizer and kwargs, experimental optimizer and kwargs)
PT_ROWS = [("SGD", {"lr": 0.1, "momentum": 0.9}, ("Momentum", {"learning_rate": 0.1, "momentum": 0.9}),
            ("SGD", {"lr": 0.1, "momentum": 0.9})),
           ("Adam", {"lr": 0.001}, ("Adam", {"learning_rate": 0.001}), ("Adam", {"lr": 0.001})),
           ("AdamW", {"lr": 0.001}, ("AdamWeightDecay", {"learning_rate": 0.001, "weight_decay": 0.01}),
            ("AdamW", {"lr": 0.001}))]


def _arrays(shapes, seed):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(np.float32) for s in shapes]


CLOCK = time.perf_counter


def _median_seconds(fn, repeats):
    for _ in range(3):
        fn()
    times = []
    for _ in range(repeats):
        start = CLOCK()
        fn()
        times.append(CLOCK() - start)
    return statistics.median(times)


def _peak_bytes(fn):
    """Most resident memory ``fn`` adds above what is resident before it (Linux; nan elsewhere).

    ``fn`` builds the optimizer and runs its first step, so this counts its
    state, its scratch memory and every temporary of a step.
    """
    def status(key):
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) * 1024 for line in f if line.startswith(key))
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # reset VmHWM to the current RSS
        before = status("VmRSS:")
        fn()
        return status("VmHWM:") - before
    except OSError:
        return float("nan")


def _ms_params(weights, tag):
    return [ms.Parameter(ms.Tensor(w), name=f"{tag}{i}") for i, w in enumerate(weights)]


def _torch_params(weights, grads):
    params = [torch.nn.Parameter(torch.from_numpy(w.copy())) for w in weights]
    for p, g in zip(params, grads):
        p.grad = torch.from_numpy(g.copy())
    return params


def _ms_step(opt, params, grads):
    def step():
        opt(grads)
        params[0].asnumpy()  # wait for the asynchronous MindSpore runtime
    return step


def bench_ms_shaped(row, shapes, repeats, phase):
    """Phase "torch": ours, torch's and the floor (no MindSpore op has run yet); phase "mindspore": MindSpore's."""
    name, kwargs, (torch_name, torch_kwargs), states = row
    weights, grads = _arrays(shapes, 0), _arrays(shapes, 1)
    if phase == "mindspore":
        ms_params = _ms_params(weights, "p")
        real = getattr(ms.nn, name)(ms_params, **kwargs)
        return {"mindspore": _median_seconds(_ms_step(real, ms_params, tuple(ms.Tensor(g) for g in grads)), repeats)}
    ours_params = [torch.nn.Parameter(torch.from_numpy(w.copy())) for w in weights]
    torch_grads = tuple(torch.from_numpy(g) for g in grads)
    nbytes = sum(w.nbytes for w in weights)
    made = []
    extra = _peak_bytes(lambda: made.append(getattr(msb_nn, name)(ours_params, **kwargs)) or made[0](torch_grads))
    result = {"peak": (nbytes + extra) / (nbytes * (1 + states))}
    ours = made[0]
    result["ours"] = _median_seconds(lambda: ours(torch_grads), repeats)
    with _native.thread_count(1):
        result["ours 1t"] = _median_seconds(lambda: ours(torch_grads), repeats)
    del ours, made, ours_params
    t_params = _torch_params(weights, grads)
    result["torch"] = _median_seconds(getattr(torch.optim, torch_name)(t_params, **torch_kwargs).step, repeats)
    foreach = getattr(torch.optim, torch_name)(t_params, foreach=True, **torch_kwargs)
    result["torch foreach"] = _median_seconds(foreach.step, repeats)
    if torch_name in TORCH_FUSED:
        fused = getattr(torch.optim, torch_name)(t_params, fused=True, **torch_kwargs)
        result["torch fused"] = _median_seconds(fused.step, repeats)
    result["floor"] = _floor_seconds(grads, states, repeats)
    result["floor2"] = _threaded_floor_seconds(grads, states, repeats)
    return result


def bench_torch_shaped(row, shapes, repeats):
    name, kwargs, (nn_name, nn_kwargs), (x_name, x_kwargs) = row
    weights, grads = _arrays(shapes, 0), _arrays(shapes, 1)
    ms_grads = tuple(ms.Tensor(g) for g in grads)
    params = _ms_params(weights, "o")
    nbytes = sum(w.nbytes for w in weights)
    states = 1 if name == "SGD" else 2
    made = []
    extra = _peak_bytes(lambda: made.append(getattr(msb_torch.optim, name)(params, **kwargs))
                        or made[0].step(ms_grads))
    result = {"peak": (nbytes + extra) / (nbytes * (1 + states))}
    ours = made[0]
    result["ours"] = _median_seconds(lambda: (ours.step(ms_grads), params[0].asnumpy()), repeats)
    with _native.thread_count(1):
        result["ours 1t"] = _median_seconds(lambda: (ours.step(ms_grads), params[0].asnumpy()), repeats)
    params = _ms_params(weights, "n")
    result["ms.nn"] = _median_seconds(_ms_step(getattr(ms.nn, nn_name)(params, **nn_kwargs), params, ms_grads),
                                      repeats)
    params = _ms_params(weights, "x")
    result["ms.exp"] = _median_seconds(_ms_step(getattr(ms_optim, x_name)(params, **x_kwargs), params, ms_grads),
                                       repeats)
    t_params = _torch_params(weights, grads)
    result["torch"] = _median_seconds(getattr(torch.optim, name)(t_params, **kwargs).step, repeats)
    result["floor"] = _floor_seconds(grads, states, repeats)
    result["floor2"] = _threaded_floor_seconds(grads, states, repeats)
    return result


def _floor_seconds(grads, states, repeats):
    """One plain pass writing every tensor the step writes (parameter + state): an ideal fused kernel's traffic."""
    torch_grads = [torch.from_numpy(g) for g in grads]
    written = [torch.zeros_like(g) for g in torch_grads for _ in range(1 + states)]
    sources = [g for g in torch_grads for _ in range(1 + states)]
    return _median_seconds(lambda: [t.copy_(s) for t, s in zip(written, sources)], repeats)


# The floor's pass as a C loop (no memcpy: its non-temporal stores would skip the reads a kernel's writes pay),
# split over threads by the same code as the optimizer kernels.
_COPY_SOURCE = _native.SPLIT_SOURCE + r"""
static void floor_copy_body(int64_t n, float *restrict dst, const float *restrict src) {
    for (int64_t i = 0; i < n; i++) dst[i] = src[i];
}
MSB_EXPORT(floor_copy, n, (int64_t n, float *dst, const float *src), (float *dst; const float *src), (dst, src),
           (e - s, a->dst + s, a->src + s))
"""


def _threaded_floor_seconds(grads, states, repeats):
    """``_floor_seconds``' pass split over ``_native.threads()`` threads like our kernels; nan without a compiler."""
    lib = _native.build("floor_copy", _COPY_SOURCE, tuple(_native.FLAGS) + ("-fno-tree-loop-distribute-patterns",))
    if lib is None:
        return float("nan")
    written = [np.zeros_like(g) for g in grads for _ in range(1 + states)]
    sources = [g for g in grads for _ in range(1 + states)]
    pairs = [(t.size, t.ctypes.data, g.ctypes.data) for t, g in zip(written, sources)]
    return _median_seconds(lambda: [lib.floor_copy(ctypes.c_int64(n), ctypes.c_void_p(d), ctypes.c_void_p(s))
                                    for n, d, s in pairs], repeats)


def _print(label, size, result, columns):
    ours = result["ours"]
    cells = [f"{result[c] * 1e3:9.2f}" if c in result else f"{'-':>9s}" for c in ["ours", *columns]]
    ratios = [f"{ours / result[c]:7.2f}" if c in result else f"{'-':>7s}" for c in columns]
    # Only the big cases say something: smaller ones fit in memory the allocator already holds.
    peak = f"{result['peak']:5.2f}" if size in BIG else "    -"
    print(f"{label:24s} {size:7s} {' '.join(cells)} | {' '.join(ratios)} | {peak}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    parser.add_argument("--sizes", default="tiny,medium,large")
    parser.add_argument("--rows", default="", help="comma-separated optimizer names (default: all)")
    parser.add_argument("--side", choices=("ms", "torch", "both"), default="both",
                        help="ms: only the MindSpore-shaped optimizers (on torch); torch: only the torch-shaped ones")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="cpu: process CPU time (all threads), steadier on a shared machine")
    args = parser.parse_args()
    global CLOCK
    CLOCK = time.process_time if args.clock == "cpu" else time.perf_counter
    torch.set_num_threads(args.threads)
    sizes = args.sizes.split(",")
    wanted = set(args.rows.split(",")) if args.rows else None
    print(f"torch {torch.__version__} ({args.threads} thread(s)), mindspore {ms.__version__}, "
          f"median of {args.repeats} steps (5 for 'large' and 'many'), {args.clock} clock; times in ms; "
          f"ratio = ours / theirs; peak = (parameters + what our optimizer and a step add) / (parameters + state)")
    for key in sizes:
        print(f"  {key}: {SIZES[key][0]}")
    from msbridge.mindspore.nn.optim._fused import fused_ops_round_once
    from msbridge.mindspore.nn.optim._native import library
    from msbridge.torch.optim import _adam_update, _sgd_update
    from msbridge.torch.optim._axpy import _checked_saxpy
    start = time.perf_counter()
    native = library() is not None
    print(f"  MindSpore-shaped one-pass C kernels: {native} (built or loaded in {time.perf_counter() - start:.2f} s "
          f"wall; each optimizer configuration also passes a bit-equality probe at first use); "
          f"torch's fused ops checked exact: {fused_ops_round_once()}; "
          f"torch-shaped scalar fma by BLAS saxpy (checked exact): {_checked_saxpy() is not None}; "
          f"torch-shaped one-pass C kernels (built and checked exact; MSBRIDGE_NATIVE=0 turns them off): "
          f"Adam/AdamW {_adam_update.checked_kernel() is not None}, SGD {_sgd_update.checked_kernel() is not None}; "
          f"every C kernel split over {_native.threads()} thread(s) from {_native.MIN_SPLIT} values "
          f"(MSBRIDGE_NATIVE_THREADS)")
    if args.side == "torch":
        return _torch_side(args, sizes, wanted)
    columns = ["ours 1t", "mindspore", "torch", "torch foreach", "torch fused", "floor", "floor2", "best"]
    print(f"\nmsbridge.mindspore.nn (on torch)  {'ours':>9s} {'ours 1t':>9s} {'ms':>9s} {'torch':>9s} {'foreach':>9s} "
          f"{'t.fused':>9s} {'floor':>9s} {'floor2':>9s} {'best':>9s} | {'/1t':>7s} {'/ms':>7s} {'/torch':>7s} "
          f"{'/forea.':>7s} {'/fused':>7s} {'/floor':>7s} {'/floor2':>7s} "
          f"{'/best':>7s} | peak")
    # MindSpore's runtime threads stay busy after its ops and slow what runs next on a 2-core machine, so
    # everything that needs no MindSpore runs first, MindSpore's own steps after.
    cases = [(row, key) for row in MS_ROWS if wanted is None or row[0] in wanted for key in sizes]
    results = [bench_ms_shaped(row, SIZES[key][1], 5 if key in BIG else args.repeats, "torch")
               for row, key in cases]
    for (row, key), result in zip(cases, results):
        result.update(bench_ms_shaped(row, SIZES[key][1], 5 if key in BIG else args.repeats, "mindspore"))
        result["best"] = min(result[c] for c in ("torch", "torch foreach", "torch fused") if c in result)
        _print(row[0], key, result, columns)
    if args.side == "both":
        _torch_side(args, sizes, wanted)


def _torch_side(args, sizes, wanted):
    columns = ["ours 1t", "ms.nn", "ms.exp", "torch", "floor", "floor2"]
    print(f"\nmsbridge.torch.optim (on MindSpore) {'ours':>7s} {'ours 1t':>9s} {'ms.nn':>9s} {'ms.exp':>9s} {'torch':>9s} "
          f"{'floor':>9s} {'floor2':>9s} | {'/1t':>7s} {'/ms.nn':>7s} {'/ms.exp':>7s} {'/torch':>7s} {'/floor':>7s} "
          f"{'/floor2':>7s} | peak")
    for row in PT_ROWS:
        if wanted is None or row[0] in wanted:
            for key in sizes:
                repeats = 5 if key in BIG else args.repeats
                _print(row[0], key, bench_torch_shaped(row, SIZES[key][1], repeats), columns)


def _print_load(when):
    print(f"load average {when} (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg())
          + f"; {len(os.sched_getaffinity(0))} usable cores", flush=True)


if __name__ == "__main__":
    _print_load("before")
    main()
    _print_load("after")
