"""torch's and MindSpore's names of the same layer parameter, where they differ (measured: torch 2.13, MindSpore 2.10).

Why one table: the converter renames ``self.emb.weight`` to ``self.emb.embedding_table`` where it knows the layer's
class (``convert.rules.layer_attrs``), and a converted program decides at run time where the converter cannot tell
(``msbridge.torch.layer_params.param`` on MindSpore, ``msbridge.bridge.cell_methods.norm_param`` on torch); the
three must agree, and with the checkpoint tables' parameter maps (tests/convert/test_convert_layer_attrs.py checks
that). Keys are class names, the same in ``torch.nn`` and ``mindspore.nn``. Imports no framework.

Left out: BatchNorm3d (MindSpore keeps its parameters in a child cell, ``bn2d.gamma``; the converter does not
convert the layer).
"""
from __future__ import annotations

_NORM = {"weight": "gamma", "bias": "beta", "running_mean": "moving_mean", "running_var": "moving_variance"}
_AFFINE = {"weight": "gamma", "bias": "beta"}

TORCH_TO_MINDSPORE: dict[str, dict[str, str]] = {
    "Embedding": {"weight": "embedding_table"},
    "BatchNorm1d": _NORM, "BatchNorm2d": _NORM,
    "InstanceNorm1d": _NORM, "InstanceNorm2d": _NORM, "InstanceNorm3d": _NORM,
    "LayerNorm": _AFFINE, "GroupNorm": _AFFINE,
    "PReLU": {"weight": "w"},
}
MINDSPORE_TO_TORCH: dict[str, dict[str, str]] = {
    layer: {ms: pt for pt, ms in names.items()} for layer, names in TORCH_TO_MINDSPORE.items()}


def renamed(layer_class: str, name: str, target: str) -> str | None:
    """``name`` as ``target`` calls it on the framework class ``layer_class`` (``mindspore.nn.Embedding``), or
    None when the class is not one of these or the name is the same there."""
    prefix = f"{target}.nn."
    if not layer_class.startswith(prefix):
        return None
    table = TORCH_TO_MINDSPORE if target == "mindspore" else MINDSPORE_TO_TORCH
    return table.get(layer_class[len(prefix):], {}).get(name)
