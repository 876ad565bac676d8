"""MindSpore's weight-decay rule for a torch model: the parameter groups that reproduce it.

A MindSpore ``nn`` optimizer given a flat parameter list decays only parameters
whose names contain neither ``gamma`` nor ``beta`` (``Optimizer.decay_filter``);
norm layers name their scale and shift ``gamma``/``beta``. torch decays every
parameter, and calls those ``weight``/``bias``. A converted program passes its
torch model here and gets two groups: the parameters MindSpore would decay, and
the others with ``weight_decay=0.0``. Imports torch only (runs without MindSpore).
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
    """``[{'params': decayed}, {'params': not decayed, 'weight_decay': 0.0}]`` as MindSpore decides them.

    Only trainable parameters (``requires_grad``), like MindSpore's ``trainable_params()``.
    """
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"mindspore_decay_groups: 'module' must be a torch.nn.Module, but got "
                        f"{type(module).__name__!r}.")
    decayed, kept = [], []
    owners = dict(module.named_modules())
    for name, parameter in module.named_parameters():
        if not parameter.requires_grad:
            continue
        owner = owners[name.rpartition(".")[0]]
        ms_name = mindspore_parameter_name(module, name, owner)
        (kept if "gamma" in ms_name or "beta" in ms_name else decayed).append(parameter)
    groups = [{"params": decayed}] if decayed else []
    if kept:
        groups.append({"params": kept, "weight_decay": 0.0})
    return groups
