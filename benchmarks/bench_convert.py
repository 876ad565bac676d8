"""Conversion throughput (lines per second): a real-shaped tree through the CLI, a generated tree
in-process, and one file of repeated API calls from 1k to 50k lines (must stay flat: linear cost).

    python benchmarks/bench_convert.py [--only project|real|tree|scale] [--jobs N] [--tree PATH]

project: the project's own framework code (every test, script and model file under tests/ that
        imports exactly one of torch and MindSpore: real-shaped, framework-dense code its authors
        wrote), replicated 8 times, converted by the CLI at -j 1 and -j N.
--tree PATH: the same measurement on any folder (e.g. a corpus of public training files kept
        outside the repository), each file to the other framework than the one it imports.
real  : 44 files shaped like training code bases (sizes 40 to 1,500 lines, framework calls
        scattered through ordinary code, so a file has many small hot regions), converted by
        ``python -m msbridge convert TREE -o OUT -j N`` as a user runs it: start-up included.
tree  : the generated tree of the earlier figure (240 files, >= 50,000 lines), in-process.
scale : one file of repeated API calls (``nn.ReLU()`` lines between ordinary lines), 1k-50k lines.

Wall time depends on how busy the machine is; lines per CPU-second (this process and its
children) is the cost itself. The load average is printed with every figure.
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from msbridge.convert.driver import convert_paths

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "tests" / "convert" / "scripts"

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

SCATTERED = {   # ordinary code with one framework call in it, as real modules have
    "mindspore": '''

def block_{i}(width, data):
    """A helper of a training code base: mostly plain Python, one layer built."""
    rows = [row for row in data if row]
    scale = sum(len(row) for row in rows) / max(len(rows), 1)
    layer = nn.Dense(width, width)
    log = {{"rows": len(rows), "scale": scale, "name": "block_{i}"}}
    return layer, log
''',
    "torch": '''

def block_{i}(width, data):
    """A helper of a training code base: mostly plain Python, one layer built."""
    rows = [row for row in data if row]
    scale = sum(len(row) for row in rows) / max(len(rows), 1)
    layer = nn.Linear(width, width)
    log = {{"rows": len(rows), "scale": scale, "name": "block_{i}"}}
    return layer, log
''',
}

REAL_SIZES = [40, 60, 80, 90, 120, 150, 180, 200, 220, 250, 280, 300, 320, 350, 400, 420, 450, 500, 550, 600,
              700, 800, 900, 1000, 1200, 1500]


def _cpu_seconds() -> float:
    """CPU time of this process plus its finished children (workers, CLI subprocesses)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _load() -> str:
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs" if hasattr(os, "getloadavg") else ""


def _pad(text: str, lines: int, framework: str | None, hot_every: int) -> str:
    i = 0
    while text.count("\n") < lines:
        scattered = framework is not None and hot_every and i % hot_every == 0
        text += SCATTERED[framework].format(i=i) if scattered else PADDING.format(i=i)
        i += 1
    return text


def generate_real(root: Path) -> int:
    """44 files, both directions, sizes like the public training files of issue 12."""
    sources = [("mindspore", (SCRIPTS / "ms_resnet_lr.py").read_text()),
               ("torch", (SCRIPTS / "torch_sgd_sched.py").read_text())]
    lines = 0
    for n in range(44):
        framework, text = sources[n % 2]
        size = REAL_SIZES[(n * 7) % len(REAL_SIZES)]
        text = _pad(text, size, framework, hot_every=2)
        path = root / ("ms" if framework == "mindspore" else "pt") / f"pkg{n % 4}" / f"train_{n}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        lines += text.count("\n")
    return lines


def _imported_framework(text: str) -> str | None:
    """The one framework a file imports (None: neither, or both: a file importing both is left as it is)."""
    found = set(re.findall(r"^\s*(?:import|from) (torch|mindspore)\b", text, re.M))
    return found.pop() if len(found) == 1 else None


def generate_project(root: Path, copies: int = 8) -> tuple[int, int]:
    """(files, lines): every .py file under tests/ importing one framework, ``copies`` times."""
    files = lines = 0
    sources = [p for p in sorted((ROOT / "tests").rglob("*.py")) if _imported_framework(p.read_text(encoding="utf-8"))]
    for copy in range(copies):
        for path in sources:
            dest = root / f"copy{copy}" / path.relative_to(ROOT)
            dest.parent.mkdir(parents=True, exist_ok=True)
            text = path.read_text(encoding="utf-8")
            dest.write_text(text, encoding="utf-8")
            files, lines = files + 1, lines + text.count("\n")
    return files, lines


def count_tree(root: Path) -> tuple[int, int]:
    """(files, lines) of the Python files of a tree that import one framework (the ones converted)."""
    files = lines = 0
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8", errors="replace")
        if _imported_framework(text):
            files, lines = files + 1, lines + text.count("\n")
    return files, lines


def generate_tree(root: Path, files: int = 240, min_lines: int = 50_000) -> int:
    sources = [(SCRIPTS / "ms_resnet_lr.py").read_text(), (SCRIPTS / "torch_sgd_sched.py").read_text()]
    per_file = -(-min_lines // files)
    lines = 0
    for n in range(files):
        text = _pad(sources[n % 2], per_file, None, 0)
        path = root / f"pkg{n % 10}" / f"module_{n}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        lines += text.count("\n")
    return lines


def cli_run(src: Path, jobs: int, to: str | None = None) -> tuple[float, float]:
    """(wall, CPU) seconds of ``python -m msbridge convert src -o out -j jobs`` (start-up included)."""
    out = Path(tempfile.mkdtemp(prefix="bench_convert_out_"))
    try:
        env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        cpu, start = _cpu_seconds(), time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "msbridge", "convert", str(src), "-o", str(out / "t"),
                                 "-j", str(jobs), "-q", *(["--to", to] if to else [])],
                                capture_output=True, text=True, env=env)
        elapsed, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
    finally:
        shutil.rmtree(out)
    assert result.returncode in (0, 1), result.stderr
    return elapsed, cpu


def in_process(src: Path, jobs: int) -> tuple[float, float]:
    out = Path(tempfile.mkdtemp(prefix="bench_convert_out_"))
    try:
        cpu, start = _cpu_seconds(), time.perf_counter()
        report = convert_paths(src, out / "tree", jobs=jobs, progress=False)
        elapsed, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
    finally:
        shutil.rmtree(out)
    assert report.totals()["files_changed"] == len(report.files), report.render()
    return elapsed, cpu


def _compare(name: str, lines: int, run, src: Path, jobs: int, repeat: int) -> None:
    best = {}
    for n in (1, jobs):
        best[n] = min((run(src, n) for _ in range(repeat)), key=lambda r: r[0])
    for n, (wall, cpu) in best.items():
        print(f"  {name} -j {n:<2}: {wall:7.2f} s wall {lines / wall:9,.0f} lines/s   "
              f"({cpu:6.2f} CPU s: {lines / cpu:9,.0f} lines per CPU-second)")
    print(f"  {name} speed-up -j {jobs} over -j 1 (wall): {best[1][0] / best[jobs][0]:.2f}x   [{_load()}]")
    # on a busy machine wall time measures the other users: the parallel overhead is the CPU it adds
    print(f"  {name} CPU of -j {jobs} / CPU of -j 1: {best[jobs][1] / best[1][1]:.2f} "
          f"(1.00: workers add no work; the wall speed-up on {jobs} idle cores is then about {jobs}x)")


def scale() -> None:
    from msbridge.convert.catalog import Catalog
    from msbridge.convert.source import convert_source

    catalog = Catalog()
    print("one file of repeated API calls (a call, an ordinary line, ...):")
    for lines in (1_000, 2_000, 5_000, 10_000, 20_000, 50_000):
        code = "from mindspore import nn\n" + "".join(f"relu{i} = nn.ReLU()\nvalue{i} = {i} * 2\n"
                                                      for i in range(lines // 2))
        cpu, start = time.process_time(), time.perf_counter()
        convert_source(code, "torch", "big.py", catalog)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        print(f"  {lines:6,} lines: {wall:7.2f} s wall {lines / wall:7,.0f} lines/s   "
              f"{lines / cpu:7,.0f} lines per CPU-second   [{_load()}]", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("project", "real", "tree", "scale"))
    parser.add_argument("--tree", type=Path, help="also measure this folder (its framework files), through the CLI")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2, help="runs per figure; the fastest is shown")
    args = parser.parse_args()
    every = args.only is None and args.tree is None   # --tree alone measures only that folder
    if args.tree is not None:
        files, lines = count_tree(args.tree)
        print(f"{args.tree}: {files} framework files, {lines:,} lines, through the CLI (start-up included):")
        _compare("given tree", lines, cli_run, args.tree, args.jobs, args.repeat)
    if every or args.only == "project":
        root = Path(tempfile.mkdtemp(prefix="bench_convert_project_"))
        try:
            files, lines = generate_project(root)
            print(f"project tree: {files} files, {lines:,} lines, through the CLI (start-up included):")
            _compare("project", lines, cli_run, root, args.jobs, args.repeat)
        finally:
            shutil.rmtree(root)
    if every or args.only == "real":
        root = Path(tempfile.mkdtemp(prefix="bench_convert_real_"))
        try:
            lines = generate_real(root)
            print(f"real-shaped tree: 44 files, {lines:,} lines, through the CLI (start-up included):")
            _compare("cli", lines, cli_run, root, args.jobs, args.repeat)
        finally:
            shutil.rmtree(root)
    if every or args.only == "tree":
        root = Path(tempfile.mkdtemp(prefix="bench_convert_src_"))
        try:
            lines = generate_tree(root)
            print(f"generated tree: 240 files, {lines:,} lines, in-process:")
            _compare("tree", lines, in_process, root, args.jobs, 1)
        finally:
            shutil.rmtree(root)
    if every or args.only == "scale":
        scale()


if __name__ == "__main__":
    main()
