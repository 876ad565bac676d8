"""Typical PyTorch training scripts (``scripts/torch_*.py``, written for these tests) converted to MindSpore.

Each converts with no ``# msbridge:`` mark and every use reported converted, converting the output again
changes nothing, and the port runs to the end with torch unimportable. The deterministic ones (no
shuffling, no dropout) also run from the original's initial weights, converted with
``msbridge.bridge.checkpoint``: their per-step losses agree with the original's, run on real torch in
this process.

ONE launch runs every port: MindSpore's own launcher, ``msrun --worker_num 2 --local_worker_num 2``
(dynamic networking on this CPU machine, measured to work with MindSpore 2.10), running ``run_ports.py``
on two ranks. The data-parallel port (``torch_ddp``) runs on both, the others on rank 0 afterwards. The
data-parallel port on 2 ranks is compared with the torch original on 1 process (gloo, world size 1) over
the same global batches: same per-step (rank-averaged) losses and final weights.
"""
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.distributed

from msbridge.bridge.checkpoint import convert_file
from msbridge.convert.report import CONVERTED
from msbridge.convert.source import convert_source

HERE = Path(__file__).parent
SCRIPTS = HERE / "scripts"
# script -> relative tolerance of the per-step losses against torch (None: not compared step by step,
# e.g. a shuffled loader, whose order differs between frameworks)
PROGRAMS = {
    "torch_loop_clip": 1e-4,
    "torch_custom_dataset": 1e-4,
    "torch_gan": 1e-4,
    "torch_amp": 1e-4,
    "torch_train_eval": 1e-4,   # as __main__ it shuffles; main(out, init) (no shuffling) is compared
    "torch_ddp": 1e-4,
}
DISTRIBUTED = {"torch_ddp"}


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem + "_original", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_original(name, tmp, single_process_group):
    """Run the torch original here; return its results and the converted initial weights."""
    weights = {}

    def init(label, model):
        pt, ckpt = tmp / f"{name}.{label}.pt", tmp / f"{name}.{label}.ckpt"
        torch.save(model.state_dict(), pt)
        convert_file(pt, ckpt, to="mindspore")
        weights[label] = str(ckpt)

    out = tmp / f"{name}.original.json"
    if name in DISTRIBUTED:
        with single_process_group():
            _load(SCRIPTS / f"{name}.py").main(str(out), init)
    else:
        _load(SCRIPTS / f"{name}.py").main(str(out), init)
    return json.loads(out.read_text()), weights


@pytest.fixture(scope="module")
def ported(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ports")
    port = _free_port()

    class single_process_group:   # torch's env:// rendezvous for a world of one, as torchrun would set it
        def __enter__(self):
            self.saved = {k: os.environ.get(k) for k in ("MASTER_ADDR", "MASTER_PORT", "RANK", "WORLD_SIZE")}
            os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(_free_port()), RANK="0", WORLD_SIZE="1")

        def __exit__(self, *exc):
            for k, v in self.saved.items():
                os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
            if torch.distributed.is_initialized():
                torch.distributed.destroy_process_group()

    manifest, converted, originals = [], {}, {}
    for name, rtol in PROGRAMS.items():
        out, report = convert_source((SCRIPTS / f"{name}.py").read_text(), "mindspore", path=f"{name}.py")
        converted[name] = (out, report, convert_source(out, "mindspore")[0])
        program = tmp / f"port_{name}.py"
        program.write_text(out)
        entry = {"program": str(program), "out": str(tmp / f"{name}.run.json"), "distributed": name in DISTRIBUTED}
        if rtol is not None:
            originals[name], weights = _run_original(name, tmp, single_process_group)
            entry.update(weights=weights, trajectory_out=str(tmp / f"{name}.trajectory.json"))
        manifest.append(entry)
    (tmp / "manifest.json").write_text(json.dumps(manifest))
    root = str(HERE.resolve().parents[1])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in [root, os.environ.get("PYTHONPATH")] if p))
    msrun = shutil.which("msrun")
    assert msrun is not None, "MindSpore's launcher msrun is not on PATH"
    done = subprocess.run([msrun, "--worker_num", "2", "--local_worker_num", "2", "--master_port", str(port),
                           "--join", "True", "--log_dir", str(tmp / "msrun_logs"), str(HERE / "run_ports.py"),
                           str(tmp / "results.json"), str(tmp / "manifest.json")],
                          capture_output=True, text=True, env=env, timeout=400, cwd=tmp)
    logs = "".join(p.read_text(errors="replace")[-2000:] for p in sorted((tmp / "msrun_logs").glob("*.log")))
    assert done.returncode == 0, logs
    results = {rank: json.loads((tmp / f"results.json.{rank}").read_text()) for rank in (0, 1)}
    return tmp, converted, originals, results


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_script_converts_unmarked_and_runs_without_torch(ported, name):
    tmp, converted, _, results = ported
    out, report, again = converted[name]
    assert "# msbridge:" not in out
    assert [u for u in report.uses if u.status != CONVERTED] == []
    assert again == out
    program = str(tmp / f"port_{name}.py")
    ranks = (0, 1) if name in DISTRIBUTED else (0,)
    for rank in ranks:
        assert not results[rank]["blocked_loaded"]
        assert results[rank]["results"][program] is None, results[rank]["results"][program]
    run = tmp / (f"{name}.trajectory.json" if name in DISTRIBUTED else f"{name}.run.json")
    assert json.loads(run.read_text())["losses"]


def _compare(ours, theirs, rtol):
    assert len(ours["losses"]) == len(theirs["losses"]) > 0
    np.testing.assert_allclose(ours["losses"], theirs["losses"], rtol=rtol)
    for key, value in theirs.items():
        if key in ("losses", "accuracy"):   # accuracy: on a random_split part, a different part than torch's
            continue
        if key == "weights":
            for a, b in zip(ours[key], value):
                np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-6)
        elif key == "world_size":
            assert (ours[key], value) == (2, 1)   # 2 MindSpore ranks against 1 torch process
        elif isinstance(value, list) and value and isinstance(value[0], float):
            np.testing.assert_allclose(ours[key], value, rtol=rtol)
        else:
            assert ours[key] == value, key


@pytest.mark.parametrize("name", [n for n, rtol in PROGRAMS.items() if rtol is not None])
def test_same_trajectory_from_the_same_weights(ported, name):
    tmp, _, originals, _ = ported
    _compare(json.loads((tmp / f"{name}.trajectory.json").read_text()), originals[name], PROGRAMS[name])
