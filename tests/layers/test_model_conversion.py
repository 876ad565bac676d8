"""Whole models convert both ways with no ``# msbridge:`` mark and compute what the original did.

Each model file in tests/layers/models is converted; the original runs here (real source
framework), the converted one in ONE subprocess per target with the source framework
unimportable (tests/layers/model_runner.py). Same weights (renamed through the tables'
parameter maps), same input: outputs in train and eval mode, input and parameter gradients,
and the running statistics after the passes must agree within the rows' tolerance.
"""
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from msbridge.convert.source import convert_source
from msbridge.tables import load_tables

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
MODELS = {  # file -> (class, input shape[, number of token ids: an integer input, no input gradient])
    "ms_lenet.py": ("LeNet5", (2, 1, 32, 32)),
    "ms_mlp.py": ("MLP", (6, 20)),
    "torch_lenet.py": ("LeNet5", (2, 1, 32, 32)),
    "torch_mlp.py": ("MLP", (6, 20)),
    "ms_lstm_classifier.py": ("LSTMClassifier", (2, 3), 20),
    "torch_lstm_classifier.py": ("LSTMClassifier", (2, 3), 20),
    "ms_gru_seq.py": ("GRUTagger", (3, 2, 5)),
    "torch_gru_seq.py": ("GRUTagger", (3, 2, 5)),
    "ms_vit.py": ("ViT", (2, 3, 8, 8)),
    "torch_vit.py": ("ViT", (2, 3, 8, 8)),
    "ms_resnet_blocks.py": ("ResNetBlocks", (2, 3, 8, 8)),
    "torch_resnet_blocks.py": ("ResNetBlocks", (2, 3, 8, 8)),
    "ms_mobilenetv2_block.py": ("MobileNetV2Blocks", (2, 3, 8, 8)),
    "torch_mobilenetv2_block.py": ("MobileNetV2Blocks", (2, 3, 8, 8)),
    "ms_dcgan.py": ("DCGAN", (2, 8, 1, 1)),
    "torch_dcgan.py": ("DCGAN", (2, 8, 1, 1)),
    "ms_unet.py": ("UNetBlock", (2, 3, 8, 8)),
    "torch_unet.py": ("UNetBlock", (2, 3, 8, 8)),
    "ms_transformer.py": ("TextTransformer", (2, 3), 20),
    "torch_transformer.py": ("TextTransformer", (2, 3), 20),
}
RTOL = 1e-5   # the widest rtol of the rows these models use (Conv2d, BatchNorm1d)


def _runner():
    spec = importlib.util.spec_from_file_location("model_runner", HERE / "model_runner.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _name_map(model, source: str) -> dict[str, str]:
    """Full parameter/buffer name source -> target, through the row of each sub-layer's class."""
    target = "torch" if source == "mindspore" else "mindspore"
    tables = load_tables()
    children = model.named_modules() if source == "torch" else model.cells_and_names()
    names = {}
    for prefix, layer in children:
        api = f"{source}.nn.{type(layer).__name__}"
        rows = [r for r in tables.rows_for(api) if r.side(source).name == api and r.params]
        for pair in rows[0].params if rows else ():
            if getattr(pair, source) and getattr(pair, target):
                full = f"{prefix}.{getattr(pair, source)}" if prefix else getattr(pair, source)
                names[full] = f"{prefix}.{getattr(pair, target)}" if prefix else getattr(pair, target)
    return names


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """Convert every model, run the originals here and the conversions in two blocked subprocesses."""
    tmp = tmp_path_factory.mktemp("models")
    runner = _runner()
    originals, jobs = {}, {"mindspore": [], "torch": []}
    for file, (cls, shape, *tokens) in MODELS.items():
        source = "mindspore" if file.startswith("ms_") else "torch"
        target = "torch" if source == "mindspore" else "mindspore"
        code, report = convert_source((HERE / "models" / file).read_text(), target)
        out_path = tmp / f"converted_{file}"
        out_path.write_text(code)
        import mindspore
        import torch
        torch.manual_seed(0)
        mindspore.set_seed(0)
        model = getattr(_load(HERE / "models" / file, f"orig_{file[:-3]}"), cls)()
        rng = np.random.default_rng(0)
        x = rng.integers(0, tokens[0], shape).astype(np.int32) if tokens else rng.standard_normal(shape).astype(np.float32)
        if source == "torch":
            weights = {n: t.detach().numpy().copy() for n, t in model.state_dict().items()}
        else:
            weights = {n: p.asnumpy().copy() for n, p in model.parameters_and_names()}
        names = _name_map(model, source)
        renamed = {names.get(n, n): v for n, v in weights.items()}
        if source == "mindspore":   # torch's BatchNorm also counts batches: a buffer MindSpore has not
            converted_keys = [k for k in renamed]
            for key in list(converted_keys):
                if key.endswith(".running_mean"):
                    renamed[key.rsplit(".", 1)[0] + ".num_batches_tracked"] = np.array(0, dtype=np.int64)
        np.savez(tmp / f"in_{file}.npz", x=x, **{f"w:{k}": v for k, v in renamed.items()})
        reference = (runner.run_torch if source == "torch" else runner.run_mindspore)(model, weights, x)
        originals[file] = (code, report, reference, names)
        jobs[source].append({"module": f"conv_{file[:-3]}", "path": str(out_path), "class": cls,
                             "inputs": str(tmp / f"in_{file}.npz"), "output": str(tmp / f"out_{file}.npz")})
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for blocked, job_list in jobs.items():
        jobs_file = tmp / f"jobs_{blocked}.json"
        jobs_file.write_text(json.dumps(job_list))
        proc = subprocess.run([sys.executable, str(HERE / "model_runner.py"), blocked, str(jobs_file)],
                              capture_output=True, text=True, env=env, timeout=300)
        assert proc.returncode == 0, proc.stderr[-3000:]
    return {file: (*originals[file], dict(np.load(tmp / f"out_{file}.npz"))) for file in MODELS}


@pytest.mark.parametrize("file", list(MODELS))
def test_model_converts_without_marks(converted, file):
    code, report, _, _, _ = converted[file]
    assert "# msbridge:" not in code, code
    assert report.complete, report.to_dict()
    source = "mindspore" if file.startswith("ms_") else "torch"
    assert f"import {source}" not in code


@pytest.mark.parametrize("file", list(MODELS))
def test_converted_model_computes_what_the_original_did(converted, file):
    _, _, reference, names, ours = converted[file]
    assert ("grad_x" in reference) == (len(MODELS[file]) == 2)   # token ids have no gradient
    for key in ("out_train", "out_eval", "grad_x")[:2 + ("grad_x" in reference)]:
        np.testing.assert_allclose(ours[key], reference[key], rtol=RTOL, atol=RTOL * np.abs(reference[key]).max(),
                                   err_msg=key)
    # float32 rounding is relative to the size of the terms summed: a gradient that is 0 in exact
    # arithmetic (the bias of a layer followed by BatchNorm) is noise of that size on both sides
    grad_scale = max(float(np.abs(v).max()) for k, v in reference.items() if k.startswith("grad:"))
    compared = 0
    for key, value in reference.items():
        if not key.startswith(("grad:", "state:")):
            continue
        kind, name = key.split(":", 1)
        other = f"{kind}:{names.get(name, name)}"
        if other not in ours:   # num_batches_tracked (torch only)
            assert name.endswith("num_batches_tracked"), key
            continue
        # a running mean that is 0 in exact arithmetic (a bias-free conv of zero-mean BatchNorm outputs, as in
        # MobileNetV2's residual blocks) is noise of the size of its neighbours': scale by the largest of its kind
        leaf = name.rsplit(".", 1)[-1]
        scale = grad_scale if kind == "grad" else max(
            float(np.abs(v).max()) for k, v in reference.items()
            if k.startswith("state:") and k.rsplit(".", 1)[-1].rsplit(":", 1)[-1] == leaf)
        np.testing.assert_allclose(ours[other], value, rtol=RTOL, atol=RTOL * scale, err_msg=key)
        compared += 1
    assert compared >= 8
