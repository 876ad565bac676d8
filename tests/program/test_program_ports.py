"""Issue 15's must-show, MindSpore -> torch: six typical MindSpore training scripts (scripts/ports/) convert
with no ``# msbridge:`` review/unsupported mark (notes only), converting the output again changes nothing, and the converted programs run
to the end with MindSpore unimportable: the single-process ones in one process (run_blocked.py), the data-parallel
one in a ``torchrun --nproc_per_node 2`` launch (gloo, CPU; run_ports.py) on 2 processes.

Same trajectory: each original runs here on real MindSpore from initial weights saved here with
``mindspore.save_checkpoint``; each converted program starts from the same file, read through msbridge's
checkpoint loader, and feeds the same data order. Per-step losses agree within the rows' tolerance; the
data-parallel program's parameters after 2 processes x 8 steps equal real MindSpore's single-process run
over the same global batches.
"""
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import mindspore as ms
import numpy as np
import pytest
import torch

from msbridge.convert.source import convert_source

PORTS = Path(__file__).parent / "scripts" / "ports"
RUNNER = Path(__file__).parents[1] / "convert" / "run_blocked.py"
ROOT = Path(__file__).resolve().parents[2]
# script -> (checkpoint suffix, network class) of the initial weights it loads
NETWORKS = {
    "ms_functional_loop": [("", "Net")],
    "ms_model_callbacks": [("", "LeNetish")],
    "ms_generator_transforms": [("", "ConvNet")],
    "ms_gan": [("_g", "Generator"), ("_d", "Discriminator")],
    "ms_loss_scale": [("", "Regressor")],
    "ms_data_parallel": [("", "Net")],   # last: run_ports.py runs it on every rank
}
# float32 rounding compounding over <= 10 optimizer steps (Dense/Conv2d/loss rows: 1e-6 per pass, measured
# here at most ~2e-6 per trajectory)
RTOL = 1e-5
LAUNCHES = 3   # the data-parallel program's launches at most (see _run_ports)
ATOL = 1e-6   # parameters near zero: one of 64 differed by 2e-7 (1e-5 relative) in one run


def _module(name):
    spec = importlib.util.spec_from_file_location(f"port_{name}", PORTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def ports(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("MS_MODE", "pynative")   # the scripts' own switch: real MindSpore here without graph compilation
    try:
        yield _run_ports(tmp_path_factory)
    finally:
        mp.undo()


def _run_ports(tmp_path_factory):
    base = tmp_path_factory.mktemp("ports")
    real, ours = base / "real", base / "ours"
    real.mkdir()
    ours.mkdir()
    converted, reruns, reports, originals = {}, {}, {}, {}
    for name, nets in NETWORKS.items():
        code = (PORTS / f"{name}.py").read_text()
        converted[name], reports[name] = convert_source(code, to="torch", path=name)
        reruns[name] = convert_source(converted[name], to="torch")[0]
        (ours / f"pt_{name}.py").write_text(converted[name])
        module = _module(name)
        ms.set_seed(0)
        for suffix, cls in nets:   # the initial weights both runs start from
            init = real / f"{name}_init{suffix}.ckpt"
            ms.save_checkpoint(getattr(module, cls)(), str(init))
            shutil.copy(init, ours / init.name)
        originals[name] = module
    pairs = [str(p) for name in NETWORKS for p in (ours / f"pt_{name}.py", ours / f"{name}.json")]
    # unbuffered, with faulthandler: a process that dies shows where, in the order things happened
    env = dict(os.environ, RANK_SIZE="2", MS_MODE="graph", OMP_NUM_THREADS="1", PYTHONUNBUFFERED="1", PYTHONFAULTHANDLER="1",
               PYTHONPATH=os.pathsep.join(p for p in [str(ROOT), os.environ.get("PYTHONPATH")] if p))
    # the single-process programs in one process, the data-parallel one (last) in its own torchrun launch, as a
    # user runs it: every rank starts it at once (ranks kept waiting in or before gloo's rendezvous through the
    # other programs aborted in CI)
    serial = subprocess.Popen([sys.executable, str(RUNNER), "mindspore", str(base / "serial.json"), *pairs[:-2]],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    parallel = _launch(base, pairs[-2:], env)
    try:
        for name, module in originals.items():   # real MindSpore, while the ports run
            init = real / f"{name}_init"
            module.main(str(real / f"{name}.json"), str(init) if name == "ms_gan" else str(init) + ".ckpt")
        output = serial.communicate(timeout=300)[0]
        parallel_output = parallel.communicate(timeout=300)[0]
    finally:
        for process in (serial, parallel):
            if process.poll() is None:
                process.kill()
    assert serial.returncode == 0, output[-4000:]
    failed = []
    while parallel.returncode != 0 and len(failed) < LAUNCHES - 1:
        # a two-rank gloo launch on two busy cores failed now and then in full runs (CI at stop 23: a rank aborted,
        # "terminate called without an active exception"; here once more on 2026-12-02, 1 run in 8, not
        # reproduced alone): fresh launches on a new port; a program that is wrong fails every one of them
        failed.append(_diagnosis(base, parallel_output))
        for stale in [*base.glob("results.*"), ours / "ms_data_parallel.json", ours / "ms_data_parallel_final.ckpt"]:
            stale.unlink(missing_ok=True)
        parallel = _launch(base, pairs[-2:], env)
        parallel_output = parallel.communicate(timeout=300)[0]
    assert parallel.returncode == 0, "\n\n".join([*failed, _diagnosis(base, parallel_output)])
    serial_results = json.loads((base / "serial.json").read_text())
    ranks = [json.loads((base / f"results.{rank}.json").read_text()) for rank in (0, 1)]
    ranks[0] = {"mindspore_loaded": ranks[0]["mindspore_loaded"] or serial_results["blocked_loaded"],
                "results": {**serial_results["results"], **ranks[0]["results"]}}
    return dict(base=base, real=real, ours=ours, converted=converted, reruns=reruns, reports=reports,
                ranks=ranks, output=output + parallel_output)


def _launch(base, pair, env):
    with socket.socket() as probe:   # a free port for the launcher's store
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return subprocess.Popen([sys.executable, "-m", "torch.distributed.run", "--nnodes", "1", "--node_rank", "0",
                             "--master_addr", "127.0.0.1", "--master_port", str(port), "--nproc_per_node", "2",
                             str(Path(__file__).parent / "run_ports.py"), str(base / "results"), *pair],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)


def _diagnosis(base, output):
    """The launch's output, and what each rank's program ended with where it got that far."""
    ranks = {path.name: path.read_text()[-2000:] for path in sorted(base.glob("results.*.json"))}
    return f"{output[-4000:]}\nrank results: {ranks or 'none written'}"


def _result(folder, name):
    return json.loads((folder / f"{name}.json").read_text())


@pytest.mark.parametrize("name", list(NETWORKS))
def test_converts_unmarked_idempotent_and_runs_without_mindspore(ports, name):
    report = ports["reports"][name]
    assert report.complete, [u for u in report.uses if u.status != "converted"]
    marks = [line for line in ports["converted"][name].splitlines() if "# msbridge:" in line]
    # only notes (which checkpoint loader was emitted, an argument torch reads from the dtype): nothing to review
    assert all(line.split("# msbridge: ", 1)[1].startswith("note: ") for line in marks), marks
    assert "import mindspore" not in ports["converted"][name] and "from mindspore" not in ports["converted"][name]
    assert ports["reruns"][name] == ports["converted"][name]
    rank0 = ports["ranks"][0]
    assert not rank0["mindspore_loaded"]
    assert rank0["results"][str(ports["ours"] / f"pt_{name}.py")] is None, \
        rank0["results"][str(ports["ours"] / f"pt_{name}.py")]


@pytest.mark.parametrize("name", ["ms_functional_loop", "ms_model_callbacks", "ms_generator_transforms",
                                  "ms_gan", "ms_loss_scale"])
def test_same_per_step_losses_as_real_mindspore(ports, name):
    real, ours = _result(ports["real"], name), _result(ports["ours"], name)
    assert len(ours["losses"]) == len(real["losses"]) >= 5
    np.testing.assert_allclose(ours["losses"], real["losses"], rtol=RTOL)


def test_model_train_callbacks_and_checkpoints_as_real_mindspore(ports):
    real, ours = _result(ports["real"], "ms_model_callbacks"), _result(ports["ours"], "ms_model_callbacks")
    assert ours["steps"] == real["steps"] == [[e, s] for e in (1, 2) for s in range((e - 1) * 4 + 1, e * 4 + 1)]
    assert ours["files"] == real["files"] == ["lenet-2_4.ckpt", "lenet-graph.meta"] or ours["files"] == real["files"]
    assert ours["acc"] == real["acc"]   # the last checkpoint, loaded back into a fresh network
    real_ckpt = ms.load_checkpoint(str(ports["real"] / "ms_model_callbacks_ckpt" / "lenet-2_4.ckpt"))
    our_ckpt = ms.load_checkpoint(str(ports["ours"] / "ms_model_callbacks_ckpt" / "lenet-2_4.ckpt"))
    # the network's parameters and the momentum buffers, by MindSpore's names; the port's optimizer is torch's SGD,
    # whose checkpoint has no learning_rate/momentum Parameters (MindSpore's Momentum stores them)
    assert set(real_ckpt) - set(our_ckpt) == {"learning_rate", "momentum"}
    assert set(our_ckpt) < set(real_ckpt)
    for key in our_ckpt:
        np.testing.assert_allclose(our_ckpt[key].asnumpy(), real_ckpt[key].asnumpy(), rtol=RTOL, atol=ATOL)
    monitor = [line.split(", loss is")[0] for line in ports["output"].splitlines() if line.startswith("epoch: ")]
    assert "epoch: 2 step: 4" in monitor


def test_data_parallel_on_two_processes_equals_one_process_over_the_global_batches(ports):
    ranks = ports["ranks"]
    parallel = str(ports["ours"] / "pt_ms_data_parallel.py")
    assert ranks[1]["results"] == {parallel: None} and not ranks[1]["mindspore_loaded"]
    assert _result(ports["ours"], "ms_data_parallel")["rank_size"] == 2
    assert _result(ports["real"], "ms_data_parallel")["rank_size"] == 1
    real = ms.load_checkpoint(str(ports["real"] / "ms_data_parallel_final.ckpt"))
    ours = torch.load(ports["ours"] / "ms_data_parallel_final.ckpt", weights_only=True)
    initial = ms.load_checkpoint(str(ports["real"] / "ms_data_parallel_init.ckpt"))
    names = [k for k in real if not k.startswith("moments") and k in initial]
    assert sorted(ours) == sorted(names) == ["fc1.bias", "fc1.weight", "fc2.bias", "fc2.weight"]
    for key in names:
        assert not np.allclose(real[key].asnumpy(), initial[key].asnumpy())   # it trained
        np.testing.assert_allclose(ours[key].numpy(), real[key].asnumpy(), rtol=RTOL, atol=ATOL)
