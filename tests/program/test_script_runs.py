"""A MindSpore training script (``scripts/ms_model_train.py``) and its torch port with msbridge's runtime twins
(``scripts/torch_model_train.py``, what a converter would emit) side by side: the port runs in a subprocess
with ``mindspore`` unimportable; its per-step losses (from a user callback), LossMonitor/TimeMonitor lines and
eval dict match the original, run on real MindSpore in this process; real MindSpore loads the port's
checkpoint files, which have the original's names and values.
"""
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import mindspore as ms
import numpy as np

SCRIPTS = Path(__file__).parent / "scripts"


def _load_original():
    spec = importlib.util.spec_from_file_location("ms_model_train", SCRIPTS / "ms_model_train.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_ported_script_runs_without_mindspore_and_matches(capsys, tmp_path):
    real_dir, our_dir = tmp_path / "real", tmp_path / "ours"
    real_steps, real_eval = _load_original().main(str(real_dir))
    real_out = capsys.readouterr().out
    root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in [root, os.environ.get("PYTHONPATH")] if p))
    done = subprocess.run([sys.executable, str(SCRIPTS / "torch_model_train.py"), str(our_dir)], capture_output=True,
                          text=True, env=env, timeout=120)
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
    real_files = sorted(os.listdir(real_dir))
    assert real_files == ["net-3_2.ckpt", "net-3_3.ckpt"]  # saved at steps 4, 8 and the end (9); 2 kept
    assert sorted(os.listdir(our_dir)) == real_files
    for name in real_files:
        real = ms.load_checkpoint(str(real_dir / name))
        ours = ms.load_checkpoint(str(our_dir / name))
        assert sorted(ours) == sorted(real)
        for key in real:
            np.testing.assert_allclose(ours[key].asnumpy(), real[key].asnumpy(), rtol=2e-5, atol=1e-6)
