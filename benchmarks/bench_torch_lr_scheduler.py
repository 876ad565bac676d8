"""Cost of one scheduler ``step()``: msbridge's torch-style schedulers vs real torch vs MindSpore's own.

    python benchmarks/bench_torch_lr_scheduler.py [--steps 2000] [--groups 2]

For each scheduler, the same schedule is stepped on:
  torch        torch.optim.lr_scheduler on torch.optim.SGD
  ms.exp       mindspore.experimental.optim.lr_scheduler on mindspore.experimental.optim.SGD
  ours/nn      msbridge on mindspore.nn.Momentum
  ours/exp     msbridge on mindspore.experimental.optim.SGD
Each run is ``steps`` calls (``--ms-steps`` for MindSpore's own) then one read of the LR MindSpore holds (so queued
asynchronous writes are paid for).  Printed: microseconds per step (best of
``--repeats`` runs) and the ratios ours/torch and ours/MindSpore, all
measured in this run.  Goal: ours <= 5x torch.

A second table times the ways to publish one float32 LR into a MindSpore
optimizer's LR Parameter (all exact: each stores float32(lr)), against
torch's whole ``ExponentialLR.step()``; msbridge uses the cheapest one that a
compiled step sees (``adapter.StorageWriter``).
"""
from __future__ import annotations

import argparse
import os
import time
import warnings

import mindspore as ms
import numpy as np
import torch
from mindspore import Parameter, Tensor, nn
from mindspore.experimental import optim as ms_optim
from mindspore.experimental.optim import lr_scheduler as ms_sched

from msbridge.torch.optim import lr_scheduler as ours

SCHEDULERS = {
    "StepLR": (lambda m, o: m.StepLR(o, step_size=30, gamma=0.5), None),
    "ExponentialLR": (lambda m, o: m.ExponentialLR(o, gamma=0.999), None),
    "LinearLR": (lambda m, o: m.LinearLR(o, 0.1, 1.0, total_iters=500), None),
    "CosineAnnealingLR": (lambda m, o: m.CosineAnnealingLR(o, T_max=300), None),
    "CosineAnnealingWarmRestarts": (lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=50, T_mult=2), None),
    # MindSpore's CyclicLR cannot cycle momentum: switched off on the others for the same work
    "CyclicLR": (lambda m, o: m.CyclicLR(o, 1e-3, 0.1, step_size_up=100,
                                         **({} if m is ms_sched else {"cycle_momentum": False})), None),
    "LambdaLR": (lambda m, o: m.LambdaLR(o, lambda e: 0.99 ** (e // 10)), None),
    "ReduceLROnPlateau": (lambda m, o: m.ReduceLROnPlateau(o, patience=5), lambda i: 1.0 / (1 + i // 20)),
}


def torch_optimizer(groups: int):
    params = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 0.1} for _ in range(groups)]
    return torch.optim.SGD(params, lr=0.1, momentum=0.9)


def ms_params(groups: int, tag: str):
    return [Parameter(Tensor(np.zeros(1, np.float32)), name=f"{tag}{i}") for i in range(groups)]


def experimental_optimizer(groups: int, tag: str):
    return ms_optim.SGD([{"params": [p], "lr": 0.1} for p in ms_params(groups, tag)], lr=0.1, momentum=0.9)


def nn_optimizer(groups: int, tag: str):
    return nn.Momentum([{"params": [p], "lr": 0.1} for p in ms_params(groups, tag)], 0.1, momentum=0.9)


def time_run(sched, steps: int, metric, held) -> float:
    """Seconds per step for ``steps`` calls plus one read of the LR held by the optimizer."""
    start = time.perf_counter()
    if metric is None:
        for _ in range(steps):
            sched.step()
    else:
        for i in range(steps):
            sched.step(metric(i))
    held()
    return (time.perf_counter() - start) / steps


def measure(name: str, steps: int, ms_steps: int, groups: int, repeats: int) -> dict[str, float]:
    build, metric = SCHEDULERS[name]
    best: dict[str, float] = {}
    for r in range(repeats):
        topt = torch_optimizer(groups)
        xopt = experimental_optimizer(groups, f"x{r}_")
        nopt = nn_optimizer(groups, f"n{r}_")
        oxopt = experimental_optimizer(groups, f"ox{r}_")
        runs = {
            "torch": (build(torch.optim.lr_scheduler, topt), lambda: topt.param_groups[0]["lr"]),
            "ms.exp": (build(ms_sched, xopt), lambda: float(xopt.param_groups[0]["lr"])),
            "ours/nn": (build(ours, nopt), lambda: float(nopt.learning_rate[0])),
            "ours/exp": (build(ours, oxopt), lambda: float(oxopt.param_groups[0]["lr"])),
        }
        for label, (sched, held) in runs.items():
            seconds = time_run(sched, ms_steps if label == "ms.exp" else steps, metric, held)
            best[label] = min(best.get(label, seconds), seconds)
    return best


def write_alternatives(steps: int) -> dict[str, float]:
    """Seconds per write of a new float32 LR into a 0-d MindSpore Parameter, each way, and torch's whole step."""
    from mindspore import ops

    from msbridge.torch.optim.lr_scheduler.adapter import StorageWriter

    param = Parameter(Tensor(np.float32(0.1)), name="lr_alternatives")
    view = param.asnumpy()
    writer = StorageWriter(lambda: param)
    topt = torch_optimizer(1)
    tsched = torch.optim.lr_scheduler.ExponentialLR(topt, 0.999)
    ways = {
        "torch ExponentialLR.step() (reference)": lambda v: tsched.step(),
        "ops.assign(p, Tensor(v))": lambda v: ops.assign(param, Tensor(np.float32(v))),
        "p.copy_(Tensor(v))": lambda v: param.copy_(Tensor(np.float32(v))),
        "p.set_data(Tensor(v)) (a compiled step misses it)": lambda v: param.set_data(Tensor(np.float32(v))),
        "p.asnumpy()[()] = v": lambda v: param.asnumpy().__setitem__((), np.float32(v)),
        "p.data_ptr() (storage check)": lambda v: param.data_ptr(),
        "kept view[()] = v": lambda v: view.__setitem__((), np.float32(v)),
        "StorageWriter (data_ptr check + kept view)": lambda v: writer(np.float32(v)),
    }
    result = {}
    for label, write in ways.items():
        count = steps // 10 if "assign" in label or "Tensor(v)" in label else steps
        start = time.perf_counter()
        for i in range(count):
            write(0.1 + i * 1e-7)
        float(param)
        result[label] = (time.perf_counter() - start) / count
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--ms-steps", type=int, default=200, help="steps for MindSpore's own (milliseconds each)")
    parser.add_argument("--groups", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    ms.set_context(mode=ms.PYNATIVE_MODE)
    print(f"torch {torch.__version__}, mindspore {ms.__version__}; {args.steps} steps "
          f"({args.ms_steps} for mindspore.experimental), {args.groups} param groups, "
          f"best of {args.repeats}; us per step (incl. one final read of the held LR); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    header = f"{'scheduler':<28}{'torch':>9}{'ms.exp':>10}{'ours/nn':>10}{'ours/exp':>10}" \
             f"{'ours/torch':>12}{'ms.exp/ours':>13}"
    print(header)
    print("-" * len(header))
    worst_vs_ms = float("inf")
    worst_vs_torch = 0.0
    for name in SCHEDULERS:
        t = measure(name, args.steps, args.ms_steps, args.groups, args.repeats)
        ours_worst = max(t["ours/nn"], t["ours/exp"])
        speedup = t["ms.exp"] / ours_worst
        worst_vs_ms = min(worst_vs_ms, speedup)
        print(f"{name:<28}{t['torch'] * 1e6:>9.1f}{t['ms.exp'] * 1e6:>10.1f}{t['ours/nn'] * 1e6:>10.1f}"
              f"{t['ours/exp'] * 1e6:>10.1f}{ours_worst / t['torch']:>11.1f}x{speedup:>12.1f}x")
        worst_vs_torch = max(worst_vs_torch, ours_worst / t["torch"])
    print(f"\nslowest of ours vs MindSpore's own: {worst_vs_ms:.1f}x faster "
          f"({'goal met' if worst_vs_ms >= 1 else 'GOAL MISSED'}: no slower than mindspore.experimental)")
    print(f"slowest of ours vs torch: {worst_vs_torch:.1f}x ({'goal met' if worst_vs_torch <= 5 else 'GOAL MISSED'}: "
          f"<= 5x torch's step)")
    writes = {}
    for _ in range(args.repeats):
        for label, seconds in write_alternatives(args.steps).items():
            writes[label] = min(writes.get(label, seconds), seconds)
    reference = writes["torch ExponentialLR.step() (reference)"]
    print(f"\n{'one float32 LR write into a MindSpore Parameter':<52}{'us':>9}{'/ torch step':>14}")
    for label, seconds in writes.items():
        print(f"{label:<52}{seconds * 1e6:>9.2f}{seconds / reference:>13.2f}x")


if __name__ == "__main__":
    main()
