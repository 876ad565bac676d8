"""Optimizer parameter groups written as dict literals: keys that do not cross.

torch keeps unknown keys of a parameter group silently, so a MindSpore group
``{'params': p, 'grad_centralization': True}`` would run in torch WITHOUT
gradient centralization and nobody would notice. MindSpore groups accept only
``params``, ``lr``, ``weight_decay``, ``grad_centralization`` and
``order_params`` (Optimizer.md). A group ``lr`` may be a per-step list in
MindSpore, which a torch group cannot hold. Such keys are reported for review.
"""
from __future__ import annotations

import libcst as cst

MINDSPORE_KEYS = ("params", "lr", "weight_decay", "grad_centralization", "order_params")
TORCH_SAFE = ("params", "lr", "weight_decay")


def group_keys(params: cst.BaseExpression) -> set[str]:
    """String keys of the dict literals inside a list/tuple literal (the groups)."""
    keys: set[str] = set()
    if not isinstance(params, (cst.List, cst.Tuple)):
        return keys
    for element in params.elements:
        if isinstance(element.value, cst.Dict):
            for item in element.value.elements:
                if isinstance(item, cst.DictElement) and isinstance(item.key, cst.SimpleString):
                    keys.add(item.key.evaluated_value)
    return keys


def problems(params: cst.BaseExpression, target: str) -> list[str]:
    keys = group_keys(params)
    if target == "torch":
        lost = sorted(keys & {"grad_centralization", "order_params"})
        out = [f"parameter-group key(s) {lost} have no torch meaning (torch would ignore them silently)"] if lost else []
        if "lr" in keys:
            out.append("a group 'lr' must be a number in torch; a per-step MindSpore list there is not bridged")
        return out
    unknown = sorted(keys - set(MINDSPORE_KEYS))
    return [f"parameter-group key(s) {unknown} are not accepted by MindSpore optimizer groups"] if unknown else []
