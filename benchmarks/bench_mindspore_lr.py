"""msbridge.mindspore.nn LR API vs real MindSpore (and torch), measured in one run.

Prints ratios, so the figures hold on a noisy machine:
- list generation at total_step = 10**6: MindSpore time / msbridge time (higher is better),
  after checking the two lists are bit-identical.  For the ``step_per_epoch=1`` cases it also
  prints the floor: the C library's ``pow`` called once per step (what any bit-exact list that
  evaluates every power must pay), run as a C loop (torch's element-wise scalar kernel), and
  msbridge / floor (lower is better; below 1 where exact shortcuts skip calls);
- one schedule call (``ExponentialDecayLR(0.1, 0.9, 4)(step)``): MindSpore's PyNative call
  (with ``.asnumpy()``, i.e. the value is ready) / ours, and ours / torch ``ExponentialLR.step()``
  for a Python int step (the training loop's case) and a tensor step.

Run: ``python benchmarks/bench_mindspore_lr.py [--quick]``.
"""
import math
import statistics
import sys
import time
import warnings

import mindspore
import mindspore.nn as real_nn
import numpy as np
import torch

import msbridge.mindspore.nn as our_nn
from msbridge.mindspore.nn._libm import pow_like_c

QUICK = "--quick" in sys.argv
TOTAL = 10**5 if QUICK else 10**6


def median_seconds(fn, repeat, number=1):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return statistics.median(times)


def pow_floor_seconds(base, exponents):
    """One C-library pow per step, in a C loop: the cost of the libm calls alone."""
    base_t = torch.tensor(float(base), dtype=torch.float64)
    exps = torch.from_numpy(np.ascontiguousarray(exponents, dtype=np.float64))
    return median_seconds(lambda: pow_like_c(base_t, exps), repeat=5)


def bench_lists():
    epochs = np.arange(TOTAL, dtype=np.float64)
    cases = [  # (name, args, floor: (base, exponents) of the per-step pow calls, or None)
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
    print(f"list generation, total_step={TOTAL}: MindSpore / msbridge (x faster), bit-identical checked")
    for name, args, floor in cases:
        real_fn, our_fn = getattr(real_nn, name), getattr(our_nn, name)
        assert real_fn(*args) == our_fn(*args), f"{name}{args} is not bit-identical"
        t_real = median_seconds(lambda: real_fn(*args), repeat=5)
        t_ours = median_seconds(lambda: our_fn(*args), repeat=5)
        line = (f"  {name}{args[1:]}: MindSpore {t_real * 1e3:.1f} ms, msbridge {t_ours * 1e3:.1f} ms, "
                f"ratio {t_real / t_ours:.1f}x")
        if floor is not None:
            t_floor = pow_floor_seconds(*floor)
            line += f"; libm pow floor {t_floor * 1e3:.1f} ms, msbridge / floor {t_ours / t_floor:.2f}"
        print(line)


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
    bench_lists()
    bench_schedule_call()
