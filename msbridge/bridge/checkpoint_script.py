"""Loaders for converted scripts: read a checkpoint written by EITHER framework, by its content.

Why: a script ported from MindSpore to torch still starts from the original's ``.ckpt`` (and the
other way round); ``torch.load`` cannot read that file. ``msbridge convert`` emits these where a
script loads a file it did not write itself. Names and layouts come from the parameter maps,
inferred without a model (``checkpoint.convert_tensors``); a file already in the caller's
framework is returned as that framework's own loader would return it.
"""
from __future__ import annotations

from pathlib import Path

from msbridge.bridge import checkpoint_io
from msbridge.bridge.checkpoint import convert_tensors
from msbridge.bridge.checkpoint_names import FRAMEWORKS, other


def _tensors_for(path: str | Path, framework: str):
    ckpt = checkpoint_io.read_checkpoint(path)
    if ckpt.format == "safetensors" or ckpt.format == framework:
        return ckpt.tensors
    return convert_tensors(ckpt.tensors, ckpt.format if ckpt.format in FRAMEWORKS else other(framework)).renamed.tensors


def load_torch_state_dict(path: str | Path) -> dict:
    """What ``torch.load(path, weights_only=True)`` gives for a state_dict file, from either framework's file."""
    from msbridge.bridge.checkpoint_tensor import to_torch

    return {name: to_torch(raw).clone() for name, raw in _tensors_for(path, "torch").items()}


def load_mindspore_checkpoint(path: str | Path) -> dict:
    """What ``mindspore.load_checkpoint(path)`` gives (``{name: Parameter}``), from either framework's file."""
    import mindspore

    from msbridge.bridge.checkpoint_tensor import to_mindspore

    return {name: mindspore.Parameter(to_mindspore(raw), name=name, requires_grad=raw.dtype.startswith(("float", "bf")))
            for name, raw in _tensors_for(path, "mindspore").items()}
