"""msbridge.mindspore.nn LR API vs real MindSpore (and torch), measured in one run.

Prints ratios, so the figures hold on a noisy machine:
- list generation at total_step = 10**6: MindSpore time / msbridge time (higher is better),
  after checking the two lists are bit-identical.  For the ``step_per_epoch=1`` cases it also
  prints the floor: the C library's ``pow`` called once per step (what any bit-exact list that
  evaluates every power must pay), run as a C loop (torch's element-wise scalar kernel, one
  thread), msbridge / floor (lower is better; below 1 where exact shortcuts skip calls), and
  what making the list's 10**6 Python floats costs alone (one thread must do it: the GIL). These
  three are measured in a child process that never imports MindSpore, as a torch program using
  msbridge runs (MindSpore's runtime threads stay busy after its ops and slow whatever runs next on
  a 2-core machine), in alternating rounds so that load changes hit all three alike;
- one schedule call (``ExponentialDecayLR(0.1, 0.9, 4)(step)``): MindSpore's PyNative call
  (with ``.asnumpy()``, i.e. the value is ready) / ours, and ours / torch ``ExponentialLR.step()``
  for a Python int step (the training loop's case) and a tensor step.

Run: ``python benchmarks/bench_mindspore_lr.py [--quick]``.
"""
import math
import os
import statistics
import sys
import time
import warnings

import subprocess

import numpy as np
import torch

import msbridge.mindspore.nn as our_nn
from msbridge.mindspore.nn._libm import _strided
from msbridge.mindspore.nn._pow_stream import checked_kernel, checked_list_kernel

QUICK = "--quick" in sys.argv
FLOOR_CHILD = "--floor-child" in sys.argv
if not FLOOR_CHILD:
    import mindspore
    import mindspore.nn as real_nn
TOTAL = 10**5 if QUICK else 10**6


def median_seconds(fn, repeat, number=1, clock=time.perf_counter):
    times = []
    for _ in range(repeat):
        start = clock()
        for _ in range(number):
            fn()
        times.append((clock() - start) / number)
    return statistics.median(times)


def cpu_split_seconds(fn, repeat=5):
    """Median (process CPU, this thread's CPU) seconds of ``fn``: the rest is its worker thread's."""
    pairs = []
    for _ in range(repeat):
        process, thread = time.process_time(), time.thread_time()
        fn()
        pairs.append((time.process_time() - process, time.thread_time() - thread))
    return statistics.median(p for p, _ in pairs), statistics.median(t for _, t in pairs)


def pow_floor_seconds(base, exponents, repeat=5):
    """One C-library pow per step, in a C loop (torch's scalar loop over a prepared strided exponent, 0-d base,
    one thread): the cost of the libm calls alone."""
    base_t = torch.tensor(float(base), dtype=torch.float64)
    exps = _strided(torch.from_numpy(np.ascontiguousarray(exponents, dtype=np.float64)))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return (median_seconds(lambda: torch.pow(base_t, exps), repeat=repeat),
                median_seconds(lambda: torch.pow(base_t, exps), repeat=repeat, clock=time.process_time))
    finally:
        torch.set_num_threads(threads)


def _cases():
    epochs = np.arange(TOTAL, dtype=np.float64)
    return [  # (name, args, floor: (base, exponents) of the per-step pow calls, or None)
        ("exponential_decay_lr", (0.1, 0.9, TOTAL, 100, 3), None),
        ("exponential_decay_lr", (0.1, 0.9, TOTAL, 100, 3, True), None),
        ("exponential_decay_lr", (0.1, 0.9, TOTAL, 1, 3), (0.9, epochs / 3)),
        ("exponential_decay_lr", (0.1, 0.99999, TOTAL, 1, 3), (0.99999, epochs / 3)),  # no power underflows
        ("natural_exp_decay_lr", (0.1, 0.05, TOTAL, 100, 3), None),
        ("natural_exp_decay_lr", (0.1, 1e-4, TOTAL, 1, 3), (math.e, -1e-4 * epochs)),
        ("inverse_decay_lr", (0.1, 0.5, TOTAL, 100, 3), None),
        ("cosine_decay_lr", (0.001, 0.1, TOTAL, 100, 5000), None),
        ("polynomial_decay_lr", (0.1, 0.01, TOTAL, 100, 5000, 2.0), None),
        ("warmup_lr", (0.1, TOTAL, 100, 5000), None),
    ]


def bench_lists():
    print(f"list generation, total_step={TOTAL}: MindSpore / msbridge (x faster), bit-identical checked; "
          f"wall clock, load average {os.getloadavg()[0]:.1f}")
    for name, args, _ in _cases():
        real_fn, our_fn = getattr(real_nn, name), getattr(our_nn, name)
        assert real_fn(*args) == our_fn(*args), f"{name}{args} is not bit-identical"
        t_real = median_seconds(lambda: real_fn(*args), repeat=5)
        t_ours = median_seconds(lambda: our_fn(*args), repeat=5)
        print(f"  {name}{args[1:]}: MindSpore {t_real * 1e3:.1f} ms, msbridge {t_ours * 1e3:.1f} ms, "
              f"ratio {t_real / t_ours:.1f}x")
    sys.stdout.flush()
    subprocess.run([sys.executable, __file__, "--floor-child", *(["--quick"] if QUICK else [])], check=True)


def bench_floors():
    """step_per_epoch=1 lists against the libm floor, in a process without MindSpore (see the module doc)."""
    print(f"step_per_epoch=1 lists vs the floor (a process without MindSpore; load average "
          f"{os.getloadavg()[0]:.1f}); pow and floats overlap on two threads: {checked_kernel() is not None}, "
          f"floats made in C: {checked_list_kernel() is not None}")
    for name, args, floor in _cases():
        if floor is None:
            continue
        our_fn = getattr(our_nn, name)
        values = np.array(our_fn(*args))   # bit-identical to MindSpore's list (checked by the parent)
        walls = {"floor": [], "ours": [], "floats": []}
        for _ in range(3):   # rounds of five consecutive calls each, so load changes hit all three alike
            walls["floor"].append(pow_floor_seconds(*floor)[0])
            walls["ours"].append(median_seconds(lambda: our_fn(*args), repeat=5))
            walls["floats"].append(median_seconds(values.tolist, repeat=5))
        t_floor, t_ours, t_floats = (statistics.median(walls[k]) for k in ("floor", "ours", "floats"))
        _, cpu_floor = pow_floor_seconds(*floor)
        cpu_floats = median_seconds(values.tolist, repeat=5, clock=time.process_time)
        cpu_ours, cpu_main = cpu_split_seconds(lambda: our_fn(*args))
        critical = max(cpu_main, cpu_ours - cpu_main)
        print(f"  {name}{args[1:]}: libm pow floor {t_floor * 1e3:.1f} ms, msbridge {t_ours * 1e3:.1f} ms, "
              f"msbridge / floor {t_ours / t_floor:.2f} (making the floats alone: {t_floats * 1e3:.1f} ms, "
              f"{t_floats / t_floor:.2f}x the floor)\n"
              f"    CPU: floor {cpu_floor * 1e3:.1f} ms; msbridge {cpu_ours * 1e3:.1f} ms = main thread "
              f"{cpu_main * 1e3:.1f} + worker {(cpu_ours - cpu_main) * 1e3:.1f}; longer thread / floor "
              f"{critical / cpu_floor:.2f}, all / floor {cpu_ours / cpu_floor:.2f}; making the floats alone "
              f"{cpu_floats * 1e3:.1f} ms = {cpu_floats / cpu_floor:.2f}x the floor")


def bench_schedule_call():
    real = real_nn.ExponentialDecayLR(0.1, 0.9, 4)
    ours = our_nn.ExponentialDecayLR(0.1, 0.9, 4)
    ms_step, torch_step = mindspore.Tensor(2, mindspore.int32), torch.tensor(2, dtype=torch.int32)
    n = 200 if QUICK else 2000
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, 0.9)
    t_real = median_seconds(lambda: real(ms_step).asnumpy(), repeat=7, number=max(n // 20, 10))
    # interleaved, so load changes hit all three alike
    t_torch, t_int, t_tensor = [], [], []
    for _ in range(7):
        t_torch.append(median_seconds(sched.step, repeat=1, number=n))
        t_int.append(median_seconds(lambda: ours(2), repeat=1, number=n))
        t_tensor.append(median_seconds(lambda: ours(torch_step), repeat=1, number=n))
    t_torch, t_int, t_tensor = (statistics.median(t) for t in (t_torch, t_int, t_tensor))
    print("one ExponentialDecayLR(0.1, 0.9, 4) call:")
    print(f"  MindSpore (PyNative, value ready) {t_real * 1e6:.1f} us; msbridge int step {t_int * 1e6:.2f} us, "
          f"tensor step {t_tensor * 1e6:.2f} us; torch ExponentialLR.step() {t_torch * 1e6:.2f} us")
    print(f"  ratio MindSpore / msbridge: {t_real / t_int:.0f}x cheaper (int step)")
    print(f"  ratio msbridge / torch ExponentialLR.step(): int step {t_int / t_torch:.2f}x, "
          f"tensor step {t_tensor / t_torch:.2f}x")


if __name__ == "__main__":
    warnings.filterwarnings("ignore", message="Detected call of")
    if FLOOR_CHILD:
        bench_floors()
    else:
        bench_lists()
        bench_schedule_call()
