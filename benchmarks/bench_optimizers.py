"""One optimizer step, ours vs the real framework's, measured in the same run.

    python benchmarks/bench_optimizers.py [--repeats N]

Rows:
* ``msbridge.mindspore.nn.X`` (MindSpore-shaped, updating torch tensors) vs
  real ``mindspore.nn.X`` updating MindSpore Parameters, both called as
  ``opt(grads)``;
* ``msbridge.torch.optim.X`` (torch-shaped, updating MindSpore Parameters)
  vs real ``torch.optim.X`` (``opt.step()`` after setting ``.grad``).
Ratio = our median time / the real framework's median time (lower is better).

``--threads`` sets torch's intra-op threads (default 1): on a loaded machine
torch's OpenMP threads spin-wait and a step of many small ops can take 10-100x
longer than its work, which swamps the ratio. Both sides run in this process
under the same setting.
"""
import argparse
import statistics
import time

import mindspore as ms
import numpy as np
import torch

import msbridge.mindspore.nn as msb_nn
import msbridge.torch as msb_torch

SIZES = {"tiny (Dense 4-3-1, 19 values)": [(3, 4), (3,), (1, 3), (1,)],
         "medium (4 x 256x256, 262k values)": [(256, 256)] * 4}


def _arrays(shapes, seed):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(np.float32) for s in shapes]


def _median_seconds(fn, repeats):
    for _ in range(3):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _ms_shaped(name, kwargs, shapes, repeats):
    weights, grads = _arrays(shapes, 0), _arrays(shapes, 1)
    ms_params = [ms.Parameter(ms.Tensor(w), name=f"p{i}") for i, w in enumerate(weights)]
    real = getattr(ms.nn, name)(ms_params, **kwargs)
    ms_grads = tuple(ms.Tensor(g) for g in grads)
    ours = getattr(msb_nn, name)([torch.nn.Parameter(torch.from_numpy(w)) for w in weights], **kwargs)
    torch_grads = tuple(torch.from_numpy(g) for g in grads)

    def real_step():
        real(ms_grads)
        ms_params[0].asnumpy()  # wait for the asynchronous MindSpore runtime

    return _median_seconds(lambda: ours(torch_grads), repeats), _median_seconds(real_step, repeats)


def _torch_shaped(name, kwargs, shapes, repeats):
    weights, grads = _arrays(shapes, 0), _arrays(shapes, 1)
    t_params = [torch.nn.Parameter(torch.from_numpy(w.copy())) for w in weights]
    for p, g in zip(t_params, grads):
        p.grad = torch.from_numpy(g)
    real = getattr(torch.optim, name)(t_params, **kwargs)
    ms_params = [ms.Parameter(ms.Tensor(w), name=f"p{i}") for i, w in enumerate(weights)]
    ours = getattr(msb_torch.optim, name)(ms_params, **kwargs)
    ms_grads = tuple(ms.Tensor(g) for g in grads)
    return _median_seconds(lambda: ours.step(ms_grads), repeats), _median_seconds(real.step, repeats)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rows = [("mindspore.nn", "Momentum", {"learning_rate": 0.1, "momentum": 0.9}, _ms_shaped),
            ("mindspore.nn", "Adam", {"learning_rate": 0.001}, _ms_shaped),
            ("mindspore.nn", "AdamWeightDecay", {"learning_rate": 0.001, "weight_decay": 0.01}, _ms_shaped),
            ("torch.optim", "SGD", {"lr": 0.1, "momentum": 0.9}, _torch_shaped),
            ("torch.optim", "Adam", {"lr": 0.001}, _torch_shaped),
            ("torch.optim", "AdamW", {"lr": 0.001}, _torch_shaped)]
    print(f"torch {torch.__version__} ({args.threads} thread(s)), mindspore {ms.__version__}, "
          f"median of {args.repeats} steps")
    print(f"{'optimizer':32s} {'size':34s} {'ours ms':>9s} {'real ms':>9s} {'ratio':>7s}")
    for family, name, kwargs, bench in rows:
        for size, shapes in SIZES.items():
            ours, real = bench(name, kwargs, shapes, args.repeats)
            print(f"{family + '.' + name:32s} {size:34s} {ours * 1e3:9.3f} {real * 1e3:9.3f} {ours / real:7.2f}")


if __name__ == "__main__":
    main()
