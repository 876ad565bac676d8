"""A MindSpore training script (``scripts/ms_model_train.py``) and its torch port with msbridge's runtime twins
(``scripts/torch_model_train.py``, what a converter would emit) side by side: the port runs in a subprocess
with ``mindspore`` unimportable; its per-step losses (from a user callback), LossMonitor/TimeMonitor lines and
eval dict match the original, run on real MindSpore in this process.
"""
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

SCRIPTS = Path(__file__).parent / "scripts"


def _load_original():
    spec = importlib.util.spec_from_file_location("ms_model_train", SCRIPTS / "ms_model_train.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_ported_script_runs_without_mindspore_and_matches(capsys):
    real_steps, real_eval = _load_original().main()
    real_out = capsys.readouterr().out
    root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in [root, os.environ.get("PYTHONPATH")] if p))
    done = subprocess.run([sys.executable, str(SCRIPTS / "torch_model_train.py")], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    ours = json.loads(done.stdout.split("RESULT ", 1)[1])
    assert len(real_steps) == 9  # 3 epochs x 3 batches (4, 4, 2)
    assert [s[:2] for s in ours["steps"]] == [s[:2] for s in real_steps]
    np.testing.assert_allclose([s[2] for s in ours["steps"]], [s[2] for s in real_steps], rtol=1e-5)
    assert set(ours["eval"]) == set(real_eval) and ours["eval"]["acc"] == real_eval["acc"]
    np.testing.assert_allclose(ours["eval"]["loss"], real_eval["loss"], rtol=1e-5)
    real_lines = [line.split(", loss is")[0] for line in real_out.splitlines() if line.startswith("epoch:")]
    our_lines = [line.split(", loss is")[0] for line in done.stdout.splitlines() if line.startswith("epoch:")]
    assert our_lines == real_lines and len(real_lines) == 3
    real_time = [line for line in real_out.splitlines() if "epoch time" in line]
    our_time = [line for line in done.stdout.splitlines() if "epoch time" in line]
    assert len(our_time) == len(real_time) == 3
    assert all(line.startswith("Train epoch time: ") and " ms, per step time: " in line
               for line in our_time + real_time)
