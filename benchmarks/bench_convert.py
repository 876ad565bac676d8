"""Conversion throughput (lines per second) on a generated tree, single process and parallel.

    python benchmarks/bench_convert.py [--files 240] [--jobs N]

The tree is generated from the two test training scripts (MindSpore ->
torch and torch -> MindSpore), each copy padded with ordinary Python (helper
functions, comments, data handling) so files look like real modules of a
training code base: >= 200 files and >= 50,000 lines. Prints lines/s for
``-j 1`` and ``-j N`` and the speed-up ratio, measured in the same run, plus
lines per CPU-second (the cost itself, which a busy shared machine does not
change the way it changes wall time).
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

from msbridge.convert.driver import convert_paths

SCRIPTS = Path(__file__).resolve().parents[1] / "tests" / "convert" / "scripts"

PADDING = '''

def helper_{i}(values, scale=1.0):
    """Ordinary code the converter must keep byte for byte."""
    total = 0.0
    for k, value in enumerate(values):  # accumulate
        if k % 3 == 0:
            total += value * scale
        else:
            total -= value / (k + 1)
    return {{"total": total, "count": len(values), "name": 'helper_{i}'}}
'''


def generate(root: Path, files: int, min_lines: int) -> int:
    sources = [(SCRIPTS / "ms_resnet_lr.py").read_text(), (SCRIPTS / "torch_sgd_sched.py").read_text()]
    per_file = -(-min_lines // files)
    lines = 0
    for n in range(files):
        text = sources[n % 2]
        i = 0
        while text.count("\n") < per_file:
            text += PADDING.format(i=i)
            i += 1
        path = root / f"pkg{n % 10}" / f"module_{n}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        lines += text.count("\n")
    return lines


def _cpu_seconds() -> float:
    """CPU time of this process plus its finished children (the parallel workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(src: Path, jobs: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds) to convert the tree with ``jobs`` processes."""
    out = Path(tempfile.mkdtemp(prefix="bench_convert_out_"))
    try:
        cpu, start = _cpu_seconds(), time.perf_counter()
        report = convert_paths(src, out / "tree", jobs=jobs, progress=False)
        elapsed, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
    finally:
        shutil.rmtree(out)
    assert report.totals()["files_changed"] == len(report.files), report.render()
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=240)
    parser.add_argument("--lines", type=int, default=50_000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench_convert_src_"))
    try:
        lines = generate(root, args.files, args.lines)
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"tree: {args.files} files, {lines} lines; {os.cpu_count()} CPUs, load average {load:.1f} at start")
        (single, single_cpu), (parallel, parallel_cpu) = measure(root, 1), measure(root, args.jobs)
        print(f"-j 1 : {single:7.2f} s wall  {lines / single:9,.0f} lines/s"
              f"   ({single_cpu:6.2f} CPU s: {lines / single_cpu:9,.0f} lines per CPU-second)")
        print(f"-j {args.jobs:<2}: {parallel:7.2f} s wall  {lines / parallel:9,.0f} lines/s"
              f"   ({parallel_cpu:6.2f} CPU s: {lines / parallel_cpu:9,.0f} lines per CPU-second)")
        print(f"parallel speed-up (wall): {single / parallel:.2f}x")
    finally:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
