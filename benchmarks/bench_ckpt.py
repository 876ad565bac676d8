"""Checkpoint conversion vs the frameworks' own load + save of the same file, in one run.

    python benchmarks/bench_ckpt.py [--repeats N]

A ResNet-50-shaped checkpoint (25.6M float32 parameters, 161 BatchNorm buffers; random values)
is written once in each format. Then, each in a fresh process (so peak memory is its own):

* torch -> MindSpore: ``convert_file(resnet50.pt, out.ckpt)`` (no model needed: every group is
  unambiguous) vs ``torch.load`` + ``mindspore.save_checkpoint`` of the same tensors (what a
  hand-written pt2ms script must at least do) and vs ``torch.load`` + ``torch.save``;
* MindSpore -> torch: ``convert_file(resnet50.ckpt, out.pt, model=<torch ResNet-50-shaped module>)``
  (1x1 convolutions need the model: Conv2d or Conv1d?) vs ``mindspore.load_checkpoint`` +
  ``torch.save`` and vs ``mindspore.load_checkpoint`` + ``mindspore.save_checkpoint``.

Time: the median of --repeats runs. Peak extra memory: the process's peak RSS after the run minus
its peak before it (imports and model built), against the checkpoint's size.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def resnet50_shapes():
    """torch state_dict names and shapes of torchvision's resnet50 (written out: no torchvision needed)."""
    shapes = {"conv1.weight": (64, 3, 7, 7)}

    def bn(prefix, c):
        shapes.update({f"{prefix}.weight": (c,), f"{prefix}.bias": (c,), f"{prefix}.running_mean": (c,),
                       f"{prefix}.running_var": (c,), f"{prefix}.num_batches_tracked": ()})
    bn("bn1", 64)
    inplanes = 64
    for layer, (blocks, width) in enumerate(zip((3, 4, 6, 3), (64, 128, 256, 512)), start=1):
        for b in range(blocks):
            p = f"layer{layer}.{b}"
            shapes[f"{p}.conv1.weight"] = (width, inplanes, 1, 1)
            bn(f"{p}.bn1", width)
            shapes[f"{p}.conv2.weight"] = (width, width, 3, 3)
            bn(f"{p}.bn2", width)
            shapes[f"{p}.conv3.weight"] = (width * 4, width, 1, 1)
            bn(f"{p}.bn3", width * 4)
            if b == 0:
                shapes[f"{p}.downsample.0.weight"] = (width * 4, inplanes, 1, 1)
                bn(f"{p}.downsample.1", width * 4)
            inplanes = width * 4
    shapes.update({"fc.weight": (1000, 2048), "fc.bias": (1000,)})
    return shapes


def torch_model():
    """A torch module tree with ResNet-50's parameter names and layer classes (no forward needed)."""
    import torch

    root = torch.nn.Module()
    for name, shape in resnet50_shapes().items():
        path, leaf = name.rsplit(".", 1)
        if leaf != "weight":
            continue
        parent = root
        *parents, last = path.split(".")
        for part in parents:
            if not hasattr(parent, part):
                parent.add_module(part, torch.nn.Module())
            parent = getattr(parent, part)
        if len(shape) == 4:
            layer = torch.nn.Conv2d(shape[1], shape[0], shape[2:], bias=False, device="meta")
        elif len(shape) == 2:
            layer = torch.nn.Linear(shape[1], shape[0], device="meta")
        else:
            layer = torch.nn.BatchNorm2d(shape[0], device="meta")
        parent.add_module(last, layer)
    return root


def _write_inputs(folder):
    import torch

    from msbridge.bridge.checkpoint import convert_file

    gen = torch.Generator().manual_seed(0)
    sd = {name: (torch.randn(shape, generator=gen) if shape else torch.tensor(7)) for name, shape in
          resnet50_shapes().items()}
    torch.save(sd, os.path.join(folder, "resnet50.pt"))
    convert_file(os.path.join(folder, "resnet50.pt"), os.path.join(folder, "resnet50.ckpt"))
    return sum(t.numel() for t in sd.values() if t.is_floating_point())


CASES = {
    "torch->ms: msbridge convert_file": "from msbridge.bridge.checkpoint import convert_file\n"
                                        "run = lambda: convert_file(SRC_PT, OUT + '.ckpt')",
    "torch->ms: torch.load + ms.save_checkpoint": "import torch, mindspore as ms\n"
        "def run():\n"
        "    sd = torch.load(SRC_PT, weights_only=True)\n"
        "    ms.save_checkpoint({k: ms.Parameter(ms.Tensor(v.numpy()), name=k) for k, v in sd.items()}, OUT + '.ckpt')",
    "torch->torch: torch.load + torch.save": "import torch\n"
        "run = lambda: torch.save(torch.load(SRC_PT, weights_only=True), OUT + '.pt')",
    "ms->torch: msbridge convert_file (with model)": "from msbridge.bridge.checkpoint import convert_file\n"
        "from bench_ckpt import torch_model\nmodel = torch_model()\n"
        "run = lambda: convert_file(SRC_CKPT, OUT + '.pt', model=model)",
    "ms->torch: ms.load_checkpoint + torch.save": "import torch, mindspore as ms\n"
        "run = lambda: torch.save({k: torch.from_numpy(v.asnumpy()) for k, v in ms.load_checkpoint(SRC_CKPT).items()}, "
        "OUT + '.pt')",
    "ms->ms: ms.load_checkpoint + ms.save_checkpoint": "import mindspore as ms\n"
        "run = lambda: ms.save_checkpoint(ms.load_checkpoint(SRC_CKPT), OUT + '.ckpt')",
}

CHILD = """
import json, resource, statistics, sys, time
sys.path[:0] = [{root!r}, {bench!r}]
import torch, mindspore  # both imported in every case: equal footing
torch.set_num_threads(1)
SRC_PT, SRC_CKPT, OUT = {pt!r}, {ckpt!r}, {out!r}
{setup}
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
times = []
for _ in range({repeats}):
    start = time.perf_counter(); run(); times.append(time.perf_counter() - start)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"median_s": statistics.median(times), "extra_peak_mb": (after - before) / 1024}}))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, ROOT)
    with tempfile.TemporaryDirectory() as folder:
        n = _write_inputs(folder)
        pt, ckpt = os.path.join(folder, "resnet50.pt"), os.path.join(folder, "resnet50.ckpt")
        size_mb = {"pt": os.path.getsize(pt) / 2**20, "ckpt": os.path.getsize(ckpt) / 2**20}
        print(f"ResNet-50-shaped checkpoint: {n / 1e6:.1f}M float parameters; "
              f".pt {size_mb['pt']:.0f} MiB, .ckpt {size_mb['ckpt']:.0f} MiB; median of {args.repeats}")
        results = {}
        for label, setup in CASES.items():
            code = CHILD.format(root=ROOT, bench=os.path.dirname(os.path.abspath(__file__)), pt=pt, ckpt=ckpt,
                                out=os.path.join(folder, "out"), setup=setup, repeats=args.repeats)
            done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
            if done.returncode:
                raise SystemExit(f"{label} failed:\n{done.stderr[-3000:]}")
            results[label] = json.loads(done.stdout.strip().splitlines()[-1])
            r = results[label]
            print(f"  {label:52s} {r['median_s']:6.2f} s   peak extra {r['extra_peak_mb']:6.0f} MiB")
        to_ms, to_torch = "torch->ms: msbridge convert_file", "ms->torch: msbridge convert_file (with model)"
        for ours, theirs in ((to_ms, "torch->ms: torch.load + ms.save_checkpoint"),
                             (to_ms, "torch->torch: torch.load + torch.save"),
                             (to_torch, "ms->torch: ms.load_checkpoint + torch.save"),
                             (to_torch, "ms->ms: ms.load_checkpoint + ms.save_checkpoint")):
            ratio = results[ours]["median_s"] / results[theirs]["median_s"]
            print(f"ratio {ours.split(':')[0]} ours / ({theirs.split(': ')[1]}): {ratio:.2f}x")
        for ours, fmt in ((to_ms, "pt"), (to_torch, "ckpt")):
            print(f"peak extra memory {ours.split(':')[0]}: {results[ours]['extra_peak_mb'] / size_mb[fmt]:.2f}x "
                  f"the checkpoint size")


if __name__ == "__main__":
    main()
