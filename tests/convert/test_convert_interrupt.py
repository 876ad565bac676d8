"""Ctrl-C during ``msbridge convert -j 2`` on a tree (issue 11, item 2): one or two SIGINTs to the
process group (what a terminal sends) end the run within 5 s with exit code 130, no partial or
temporary file, and a report of what was done. One subprocess per case: signals need a process."""
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from msbridge.convert.source import convert_source

FILES = 40
SOURCE = "from mindspore import nn\n" + "".join(
    f"relu{i} = nn.ReLU()\nvalue{i} = {i} * 2\n" for i in range(250))   # ~0.2 s of work per file


@pytest.fixture(scope="module")
def expected():
    return convert_source(SOURCE, "torch")[0]


@pytest.mark.parametrize("signals", [1, 2])
def test_interrupt_parallel_tree_stops_cleanly(tmp_path, expected, signals):
    tree, out, report = tmp_path / "tree", tmp_path / "out", tmp_path / "report.json"
    tree.mkdir()
    for i in range(FILES):
        (tree / f"m{i:02d}.py").write_text(SOURCE)
    proc = subprocess.Popen([sys.executable, "-m", "msbridge", "convert", str(tree), "-o", str(out), "-j", "2",
                             "--report", str(report)],
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not (out.is_dir() and any(p.suffix == ".py" for p in out.iterdir())):
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline, "no file converted in 120 s"
            time.sleep(0.02)
        start = time.monotonic()
        for _ in range(signals):
            os.killpg(proc.pid, signal.SIGINT)
            time.sleep(0.05)
        code = proc.wait(timeout=5)
        elapsed = time.monotonic() - start
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    err = proc.stderr.read()
    assert code == 130, err
    assert elapsed < 5
    written = sorted(out.iterdir())
    assert all(p.suffix == ".py" for p in written), [p.name for p in written]   # no temporary file
    assert 0 < len(written) < FILES, "interrupted part-way"
    assert all(p.read_text() == expected for p in written), "every written file is complete"
    data = json.loads(report.read_text())
    assert data["totals"]["interrupted"] is True and data["totals"]["files"] == len(written)
    assert "interrupted:" in err and "Traceback" not in err
    assert os.path.getsize(tree / "m00.py") == len(SOURCE)
