"""Live models as checkpoint targets: what they expect, and loading tensors into them.

A torch ``nn.Module`` or a MindSpore ``nn.Cell`` becomes a ``Target``: its parameter names and
shapes (torch: the ``state_dict``; MindSpore: each Parameter's ``name``, which is what
``save_checkpoint`` writes) and, per module path, the layer its class maps to (the most
specific class in its MRO that a parameter map names).
"""
from __future__ import annotations

import importlib

from msbridge.bridge.checkpoint_names import Target
from msbridge.bridge.checkpoint_tensor import RawTensor, to_mindspore, to_torch
from msbridge.tables.param_maps import load_param_maps
from msbridge.tables.records import LayerParams


def _resolve(qualified: str):
    module, _, name = qualified.rpartition(".")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def _class_layers(framework: str) -> dict[type, LayerParams]:
    classes = {}
    for layer in load_param_maps():
        cls = _resolve(layer.side(framework))
        if cls is not None:
            classes.setdefault(cls, layer)
    return classes


def _layer_of(obj, classes: dict[type, LayerParams]) -> LayerParams | None:
    return next((classes[c] for c in type(obj).__mro__ if c in classes), None)


def framework_of(model) -> str:
    """'torch' or 'mindspore' for a live model, from its base classes (no framework import needed)."""
    for cls in type(model).__mro__:
        if cls.__module__.startswith("torch.nn") and cls.__name__ == "Module":
            return "torch"
        if cls.__module__.startswith("mindspore.nn") and cls.__name__ == "Cell":
            return "mindspore"
    raise TypeError(f"expected a torch.nn.Module or a mindspore.nn.Cell, got {type(model).__name__}")


def describe(model) -> Target:
    """The ``Target`` a live model defines."""
    framework = framework_of(model)
    classes = _class_layers(framework)
    if framework == "torch":
        shapes = {name: tuple(t.shape) for name, t in model.state_dict().items()}
        layers = {prefix: _layer_of(m, classes) for prefix, m in model.named_modules()}
    else:
        shapes = {p.name: tuple(p.shape) for p in model.get_parameters()}
        layers = {prefix: _layer_of(c, classes) for prefix, c in model.cells_and_names()}
    return Target(framework, shapes, layers)


def model_tensors(model) -> dict[str, RawTensor]:
    """A live model's parameters as ``RawTensor``s, named as its framework's checkpoint names them."""
    from msbridge.bridge.checkpoint_tensor import from_mindspore, from_torch

    if framework_of(model) == "torch":
        return {name: from_torch(t) for name, t in model.state_dict().items()}
    return {p.name: from_mindspore(p) for p in model.get_parameters()}


def load_into(model, tensors: dict[str, RawTensor]) -> None:
    """Copy ``tensors`` (already named and laid out for ``model``'s framework) into ``model``, strictly."""
    from msbridge.bridge.checkpoint_names import check_against

    check_against(tensors, describe(model))
    if framework_of(model) == "torch":
        model.load_state_dict({name: to_torch(raw) for name, raw in tensors.items()}, strict=True)
        return
    params = {p.name: p for p in model.get_parameters()}
    for name, raw in tensors.items():
        value = to_mindspore(raw)
        if value.dtype != params[name].dtype:
            value = value.astype(params[name].dtype)
        params[name].set_data(value)
