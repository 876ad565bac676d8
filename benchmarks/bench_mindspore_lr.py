"""msbridge.mindspore.nn LR API vs real MindSpore (and torch), measured in one run.

Prints ratios, so the figures hold on a noisy machine:
- list generation at total_step = 10**6: MindSpore time / msbridge time (higher is better),
  after checking the two lists are bit-identical;
- one schedule call (``ExponentialDecayLR(0.1, 0.9, 4)(step)``): MindSpore's PyNative call
  (with ``.asnumpy()``, i.e. the value is ready) / ours, and ours / torch ``ExponentialLR.step()``.

Run: ``python benchmarks/bench_mindspore_lr.py [--quick]``.
"""
import statistics
import sys
import time

import mindspore
import mindspore.nn as real_nn
import torch

import msbridge.mindspore.nn as our_nn

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


def bench_lists():
    cases = [
        ("exponential_decay_lr", (0.1, 0.9, TOTAL, 100, 3)),
        ("exponential_decay_lr", (0.1, 0.9, TOTAL, 100, 3, True)),
        ("exponential_decay_lr", (0.1, 0.9, TOTAL, 1, 3)),
        ("natural_exp_decay_lr", (0.1, 0.05, TOTAL, 100, 3)),
        ("inverse_decay_lr", (0.1, 0.5, TOTAL, 100, 3)),
        ("cosine_decay_lr", (0.001, 0.1, TOTAL, 100, 5000)),
        ("polynomial_decay_lr", (0.1, 0.01, TOTAL, 100, 5000, 2.0)),
        ("warmup_lr", (0.1, TOTAL, 100, 5000)),
    ]
    print(f"list generation, total_step={TOTAL}: MindSpore / msbridge (x faster), bit-identical checked")
    for name, args in cases:
        real_fn, our_fn = getattr(real_nn, name), getattr(our_nn, name)
        assert real_fn(*args) == our_fn(*args), f"{name}{args} is not bit-identical"
        t_real = median_seconds(lambda: real_fn(*args), repeat=5)
        t_ours = median_seconds(lambda: our_fn(*args), repeat=5)
        print(f"  {name}{args[2:]}: MindSpore {t_real * 1e3:.1f} ms, msbridge {t_ours * 1e3:.1f} ms, "
              f"ratio {t_real / t_ours:.1f}x")


def bench_schedule_call():
    real = real_nn.ExponentialDecayLR(0.1, 0.9, 4)
    ours = our_nn.ExponentialDecayLR(0.1, 0.9, 4)
    ms_step, torch_step = mindspore.Tensor(2, mindspore.int32), torch.tensor(2, dtype=torch.int32)
    n = 200 if QUICK else 1000
    t_real = median_seconds(lambda: real(ms_step).asnumpy(), repeat=7, number=n // 10)
    t_ours_tensor = median_seconds(lambda: ours(torch_step), repeat=7, number=n)
    t_ours_int = median_seconds(lambda: ours(2), repeat=7, number=n)
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, 0.9)
    t_torch = median_seconds(sched.step, repeat=7, number=n)
    print("one ExponentialDecayLR(0.1, 0.9, 4) call:")
    print(f"  MindSpore (PyNative, value ready) {t_real * 1e6:.1f} us; msbridge tensor step "
          f"{t_ours_tensor * 1e6:.1f} us, int step {t_ours_int * 1e6:.1f} us; torch ExponentialLR.step() "
          f"{t_torch * 1e6:.2f} us")
    print(f"  ratio MindSpore / msbridge: {t_real / t_ours_tensor:.0f}x cheaper (tensor step)")
    print(f"  ratio msbridge / torch ExponentialLR.step(): {t_ours_tensor / t_torch:.1f}x")


if __name__ == "__main__":
    bench_lists()
    bench_schedule_call()
