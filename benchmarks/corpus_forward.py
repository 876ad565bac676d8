"""Forward runs of corpus models, original against conversion, with the same weights and the same input.

``corpus_run_check.py --forward`` builds each model of a file twice: from the original file on its own framework
(``export``: weights, a random input the model accepts, its output, saved to one ``.npz`` per model), then from
the converted file with the source framework unimportable (``compare``: the weights loaded by name, the same
input, the outputs compared). Building a converted model only proves its ``__init__`` runs; a rewritten
``construct``/``forward`` that computes something else is only seen when both run.

Weights are matched by name, with the parameter names the frameworks give the same state
(``gamma``/``weight``, ``moving_mean``/``running_mean``...) and by shape; a model whose weights do not all match is
``inconclusive``, never ``equal``; a model whose output differs between two runs on one input (it samples) is not
compared. Both models run in inference mode (MindSpore ``set_train(False)``, torch
``eval()``), so dropout is off and normalisation uses the moving statistics.
"""
from __future__ import annotations

import signal

import numpy as np

from msbridge.bridge.layer_names import MINDSPORE_TO_TORCH

# the same state under MindSpore's and torch's names (a parameter's last name part): the converter's own table
SAME_STATE = sorted({pair for names in MINDSPORE_TO_TORCH.values() for pair in names.items()})
# inputs tried in turn: the first the original model accepts is used
SHAPES = [(2, 3, 32, 32), (2, 3, 224, 224), (2, 3, 112, 112), (2, 1, 28, 28), (2, 3, 64, 64), (2, 3, 96, 96), (2, 3, 256, 256),
          (2, 1, 32, 32), (2, 3, 16, 16), (2, 16), (2, 32), (2, 64), (2, 128), (2, 256), (2, 512), (2, 784),
          (2, 8, 16), (2, 16, 32), (2, 3, 16, 16, 16)]
RTOL, ATOL = 1e-4, 1e-5
STAND_INS = ("_Anything", "_msbridge_corpus_stub")   # corpus_run_check.py's stand-ins for imports it cannot make


def _numpy(value):
    """An output (tensor, or a tuple/list of them) as a list of float arrays; None if it holds anything else."""
    if isinstance(value, (tuple, list)):
        parts = [_numpy(v) for v in value]
        return None if any(p is None for p in parts) else [a for p in parts for a in p]
    for reader in ("asnumpy", "numpy"):
        if hasattr(value, reader):
            try:
                array = value.detach().numpy() if hasattr(value, "detach") else getattr(value, reader)()
            except Exception:   # noqa: BLE001 - not a plain tensor
                return None
            return [np.asarray(array, dtype=np.float64)]
    return None


def _state(model, framework: str) -> dict[str, np.ndarray]:
    if framework == "mindspore":
        return {name: p.asnumpy() for name, p in model.parameters_and_names()}
    return {name: t.detach().numpy() for name, t in model.state_dict().items() if not name.endswith("num_batches_tracked")}


def _infer(model, framework: str):
    if framework == "mindspore":
        model.set_train(False)
    else:
        model.eval()
    return model


def _call(model, x: np.ndarray, framework: str):
    if framework == "mindspore":
        import mindspore
        return model(mindspore.Tensor(x))
    import torch
    with torch.no_grad():
        return model(torch.from_numpy(x))


def export(model, framework: str, path: str) -> str:
    """Save the model's weights, the first input of ``SHAPES`` it accepts and its output; returns what happened."""
    model = _infer(model, framework)
    rng = np.random.default_rng(0)
    for shape in SHAPES:
        x = rng.standard_normal(shape).astype(np.float32)
        signal.alarm(30)
        try:
            outputs = _numpy(_call(model, x, framework))
        except Exception:   # noqa: BLE001 - the model does not take this input: try the next
            continue
        finally:
            signal.alarm(0)
        if outputs is None:
            return "output is not tensors"
        again = _numpy(_call(model, x, framework))
        if len(again) != len(outputs) or any(not np.array_equal(a, b, equal_nan=True) for a, b in zip(again, outputs)):
            return "stochastic (two runs on one input differ: a VAE's sampling)"
        state = _state(model, framework)
        np.savez(path, __input__=x, **{f"__output_{i}__": o for i, o in enumerate(outputs)},
                 **{f"w:{k}": v for k, v in state.items()})
        return f"exported {shape}"
    return "no input shape accepted"


def _source_name(name: str, saved: set[str], to: str) -> str | None:
    if name in saved:
        return name
    head, _, leaf = name.rpartition(".")
    pairs = SAME_STATE if to == "torch" else [(t, m) for m, t in SAME_STATE]
    for source_leaf, target_leaf in pairs:
        if leaf == target_leaf:
            candidate = f"{head}.{source_leaf}" if head else source_leaf
            if candidate in saved:
                return candidate
    return None


def _load(model, framework: str, weights: dict[str, np.ndarray]) -> list[str]:
    """Copy ``weights`` into the converted model; the names it could not fill (empty: every weight matched)."""
    missing = []
    if framework == "torch":
        import torch
        state = model.state_dict()
        for name, tensor in state.items():
            if name.endswith("num_batches_tracked"):
                continue
            source = _source_name(name, set(weights), "torch")
            if source is None or weights[source].shape != tuple(tensor.shape):
                missing.append(name)
                continue
            state[name] = torch.from_numpy(weights[source].astype(tensor.detach().numpy().dtype))
        model.load_state_dict(state)
    else:
        import mindspore
        for name, param in model.parameters_and_names():
            source = _source_name(name, set(weights), "mindspore")
            if source is None or weights[source].shape != tuple(param.shape):
                missing.append(name)
                continue
            param.set_data(mindspore.Tensor(weights[source].astype(param.asnumpy().dtype)))
    return missing


def compare(model, framework: str, path: str) -> dict:
    """Run the converted ``model`` (on ``framework``) on the exported input with the exported weights."""
    saved = np.load(path)
    weights = {k[2:]: saved[k] for k in saved.files if k.startswith("w:")}
    expected = [saved[k] for k in sorted(f for f in saved.files if f.startswith("__output_"))]
    model = _infer(model, framework)
    missing = _load(model, framework, weights)
    unused = len(weights) - (len(_state(model, framework)) - len(missing))
    if missing or unused:
        return {"verdict": "inconclusive", "detail": f"weights not matched: {missing[:4]} ({unused} unused)"}
    signal.alarm(60)
    try:
        outputs = _numpy(_call(model, saved["__input__"], framework))
    except Exception as exc:   # noqa: BLE001 - a converted forward that fails is the finding
        text = f"{type(exc).__name__}: {exc}"[:300]
        stand_in = any(mark in text for mark in STAND_INS)   # a missing import's stand-in reached it: proves nothing
        return {"verdict": "inconclusive" if stand_in else "fails", "detail": text}
    finally:
        signal.alarm(0)
    if outputs is None or len(outputs) != len(expected):
        return {"verdict": "differs", "detail": f"{len(outputs or [])} outputs, the original gave {len(expected)}"}
    for got, want in zip(outputs, expected):
        if got.shape != want.shape:
            return {"verdict": "differs", "detail": f"shape {got.shape}, the original gave {want.shape}"}
        if not np.allclose(got, want, rtol=RTOL, atol=ATOL, equal_nan=True):
            return {"verdict": "differs", "detail": f"max abs difference {np.nanmax(np.abs(got - want)):.3g}"}
    return {"verdict": "equal", "detail": f"{len(outputs)} outputs, shape {expected[0].shape}"}
