"""Converted training scripts run, and use the original's LR at every optimizer step.

The originals run under their real framework; the converted scripts under the
other one (plus msbridge's runtime). ``convert_lr_probe.py`` records the LR each
optimizer update actually used, hooked into the real frameworks' optimizers.
MindSpore holds an LR in float32 and torch applies a float LR to float32
parameters in float32, so "the same LR" means equal float32 values -- compared
exactly, no tolerance. Round trips (MindSpore -> torch -> MindSpore and back)
must keep the LR too.
"""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from msbridge.convert.driver import convert_paths

HERE = Path(__file__).parent
PROBE = HERE / "convert_lr_probe.py"
MS_SCRIPT = HERE / "scripts" / "ms_resnet_lr.py"
TORCH_SCRIPT = HERE / "scripts" / "torch_sgd_sched.py"
MS_KINDS = ("piecewise", "cosine", "exponential")
TORCH_KINDS = ("step", "cosine", "onecycle")
STEPS = 12  # both scripts: 12 optimizer updates


def _convert(src: Path, dst: Path, to: str) -> Path:
    report = convert_paths(src, dst, to=to)
    assert report.complete, report.render()
    return dst


@pytest.fixture(scope="module")
def lrs(tmp_path_factory):
    """LRs per (label, kind) from two probe processes (one per framework), run concurrently."""
    tmp = tmp_path_factory.mktemp("scripts")
    ms2pt = _convert(MS_SCRIPT, tmp / "ms2pt.py", "torch")
    ms2pt2ms = _convert(ms2pt, tmp / "ms2pt2ms.py", "mindspore")
    pt2ms = _convert(TORCH_SCRIPT, tmp / "pt2ms.py", "mindspore")
    pt2ms2pt = _convert(pt2ms, tmp / "pt2ms2pt.py", "torch")
    groups = {
        "mindspore": [("ms", MS_SCRIPT, MS_KINDS), ("ms2pt2ms", ms2pt2ms, MS_KINDS), ("pt2ms", pt2ms, TORCH_KINDS)],
        "torch": [("pt", TORCH_SCRIPT, TORCH_KINDS), ("pt2ms2pt", pt2ms2pt, TORCH_KINDS), ("ms2pt", ms2pt, MS_KINDS)],
    }
    procs = {}
    for name, runs in groups.items():
        argv = [sys.executable, str(PROBE), str(tmp / f"{name}.json")]
        for _, script, kinds in runs:
            for kind in kinds:
                argv += [str(script), kind, "--"]
        procs[name] = subprocess.Popen(argv, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out = {}
    for name, proc in procs.items():
        stdout, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 0, f"{name} probe failed:\n{stderr[-3000:]}"
        results = iter(json.loads((tmp / f"{name}.json").read_text()))
        for label, _, kinds in groups[name]:
            for kind in kinds:
                out[label, kind] = next(results)
    return out


def _same_float32(a, b):
    assert len(a) == len(b) == STEPS
    np.testing.assert_array_equal(np.float32(a), np.float32(b))
    assert len(set(a)) > 1, "the schedule must change the LR for this test to mean anything"


@pytest.mark.parametrize("kind", MS_KINDS)
def test_convert_scripts_mindspore_to_torch_same_lr(lrs, kind):
    _same_float32(lrs["ms", kind], lrs["ms2pt", kind])


@pytest.mark.parametrize("kind", TORCH_KINDS)
def test_convert_scripts_torch_to_mindspore_same_lr(lrs, kind):
    _same_float32(lrs["pt", kind], lrs["pt2ms", kind])


@pytest.mark.parametrize("kind", MS_KINDS)
def test_convert_scripts_mindspore_round_trip_keeps_lr(lrs, kind):
    assert lrs["ms2pt2ms", kind] == lrs["ms", kind]


@pytest.mark.parametrize("kind", TORCH_KINDS)
def test_convert_scripts_torch_round_trip_keeps_lr(lrs, kind):
    assert lrs["pt2ms2pt", kind] == lrs["pt", kind]
