"""MindSpore's weight-decay rule for a torch model: the parameter groups that reproduce it.

A MindSpore ``nn`` optimizer given a flat parameter list decays only parameters
whose names contain neither ``gamma`` nor ``beta`` (``Optimizer.decay_filter``);
norm layers name their scale and shift ``gamma``/``beta``. torch decays every
parameter, and calls those ``weight``/``bias``. A converted program passes its
torch model here and gets parameter groups: runs of the parameters MindSpore would
decay, and runs of the others with ``weight_decay=0.0``, in MindSpore's order. Imports torch only (runs
without MindSpore).
"""
from __future__ import annotations

import torch

__all__ = ["mindspore_decay_groups", "mindspore_parameter_name"]

# torch modules whose weight/bias MindSpore calls gamma/beta
_NORMS = (torch.nn.modules.batchnorm._NormBase, torch.nn.LayerNorm, torch.nn.GroupNorm)
_LEAF = {"weight": "gamma", "bias": "beta"}


def mindspore_parameter_name(module: torch.nn.Module, name: str, parameter_owner: torch.nn.Module) -> str:
    """The name MindSpore gives parameter ``name`` (dotted, torch spelling) of ``parameter_owner``."""
    prefix, _, leaf = name.rpartition(".")
    if isinstance(parameter_owner, _NORMS):
        leaf = _LEAF.get(leaf, leaf)
    return f"{prefix}.{leaf}" if prefix else leaf


def mindspore_decay_groups(module: torch.nn.Module) -> list[dict]:
    """The trainable parameters (``requires_grad``, like MindSpore's ``trainable_params()``) in their order, grouped
    into consecutive runs: a run MindSpore decays (``{'params': [...]}``), then a run it does not (``{'params': [...],
    'weight_decay': 0.0}``), and so on. Runs, not two groups: read group by group, the parameters come in
    MindSpore's order (its ``optimizer.parameters``), which ``optimizer(grads)`` and code indexing the gradients
    rely on (``msbridge.bridge.apply_gradients``).
    """
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"mindspore_decay_groups: 'module' must be a torch.nn.Module, but got "
                        f"{type(module).__name__!r}.")
    groups: list[dict] = []
    owners = dict(module.named_modules())
    for name, parameter in module.named_parameters():
        if not parameter.requires_grad:
            continue
        owner = owners[name.rpartition(".")[0]]
        ms_name = mindspore_parameter_name(module, name, owner)
        decayed = "gamma" not in ms_name and "beta" not in ms_name
        if not groups or ("weight_decay" not in groups[-1]) != decayed:
            groups.append({"params": []} if decayed else {"params": [], "weight_decay": 0.0})
        groups[-1]["params"].append(parameter)
    return groups
